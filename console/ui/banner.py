"""Messages across the top of a panel: plain text, word-wrapped, with a close button.

:class:`Banner` is the panels' one banner (doors, visitors): what just happened, in words with a symbol and in
the theme's colours (never colour alone), dismissible, optionally hidden again after a few seconds.
:class:`MessageStrip` is the bare strip it stands on (the events panel's gap banner uses it directly).
"""

from __future__ import annotations

from typing import Literal, get_args

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QToolButton, QWidget

from console.ui import theme

__all__ = ["Banner", "BannerKind", "MessageStrip"]

BannerKind = Literal["info", "ok", "warn", "alarm", "blocked"]
"""``info``: news; ``ok``: done; ``warn``: not done or not sure, look at it; ``alarm``: failed or refused;
``blocked``: the loudest (a visitor on the block list)."""
KINDS: tuple[BannerKind, ...] = get_args(BannerKind)
SYMBOLS: dict[str, str] = {"info": "ℹ", "ok": "✓", "warn": "⚠", "alarm": "✗", "blocked": "⚠ ✗"}


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


class Banner(MessageStrip):
    """What just happened, in words: ``show_message(kind, text, seconds=None)``.

    ``kind`` is a :data:`BannerKind`; the text is shown literally after the kind's symbol (``"✓ Door 3
    opened"``), in the theme's colours for the kind (restyled when the theme changes). ``seconds`` hides the
    message again after that long; ``None`` takes the banner's default (``seconds`` of the constructor, None:
    it stays until dismissed), ``0`` keeps this message until dismissed. ``text``, ``kind`` and ``ok`` (True
    for ok, False for alarm and blocked, None otherwise) tell what the banner says; they keep the last
    message after it is dismissed or hidden, :meth:`clear` forgets it.
    """

    def __init__(
        self,
        object_name: str = "banner",
        accessible_name: str = "Message",
        parent: QWidget | None = None,
        *,
        seconds: float | None = None,
        selectable: bool = False,
    ) -> None:
        super().__init__(object_name, accessible_name, parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        if selectable:
            self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.seconds = seconds
        self.kind: BannerKind | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.dismiss)
        self._restyle_pending = False

    def show_message(self, kind: BannerKind, text: str, *, seconds: float | None = None) -> None:
        if kind not in SYMBOLS:
            raise ValueError(f"unknown banner kind {kind!r}; choose one of {', '.join(KINDS)}")
        self.kind = kind
        self.setProperty("kind", kind)
        self.label.setText(f"{SYMBOLS[kind]} {text}")
        self.apply_theme()
        self.show()
        self.updateGeometry()
        wait = self.seconds if seconds is None else seconds
        if wait:
            self._timer.start(int(wait * 1000))
        else:
            self._timer.stop()

    @property
    def text(self) -> str:
        return self.label.text()

    @property
    def ok(self) -> bool | None:
        return {"ok": True, "alarm": False, "blocked": False}.get(self.kind or "")

    def dismiss(self) -> None:
        self._timer.stop()
        super().dismiss()

    def clear(self) -> None:
        """Hide and forget the message."""
        self.dismiss()
        self.kind = None
        self.setProperty("kind", None)
        self.label.setText("")

    def stop(self) -> None:
        """Stop the hide timer (the panel is going away)."""
        self._timer.stop()

    def apply_theme(self) -> None:
        p = theme.current()
        kind = self.kind or "info"
        weight, border = 600, "1px"
        size: float = p.font_size
        if kind == "blocked":  # the loudest look the theme has: solid alarm colour, large words
            fg, bg, edge = p.on_alarm, p.alarm, p.alarm_text
            weight, size, border = 700, p.font_size * 1.6, "3px"
        else:
            fg, bg, edge = {
                "ok": (p.ok_text, p.ok_bg, p.ok),
                "warn": (p.warn_text, p.warn_bg, p.warn),
                "alarm": (p.alarm_text, p.alarm_bg, p.alarm),
            }.get(kind, (p.info_text, p.info_bg, p.info))
            if kind == "alarm":
                weight = 700
        name = self.objectName()
        css = (
            f"QFrame#{name} {{ background: {bg}; border: {border} solid {edge}; border-radius: 4px; }}"
            f"QFrame#{name} QLabel {{ color: {fg}; background: transparent; border: none;"
            f" font-size: {size:.1f}pt; font-weight: {weight}; }}"
        )
        if css != self.styleSheet():  # (setting it sends the style events that call this again)
            self.setStyleSheet(css)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        themed = event.type() in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange)
        if themed and self.kind is not None and not self._restyle_pending:
            # deferred: the theme module records the new palette only after Qt has sent these events
            self._restyle_pending = True
            QTimer.singleShot(0, self, self._restyle)

    def _restyle(self) -> None:
        self._restyle_pending = False
        self.apply_theme()
