"""The panels of one connected session: built, linked, started and stopped together.

The composition root (:mod:`console.ui.app`) makes one :class:`Workspace` per connection. The doors panel is
required (the self-test and the status bar stand on it); the events/alarms and visitor panels are built
each in isolation, so that one failing to build is reported and the others still run.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow, QWidget

from console.services.session import Session
from console.ui.main_window import MainWindow

__all__ = ["ALARMS", "DOORS", "EVENTS", "VISITORS", "PinnedColumn", "Workspace"]

log = logging.getLogger(__name__)

DOORS, EVENTS, ALARMS, VISITORS = "doors", "events", "alarms", "visitors"
TITLES = {DOORS: "Doors and gates", EVENTS: "Events", ALARMS: "Alarms", VISITORS: "Visitors"}
REALERT_AFTER = timedelta(minutes=5)
ALARMS_WIDTH = 430
UNLIMITED = 16_777_215  # QWIDGETSIZE_MAX


class PinnedColumn(QObject):
    """Keeps a docked side panel at its width while the window grows or shrinks: the room goes to the others.

    Without a central widget Qt shares a window's new width equally among the dock areas (and
    ``resizeDocks`` does not hold), so a queue column would take half of a 1920 px screen from the board.
    The dock's maximum width is the pin; the operator still drags the separator (the pin is lifted while the
    mouse is down on the window's separators and set again where it is released), and a floating dock has no
    pin at all.
    """

    def __init__(self, window: QMainWindow, dock: QDockWidget, width: int) -> None:
        super().__init__(dock)
        self.window = window
        self.dock = dock
        self.width = width
        self._dragging = False
        window.installEventFilter(self)
        dock.topLevelChanged.connect(self._pin)
        dock.dockLocationChanged.connect(self._pin)
        self._pin()

    @property
    def pinned(self) -> bool:
        """Docked on the right, beside the others (floating, or moved among the others, it is left free)."""
        area = self.window.dockWidgetArea(self.dock)
        return not self.dock.isFloating() and area == Qt.DockWidgetArea.RightDockWidgetArea

    def _pin(self, *_: object) -> None:
        self.dock.setMaximumWidth(self.width if self.pinned else UNLIMITED)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if watched is self.window and self.pinned:
            if kind == QEvent.Type.MouseButtonPress:  # the window itself only gets presses on its separators
                self._dragging = True
                self.dock.setMaximumWidth(UNLIMITED)
            elif kind == QEvent.Type.MouseButtonRelease and self._dragging:
                self._dragging = False
                self.width = max(self.dock.minimumSizeHint().width(), self.dock.width())
                self._pin()
        return False

    def detach(self) -> None:
        self.window.removeEventFilter(self)
        self.dock.setMaximumWidth(UNLIMITED)


@dataclass
class Workspace:
    session: Session
    audit: Any
    settings: Any
    window: MainWindow
    doors: Any = None  # console.ui.doors.DoorsPanel
    events: Any = None  # console.ui.events.EventsPanel
    alarms: Any = None  # console.ui.alarms.AlarmsPanel
    visitors: Any = None  # console.ui.visitors.VisitorsPanel
    journal: Any = None
    stream: Any = None
    queue: Any = None
    _undo: list[Callable[[], None]] = field(default_factory=list)

    # -- building --------------------------------------------------------------------------------

    def build_doors(self) -> QWidget:
        from console.ui.doors import DoorsPanel

        self.doors = DoorsPanel(self.session, self.audit, self.settings)
        self.window.add_panel(DOORS, TITLES[DOORS], self.doors, closable=False)
        return self.doors

    def build_optional(self, report: Callable[[BaseException, str], None]) -> None:
        """Events + alarms, then visitors; a panel that cannot be built is reported and left out."""
        for name, build in ((EVENTS, self._build_events), (VISITORS, self._build_visitors)):
            try:
                build()
            except Exception as exc:
                report(exc, f"the {TITLES[name].lower()} panel could not be built")

    def _build_events(self) -> None:
        from console.services.events.alarms import AlarmQueue
        from console.services.events.journal import Journal
        from console.services.events.rules import Classifier
        from console.services.events.stream import EventStream
        from console.ui.alarms import AlarmsPanel
        from console.ui.events import EventsPanel

        session, settings = self.session, self.settings
        self.journal = Journal(session.paths.data_dir)
        self.stream = EventStream(
            session.client,
            self.journal,
            classifier=Classifier.from_settings(settings.get("events")),
            interval=session.profile.poll_interval,
        )
        self.queue = AlarmQueue(self.journal, self.audit, realert_after=REALERT_AFTER, operator=session.operator)
        self._undo.append(self.stream.events_added.connect(self.queue.offer))
        self.events = EventsPanel(session, self.journal, self.stream, settings)
        self.alarms = AlarmsPanel(self.queue, settings)
        self.window.add_panel(EVENTS, TITLES[EVENTS], self.events, tab_with=DOORS)
        dock = self.window.add_panel(ALARMS, TITLES[ALARMS], self.alarms, area=Qt.DockWidgetArea.RightDockWidgetArea)
        # The board keeps the room; the queue is a column beside it (a saved layout overrides this)
        self._undo.append(PinnedColumn(self.window, dock, ALARMS_WIDTH).detach)
        self.queue.load()  # after the panel exists, so that alarms left from the last shift ring
        self._undo.append(self.queue.queue_changed.connect(lambda _change: self.events.refresh_selected()))
        self.events.door_requested.connect(self.show_door)
        self.alarms.event_requested.connect(self.show_event)
        self.alarms.count_changed.connect(self._alarm_count)
        self._alarm_count(self.queue_size())

    def _build_visitors(self) -> None:
        from console.ui.visitors import VisitorsPanel

        self.visitors = VisitorsPanel(self.session, self.audit, self.settings)
        self.window.add_panel(VISITORS, TITLES[VISITORS], self.visitors, tab_with=DOORS)
        self.visitors.outbox_changed.connect(self.window.status.set_outbox)

    # -- links between panels --------------------------------------------------------------------

    def show_door(self, name: str) -> None:
        """From an event to its door or gate on the board (matched by name, as events carry no door id)."""
        if self.doors is None:
            return
        key = next((item.key for item in self.doors.board.items if item.name == name), None)
        if key is None:
            self.window.status.showMessage(f"No door or gate named {name[:80]!r} on the board", 5000)
            return
        self._raise(DOORS)
        self.doors.select(key)

    def show_event(self, key: str) -> None:
        if self.events is not None and self.events.select_event(key):
            self._raise(EVENTS)

    def _raise(self, key: str) -> None:
        dock = self.window.dock(key)
        if dock is not None:
            dock.show()
            dock.raise_()

    def queue_size(self) -> int:
        return len(self.queue) if self.queue is not None else 0

    def _alarm_count(self, count: int) -> None:
        dock = self.window.dock(ALARMS)
        if dock is not None:
            dock.setWindowTitle(f"Alarms ({count})" if count else "Alarms")
        self.window.status.set_alarms(count)

    # -- life cycle ------------------------------------------------------------------------------

    @property
    def panels(self) -> list[Any]:
        return [p for p in (self.doors, self.events, self.alarms, self.visitors) if p is not None]

    async def start(self) -> None:
        """Start the doors panel: the first thing a guard needs, so it polls before anything else is built."""
        if self.doors is not None:
            await self.doors.start()

    async def start_rest(self, report: Callable[[BaseException, str], None]) -> None:
        """Build and start the other panels (events, alarms, visitors), once the board is up."""
        self.build_optional(report)
        for panel in (self.events, self.visitors):
            if panel is not None:
                await panel.start()

    async def stop(self) -> None:
        """Stop in reverse order; each step is isolated so one failure cannot keep the rest running."""
        for undo in self._undo:
            with contextlib.suppress(Exception):
                undo()
        self._undo.clear()
        for panel in (self.visitors, self.events, self.doors):
            if panel is None or not hasattr(panel, "stop"):
                continue
            try:
                await asyncio.wait_for(panel.stop(), 10)
            except Exception:
                log.exception("%s did not stop cleanly", type(panel).__name__)
        if self.alarms is not None and hasattr(self.alarms, "shutdown"):
            with contextlib.suppress(Exception):
                self.alarms.shutdown()
        if self.journal is not None:
            with contextlib.suppress(Exception):
                self.journal.close()

    def apply_theme(self) -> None:
        for panel in self.panels:
            apply = getattr(panel, "apply_theme", None)
            if callable(apply):
                apply()
