"""A splitter that puts its panes side by side when it is wide and one above the other when it is narrow.

A desk's panes (a list and the form that acts on its selection) read best side by side, but side by side they
need the sum of their widths: on a 1280 px screen, next to the alarm column, that pushes a dock under its
neighbour. :class:`FoldingSplitter` is side by side from ``wide`` px up (and only when its panes' minimum
widths fit), and stacks them below that. Its minimum width is the stacked one, the widest pane's: a column
narrower than the panes side by side never overflows, it folds. Each arrangement keeps the sizes the operator
dragged its panes to.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLayout, QSplitter, QWidget

__all__ = ["FoldingSplitter"]


class FoldingSplitter(QSplitter):
    """Side by side at ``wide`` px and wider, one above the other when narrower."""

    def __init__(self, wide: int, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.wide = wide
        self._sizes: dict[Qt.Orientation, list[int]] = {}  # each arrangement's sizes: the default, then dragged
        self.splitterMoved.connect(self._dragged)

    def set_default_sizes(self, orientation: Qt.Orientation, sizes: list[int]) -> None:
        """The panes' sizes (in proportion) in ``orientation`` until the operator drags them."""
        self._sizes[orientation] = sizes
        if orientation == self.orientation():
            self.setSizes(sizes)

    def _dragged(self, _pos: int, _index: int) -> None:
        self._sizes[self.orientation()] = self.sizes()

    def _panes(self) -> list[QWidget]:
        return [w for w in (self.widget(i) for i in range(self.count())) if w is not None and not w.isHidden()]

    def _side_by_side_width(self) -> int:
        panes = self._panes()
        widths = sum(QLayout.closestAcceptableSize(w, QSize(0, 0)).width() for w in panes)
        return widths + self.handleWidth() * max(0, len(panes) - 1) + 2 * self.frameWidth()

    def fold_for(self, width: int) -> None:
        """Take the arrangement for ``width`` px (the operator's sizes of each arrangement kept)."""
        wanted = (Qt.Orientation.Horizontal if width >= max(self.wide, self._side_by_side_width())
                  else Qt.Orientation.Vertical)
        if wanted == self.orientation():
            return
        self.setOrientation(wanted)
        saved = self._sizes.get(wanted)
        if saved:
            self.setSizes(saved)

    @property
    def folded(self) -> bool:
        """Whether the panes are one above the other."""
        return self.orientation() == Qt.Orientation.Vertical

    def resizeEvent(self, event: QResizeEvent) -> None:
        self.fold_for(event.size().width())
        super().resizeEvent(event)

    def minimumSizeHint(self) -> QSize:
        """As narrow as the widest pane (it folds below the panes' widths side by side)."""
        hint = super().minimumSizeHint()
        panes = self._panes()
        if self.folded or not panes:
            return hint
        stacked = max(QLayout.closestAcceptableSize(w, QSize(0, 0)).width() for w in panes) + 2 * self.frameWidth()
        return QSize(min(hint.width(), stacked), hint.height())
