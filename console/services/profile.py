"""A connection profile: a server the console can connect to, its address checked, its TLS settings. Light: the
settings (read before the window's first paint) hold a list of them; the session (``console.services.session``)
comes with the connection."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from console.api import Client

__all__ = ["DEFAULT_POLL_INTERVAL", "MAX_POLL_INTERVAL", "MIN_POLL_INTERVAL", "Profile"]

DEFAULT_POLL_INTERVAL = 10.0  # the manual's advice for door/allDoorState
MIN_POLL_INTERVAL = 0.1
MAX_POLL_INTERVAL = 3600.0


@dataclass(frozen=True)
class Profile:
    """A server the console can connect to. The token is never part of it (it lives in the keyring)."""

    name: str
    url: str
    verify_tls: bool = True
    ca_file: str | None = None
    poll_interval: float = DEFAULT_POLL_INTERVAL
    pinned_cert: str = ""  # PEM of the certificate trusted on first use (console.api.tls); public, not a secret

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ValueError("a profile needs a name")
        parts = urlsplit(self.url.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("the server URL must look like https://host:port")
        try:
            port = parts.port
        except ValueError:  # "99999", "-1", "http": out of range or not a number
            port = 0
        if port is not None and not 1 <= port <= 65535:
            raise ValueError("the port in the server URL must be a number from 1 to 65535")
        if parts.query or parts.fragment or "@" in parts.netloc:
            raise ValueError("the server URL must not carry a query, a fragment or credentials")
        interval = float(self.poll_interval)
        if not math.isfinite(interval) or not MIN_POLL_INTERVAL <= interval <= MAX_POLL_INTERVAL:
            raise ValueError(f"the poll interval must be between {MIN_POLL_INTERVAL} and {MAX_POLL_INTERVAL:.0f} s")

    def client(self, token: str) -> Client:
        """A client for this profile (TLS settings applied); the caller owns and closes it."""
        from console.api import Client

        return Client(self.url, token, verify=self.verify_tls, ca_file=self.ca_file or None,
                      pinned_cert=self.pinned_cert or None)

    @property
    def unencrypted(self) -> bool:
        """Plain HTTP to a host other than this machine: tokens and names cross the network readable."""
        parts = urlsplit(self.url)
        return parts.scheme == "http" and (parts.hostname or "") not in ("127.0.0.1", "localhost", "::1")

    @property
    def pinned_fingerprint(self) -> str:
        from console.api.tls import fingerprint

        return fingerprint(self.pinned_cert) if self.pinned_cert else ""
