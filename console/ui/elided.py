"""A one-line label that gives way: on a narrow window it shows the start of its text and "…" instead of
pushing its neighbours (or the window) wider. ``text()`` is always the whole text; the tool tip, when the label
has none of its own, says it whole while it is cut."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QWidget

from .text import tooltip

__all__ = ["ElidedLabel"]

MIN_CHARS = 6  # the narrowest it gets: a few letters and "…"


class ElidedLabel(QLabel):
    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self._full = ""
        self._own_tip = ""
        self.keep_whole = False  # True: never cut (the connection state): its whole width is its minimum
        self.setText(text)

    def text(self) -> str:
        return self._full

    def shown(self) -> str:
        """What is painted now (the text, or its start and "…")."""
        return super().text()

    def elided(self) -> bool:
        return self.shown() != self._full

    def setText(self, text: str) -> None:
        if text == self._full and self.shown():
            return
        self._full = text
        self._elide()
        self.updateGeometry()

    def setToolTip(self, text: str) -> None:
        self._own_tip = text
        super().setToolTip(text)

    def _chrome(self) -> int:
        """Width around the text (margins, stylesheet padding)."""
        return max(0, self.width() - self.contentsRect().width())

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        fm = self.fontMetrics()
        extra = hint.width() - fm.horizontalAdvance(self.shown())
        return QSize(fm.horizontalAdvance(self._full) + max(0, extra), hint.height())

    def minimumSizeHint(self) -> QSize:
        hint = self.sizeHint()
        if self.keep_whole:
            return hint
        fm = self.fontMetrics()
        narrow = fm.horizontalAdvance("M" * MIN_CHARS) + self.contentsMargins().left() + self.contentsMargins().right()
        return QSize(min(hint.width(), narrow), super().minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        width = self.contentsRect().width()
        text = self._full
        if not self.keep_whole and width > 0 and self.fontMetrics().horizontalAdvance(text) > width:
            text = self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, width)
        if super().text() != text:
            super().setText(text)
        if not self._own_tip:
            super().setToolTip(tooltip(self._full) if text != self._full else "")
