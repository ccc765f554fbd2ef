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

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from console.services.session import Session
from console.ui.main_window import MainWindow

__all__ = ["ALARMS", "DOORS", "EVENTS", "VISITORS", "Workspace"]

log = logging.getLogger(__name__)

DOORS, EVENTS, ALARMS, VISITORS = "doors", "events", "alarms", "visitors"
TITLES = {DOORS: "Doors and gates", EVENTS: "Events", ALARMS: "Alarms", VISITORS: "Visitors"}
REALERT_AFTER = timedelta(minutes=5)
ALARMS_WIDTH = 430


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
        # the board keeps the room; the queue is a column beside it (a saved layout overrides this)
        self.window.resizeDocks([dock], [ALARMS_WIDTH], Qt.Orientation.Horizontal)
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
        for panel in (self.doors, self.events, self.visitors):
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
