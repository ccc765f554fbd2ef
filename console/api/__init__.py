"""The CVSecurity 3rd-party API client. Plain asyncio and httpx: no Qt here (an import-linter contract).

The names are imported on first use (PEP 562): ``console.api.errors`` or ``console.api.redact`` alone load
neither httpx nor the pydantic models, so the console's window paints before the HTTP stack is imported.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any


def _without_httpx_cli() -> None:
    """httpx imports its command-line client (``httpx._main``: click, rich, pygments) whenever those happen to be
    installed, as in the development venv (import-linter needs them): ~60 ms of CPU at every connection's first
    import and at every simulator start, for a tool the console never runs. A stand-in takes its place, so this
    venv starts as the bundle does (it has none of them). Before httpx is imported, or never."""
    if "httpx" in sys.modules or "httpx._main" in sys.modules:
        return
    cli = types.ModuleType("httpx._main", "httpx's command-line client: not loaded by the console")

    def main() -> None:
        raise SystemExit("httpx's command-line client is not part of the console: run `python -m httpx` alone")

    cli.main = main  # type: ignore[attr-defined]
    sys.modules["httpx._main"] = cli


_without_httpx_cli()

if TYPE_CHECKING:
    from .client import Client, Envelope, RetryPolicy
    from .endpoints import ENDPOINTS, Endpoint
    from .errors import (
        AnswerLostError,
        ApiError,
        AuthError,
        CVSecError,
        Delivery,
        HTTPStatusError,
        ModelError,
        NotSentError,
        ProtocolError,
        TLSError,
        TransportError,
    )
    from .paging import Page, PagingError, iterate_pages
    from .typed import EndpointUnavailable

__all__ = [
    "ENDPOINTS",
    "AnswerLostError",
    "ApiError",
    "AuthError",
    "CVSecError",
    "Client",
    "Delivery",
    "Endpoint",
    "EndpointUnavailable",
    "Envelope",
    "HTTPStatusError",
    "ModelError",
    "NotSentError",
    "Page",
    "PagingError",
    "ProtocolError",
    "RetryPolicy",
    "TLSError",
    "TransportError",
    "iterate_pages",
]

_WHERE = {
    "Client": ".client", "Envelope": ".client", "RetryPolicy": ".client",
    "ENDPOINTS": ".endpoints", "Endpoint": ".endpoints",
    "AnswerLostError": ".errors", "ApiError": ".errors", "AuthError": ".errors", "CVSecError": ".errors",
    "Delivery": ".errors", "HTTPStatusError": ".errors", "ModelError": ".errors", "NotSentError": ".errors",
    "ProtocolError": ".errors", "TLSError": ".errors", "TransportError": ".errors",
    "Page": ".paging", "PagingError": ".paging", "iterate_pages": ".paging",
    "EndpointUnavailable": ".typed",
}


def __getattr__(name: str) -> Any:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(where, __name__), name)
    globals()[name] = value
    return value
