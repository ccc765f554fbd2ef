"""The CVSecurity 3rd-party API client. Plain asyncio and httpx: no Qt here (an import-linter contract).

The names are imported on first use (PEP 562): ``console.api.errors`` or ``console.api.redact`` alone load
neither httpx nor the pydantic models, so the console's window paints before the HTTP stack is imported.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

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
