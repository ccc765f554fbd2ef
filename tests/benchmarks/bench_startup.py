"""Start-up benchmark (not collected by pytest): process start to first paint, beside a bare PySide6 window's
process start to first paint, measured in the same run, alternating. Per run:

- ``console --demo`` on a fresh data folder: the main window's first paint (the shell; target 1.5x) and the
  first painted door tile (fresh data from the demo simulator, which runs in its own process);
- ``console --demo`` again on the data folder of the previous run: the first painted door tile (the last known
  board, when the console paints it from its local snapshot before the first poll; target 1.5x);
- ``console --server URL`` against a simulator process started once for the whole benchmark: the first painted
  door tile (fresh data from another process on this machine; target 3x).

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/benchmarks/bench_startup.py [--runs 5]

Prints the figures (median, min, max, and the ratios of medians). It asserts nothing about time.

The bare window's script watches its one label's paint with an event filter. The console tells its own moments
(``console.ui.startmarks``): an event filter on the whole application, as this script had until session 9, is
called for every event of every object and makes PySide6 build a Python class, with all its enums, for each
kind of object it is handed: it cost the measured console ~30-40 ms that a normal start does not spend.
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
    from console.ui import startmarks  # a module of a few lines: nothing of Qt or of the console's start

    def heard(name):
        # "shell": the main window's first paint; "tile": the first painted door tile (the console tells both)
        print(name, time.time(), flush=True)
        if name == "tile":
            os.kill(os.getpid(), signal.SIGTERM)  # the console's orderly shutdown

    startmarks.listen(heard)
    from console.__main__ import main  # the cvsecurity-console command: it makes its QApplication, as in use
    sys.exit(main(["--basedir", *sys.argv[1:]]))
    """
)


def _env() -> dict[str, str]:
    """The children's environment: offscreen Qt, no keyring, and compiled bytecode kept between runs (as an
    installed console has it; in build/bench/pycache, whatever PYTHONDONTWRITEBYTECODE says here)."""
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"),
               PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
               PYTHONPYCACHEPREFIX=str(ROOT / "build" / "bench" / "pycache"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def _measure(script: str, *args: str, token: str = "") -> dict[str, float]:
    """Seconds from process start to each printed mark (``shell``, ``tile``; the bare window's: ``paint``)."""
    env = _env()
    if token:
        env["CVSEC_TOKEN"] = token
    started = time.time()
    done = subprocess.run([sys.executable, "-c", script, *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    marks: dict[str, float] = {}
    for line in done.stdout.splitlines():
        words = line.split()
        if len(words) == 1:
            words = ["paint", *words]
        if len(words) == 2 and words[0] in ("paint", "shell", "tile"):
            marks.setdefault(words[0], float(words[1]) - started)
    if not marks:
        raise RuntimeError(f"run failed ({done.returncode}): {done.stderr[-2000:]}")
    return marks


class _Server:
    """``python -m console.sim --port 0`` for the ``--server`` runs (its own process, as a real server would be)."""

    def __enter__(self) -> _Server:
        self.proc = subprocess.Popen([sys.executable, "-m", "console.sim", "--port", "0", "--exit-with-stdin"],
                                     cwd=ROOT, env=_env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        self.url = self.token = ""
        for line in self.proc.stdout:
            if line.startswith("http"):
                self.url = line.strip()
            elif line.startswith("token: "):
                self.token = line.removeprefix("token: ").strip()
            elif line.startswith("simulator ready"):
                break
        if not self.url or not self.token:
            raise RuntimeError("the simulator did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()  # it stops when its stdin closes
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def _stats(values: list[float]) -> str:
    return (f"median {statistics.median(values) * 1000:7.0f} ms   min {min(values) * 1000:7.0f} ms   "
            f"max {max(values) * 1000:7.0f} ms   ({len(values)} runs)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=11)  # the machine is noisy: ratios of medians of 5 swung 20%
    parser.add_argument("--quick", action="store_true", help="3 runs")
    add_json_option(parser)
    args = parser.parse_args()
    if args.quick:
        args.runs = 3
    out = human(args)
    bare: list[float] = []
    shell: list[float] = []
    demo: list[float] = []
    again: list[float] = []
    server: list[float] = []
    with _Server() as sim, tempfile.TemporaryDirectory() as scratch:
        remote = ["--server", sim.url, "--operator", "bench"]
        _measure(BARE)  # warm the file cache for every kind of run
        _measure(CONSOLE, str(Path(scratch) / "warm"), "--demo")
        _measure(CONSOLE, str(Path(scratch) / "warm-server"), *remote, token=sim.token)
        for n in range(args.runs):
            bare.append(_measure(BARE)["paint"])
            base = str(Path(scratch) / f"demo-{n}")
            first = _measure(CONSOLE, base, "--demo")
            shell.append(first["shell"])
            demo.append(first["tile"])
            again.append(_measure(CONSOLE, base, "--demo")["tile"])
            server.append(_measure(CONSOLE, str(Path(scratch) / f"server-{n}"), *remote, token=sim.token)["tile"])
    rows = (("bare PySide6 window", bare), ("demo: main window painted", shell), ("demo: first tile", demo),
            ("demo again: first tile", again), ("--server: first tile", server))
    for name, values in rows:
        print(f"{name:28} {_stats(values)}", file=out)
    base_ms = statistics.median(bare)

    def ratio(values: list[float]) -> float:
        return statistics.median(values) / base_ms

    def note(values: list[float], what: str) -> str:
        return (f"medians {statistics.median(values) * 1000:.0f} / {base_ms * 1000:.0f} ms, {len(values)} runs; "
                f"process start to {what}")

    figures = [
        Figure("start-up: main window painted (demo) / bare PySide6 window", 1.5, ratio(shell), "x",
               note=note(shell, "the main window's first paint")),
        Figure("start-up: last board painted, second start (demo) / bare window", 1.5, ratio(again), "x",
               note=note(again, "the first painted door tile, same data folder as the run before")),
        Figure("start-up: fresh data painted (--server, simulator process) / bare window", 3.0, ratio(server), "x",
               note=note(server, "the first painted door tile from a poll of a server in another process")),
        Figure("start-up: fresh data painted, first start (demo) / bare window", 3.0, ratio(demo), "x",
               note=note(demo, "the first painted door tile; demo's simulator in its own process")),
    ]
    for figure in figures:
        print(f"{figure.figure}: {figure.measured:.2f}x (target: at most {figure.limit:g}x)", file=out)
    emit(figures, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
