"""Start-up benchmark (not collected by pytest): process start to the first painted door tile in demo mode,
beside a bare PySide6 window's process start to first paint, measured in the same run, alternating.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/benchmarks/bench_startup.py [--runs 5]

Prints the figures (median, min, max, and the ratio of medians; the issue's target is at most 1.5x).
It asserts nothing about time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from benchlib import Figure, add_json_option, emit, human

ROOT = Path(__file__).resolve().parents[2]

BARE = textwrap.dedent(
    """
    import sys, time
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QApplication, QLabel

    class Watch(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint and obj is label:
                print(time.time(), flush=True)
                app.quit()
            return False

    app = QApplication(sys.argv[:1])
    label = QLabel("bare window")
    watch = Watch()
    label.installEventFilter(watch)
    label.resize(1360, 860)
    label.show()
    app.exec()
    """
)

CONSOLE = textwrap.dedent(
    """
    import os, signal, sys, time
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtWidgets import QAbstractItemView, QApplication

    done = False

    class Watch(QObject):
        # the first paint of the doors board's viewport once its model holds rows: the first painted tile
        def eventFilter(self, obj, event):
            global done
            if not done and event.type() == QEvent.Type.Paint:
                view = obj.parent()
                if isinstance(view, QAbstractItemView) and type(view.window()).__name__ == "MainWindow":
                    model = view.model()
                    if model is not None and model.rowCount() > 0:
                        done = True
                        print(time.time(), flush=True)
                        os.kill(os.getpid(), signal.SIGTERM)  # the console's orderly shutdown
            return False

    app = QApplication(sys.argv[:1])
    watch = Watch()
    app.installEventFilter(watch)
    from console.ui.app import main
    sys.exit(main(["--demo", "--basedir", sys.argv[1]]))
    """
)


def _measure(script: str, *args: str) -> float:
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"),
               PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring")
    started = time.time()
    done = subprocess.run([sys.executable, "-c", script, *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"run failed ({done.returncode}): {done.stderr[-2000:]}")
    return float(lines[0]) - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--quick", action="store_true", help="3 runs")
    add_json_option(parser)
    args = parser.parse_args()
    if args.quick:
        args.runs = 3
    out = human(args)
    bare: list[float] = []
    console: list[float] = []
    _measure(BARE)  # warm the file cache for both
    with tempfile.TemporaryDirectory() as warm:
        _measure(CONSOLE, warm)
    for _ in range(args.runs):
        bare.append(_measure(BARE))
        with tempfile.TemporaryDirectory() as base:
            console.append(_measure(CONSOLE, base))
    for name, values in (("bare PySide6 window", bare), ("console --demo, first tile", console)):
        print(f"{name:28} median {statistics.median(values) * 1000:7.0f} ms   "
              f"min {min(values) * 1000:7.0f} ms   max {max(values) * 1000:7.0f} ms   ({len(values)} runs)", file=out)
    ratio = statistics.median(console) / statistics.median(bare)
    print(f"ratio of medians: {ratio:.2f}x (target: at most 1.5x)", file=out)
    emit([Figure("start-up: first door tile (demo) / bare PySide6 window", 1.5, ratio, "x",
                 note=f"medians {statistics.median(console) * 1000:.0f} / {statistics.median(bare) * 1000:.0f} ms, "
                      f"{len(bare)} runs; process start to first paint")], args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
