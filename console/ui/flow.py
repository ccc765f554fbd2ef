"""A layout that wraps its widgets into as many rows as the width needs: tool and filter bars of docked panels.

Qt has no wrapping layout (only its documentation example). :class:`FlowLayout` places widgets left to right
and starts a new row when the next one does not fit; within a row, the widgets whose horizontal size policy
can expand (a search field) share what is left of the width, so a row is always filled edge to edge. Its
minimum width is that of its widest widget, so a bar of twenty controls never forces a dock wider than one of
them. Keep controls that belong together (a button and its spin box) in one small widget: they wrap as one.

Heights follow the width (``heightForWidth``): a bar that wraps to two rows pushes what is below it down.
"""

from __future__ import annotations

from PySide6.QtCore import QMargins, QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLayout, QLayoutItem, QSizePolicy, QStyle, QWidget

__all__ = ["FlowLayout", "flow_bar", "flow_group", "shrinkable_combo"]


class FlowLayout(QLayout):
    """Rows of widgets that wrap; ``spacing`` between widgets, ``row_spacing`` between rows (-1: the style's)."""

    def __init__(self, parent: QWidget | None = None, *, spacing: int = 6, row_spacing: int = 6) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._hspace = spacing
        self._vspace = row_spacing
        self.setContentsMargins(0, 0, 0, 0)

    # -- QLayout's item list -----------------------------------------------------------------------

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    # -- sizes -------------------------------------------------------------------------------------

    def horizontal_spacing(self) -> int:
        return self._hspace if self._hspace >= 0 else self._style_spacing(QStyle.PixelMetric.PM_LayoutHorizontalSpacing)

    def vertical_spacing(self) -> int:
        return self._vspace if self._vspace >= 0 else self._style_spacing(QStyle.PixelMetric.PM_LayoutVerticalSpacing)

    def _style_spacing(self, metric: QStyle.PixelMetric) -> int:
        parent = self.parentWidget()
        return parent.style().pixelMetric(metric, None, parent) if parent is not None else 6

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation.Horizontal

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._arrange(QRect(0, 0, width, 0), move=False)

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._visible():
            size = size.expandedTo(item.minimumSize())
        margins = self.contentsMargins()
        return size + QSize(margins.left() + margins.right(), margins.top() + margins.bottom())

    def sizeHint(self) -> QSize:
        """Its minimum: a flow takes the width it is given (asking for one long row would make a dock area, or
        the panel holding the bar, claim the whole screen)."""
        return self.minimumSize()

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._arrange(rect, move=True)

    # -- placing -----------------------------------------------------------------------------------

    def _visible(self) -> list[QLayoutItem]:
        return [item for item in self._items if not item.isEmpty()]

    def rows(self, width: int) -> list[list[QLayoutItem]]:
        """The items of each row at ``width`` (the whole layout's width, margins included)."""
        margins = self.contentsMargins()
        return self._rows(max(1, width - margins.left() - margins.right()))

    def _rows(self, available: int) -> list[list[QLayoutItem]]:
        rows: list[list[QLayoutItem]] = []
        row: list[QLayoutItem] = []
        used = 0
        space = self.horizontal_spacing()
        for item in self._visible():
            width = min(item.sizeHint().width(), available)
            needed = width if not row else used + space + width
            if row and needed > available:
                rows.append(row)
                row, used = [item], width
            else:
                row.append(item)
                used = needed
        if row:
            rows.append(row)
        return rows

    def _arrange(self, rect: QRect, *, move: bool) -> int:
        """Place the items in ``rect`` (or only measure); the height the rows take."""
        margins: QMargins = self.contentsMargins()
        area = rect.adjusted(margins.left(), margins.top(), -margins.right(), -margins.bottom())
        available = max(1, area.width())
        space = self.horizontal_spacing()
        y = area.y()
        rows = self._rows(available)
        for number, row in enumerate(rows):
            widths = [max(item.minimumSize().width(), min(item.sizeHint().width(), available)) for item in row]
            spare = available - sum(widths) - space * (len(row) - 1)
            growing = [i for i, item in enumerate(row) if item.expandingDirections() & Qt.Orientation.Horizontal]
            while spare > 0 and growing:  # share what is left among the widgets that may grow, up to their maximum
                share = max(1, spare // len(growing))
                still = []
                for i in growing:
                    room = row[i].maximumSize().width() - widths[i]
                    grow = min(share, room, spare)
                    widths[i] += grow
                    spare -= grow
                    if room > grow:
                        still.append(i)
                growing = still if spare > 0 else []
            height = max(item.sizeHint().height() for item in row)
            if move:
                x = area.x()
                for item, width in zip(row, widths, strict=True):
                    item_height = height if _fills_height(item) else min(height, item.sizeHint().height())
                    top = y + (height - item_height) // 2
                    item.setGeometry(QRect(QPoint(x, top), QSize(width, item_height)))
                    x += width + space
            y += height + (self.vertical_spacing() if number < len(rows) - 1 else 0)
        return y - rect.y() + margins.bottom()


def _fills_height(item: QLayoutItem) -> bool:
    widget = item.widget()
    if widget is None:
        return True
    return widget.sizePolicy().verticalPolicy() != QSizePolicy.Policy.Fixed


def flow_bar(*widgets: QWidget, spacing: int = 6, row_spacing: int = 6, name: str = "") -> QWidget:
    """A widget holding ``widgets`` in a :class:`FlowLayout` (a tool bar or filter bar that wraps)."""
    bar = QWidget()
    if name:
        bar.setObjectName(name)
    layout = FlowLayout(bar, spacing=spacing, row_spacing=row_spacing)
    for widget in widgets:
        layout.addWidget(widget)
    return bar


def flow_group(*widgets: QWidget, spacing: int = 4) -> QWidget:
    """Widgets that belong together in a flow (an action and its setting, a pair of buttons): they wrap as one."""
    box = QWidget()
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    row.setSpacing(spacing)
    for widget in widgets:
        row.addWidget(widget)
    return box


def shrinkable_combo(combo: QComboBox, chars: int) -> None:
    """A filter combo box in a flow: at least ``chars`` characters wide whatever its items, at most twice that
    (long names elided; the list shows them whole)."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(chars)
    combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    combo.setMaximumWidth(combo.minimumSizeHint().width() * 2)
    combo.view().setTextElideMode(Qt.TextElideMode.ElideNone)
