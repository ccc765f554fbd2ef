"""A dismissible message strip across the top of a panel: plain text, word-wrapped, with a close button."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget

__all__ = ["MessageStrip"]


class MessageStrip(QFrame):
    """Subclasses decide what is said and how it looks; the close button calls :meth:`dismiss`."""

    def __init__(self, object_name: str, accessible_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.PlainText)  # server text is never markup
        self.label.setWordWrap(True)
        self.label.setAccessibleName(accessible_name)
        layout.addWidget(self.label, 1)
        close = QToolButton()
        close.setText("✕")
        close.setToolTip("Dismiss")
        close.setAutoRaise(True)
        close.clicked.connect(self.dismiss)
        layout.addWidget(close)
        self.hide()

    def dismiss(self) -> None:
        self.hide()
