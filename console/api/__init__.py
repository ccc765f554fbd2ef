"""The CVSecurity 3rd-party API client. Plain asyncio and httpx: no Qt here (an import-linter contract)."""

from .client import Client, Envelope, RetryPolicy
from .endpoints import ENDPOINTS, Endpoint
from .errors import (
    ApiError,
    AuthError,
    CVSecError,
    HTTPStatusError,
    ModelError,
    ProtocolError,
    TLSError,
    TransportError,
)
from .paging import Page, PagingError, iterate_pages
from .typed import EndpointUnavailable

__all__ = [
    "ENDPOINTS",
    "ApiError",
    "AuthError",
    "CVSecError",
    "Client",
    "Endpoint",
    "EndpointUnavailable",
    "Envelope",
    "HTTPStatusError",
    "ModelError",
    "Page",
    "PagingError",
    "ProtocolError",
    "RetryPolicy",
    "TLSError",
    "TransportError",
    "iterate_pages",
]
