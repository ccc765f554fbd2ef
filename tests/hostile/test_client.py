"""A hostile server, through the real client: whatever it does, the caller gets one of the client's errors,
with the right ``delivery`` and words a person can read, within the call's deadline and with memory bounded.

Each server here is a real loopback socket (``tests/hostile/servers.py``); deadlines are a second or two.
"""

from __future__ import annotations

import contextlib
import gc
import json
import time
import tracemalloc
from contextlib import AbstractAsyncContextManager

import pytest

from console.api import (
    AnswerLostError,
    ApiError,
    AuthError,
    Client,
    CVSecError,
    Delivery,
    HTTPStatusError,
    ModelError,
    ProtocolError,
    RetryPolicy,
)
from console.api.client import MAX_BODY_BYTES, Deadlines
from tests.hostile.servers import (
    Counter,
    Handler,
    Reply,
    api_server,
    envelope,
    huge,
    response,
    silence,
    trickle,
)
from tests.sim.helpers import TOKEN

FAST = Deadlines(read=1.5, write=1.5)


def client(url: str, deadlines: Deadlines = FAST, attempts: int = 3) -> Client:
    return Client(url, TOKEN, retry=RetryPolicy(attempts=attempts, backoff=0.01), deadlines=deadlines)


def always(reply: Reply) -> AbstractAsyncContextManager[str]:
    return api_server(lambda _method, _path: reply)


def no_token_in(exc: BaseException) -> None:
    """Neither the error nor anything chained to it holds the token or the answer (a JSON decoder's error
    keeps the whole answer as ``.doc``, alive as long as the error is kept)."""
    chained: BaseException | None = exc
    while chained is not None:
        assert TOKEN not in str(chained)
        assert TOKEN not in repr(chained)
        assert getattr(chained, "doc", None) is None
        chained = chained.__cause__ or chained.__context__


# -- time ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("handler", [trickle, silence], ids=["trickle", "silence"])
async def test_a_read_ends_at_its_deadline_with_plain_words(handler: Handler) -> None:
    async with always(Reply(handler=handler)) as url, client(url) as api:
        started = time.monotonic()
        with pytest.raises(AnswerLostError) as caught:
            await api.door_state_records()
        took = time.monotonic() - started
    assert took < FAST.read + 1.0  # the deadline covers the retries too
    assert caught.value.delivery is Delivery.UNCERTAIN
    assert "no complete answer within" in str(caught.value)
    no_token_in(caught.value)


@pytest.mark.parametrize("handler", [trickle, silence], ids=["trickle", "silence"])
async def test_a_door_command_at_its_deadline_is_uncertain_and_sent_once(handler: Handler) -> None:
    seen = Counter()
    async with api_server(lambda _m, _p: Reply(handler=handler), seen) as url, client(url) as api:
        with pytest.raises(AnswerLostError) as caught:
            await api.open_door("d1", 5)
    assert caught.value.delivery is Delivery.UNCERTAIN
    assert seen.count("remoteOpen") == 1  # never repeated


# -- size ---------------------------------------------------------------------------------------------


async def test_a_huge_answer_is_refused_at_the_cap_with_memory_near_the_cap() -> None:
    sent = [0]
    gc.collect()
    tracemalloc.start()
    try:
        async with always(Reply(handler=huge(1024**3, sent))) as url, \
                client(url, deadlines=Deadlines(read=60, write=60)) as api:
            with pytest.raises(ProtocolError) as caught:
                await api.door_state_records()
        _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "larger than the console accepts" in str(caught.value)
    assert caught.value.delivery is Delivery.UNCERTAIN
    assert sent[0] < 4 * MAX_BODY_BYTES  # it stopped reading at the cap, not at the end of the gigabyte
    assert peak < 3 * MAX_BODY_BYTES  # what was read, once, plus change


async def test_an_answer_under_the_cap_that_would_explode_in_memory_is_refused() -> None:
    """16 MB of ``{},`` is five million objects: a few hundred MB once parsed. The answer is refused; memory
    stays near the cap."""
    body = b'{"code":0,"message":"","data":[' + b"{}," * ((MAX_BODY_BYTES - 100) // 3) + b"{}]}"
    gc.collect()
    tracemalloc.start()
    try:
        async with always(Reply.json(body)) as url, client(url, deadlines=Deadlines(read=60, write=60)) as api:
            tracemalloc.reset_peak()
            with pytest.raises(ProtocolError) as caught:
                await api.door_state_records()
            _now, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "too many" in str(caught.value)
    assert peak < 4 * MAX_BODY_BYTES


# -- shape --------------------------------------------------------------------------------------------


async def test_json_nested_a_hundred_thousand_deep_is_a_protocol_error_not_a_recursion_error() -> None:
    deep = b'{"code":0,"message":"","data":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    async with always(Reply.json(deep)) as url, client(url) as api:
        for call in (api.door_state_records, api.access_devices, lambda: api.monitor_records("2.19.6", None)):
            with pytest.raises(ProtocolError) as caught:
                await call()
            assert "not the API's JSON" in str(caught.value)


async def test_a_record_nested_deep_below_the_parsers_limit_is_read_or_refused_never_a_crash() -> None:
    value: object = "bottom"
    for _ in range(900):
        value = [value]
    record = {"id": "d1", "name": value, "doorState": value, "connect": value}
    async with always(Reply.json(envelope([record]))) as url, client(url) as api:
        for call in (api.door_states, api.doors, api.access_devices):
            with contextlib.suppress(CVSecError):  # refused as a model error: fine; anything else fails the test
                await call()


@pytest.mark.parametrize(
    "body",
    [b'{"code":0,"message":"ok","data":[{"doorId":"1","doorState', b"{", b"", b"\xff\xfe\x00{", b"nul",
     b'{"code":0,"data":[1,2,]}', b'{"code":NaN,"data":[]}', b'{"code":"0","data":[]'],
    ids=["cut", "brace", "empty", "bom", "nul", "trailing-comma", "nan-code", "unclosed"],
)
async def test_malformed_json_is_a_protocol_error(body: bytes) -> None:
    async with always(Reply.json(body)) as url, client(url) as api:
        with pytest.raises(ProtocolError) as caught:
            await api.door_state_records()
        with pytest.raises(ProtocolError) as write:
            await api.open_door("d1", 5)
    assert caught.value.delivery is Delivery.UNCERTAIN
    assert write.value.delivery is Delivery.UNCERTAIN  # a garbled answer to a write: it may have happened
    no_token_in(caught.value)


async def test_a_body_cut_short_of_its_length_is_an_answer_lost() -> None:
    async def cut(reader, writer):  # type: ignore[no-untyped-def]
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n"
                     b'{"code":0,"data":[')
        await writer.drain()
        writer.close()

    async with always(Reply(handler=cut)) as url, client(url) as api:
        with pytest.raises(AnswerLostError) as caught:
            await api.door_state_records()
    assert "closed the connection" in str(caught.value)


# -- wrong types --------------------------------------------------------------------------------------

WRONG = [
    "a string",
    12345,
    {"unexpected": {"nested": True}},
    [None, 1, "x", [1, 2], True],
    [{"id": None, "name": None, "doorState": None, "connect": None, "sensor": None, "relay": None,
      "alarm": None, "deviceSn": None, "eventTime": None, "pin": None}],
    [{"id": ["a"], "name": {"x": 1}, "doorState": "open", "connect": "yes", "sensor": [1], "relay": {"on": 1},
      "alarm": "loud", "deviceSn": 7, "eventTime": [2024], "pin": {"p": 1}, "pageSize": "ten"}],
    [{"id": 1e308, "name": -1, "doorState": "1e999", "connect": 10**40, "eventTime": "9999-99-99 99:99:99"}],
]


@pytest.mark.parametrize("data", WRONG, ids=[f"wrong{i}" for i in range(len(WRONG))])
async def test_wrong_types_give_records_or_a_model_error_never_a_library_exception(data: object) -> None:
    bodies = [envelope(data), json.dumps({"code": 0, "message": "", "data": {"list": data, "total": "many"}}).encode()]
    for body in bodies:
        async with always(Reply.json(body)) as url, client(url) as api:
            for call in (api.door_state_records, api.door_states, api.doors, lambda: api.person("1"),
                         lambda: api.visitors(page_no=1, page_size=10), lambda: api.monitor_records("2.19.6", None)):
                try:
                    await call()
                except ModelError:
                    pass
                except CVSecError as exc:  # pragma: no cover - named for the failure message
                    raise AssertionError(f"{type(exc).__name__}: {exc}") from exc


@pytest.mark.parametrize(
    "body",
    [b'{"code":"abc","data":[]}', b'{"code":[1],"data":[]}', b'{"code":null,"data":[]}', b'{"code":1e999}',
     b'{"ret":["ok"],"data":[]}', b"[1,2,3]", b'"just a string"', b"null", b"42"],
)
async def test_an_envelope_of_the_wrong_type_is_one_of_the_clients_errors(body: bytes) -> None:
    """A code that is no number, no envelope at all: ProtocolError; a ``ret`` that is not "ok": ApiError."""
    async with always(Reply.json(body)) as url, client(url) as api:
        with pytest.raises(CVSecError) as caught:
            await api.door_state_records()
    assert isinstance(caught.value, (ProtocolError, ApiError)), repr(caught.value)
    no_token_in(caught.value)


# -- redirects ----------------------------------------------------------------------------------------


async def test_a_redirect_to_another_host_is_not_followed_and_the_token_never_goes_there() -> None:
    elsewhere = Counter()
    async with api_server(lambda _m, _p: None, elsewhere) as other:
        moved = Reply.json(b"", status="302 Found", headers=(f"Location: {other}/api/door/allDoorState",))
        async with always(moved) as url, client(url) as api:
            with pytest.raises(HTTPStatusError) as read:
                await api.door_state_records()
            with pytest.raises(HTTPStatusError) as write:
                await api.open_door("d1", 5)
    assert elsewhere.requests == []  # the token was not carried to another host
    assert read.value.status == 302
    assert write.value.delivery is Delivery.REFUSED  # redirected away: the server did not act on it


async def test_a_redirect_loop_is_one_request_not_a_loop() -> None:
    seen = Counter()
    loop = Reply.json(b"", status="301 Moved Permanently", headers=("Location: /api/door/allDoorState",))
    async with api_server(lambda _m, _p: loop, seen) as url, client(url, attempts=3) as api:
        with pytest.raises(HTTPStatusError):
            await api.door_state_records()
    assert seen.count("allDoorState") == 1


@pytest.mark.parametrize("location", ["/login.do?redirect=%2Fapi", "https://sso.example/auth/realms/x",
                                      "/cas/signin"])
async def test_a_redirect_to_a_login_page_is_a_refused_token(location: str) -> None:
    to_login = Reply.json(b"", status="302 Found", headers=(f"Location: {location}",))
    async with always(to_login) as url, client(url) as api:
        with pytest.raises(AuthError) as caught:
            await api.door_state_records()
    assert "login page" in str(caught.value)
    assert caught.value.delivery is Delivery.REFUSED


# -- wrong content type -------------------------------------------------------------------------------

HTML_ERROR = (b"<!DOCTYPE html><html><head><title>500 Internal Server Error</title></head><body><h1>Oops</h1>"
              b"<script>alert(1)</script></body></html>")


async def test_an_html_error_page_with_200_is_a_protocol_error_that_names_the_type() -> None:
    async with always(Reply.json(HTML_ERROR, content_type="text/html; charset=utf-8")) as url, client(url) as api:
        with pytest.raises(ProtocolError) as caught:
            await api.door_state_records()
        with pytest.raises(ProtocolError) as write:
            await api.open_door("d1", 5)
    assert "text/html" in str(caught.value)
    assert "<script>" not in str(caught.value)  # the page itself is not shown
    assert write.value.delivery is Delivery.UNCERTAIN


async def test_json_labelled_as_html_is_still_read() -> None:
    """Some proxies label everything text/html: the content decides, not the label."""
    ok = envelope([{"doorId": "d1", "doorName": "Front", "connect": 1}])
    async with always(Reply.json(ok, content_type="text/html")) as url, client(url) as api:
        assert len(await api.door_state_records()) == 1


async def test_an_http_error_page_in_html_gives_the_status_not_the_page() -> None:
    page = Reply(response(HTML_ERROR, status="500 Internal Server Error", content_type="text/html"))
    async with always(page) as url, client(url, attempts=1) as api:
        with pytest.raises(HTTPStatusError) as caught:
            await api.door_state_records()
    assert caught.value.status == 500
    assert "<" not in str(caught.value)
