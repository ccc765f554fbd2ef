"""The simulator in its own process (demo mode's): started, driven by name over HTTP, stopped, and gone when
the process that started it dies."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from console.sim.process import SimulatorProcess

ROOT = Path(__file__).resolve().parents[2]


def _gone(pid: int, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        try:  # our own child: reap it, or it stays a zombie that os.kill still finds
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                return True
        except ChildProcessError:
            pass
        time.sleep(0.05)
    return False


def test_the_process_serves_runs_training_actions_by_name_and_stops() -> None:
    sim = SimulatorProcess(site="small", event_rate=0.0)
    url = sim.start()
    try:
        assert url.startswith("http://127.0.0.1:")
        assert sim.token
        assert sim.token not in " ".join(sim.command())  # never on its command line
        query = f"access_token={sim.token}"
        with urllib.request.urlopen(f"{url}/api/door/allDoorState?{query}", timeout=10) as answer:
            assert json.loads(answer.read())["code"] == 0
        assert "was forced open" in sim.perform("forced_open")
        assert sim.state() == ("manual", "en")
        assert "Español" in sim.perform("language:es")
        assert "real one" in sim.perform("profile:real")
        assert sim.state() == ("real", "es")
        before = sim.clock()
        assert "30 minutes" in sim.perform("clock:1800")
        assert sim.clock() - before == pytest.approx(1800, abs=60)
        with pytest.raises(RuntimeError, match="training action"):
            sim.perform("no such thing")
    finally:
        sim.stop()
    assert not sim.running
    with pytest.raises(RuntimeError):
        sim.perform("forced_open")


def test_its_address_comes_before_it_is_ready_and_a_request_made_then_is_answered_once_it_is() -> None:
    """Demo mode builds its board while its simulator boots (issue 15): the child says its address and token as
    soon as it listens, and a request sent before it is ready waits for it instead of failing."""
    sim = SimulatorProcess(site="small", event_rate=0.0)
    sim.launch()
    try:
        url = sim.wait_address()
        assert url.startswith("http://127.0.0.1:")
        assert sim.token
        assert not sim.ready_line  # said before the server and its world are up
        with urllib.request.urlopen(f"{url}/api/door/allDoorState?access_token={sim.token}", timeout=20) as answer:
            assert json.loads(answer.read())["code"] == 0
        assert sim.wait_ready() == url
        assert sim.ready_line.startswith("simulator ready:")
    finally:
        sim.stop()


def test_with_tls_its_address_waits_for_its_certificate() -> None:
    sim = SimulatorProcess(site="small", event_rate=0.0, tls=True)
    sim.launch()
    try:
        url = sim.wait_address()
        assert url.startswith("https://127.0.0.1:")
        assert sim.ready_line  # the certificate comes with the server: the address is said when it is ready
        assert sim.certificate_pem.startswith("-----BEGIN CERTIFICATE-----")
    finally:
        sim.stop()


def test_the_simulator_ends_when_the_console_that_started_it_is_killed() -> None:
    script = ("from console.sim.process import SimulatorProcess\n"
              "p = SimulatorProcess(event_rate=0.0); p.start(); print(p.pid, flush=True)\n"
              "import time; time.sleep(120)\n")
    parent = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        os.kill(child, 0)  # running
        parent.kill()  # SIGKILL: no clean-up code runs in the parent
        parent.wait(10)
        assert _gone(child), "the simulator outlived the console that started it"
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait(10)
        if parent.stdout is not None:
            parent.stdout.close()
