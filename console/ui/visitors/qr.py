"""QR codes on screen and on paper: segno encodes, Qt draws (crisp modules, a quiet zone of four).

``qr_image(value)`` is a Grayscale8 ``QImage`` with one pixel per module (quiet zone included); ``QrView``
scales it by a whole number so that every module stays a sharp square, as large as the widget allows.
At the default minimum of 8 pixels per module a typical visitor code (version 3-5) is 260-370 px wide,
which a phone camera reads from arm's length.
"""

from __future__ import annotations

import segno
from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

__all__ = ["QUIET_ZONE", "QrView", "draw_qr", "qr_image"]

QUIET_ZONE = 4  # modules of white around the code (ISO/IEC 18004)
MAX_VALUE = 2048


def qr_image(value: str, *, border: int = QUIET_ZONE) -> QImage:
    """The QR code of ``value`` (error correction M), one pixel per module, dark modules black."""
    if not value or len(value) > MAX_VALUE:
        raise ValueError("a QR value is 1 to 2048 characters")
    code = segno.make_qr(value, error="m", boost_error=False)
    rows = [bytes(0 if dark else 255 for dark in row) for row in code.matrix_iter(scale=1, border=border)]
    size = len(rows)
    data = b"".join(rows)
    image = QImage(data, size, size, size, QImage.Format.Format_Grayscale8).copy()  # copy: owns its pixels
    return image


def draw_qr(painter: QPainter, rect: QRect, image: QImage) -> QRect:
    """Draw ``image`` centred in ``rect`` at the largest whole-number scale; returns where it went."""
    modules = max(1, image.width())
    scale = max(1, min(rect.width(), rect.height()) // modules)
    side = modules * scale
    target = QRect(rect.x() + (rect.width() - side) // 2, rect.y() + (rect.height() - side) // 2, side, side)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
    painter.drawImage(target, image)
    painter.restore()
    return target


class QrView(QWidget):
    """Shows one QR code, white background, whole-number scaling; a text when there is none."""

    def __init__(self, parent: QWidget | None = None, *, min_module: int = 8) -> None:
        super().__init__(parent)
        self._image: QImage | None = None
        self._value = ""
        self._placeholder = "No QR code yet"
        self._min_module = min_module
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName("Visitor QR code")

    @property
    def value(self) -> str:
        return self._value

    def set_value(self, value: str) -> None:
        self._value = value
        self._image = qr_image(value) if value else None
        self.updateGeometry()
        self.update()

    def set_placeholder(self, text: str) -> None:
        self._placeholder = text
        if self._image is None:
            self.update()

    def clear(self, placeholder: str = "No QR code yet") -> None:
        self._value = ""
        self._image = None
        self._placeholder = placeholder
        self.update()

    def minimumSizeHint(self) -> QSize:
        modules = self._image.width() if self._image is not None else 37
        side = modules * self._min_module
        return QSize(side, side)

    def sizeHint(self) -> QSize:
        return self.minimumSizeHint()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            if self._image is None:
                painter.setPen(self.palette().color(self.foregroundRole()))
                painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                                 self._placeholder)
                return
            square = min(self.width(), self.height())
            area = QRect((self.width() - square) // 2, (self.height() - square) // 2, square, square)
            painter.fillRect(area, QColor("white"))
            draw_qr(painter, area, self._image)
        finally:
            painter.end()
