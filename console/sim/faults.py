"""The raw ASGI layer in front of the app: URL repair, request log, world tick and injected faults.

It sees every request before Starlette does:

1. ``/api/x&access_token=T`` (the manual prints some URLs so, ERRATA) becomes ``/api/x?access_token=T``.
2. The request is logged (method, path, query with the token masked, the first bytes of the body) in
   ``Simulator.requests``: tests count what reached the server.
3. Due world actions run (``World.tick``).
4. For ``/api`` paths the faults apply (see :class:`console.sim.config.Faults`). A dropped answer is a
   :class:`DroppedConnection` raised after the response head: uvicorn then closes the socket without a
   body; an in-process ``httpx.ASGITransport`` re-raises it, and since it is an ``httpx.TransportError``
   the client sees a transport failure exactly as over a socket. The class is made at the first drop: httpx
   (~30 ms of imports) is not part of the simulator's boot, which demo mode's first tile waits for (issue 15).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from console.api.redact import redact_url

if TYPE_CHECKING:
    from .simulator import Simulator

__all__ = ["FaultLayer", "RequestRecord", "dropped_connection"]  # and DroppedConnection, made on first use

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_BODY = 64 * 1024 * 1024
LOGGED_BODY = 2048


_dropped: type[Exception] | None = None


def dropped_connection() -> type[Exception]:
    """``DroppedConnection``, an ``httpx.RemoteProtocolError`` raised by the fault layer to lose an answer on
    purpose; made (and httpx imported) when first asked for."""
    global _dropped
    if _dropped is None:
        import httpx

        class DroppedConnection(httpx.RemoteProtocolError):
            """Raised by the fault layer to lose an answer on purpose."""

        DroppedConnection.__module__ = __name__
        _dropped = DroppedConnection
    return _dropped


def __getattr__(name: str) -> Any:
    if name == "DroppedConnection":  # ``faults.DroppedConnection``: the class, made on first use
        return dropped_connection()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class _QuietDrops(logging.Filter):
    """Keep uvicorn's "Exception in ASGI application" traceback out of the log for deliberate drops."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return _dropped is None or not isinstance(exc, _dropped)


logging.getLogger("uvicorn.error").addFilter(_QuietDrops())


@dataclass(frozen=True, slots=True)
class RequestRecord:
    at: float
    method: str
    path: str
    query: str
    body: bytes
    fault: str  # "", "down", "error", "drop", "malformed"


def _json(status: int, payload: dict[str, Any]) -> tuple[Message, Message]:
    body = json.dumps(payload).encode()
    start = {"type": "http.response.start", "status": status,
             "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]}
    return start, {"type": "http.response.body", "body": body, "more_body": False}


class FaultLayer:
    def __init__(self, app: ASGIApp, sim: Simulator) -> None:
        self.app = app
        self.sim = sim

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        _repair_ampersand(scope)
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            body += message.get("body", b"")
            if len(body) > MAX_BODY:
                start, end = _json(413, {"code": -1, "message": "request too large", "data": None})
                await send(start)
                await send(end)
                return
            if not message.get("more_body"):
                break
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        sim = self.sim
        sim.world.tick()
        path: str = scope["path"]
        fault = ""
        if path.startswith("/api"):
            fault = self._draw()
        sim.requests.append(RequestRecord(
            time.time(), scope["method"], path, redact_url(scope.get("query_string", b"").decode("latin-1")),
            bytes(body[:LOGGED_BODY]), fault,
        ))
        if fault == "down":
            start, end = _json(503, {"code": -1, "message": "the server is unavailable (simulated outage)",
                                     "data": None})
            await send(start)
            await send(end)
            return
        if sim.faults.latency_ms and path.startswith("/api"):
            await asyncio.sleep(sim.faults.latency_ms / 1000.0)
        if fault == "error":
            start, end = _json(500, {"code": -1, "message": "Program error", "data": None})
            await send(start)
            await send(end)
            return
        if not fault:
            await self.app(scope, replay, send)
            return
        captured: list[Message] = []

        async def capture(message: Message) -> None:
            captured.append(message)

        await self.app(scope, replay, capture)
        head = next((m for m in captured if m["type"] == "http.response.start"), None)
        if fault == "drop":
            if head is not None:
                await send(head)
            raise dropped_connection()("the simulator dropped this answer (drop_rate)")
        text = b'{"code": 0, "message": "success", "data": [{"id": "8a8890e1'
        start = {"type": "http.response.start", "status": 200,
                 "headers": [(b"content-type", b"application/json;charset=UTF-8"),
                             (b"content-length", str(len(text)).encode())]}
        await send(start)
        await send({"type": "http.response.body", "body": text, "more_body": False})

    def _draw(self) -> str:
        sim = self.sim
        faults = sim.faults
        if faults.down_until > sim.world.now():
            return "down"
        rng = sim.fault_rng
        if faults.error_rate and rng.random() < faults.error_rate:
            return "error"
        if faults.drop_rate and rng.random() < faults.drop_rate:
            return "drop"
        if faults.malformed_rate and rng.random() < faults.malformed_rate:
            return "malformed"
        return ""


def _repair_ampersand(scope: Scope) -> None:
    path: str = scope["path"]
    if "&" not in path or "=" not in path.split("&", 1)[1]:
        return
    path, extra = path.split("&", 1)
    query = scope.get("query_string", b"")
    scope["path"] = path
    scope["raw_path"] = path.encode("utf-8")
    scope["query_string"] = extra.encode("utf-8") + (b"&" + query if query else b"")
