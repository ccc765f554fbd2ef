"""A floor plan's raster image, decoded with limits, off the GUI thread.

A 4000x2500 PNG takes 150-250 ms to decode: in the GUI thread that froze the board each time a plan was opened
(issue 15). :class:`PlanImageReader` decodes in Qt's thread pool and hands the image back through a queued
signal; :func:`read_plan_image` is the decoding itself (any thread), with the limits of the module
:mod:`.floorplan` documents: the header's size first, anything over :data:`MAX_PIXELS` refused before a byte of
pixels is decoded, ``QImageReader``'s allocation limit never raised.

The image comes back in the format a pixmap uses (``RGB32``, or premultiplied ``ARGB32`` when it has an alpha
channel), so that ``QPixmap.fromImage`` in the GUI thread shares its pixels instead of converting 10 megapixels
there (a PNG with transparency or a palette: 50+ ms). Converting holds the GIL, so it is done in strips: the GUI
thread's Python (painting the board, its timers) runs between two of them.
"""

from __future__ import annotations

import logging
from pathlib import Path

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtGui import QImage, QImageReader

from console.services.floorplans import PlanError

__all__ = ["ALLOCATION_LIMIT_MB", "MAX_PIXELS", "MAX_SIDE", "PlanImageReader", "read_plan_image"]

log = logging.getLogger(__name__)

MAX_PIXELS = 80_000_000  # 80 megapixels (about 320 MB as ARGB): bigger plans are refused before decoding
MAX_SIDE = 20_000
ALLOCATION_LIMIT_MB = 512
STRIP_PIXELS = 500_000  # converted at once (~2 ms, the GIL held): a 10-megapixel plan is 20 strips

_OPAQUE = QImage.Format.Format_RGB32
_ALPHA = QImage.Format.Format_ARGB32_Premultiplied


def read_plan_image(path: Path) -> QImage:
    """The PNG or JPEG at ``path``, decoded within the limits, in a pixmap's format; PlanError with a readable
    reason otherwise. Safe in any thread (``QImage`` and ``QImageReader`` are not GUI objects)."""
    reader = QImageReader(str(path))
    reader.setDecideFormatFromContent(True)
    if QImageReader.allocationLimit() > ALLOCATION_LIMIT_MB or QImageReader.allocationLimit() == 0:
        QImageReader.setAllocationLimit(ALLOCATION_LIMIT_MB)
    fmt = bytes(reader.format().data()).decode("ascii", "replace").lower()
    if fmt not in ("png", "jpeg", "jpg"):
        raise PlanError(f"{path.name} is not a PNG or JPEG image")
    size = reader.size()
    if not size.isValid() or size.isEmpty():
        raise PlanError(f"{path.name}: the image size is unreadable")
    if size.width() > MAX_SIDE or size.height() > MAX_SIDE or size.width() * size.height() > MAX_PIXELS:
        raise PlanError(
            f"{path.name} is {size.width()}×{size.height()} pixels; plans are limited to {MAX_PIXELS // 1_000_000} "
            "megapixels"
        )
    image = reader.read()
    if image.isNull():
        raise PlanError(f"{path.name} could not be decoded: {reader.errorString()}")
    return pixmap_ready(image)


def pixmap_ready(image: QImage) -> QImage:
    """``image`` in the format ``QPixmap.fromImage`` takes as it is, converted a strip at a time."""
    target = _ALPHA if image.hasAlphaChannel() else _OPAQUE
    if image.format() == target:
        return image
    width, height = image.width(), image.height()
    out = QImage(width, height, target)
    if out.isNull():  # no memory for the copy: let the pixmap convert it
        return image
    rows = max(1, STRIP_PIXELS // max(1, width))
    dest = out.bits()
    assert isinstance(dest, memoryview)  # writable: the image is not shared yet
    line = out.bytesPerLine()
    for top in range(0, height, rows):
        count = min(rows, height - top)
        strip = image.copy(0, top, width, count).convertToFormat(target)
        if strip.bytesPerLine() != line:  # never for 32-bit formats; converted whole rather than guessed
            return image.convertToFormat(target)
        dest[top * line : (top + count) * line] = strip.constBits()[: count * line]
    return out


class _Job(QRunnable):
    def __init__(self, reader: PlanImageReader, ticket: int, path: Path) -> None:
        super().__init__()
        self._reader = reader
        self._ticket = ticket
        self._path = path

    def run(self) -> None:
        result: QImage | str
        try:
            result = read_plan_image(self._path)
        except PlanError as exc:
            result = str(exc)
        except Exception as exc:  # a worker thread must never take the console down
            log.exception("the plan %s could not be read", self._path)
            result = f"{self._path.name} could not be read ({type(exc).__name__})"
        if shiboken6.isValid(self._reader):  # the plans tab may have been closed meanwhile
            self._reader.done.emit(self._ticket, result)


class PlanImageReader(QObject):
    """``ticket = reader.read(path)``; later ``done(ticket, QImage or the reason it was refused)`` in the GUI
    thread. A newer :meth:`read` does not cancel an older one: the caller drops answers to old tickets."""

    done = Signal(int, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._tickets = 0

    def read(self, path: Path) -> int:
        self._tickets += 1
        QThreadPool.globalInstance().start(_Job(self, self._tickets, path))
        return self._tickets
