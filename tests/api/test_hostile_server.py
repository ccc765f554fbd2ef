"""A server that misbehaves never hangs or floods the client: deadlines and answer caps, over real sockets.

Every case is bounded: the servers here stop when the test's context ends, and each call is given a deadline
of a second or two, so the whole file runs in a few seconds.
"""

from __future__ import annotations

import asyncio
import resource
import time

import pytest

from console.api import AnswerLostError, Client, Delivery, ProtocolError, RetryPolicy
from console.api.client import MAX_BODY_BYTES, Deadlines
from tests.api.test_delivery import _read_request, raw_server
from tests.sim.helpers import TOKEN

FAST = Deadlines(read=1.5, write=1.5)


def client(url: str, deadlines: Deadlines = FAST) -> Client:
    return Client(url, TOKEN, retry=RetryPolicy(attempts=3, backoff=0.01), deadlines=deadlines)


async def trickle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Headers at once, then one byte of body every 0.2 s: each read succeeds, the answer never ends."""
    await _read_request(reader)
    writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
    await writer.drain()
    for _ in range(200):
        writer.write(b" ")
        await writer.drain()
        await asyncio.sleep(0.2)


async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await _read_request(reader)
    await asyncio.Event().wait()


@pytest.mark.parametrize("handler", [trickle, silent], ids=["trickle", "silence"])
async def test_a_read_fails_within_its_deadline_whatever_the_server_does(handler: object) -> None:
    async with raw_server(handler) as url, client(url) as api:  # type: ignore[arg-type]
        started = time.monotonic()
        with pytest.raises(AnswerLostError) as caught:
            await api.door_state_records()
        took = time.monotonic() - started
    assert took < FAST.read + 1.0  # retries included: the deadline is for the whole call
    assert "within" in str(caught.value)


@pytest.mark.parametrize("handler", [trickle, silent], ids=["trickle", "silence"])
async def test_a_write_past_its_deadline_is_uncertain(handler: object) -> None:
    async with raw_server(handler) as url, client(url) as api:  # type: ignore[arg-type]
        with pytest.raises(AnswerLostError) as caught:
            await api.open_door("d1", 5)
    assert caught.value.delivery is Delivery.UNCERTAIN  # never "not sent": it reached the server


async def test_a_huge_answer_is_refused_at_the_cap_with_bounded_memory() -> None:
    sent = 0

    async def huge(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """A 1 GB answer with no length announced (chunked), written as fast as the client reads."""
        nonlocal sent
        await _read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
        block = b"[" + b"1," * (512 * 1024)
        try:
            while sent < 1024**3:
                writer.write(b"%x\r\n%s\r\n" % (len(block), block))
                await writer.drain()
                sent += len(block)
        except (ConnectionError, OSError):
            return

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    async with raw_server(huge) as url, client(url, deadlines=Deadlines(read=30, write=30)) as api:
        with pytest.raises(ProtocolError) as caught:
            await api.door_state_records()
    grew = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - before
    assert "larger than the console accepts" in str(caught.value)
    assert sent < 1024**3 // 4  # it stopped reading long before the end
    assert grew < 4 * MAX_BODY_BYTES  # memory near the cap, not the answer's size


async def test_an_announced_huge_answer_is_refused_before_it_is_read() -> None:
    async def announced(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 999999999999\r\n\r\n")
        await writer.drain()
        await asyncio.Event().wait()

    async with raw_server(announced) as url, client(url) as api:
        started = time.monotonic()
        with pytest.raises(ProtocolError):
            await api.door_state_records()
    assert time.monotonic() - started < 1.0
