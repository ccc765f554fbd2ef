"""Every failure the client raises, one tree, all carrying text safe to show an operator.

::

    CVSecError                    anything the client raises
    ├── TransportError            no usable answer
    │   ├── NotSentError          the request certainly never reached the server: connection refused,
    │   │   │                     name not resolved, no connection in time (safe to send again)
    │   │   └── TLSError          the certificate was refused before anything was sent
    │   └── AnswerLostError       the request may have reached the server, its answer did not come back:
    │                             read timeout, connection dropped (never repeat a write automatically)
    ├── HTTPStatusError           an HTTP status outside 2xx (a proxy error, a 500)
    │   └── AuthError             the access token was refused: 401/403, code -40, a redirect to the login page
    ├── ProtocolError             the answer is not the API's JSON envelope (an HTML login page...)
    ├── ApiError                  the envelope says code < 0 (or ret != "ok"): the manual's error codes
    └── ModelError                the data does not fit the model the console expects

"Was it sent?" is decided here, once: :attr:`CVSecError.delivery` says, for any failure of a write,

* ``Delivery.NOT_SENT``: certainly not carried out (not sent, or a status that proves it was refused
  unseen: 503, 429). Safe to send again (the visitor outbox does).
* ``Delivery.UNCERTAIN``: it may have been carried out (answer lost, a 5xx other than 503, a 2xx answer that
  is not the API's). Never repeated automatically; the operator is told "uncertain".
* ``Delivery.REFUSED``: the server answered no (an API code, 4xx, a refused token): not carried out.

No message, ``repr`` or attribute of these carries the access token: URLs are redacted before they are stored,
and the client raises them ``from None``, so the library's own exception (whose text holds the URL) is not
chained to them.
"""

from __future__ import annotations

import enum
import json
from functools import cache

__all__ = [
    "AnswerLostError",
    "ApiError",
    "AuthError",
    "CVSecError",
    "Delivery",
    "HTTPStatusError",
    "ModelError",
    "NotSentError",
    "ProtocolError",
    "TLSError",
    "TransportError",
    "appendix_text",
]


class Delivery(enum.Enum):
    """What a failed request did on the server, as far as the console can know."""

    NOT_SENT = "not sent"  # certainly not carried out: it may be sent again
    UNCERTAIN = "uncertain"  # may have been carried out: never repeated automatically
    REFUSED = "refused"  # the server answered no: not carried out


@cache
def _appendix() -> dict[int, str]:
    from importlib import resources  # when a server's code is first explained: not at the console's start

    text = resources.files("console.api").joinpath("error_codes.json").read_text(encoding="utf-8")
    return {int(k): v for k, v in json.loads(text).items()}


def appendix_text(code: int) -> str | None:
    """The manual's appendix 3.1 text for ``code``, or None for a code the manual does not list."""
    return _appendix().get(code)


class CVSecError(Exception):
    """Base of everything the client raises."""

    @property
    def delivery(self) -> Delivery:
        """Whether the request that failed may have been carried out (see the module's docstring)."""
        return Delivery.UNCERTAIN


class TransportError(CVSecError):
    """No usable answer: connection refused, DNS failure, timeout, dropped connection.

    The client raises one of the two subclasses; this base stays for ``except`` clauses that need not know.
    The message is in an operator's words; ``detail`` keeps the library's own (redacted) for a technician.
    """

    def __init__(self, message: str, *, url: str = "", detail: str = "") -> None:
        super().__init__(message)
        self.url = url
        self.detail = detail


class NotSentError(TransportError):
    """The request never reached the server (refused connection, unknown host, no connection in time)."""

    @property
    def delivery(self) -> Delivery:
        return Delivery.NOT_SENT


class TLSError(NotSentError):
    """The TLS handshake failed, most often an untrusted (self-signed) certificate: nothing was sent.
    ``changed``: a pinned certificate was not the one the server presented."""

    def __init__(self, message: str, *, url: str = "", changed: bool = False, detail: str = "") -> None:
        super().__init__(message, url=url, detail=detail)
        self.changed = changed


class AnswerLostError(TransportError):
    """The request may have reached the server, but no complete answer came back (timeout, dropped)."""


class HTTPStatusError(CVSecError):
    def __init__(self, status: int, *, url: str = "", detail: str = "") -> None:
        text = f"HTTP {status} from the server"
        if detail:
            text += f": {detail}"
        super().__init__(text)
        self.status = status
        self.url = url

    @property
    def delivery(self) -> Delivery:
        if self.status in (429, 503):  # "too many", "unavailable": turned away before being carried out
            return Delivery.NOT_SENT
        if self.status >= 500:  # the application failed part-way, or a proxy lost its answer
            return Delivery.UNCERTAIN
        return Delivery.REFUSED


class AuthError(HTTPStatusError):
    """The server refused the access token: HTTP 401 or 403, API code -40 ("Authorize access failure") in an
    HTTP 200 answer, or a redirect to the server's login page. Waiting does not fix it: a new token does."""

    def __init__(self, status: int, *, url: str = "", detail: str = "", code: int | None = None) -> None:
        super().__init__(status, url=url, detail=detail or "the access token was refused")
        self.code = code


class ProtocolError(CVSecError):
    """The body is not the API's JSON envelope."""

    def __init__(self, message: str, *, url: str = "", content_type: str = "") -> None:
        super().__init__(message)
        self.url = url
        self.content_type = content_type


class ApiError(CVSecError):
    """The server answered with an error code (``code < 0``, or ``ret`` other than ``"ok"``)."""

    @property
    def delivery(self) -> Delivery:
        return Delivery.REFUSED

    def __init__(self, code: int, server_message: str = "", *, section: str = "") -> None:
        self.code = code
        self.server_message = server_message
        self.appendix = appendix_text(code)
        self.section = section
        super().__init__(self.text)

    @property
    def text(self) -> str:
        """What to show an operator: the server's words, else the manual's, with the code."""
        words = self.server_message or self.appendix or "error"
        return f"{words} (code {self.code})"


class ModelError(CVSecError, ValueError):
    """Data from the server that does not fit the expected model."""
