"""The events table's view: one Python call paints every visible row.

``QTableView`` paints cell by cell, and for each cell calls into Python four times (``rowCount`` and
``columnCount`` through ``index()``, ``flags()``, the delegate's ``paint``). With a screenful of 25 rows by
10 columns that is a thousand calls into Python per repaint, and each one takes the GIL again: while the
event stream parses a batch in its worker thread, every one of them can wait a switch interval (5 ms) for it.
This view paints the rows itself in one ``paintEvent`` (one GIL acquisition), through
:meth:`EventDelegate.paint_row`, which draws exactly what the delegate's ``paint`` draws cell by cell.

It falls back to ``QTableView``'s own painting for what it does not draw itself (a grid, right to left).
"""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QTableView, QWidget

from .delegate import EventDelegate
from .model import EventTableModel

__all__ = ["EventTableView"]


class EventTableView(QTableView):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.painted_rows = 0  # rows painted by the last paint (tests: the fast path ran)

    def paintEvent(self, event: QPaintEvent) -> None:
        model = self.model()
        delegate = self.itemDelegate()
        if not isinstance(model, EventTableModel) or not isinstance(delegate, EventDelegate) or (
            self.showGrid() or self.isRightToLeft()
        ):
            super().paintEvent(event)
            return
        area: QRect = event.rect()
        vheader, header = self.verticalHeader(), self.horizontalHeader()
        first = vheader.visualIndexAt(area.top())
        if first < 0 or header.count() == 0:
            self.painted_rows = 0
            return
        last = vheader.visualIndexAt(area.bottom())
        if last < 0:
            last = model.rowCount() - 1
        left = header.visualIndexAt(area.left())
        right = header.visualIndexAt(area.right())
        if left < 0:
            left = 0
        if right < 0:
            right = header.count() - 1
        columns: list[tuple[int, int, int]] = []  # (column, x, width) from left to right
        for visual in range(left, right + 1):
            column = header.logicalIndex(visual)
            if header.isSectionHidden(column):
                continue
            width = header.sectionSize(column)
            if width > 0:
                columns.append((column, header.sectionViewportPosition(column), width))
        selected: set[int] = set()
        selection = self.selectionModel()
        if selection is not None:
            chosen = selection.selection()
            for i in range(chosen.count()):
                span = chosen.at(i)
                top, bottom = max(first, span.top()), min(last, span.bottom())
                selected.update(range(top, bottom + 1))
        model.load_rows(first, last)  # the pages in view not in memory: one query
        painter = QPainter(self.viewport())
        try:
            font = self.font()  # what the view gives its delegate as the option's font
            for visual in range(first, last + 1):
                row = vheader.logicalIndex(visual)
                height = vheader.sectionSize(row)
                if height <= 0:
                    continue
                delegate.paint_row(
                    painter, font, row, vheader.sectionViewportPosition(row), height, columns, row in selected
                )
        finally:
            painter.end()
        self.painted_rows = last - first + 1
