"""``python -m console.sim``: prints its URL, serves, stops cleanly on SIGTERM with exit status 0."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from typing import IO

import httpx
import pytest

from console.sim.__main__ import main


class _Sim:
    """The CLI as a child process, its output lines in a queue (read by a thread: no blocking reads)."""

    def __init__(self, *args: str) -> None:
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "console.sim", "--port", "0", *args],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self._pump = threading.Thread(target=self._read, args=(self.proc.stdout,), daemon=True)
        self._pump.start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self.lines.put(line.rstrip("\n"))

    def line(self, timeout: float = 30.0) -> str:
        return self.lines.get(timeout=timeout)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self._pump.join(10)
        assert self.proc.stdout is not None
        self.proc.stdout.close()


def test_cli_serves_until_sigterm_and_exits_zero() -> None:
    cli = _Sim("--token", "cli-token-1", "--seed", "3", "--event-rate", "0")
    try:
        url = cli.line()
        assert url.startswith("http://127.0.0.1:")
        assert "ready" in cli.line()
        answer = httpx.get(f"{url}/api/v2/door/list", params={"pageNo": 1, "pageSize": 5,
                                                              "access_token": "cli-token-1"}, timeout=10)
        assert answer.json()["code"] == 0
        assert answer.json()["data"]["total"] == 12
        assert httpx.get(f"{url}/api/door/list?pageNo=1&pageSize=5", timeout=10).status_code == 401
        cli.proc.send_signal(signal.SIGTERM)
        assert cli.proc.wait(timeout=15) == 0
    finally:
        cli.close()


def test_cli_without_a_token_makes_one_and_prints_it() -> None:
    cli = _Sim("--no-hep", "--event-rate", "0")
    try:
        url = cli.line()
        token_line = cli.line()
        assert token_line.startswith("token: ")
        token = token_line.removeprefix("token: ")
        assert len(token) >= 20
        ok = httpx.get(f"{url}/api/door/allDoorState", params={"timestamp": 1, "access_token": token}, timeout=10)
        assert ok.json()["code"] == 0
        hep = httpx.get(f"{url}/api/hep/transaction/list",
                        params={"pageNo": 1, "pageSize": 5, "access_token": token}, timeout=10)
        assert hep.status_code == 404
        cli.proc.send_signal(signal.SIGINT)
        assert cli.proc.wait(timeout=15) == 0
    finally:
        cli.close()


def test_cli_refuses_bad_arguments() -> None:
    for argv in (["--faults", "{not json"], ["--faults", '{"drop_rate": 3}'], ["--site", "huge"],
                 ["--event-rate", "-1"]):
        with pytest.raises(SystemExit) as caught:
            main(argv)
        assert caught.value.code == 2
