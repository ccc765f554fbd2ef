"""The async client: one ``httpx.AsyncClient`` per server, the envelope parsed in one place.

``Client.call(section, **params)`` reaches any endpoint of the manual by its section number, placing each
keyword where the manual puts it (path placeholder, query string, JSON body or multipart form). Reads (GET)
are retried a bounded number of times on connection failures and 5xx answers; writes (POST, DELETE) are
sent exactly once, whatever happens: a remote door open must never fire twice.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
import ssl
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx

from . import endpoints
from .endpoints import Endpoint
from .errors import (
    AnswerLostError,
    ApiError,
    AuthError,
    CVSecError,
    HTTPStatusError,
    NotSentError,
    ProtocolError,
    TLSError,
    TransportError,
)
from .redact import RedactingFilter, redact_text
from .tls import pinned_context
from .typed import TypedCalls

__all__ = ["DEFAULT_TIMEOUT", "MAX_BODY_BYTES", "MAX_JSON_VALUES", "PHOTO_BODY_BYTES", "Client", "Deadlines",
           "Envelope", "RetryPolicy", "body_cap"]

log = logging.getLogger(__name__)

# httpx logs every request URL at INFO, token included; keep it quiet and masked whatever the app does.
for _name in ("httpx", "httpcore"):
    _lib_log = logging.getLogger(_name)
    _lib_log.setLevel(logging.WARNING)
    _lib_log.addFilter(RedactingFilter())

TOKEN_REFUSED = -40  # "Authorize access failure"
_LOGIN = re.compile(r"login|signin|sign-in|auth", re.IGNORECASE)
DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=20.0, write=20.0, pool=10.0)
MAX_BODY_BYTES = 16 * 1024 * 1024  # an answer larger than this is refused while it is read (memory stays bounded)
# JSON values (roughly: commas and brackets) one answer may hold; the largest real answers (2,000 door states, a
# page of 1,000 events or persons) hold under 100,000. Beyond it an answer is refused before it is parsed.
MAX_JSON_VALUES = 400_000
_UNREADABLE = object()
# Answers that carry photos (events with their capture photo, persons with theirs) may be larger.
PHOTO_BODY_BYTES = 64 * 1024 * 1024
_PHOTO_SECTIONS = ("2.19.", "2.35.", "2.27.", "2.20.", "2.21.", "2.41.7", "2.41.8", "2.14.5", "2.14.6",
                   "2.14.12", "2.18.6")


def body_cap(section: str) -> int:
    """The largest answer accepted for ``section`` (``console/api/README.md``, "Limits")."""
    return PHOTO_BODY_BYTES if section.startswith(_PHOTO_SECTIONS) else MAX_BODY_BYTES


@dataclass(frozen=True, slots=True)
class Deadlines:
    """The longest a whole call may take, retries and route spellings included, whatever the server does
    (a server that trickles a byte a second, or accepts and says nothing). A read past its deadline fails; a
    write past its deadline is reported uncertain (it may have been carried out)."""

    read: float = 15.0
    write: float = 20.0


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Retries for idempotent reads only."""

    attempts: int = 3  # total tries of a GET, the first included
    backoff: float = 0.3  # seconds before the second try, doubled after each
    max_backoff: float = 4.0


@dataclass(frozen=True, slots=True)
class Envelope:
    """A parsed answer: ``code``/``message``/``data`` plus any other top-level keys (2.19.13 pages there)."""

    code: int
    message: str
    data: Any
    extra: Mapping[str, Any] = field(default_factory=dict)


def _stringify(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple, set, frozenset)):
        return ",".join(_stringify(v) for v in value)
    return str(value)


class Client(TypedCalls):
    """Speaks the CVSecurity 3rd-party API of one server.

    ``Client(base_url, token)``; use as ``async with`` or call :meth:`aclose`. ``ca_file`` trusts a custom
    CA (or a pinned self-signed certificate); ``verify=False`` turns verification off (never the default).
    ``transport`` lets tests drive the simulator in-process (``httpx.ASGITransport``).
    """

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        verify: bool = True,
        ca_file: str | None = None,
        pinned_cert: str | None = None,
        max_connections: int = 8,
        retry: RetryPolicy = RetryPolicy(),
        deadlines: Deadlines = Deadlines(),
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        base = base_url.strip().rstrip("/")
        if not base.startswith(("http://", "https://")):
            raise ValueError("the server URL must start with http:// or https://")
        self.base_url = base
        self._token = token
        self._retry = retry
        self._deadlines = deadlines
        self._pinned = bool(pinned_cert)
        ssl_verify: ssl.SSLContext | bool
        if pinned_cert:  # trust on first use: exactly this certificate (console.api.tls)
            ssl_verify = pinned_context(pinned_cert)
        elif ca_file:
            ssl_verify = _ca_context(ca_file)  # TLSError naming the file (a missing or unreadable one)
        elif verify and base.startswith("http://"):
            ssl_verify = _no_tls_context()  # plain HTTP: never used (no redirects are followed), not worth the
            # ~20 ms of reading the system's CA bundle at start-up
        else:
            ssl_verify = verify
        if transport is None:
            # retries=0: no silent re-send of a write after a half-open connection.
            transport = httpx.AsyncHTTPTransport(
                verify=ssl_verify,
                retries=0,
                limits=httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections),
            )
        self._http = httpx.AsyncClient(
            base_url=base,
            timeout=timeout,
            transport=transport,
            follow_redirects=False,
            headers={"Accept": "application/json", "User-Agent": "cvsecurity-console"},
        )
        self._closed = False
        self._spelling: dict[str, str] = {}  # section -> the route spelling this server answered (404 fallback)

    def __repr__(self) -> str:
        return f"<Client {self.base_url}>"

    @property
    def closed(self) -> bool:
        return self._closed

    def set_token(self, token: str) -> None:
        """Send ``token`` from the next request on (the server refused the previous one)."""
        if not token or not token.strip():
            raise ValueError("the access token is empty")
        self._token = token.strip()

    async def aclose(self) -> None:
        """Close the connection pool; calling it again does nothing."""
        if not self._closed:
            self._closed = True
            await self._http.aclose()

    async def __aenter__(self) -> Client:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- the generic call -------------------------------------------------------------------------

    async def call(
        self,
        section: str,
        /,
        body: Any = None,
        files: Mapping[str, Any] | None = None,
        **params: Any,
    ) -> Any:
        """Call the endpoint of manual section ``section`` and return the envelope's ``data``."""
        return (await self.call_envelope(section, body=body, files=files, **params)).data

    async def call_envelope(
        self,
        section: str,
        /,
        body: Any = None,
        files: Mapping[str, Any] | None = None,
        **params: Any,
    ) -> Envelope:
        ep = endpoints.get(section)
        budget = self._deadlines.write if ep.is_write else self._deadlines.read
        try:
            async with asyncio.timeout(budget):
                return await self._call(ep, body, files, params)
        except TimeoutError:
            url = self._safe(f"{self.base_url}{ep.path}")
            log.info("%s %s: no complete answer within %.0f s", ep.method, url, budget)
            lost = AnswerLostError(f"the server gave no complete answer within {budget:.0f} s", url=url)
        except CVSecError as exc:
            _unchain(exc)  # whatever raised it: no library exception (its text may hold the URL) hangs off ours
            raise
        raise lost  # outside the except block: the TimeoutError (and what it cancelled) is not its __context__

    async def _call(self, ep: Endpoint, body: Any, files: Mapping[str, Any] | None, params: Mapping[str, Any]
                    ) -> Envelope:
        paths = self._spellings(ep)
        for i, path in enumerate(paths):
            request = self._build(ep, body, files, params, path=path)
            response = await self._send(ep, request)
            if response.status_code == 404 and i + 1 < len(paths):
                # this server does not know the spelling: a 404 proves nothing was done, try the next one
                log.info("%s: %s answered 404, trying %s", ep.section, path, paths[i + 1])
                continue
            if i and 200 <= response.status_code < 300:
                self._spelling[ep.section] = path  # remembered: the next call goes straight there
            return self._parse(ep, response)
        raise AssertionError("unreachable")  # pragma: no cover

    def _spellings(self, ep: Endpoint) -> tuple[str, ...]:
        """The route spellings to try for ``ep``: the one this server answered last, else the catalog's order."""
        known = self._spelling.get(ep.section)
        if not ep.alt_paths:
            return (ep.path,)
        ordered = (ep.path, *ep.alt_paths)
        return (known, *(p for p in ordered if p != known)) if known else ordered

    # -- request building ------------------------------------------------------------------------

    def _build(
        self, ep: Endpoint, body: Any, files: Mapping[str, Any] | None, params: Mapping[str, Any], *,
        path: str | None = None,
    ) -> httpx.Request:
        path = path or ep.path
        query: dict[str, str] = {}
        json_body: Any = None
        form: dict[str, str] = {}
        if body is not None:
            if ep.body_kind is None:
                raise TypeError(f"{ep.section} takes no request body")
            if ep.body_is_array and not isinstance(body, Sequence | list):
                raise TypeError(f"{ep.section} takes a JSON array as body=[...]")
            json_body = list(body) if ep.body_is_array else dict(body)
        placeholders = ep.placeholders
        for name, value in params.items():
            if value is None:
                continue
            placed = False
            if name in placeholders:
                path = path.replace("{" + name + "}", quote(_stringify(value), safe=""))
                placed = True
            in_body = name in ep.body_names
            if name in ep.query_names or (not in_body and not placed and ep.body_kind is None):
                query[name] = _stringify(value)
                placed = True
            if in_body or (not placed and ep.body_kind is not None):
                if ep.body_kind == "form":
                    form[name] = _stringify(value)
                else:
                    if json_body is None:
                        json_body = [] if ep.body_is_array else {}
                    if not isinstance(json_body, dict):
                        raise TypeError(f"{ep.section}: pass array items in body=[...], not as keywords")
                    json_body[name] = value
        missing = [p for p in placeholders if "{" + p + "}" in path]
        if missing:
            raise TypeError(f"{ep.section} needs {', '.join(missing)} for its URL")
        if ep.body_kind == "json" and json_body is None and ep.method != "GET":
            json_body = [] if ep.body_is_array else {}
        query["access_token"] = self._token
        kwargs: dict[str, Any] = {"params": query}
        if ep.body_kind == "form" or files:
            kwargs["data"] = form
            if files:
                kwargs["files"] = dict(files)
        elif json_body is not None:
            kwargs["content"] = json.dumps(json_body, ensure_ascii=False).encode("utf-8")
            kwargs["headers"] = {"Content-Type": "application/json"}
        return self._http.build_request(ep.method, path, **kwargs)

    # -- sending ---------------------------------------------------------------------------------

    def _safe(self, text: str) -> str:
        return redact_text(text, self._token)

    async def _send(self, ep: Endpoint, request: httpx.Request) -> httpx.Response:
        url = self._safe(str(request.url))
        attempts = 1 if ep.is_write else max(1, self._retry.attempts)
        delay = self._retry.backoff
        for attempt in range(1, attempts + 1):
            started = time.monotonic()
            error: TransportError | None = None
            try:  # (an answer too large raises ProtocolError here: read no further, and never ask again)
                response = await self._receive(request, body_cap(ep.section), url)
            except httpx.HTTPError as exc:
                error = self._transport_error(exc, url)
            if error is not None:
                # raised outside the except block: the library's exception (its text holds the URL with the
                # token) is not chained to ours, not even as __context__
                log.info("%s %s failed (try %d/%d): %s", ep.method, url, attempt, attempts, error)
                if attempt >= attempts:
                    raise error
            else:
                elapsed = (time.monotonic() - started) * 1000
                log.debug("%s %s -> %d in %.0f ms", ep.method, url, response.status_code, elapsed)
                if response.status_code < 500 or attempt >= attempts:
                    return response
                log.info("%s %s answered %d (try %d/%d)", ep.method, url, response.status_code, attempt, attempts)
            await asyncio.sleep(min(delay, self._retry.max_backoff) * (0.5 + random.random()))
            delay *= 2
        raise AssertionError("unreachable")  # pragma: no cover

    async def _receive(self, request: httpx.Request, cap: int, url: str) -> httpx.Response:
        """Send ``request`` and read its answer, stopping at ``cap`` bytes (the answer is refused, not read on:
        a 1 GB answer costs ``cap`` of memory, not a gigabyte)."""
        response = await self._http.send(request, stream=True)
        try:
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > cap:
                raise ProtocolError(f"the answer is larger than the console accepts ({int(declared):,} bytes)",
                                    url=url)
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > cap:
                    raise ProtocolError(f"the answer is larger than the console accepts (over {cap:,} bytes)",
                                        url=url)
                chunks.append(chunk)
        finally:
            await response.aclose()
        headers = [(k, v) for k, v in response.headers.multi_items()
                   if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")]
        return httpx.Response(response.status_code, headers=headers, content=b"".join(chunks), request=request)

    def _transport_error(self, exc: httpx.HTTPError, url: str) -> TransportError:
        """The library's failure as ours, deciding once whether the request may have reached the server.

        Not sent: no connection could be made (refused, unknown host, connect or pool timeout, TLS refused,
        a request the library would not build). Answer lost: anything after the connection was up (read or
        write timeout, connection dropped, a broken answer), because the server may have acted on it.
        """
        detail = self._safe(str(exc)) or type(exc).__name__
        cause: BaseException | None = exc
        while cause is not None:
            if isinstance(cause, ssl.SSLError):
                reason = getattr(cause, "reason", None) or cause.__class__.__name__
                if self._pinned:
                    return TLSError(f"the server's certificate is not the one pinned for this connection ({reason}): "
                                    "it has changed; compare the new fingerprint with the server's before trusting "
                                    "it", url=url, changed=True)
                return TLSError(f"the server's certificate was refused ({reason}); trust its CA file, pin it, "
                                "or check the URL", url=url)
            cause = cause.__cause__ or cause.__context__
        if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
            return NotSentError(f"the server could not be reached in time ({type(exc).__name__})", url=url)
        if isinstance(exc, httpx.ConnectError):
            return NotSentError(f"cannot reach the server: {_plain_words(detail, connect=True)}", url=url,
                                detail=detail)
        if isinstance(exc, httpx.UnsupportedProtocol | httpx.LocalProtocolError):
            return NotSentError(f"the request could not be made: {detail}", url=url)
        if isinstance(exc, httpx.TimeoutException):
            return AnswerLostError(f"the server did not answer in time ({type(exc).__name__})", url=url)
        return AnswerLostError(_plain_words(detail), url=url, detail=detail)

    # -- parsing ---------------------------------------------------------------------------------

    def _parse(self, ep: Endpoint, response: httpx.Response) -> Envelope:
        url = self._safe(str(response.request.url))
        status = response.status_code
        if status in (401, 403):
            raise AuthError(status, url=url, detail=self._server_words(response))
        if 300 <= status < 400 and _LOGIN.search(response.headers.get("location", "")):
            # a real server sends a refused token to its login page (follow_redirects is off)
            raise AuthError(status, url=url, detail="the server sent the request to its login page")
        if not 200 <= status < 300:
            raise HTTPStatusError(status, url=url, detail=self._server_words(response))
        content_type = response.headers.get("content-type", "")
        values = _json_values(response.content)
        if values > MAX_JSON_VALUES:  # 16 MB of "{}," would be 5 million objects, 400 MB and seconds of parsing
            raise ProtocolError(f"the answer holds too many values ({values:,}; the console accepts "
                                f"{MAX_JSON_VALUES:,})", url=url, content_type=content_type)
        try:
            payload = json.loads(response.content)
        except (ValueError, UnicodeDecodeError, RecursionError):
            payload = _UNREADABLE  # raised below, outside this block: the decoder's error (which keeps the
            # whole answer as its .doc) is not chained to ours
        if payload is _UNREADABLE:
            kind = content_type.split(";")[0].strip() or "an unknown type"
            raise ProtocolError(
                f"the server answered with {kind}, not the API's JSON (is this the CVSecurity API address?)",
                url=url,
                content_type=content_type,
            )
        if not isinstance(payload, dict):
            raise ProtocolError("the answer is JSON but not the API's {code, message, data} envelope", url=url)
        return self._envelope(ep, payload, url)

    def _envelope(self, ep: Endpoint, payload: dict[str, Any], url: str) -> Envelope:
        if "code" in payload:
            try:
                code = int(payload["code"])
            except (TypeError, ValueError, OverflowError):
                raise ProtocolError("the answer's code is not a number", url=url) from None
            message = self._safe(_text(payload.get("message", payload.get("msg", ""))))
            extra = {k: v for k, v in payload.items() if k not in ("code", "message", "msg", "data")}
            if code == TOKEN_REFUSED:  # real servers answer a bad token with HTTP 200 and -40
                raise AuthError(200, url=url, detail=f"{message or 'Authorize access failure'} (code {code})",
                                code=code)
            if code < 0:  # success is 0 (the manual's "more than 0" also counts as success)
                raise ApiError(code, message, section=ep.section)
            return Envelope(code, message, payload.get("data"), extra)
        if "ret" in payload:  # 2.19.13-2.19.15: {ret: ok/fail, msg, data, ...}
            ret = _text(payload.get("ret"))
            message = self._safe(_text(payload.get("msg", payload.get("message", ""))))
            extra = {k: v for k, v in payload.items() if k not in ("ret", "msg", "message", "data")}
            if ret.lower() != "ok":
                raise ApiError(_int_or(payload.get("code"), -1), message or f"ret={ret}", section=ep.section)
            return Envelope(0, message, payload.get("data"), extra)
        raise ProtocolError("the answer is JSON but has neither 'code' nor 'ret'", url=url)

    def _server_words(self, response: httpx.Response) -> str:
        try:
            payload = response.json()
        except (ValueError, UnicodeDecodeError, RecursionError):
            return ""
        if isinstance(payload, dict):
            return self._safe(_text(payload.get("message") or payload.get("msg") or ""))[:300]
        return ""


_LIBRARY_WORDS = (  # what httpx/httpcore/the OS say -> what an operator reads (the original stays in .detail)
    ("peer closed connection without sending complete message body", "the server closed the connection before "
     "its answer was complete"),
    ("server disconnected without sending a response", "the server closed the connection without answering"),
    ("connection reset by peer", "the server reset the connection"),
    ("all connection attempts failed", "the server refused the connection"),
    ("connection refused", "the server refused the connection"),
    ("name or service not known", "the server's name is not known here (check the address)"),
    ("temporary failure in name resolution", "the server's name could not be looked up (network or DNS)"),
    ("no route to host", "there is no network route to the server"),
    ("network is unreachable", "the network is unreachable"),
)


def _unchain(exc: BaseException) -> None:
    """Cut ``exc`` off every exception it was raised from or during (they may quote the request's URL)."""
    exc.__cause__ = None
    exc.__context__ = None
    exc.__suppress_context__ = True


def _no_tls_context() -> ssl.SSLContext:
    """A context for a client of a plain-HTTP server: verifying (hostname, certificate) but trusting no CA, so
    that TLS through it, were it ever attempted, fails closed instead of going unverified."""
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def _ca_context(ca_file: str) -> ssl.SSLContext:
    """A TLS context trusting the CA (or certificate) in ``ca_file``; :class:`TLSError` naming the file when it is
    missing, unreadable or not a certificate (raised outside the ``except``: nothing hangs off it)."""
    problem = ""
    try:
        return ssl.create_default_context(cafile=ca_file)
    except FileNotFoundError:
        problem = f"the CA file {ca_file} does not exist"
    except IsADirectoryError:
        problem = f"the CA file {ca_file} is a folder, not a file"
    except PermissionError:
        problem = f"the CA file {ca_file} cannot be read by this user"
    except ssl.SSLError as exc:
        problem = f"the CA file {ca_file} holds no certificate the console can read ({exc.reason or exc})"
    except OSError as exc:
        problem = f"the CA file {ca_file} cannot be read ({exc.strerror or type(exc).__name__})"
    raise TLSError(f"{problem}: check the connection's CA file (nothing was sent)")


def _plain_words(detail: str, *, connect: bool = False) -> str:
    """A library's failure message in words an operator understands."""
    low = detail.lower()
    for needle, words in _LIBRARY_WORDS:
        if needle in low:
            return words
    return detail if connect else f"the connection failed before the answer came ({detail})"


def _json_values(content: bytes) -> int:
    """An upper bound of the JSON values in ``content`` (every value but the first follows a comma or opens
    a container), counted without parsing: a few milliseconds for 16 MB."""
    return content.count(b",") + content.count(b"[") + content.count(b"{")


def _text(value: Any) -> str:
    """Server text for a message: scalars only (a hostile nested value is not rendered), at most 1000 chars."""
    if value is None or not isinstance(value, (str, int, float, bool)):
        return ""
    return (value if isinstance(value, str) else str(value))[:1000]


def _int_or(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return default
