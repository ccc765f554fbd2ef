"""Every failure the client raises, one tree, all carrying text safe to show an operator.

::

    CVSecError                    anything the client raises
    ├── TransportError            the server could not be reached or did not answer in time
    │   └── TLSError              the certificate was refused (self-signed? wrong CA file?)
    ├── HTTPStatusError           an HTTP status outside 2xx (a proxy error, a 500)
    │   └── AuthError             401/403: the access token was refused
    ├── ProtocolError             the answer is not the API's JSON envelope (an HTML login page...)
    ├── ApiError                  the envelope says code < 0 (or ret != "ok"): the manual's error codes
    └── ModelError                the data does not fit the model the console expects

No message, ``repr`` or attribute of these carries the access token: URLs are redacted before they are stored.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

__all__ = [
    "ApiError",
    "AuthError",
    "CVSecError",
    "HTTPStatusError",
    "ModelError",
    "ProtocolError",
    "TLSError",
    "TransportError",
    "appendix_text",
]


@cache
def _appendix() -> dict[int, str]:
    text = resources.files("console.api").joinpath("error_codes.json").read_text(encoding="utf-8")
    return {int(k): v for k, v in json.loads(text).items()}


def appendix_text(code: int) -> str | None:
    """The manual's appendix 3.1 text for ``code``, or None for a code the manual does not list."""
    return _appendix().get(code)


class CVSecError(Exception):
    """Base of everything the client raises."""


class TransportError(CVSecError):
    """No usable answer: connection refused, DNS failure, timeout, dropped connection."""

    def __init__(self, message: str, *, url: str = "") -> None:
        super().__init__(message)
        self.url = url


class TLSError(TransportError):
    """The TLS handshake failed, most often an untrusted (self-signed) certificate."""


class HTTPStatusError(CVSecError):
    def __init__(self, status: int, *, url: str = "", detail: str = "") -> None:
        text = f"HTTP {status} from the server"
        if detail:
            text += f": {detail}"
        super().__init__(text)
        self.status = status
        self.url = url


class AuthError(HTTPStatusError):
    """The server refused the access token (HTTP 401 or 403)."""

    def __init__(self, status: int, *, url: str = "", detail: str = "") -> None:
        super().__init__(status, url=url, detail=detail or "the access token was refused")


class ProtocolError(CVSecError):
    """The body is not the API's JSON envelope."""

    def __init__(self, message: str, *, url: str = "", content_type: str = "") -> None:
        super().__init__(message)
        self.url = url
        self.content_type = content_type


class ApiError(CVSecError):
    """The server answered with an error code (``code < 0``, or ``ret`` other than ``"ok"``)."""

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
