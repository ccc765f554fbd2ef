"""Serving the simulator: in the current asyncio loop (:func:`serve`) or in a thread (:class:`SimulatorThread`).

uvicorn runs on a socket we bind ourselves (a port clash then raises ``OSError`` here instead of ending the
process, FIELD-NOTES), with ``log_config=None`` so the application's logging stays as it is.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import socket
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import Future
from typing import Any, TypeVar, overload

import uvicorn

from console.api.redact import RedactingFilter

from .activity import run_activity
from .config import SimConfig
from .listen import base_url, bind
from .simulator import Simulator

__all__ = ["SimulatorThread", "serve"]

T = TypeVar("T")
START_TIMEOUT = 15.0


@contextlib.asynccontextmanager
async def serve(sim: Simulator, host: str = "127.0.0.1", port: int = 0, *,
                sock: socket.socket | None = None) -> AsyncIterator[str]:
    """Serve ``sim`` until the block ends; yields ``http://host:port`` once requests are accepted. ``sock``: a
    socket bound and listening already (:func:`console.sim.listen.bind`; closed when the block ends).

    With ``SimConfig(tls=True)`` it serves HTTPS with the simulator's self-signed certificate
    (``sim.certificate_pem``) and yields ``https://host:port``.
    """
    ssl_context = sim.certificate.server_context() if sim.certificate is not None else None
    sock = bind(host, port) if sock is None else sock
    for name in ("uvicorn.access", "uvicorn.error"):  # never a token-bearing URL in anybody's log
        if not any(isinstance(f, RedactingFilter) for f in logging.getLogger(name).filters):
            logging.getLogger(name).addFilter(RedactingFilter())
    config = uvicorn.Config(sim.app, log_config=None, access_log=False, lifespan="off", timeout_graceful_shutdown=2)
    if ssl_context is not None:  # uvicorn only reads certificate files: hand it the context after load()
        config.load()
        config.ssl = ssl_context
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]), name="cvsecurity-sim-uvicorn")
    activity: asyncio.Task[None] | None = None
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + START_TIMEOUT
        while not server.started:
            if task.done():
                task.result()  # raises what stopped uvicorn
                raise RuntimeError("the simulator's server stopped while starting")
            if loop.time() > deadline:
                raise TimeoutError("the simulator's server did not start")
            await asyncio.sleep(0.01)
        activity = asyncio.create_task(run_activity(sim), name="cvsecurity-sim-activity")
        sim.server_task = task
        yield base_url(host, sock.getsockname()[1], "https" if ssl_context is not None else "http")
    finally:
        sim.server_task = None
        if activity is not None:
            activity.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await activity
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await task
        sock.close()


class SimulatorThread:
    """A simulator served from its own asyncio loop in a daemon thread (demo mode, Qt tests).

    ``start()`` returns the base URL once requests are accepted; ``call(fn, *args)`` runs ``fn(sim, *args)``
    in the simulator's loop and returns its result (awaiting it if it is a coroutine); ``stop()`` stops the
    server and joins the thread (calling it again does nothing).
    """

    def __init__(self, config: SimConfig, host: str = "127.0.0.1", port: int = 0) -> None:
        self.config = config
        self.host = host
        self.port = port
        self.base_url = ""
        self._sim: Simulator | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    def __repr__(self) -> str:
        return f"<SimulatorThread {self.base_url or 'not started'}>"

    @property
    def sim(self) -> Simulator:
        if self._sim is None:
            raise RuntimeError("the simulator thread has not started")
        return self._sim

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, timeout: float = START_TIMEOUT) -> str:
        if self._thread is not None:
            raise RuntimeError("a SimulatorThread starts once")
        self._thread = threading.Thread(target=self._run, name="cvsecurity-sim", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            self.stop()
            raise TimeoutError("the simulator did not start in time")
        if self._error is not None:
            self._thread.join(timeout)
            raise RuntimeError("the simulator failed to start") from self._error
        return self.base_url

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            loop.run_until_complete(self._main())
        except BaseException as exc:  # reported to start(); the thread ends quietly
            self._error = exc
        finally:
            self._ready.set()
            loop.close()

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        self._sim = Simulator(self.config)
        async with self._sim.serve(self.host, self.port) as url:
            self.base_url = url
            self._ready.set()
            await self._stop.wait()

    @overload
    def call(self, fn: Callable[..., Awaitable[T]], *args: Any, timeout: float = 10.0) -> T: ...

    @overload
    def call(self, fn: Callable[..., T], *args: Any, timeout: float = 10.0) -> T: ...

    def call(self, fn: Callable[..., Any], *args: Any, timeout: float = 10.0) -> Any:
        """``fn(sim, *args)`` run in the simulator's loop; its result (an awaitable result is awaited)."""
        loop = self._loop
        if loop is None or not self.running:
            raise RuntimeError("the simulator thread is not running")

        async def run() -> Any:
            result: Any = fn(self.sim, *args)
            if inspect.isawaitable(result):
                result = await result
            return result

        future: Future[Any] = asyncio.run_coroutine_threadsafe(run(), loop)
        return future.result(timeout)

    def stop(self, timeout: float = 10.0) -> None:
        thread, loop, stop = self._thread, self._loop, self._stop
        if thread is None or not thread.is_alive():
            return
        if loop is not None and stop is not None:
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(stop.set)
        thread.join(timeout)
