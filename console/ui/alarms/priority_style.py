"""How an alarm's priority looks: a word, a colour, and an icon whose shape and number tell it without colour.

Critical is a red octagon with 1, urgent an orange triangle with 2, high an amber diamond with 3, medium a
violet square with 4, low a blue circle with 5, maintenance a grey ring with 6. The colours follow the theme.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPen, QPixmap, QPolygonF

from console.services.events import Priority
from console.ui import theme

__all__ = ["priority_background", "priority_colour", "priority_foreground", "priority_icon", "priority_words"]

_icons: dict[tuple[str, int, int], QIcon] = {}

_DARK = {Priority.URGENT: "#f0883e", Priority.MEDIUM: "#a371f7", Priority.LOW: "#58a6ff"}
_LIGHT = {Priority.URGENT: "#bc4c00", Priority.MEDIUM: "#8250df", Priority.LOW: "#0969da"}


def _dark() -> bool:
    return QColor(theme.current().window).lightness() < 128


def priority_words(priority: Priority) -> str:
    return priority.words


def priority_colour(priority: Priority) -> QColor:
    p = theme.current()
    if priority is Priority.CRITICAL:
        return QColor(p.alarm)
    if priority is Priority.HIGH:
        return QColor(p.warn)
    if priority is Priority.MAINTENANCE:
        return QColor(p.text_muted)
    return QColor((_DARK if _dark() else _LIGHT)[priority])


def priority_foreground(priority: Priority) -> QColor | None:
    """The row's text colour: critical and urgent stand out; the rest in the theme's text."""
    p = theme.current()
    if priority is Priority.CRITICAL:
        return QColor(p.alarm_text)
    if priority is Priority.URGENT:
        return priority_colour(priority) if _dark() else QColor(p.alarm_text)
    if priority is Priority.MAINTENANCE:
        return QColor(p.text_muted)
    return None


def priority_background(priority: Priority) -> QColor | None:
    """Critical rows are tinted (the eye goes there first); urgent ones lightly; the rest are plain."""
    p = theme.current()
    if priority is Priority.CRITICAL:
        return QColor(p.alarm_bg)
    if priority is Priority.URGENT:
        tint = QColor(priority_colour(priority))
        tint.setAlpha(40 if _dark() else 28)
        return tint
    return None


def _shape(priority: Priority, s: float) -> QPolygonF | None:
    m = s * 0.05
    if priority is Priority.CRITICAL:
        c = (s - 2 * m) * 0.2929
        return QPolygonF([QPointF(m + c, m), QPointF(s - m - c, m), QPointF(s - m, m + c), QPointF(s - m, s - m - c),
                          QPointF(s - m - c, s - m), QPointF(m + c, s - m), QPointF(m, s - m - c), QPointF(m, m + c)])
    if priority is Priority.URGENT:
        return QPolygonF([QPointF(s / 2, m), QPointF(s - m, s - m), QPointF(m, s - m)])
    if priority is Priority.HIGH:
        return QPolygonF([QPointF(s / 2, m), QPointF(s - m, s / 2), QPointF(s / 2, s - m), QPointF(m, s / 2)])
    if priority is Priority.MEDIUM:
        return QPolygonF([QPointF(m * 2, m * 2), QPointF(s - m * 2, m * 2), QPointF(s - m * 2, s - m * 2),
                          QPointF(m * 2, s - m * 2)])
    return None  # low, maintenance: circles


def priority_icon(priority: Priority, size: int = 16) -> QIcon:
    p = theme.current()
    key = (p.name, int(priority), size)
    icon = _icons.get(key)
    if icon is not None:
        return icon
    ratio = 2.0
    side = int(size * ratio)
    pixmap = QPixmap(side, side)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = float(side)
    fill = priority_colour(priority)
    shape = _shape(priority, s)
    ring = priority is Priority.MAINTENANCE
    painter.setPen(QPen(fill.darker(130) if not ring else fill, max(1.0, s / (8 if ring else 16))))
    painter.setBrush(Qt.BrushStyle.NoBrush if ring else fill)
    if shape is not None:
        painter.drawPolygon(shape)
    else:
        r = s * 0.44
        painter.drawEllipse(QPointF(s / 2, s / 2), r, r)
    font = QFont()
    font.setBold(True)
    font.setPixelSize(int(s * (0.5 if priority is Priority.URGENT else 0.62)))
    painter.setFont(font)
    words = fill if ring else (QColor("#ffffff") if fill.lightness() < 150 else QColor("#1b1f24"))
    painter.setPen(words)
    box = QRectF(0, s * 0.22, s, s * 0.78) if priority is Priority.URGENT else QRectF(0, 0, s, s)
    painter.drawText(box, Qt.AlignmentFlag.AlignCenter, str(int(priority)))
    painter.end()
    pixmap.setDevicePixelRatio(ratio)
    icon = QIcon(pixmap)
    _icons[key] = icon
    return icon
