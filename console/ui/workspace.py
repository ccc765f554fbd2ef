"""The panels of one connected session: built over its services, linked, started and stopped together.

The composition root (:mod:`console.ui.app`) builds one :class:`~console.services.session_services.
SessionServices` per connection and hands it to one :class:`Workspace`, which only builds widgets over it.
The doors panel is required (the self-test and the status bar stand on it); the events/alarms and visitor
panels are built each in isolation, so that one failing to build is reported and the others still run.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow

from console.services.session_services import SessionServices
from console.services.settings import Settings
from console.ui import empty_states, feed_notice
from console.ui.main_window import MainWindow
from console.ui.panel import Panel

if TYPE_CHECKING:  # built lazily: the board paints before the other panels' imports (pyqtgraph...) run
    from console.ui.alarms import AlarmsPanel
    from console.ui.doors import DoorsPanel
    from console.ui.enrolment import EnrolmentPanel
    from console.ui.events import EventsPanel
    from console.ui.parking import ParkingPanel
    from console.ui.spaces import SpacesPanel
    from console.ui.visitors import VisitorsPanel

__all__ = ["ALARMS", "DOORS", "EVENTS", "PARKING", "PEOPLE", "SPACES", "VISITORS", "PinnedColumn", "Workspace"]

log = logging.getLogger(__name__)

DOORS, EVENTS, ALARMS, VISITORS = "doors", "events", "alarms", "visitors"
PARKING = "parking"
SPACES = "spaces"
PEOPLE = "people"
TITLES = {DOORS: "Doors and gates", EVENTS: "Events", ALARMS: "Alarms", VISITORS: "Visitors", PARKING: "Parking"}
TITLES[SPACES] = "Spaces"
TITLES[PEOPLE] = "People"
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
    """The panels over one connection's :class:`SessionServices`: built, docked and linked; no service here."""

    services: SessionServices
    window: MainWindow
    doors: DoorsPanel | None = None
    events: EventsPanel | None = None
    alarms: AlarmsPanel | None = None
    visitors: VisitorsPanel | None = None
    parking: ParkingPanel | None = None
    spaces: SpacesPanel | None = None
    people: EnrolmentPanel | None = None
    _undo: list[Callable[[], None]] = field(default_factory=list)

    @property
    def settings(self) -> Settings:
        return self.services.settings

    # -- building --------------------------------------------------------------------------------

    def build_doors(self) -> DoorsPanel:
        from console.ui.doors import DoorsPanel

        self.doors = DoorsPanel(self.services.doors, self.settings)
        self.window.add_panel(DOORS, TITLES[DOORS], self.doors, closable=False)
        return self.doors

    def build_optional(self, report: Callable[[BaseException, str], None]) -> None:
        """Events + alarms, then visitors; a panel that cannot be built is reported and left out."""
        for name, problem in self.services.problems.items():
            report(problem, f"the {name} services could not be started")
        for name, build in ((EVENTS, self._build_events), (VISITORS, self._build_visitors),
                            (PARKING, self._build_parking), (SPACES, self._build_spaces),
                            (PEOPLE, self._build_people)):
            try:
                build()
            except Exception as exc:
                report(exc, f"the {TITLES[name].lower()} panel could not be built")

    def _build_events(self) -> None:
        services = self.services.events
        if services is None:
            return
        from console.ui.alarms import AlarmsPanel
        from console.ui.events import EventsPanel

        session = self.services.session
        events = EventsPanel(services.journal, services.stream, self.settings, client=session.client,
                             export_dir=session.paths.data_dir)
        alarms = AlarmsPanel(services.alarms, self.settings)
        self.events, self.alarms = events, alarms
        self.window.add_panel(EVENTS, TITLES[EVENTS], events, tab_with=DOORS)
        dock = self.window.add_panel(ALARMS, TITLES[ALARMS], alarms, area=Qt.DockWidgetArea.RightDockWidgetArea)
        # The board keeps the room; the queue is a column beside it (a saved layout overrides this)
        self._undo.append(PinnedColumn(self.window, dock, ALARMS_WIDTH).detach)
        self._undo.append(services.alarms.queue_changed.connect(lambda _change: events.refresh_selected()))
        self._undo.append(services.alarms.events_raised.connect(events.add_events))
        # an event raised later (the server's own level, read after its name filed it lower): rows show it now
        self._undo.append(services.stream.levels_corrected.connect(lambda _events: events.model.refresh()))
        self._undo.append(services.stream.source_state.connect(lambda _status: self._alarm_feed()))
        self._undo.append(self.services.session.health_changed.connect(lambda _health: self._alarm_feed()))
        people = self.services.people  # names and departments for pins the events do not name
        if people is not None:
            events.model.names = alarms.model.names = people
            self._undo.append(people.names_changed.connect(events.model.names_known))
            self._undo.append(people.names_changed.connect(alarms.model.names_known))
        events.door_requested.connect(self.show_door)
        alarms.event_requested.connect(self.show_event)
        # F8 (take the next alarm) and F9 (acknowledge it with a note) from any panel; a selected alarm's door
        # on the floor plan
        for action in alarms.workflow.window_actions():
            self.window.addAction(action)
        alarms.workflow.alarm_selected.connect(self.show_alarm)
        alarms.count_changed.connect(self._alarm_count)
        self._undo.append(services.alarms.queue_changed.connect(lambda _alarms: self._alarm_count(self.queue_size())))
        alarms.mute_changed.connect(self.window.status.set_mute)  # the mute and its end, always in sight
        self.window.status.set_mute(alarms.mute_control.words())
        self._undo.append(lambda: self.window.status.set_mute(""))  # no queue, no mute to show
        self._alarm_count(self.queue_size())
        self._alarm_feed()

    def _build_visitors(self) -> None:
        desk = self.services.visitors
        if desk is None:
            return
        from console.ui.visitors import VisitorsPanel

        self.visitors = VisitorsPanel(desk, self.settings)
        self.window.add_panel(VISITORS, TITLES[VISITORS], self.visitors, tab_with=DOORS)
        self.visitors.outbox_changed.connect(self.window.status.set_outbox)
        feed_notice.attach(self.visitors, self.services.session, None, "from the server")  # its own word
        self.visitors.setProperty("emptyHints", len(empty_states.attach_visitors(self.visitors)))  # what to do

    def _build_parking(self) -> None:
        desk = self.services.parking
        if desk is None:
            return
        from console.ui.parking import ParkingPanel

        self.parking = ParkingPanel(desk, self.settings)
        self.window.add_panel(PARKING, TITLES[PARKING], self.parking, tab_with=DOORS)
        feed_notice.attach(self.parking, self.services.session, "parking", "parking updates")
        self.parking.setProperty("emptyHints", len(empty_states.attach_parking(self.parking)))

    def _build_spaces(self) -> None:
        desk = self.services.spaces
        if desk is None:
            return
        from console.ui.spaces import SpacesPanel

        self.spaces = SpacesPanel(desk, self.settings, profile=self.services.session.profile.name)
        self.window.add_panel(SPACES, TITLES[SPACES], self.spaces, tab_with=DOORS)
        feed_notice.attach(self.spaces, self.services.session, "spaces", "booking updates")
        self.spaces.setProperty("emptyHints", len(empty_states.attach_spaces(self.spaces)))

    def _build_people(self) -> None:
        desk = self.services.enrolment
        if desk is None:
            return
        from console.ui.enrolment import EnrolmentPanel

        self.people = EnrolmentPanel(desk, self.settings)
        self.window.add_panel(PEOPLE, TITLES[PEOPLE], self.people, tab_with=DOORS)
        feed_notice.attach(self.people, self.services.session, None, "from the server")
        self.people.setProperty("emptyHints", len(empty_states.attach_people(self.people)))

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

    def show_alarm(self, key: str) -> str:
        """An alarm was selected (or taken with F8): its door on the board and on the floor plan, marked."""
        events = self.services.events
        alarm = events.alarms.get(key) if events is not None else None
        if alarm is None or self.doors is None:
            return "unknown"
        shown = self.doors.show_alarm_door(alarm.event.point, alarm.event.device_sn)
        if shown != "unknown":
            self._raise(DOORS)
        return shown

    def show_event(self, key: str) -> None:
        if self.events is not None and self.events.select_event(key):
            self._raise(EVENTS)

    def _raise(self, key: str) -> None:
        dock = self.window.dock(key)
        if dock is not None:
            dock.show()
            dock.raise_()

    def queue_size(self) -> int:
        events = self.services.events
        return len(events.alarms) if events is not None else 0

    def _alarm_count(self, count: int) -> None:
        dock = self.window.dock(ALARMS)
        if dock is not None:
            dock.setWindowTitle(f"Alarms ({count})" if count else "Alarms")
        from console.services.events import Priority  # (built with the events panel: loaded by then)

        events = self.services.events
        waiting = events.alarms.alarms if events is not None else []
        urgent = bool(waiting) and waiting[0].priority < Priority.LOW  # as the queue's headline colours it
        self.window.status.set_alarms(count, urgent=urgent)

    def _alarm_feed(self) -> None:
        """Tell the alarm queue whether alarms are being received: the access events' source is the feed."""
        from console.services.events import Source
        from console.services.events.stream import SourceState

        events = self.services.events
        if self.alarms is None or events is None:
            return
        status = events.stream.status(Source.ACCESS)
        receiving = status.state is not SourceState.FAILING
        self.alarms.set_feed(receiving, status.failing_since, status.error)

    # -- life cycle ------------------------------------------------------------------------------

    @property
    def panels(self) -> list[Panel]:
        candidates: list[Panel | None] = [self.doors, self.events, self.alarms, self.visitors, self.parking,
                                             self.spaces, self.people]
        return [p for p in candidates if p is not None]

    async def start(self) -> None:
        """Start the board: the first thing a guard needs, so it polls before anything else is built."""
        await self.services.start_doors()
        if self.doors is not None:
            await self.doors.start()

    async def start_rest(self, report: Callable[[BaseException, str], None]) -> None:
        """Build and start the other panels (events, alarms, visitors), once the board is up."""
        self.services.build_rest()
        self.build_optional(report)
        await self.services.start_rest()
        for panel in self.panels:
            if panel is not self.doors:
                await panel.start()

    async def stop(self) -> None:
        """Stop the panels, then the services; each step isolated so one failure cannot keep the rest running."""
        self.services.session.close_health()  # the status bar must not turn "degraded" while closing
        for undo in self._undo:
            with contextlib.suppress(Exception):
                undo()
        self._undo.clear()
        for panel in reversed(self.panels):
            try:
                await asyncio.wait_for(panel.stop(), 3)
            except Exception:
                log.exception("%s did not stop cleanly", type(panel).__name__)
        await self.services.stop()

    def refresh_now(self) -> None:
        for panel in self.panels:
            panel.refresh_now()
        self.services.refresh_now()

    def apply_theme(self) -> None:
        for panel in self.panels:
            panel.apply_theme()

    def set_operator(self, name: str) -> None:
        self.services.set_operator(name)
        for panel in self.panels:
            panel.set_operator(name)
