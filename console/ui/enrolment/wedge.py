"""A USB card reader that "types" the card number (a keyboard wedge): fast keystrokes ending in Enter.

While armed (the operator pressed *Scan card*), :class:`CardWedge` watches the application's key presses.
Letters and digits are held back as long as they come fast (at most ``gap`` seconds apart, as a reader types);
Enter after at least ``min_length`` fast characters is a card: ``card_read(number)`` and the keys are
consumed. A slow key (a person typing) releases what was held back to the widget it was meant for, and the
typing goes on there: nothing is stolen. Esc or ``timeout`` seconds disarm it.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QWidget

__all__ = ["CardWedge"]


class CardWedge(QObject):
    card_read = Signal(str)
    armed_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, *, gap: float = 0.05, min_length: int = 4,
                 timeout: float = 20.0, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(parent)
        self.gap = gap
        self.min_length = min_length
        self.clock = clock
        self.armed = False
        self._held: list[tuple[QWidget | None, QKeyEvent]] = []
        self._last = 0.0
        self._replaying = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(int(timeout * 1000))
        self._timer.timeout.connect(self.disarm)
        self._flush = QTimer(self)
        self._flush.setSingleShot(True)
        self._flush.setInterval(max(1, int(gap * 3000)))
        self._flush.timeout.connect(self.flush_if_idle)

    def arm(self) -> None:
        if self.armed:
            return
        app = QApplication.instance()
        if app is None:
            return
        app.installEventFilter(self)
        self.armed = True
        self._held.clear()
        self._timer.start()
        self.armed_changed.emit(True)

    def disarm(self) -> None:
        if not self.armed:
            return
        self._release()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
        self.armed = False
        self._timer.stop()
        self.armed_changed.emit(False)

    def _release(self) -> None:
        """Give the held keys to the widgets they were meant for (a person was typing)."""
        held, self._held = self._held, []
        self._replaying = True
        try:
            for target, event in held:
                if target is not None:
                    QApplication.sendEvent(target, event)
        finally:
            self._replaying = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._replaying or event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        if not isinstance(watched, QWidget) or watched is not QApplication.focusWidget():
            return False  # the same key is filtered once per receiver: act on the focus widget only
        now = self.clock()
        key = event.key()
        if key == Qt.Key.Key_Escape:
            self.disarm()
            return False
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if len(self._held) >= self.min_length and now - self._last <= self.gap * 4:
                number = "".join(e.text() for _, e in self._held)
                self._held.clear()
                self.card_read.emit(number)
                self.disarm()
                return True
            self._release()
            return False
        text = event.text()
        if len(text) != 1 or not text.isalnum():
            self._release()
            return False
        if self._held and now - self._last > self.gap:
            self._release()  # slow: a person typing; this key goes on too
            self._last = now
            copy = QKeyEvent(event.type(), event.key(), event.modifiers(), event.text())
            self._held.append((watched, copy))
            self._flush.start()
            return True
        self._last = now
        copy = QKeyEvent(event.type(), event.key(), event.modifiers(), event.text())
        self._held.append((watched, copy))
        self._flush.start()
        return True

    def flush_if_idle(self) -> None:
        """A lone held key with nothing after it: give it back (called by a short timer from the panel)."""
        if self._held and self.clock() - self._last > self.gap:
            self._release()
