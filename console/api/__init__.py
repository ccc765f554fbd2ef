"""The CVSecurity 3rd-party API client. Plain asyncio and httpx: no Qt here (an import-linter contract)."""

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
