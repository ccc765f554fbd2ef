"""The simulator in its own process: demo mode's, so it never competes with the console for the GIL.

::

    p = SimulatorProcess(site="small", event_rate=1.0)
    base_url = p.start()          # runs ``python -m console.sim --port 0 --exit-with-stdin ...``, reads its lines
    p.token                       # the token it generated (read from its output, never on its command line)
    p.perform("forced_open")      # a Training menu action by name (POST /_sim/training): what happened, in words
    p.state()                     # ("manual", "en"): its server profile and event language (GET /_sim/profile)
    p.clock()                     # the simulated site's time (this PC's clock plus what training moved it by)
    p.stop()                      # closes its stdin: it stops; terminated after a grace period

The child stops by itself when its standard input closes, so a console killed outright (SIGKILL, a crash)
leaves no simulator behind. Plain standard library (subprocess, urllib): importing this module loads neither
the simulator nor an HTTP stack. Not usable from a frozen build (no ``python -m`` there): the console falls
back to :class:`~console.sim.server.SimulatorThread`.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import ssl  # imported with --tls only: demo mode launches this process before the console's first paint

__all__ = ["START_TIMEOUT", "SimulatorProcess", "available"]

START_TIMEOUT = 30.0
STOP_GRACE = 5.0
READY = "simulator ready:"


def available() -> bool:
    """False in a frozen build (PyInstaller): there is no interpreter to run ``-m console.sim`` with."""
    return not getattr(sys, "frozen", False)


class SimulatorProcess:
    """``python -m console.sim`` as a child process; see the module's docstring."""

    def __init__(self, *, site: str = "small", event_rate: float = 1.0, seed: int = 1,
                 server_profile: str = "manual", event_language: str = "en", tls: bool = False,
                 host: str = "127.0.0.1", port: int = 0, python: str | None = None) -> None:
        self.site = site
        self.event_rate = event_rate
        self.seed = seed
        self.server_profile = server_profile
        self.event_language = event_language
        self.tls = tls
        self.host = host
        self.port = port
        self.python = python or sys.executable
        self.base_url = ""
        self.token = ""
        self.certificate_pem: str | None = None
        self.ready_line = ""
        self._offset = 0.0  # the simulated clock's offset from this PC's (moved by training actions)
        self._proc: subprocess.Popen[bytes] | None = None
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._ssl: ssl.SSLContext | None = None

    def __repr__(self) -> str:
        return f"<SimulatorProcess {self.base_url or 'not started'}>"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def command(self) -> list[str]:
        args = [self.python, "-m", "console.sim", "--host", self.host, "--port", str(self.port), "--exit-with-stdin",
                "--site", self.site, "--seed", str(self.seed), "--event-rate", repr(float(self.event_rate)),
                "--server-profile", self.server_profile, "--event-language", self.event_language]
        return [*args, "--tls"] if self.tls else args

    def start(self, timeout: float = START_TIMEOUT) -> str:
        """Start the child and wait for its ready line; the base URL. ``RuntimeError`` with its words if it fails."""
        self.launch()
        return self.wait_ready(timeout)

    def launch(self) -> None:
        """Start the child without waiting (the caller does other work while it boots, then ``wait_ready``)."""
        if self._proc is not None:
            raise RuntimeError("a SimulatorProcess starts once")
        env = dict(os.environ)
        root = str(Path(__file__).resolve().parents[2])  # the folder holding the console package
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
        env["PYTHONUNBUFFERED"] = "1"
        command = self.command()  # our own interpreter, our own arguments
        self._proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,  # noqa: S603
                                      close_fds=True)
        threading.Thread(target=self._read, args=(self._proc,), name="sim-output", daemon=True).start()

    def wait_ready(self, timeout: float = START_TIMEOUT) -> str:
        """Until the child says it is ready; its base URL."""
        return self._wait(timeout, address_only=False)

    def wait_address(self, timeout: float = START_TIMEOUT) -> str:
        """Until the child says its address and token (before it is ready, without TLS: it listens already, and a
        request made now is answered once it is); its base URL. With TLS, until it is ready (its certificate)."""
        return self._wait(timeout, address_only=not self.tls)

    def _wait(self, timeout: float, *, address_only: bool) -> str:
        if self._proc is None:
            raise RuntimeError("the simulator process was not launched")
        if self.ready_line or (address_only and self.base_url and self.token):
            return self.base_url
        deadline = time.monotonic() + timeout
        pem: list[str] = []
        while not (address_only and self.base_url and self.token):
            try:
                line = self._lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                self.stop()
                raise RuntimeError(f"the simulator did not start within {timeout:.0f} s") from None
            if line is None:
                code = self._proc.wait()
                raise RuntimeError(f"the simulator process ended before it was ready (exit code {code})")
            if not self.base_url and line.startswith(("http://", "https://")):
                self.base_url = line.rstrip("/")
            elif line.startswith("token: "):
                self.token = line.removeprefix("token: ").strip()
            elif line.startswith(READY):
                self.ready_line = line
                break
            elif line.startswith("-----BEGIN") or (pem and not pem[-1].startswith("-----END")):
                pem.append(line)  # the certificate, up to its END line (before: every line after it, and the
                # ready line with them, so that a --tls child never got ready)
        if pem:
            self.certificate_pem = "\n".join(pem) + "\n"
            import ssl

            self._ssl = ssl.create_default_context(cadata=self.certificate_pem)
            self._ssl.check_hostname = False  # a self-signed certificate for 127.0.0.1, pinned by its content
        if not self.base_url or not self.token:
            self.stop()
            raise RuntimeError("the simulator did not say its address and token")
        return self.base_url

    def _read(self, proc: subprocess.Popen[bytes]) -> None:
        """Its output, line by line, until it ends (read on, so that the child never blocks on a full pipe)."""
        assert proc.stdout is not None
        with contextlib.suppress(OSError, ValueError):
            for raw in proc.stdout:
                self._lines.put(raw.decode("utf-8", "replace").rstrip("\r\n"))
        self._lines.put(None)

    def _request(self, path: str, body: dict[str, Any] | None = None, timeout: float = 10.0) -> Any:
        if not self.running:
            raise RuntimeError("the simulator process is not running")
        import urllib.error  # here: the console launches this process before its first paint (issue 15)
        import urllib.parse
        import urllib.request

        query = urllib.parse.urlencode({"access_token": self.token})
        data = None if body is None else json.dumps(body).encode()
        if not self.base_url.startswith(("http://", "https://")):
            raise RuntimeError("the simulator process has no HTTP address")
        request = urllib.request.Request(f"{self.base_url}{path}?{query}", data=data,  # noqa: S310 (http(s), checked)
                                         method="GET" if data is None else "POST",
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout, context=self._ssl) as answer:  # noqa: S310
                return json.loads(answer.read(1 << 20))
        except urllib.error.HTTPError as exc:
            said: object = exc
            with contextlib.suppress(Exception):
                said = json.loads(exc.read(1 << 16)).get("error", exc)
            raise RuntimeError(str(said)) from None

    def perform(self, key: str) -> str:
        """The training action ``key`` (console/sim/training.py) run in the child; what happened, in words."""
        answer = self._request("/_sim/training", {"action": key})
        if isinstance(answer.get("now"), (int, float)):
            self._offset = float(answer["now"]) - time.time()
        if answer.get("error"):
            raise RuntimeError(str(answer["error"]))
        return str(answer.get("text", ""))

    def state(self) -> tuple[str, str]:
        """Its server profile and event language now."""
        answer = self._request("/_sim/profile")
        return str(answer["server_profile"]), str(answer["event_language"])

    def clock(self) -> float:
        """The simulated site's time (epoch seconds): this PC's clock plus what training actions moved it by."""
        return time.time() + self._offset

    def stop(self, timeout: float = STOP_GRACE) -> None:
        """Close its stdin (it stops by itself), then terminate, then kill; calling it again does nothing."""
        proc = self._proc
        if proc is None or proc.returncode is not None:
            return
        with contextlib.suppress(OSError, ValueError):
            if proc.stdin is not None:
                proc.stdin.close()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.terminate()
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout)
        with contextlib.suppress(OSError, ValueError):
            if proc.stdout is not None:
                proc.stdout.close()
