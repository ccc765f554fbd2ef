"""What the board says when it shows nothing: what to do about it, never a blank area.

Over the board's viewport: "No door or gate matches 'lobyy': clear the filter" with the button that does it,
or, with no filter, why the board is empty (waiting for the server's first answer, or a server without doors).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QAbstractScrollArea, QLabel, QPushButton, QVBoxLayout, QWidget

__all__ = ["EmptyBoard", "empty_words"]


def empty_words(filtered: str, total: int, polled: bool) -> str:
    """The sentence for an empty board: ``filtered`` is the filter in words ("" when nothing is filtered)."""
    if filtered:
        of = f" (of {total})" if total else ""
        return f"No door or gate{of} matches {filtered}: clear the filter."
    if not polled:
        return "Waiting for the server's first answer: doors and gates appear here as soon as it comes."
    return "This server has no doors or gates (or this token may not see them)."


class EmptyBoard(QWidget):
    """Laid over ``view``'s viewport and kept to its size; hidden while the board shows anything."""

    def __init__(self, view: QAbstractScrollArea) -> None:
        super().__init__(view.viewport())
        self.setObjectName("boardEmpty")
        self.view = view
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        self.label = QLabel()
        self.label.setObjectName("boardEmptyText")
        self.label.setTextFormat(Qt.TextFormat.PlainText)  # the filter text is the operator's, area names the server's
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setProperty("role", "hint")
        layout.addWidget(self.label)
        self.clear_button = QPushButton("Clear the filter")
        self.clear_button.setObjectName("clearBoardFilter")
        layout.addWidget(self.clear_button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(2)
        view.viewport().installEventFilter(self)
        self.hide()

    def say(self, text: str, *, filtered: bool) -> None:
        """Show ``text`` (and the clear button when a filter is the reason); ``""`` hides the whole."""
        self.label.setText(text)
        self.clear_button.setVisible(filtered)
        self.setVisible(bool(text))
        if text:
            self.setGeometry(self.view.viewport().rect())
            self.raise_()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and watched is self.view.viewport():
            self.setGeometry(self.view.viewport().rect())
        return False
