"""Trust on first use for servers with a self-signed certificate (the usual CVSecurity install on port 8098).

Sites run the server with a self-signed certificate and integrators switch verification off. The console
offers something safer, as SSH does: the first connection shows the certificate's SHA-256 fingerprint, the
operator compares it with the server's and pins it; from then on that certificate, and only that one, is
trusted for the connection (by its exact bytes, so an IP address works without a host-name match), and a
changed certificate is refused with a message that says so.

    pem, fingerprint = await fetch_certificate("https://10.0.0.5:8098")   # no verification: for showing only
    Client(url, token, pinned_cert=pem)                                    # trusts exactly that certificate
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    import ssl  # imported where a certificate is read: this module is imported before the first paint (issue 15)

__all__ = ["MAX_PEM", "fetch_certificate", "fingerprint", "pinned_context"]

MAX_PEM = 16_384  # a certificate larger than this is not one we pin


def fingerprint(pem: str) -> str:
    """The SHA-256 fingerprint of a PEM certificate, as browsers show it: ``AB:CD:...`` (32 pairs)."""
    import hashlib
    import ssl

    der = ssl.PEM_cert_to_DER_cert(pem)
    digest = hashlib.sha256(der).hexdigest().upper()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


def pinned_context(pem: str) -> ssl.SSLContext:
    """A TLS context that trusts exactly the certificate ``pem`` (no system CAs, no host-name check: the pin
    is the certificate itself). ``ValueError`` when ``pem`` is not a certificate."""
    if not pem or len(pem) > MAX_PEM or "BEGIN CERTIFICATE" not in pem:
        raise ValueError("the pinned certificate is not a PEM certificate")
    import ssl

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False  # the certificate is trusted by its bytes, whatever name or address it carries
    context.verify_mode = ssl.CERT_REQUIRED
    try:
        context.load_verify_locations(cadata=pem)
    except ssl.SSLError as exc:
        raise ValueError(f"the pinned certificate cannot be read: {exc}") from None
    return context


async def fetch_certificate(url: str, *, timeout: float = 5.0) -> tuple[str, str]:
    """The certificate the server at ``url`` presents now, unverified, with its fingerprint: for the operator to
    compare and pin, never to trust by itself. ``OSError`` when it cannot be fetched."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise ValueError("only an https:// address has a certificate")
    address = (parts.hostname, parts.port or 443)

    def fetch() -> str:
        import ssl

        return ssl.get_server_certificate(address, timeout=timeout)

    import asyncio  # here: this module is imported before the first paint, asyncio after it (issue 15)

    pem = await asyncio.to_thread(fetch)
    return pem, fingerprint(pem)
