"""The client core against httpx.MockTransport: envelopes, errors, retries, redaction, parameter placement."""

from __future__ import annotations

import json
import logging
import traceback
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from console.api import (
    ApiError,
    AuthError,
    Client,
    CVSecError,
    HTTPStatusError,
    ProtocolError,
    RetryPolicy,
    TransportError,
)

TOKEN = "tok-SECRET-4f9a8b7c6d5e"
BASE = "http://127.0.0.1:8098"

Handler = Callable[[httpx.Request], httpx.Response]


def ok(data: Any = None, **extra: Any) -> httpx.Response:
    return httpx.Response(200, json={"code": 0, "message": "success", "data": data, **extra})


class Recorder:
    """A MockTransport handler that answers from a script and keeps every request it saw."""

    def __init__(self, *answers: httpx.Response | Exception | Handler) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers[min(len(self.requests), len(self.answers)) - 1]
        if isinstance(answer, Exception):
            raise answer
        if callable(answer) and not isinstance(answer, httpx.Response):
            return answer(request)
        return answer

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]


def client_for(handler: Handler, attempts: int = 3) -> Client:
    return Client(
        BASE, TOKEN, transport=httpx.MockTransport(handler), retry=RetryPolicy(attempts=attempts, backoff=0.0)
    )


async def run(handler: Handler, section: str, **params: Any) -> Any:
    async with client_for(handler) as client:
        return await client.call(section, **params)


async def failure(handler: Handler, section: str, **params: Any) -> CVSecError:
    with pytest.raises(CVSecError) as info:
        await run(handler, section, **params)
    return info.value


def assert_no_token(error: BaseException) -> None:
    texts = [str(error), repr(error), *map(repr, error.args), "".join(traceback.format_exception(error))]
    texts += [str(v) for v in vars(error).values()]
    for text in texts:
        assert TOKEN not in text


# -- envelopes ---------------------------------------------------------------------------------------


async def test_code_message_data_envelope_returns_data_and_keeps_extra_keys() -> None:
    recorder = Recorder(ok([{"id": "d1"}], i18nArgs=None))
    async with client_for(recorder) as client:
        envelope = await client.call_envelope("2.12.5", pageNo=1, pageSize=20)
    assert envelope.code == 0
    assert envelope.message == "success"
    assert envelope.data == [{"id": "d1"}]
    assert envelope.extra == {"i18nArgs": None}


async def test_positive_code_counts_as_success() -> None:
    assert await run(Recorder(httpx.Response(200, json={"code": 1, "message": "ok", "data": 7})), "2.12.4", id="x") == 7


async def test_ret_envelope_ok_gives_data_and_envelope_level_paging() -> None:
    body = {"ret": "ok", "msg": "operation succeed", "data": [{"id": "e"}], "page": 1, "pageSize": 10, "total": 2}
    async with client_for(Recorder(httpx.Response(200, json=body))) as client:
        envelope = await client.call_envelope("2.19.13", pageNo=1, pageSize=10)
    assert envelope.data == [{"id": "e"}]
    assert envelope.extra["total"] == 2


async def test_ret_fail_is_an_api_error_with_the_servers_words() -> None:
    body = {"ret": "fail", "msg": "failed info", "data": None, "i18nArgs": None}
    error = await failure(Recorder(httpx.Response(200, json=body)), "2.19.15", id="x")
    assert isinstance(error, ApiError)
    assert "failed info" in str(error)


async def test_negative_code_is_an_api_error_with_code_message_and_appendix() -> None:
    body = {"code": -45, "message": "interval out of range", "data": None}
    error = await failure(Recorder(httpx.Response(200, json=body)), "2.12.8", doorId="d", interval=5)
    assert isinstance(error, ApiError)
    assert error.code == -45
    assert error.server_message == "interval out of range"
    assert error.appendix == "Door open duration between 1~254 seconds."
    assert error.section == "2.12.8"
    assert "interval out of range" in str(error)
    assert "-45" in str(error)


async def test_api_error_without_server_words_shows_the_manuals_text() -> None:
    error = await failure(Recorder(httpx.Response(200, json={"code": -47, "data": None})), "2.12.4", id="x")
    assert isinstance(error, ApiError)
    assert str(error) == "Door doesn't exist (code -47)"


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"<!DOCTYPE html><html><body>Login</body></html>", "text/html; charset=utf-8"),
        (b"", "text/plain"),
        (b"\xff\xfe\x00garbage", "application/octet-stream"),
    ],
)
async def test_a_body_that_is_not_json_is_a_protocol_error(content: bytes, content_type: str) -> None:
    response = httpx.Response(200, content=content, headers={"content-type": content_type})
    error = await failure(Recorder(response), "2.12.1", timestamp=1)
    assert isinstance(error, ProtocolError)
    assert content_type.split(";")[0] in str(error)


@pytest.mark.parametrize("payload", [[1, 2], "text", {"data": []}, {"code": "abc"}, {"code": 1e400}])
async def test_json_that_is_not_the_envelope_is_a_protocol_error(payload: Any) -> None:
    body = json.dumps(payload).replace("Infinity", "1e400").encode()
    response = httpx.Response(200, content=body, headers={"content-type": "application/json"})
    error = await failure(Recorder(response), "2.12.1", timestamp=1)
    assert isinstance(error, ProtocolError)


# -- HTTP status, retries -----------------------------------------------------------------------------


@pytest.mark.parametrize("status", [401, 403])
async def test_refused_token_is_an_auth_error(status: int) -> None:
    recorder = Recorder(httpx.Response(status, json={"code": -1, "message": "token expired"}))
    error = await failure(recorder, "2.12.1", timestamp=1)
    assert isinstance(error, AuthError)
    assert error.status == status
    assert len(recorder.requests) == 1  # a refused token is not retried


async def test_server_error_on_a_read_is_retried_a_bounded_number_of_times() -> None:
    recorder = Recorder(httpx.Response(500, text="boom"))
    error = await failure(recorder, "2.12.5", pageNo=1, pageSize=10)
    assert isinstance(error, HTTPStatusError)
    assert error.status == 500
    assert len(recorder.requests) == 3


async def test_a_read_succeeds_when_a_retry_does() -> None:
    recorder = Recorder(httpx.Response(502), httpx.Response(503), ok([{"id": "1"}]))
    assert await run(recorder, "2.12.5", pageNo=1, pageSize=10) == [{"id": "1"}]
    assert len(recorder.requests) == 3


@pytest.mark.parametrize(("section", "params"), [("2.12.8", {"doorId": "d", "interval": 5}), ("2.14.2", {"pin": "7"})])
async def test_server_error_on_a_write_is_never_retried(section: str, params: dict[str, Any]) -> None:
    recorder = Recorder(httpx.Response(500), ok())
    error = await failure(recorder, section, **params)
    assert isinstance(error, HTTPStatusError)
    assert len(recorder.requests) == 1


async def test_connect_error_on_a_read_is_retried_then_a_transport_error() -> None:
    recorder = Recorder(httpx.ConnectError("connection refused"))
    error = await failure(recorder, "2.12.5", pageNo=1, pageSize=10)
    assert isinstance(error, TransportError)
    assert "cannot reach the server" in str(error)
    assert len(recorder.requests) == 3


async def test_connect_error_on_a_write_sends_it_once() -> None:
    recorder = Recorder(httpx.ConnectError("connection refused"), ok())
    error = await failure(recorder, "2.12.8", doorId="d", interval=5)
    assert isinstance(error, TransportError)
    assert len(recorder.requests) == 1


async def test_a_timeout_is_a_transport_error_that_says_so() -> None:
    recorder = Recorder(httpx.ReadTimeout("read timed out"))
    error = await failure(recorder, "2.12.4", id="x")
    assert isinstance(error, TransportError)
    assert "did not answer in time" in str(error)


# -- the token stays secret --------------------------------------------------------------------------


def _echo_url(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"code": -22, "message": f"no person for {request.url}", "data": None})


def _raise_with_url(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError(f"failed to connect to {request.url}", request=request)


@pytest.mark.parametrize(
    "answer",
    [
        httpx.Response(401, json={"message": f"token {TOKEN} expired"}),
        httpx.Response(500, json={"message": f"error at /api?access_token={TOKEN}"}),
        httpx.Response(404, text="not found"),
        httpx.Response(200, text="<html>login</html>", headers={"content-type": "text/html"}),
        httpx.Response(200, json={"code": -22, "message": f"bad token {TOKEN}"}),
        httpx.Response(200, json={"ret": "fail", "msg": f"access_token={TOKEN} refused"}),
        _echo_url,
        _raise_with_url,
        httpx.ReadTimeout("timeout"),
    ],
    ids=["401", "500", "404", "html", "api-error", "ret-fail", "url-echo", "connect-error", "timeout"],
)
async def test_no_error_carries_the_token(answer: Any) -> None:
    error = await failure(Recorder(answer), "2.14.4", pin="1")
    assert_no_token(error)


async def test_the_token_is_sent_as_access_token_but_never_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="httpx")
    caplog.set_level(logging.DEBUG, logger="httpcore")
    recorder = Recorder(ok([]), httpx.Response(500), httpx.ConnectError(f"refused {BASE}?access_token={TOKEN}"))
    async with client_for(recorder) as client:
        await client.call("2.12.1", timestamp=1)
        with pytest.raises(TransportError):
            await client.call("2.12.5", pageNo=1, pageSize=10)
    assert recorder.requests[0].url.params["access_token"] == TOKEN
    assert any(r.name == "httpx" for r in caplog.records), "the httpx logger was not captured"
    assert any("access_token=***" in r.getMessage() for r in caplog.records)
    for record in caplog.records:
        assert TOKEN not in record.getMessage()
    assert TOKEN not in caplog.text


def test_client_repr_has_no_token() -> None:
    client = client_for(Recorder(ok()))
    assert TOKEN not in repr(client)
    assert TOKEN not in str(client)


def test_a_url_without_scheme_is_refused() -> None:
    with pytest.raises(ValueError, match="http"):
        Client("127.0.0.1:8098", TOKEN)


# -- where each keyword goes ------------------------------------------------------------------------


async def test_path_placeholder_is_filled_and_escaped() -> None:
    recorder = Recorder(ok({"pin": "a/b c"}))
    await run(recorder, "2.14.4", pin="a/b c")
    assert recorder.last.url.raw_path.decode().split("?")[0] == "/api/person/get/a%2Fb%20c"
    assert recorder.last.method == "GET"


async def test_query_parameters_go_in_the_query_and_a_write_has_no_body() -> None:
    recorder = Recorder(ok())
    await run(recorder, "2.12.8", doorId="402856aa", interval=5)
    request = recorder.last
    assert request.method == "POST"
    assert request.url.path == "/api/door/remoteOpenById"
    assert dict(request.url.params) == {"doorId": "402856aa", "interval": "5", "access_token": TOKEN}
    assert request.content == b""


async def test_none_values_are_left_out() -> None:
    recorder = Recorder(ok([]))
    await run(recorder, "2.19.5", pageNo=1, pageSize=10, personPin=None, startDate=None)
    assert set(recorder.last.url.params) == {"pageNo", "pageSize", "access_token"}


async def test_body_fields_go_in_a_json_body() -> None:
    recorder = Recorder(ok())
    await run(recorder, "2.14.1", pin="1234", name="Ann", gender="F")
    request = recorder.last
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == {"pin": "1234", "name": "Ann", "gender": "F"}
    assert dict(request.url.params) == {"access_token": TOKEN}


async def test_a_parameter_printed_in_query_and_body_goes_in_both() -> None:
    recorder = Recorder(ok("2#QR"))
    assert await run(recorder, "2.14.8", pin="123") == "2#QR"
    assert recorder.last.url.params["pin"] == "123"
    assert json.loads(recorder.last.content) == {"pin": "123"}


async def test_an_explicit_body_is_sent_as_is() -> None:
    recorder = Recorder(ok())
    await run(recorder, "2.6.1", body={"code": "7", "name": "Sales", "parentCode": "1"})
    assert json.loads(recorder.last.content) == {"code": "7", "name": "Sales", "parentCode": "1"}


async def test_array_body_is_a_json_array() -> None:
    recorder = Recorder(ok())
    levels = [{"areaName": "A", "name": "L1", "timeSegName": "T"}, {"areaName": "B", "name": "L2", "timeSegName": "T"}]
    await run(recorder, "2.1.10", body=levels)
    assert json.loads(recorder.last.content) == levels


async def test_array_endpoint_refuses_keywords_for_its_items() -> None:
    with pytest.raises(TypeError):
        await run(Recorder(ok()), "2.1.10", name="L1")


async def test_form_fields_and_files_go_in_a_multipart_body() -> None:
    recorder = Recorder(ok())
    await run(recorder, "2.7.1", mediaName="Lobby", files={"file": ("a.png", b"\x89PNG-bytes", "image/png")})
    request = recorder.last
    assert request.headers["content-type"].startswith("multipart/form-data")
    body = request.content
    assert b'name="mediaName"' in body
    assert b"Lobby" in body
    assert b'filename="a.png"' in body
    assert b"\x89PNG-bytes" in body


async def test_missing_path_value_is_refused_before_sending() -> None:
    recorder = Recorder(ok())
    with pytest.raises(TypeError, match="pin"):
        await run(recorder, "2.14.4")
    assert recorder.requests == []


def test_the_token_is_masked_in_any_letter_case() -> None:
    from console.api.redact import redact_text

    token = "Tok-9f8E7d6C"
    text = f"echo: {token.upper()} and {token.lower()} and access_token={token}&x=1"
    masked = redact_text(text, token)
    assert token.lower() not in masked.lower()
    assert masked.count("***") == 3


def test_a_plain_http_client_reads_no_ca_bundle_and_would_refuse_any_certificate() -> None:
    """http:// servers (the demo simulator, many sites' LAN servers) skip reading the system's CA bundle at
    start-up (issue 15); the TLS context they hold instead verifies and trusts nothing: it fails closed."""
    import ssl

    from console.api.client import _no_tls_context

    context = _no_tls_context()
    assert context.verify_mode is ssl.CERT_REQUIRED
    assert context.check_hostname
    assert context.cert_store_stats()["x509_ca"] == 0
