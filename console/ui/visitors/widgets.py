"""Small widgets of the visitor desk: a one-line elided label and the visitor-facing screen."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QGuiApplication, QResizeEvent
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ..banner import Banner, BannerKind  # the panels' one banner, re-exported (it used to live here)
from ..text import plain_label, tooltip
from .qr import QrView

__all__ = ["Banner", "BannerKind", "ElidedLabel", "VisitorScreen"]


class ElidedLabel(QLabel):
    """One line of plain text, elided to the width it has; the whole text is the tooltip."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self._full = ""
        self.set_full_text(text)

    def full_text(self) -> str:
        return self._full

    def set_full_text(self, text: str) -> None:
        self._full = " ".join(text.split())
        self.setToolTip(tooltip(self._full))  # server text: escaped, never rich
        self._elide()

    def _elide(self) -> None:
        width = max(20, self.width())
        super().setText(self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, width))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()


class VisitorScreen(QWidget):
    """A window for a second screen turned to the visitor: a welcome and the QR code, big."""

    def __init__(self) -> None:
        super().__init__(None, Qt.WindowType.Window)
        self.setWindowTitle("Visitor screen")
        self.setObjectName("visitorScreen")
        self.welcome = ElidedLabel("Welcome")
        self.welcome.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = QFont(self.welcome.font())
        font.setPointSize(28)
        font.setBold(True)
        self.welcome.setFont(font)
        self.detail = ElidedLabel("")
        self.detail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        small = QFont(self.detail.font())
        small.setPointSize(16)
        self.detail.setFont(small)
        self.qr = QrView(min_module=12)
        self.qr.set_placeholder("Your QR code will appear here")
        hint = plain_label("Scan this code with your phone, or show it at the turnstile.")
        hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        hint.setFont(small)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 30, 40, 30)
        layout.addWidget(self.welcome)
        layout.addWidget(self.detail)
        layout.addWidget(self.qr, 1)
        layout.addWidget(hint)
        self.resize(720, 860)

    def show_visit(self, name: str, detail: str, qr_value: str) -> None:
        self.welcome.set_full_text(f"Welcome, {name}" if name else "Welcome")
        self.detail.set_full_text(detail)
        if qr_value:
            self.qr.set_value(qr_value)
        else:
            self.qr.clear("Your QR code will appear here")

    def show_on_best_screen(self) -> None:
        """Full screen on a second monitor when there is one, else a normal window."""
        screens = QGuiApplication.screens()
        if len(screens) > 1:
            target = next((s for s in screens if s is not QGuiApplication.primaryScreen()), screens[-1])
            self.setScreen(target)
            self.setGeometry(target.availableGeometry())
            self.showFullScreen()
        else:
            self.show()
        self.raise_()
