"""Hostile servers over real loopback sockets, shared by the hostile-server suite and the delivery tests.

``raw_server(handler)`` runs ``handler(reader, writer)`` per connection and closes everything on exit.
``api_server(route)`` speaks just enough HTTP/1.1 (keep-alive, bodies read and ignored) to answer each request
with what ``route(method, path)`` returns: a :class:`Reply` (canned bytes), or a handler of its own for the
misbehaviours that are about timing (trickle, silence). Requests it does not misbehave on get an empty but
valid API answer (``EMPTY``), so a whole :class:`SessionServices` can run against it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@asynccontextmanager
async def raw_server(handler: Handler) -> AsyncIterator[str]:
    """A loopback server running ``handler`` per connection; every connection is closed on exit."""
    writers: list[asyncio.StreamWriter] = []
    tasks: list[asyncio.Task[None]] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.append(writer)
        task = asyncio.current_task()
        assert task is not None
        tasks.append(task)
        # a cancelled connection ends quietly (asyncio's stream callback would log the cancellation)
        with contextlib.suppress(ConnectionError, OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError,
                                 asyncio.CancelledError):
            await handler(reader, writer)

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for writer in writers:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
        await server.wait_closed()


async def read_request(reader: asyncio.StreamReader) -> tuple[str, str]:
    """Read one request (headers and body); (method, path without the query)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    method, target = lines[0].split(" ")[:2]
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    if length:
        await reader.readexactly(length)
    return method, target.split("?")[0]


def response(body: bytes, *, status: str = "200 OK", content_type: str = "application/json",
             headers: tuple[str, ...] = ()) -> bytes:
    head = [f"HTTP/1.1 {status}", f"Content-Type: {content_type}", f"Content-Length: {len(body)}", *headers]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def envelope(data: Any, code: int = 0) -> bytes:
    return json.dumps({"code": code, "message": "success", "data": data}).encode()


EMPTY = envelope([])


@dataclass(frozen=True)
class Reply:
    """A canned answer: the whole response's bytes, or ``handler`` to take the connection over."""

    raw: bytes = b""
    handler: Handler | None = None

    @classmethod
    def json(cls, body: bytes, **kwargs: Any) -> Reply:
        return cls(response(body, **kwargs))


Route = Callable[[str, str], "Reply | None"]


@dataclass
class Counter:
    """What reached the hostile server: every request's (method, path)."""

    requests: list[tuple[str, str]] = field(default_factory=list)

    def count(self, fragment: str) -> int:
        return sum(1 for _, path in self.requests if fragment in path)


@asynccontextmanager
async def api_server(route: Route, seen: Counter | None = None) -> AsyncIterator[str]:
    """A keep-alive HTTP/1.1 server answering each request with ``route(method, path)`` (None: ``EMPTY``)."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            try:
                method, path = await read_request(reader)
            except asyncio.IncompleteReadError:
                return
            if seen is not None:
                seen.requests.append((method, path))
            reply = route(method, path)
            if reply is not None and reply.handler is not None:
                await reply.handler(reader, writer)
                return
            writer.write(reply.raw if reply is not None else response(EMPTY))
            await writer.drain()

    async with raw_server(handle) as url:
        yield url


# -- misbehaviours about time and size ----------------------------------------------------------------


async def trickle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Headers at once, then one byte of body a second: each read succeeds, the answer never ends."""
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{")
    await writer.drain()
    for _ in range(600):
        await asyncio.sleep(1.0)
        writer.write(b" ")
        await writer.drain()


async def silence(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """The request is taken; nothing is ever sent back."""
    await asyncio.Event().wait()


def huge(total: int, sent: list[int] | None = None) -> Handler:
    """A JSON answer of ``total`` bytes with no length announced (chunked), as fast as the client reads;
    ``sent`` (one number) counts the bytes written."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
        block = b'{"code":0,"message":"","data":[' + b"1," * (256 * 1024)
        done = 0
        while done < total:
            writer.write(b"%x\r\n%s\r\n" % (len(block), block))
            await writer.drain()
            done += len(block)
            if sent is not None:
                sent[0] = done
            block = b"1," * (256 * 1024)

    return handler


def once(reply: Reply) -> Handler:
    """Answer the request already read with ``reply``, then close (for ``raw_server`` handlers)."""

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(reply.raw)
        await writer.drain()
        writer.close()

    return handler
