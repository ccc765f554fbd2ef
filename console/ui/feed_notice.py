"""A panel's own word on the connection: "Not receiving visitor updates since 10:52" at the top of the panel
while its channel fails (or, for a panel without a poller, while the session is offline), gone as soon as a
poll succeeds again. The status bar says the connection's state; this says what it means in the panel.

``attach(panel, session, channel, what)`` puts the notice at the top of a panel whose layout is a box
layout; it re-reads the session every ``CHECK_MS`` (a channel's failures do not always change the overall
health, which is all the session announces).
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QBoxLayout, QLabel, QWidget

from console.services.session import Health, Session

__all__ = ["CHECK_MS", "FeedNotice", "attach"]

CHECK_MS = 1000


class FeedNotice(QLabel):
    """Shown while ``session`` says the ``channel`` (None: the whole connection) is not answering."""

    def __init__(self, session: Session, channel: str | None, what: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("feedNotice")
        self.setProperty("level", "warn")
        self.setWordWrap(True)
        self.setStyleSheet("QLabel#feedNotice { background: #7a4b00; color: white; padding: 4px 8px;"
                           " border-radius: 3px; font-weight: bold; }")
        self.session, self.channel, self.what = session, channel, what
        self.since: datetime | None = None
        self.hide()
        self._timer = QTimer(self)
        self._timer.setInterval(CHECK_MS)
        self._timer.timeout.connect(self.check)
        self._timer.start()
        self.check()

    def failing(self) -> bool:
        if self.channel is None:
            return self.session.health is Health.OFFLINE
        return self.session.channel_failures(self.channel) > 0

    def check(self) -> None:
        if not self.failing():
            self.since = None
            self.hide()
            return
        if self.since is None:  # the last good answer of any channel, else now
            last = self.session.last_ok
            self.since = last.astimezone().replace(tzinfo=None) if last is not None else datetime.now()
        self.setText(f"Not receiving {self.what} since {self.since:%H:%M}: what this panel shows may be out of "
                     "date; it is brought up to date by itself when the server answers again.")
        self.show()

    def stop(self) -> None:
        self._timer.stop()


def attach(panel: QWidget, session: Session, channel: str | None, what: str) -> FeedNotice | None:
    """Put a :class:`FeedNotice` at the top of ``panel`` (None when its layout is not a box layout)."""
    layout = panel.layout()
    if not isinstance(layout, QBoxLayout):
        return None
    notice = FeedNotice(session, channel, what, panel)
    layout.insertWidget(0, notice)
    return notice
