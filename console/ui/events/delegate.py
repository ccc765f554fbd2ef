"""A lean painter for the events table: one frame's budget covers a screenful of rows.

The default delegate paints every cell through the style sheet engine and asks the model for each role
separately; with a full-HD table of events that is most of a frame. This delegate reads the row's texts and
colours straight from :class:`EventTableModel` (cached per row) and draws the background, the severity icon,
and the elided text itself. What it shows is exactly the model's roles (tests read those).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from console.services.events import Event, Level
from console.ui import theme

from . import style
from .model import Column, EventTableModel

__all__ = ["EventDelegate"]

PAD = 6
ICON = 16
ELIDE_CACHE = 20_000  # elided texts kept (door, device and event names repeat from row to row)
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
        # (text, width, bold, italic) -> the text as it fits (cleared with the fonts)
        self._elided: dict[tuple[str, int, bool, bool], str] = {}
        self.restyle()

    def restyle(self) -> None:
        p = self._theme = theme.current()
        self.text = QColor(p.text)
        self.base = QColor(p.surface)
        self.alternate = QColor(p.surface_alt)
        self.selection = QColor(p.selection)
        self.selection_text = QColor(p.selection_text)
        self._fonts.clear()
        self._elided.clear()

    def _font(self, base: QFont, bold: bool, italic: bool) -> tuple[QFont, QFontMetrics]:
        if self._base_font is None or base != self._base_font:
            self._fonts.clear()
            self._elided.clear()
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
        rect: QRect = option.rect
        self._paint_cells(
            painter, option.font, row, event, rect.y(), rect.height(), ((column, rect.x(), rect.width()),),
            bool(option.state & _SELECTED),
        )

    def paint_row(
        self,
        painter: QPainter,
        font: QFont,
        row: int,
        y: int,
        height: int,
        columns: Sequence[tuple[int, int, int]],
        selected: bool,
    ) -> None:
        """Paint ``row`` in ``columns`` ((column, x, width), left to right) as :meth:`paint` paints each cell."""
        if not columns:
            return
        event = self.model.event_at(row)
        if event is None:  # not readable (the journal failed): what the model's DisplayRole says
            if self._theme is not theme.current():
                self.restyle()
            left, right = columns[0][1], columns[-1][1] + columns[-1][2]
            painter.fillRect(QRect(left, y, right - left, height), self.alternate if row % 2 else self.base)
            plain, _ = self._font(font, False, False)
            painter.setFont(plain)
            painter.setPen(self.text)
            for _column, x, width in columns:
                painter.drawText(QRect(x + PAD, y, max(0, width - 2 * PAD), height), _LEFT, "…")
            return
        self._paint_cells(painter, font, row, event, y, height, columns, selected)

    def _paint_cells(
        self,
        painter: QPainter,
        font: QFont,
        row: int,
        event: Event,
        y: int,
        height: int,
        columns: Sequence[tuple[int, int, int]],
        selected: bool,
    ) -> None:
        if self._theme is not theme.current():
            self.restyle()
        level = event.level
        foreground, background = self.model.level_colours(level)
        left, right = columns[0][1], columns[-1][1] + columns[-1][2]
        if selected:
            painter.fillRect(QRect(left, y, right - left, height), self.selection)
            pen = other_pen = self.selection_text
        else:
            painter.fillRect(QRect(left, y, right - left, height),
                             background or (self.alternate if row % 2 else self.base))
            pen = foreground if foreground is not None else self.text  # the severity column's
            other_pen = pen if level is Level.ALARM else self.text
        texts = self.model.cells(event)
        backfilled = event.backfilled
        plain, plain_metrics = self._font(font, False, backfilled)
        bold = level is not Level.NORMAL
        top = y + (height - ICON) // 2
        elided = self._elided
        current_font: QFont | None = None
        current_pen: QColor | None = None
        for column, cell_x, cell_width in columns:
            x = cell_x + PAD
            if column == _SEVERITY:
                style.level_icon(level).paint(painter, QRect(x, top, ICON, ICON))
                x += ICON + 4
            elif column == _TIME and backfilled:
                style.backfill_icon().paint(painter, QRect(x, top, ICON, ICON))
                x += ICON + 4
            width = cell_x + cell_width - 1 - x - PAD + 1
            if width <= 0:
                continue
            if column == _SEVERITY and bold:
                cell_font, metrics = self._font(font, True, backfilled)
            else:
                cell_font, metrics = plain, plain_metrics
            text = texts[column]
            key = (text, width, bold and column == _SEVERITY, backfilled)
            shown = elided.get(key)
            if shown is None:
                if len(elided) > ELIDE_CACHE:
                    elided.clear()
                shown = elided[key] = metrics.elidedText(text, _ELIDE, width)
            if cell_font is not current_font:
                painter.setFont(cell_font)
                current_font = cell_font
            cell_pen = pen if column == _SEVERITY else other_pen
            if cell_pen is not current_pen:
                painter.setPen(cell_pen)
                current_pen = cell_pen
            painter.drawText(QRect(x, y, width, height), _LEFT, shown)
