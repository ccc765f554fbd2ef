"""One desk, one data directory: a second console on the same data is refused and names the first; a lock left
by a console that died is taken over (issue 14)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from console.services.lock import LOCK_FILE, DataDirBusy, DataDirLock, pid_alive
from console.services.paths import Paths


def console(basedir: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen",
           "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
    return subprocess.run([sys.executable, "-m", "console", "--demo", "--basedir", str(basedir), *args],
                          capture_output=True, text=True, timeout=timeout, env=env, check=False)


def dead_pid() -> int:
    """The PID of a process that has ended (a console killed with -9, as far as its lock file knows)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    assert not pid_alive(child.pid)
    return child.pid


def test_a_second_lock_on_the_same_data_is_refused_and_names_the_holder(tmp_path: Path) -> None:
    first = DataDirLock.acquire(tmp_path)
    with pytest.raises(DataDirBusy) as refused:
        DataDirLock.acquire(tmp_path)
    text = str(refused.value)
    assert f"process {os.getpid()} on {socket.gethostname()}" in text
    assert str(tmp_path) in text
    assert refused.value.holder is not None
    assert refused.value.holder.pid == os.getpid()
    first.release()
    first.release()  # twice is fine
    DataDirLock.acquire(tmp_path).release()  # free again after release


def test_a_stale_lock_of_a_dead_console_is_taken_over(tmp_path: Path) -> None:
    gone = dead_pid()
    (tmp_path / LOCK_FILE).write_text(json.dumps({"pid": gone, "host": socket.gethostname(), "since": "then"}))
    with DataDirLock.acquire(tmp_path) as lock:
        assert lock.stale is not None
        assert lock.stale.pid == gone
        assert json.loads((tmp_path / LOCK_FILE).read_text())["pid"] == os.getpid()


def test_a_second_console_process_is_refused_with_exit_code_1(tmp_path: Path) -> None:
    data = Paths.under(tmp_path).ensure().data_dir
    held = DataDirLock.acquire(data)  # the first console (this process) holds the desk's data
    try:
        second = console(tmp_path, "--self-test", timeout=60)
    finally:
        held.release()
    assert second.returncode == 1, second.stderr
    assert "another console is already using the data directory" in second.stderr
    assert f"process {os.getpid()} on {socket.gethostname()}" in second.stderr
    assert "Traceback" not in second.stderr
    assert not (data / "audit.sqlite3").exists()  # it touched nothing


def test_a_console_starts_over_a_stale_lock_and_releases_it_at_exit(tmp_path: Path) -> None:
    data = Paths.under(tmp_path).ensure().data_dir
    gone = dead_pid()
    (data / LOCK_FILE).write_text(json.dumps({"pid": gone, "host": socket.gethostname(), "since": "then"}))
    run = console(tmp_path, "--self-test")
    assert run.returncode == 0, run.stderr[-3000:]
    assert f"process {gone} on" in run.stderr  # the take-over is in the log
    assert (data / LOCK_FILE).read_text() == ""  # released: nobody holds it now
    DataDirLock.acquire(data).release()
