"""A self-signed certificate for ``SimConfig(tls=True)``, made at start with the ``cryptography`` package.

Like a site's CVSecurity server on 8098 with the certificate its installer generated: nobody's CA signed it,
so a client must pin it (or be given it as a CA file). Subject ``CN=localhost``; subject alternative names
``IP:127.0.0.1``, ``IP:::1`` and ``DNS:localhost``; an EC P-256 key (fast to make); valid from a day ago for
a year. The private key never leaves memory except for the moment the ``ssl`` module reads it from a private
temporary file (``SSLContext.load_cert_chain`` only reads files).
"""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import os
import ssl
import tempfile
from dataclasses import dataclass, field

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = ["SelfSigned", "make_self_signed"]


@dataclass(frozen=True, slots=True)
class SelfSigned:
    """The certificate (``pem``, ``der``, ``sha256``: lowercase hex of the DER's SHA-256) and its key."""

    pem: str
    der: bytes
    sha256: str
    key_pem: bytes = field(repr=False)

    def server_context(self) -> ssl.SSLContext:
        """A TLS server context (TLS 1.2 or later) holding this certificate and key."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        with tempfile.TemporaryDirectory(prefix="cvsecurity-sim-tls-") as folder:
            cert_path = os.path.join(folder, "cert.pem")
            key_path = os.path.join(folder, "key.pem")
            with open(cert_path, "w", encoding="ascii") as f:
                f.write(self.pem)
            fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(self.key_pem)
            context.load_cert_chain(cert_path, key_path)
        return context


def make_self_signed(common_name: str = "localhost") -> SelfSigned:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "CVSecurity simulator"),
    ])
    now = datetime.datetime.now(datetime.UTC)
    public = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.SubjectAlternativeName([
            x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
            x509.IPAddress(ipaddress.ip_address("::1")),
            x509.DNSName("localhost"),
        ]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    der = cert.public_bytes(serialization.Encoding.DER)
    return SelfSigned(
        pem=cert.public_bytes(serialization.Encoding.PEM).decode("ascii"),
        der=der,
        sha256=hashlib.sha256(der).hexdigest(),
        key_pem=key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()),
    )
