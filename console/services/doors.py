"""The live door & gate board: a poller and a state store, no widgets.

What it polls, and when::

    every interval   2.12.1 door/allDoorState, 2.32.1 psgGate/allGateState      (live state)
    once, on demand  2.12.10 doors, 2.32.6 gates, 2.10.3 access devices,       (static lists, v2 pages;
                     2.31.3 entrance-control devices, 2.15.3 door readers,       v1 twins when a server
                     2.34.2 gate readers                                         lacks the v2 call)
    once, on demand  2.19.5 and 2.35.5, one page of recent events               (areas, see below)
    on selection     2.19.3 / 2.35.3 events of the item's device                (details pane)

Areas: no door, gate or device record of the manual names its area; events do (``areaName`` with
``devSn``). The board reads the area from an ``areaName`` field when a server sends one on the door, gate or
device record, else from the most recent events of the device, else shows "Area unknown".

Every change is announced once, as keys: :attr:`DoorBoard.changed` carries a :class:`BoardChange` with the
keys whose tile must be repainted (or ``structure=True`` when items came or went). Time-dependent flags
(``stale``: no fresh data for two intervals; ``open_too_long``: sensor open for longer than
``open_too_long_after`` seconds) are recomputed by the board's own loop when they fall due, so a tile goes
stale while the server is away even though no answer arrives.

Health: the board polls through a :class:`~console.services.polling.Poller` (channel ``doors``) under the
session's policy: each state poll is reported to the session, and a failing server is tried again with
backoff. :meth:`DoorBoard.refresh_now` cuts the wait short.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import functools
import logging
import re
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from console.api.errors import ApiError, CVSecError, HTTPStatusError, ModelError, ProtocolError
from console.api.models.door_codes import (
    ConnectState,
    DoorAlarm,
    GateAlarm,
    GateRelay,
    GateStateCode,
    RelayState,
    SensorState,
)
from console.api.models.states import AREA_FIELDS, StateRead, read_state
from console.services.doors_gc import FREEZE_ABOVE, hold_full_collections
from console.services.observable import Signal
from console.services.polling import Poller, PollPolicy
from console.services.state_codes import DEFAULT_STATE_CODES, StateCodes
from console.services.text import clean_text as _clean_text

if TYPE_CHECKING:  # the API's records (pydantic) are imported where a poll or a list reads them: the board and
    # its items are up, and the last known board painted, before them (issue 15)
    from pydantic import BaseModel

    from console.api.models.devices import Device
    from console.api.models.transactions import Transaction
    from console.api.paging import Record, RecordPage

__all__ = [
    "DEFAULT_OPEN_TOO_LONG",
    "MAINTENANCE_ALARMS",
    "BoardChange",
    "BoardClient",
    "BoardSession",
    "BoardSummary",
    "DeviceInfo",
    "DoorBoard",
    "Item",
    "ItemKey",
    "Kind",
    "ReaderInfo",
    "RecentEvent",
    "clean_text",
    "import_records",
    "natural_key",
]

log = logging.getLogger(__name__)

DEFAULT_OPEN_TOO_LONG = 30.0  # seconds a door sensor may stay open before the board flags it
LISTS_HOLD_MAX = 10.0  # seconds the first poll's lists wait at most for release_lists (hold_lists)
MIN_POLL_GAP = 1.0  # refresh-now is not a way to hammer allDoorState (the manual asks for >= 10 s)
PARSE_SLICE = 25  # records validated between two looks at the clock (_Breather)
REFLAG_SLICE = 200  # items flagged or counted between two looks at the clock
LET_GO_SLICE = 500  # records let go between two looks at the clock (~0.2 ms)
LIST_PAGE = 1000  # the manual's largest page
AREA_EVENTS_PAGE = 250  # the recent events that name the devices' areas, read a page of this many at a time
MAX_AREA_LOOKUPS = 40  # devices whose area is looked up one by one when recent events do not name it
UNKNOWN_AREA = ""
MAINTENANCE_ALARMS = frozenset({DoorAlarm.LOW_BATTERY, DoorAlarm.REPLACE_BATTERY, DoorAlarm.BACKUP_POWER})
# the alarm states, looked up in one step (Item.alarm and the summary's counts: a whole site's at once)
_DOOR_ALARMS = frozenset(a for a in DoorAlarm if a.is_alarm and a not in MAINTENANCE_ALARMS)
_GATE_ALARMS = frozenset(a for a in GateAlarm if a.is_alarm)
T = TypeVar("T", bound="BaseModel")


# -- the session and client, as the board uses them ------------------------------------------------


class BoardClient(Protocol):
    """What the board needs of :class:`console.api.Client`: the typed state reads, and the paged lists."""

    async def door_state_records(self) -> list[Record]: ...

    async def door_state_record(self, door_id: str) -> list[Record]: ...

    async def gate_state_records(self) -> list[Record]: ...

    async def gate_state_record(self, gate_id: str) -> list[Record]: ...

    async def event_records(
        self, section: str, start: datetime, end: datetime, *, page_no: int = ..., page_size: int = ...,
        pin: str | None = ...,
    ) -> RecordPage: ...

    async def device_event_records(
        self, section: str, device_sn: str, *, start: datetime | None = ..., end: datetime | None = ...,
        page_no: int = ..., page_size: int = ...,
    ) -> RecordPage: ...

    async def call(self, section: str, /, body: Any = None, files: Any = None, **params: Any) -> Any: ...

    async def call_envelope(self, section: str, /, body: Any = None, files: Any = None, **params: Any) -> Any: ...


class BoardSession(Protocol):
    """What the board needs of :class:`console.services.session.Session`."""

    @property
    def client(self) -> BoardClient: ...

    @property
    def poll_interval(self) -> float: ...

    @property
    def policy(self) -> PollPolicy: ...

    def report_ok(self, channel: str = ...) -> None: ...

    def report_failure(self, exc: BaseException, channel: str = ...) -> None: ...


# -- records ---------------------------------------------------------------------------------------


class Kind(enum.StrEnum):
    DOOR = "door"
    GATE = "gate"


ItemKey = tuple[Kind, str]
"""``(Kind.DOOR, door id)`` or ``(Kind.GATE, gate id)``."""



def clean_text(value: Any, limit: int = 200) -> str:
    """Server text fit for one line of a tile: the one rule (:func:`console.services.text.clean_text`), cut
    with an ellipsis."""
    return _clean_text(value, limit, ellipsis=True)


_DIGITS = re.compile(r"(\d+)")


def natural_key(text: str) -> str:
    """Sort key putting "Door 2" before "Door 10", case-blind: one string, so that sorting thousands of names
    compares in C (a tuple of parts per name, as this was, made sorting an xl site's 2,750 devices ~5 ms and
    ~50,000 small tuples to free). The order is the parts': a run of decimal digits as its number, before any
    text at the same place (``"\\x01"``, then its digits' count, then the digits), text as itself (``"\\x02"`` first);
    the few control characters below ``"\\x03"``, never in cleaned text, are the only ones that may sort otherwise.
    The digit runs are told by the split's parity, not ``str.isdigit``: a name of superscripts or circled
    numbers ("²", "③": digits to ``isdigit``, not decimals) is text, not an ``int()`` that raises."""
    parts = _DIGITS.split(text.casefold())
    out: list[str] = []
    for n, part in enumerate(parts):
        if not part:
            continue
        if n % 2:  # a run of decimal digits, any script: compared as a number (length first, then digits)
            if not part.isascii():  # (no int(): it refuses more than 4,300 digits)
                import unicodedata

                part = "".join(str(unicodedata.decimal(c)) for c in part)
            digits = part.lstrip("0") or "0"
            out.append(f"\x01{chr(0x30 + min(len(digits), 0xFFFF))}{digits}")
        else:
            out.append(f"\x02{part}")
    return "".join(out)


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    id: str
    sn: str = ""
    name: str = ""
    model: str = ""
    module: str = ""  # operator words: "access control", "entrance control"
    enabled: bool | None = None
    area: str = UNKNOWN_AREA
    gate_type: str = ""


@dataclass(frozen=True, slots=True)
class ReaderInfo:
    id: str
    name: str
    number: int | None
    side: str  # "in", "out", "side unknown"


@dataclass(slots=True)
class Item:
    """One tile: a door or a gate, its place (area, device) and its last known state.

    Equality ignores the update time: two items that compare equal paint the same tile. The board replaces
    an item when the server reports a new state, and updates its time and its time-dependent flags
    (``stale``, ``open_too_long``) in place: treat items as read-only outside the board.
    """

    kind: Kind
    id: str
    name: str
    device_id: str = ""
    device_name: str = ""
    device_sn: str = ""
    device_model: str = ""
    area: str = UNKNOWN_AREA
    connect: ConnectState = ConnectState.UNKNOWN
    sensor: SensorState = SensorState.UNKNOWN  # doors
    relay: RelayState = RelayState.UNKNOWN  # doors
    door_alarm: DoorAlarm = DoorAlarm.UNKNOWN  # doors
    gate_state: GateStateCode = GateStateCode.UNKNOWN  # gates
    gate_alarm: GateAlarm = GateAlarm.UNKNOWN  # gates
    gate_relay: GateRelay = GateRelay.UNKNOWN  # gates
    has_state: bool = False  # a state answer has named this item at least once
    stale: bool = False
    open_since: float | None = None  # monotonic time the sensor was first seen open
    open_too_long: bool = False
    codes: dict[str, str] = field(default_factory=dict)  # raw numeric state codes ("sensor": "3"), see state_codes
    acknowledged: str = ""  # "alarm acknowledged by NAME at TIME" until the controller clears the alarm
    updated: float = field(default=0.0, compare=False)  # monotonic time of the last state
    updated_at: datetime | None = field(default=None, compare=False)  # wall clock of the last state

    @property
    def key(self) -> ItemKey:
        return (self.kind, self.id)

    @property
    def is_door(self) -> bool:
        return self.kind is Kind.DOOR

    @property
    def offline(self) -> bool:
        return self.connect is ConnectState.OFFLINE

    @property
    def disabled(self) -> bool:
        return self.connect is ConnectState.DISABLED

    @property
    def alarm(self) -> bool:
        """In alarm (maintenance states such as a low battery are not alarms: see :attr:`maintenance`)."""
        return self.door_alarm in _DOOR_ALARMS if self.kind is Kind.DOOR else self.gate_alarm in _GATE_ALARMS

    @property
    def maintenance(self) -> bool:
        """A maintenance state (low battery, replace battery, on backup power): shown, queued at low priority."""
        return self.is_door and self.door_alarm in MAINTENANCE_ALARMS

    @property
    def alarm_words(self) -> str:
        if self.is_door and self.door_alarm is DoorAlarm.UNKNOWN and "alarm" in self.codes:
            return f"alarm code {self.codes['alarm']}"
        return self.door_alarm.words if self.is_door else self.gate_alarm.words

    @property
    def relay_words(self) -> str:
        if self.is_door and self.relay is RelayState.UNKNOWN and "relay" in self.codes:
            return f"relay code {self.codes['relay']}"
        return self.relay.words if self.is_door else self.gate_relay.words

    @property
    def sensor_words(self) -> str:
        """The door's position in words; an undocumented numeric code as itself ("sensor code 3")."""
        if self.sensor is SensorState.UNKNOWN and "sensor" in self.codes:
            return f"sensor code {self.codes['sensor']}"
        return self.sensor.words

    @property
    def is_open(self) -> bool:
        return self.is_door and self.sensor is SensorState.OPEN

    @property
    def problem(self) -> bool:
        """What "only problems" shows: offline, in alarm, open too long, or needing maintenance (low battery)."""
        return self.offline or self.alarm or self.open_too_long or self.maintenance

    @property
    def search_text(self) -> str:
        return f"{self.name}\n{self.area}\n{self.device_name}\n{self.device_sn}".casefold()

    def sort_key(self) -> tuple[Any, ...]:
        return (
            self.area == UNKNOWN_AREA,
            natural_key(self.area),
            natural_key(self.device_name or self.device_id),
            self.device_id,
            self.kind is Kind.GATE,
            natural_key(self.name),
            self.id,
        )


@dataclass(frozen=True, slots=True)
class BoardSummary:
    """Counts for the status bar."""

    doors: int = 0
    gates: int = 0
    offline: int = 0
    alarm: int = 0
    open_too_long: int = 0
    stale: int = 0
    disabled: int = 0
    maintenance: int = 0  # low battery and the like
    acknowledged: int = 0  # in alarm, already acknowledged by an operator

    @property
    def problems(self) -> int:
        return self.offline + self.alarm + self.open_too_long

    def __str__(self) -> str:
        return (
            f"{self.doors} doors, {self.gates} gates: {self.offline} offline, {self.alarm} in alarm, "
            f"{self.open_too_long} open too long, {self.stale} stale"
        )


@dataclass(frozen=True, slots=True)
class BoardChange:
    """What to repaint: ``keys`` changed; with ``structure`` the set or order of items changed."""

    keys: frozenset[ItemKey] = frozenset()
    structure: bool = False


@dataclass(frozen=True, slots=True)
class RecentEvent:
    time: datetime | None
    name: str
    person: str
    reader: str
    alarm: bool
    area: str = ""


SummaryCounts = tuple[int, int, int, int, int, int, int, int, int]  # one item's share of a BoardSummary


def _summary_counts(item: Item) -> SummaryCounts:
    """What ``item`` adds to the :class:`BoardSummary` (its fields' order). Read from the fields (not through
    the properties of the same names: a whole site going stale counts 11,000 items in a turn of the loop)."""
    if item.kind is Kind.DOOR:
        door, alarm, maintenance = 1, item.door_alarm in _DOOR_ALARMS, item.door_alarm in MAINTENANCE_ALARMS
    else:
        door, alarm, maintenance = 0, item.gate_alarm in _GATE_ALARMS, False
    connect = item.connect
    return (door, 1 - door, 1 if connect is ConnectState.OFFLINE else 0, 1 if alarm else 0,
            1 if item.open_too_long else 0, 1 if item.stale else 0, 1 if connect is ConnectState.DISABLED else 0,
            1 if maintenance else 0, 1 if alarm and item.acknowledged else 0)


def _summary(items: Iterable[Item]) -> BoardSummary:
    doors = gates = offline = alarm = long_open = stale = disabled = maintenance = acknowledged = 0
    for item in items:
        maintenance += item.maintenance
        acknowledged += bool(item.acknowledged) and item.alarm
        if item.is_door:
            doors += 1
        else:
            gates += 1
        offline += item.offline
        alarm += item.alarm
        long_open += item.open_too_long
        stale += item.stale
        disabled += item.disabled
    return BoardSummary(doors, gates, offline, alarm, long_open, stale, disabled, maintenance, acknowledged)


def import_records() -> None:
    """Import the API records the board's lists are read with (doors, gates, devices, readers, events; pydantic,
    ~100 ms). ``SessionServices.build_rest`` does, after the first fresh tiles (the states are read without them:
    ``console.api.models.states``), then releases the lists; :meth:`DoorBoard._load_lists` does too, for a board
    used without the connection's services (a no-op once they are imported)."""
    import console.api.models.devices
    import console.api.models.doors
    import console.api.models.readers
    import console.api.models.transactions
    import console.api.paging  # noqa: F401


def _extra_text(record: BaseModel, *names: str) -> str:
    extra = record.model_extra or {}
    for name in names:
        value = extra.get(name)
        if isinstance(value, str) and value.strip():
            return clean_text(value)
    return ""


SLICE_SECONDS = 0.004  # work done in one turn of the event loop before yielding (a frame is 16 ms; the same pass of
# the loop may also run the board view's own slice of work, as long, and paint)


_slice_began = [0.0]  # when the board's work last yielded to the event loop (every breather's slice starts there)


class _Breather:
    """``await breathe()`` inside a long loop yields to the event loop once a slice's time is used up. The slice
    is shared by every breather: one phase of a load handing over to the next (a loop ending, then freeing, then
    counting) does not start a fresh budget in the same turn (three phases chained were 10-12 ms of a turn)."""

    __slots__ = ()

    async def __call__(self) -> None:
        if time.perf_counter() - _slice_began[0] >= SLICE_SECONDS:
            await asyncio.sleep(0)
            _slice_began[0] = time.perf_counter()


async def _parse_chunked(model: type[T], data: Any) -> list[T]:
    """``parse_list`` in slices with a yield between them: 10,000 records never block a frame."""
    if data is None:
        return []
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise ModelError(f"expected a list of {model.__name__}, got {type(data).__name__}")
    from console.api.models.base import parse_list

    out: list[T] = []
    if len(data) > PARSE_SLICE:
        await asyncio.sleep(0)  # the page was just decoded (a 1,000-record page: ~4 ms): validated from the next turn
    breathe = _Breather()
    for start in range(0, len(data), PARSE_SLICE):
        out.extend(parse_list(model, data[start : start + PARSE_SLICE]))
        await breathe()
    return out


async def _let_go(*lists: object) -> None:
    """Empty the lists a slice at a time between turns of the event loop: the records of a big site's lists
    (10,000 doors, 22,000 readers, ...) freed at once, as the loading coroutine returned, were ~11 ms with the loop
    stopped. A dict is emptied the same way; anything else (an exception a list's load returned) is left as it is."""
    breathe = _Breather()
    for held in lists:
        if isinstance(held, list):
            while held:
                del held[-LET_GO_SLICE:]
                await breathe()
        elif isinstance(held, dict):
            while held:
                for _ in range(min(len(held), LET_GO_SLICE)):
                    held.popitem()
                await breathe()


def _missing_call(exc: BaseException) -> bool:
    """The server lacks this call (404, an API error, an answer that is not the API): not a connection fault."""
    return (
        isinstance(exc, ApiError | ModelError)
        or (isinstance(exc, HTTPStatusError) and exc.status in (404, 405, 501))
        or (isinstance(exc, ProtocolError) and not isinstance(exc, HTTPStatusError))
    )


# -- the board -------------------------------------------------------------------------------------


class DoorBoard:
    """Every door and gate of one session, kept current by :meth:`run` (or by calling :meth:`poll_once`).

    Signals: ``changed(BoardChange)``, ``summary_changed(BoardSummary)``, ``lists_loaded(None)`` after the
    static lists (names, devices, readers, areas) arrived, ``polled(bool)`` after each state poll.
    """

    def __init__(
        self,
        session: BoardSession,
        *,
        open_too_long_after: float = DEFAULT_OPEN_TOO_LONG,
        state_codes: StateCodes = DEFAULT_STATE_CODES,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], datetime] = datetime.now,
    ) -> None:
        self.session = session
        self.open_too_long_after = float(open_too_long_after)
        self.state_codes = state_codes
        self._clock = clock
        self._wall = wall_clock
        self._items: dict[ItemKey, Item] = {}
        self._raw: dict[ItemKey, Any] = {}  # the last state record of each item, as the server sent it
        self._order: list[ItemKey] = []
        self._devices: dict[str, DeviceInfo] = {}
        self._readers: dict[ItemKey, list[ReaderInfo]] = {}
        self._listed: set[ItemKey] = set()  # items named by the static lists
        self._lists_loaded = False
        self._lists_wanted = True
        self._lists_requested_at = -1e18
        self._lists_gate: asyncio.Event | None = None  # set: the lists may load (hold_lists)
        self._gates_supported = True
        self._summary = BoardSummary()
        self._counted: dict[ItemKey, SummaryCounts] = {}  # each item's share of the summary, as last counted
        self._totals = [0] * 9  # the summary's counts: the sum of _counted
        self._flag_due = float("inf")  # when the next item turns stale or open too long (as of the last _reflag)
        self._lock = asyncio.Lock()
        # one list validated at a time: the lists load side by side, and their slices of validation, each a turn's
        # worth, ran one after the other in the same pass of the loop (five of them: 21 ms between two frames)
        self._validating = asyncio.Semaphore(1)
        self._wake = asyncio.Event()
        self._last_poll = -1e18
        self.min_poll_gap = MIN_POLL_GAP
        self.polls = 0
        self.last_error = ""
        self.changed: Signal[BoardChange] = Signal()
        self.summary_changed: Signal[BoardSummary] = Signal()
        self.lists_loaded: Signal[None] = Signal()
        self.polled: Signal[bool] = Signal()  # after each state poll: True when it succeeded
        self.last_ok: datetime | None = None
        self._started = clock()
        self._failure: BaseException | None = None
        self.poller = Poller("doors", self._step, session.policy, health=session, wait=self._wait)

    def __repr__(self) -> str:
        return f"<DoorBoard {len(self._items)} items, {self.polls} polls>"

    def hold_lists(self) -> None:
        """Load the static lists only after :meth:`release_lists` (at most :data:`LISTS_HOLD_MAX` seconds later):
        they are read with the API's records, ~100 ms of imports (pydantic) in one turn of the loop, which the
        console makes after the first fresh tiles are painted (``SessionServices.build_rest``; issue 15). The
        states of the first poll are read and announced without them."""
        if self._lists_gate is None:
            self._lists_gate = asyncio.Event()

    def release_lists(self) -> None:
        """The lists may load now (the first poll waiting for them goes on)."""
        if self._lists_gate is not None:
            self._lists_gate.set()

    # -- reading ---------------------------------------------------------------------------------

    @property
    def interval(self) -> float:
        return float(self.session.poll_interval)

    @property
    def stale_after(self) -> float:
        return 2.0 * self.interval

    @property
    def keys(self) -> list[ItemKey]:
        """Every item, in board order (area, device, doors before gates, natural name order)."""
        return list(self._order)

    @property
    def items(self) -> list[Item]:
        return [self._items[k] for k in self._order]

    def item(self, key: ItemKey) -> Item | None:
        return self._items.get(key)

    def __len__(self) -> int:
        return len(self._order)

    @property
    def summary(self) -> BoardSummary:
        return self._summary

    @property
    def loaded(self) -> bool:
        """The static lists arrived at least once."""
        return self._lists_loaded

    @property
    def gates_supported(self) -> bool:
        return self._gates_supported

    def device(self, device_id: str) -> DeviceInfo | None:
        return self._devices.get(device_id)

    def readers(self, key: ItemKey) -> list[ReaderInfo]:
        return list(self._readers.get(key, ()))

    # -- the loop --------------------------------------------------------------------------------

    async def run(self) -> None:
        """Poll until cancelled; failures never end the loop (:attr:`poller` runs it, with backoff)."""
        await self.poller.run()

    async def _step(self) -> bool:
        if not await self._poll():
            failure = self._failure
            if isinstance(failure, CVSecError):
                raise failure
            raise ProtocolError(self.last_error or "the door states could not be read")
        return True

    def refresh_now(self) -> None:
        """Poll now (at most once a second) instead of at the end of the wait."""
        self._wake.set()
        self.poller.wake()

    def reload_lists(self) -> None:
        """Fetch the static lists again with the next poll (names, devices, readers, areas)."""
        self._lists_wanted = True
        self.refresh_now()

    async def _wait(self, delay: float, wake: asyncio.Event | None = None) -> None:
        """Sleep ``delay`` seconds, keeping the time-dependent flags current; refresh-now cuts it short."""
        deadline = self._clock() + delay
        while True:
            now = self._clock()
            if now >= self._flag_due:  # only time turns a tile stale or open too long: nothing is due before
                await self.reflag(now)
            remaining = deadline - now
            if remaining <= 0:
                return
            if not self._wake.is_set():
                timeout = min(remaining, max(0.05, self._next_flag_due(now) - now))
                try:
                    await asyncio.wait_for(self._wake.wait(), timeout)
                except TimeoutError:
                    continue
            gap = self.min_poll_gap - (self._clock() - self._last_poll)
            if gap > 0:  # refresh-now right after a poll: honour it, a moment later
                await asyncio.sleep(min(gap, remaining))
            return

    def _next_flag_due(self, now: float) -> float:
        return min(now + self.interval, self._flag_due)

    # -- polling ---------------------------------------------------------------------------------

    async def poll_once(self) -> bool:
        """One state poll (then the static lists, when wanted: the states are announced first), reported to the
        session's health; True when the door states arrived."""
        return bool(await self.poller.once())

    async def _poll(self) -> bool:
        async with self._lock:
            loading = self._lists_wanted or not self._items  # 10,000 doors: ~200,000 new long-lived objects
            if not loading:
                return await self._poll_locked()
            release = hold_full_collections()
            try:
                ok = await self._poll_locked()
                # the hold ends on a turn of its own: its young collection and freeze (1-3 ms) are not added to the
                # turn that announced the load (the views' updates, the first paint of the tiles)
                await asyncio.sleep(0)
            finally:
                release(len(self._items) > FREEZE_ABOVE)
            return ok

    async def _poll_locked(self) -> bool:
        self._wake.clear()
        self._last_poll = self._clock()
        # the states first: the tiles are painted (names and states; a seeded board's areas from its snapshot)
        # while the lists (devices, areas, readers: many calls) load after them, in the same poll (issue 15)
        lists_after = self._lists_wanted
        client = self.session.client
        calls: list[Any] = [client.door_state_records()]
        if self._gates_supported:
            calls.append(client.gate_state_records())
        answers = await asyncio.gather(*calls, return_exceptions=True)
        self.polls += 1
        changed: set[ItemKey] = set()
        structure = False
        failure: BaseException | None = None
        door_raw = answers[0]
        if isinstance(door_raw, BaseException):
            failure = door_raw
        else:
            try:
                structure |= await self._apply(Kind.DOOR, door_raw, changed)
            except ModelError as exc:
                failure = exc
        if len(answers) > 1:
            gate_raw = answers[1]
            if isinstance(gate_raw, BaseException):
                if _missing_call(gate_raw) and not isinstance(door_raw, BaseException):
                    log.info("gate states unavailable on this server (%s); showing doors only", gate_raw)
                    self._gates_supported = False
                elif failure is None:
                    failure = gate_raw
            else:
                try:
                    structure |= await self._apply(Kind.GATE, gate_raw, changed)
                except ModelError as exc:
                    failure = failure or exc
        self._failure = failure
        if failure is None:
            self.last_error = ""
            self.last_ok = self._wall()
        else:
            if isinstance(failure, BaseException) and not isinstance(failure, Exception):
                raise failure  # cancellation and friends are not poll failures
            self.last_error = str(failure) or type(failure).__name__
            log.info("door/gate state poll failed: %s", self.last_error)
        if structure:
            await self._reorder()
        await self._reflag_sliced(self._clock(), changed)
        await self._count_sliced(changed)
        self._announce(changed, structure, counted=True)
        self.polled.emit(failure is None)  # the states are in (the snapshot is written, the count said)
        if failure is None and lists_after:  # the server answered: "online" now, not once the lists are in too
            self.session.report_ok(self.poller.name)
        if lists_after:  # (even when the states failed: listed doors show "no state received yet")
            gate = self._lists_gate
            if gate is not None and not gate.is_set():
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(gate.wait(), LISTS_HOLD_MAX)
                gate.set()  # held once: a board released late (or never) loads its lists from now on
            await self._load_lists()
        if structure and not self._lists_wanted and self._clock() - self._lists_requested_at > 300:
            self._lists_wanted = True  # a door the lists never named: fetch them again (at most every 5 min)
        return failure is None

    async def refresh_item(self, key: ItemKey) -> Item | None:
        """Re-read one door's or gate's state (2.12.2 / 2.32.2), e.g. right after a command; the item as it is
        now (None when it could not be read)."""
        kind, item_id = key
        try:
            codes: dict[str, str] = {}
            states: list[StateRead] = []
            if kind is Kind.DOOR:
                for record in await self.session.client.door_state_record(item_id):
                    translated, codes = self.state_codes.translate(record)
                    state = read_state(translated, door=True)
                    if state is not None:
                        states.append(state)
            else:
                for record in await self.session.client.gate_state_record(item_id):
                    state = read_state(record, door=False)
                    if state is not None:
                        states.append(state)
        except (CVSecError, ValueError) as exc:
            log.info("state of %s %s not refreshed: %s", kind.value, item_id, exc)
            return None
        async with self._lock:
            changed: set[ItemKey] = set()
            now, wall = self._clock(), self._wall()
            structure = False
            seen = False
            for state in states:
                if state.id == item_id:
                    seen = True
                    structure |= self._merge_state(kind, state, now, wall, changed, codes)
            if structure:
                await self._reorder()
            await self._reflag_sliced(now, changed)
            await self._count_sliced(changed)
            self._announce(changed, structure, counted=True)
            return self._items.get(key) if seen else None

    async def _apply(self, kind: Kind, raw: Any, changed: set[ItemKey]) -> bool:
        """Merge one state answer. A record equal to the previous one only refreshes its item's time: only
        records that differ are validated and turned into new items (2,000 doors, a few changes per poll)."""
        if raw is None:
            raw = []
        elif isinstance(raw, dict):
            raw = [raw]
        if not isinstance(raw, list):
            raise ModelError(f"expected a list of {kind.value} states, got {type(raw).__name__}")
        door = kind is Kind.DOOR
        now, wall = self._clock(), self._wall()
        structure = False
        previous = self._raw
        read = 0
        breathe = _Breather()
        for start in range(0, len(raw), PARSE_SLICE):
            for record in raw[start : start + PARSE_SLICE]:
                key = _raw_key(kind, record)
                if key is not None:
                    item = self._items.get(key)
                    if item is not None and previous.get(key) == record:
                        item.updated, item.updated_at = now, wall
                        read += 1
                        if item.stale:
                            item.stale = False
                            changed.add(key)
                        continue
                readable, codes = self.state_codes.translate(record) if door else (record, {})
                state = read_state(readable, door=door)
                if state is not None and state.id:
                    read += 1
                    structure |= self._merge_state(kind, state, now, wall, changed, codes)
                    previous[(kind, state.id)] = record
            await breathe()
        if raw and not read:  # an answer of records none of which is a state: a failed poll, not "all fine"
            raise ModelError(f"none of the {len(raw):,} {kind.value} states the server sent could be read")
        return structure

    def _merge_state(
        self, kind: Kind, state: StateRead, now: float, wall: datetime, changed: set[ItemKey],
        codes: dict[str, str] | None = None,
    ) -> bool:
        if not state.id:
            return False
        key: ItemKey = (kind, state.id)
        old = self._items.get(key)
        base = old or self._new_item(kind, state.id, state.name, state.device_id, clean_text(state.area))
        name = clean_text(state.name) or base.name
        device_id = state.device_id or base.device_id
        if state.door:
            open_since = base.open_since if base.open_since is not None else now
            new = replace(
                base,
                name=name,
                connect=state.connect,
                sensor=state.sensor,
                relay=state.relay,
                door_alarm=state.door_alarm,
                codes=codes or {},
                open_since=open_since if state.sensor is SensorState.OPEN else None,
                has_state=True,
                stale=False,
                updated=now,
                updated_at=wall,
            )
        else:
            new = replace(
                base,
                name=name,
                connect=state.connect,
                gate_state=state.gate_state,
                gate_alarm=state.gate_alarm,
                gate_relay=state.gate_relay,
                has_state=True,
                stale=False,
                updated=now,
                updated_at=wall,
            )
        if device_id != new.device_id:
            new = self._placed(replace(new, device_id=device_id))
        new = replace(new, open_too_long=self._is_long_open(new, now))
        if new.acknowledged and not new.alarm:  # the controller cleared the alarm: the mark goes with it
            new = replace(new, acknowledged="")
        self._items[key] = new
        if old is None:
            changed.add(key)
            return True
        if new != old:
            changed.add(key)
        return (old.name, old.device_id, old.area, old.device_name) != (new.name, new.device_id, new.area,
                                                                           new.device_name)

    def _new_item(self, kind: Kind, item_id: str, name: str, device_id: str, area: str) -> Item:
        item = Item(kind, item_id, clean_text(name) or f"{kind.value} {item_id[-6:]}", device_id=device_id,
                    area=area, updated=self._started)
        return self._placed(item)

    def _placed(self, item: Item) -> Item:
        """``item`` with its device's name, serial, model and area filled in (when the lists know them)."""
        device = self._devices.get(item.device_id)
        if device is None:
            return item
        return replace(
            item,
            device_name=device.name,
            device_sn=device.sn,
            device_model=device.model,
            area=item.area or device.area,
        )

    def _is_long_open(self, item: Item, now: float) -> bool:
        return item.open_since is not None and now - item.open_since >= self.open_too_long_after

    def seed(self, items: Iterable[Item]) -> int:
        """Show ``items`` (a snapshot of an earlier good poll, in board order) until the server answers: each
        stays stale ("Last seen ... at HH:MM") until a fresh state replaces it; one the server's lists no
        longer name is removed when they load. Only an empty board is seeded; returns how many items."""
        if self._items:
            return 0
        for item in items:
            item.stale, item.updated, item.open_since, item.acknowledged = True, float("-inf"), None, ""
            self._items.setdefault(item.key, item)
        if not self._items:
            return 0
        self._order = list(self._items)  # the snapshot is in board order already
        self._listed = set(self._items)  # as if the last lists had named them (gone ones go at the next lists)
        self._announce(set(self._items), True)
        return len(self._items)

    def mark_acknowledged(self, key: ItemKey, words: str) -> bool:
        """Show ``words`` ("alarm acknowledged by NAME at TIME") on the item while its alarm lasts; "" removes
        the mark. False when the item is unknown or not in alarm (nothing to mark)."""
        item = self._items.get(key)
        if item is None or (words and not item.alarm) or item.acknowledged == words:
            return False
        self._items[key] = replace(item, acknowledged=words)
        self._announce({key}, False)
        return True

    # -- time-dependent flags ----------------------------------------------------------------------

    def tick(self, now: float | None = None) -> None:
        """Recompute ``stale`` and ``open_too_long`` for the current time and announce what changed (at once:
        :meth:`reflag` does the same in slices)."""
        changed: set[ItemKey] = set()
        self._reflag(self._clock() if now is None else now, changed)
        self._announce(changed, False)

    async def reflag(self, now: float | None = None) -> None:
        """:meth:`tick` in time-boxed slices, yielding to the event loop between them (11,000 items turning
        stale at once: the flags, then the summary's counts, each over several turns)."""
        changed: set[ItemKey] = set()
        await self._reflag_sliced(self._clock() if now is None else now, changed)
        await self._count_sliced(changed)
        self._announce(changed, False, counted=True)

    def _reflag(self, now: float, changed: set[ItemKey]) -> None:
        for _ in self._reflag_steps(now, changed):
            pass

    async def _reflag_sliced(self, now: float, changed: set[ItemKey]) -> None:
        breathe = _Breather()
        for _ in self._reflag_steps(now, changed):
            await breathe()

    def _reflag_steps(self, now: float, changed: set[ItemKey]) -> Iterator[None]:
        """Set each item's time-dependent flags (``yield`` every few hundred items); note when the next falls
        due. An item the board drops meanwhile is skipped."""
        stale_after = self.stale_after
        long_after = self.open_too_long_after
        due = float("inf")
        for n, key in enumerate(list(self._items)):
            if n % REFLAG_SLICE == 0:
                yield
            item = self._items.get(key)
            if item is None:
                continue
            stale = now - item.updated > stale_after
            long_open = item.open_since is not None and now - item.open_since >= long_after
            if stale != item.stale or long_open != item.open_too_long:
                item.stale, item.open_too_long = stale, long_open
                changed.add(key)
            if not stale:
                due = min(due, item.updated + stale_after)
            if item.open_since is not None and not long_open:
                due = min(due, item.open_since + long_after)
        self._flag_due = due

    # -- the summary -------------------------------------------------------------------------------

    def _count(self, keys: Iterable[ItemKey]) -> None:
        for _ in self._count_steps(keys):
            pass

    async def _count_sliced(self, keys: Iterable[ItemKey]) -> None:
        breathe = _Breather()
        for _ in self._count_steps(keys):
            await breathe()

    def _count_steps(self, keys: Iterable[ItemKey]) -> Iterator[None]:
        """Count ``keys`` again in the summary's totals, by difference (``yield`` every few hundred items).
        Every change of an item is announced with its key, so the totals stay the sum over every item; counting
        a key again is harmless (the difference is nothing)."""
        totals, counted = self._totals, self._counted
        moves: dict[tuple[SummaryCounts | None, SummaryCounts | None], int] = {}  # (old, new) -> how many

        def settle() -> None:  # the totals are right at every yield (a few kinds of change: a few additions)
            for (old, new), times in moves.items():
                for i in range(len(totals)):
                    totals[i] += times * ((new[i] if new is not None else 0) - (old[i] if old is not None else 0))
            moves.clear()

        for n, key in enumerate(list(keys)):
            if n % REFLAG_SLICE == 0:
                settle()
                yield
            item = self._items.get(key)
            old = counted.pop(key, None)
            new = _summary_counts(item) if item is not None else None
            if new is not None:
                counted[key] = new
            if old != new:
                moves[old, new] = moves.get((old, new), 0) + 1
        settle()

    async def _reorder(self) -> None:
        """The board's order (:meth:`Item.sort_key`), sorted group by group: the groups (area, device) first,
        then the few items of each, yielding between slices (one sort of 11,000 keys is ~30 ms)."""
        breathe = _Breather()
        names: dict[str, Any] = {}

        def natural(text: str) -> Any:
            key = names.get(text)
            if key is None:
                key = names[text] = natural_key(text)
            return key

        groups: dict[tuple[Any, ...], list[Item]] = {}
        for n, item in enumerate(list(self._items.values())):
            group = (item.area == UNKNOWN_AREA, natural(item.area), natural(item.device_name or item.device_id),
                     item.device_id)
            groups.setdefault(group, []).append(item)
            if n % PARSE_SLICE == 0:
                await breathe()
        order: list[ItemKey] = []
        for n, group in enumerate(sorted(groups)):
            members = groups[group]
            if len(members) > 1:
                members.sort(key=lambda i: (i.kind is Kind.GATE, natural(i.name), i.id))
            order.extend(item.key for item in members)
            if n % PARSE_SLICE == 0:
                await breathe()
        self._order = order
        # the groups (2,750 keys and lists at 11,000 items) and the names' keys freed in slices: at once, as this
        # returned, they were 5-10 ms with the loop stopped when the keys were tuples (bench_doors.py --site xl)
        await _let_go(groups, names)

    def _announce(self, changed: set[ItemKey], structure: bool, *, counted: bool = False) -> None:
        """Tell the views what changed, and the summary when it did (``counted``: the caller has counted
        ``changed`` in the summary already, in slices)."""
        if not changed and not structure:
            return
        if not counted:
            self._count(changed)
        self.changed.emit(BoardChange(frozenset(changed), structure))
        summary = BoardSummary(*self._totals)
        if summary != self._summary:
            self._summary = summary
            self.summary_changed.emit(summary)

    # -- static lists ------------------------------------------------------------------------------

    async def _list(self, sections: tuple[str, str], model: type[T]) -> list[T]:
        """Every record of a paged list: the v2 call, or its v1 twin when the server lacks v2."""
        try:
            return await self._list_of(sections[0], model)
        except CVSecError as exc:
            if not _missing_call(exc):
                raise
            log.info("%s unavailable (%s); trying %s", sections[0], exc, sections[1])
        return await self._list_of(sections[1], model)

    async def _list_of(self, section: str, model: type[T]) -> list[T]:
        """Raw pages, validated in slices between turns of the event loop (10,000 doors, 22,000 readers)."""
        from console.api.paging import iterate_raw_pages

        out: list[T] = []
        async for records in iterate_raw_pages(self.session.client, section, page_size=LIST_PAGE,
                                               what=model.__name__):
            async with self._validating:
                out.extend(await _parse_chunked(model, records))
        return out

    async def _recent_areas(self, section: str, model: type[Transaction]) -> dict[str, str]:
        """devSn -> the area most of its recent events name (the newest :data:`LIST_PAGE` events, read
        :data:`AREA_EVENTS_PAGE` at a time: a page of 1,000 events was decoded and enveloped in one turn of the
        loop, 8-17 ms, ``bench_doors.py --why``)."""
        now = self._wall()
        records: list[Any] = []
        for page_no in range(1, LIST_PAGE // AREA_EVENTS_PAGE + 1):
            page = await self.session.client.event_records(
                section, now - timedelta(days=30), now + timedelta(minutes=5), page_no=page_no,
                page_size=AREA_EVENTS_PAGE)
            records.extend(page.records)
            if len(page.records) < AREA_EVENTS_PAGE:
                break
        votes: dict[str, Counter[str]] = {}
        breathe = _Breather()
        async with self._validating:
            events = await _parse_chunked(model, records)
        for n, event in enumerate(events):
            if n % REFLAG_SLICE == 0:
                await breathe()
            area = clean_text(event.area_name)
            if event.dev_sn and area:
                votes.setdefault(event.dev_sn, Counter())[area] += 1
        found: dict[str, str] = {}
        for n, (sn, counter) in enumerate(votes.items()):
            if n % REFLAG_SLICE == 0:
                await breathe()
            found[sn] = counter.most_common(1)[0][0]
        return found

    async def _areas_by_device(self, devices: Sequence[Device], known: dict[str, str]) -> dict[str, str]:
        """The area of devices the recent events did not name: one small event query per device (capped)."""
        wanted = [d for d in devices if d.sn and d.sn not in known and not _extra_text(d, *AREA_FIELDS)]
        wanted = wanted[:MAX_AREA_LOOKUPS]
        if not wanted:
            return {}
        from console.api.models.base import parse_list
        from console.api.models.devices import GateDevice
        from console.api.models.transactions import AccessTransaction, GateTransaction

        client = self.session.client
        gate = asyncio.Semaphore(4)

        async def one(device: Device) -> tuple[str, str]:
            section = "2.35.3" if isinstance(device, GateDevice) else "2.19.3"
            model: type[Transaction] = GateTransaction if isinstance(device, GateDevice) else AccessTransaction
            async with gate:
                page = await client.device_event_records(section, device.sn, page_size=5)
            for event in parse_list(model, list(page.records)):
                area = clean_text(event.area_name)
                if area:
                    return device.sn, area
            return device.sn, ""

        found: dict[str, str] = {}
        for result in await asyncio.gather(*(_attempt(functools.partial(one, d)) for d in wanted)):
            if not isinstance(result, Exception) and result[1]:
                found[result[0]] = result[1]
        return found

    async def _load_lists(self) -> None:
        import_records()  # here, not at the module's import: the board's first states are read without them
        from console.api.models.devices import Device, GateDevice
        from console.api.models.doors import Door, Gate
        from console.api.models.readers import GateReader, Reader
        from console.api.models.transactions import AccessTransaction, GateTransaction

        self._lists_wanted = False
        self._lists_requested_at = self._clock()
        async with asyncio.TaskGroup() as group:
            doors_t = group.create_task(_attempt(lambda: self._list(("2.12.10", "2.12.5"), Door)))
            gates_t = group.create_task(_attempt(lambda: self._list(("2.32.6", "2.32.5"), Gate)))
            acc_t = group.create_task(_attempt(lambda: self._list(("2.10.3", "2.10.1"), Device)))
            psg_t = group.create_task(_attempt(lambda: self._list(("2.31.3", "2.31.1"), GateDevice)))
            readers_t = group.create_task(_attempt(lambda: self._list(("2.15.3", "2.15.1"), Reader)))
            gate_readers_t = group.create_task(_attempt(lambda: self._list(("2.34.2", "2.34.1"), GateReader)))
            acc_areas_t = group.create_task(_attempt(lambda: self._recent_areas("2.19.5", AccessTransaction)))
            psg_areas_t = group.create_task(_attempt(lambda: self._recent_areas("2.35.5", GateTransaction)))
        doors, gates = doors_t.result(), gates_t.result()
        acc_devices, psg_devices = acc_t.result(), psg_t.result()
        readers, gate_readers = readers_t.result(), gate_readers_t.result()
        acc_areas, psg_areas = acc_areas_t.result(), psg_areas_t.result()

        def ok(value: object, what: str) -> bool:
            if isinstance(value, Exception):
                log.info("%s not loaded: %s", what, value)
                return False
            return True

        if isinstance(doors, Exception):
            log.info("door list not loaded: %s", doors)
            self._lists_wanted = True  # the server is probably away: try again with the next poll
            return
        areas: dict[str, str] = {}
        for found in (acc_areas, psg_areas):
            if not isinstance(found, Exception):
                areas.update(found)
            else:
                log.info("recent events (areas) not loaded: %s", found)
        devices: dict[str, DeviceInfo] = {}
        device_lists: list[Sequence[Device]] = []
        if not isinstance(acc_devices, Exception) and not isinstance(psg_devices, Exception):
            areas.update(await self._areas_by_device([*acc_devices, *psg_devices], areas))
        if ok(acc_devices, "access devices") and not isinstance(acc_devices, Exception):
            device_lists.append(acc_devices)
        if ok(psg_devices, "entrance-control devices") and not isinstance(psg_devices, Exception):
            device_lists.append(psg_devices)
        breathe = _Breather()
        for devs in device_lists:
            for dev in devs:
                await breathe()
                if not dev.id:
                    continue
                devices[dev.id] = DeviceInfo(
                    id=dev.id,
                    sn=clean_text(dev.sn, 64),
                    name=clean_text(dev.name),
                    model=clean_text(dev.type, 64),
                    module=dev.module.words,
                    enabled=None if dev.state.name == "UNKNOWN" else dev.enabled,
                    area=_extra_text(dev, *AREA_FIELDS) or areas.get(dev.sn, UNKNOWN_AREA),
                    gate_type=dev.gate_type.words if isinstance(dev, GateDevice) else "",
                )
        self._devices = devices
        listed: dict[ItemKey, Door | Gate] = {}
        for n, door in enumerate(doors):  # 10,000 doors: ~3 ms in one go
            if n % REFLAG_SLICE == 0:
                await breathe()
            if door.id:
                listed[(Kind.DOOR, door.id)] = door
        if not isinstance(gates, Exception):
            for n, gate in enumerate(gates):
                if n % REFLAG_SLICE == 0:
                    await breathe()
                if gate.id:
                    listed[(Kind.GATE, gate.id)] = gate
        else:
            log.info("gate list not loaded: %s", gates)
            if _missing_call(gates):
                self._gates_supported = False
        reader_map: dict[ItemKey, list[ReaderInfo]] = {}
        reader_lists: list[tuple[Kind, Sequence[Reader | GateReader]]] = []
        if ok(readers, "door readers") and not isinstance(readers, Exception):
            reader_lists.append((Kind.DOOR, readers))
        if ok(gate_readers, "gate readers") and not isinstance(gate_readers, Exception):
            reader_lists.append((Kind.GATE, gate_readers))
        for kind, batch2 in reader_lists:
            for reader in batch2:
                await breathe()
                owner = reader.door_id if isinstance(reader, Reader) else reader.gate_id
                if owner:
                    reader_map.setdefault((kind, owner), []).append(
                        ReaderInfo(reader.id, clean_text(reader.name), reader.reader_no, reader.reader_state.words)
                    )
        for infos in reader_map.values():
            await breathe()
            infos.sort(key=lambda r: (r.number if r.number is not None else 1 << 30, natural_key(r.name)))
        self._readers = reader_map
        self._lists_loaded = True

        changed: set[ItemKey] = set()
        for key, record in listed.items():
            await breathe()
            old = self._items.get(key)
            if old is None:
                item = self._new_item(key[0], record.id, record.name, record.device_id,
                                      _extra_text(record, *AREA_FIELDS))
            else:
                item = replace(
                    old,
                    name=clean_text(record.name) or old.name,
                    device_id=record.device_id or old.device_id,
                    area=_extra_text(record, *AREA_FIELDS),
                )
                item = self._placed(item)
                if item == old:
                    continue
            self._items[key] = item
            changed.add(key)
        # re-place items the lists did not name (seen only in state answers)
        for key in list(self._items):
            await breathe()
            old = self._items.get(key)
            if key in listed or old is None:
                continue
            if key in self._listed:  # named by the previous lists, gone now: deleted on the server
                del self._items[key]
                self._raw.pop(key, None)
                changed.add(key)
                continue
            item = self._placed(old)
            if item != old:
                self._items[key] = item
                changed.add(key)
        self._listed = set(listed)
        listed.clear()
        await self._reorder()
        await self._count_sliced(changed)
        self._announce(changed, True, counted=True)
        self.lists_loaded.emit(None)
        await _let_go(doors, gates, acc_devices, psg_devices, readers, gate_readers)

    # -- details -----------------------------------------------------------------------------------

    async def recent_events(self, key: ItemKey, limit: int = 20, days: int = 7) -> list[RecentEvent]:
        """The newest events at this door or gate, newest first (2.19.3 / 2.35.3, filtered by name)."""
        item = self._items.get(key)
        if item is None or not item.device_sn:
            return []
        end = self._wall()
        span: dict[str, Any] = {"start": end - timedelta(days=days), "end": end + timedelta(minutes=5)}
        from console.api.models.transactions import AccessTransaction, GateTransaction

        model: type[Transaction]
        if item.is_door:
            section, model = "2.19.3", AccessTransaction
        else:
            section, model = "2.35.3", GateTransaction
        client = self.session.client
        page_size = 200
        first = await client.device_event_records(section, item.device_sn, page_size=page_size, **span)
        total = first.total
        events = await _parse_chunked(model, list(first.records))
        if total is not None and total > page_size and _ascending(events):
            last_page = (total + page_size - 1) // page_size  # the server lists oldest first: the tail is newest
            tail = await client.device_event_records(section, item.device_sn, page_no=last_page,
                                                     page_size=page_size, **span)
            events = (await _parse_chunked(model, list(tail.records))) + events
        name = item.name.casefold()
        mine = [e for e in events if _event_at(e, name)]
        mine.sort(key=lambda e: e.event_time or datetime.min, reverse=True)
        return [
            RecentEvent(
                time=e.event_time,
                name=clean_text(e.event_name) or "event",
                person=clean_text(e.person or e.pin),
                reader=clean_text(e.reader_name),
                alarm=bool(getattr(e, "is_alarm", False)),
                area=clean_text(e.area_name),
            )
            for e in mine[:limit]
        ]


R = TypeVar("R")


def _raw_key(kind: Kind, record: Any) -> ItemKey | None:
    """The item key of a state record before validation (None when its id needs the model to read it)."""
    if isinstance(record, dict):
        raw_id = record.get("id")
        if isinstance(raw_id, str) and raw_id:
            return (kind, raw_id)
        if isinstance(raw_id, int) and not isinstance(raw_id, bool):
            return (kind, str(raw_id))
    return None


async def _attempt(make: Callable[[], Awaitable[R]]) -> R | Exception:
    """``await make()``, with a failure returned instead of raised (one missing list must not sink the rest).

    The work is made here, not by the caller: a task cancelled before it starts leaves no coroutine that was
    never awaited (the console closing while the lists load)."""
    try:
        return await make()
    except Exception as exc:
        return exc


def _ascending(events: Sequence[Transaction]) -> bool:
    times = [e.event_time for e in events if e.event_time is not None]
    return len(times) >= 2 and times[0] < times[-1]


def _event_at(event: Transaction, name: str) -> bool:
    points = {event.event_point_name.casefold(), getattr(event, "door_name", "").casefold()}
    return name in points
