"""The console as a process: ``--self-test`` exits 0, SIGTERM/SIGINT shut down like closing the window."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring")
    env.pop("CVSEC_TOKEN", None)
    env["CVSEC_BASEDIR"] = str(tmp_path / "from-env")  # --basedir must win over it
    return env


def test_self_test_in_demo_mode_exits_zero(tmp_path: Path) -> None:
    base = tmp_path / "base"
    done = subprocess.run(
        [sys.executable, "-m", "console", "--demo", "--self-test", "--basedir", str(base)],
        cwd=ROOT, env=_env(tmp_path), capture_output=True, text=True, timeout=90, check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.startswith("self-test ok: http://127.0.0.1:")
    assert "doors panel rendered" in done.stdout
    assert (base / "logs" / "console.log").is_file()
    assert not (tmp_path / "from-env").exists()


def test_self_test_without_a_connection_says_why(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "console", "--self-test", "--basedir", str(tmp_path / "b")],
        cwd=ROOT, env=_env(tmp_path), capture_output=True, text=True, timeout=90, check=False,
    )
    assert done.returncode == 1
    assert "no connection is configured: use --demo, --server URL or --profile NAME" in done.stderr


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_shuts_down_in_order(tmp_path: Path, sig: signal.Signals) -> None:
    base = tmp_path / "base"
    log = base / "logs" / "console.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "console", "--demo", "--basedir", str(base), "--poll-interval", "0.5"],
        cwd=ROOT, env=_env(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while "connecting -> online" not in (log.read_text(encoding="utf-8") if log.exists() else ""):
            assert proc.poll() is None, proc.communicate()[1][-3000:]
            assert time.monotonic() < deadline, "the console did not come online"
            time.sleep(0.1)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err[-3000:]
    text = log.read_text(encoding="utf-8")
    assert "quit requested" in text
    assert text.rstrip().endswith("console.ui.app: stopped")
    assert "Traceback" not in text
    assert (base / "config" / "settings.toml").is_file()  # the layout was saved on the way out
