""""Was it sent?": the client decides once, in its exception types, over real loopback sockets.

Each case is a server that misbehaves in one way; the test checks the exception's type, its ``delivery``
(what a write's caller may do next) and that no library exception (whose text holds the token-bearing
URL) hangs off it as ``__cause__`` or ``__context__``.
"""

from __future__ import annotations

import asyncio
import socket

import httpx
import pytest

from console.api import (
    AnswerLostError,
    ApiError,
    AuthError,
    Client,
    CVSecError,
    Delivery,
    HTTPStatusError,
    NotSentError,
    RetryPolicy,
)
from tests.hostile.servers import raw_server
from tests.sim.helpers import TOKEN, make_sim, online_door


async def _read_request(reader: asyncio.StreamReader) -> None:
    await reader.readuntil(b"\r\n\r\n")


def _no_chain(exc: BaseException) -> None:
    assert exc.__cause__ is None
    assert exc.__context__ is None
    assert TOKEN not in str(exc)
    assert TOKEN not in repr(exc)


async def _open_door(base_url: str, **kwargs: object) -> CVSecError:
    async with Client(base_url, TOKEN, retry=RetryPolicy(attempts=1), **kwargs) as client:  # type: ignore[arg-type]
        with pytest.raises(CVSecError) as caught:
            await client.call("2.12.8", doorId="1", interval=5)
    return caught.value


async def test_a_refused_connection_was_certainly_not_sent() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    exc = await _open_door(f"http://127.0.0.1:{port}")
    assert isinstance(exc, NotSentError)
    assert exc.delivery is Delivery.NOT_SENT
    _no_chain(exc)


async def test_a_server_that_takes_the_request_and_never_answers_lost_the_answer() -> None:
    seen = asyncio.Event()

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        seen.set()
        await asyncio.Event().wait()  # until the server is closed

    async with raw_server(silent) as url:
        exc = await _open_door(url, timeout=httpx.Timeout(0.3))
    assert seen.is_set()  # the request did reach the server: it may have acted on it
    assert isinstance(exc, AnswerLostError)
    assert exc.delivery is Delivery.UNCERTAIN
    _no_chain(exc)


async def test_a_connection_dropped_after_the_request_lost_the_answer() -> None:
    async def drop(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        writer.close()

    async with raw_server(drop) as url:
        exc = await _open_door(url)
    assert isinstance(exc, AnswerLostError)
    assert exc.delivery is Delivery.UNCERTAIN
    assert "the server closed the connection" in str(exc)  # words, not the library's
    assert exc.detail  # the library's own text stays for a technician


async def test_a_half_sent_answer_is_lost_too() -> None:
    async def half(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"code\":")
        await writer.drain()
        writer.close()

    async with raw_server(half) as url:
        exc = await _open_door(url)
    assert isinstance(exc, AnswerLostError)


@pytest.mark.parametrize(
    ("status", "delivery"),
    [(503, Delivery.NOT_SENT), (429, Delivery.NOT_SENT), (500, Delivery.UNCERTAIN), (502, Delivery.UNCERTAIN),
     (504, Delivery.UNCERTAIN), (404, Delivery.REFUSED), (400, Delivery.REFUSED)],
)
async def test_http_statuses_say_whether_the_write_may_have_happened(status: int, delivery: Delivery) -> None:
    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        writer.write(f"HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode())
        await writer.drain()
        writer.close()

    async with raw_server(answer) as url:
        exc = await _open_door(url)
    assert isinstance(exc, HTTPStatusError)
    assert exc.status == status
    assert exc.delivery is delivery


async def test_the_simulator_refusing_and_the_token_refused() -> None:
    sim = make_sim()
    door = online_door(sim.world)
    async with sim.serve() as base_url:
        async with Client(base_url, TOKEN, retry=RetryPolicy(attempts=1)) as client:
            with pytest.raises(ApiError) as refused:
                await client.call("2.12.8", doorId=door.id, interval=0)
            assert refused.value.delivery is Delivery.REFUSED
            sim.set_faults(down_seconds=30)
            with pytest.raises(HTTPStatusError) as down:
                await client.call("2.12.8", doorId=door.id, interval=5)
            assert down.value.delivery is Delivery.NOT_SENT
            sim.set_faults(reset=True, drop_rate=1.0)
            with pytest.raises(AnswerLostError):
                await client.call("2.12.8", doorId=door.id, interval=5)
            sim.set_faults(reset=True)
        async with Client(base_url, "wrong-token") as intruder:
            with pytest.raises(AuthError) as auth:
                await intruder.call("2.12.8", doorId=door.id, interval=5)
            assert auth.value.delivery is Delivery.REFUSED


async def test_code_40_in_an_http_200_answer_is_a_refused_token() -> None:
    async def refuse(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        body = b'{"code": -40, "message": "Authorize access failure", "data": null}'
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
                     b"Connection: close\r\n\r\n%s" % (len(body), body))
        await writer.drain()
        writer.close()

    async with raw_server(refuse) as url:
        exc = await _open_door(url)
    assert isinstance(exc, AuthError)
    assert exc.code == -40
    assert exc.delivery is Delivery.REFUSED
    assert "Authorize access failure" in str(exc)


async def test_a_redirect_to_the_login_page_is_a_refused_token() -> None:
    async def to_login(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        writer.write(b"HTTP/1.1 302 Found\r\nLocation: /login.do?redirect=%2Fapi\r\nContent-Length: 0\r\n"
                     b"Connection: close\r\n\r\n")
        await writer.drain()
        writer.close()

    async with raw_server(to_login) as url:
        exc = await _open_door(url)
    assert isinstance(exc, AuthError)
    assert "login page" in str(exc)
