"""The client's errors carry no way back to the token (issue 14): no exception hangs off them as ``__cause__`` or
``__context__`` (the library's exceptions quote the request's URL, which holds the token), whatever path raised
them: a deadline, a silent or trickling server, a refused connection, a non-API answer. A missing CA file is a
:class:`TLSError` naming the file, not a raw ``FileNotFoundError`` or ``ssl`` error."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from console.api import Client, CVSecError, RetryPolicy
from console.api.client import Deadlines
from console.api.errors import AnswerLostError, TLSError
from console.services.session import Profile, probe

TOKEN = "chain-token-Secret-7f3a9c"


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def _clean(exc: BaseException) -> None:
    assert exc.__cause__ is None, repr(exc.__cause__)
    assert exc.__context__ is None, repr(exc.__context__)
    for link in _chain(exc):
        assert TOKEN not in str(link)
        assert TOKEN not in repr(link)
        assert TOKEN.lower() not in str(link).lower()


@contextlib.asynccontextmanager
async def _server(answer: bytes | None) -> AsyncIterator[str]:
    """``answer`` None: accepts and never answers; else sends ``answer`` after the request."""
    tasks: list[asyncio.Task[None]] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            tasks.append(task)  # type: ignore[arg-type]
        try:
            await reader.readuntil(b"\r\n\r\n")
            if answer is None:
                await asyncio.Event().wait()
            writer.write(answer)
            await writer.drain()
        except (asyncio.CancelledError, ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    finally:
        server.close()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _fail(base_url: str, section: str = "2.12.1", **kwargs: object) -> CVSecError:
    async with Client(base_url, TOKEN, retry=RetryPolicy(attempts=1), **kwargs) as client:  # type: ignore[arg-type]
        with pytest.raises(CVSecError) as caught:
            await client.call(section, pageNo=1, pageSize=1)
    return caught.value


async def test_a_deadline_leaves_no_exception_chained_to_the_error() -> None:
    async with _server(None) as url:
        exc = await _fail(url, deadlines=Deadlines(read=0.3, write=0.3))
    assert isinstance(exc, AnswerLostError)
    _clean(exc)  # before: __context__ was the TimeoutError, and through it the cancelled request


async def test_a_refused_connection_and_a_non_api_answer_leave_no_chain() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    _clean(await _fail(f"http://127.0.0.1:{port}"))
    html = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 13\r\n\r\n<html></html>"
    async with _server(html) as url:
        _clean(await _fail(url))
    junk = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 4\r\n\r\n{\"a\""
    async with _server(junk) as url:
        _clean(await _fail(url))


def test_a_missing_ca_file_is_a_tls_error_naming_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "our-ca.pem"
    with pytest.raises(TLSError) as caught:
        Client("https://10.0.0.5:8098", TOKEN, ca_file=str(missing))
    assert str(caught.value).startswith(f"the CA file {missing} does not exist")
    _clean(caught.value)
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate")
    with pytest.raises(TLSError, match=f"the CA file {garbage} holds no certificate"):
        Client("https://10.0.0.5:8098", TOKEN, ca_file=str(garbage))


async def test_the_connection_check_reports_a_missing_ca_file_instead_of_raising(tmp_path: Path) -> None:
    missing = tmp_path / "our-ca.pem"
    result = await probe(Profile("HQ", "https://10.0.0.5:8098", ca_file=str(missing)), TOKEN)
    assert not result.ok
    assert result.kind == "tls"
    assert str(missing) in result.message
    assert "does not exist" in result.message
