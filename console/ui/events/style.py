"""How events look: severity by icon, colour AND word; untrusted text cut and shown literally.

Shared by the events and the alarms panels. Colours come from the active theme (:func:`console.ui.theme.current`)
and icons are drawn here (no image files): a green dot for normal, an amber triangle for a warning, a red
octagon for an alarm. The shape alone tells them apart for an operator who cannot tell red from green.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPen, QPixmap, QPolygonF

from console.services.events import Event, Level, Source
from console.services.events.words import guard_words
from console.services.people_names import PeopleNames
from console.ui import theme
from console.ui.text import tooltip

__all__ = [
    "MAX_CELL",
    "SOURCE_WORDS",
    "backfill_icon",
    "cut",
    "level_background",
    "level_foreground",
    "level_icon",
    "level_word",
    "person_text",
    "plain_tooltip",
    "speaker_icon",
]

MAX_CELL = 160
"""Longest text a table cell shows (the view elides further to its width)."""
MAX_TOOLTIP = 2000

_WORDS = {Level.NORMAL: "Normal", Level.WARNING: "Warning", Level.ALARM: "Alarm"}
SOURCE_WORDS = {Source.ACCESS: "Access", Source.GATE: "Gate", Source.TEMPERATURE: "Temperature",
                Source.ELEVATOR: "Elevator"}

_icons: dict[tuple[str, int, int, float], QIcon] = {}


def cut(text: str, limit: int = MAX_CELL) -> str:
    """``text`` no longer than ``limit`` characters (an ellipsis marks a cut)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plain_tooltip(text: str) -> str:
    """A tool tip that shows ``text`` literally (:func:`console.ui.text.tooltip`: escaped, wrapped, cut)."""
    return tooltip(text, MAX_TOOLTIP)


def level_word(level: Level) -> str:
    return _WORDS[level]


def level_foreground(level: Level) -> QColor | None:
    """The text colour of a row of this level (None: the theme's normal text)."""
    p = theme.current()
    if level is Level.ALARM:
        return QColor(p.alarm_text)
    if level is Level.WARNING:
        return QColor(p.warn_text)
    return None


def level_background(level: Level) -> QColor | None:
    """The row tint of this level: alarms only (a table of amber rows would numb the eye)."""
    if level is Level.ALARM:
        return QColor(theme.current().alarm_bg)
    return None


def level_icon(level: Level, size: int = 16) -> QIcon:
    """Dot (normal), triangle with "!" (warning), octagon with "!" (alarm), in the theme's colours."""
    p = theme.current()
    ratio = 2.0  # drawn at twice the size: sharp on high-DPI screens, scaled down elsewhere
    key = (p.name, int(level), size, ratio)
    icon = _icons.get(key)
    if icon is not None:
        return icon
    side = int(size * ratio)
    pixmap = QPixmap(side, side)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    s = float(side)
    if level is Level.NORMAL:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(p.ok))
        r = s * 0.22
        painter.drawEllipse(QPointF(s / 2, s / 2), r, r)
    else:
        if level is Level.WARNING:
            shape = QPolygonF([QPointF(s / 2, s * 0.06), QPointF(s * 0.97, s * 0.92), QPointF(s * 0.03, s * 0.92)])
            fill, mark = QColor(p.warn), QColor("#1b1f24")
            text_box = QRectF(0, s * 0.28, s, s * 0.64)
        else:
            m = s * 0.04
            c = (s - 2 * m) * 0.2929  # a regular octagon inscribed in the square
            shape = QPolygonF([
                QPointF(m + c, m), QPointF(s - m - c, m), QPointF(s - m, m + c), QPointF(s - m, s - m - c),
                QPointF(s - m - c, s - m), QPointF(m + c, s - m), QPointF(m, s - m - c), QPointF(m, m + c),
            ])
            fill, mark = QColor(p.alarm), QColor(p.on_alarm)
            text_box = QRectF(0, 0, s, s)
        painter.setPen(QPen(fill.darker(130), max(1.0, s / 16)))
        painter.setBrush(fill)
        painter.drawPolygon(shape)
        font = QFont()
        font.setBold(True)
        font.setPixelSize(int(s * (0.55 if level is Level.WARNING else 0.7)))
        painter.setFont(font)
        painter.setPen(mark)
        painter.drawText(text_box, Qt.AlignmentFlag.AlignCenter, "!")
    painter.end()
    pixmap.setDevicePixelRatio(ratio)
    icon = QIcon(pixmap)
    _icons[key] = icon
    return icon


def backfill_icon(size: int = 16) -> QIcon:
    """A circular arrow: this row arrived late, back-filled after a gap in polling."""
    p = theme.current()
    ratio = 2.0
    key = (p.name, -1, size, ratio)
    icon = _icons.get(key)
    if icon is not None:
        return icon
    side = int(size * ratio)
    pixmap = QPixmap(side, side)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    colour = QColor(p.info)
    pen = QPen(colour, side / 9)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    painter.setPen(pen)
    box = QRectF(side * 0.2, side * 0.2, side * 0.6, side * 0.6)
    painter.drawArc(box, 90 * 16, 270 * 16)
    head = QPolygonF([QPointF(side * 0.5, side * 0.04), QPointF(side * 0.72, side * 0.2),
                      QPointF(side * 0.5, side * 0.36)])
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawPolygon(head)
    painter.end()
    pixmap.setDevicePixelRatio(ratio)
    icon = QIcon(pixmap)
    _icons[key] = icon
    return icon


def speaker_icon(muted: bool, size: int = 16) -> QIcon:
    """A loudspeaker, with sound waves, or crossed out when muted."""
    p = theme.current()
    ratio = 2.0
    key = (p.name, -2 - int(muted), size, ratio)
    icon = _icons.get(key)
    if icon is not None:
        return icon
    side = int(size * ratio)
    s = float(side)
    pixmap = QPixmap(side, side)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    colour = QColor(p.text_muted if muted else p.text)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(colour)
    painter.drawPolygon(QPolygonF([
        QPointF(s * 0.08, s * 0.36), QPointF(s * 0.28, s * 0.36), QPointF(s * 0.52, s * 0.14),
        QPointF(s * 0.52, s * 0.86), QPointF(s * 0.28, s * 0.64), QPointF(s * 0.08, s * 0.64),
    ]))
    pen = QPen(QColor(p.alarm) if muted else colour, s / 12)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    if muted:
        painter.drawLine(QPointF(s * 0.64, s * 0.34), QPointF(s * 0.94, s * 0.66))
        painter.drawLine(QPointF(s * 0.94, s * 0.34), QPointF(s * 0.64, s * 0.66))
    else:
        for r in (0.18, 0.32):
            box = QRectF(s * 0.5 - s * r, s * 0.5 - s * r, 2 * s * r, 2 * s * r)
            painter.drawArc(box, -45 * 16, 90 * 16)
    painter.end()
    pixmap.setDevicePixelRatio(ratio)
    icon = QIcon(pixmap)
    _icons[key] = icon
    return icon


def person_text(event: Event, names: PeopleNames | None = None) -> str:
    """``pin · name · department``, or whichever of them the event has; a name the event lacks (the access
    monitor sends the pin only) from ``names``, the connection's cache (asked for when not known yet)."""
    person, department = event.person, event.department
    if not person and event.pin and names is not None:
        known = names.get(event.pin)
        if known is not None and known.found:
            person, department = known.name, known.department
    return " · ".join(p for p in (event.pin, person, department if person else "") if p)


def event_text(event: Event) -> str:
    """The event in the guard's words (``guard_words``: "Forced open", not "Door Opened Accidentally"), with the
    temperature and mask where it is a temperature event. The server's own name is in the details."""
    name = guard_words(event.name)
    extra = []
    if event.temperature is not None:
        extra.append(f"{event.temperature:.1f} °C")
    if event.mask:
        extra.append({"0": "no mask", "1": "mask"}.get(event.mask, f"mask {event.mask}"))
    return f"{name} ({', '.join(extra)})" if extra else name
