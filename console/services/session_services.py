"""Every service of one connection, built, started, stopped and owned in one place. No widgets.

::

    SessionServices.build(session, settings)
    ├── session      Session: the profile, the client, the operator, the health every poller reports to
    ├── audit        AuditLog: every write, with operator and profile (data/audit.sqlite3, shared by profiles)
    ├── doors        DoorServices: DoorBoard (poller "doors"), Commands, FloorPlans
    ├── events       EventServices: Journal (per profile), EventStream (poller "events"), AlarmQueue
    ├── people       PeopleNames: pin -> name, department (batched look-ups, cached per connection)
    ├── visitors     VisitorDesk (poller "outbox")
    ├── parking      ParkingDesk (poller "parking"; its alarms go to the AlarmQueue)
    ├── spaces       SpaceDesk (poller "spaces": the day's or week's room bookings)
    ├── enrolment    EnrolmentDesk (people: find, add, edit, resign, face checks; no poller)
    └── heap         HeapTrimmer: malloc_trim after a board poll, at most once a minute (glibc only)

    await services.start_doors()   the board polls first: it is what a guard needs in the first second
    services.build_rest()          the other panels' services (built by build(), unless rest=False)
    await services.start_rest()    then the event stream and the visitor outbox
    await services.stop()          pollers stopped, files closed, the client closed; idempotent

The UI receives this object and only builds widgets over it (``console.ui.workspace``); services talk to
each other here, never through a widget: new events go to the alarm queue, the health of the session wakes
the visitor outbox when the server is back. The events and visitor services are built each in isolation: one
that cannot be built (a damaged journal) is recorded in :attr:`SessionServices.problems` and left ``None``,
the others still run. A new panel's services are added here, with a field, a build step and a stop step.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING

from . import doors_options
from .audit import AuditLog
from .board_snapshot import SNAPSHOT_FILE, BoardSnapshot
from .commands import Commands
from .doors import DoorBoard, import_records
from .files import SetAside
from .floorplans import FloorPlans
from .memory import HeapTrimmer, limit_sqlite_heap
from .paths import Paths
from .polling import Poller
from .session import Health, Profile, Session
from .settings import Settings
from .state_codes import StateCodes

if TYPE_CHECKING:  # the other panels' services are imported when built (build_rest): the board comes first
    from console.api import Client

    from .enrolment.desk import EnrolmentDesk
    from .events.alarms import AlarmQueue
    from .events.board_link import BoardAlarms
    from .events.journal import Journal
    from .events.model import Event
    from .events.stream import EventStream
    from .parking.desk import ParkingAlarm, ParkingDesk
    from .people_names import PeopleNames
    from .spaces.desk import SpaceDesk
    from .visitors.desk import VisitorDesk

__all__ = ["REALERT_AFTER", "DoorServices", "EventServices", "SessionServices"]

log = logging.getLogger(__name__)

REALERT_AFTER = timedelta(minutes=5)  # an alarm left unacknowledged this long rings again
STOP_TIMEOUT = 2.0  # a poller is cancelled, not awaited to the end: shutdown stays within 5 s


@dataclass
class DoorServices:
    board: DoorBoard
    commands: Commands
    plans: FloorPlans


@dataclass
class EventServices:
    journal: Journal
    stream: EventStream
    alarms: AlarmQueue


@dataclass(eq=False)
class SessionServices:
    """The services of one connected profile (see the module docstring)."""

    session: Session
    settings: Settings
    audit: AuditLog
    doors: DoorServices
    events: EventServices | None = None
    visitors: VisitorDesk | None = None
    parking: ParkingDesk | None = None
    spaces: SpaceDesk | None = None
    enrolment: EnrolmentDesk | None = None
    problems: dict[str, BaseException] = field(default_factory=dict)  # what could not be built, and why
    board_alarms: BoardAlarms | None = None  # the alarm queue and the board agree (events/board_link.py)
    people: PeopleNames | None = None  # pin -> name and department for event and alarm rows (people_names.py)
    snapshot: BoardSnapshot | None = None  # the last good poll on disk, shown stale at the next start
    heap: HeapTrimmer = field(default_factory=HeapTrimmer)  # free heap back to the system (memory.py)
    _links: list[Callable[[], None]] = field(default_factory=list)
    _rest_built: bool = False
    _started: bool = False
    _stopped: bool = False

    # -- building --------------------------------------------------------------------------------

    @classmethod
    def connect(
        cls, profile: Profile, client: Client, *, operator: str, paths: Paths, settings: Settings, rest: bool = True
    ) -> SessionServices:
        """The session of ``profile`` over ``client`` (already probed by the caller) and its services (the board's
        alone with ``rest=False``: :meth:`build_rest` builds the others).

        Once built, the client belongs to the services (:meth:`stop` closes it); when building fails, the
        caller still owns it.
        """
        return cls.build(Session(profile, client, operator, paths), settings, rest=rest)

    @classmethod
    def build(cls, session: Session, settings: Settings, *, rest: bool = True) -> SessionServices:
        """Every service of ``session``; the audit log and the door board are required, the rest optional. With
        ``rest=False`` only the board's: the console paints the first tiles before it imports and opens the
        others (the journal, the desks), then calls :meth:`build_rest`."""
        paths, profile = session.paths, session.profile.name
        limit_sqlite_heap()  # process-wide, before the audit log's and the journal's connections (memory.py)
        audit = AuditLog.in_dir(paths.data_dir, operator=session.operator, profile=profile)
        try:
            board = DoorBoard(session, open_too_long_after=doors_options.open_too_long_seconds(settings),
                              state_codes=StateCodes.from_settings(settings.get("state_codes")))
            commands = Commands(session, audit, read_back=board.refresh_item)
            doors = DoorServices(board, commands, FloorPlans(paths.data_dir, profile))
        except BaseException:
            audit.close()
            raise
        if not rest:
            board.hold_lists()  # its first states are read without pydantic; the lists come with build_rest
        services = cls(session, settings, audit, doors)
        services._links.append(board.polled.connect(services._after_poll))  # a heap trim, at most once a minute
        try:  # the last known board, stale until the first poll (board_snapshot.py); never fatal
            services.snapshot = BoardSnapshot(board, paths.profile_dir(profile) / SNAPSHOT_FILE)
            services.snapshot.seed()
        except Exception:
            log.exception("the board snapshot could not be used")
        if rest:
            services.build_rest()
        return services

    def build_rest(self) -> None:
        """Build the other panels' services (events, visitors, parking, spaces, enrolment), once; one that cannot
        be built is recorded in :attr:`problems` and left ``None``."""
        if self._rest_built or self._stopped:
            return
        self._rest_built = True
        try:
            import_records()  # the API's records (pydantic, ~100 ms): the board's lists, then every desk, read them
        except Exception:  # a broken install: the board's lists fail with it, and say so
            log.exception("the API's records could not be imported")
        finally:
            self.doors.board.release_lists()
        for name, build in (
            ("events", self._build_events),
            ("visitors", self._build_visitors),
            ("parking", self._build_parking),
            ("spaces", self._build_spaces),
            ("enrolment", self._build_enrolment),
        ):
            try:
                build()
            except Exception as exc:
                log.exception("the %s services could not be built", name)
                self.problems[name] = exc

    def _build_events(self) -> None:
        from .events.alarms import AlarmQueue
        from .events.board_link import BoardAlarms
        from .events.journal import PROFILE_META, Journal
        from .events.model import Source
        from .events.priority import AlarmPriorities
        from .events.rules import Classifier
        from .events.stream import EventStream
        from .events.workflow import WorkflowStore
        from .people_names import PeopleNames

        session = self.session
        journal = Journal.open_repairing(session.paths.profile_dir(session.profile.name))  # damaged: set aside
        try:
            journal.set_meta({PROFILE_META: session.profile.name})
            classifier = Classifier.from_settings(self.settings.get("events"))
            stream = EventStream(session.client, journal, classifier=classifier, interval=session.poll_interval,
                                 policy=session.policy, health=session, sources=tuple(Source))  # elevator too
            # alarm priorities from the site's [alarm_priorities]; workflow states beside the journal
            workflow = WorkflowStore.beside(journal.path)
            alarms = AlarmQueue(journal, self.audit, realert_after=REALERT_AFTER, operator=session.operator,
                                priorities=AlarmPriorities.from_settings(self.settings.get("alarm_priorities")),
                                workflow=workflow)
        except BaseException:
            journal.close()
            raise
        self.events = EventServices(journal, stream, alarms)
        self.board_alarms = BoardAlarms(self.doors.board, alarms)  # acknowledged doors, low battery
        self._links.append(self.board_alarms.detach)
        self._links.append(stream.events_added.connect(alarms.offer))
        self._links.append(stream.levels_corrected.connect(alarms.offer))  # an alarm the name table missed
        self.people = PeopleNames(session.client)
        self._links.append(stream.events_added.connect(self._people_in_events))

    def _people_in_events(self, events: list[Event]) -> None:
        """Names the events carry are learnt; the pins without a name are looked up (batched, rate-limited)."""
        if self.people is None:
            return
        self.people.learn((e.pin, e.person, e.department) for e in events if e.pin and e.person)
        self.people.want(e.pin for e in events if e.pin and not e.person)

    def _build_visitors(self) -> None:
        from .visitors.desk import VisitorDesk

        session = self.session
        desk = VisitorDesk(session.client, data_dir=session.paths.data_dir, profile=session.profile.name,
                           operator=session.operator, audit=self.audit, health=session, policy=session.policy)
        self.visitors = desk
        self._links.append(session.health_changed.connect(self._health_changed))

    def _build_parking(self) -> None:
        from .options import ParkingOptions
        from .parking.desk import ParkingDesk

        session = self.session
        options = self.settings.panel(ParkingOptions)
        desk = ParkingDesk(session.client, data_dir=session.paths.profile_dir(session.profile.name),
                           profile=session.profile.name, operator=session.operator, audit=self.audit,
                           health=session, policy=session.policy, lookback=timedelta(hours=options.lookback_hours),
                           overstay=timedelta(hours=options.overstay_hours), payment_type=options.payment_type)
        self.parking = desk
        self._links.append(desk.alarm.connect(self._parking_alarm))

    def _build_spaces(self) -> None:
        from .spaces.desk import SpaceDesk
        from .spaces.guests import desk_visitor_names

        session = self.session
        self.spaces = SpaceDesk(session.client, profile=session.profile.name, operator=session.operator,
                                audit=self.audit, health=session, policy=session.policy)
        visitors = self.visitors
        if visitors is not None:  # this desk's visitors can join a booking (carried by name: spaces/guests.py)
            self.spaces.visitor_source = lambda: desk_visitor_names(visitors)

    def _build_enrolment(self) -> None:
        from .enrolment.desk import EnrolmentDesk

        session = self.session
        self.enrolment = EnrolmentDesk(session.client, data_dir=session.paths.data_dir, profile=session.profile.name,
                                       operator=session.operator, audit=self.audit,
                                       journal=self.events.journal if self.events is not None else None)

    @property
    def set_aside(self) -> list[SetAside]:
        """The damaged files this connection found, renamed with the time and started afresh (journal, alarm
        states, floor plans, visitor outbox and lists, parking payments and lists): the operator is told once,
        with their paths. (The audit log's own: ``audit.problem``.)"""
        found: list[SetAside] = list(self.doors.plans.set_aside)  # the floor plans file
        if self.events is not None and self.events.journal.set_aside is not None:
            found.append(self.events.journal.set_aside)
        if self.events is not None and self.events.alarms.workflow.set_aside is not None:
            found.append(self.events.alarms.workflow.set_aside)  # the alarms' states (taken, on hold)
        if self.visitors is not None:
            found.extend(self.visitors.set_aside)
        if self.parking is not None:
            found.extend(self.parking.set_aside)  # payments and lists files
        return found

    def _after_poll(self, ok: bool) -> None:
        self.heap.after_poll(ok)

    def _parking_alarm(self, alarm: ParkingAlarm) -> None:
        """A deny-listed car or a car entering a full lot: an alarm in the queue, like a door's."""
        from .parking.alarms import alarm_event

        if self.events is not None:
            self.events.alarms.raise_local([alarm_event(alarm)])

    def _health_changed(self, health: Health) -> None:
        if health is Health.ONLINE and self.visitors is not None:
            self.visitors.kick()  # the server is back: the kept registrations go now

    # -- life cycle ------------------------------------------------------------------------------

    @property
    def board(self) -> DoorBoard:
        return self.doors.board

    @property
    def operator(self) -> str:
        return self.session.operator

    def set_operator(self, name: str) -> None:
        """The operator on duty, for every service that writes it down."""
        self.session.operator = name
        self.audit.operator = name
        if self.events is not None:
            self.events.alarms.operator = name
        if self.visitors is not None:
            self.visitors.operator = name
        if self.parking is not None:
            self.parking.operator = name
        if self.spaces is not None:
            self.spaces.operator = name
        if self.enrolment is not None:
            self.enrolment.operator = name

    async def start_doors(self) -> None:
        """Start the door board's poller (its first poll reads the states, announces them, then the lists)."""
        if self._stopped:
            raise RuntimeError("stopped services cannot be started again; build new ones")
        self.doors.board.poller.start()

    async def start_rest(self) -> None:
        """Bring back the alarms left from the last shift, start the event stream and the visitor outbox."""
        if self._stopped or self._started:
            return
        self.build_rest()
        self._started = True
        if self.events is not None:
            self.events.alarms.load()
            if self.board_alarms is not None:
                self.board_alarms.sweep()  # the board's low batteries, now that last run's alarms are back
            await self.events.stream.start()
            self.events.stream.poller.start()
        if self.visitors is not None:
            self.visitors.poller.start()
        if self.parking is not None:
            self.parking.poller.start()
        if self.spaces is not None:
            self.spaces.poller.start()

    def new_token(self, token: str) -> None:
        """The operator gave a new access token after a refusal: use it, and let every halted poller go on."""
        self.session.new_token(token)
        for poller in self._pollers():
            poller.resume()

    def _pollers(self) -> list[Poller]:
        pollers = [self.doors.board.poller]
        if self.events is not None:
            pollers.append(self.events.stream.poller)
        if self.visitors is not None:
            pollers.append(self.visitors.poller)
        if self.parking is not None:
            pollers.append(self.parking.poller)
        if self.spaces is not None:
            pollers.append(self.spaces.poller)
        return pollers

    def refresh_now(self) -> None:
        """Every poller asks the server now (F5)."""
        self.doors.board.refresh_now()
        if self.events is not None and self._started:
            self.events.stream.poller.wake()
        if self.parking is not None and self._started:
            self.parking.poller.wake()
        if self.spaces is not None and self._started:
            self.spaces.poller.wake()

    async def stop(self) -> None:
        """Stop every poller, close every file and the client; each step isolated, idempotent."""
        if self._stopped:
            return
        self._stopped = True
        self.session.close_health()
        for unlink in self._links:
            with contextlib.suppress(Exception):
                unlink()
        self._links.clear()
        for poller in reversed(self._pollers()):
            try:
                await asyncio.wait_for(poller.stop(), STOP_TIMEOUT)
            except Exception:
                log.exception("the %s poller did not stop cleanly", poller.name)
        if self.people is not None:
            with contextlib.suppress(Exception):
                await self.people.stop()
        if self.snapshot is not None:
            with contextlib.suppress(Exception):
                await self.snapshot.close()
        if self.events is not None:
            with contextlib.suppress(Exception):
                self.events.journal.close()
            with contextlib.suppress(Exception):
                self.events.alarms.workflow.close()
        with contextlib.suppress(Exception):
            self.audit.close()
        await self.session.aclose()
