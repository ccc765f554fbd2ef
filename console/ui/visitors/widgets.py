"""Small widgets of the visitor desk: a one-line elided label, the message banner, the visitor-facing screen."""

from __future__ import annotations

from typing import Literal

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QGuiApplication, QResizeEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QVBoxLayout, QWidget

from console.ui import theme

from .form import plain_label
from .qr import QrView

__all__ = ["Banner", "BannerKind", "ElidedLabel", "VisitorScreen"]

BannerKind = Literal["info", "ok", "warn", "alarm", "blocked"]
_STATE = {"info": "info", "ok": "ok", "warn": "warn", "alarm": "alarm", "blocked": "alarm"}
_SYMBOL = {"info": "ℹ", "ok": "✔", "warn": "⚠", "alarm": "✖", "blocked": "⚠ ✖"}


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
        self.setToolTip(self._full)
        self._elide()

    def _elide(self) -> None:
        width = max(20, self.width())
        super().setText(self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideRight, width))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()


class Banner(QFrame):
    """What just happened, in words (and a symbol): never colour alone. The block list gets its own look."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("visitorBanner")
        self.kind: BannerKind | None = None
        self.label = plain_label()
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QToolButton()
        close.setText("✕")
        close.setToolTip("Hide this message")
        close.setAutoRaise(True)
        close.clicked.connect(self.clear)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 6, 6)
        layout.addWidget(self.label, 1)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    @property
    def text(self) -> str:
        return self.label.text()

    def show_message(self, kind: BannerKind, text: str) -> None:
        self.kind = kind
        self.label.setText(f"{_SYMBOL[kind]}  {text}")
        palette = theme.current()
        if kind == "blocked":  # the loudest look the theme has: solid alarm colour
            self.setProperty("state", None)
            self.setStyleSheet(f"QFrame#visitorBanner {{ background: {palette.alarm}; border: 3px solid "
                               f"{palette.alarm_text}; border-radius: 4px; }}")
            colour = palette.on_alarm
        else:
            self.setProperty("state", _STATE[kind])
            self.setStyleSheet("")
            colour = getattr(palette, f"{_STATE[kind]}_text")
        size = palette.font_size * (1.6 if kind == "blocked" else 1.0)
        weight = 700 if kind in ("alarm", "blocked") else 400
        self.label.setStyleSheet(f"background: transparent; border: none; color: {colour}; "
                                 f"font-size: {size:.1f}pt; font-weight: {weight};")
        self.style().unpolish(self)
        self.style().polish(self)
        self.show()
        self.updateGeometry()

    def clear(self) -> None:
        self.kind = None
        self.label.setText("")
        self.hide()


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
