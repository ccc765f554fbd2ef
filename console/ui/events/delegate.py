"""A lean painter for the events table: one frame's budget covers a screenful of rows.

The default delegate paints every cell through the style sheet engine and asks the model for each role
separately; with a full-HD table of events that is most of a frame. This delegate reads the row's texts and
colours straight from :class:`EventTableModel` (cached per row) and draws the background, the severity icon,
and the elided text itself. What it shows is exactly the model's roles (tests read those).
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from console.services.events import Level
from console.ui import theme

from . import style
from .model import Column, EventTableModel

__all__ = ["EventDelegate"]

PAD = 6
ICON = 16
_SEVERITY = int(Column.SEVERITY)
_TIME = int(Column.TIME)
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_SELECTED = QStyle.StateFlag.State_Selected
_ELIDE = Qt.TextElideMode.ElideRight
Index = QModelIndex | QPersistentModelIndex


class EventDelegate(QStyledItemDelegate):
    def __init__(self, model: EventTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self._fonts: dict[tuple[bool, bool], tuple[QFont, QFontMetrics]] = {}
        self._base_font: QFont | None = None
        self.restyle()

    def restyle(self) -> None:
        p = self._theme = theme.current()
        self.text = QColor(p.text)
        self.base = QColor(p.surface)
        self.alternate = QColor(p.surface_alt)
        self.selection = QColor(p.selection)
        self.selection_text = QColor(p.selection_text)
        self._fonts.clear()

    def _font(self, base: QFont, bold: bool, italic: bool) -> tuple[QFont, QFontMetrics]:
        if self._base_font is None or base != self._base_font:
            self._fonts.clear()
            self._base_font = QFont(base)
        entry = self._fonts.get((bold, italic))
        if entry is None:
            font = QFont(base)
            font.setBold(bold)
            font.setItalic(italic)
            entry = self._fonts[(bold, italic)] = (font, QFontMetrics(font))
        return entry

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        row, column = index.row(), index.column()
        event = self.model.event_at(row)
        if event is None:
            super().paint(painter, option, index)
            return
        if self._theme is not theme.current():
            self.restyle()
        rect: QRect = option.rect
        level = event.level
        foreground, background = self.model.level_colours(level)
        if option.state & _SELECTED:
            painter.fillRect(rect, self.selection)
            pen = self.selection_text
        else:
            painter.fillRect(rect, background or (self.alternate if row % 2 else self.base))
            coloured = foreground is not None and (column == _SEVERITY or level is Level.ALARM)
            pen = foreground if coloured and foreground is not None else self.text
        x = rect.x() + PAD
        top = rect.y() + (rect.height() - ICON) // 2
        if column == _SEVERITY:
            style.level_icon(level).paint(painter, QRect(x, top, ICON, ICON))
            x += ICON + 4
        elif column == _TIME and event.backfilled:
            style.backfill_icon().paint(painter, QRect(x, top, ICON, ICON))
            x += ICON + 4
        bold = column == _SEVERITY and level is not Level.NORMAL
        font, metrics = self._font(option.font, bold, event.backfilled)
        width = rect.right() - x - PAD + 1
        if width <= 0:
            return
        text = metrics.elidedText(self.model.cells(event)[column], _ELIDE, width)
        painter.setFont(font)
        painter.setPen(pen)
        painter.drawText(QRect(x, rect.y(), width, rect.height()), _LEFT, text)
