"""Decoding a captured photo from the server, defensively (FIELD-NOTES, "Images from the server").

The base64 text is measured before it is decoded, the bytes are sniffed (JPEG and PNG only: Qt would also
decode PDF, SVG and more), the header's size is checked before any pixel is, and ``QImageReader`` runs with
a low allocation limit. Every refusal comes back with a reason an operator can read.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QImage, QImageReader

__all__ = ["ALLOCATION_LIMIT_MB", "MAX_PHOTO_BYTES", "MAX_SIDE", "PhotoResult", "decode_photo"]

MAX_PHOTO_BYTES = 512 * 1024
"""Largest photo file decoded (a face capture is some tens of KB)."""
MAX_SIDE = 4096
"""Widest and tallest photo decoded, in pixels."""
ALLOCATION_LIMIT_MB = 8
"""QImageReader's allocation limit (its default is 256 MB)."""

_DATA_URI = re.compile(r"data:image/[a-z0-9.+-]{1,20};base64,", re.IGNORECASE)
_MAGIC = {b"\xff\xd8\xff": "jpeg", b"\x89PNG\r\n\x1a\n": "png"}


@dataclass(frozen=True)
class PhotoResult:
    """A decoded image, or None with the reason (plain text) it was refused."""

    image: QImage | None
    reason: str = ""
    format: str = ""

    @property
    def ok(self) -> bool:
        return self.image is not None


def _kib(n: int) -> str:
    return f"{max(1, round(n / 1024)):,} KiB"


def decode_photo(
    text: str,
    *,
    max_bytes: int = MAX_PHOTO_BYTES,
    max_side: int = MAX_SIDE,
    allocation_mb: int = ALLOCATION_LIMIT_MB,
) -> PhotoResult:
    """The image in the base64 ``text`` (a data URI prefix is allowed), or why not."""
    if not isinstance(text, str) or not text.strip():
        return PhotoResult(None, "no photo")
    limit_chars = (max_bytes + 2) // 3 * 4 + 64
    if len(text) > limit_chars * 2:  # not even worth stripping
        return PhotoResult(None, f"photo refused: about {_kib(len(text) * 3 // 4)}, more than {_kib(max_bytes)}")
    body = text.strip()
    match = _DATA_URI.match(body)
    if match:
        body = body[match.end() :]
    body = "".join(body.split())
    if len(body) > limit_chars:
        return PhotoResult(None, f"photo refused: about {_kib(len(body) * 3 // 4)}, more than {_kib(max_bytes)}")
    try:
        raw = base64.b64decode(body, validate=True)
    except (binascii.Error, ValueError):
        return PhotoResult(None, "photo refused: not valid base64")
    if len(raw) > max_bytes:
        return PhotoResult(None, f"photo refused: {_kib(len(raw))}, more than {_kib(max_bytes)}")
    sniffed = next((fmt for magic, fmt in _MAGIC.items() if raw.startswith(magic)), "")
    if not sniffed:
        return PhotoResult(None, "photo refused: not a JPEG or PNG image")
    buffer = QBuffer()
    buffer.setData(QByteArray(raw))
    if not buffer.open(QIODevice.OpenModeFlag.ReadOnly):  # pragma: no cover - a memory buffer always opens
        return PhotoResult(None, "photo refused: it cannot be read")
    try:
        reader = QImageReader(buffer)
        reader.setAllocationLimit(allocation_mb)
        fmt = bytes(reader.format().data()).decode("ascii", "replace").lower()
        if fmt != sniffed:
            return PhotoResult(None, "photo refused: not a JPEG or PNG image")
        size = reader.size()
        width, height = size.width(), size.height()
        if width <= 0 or height <= 0:
            return PhotoResult(None, "photo refused: its size cannot be read")
        if width > max_side or height > max_side:
            return PhotoResult(None, f"photo refused: {width}×{height} pixels, more than {max_side}×{max_side}")
        if width * height * 4 > allocation_mb * 1024 * 1024:
            return PhotoResult(None, f"photo refused: {width}×{height} pixels needs too much memory")
        image = reader.read()
        if image.isNull():
            return PhotoResult(None, f"photo refused: it cannot be decoded ({reader.errorString()[:120]})")
        return PhotoResult(image, "", fmt)
    finally:
        buffer.close()
