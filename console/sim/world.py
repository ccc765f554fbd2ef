"""The simulator's state: plain dataclasses, indexed in one :class:`World`.

Everything time-dependent is computed lazily from the world's :class:`Clock`: a remote open stores "relay open
until t", and a read at any later time sees the relay open or closed without timers. What must *happen* at a
later time (a device coming back online emits an event) is queued in :meth:`World.schedule` and run by
:meth:`World.tick`, which the app calls on every request and the activity task calls periodically.

Events (transactions) live in per-module stores (``acc``, ``psg``, ``ele``, ``hep``, ``att``) in production
order; every list endpoint and every real-time monitor reads the same records. The content key
``(devSn, eventTime, eventName, eventPointName, pin, cardNo)`` is unique across the world: when a new event
would collide with an earlier one, its time moves forward by whole seconds until it does not.
"""

from __future__ import annotations

import heapq
import itertools
import math
import random
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

__all__ = [
    "MONITOR_CAP",
    "Area",
    "BioTemplate",
    "Card",
    "Clock",
    "Department",
    "Device",
    "Door",
    "Event",
    "Floor",
    "Gate",
    "Level",
    "ParkRecord",
    "Person",
    "Reader",
    "Store",
    "World",
    "fmt_time",
]

T = TypeVar("T")
INF = math.inf
MONITOR_CAP = 1000  # most records one monitor answer carries
STORE_CAP = 200_000  # oldest events are forgotten beyond this, per store
Store = Literal["acc", "psg", "ele", "hep", "att"]
STORES: tuple[Store, ...] = ("acc", "psg", "ele", "hep", "att")


def fmt_time(at: float) -> str:
    """``yyyy-MM-dd HH:mm:ss`` in the server's local time (whole seconds)."""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(at))


class Clock:
    """Wall-clock time plus an offset that tests and trainers can advance (``advance(60)``)."""

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += seconds


# -- organisation ----------------------------------------------------------------------------------


@dataclass(slots=True)
class Area:
    id: str
    code: str
    name: str
    parent_code: str = ""


@dataclass(slots=True)
class Department:
    id: str
    code: str
    name: str
    parent_code: str | None
    sort_no: int = 99999


@dataclass(slots=True)
class Level:
    """An access (``acc``), elevator (``ele``), entrance-control (``psg``) or visitor (``vis``) level."""

    id: str
    name: str
    kind: Literal["acc", "ele", "psg", "vis"]
    area_id: str = ""
    time_seg: str = "24-Hour Accessible"
    targets: set[str] = field(default_factory=set)  # door, floor or gate ids
    pins: set[str] = field(default_factory=set)
    synced_at: float = 0.0


# -- hardware --------------------------------------------------------------------------------------


@dataclass(slots=True)
class Device:
    id: str
    sn: str
    name: str
    type: str
    module: str  # acc, ele, psg, att, ins, space
    area_id: str
    ip: str = ""
    enabled: bool = True
    online: bool = True
    gate_type: int = 0  # psg: 0 unknown, 1 tripod, 2 flap, 3 swing

    @property
    def connect(self) -> int:
        """0 offline, 1 online, 2 disabled (the door/gate ``connect`` code)."""
        if not self.enabled:
            return 2
        return 1 if self.online else 0


@dataclass(slots=True)
class Reader:
    id: str
    name: str
    reader_no: int
    reader_state: int  # 0 in, 1 out
    door_id: str = ""
    gate_id: str = ""


@dataclass(slots=True)
class Door:
    id: str
    name: str
    device_id: str
    area_id: str
    door_no: int
    has_sensor: bool = True
    lower_case: bool = True  # how this controller spells its states ("none" or "None"): servers mix both
    relay_until: float = 0.0
    sensor_until: float = 0.0
    alarm: str = "none"
    alarm_until: float = 0.0
    alarm_while_open: bool = False  # the alarm lasts while the door stays open (forced open, timeout)
    connect_override: int | None = None
    reader_ids: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Gate:
    id: str
    name: str
    device_id: str
    area_id: str
    gate_no: int
    relay: int = 0  # while relay_until: 1 exit open, 2 entry open
    relay_until: float = 0.0
    alarm: int = 0
    alarm_until: float = 0.0
    lockdown: bool = False
    reader_ids: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Floor:
    id: str
    name: str
    floor_no: int
    device_id: str
    relay_until: float = 0.0


# -- people ----------------------------------------------------------------------------------------


@dataclass(slots=True)
class Card:
    card_no: str
    pin: str
    card_type: str = "0"  # 0 master, 1 sub


@dataclass(slots=True)
class BioTemplate:
    id: str
    pin: str
    template_no: str
    valid_type: str
    template: str
    bio_type: int = 1
    version: str = "10"


@dataclass(slots=True)
class Person:
    pin: str
    id: str
    name: str
    last_name: str = ""
    dept_code: str = "1"
    gender: str = ""
    birthday: str | None = None
    email: str = ""
    mobile: str = ""
    cert_type: str = ""
    cert_number: str = ""
    ssn: str | None = None
    hire_date: str | None = None
    is_disabled: bool = False
    is_send_mail: bool = False
    person_pwd: str = ""
    photo: str = ""  # base64
    car_plates: list[str] = field(default_factory=list)
    acc_start: str | None = None
    acc_end: str | None = None
    left: bool = False  # resigned (2.14.9) until reinstated (2.14.13)
    leave_date: str = ""
    att: dict[str, Any] = field(default_factory=dict)
    ins: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Visitor:
    id: str
    pin: str
    name: str
    last_name: str | None
    cert_type: str
    cert_number: str
    phone: str = ""
    company: str = ""
    email: str = ""
    car_plate: str = ""
    gender: str = ""
    blocked: bool = False


@dataclass(slots=True)
class VisitRegistration:
    id: str
    visitor_pin: str
    host_pin: str
    reason: str
    count: int
    start: str
    end: str
    card_no: str = ""
    levels: str = ""
    checked_in_at: float = 0.0
    checked_out_at: float | None = None


@dataclass(slots=True)
class VisitReservation:
    id: str
    host_pin: str
    cert_type: str
    cert_num: str
    visitor_name: str
    visit_date: str
    visit_end: str
    reason: str
    phone: str = ""
    company: str = ""
    status: Literal["reserved", "visited"] = "reserved"


# -- transactions ----------------------------------------------------------------------------------


@dataclass(slots=True)
class Event:
    """One transaction, in the fields the manual's records use; rendered per endpoint by routes.render."""

    seq: int
    id: str
    store: Store
    at: float
    event_time: str
    event_no: int
    event_name: str
    level: int  # 0 normal, 1 warning, 2 alarm
    dev_sn: str
    dev_name: str
    area_name: str
    point_name: str = ""  # eventPointName: the door, gate or floor
    door_name: str = ""
    door_no: int | None = None
    reader_name: str = ""
    reader_state: int | None = None
    verify_mode: str = "Other"
    pin: str = ""
    name: str = ""
    last_name: str = ""
    dept_code: str = ""
    dept_name: str = ""
    card_no: str = ""
    log_id: int = 0
    photo: str = ""  # capturePhotoBase64
    gate_type: int | None = None
    temperature: float | None = None
    mask_flag: str | None = None
    temp_status: str = ""
    photo_path: str = ""
    kind: str = ""  # what the simulator did (verify, forced_open, ...): ground truth only

    @property
    def content_key(self) -> tuple[str, str, str, str, str, str]:
        return (self.dev_sn, self.event_time, self.event_name, self.point_name, self.pin, self.card_no)


# -- parking ---------------------------------------------------------------------------------------


@dataclass(slots=True)
class ParkRecord:
    id: str
    car_number: str
    area_name: str
    car_type_name: str
    channel_in: str
    check_in: float
    driver: str = ""
    channel_out: str = ""
    check_out: float | None = None
    event_type: str = "1"
    paid_amount: float | None = None
    payment_type: str = ""
    out_id: str = ""


# -- the world -------------------------------------------------------------------------------------


class World:
    """All state of one simulated server. Create it with :func:`console.sim.generate.build_world`."""

    def __init__(self, seed: int, site: str, clock: Clock | None = None) -> None:
        self.seed = seed
        self.site = site
        self.clock = clock or Clock()
        self.rng = random.Random(seed * 7919 + 1)  # live choices (activity, emit); generation has its own
        self._ids = itertools.count(1)
        self.areas: dict[str, Area] = {}
        self.departments: dict[str, Department] = {}  # by code
        self.levels: dict[str, Level] = {}
        self.devices: dict[str, Device] = {}  # by id
        self.readers: dict[str, Reader] = {}
        self.doors: dict[str, Door] = {}
        self.gates: dict[str, Gate] = {}
        self.floors: dict[str, Floor] = {}
        self.persons: dict[str, Person] = {}  # by pin
        self.enrolled: list[str] = []  # pins added through the API (2.14.1/2.14.14), newest last (at most 500)
        self.cards: dict[str, Card] = {}  # by card number
        self.templates: dict[tuple[str, str], BioTemplate] = {}  # (pin, templateNo)
        self.visitors: dict[str, Visitor] = {}  # by visitor pin
        self.registrations: list[VisitRegistration] = []
        self.reservations: list[VisitReservation] = []
        self.att_area_pins: dict[str, set[str]] = {}  # area code -> pins (2.8/2.9)
        self.ins_area_pins: dict[str, set[str]] = {}  # FaceKiosk areas (2.29)
        self.inside: dict[str, str] = {}  # pin -> area id (who is inside, 2.2)
        # the long tail: records kept as plain dicts in the manual's own field names
        self.tables: dict[str, dict[str, dict[str, Any]]] = {}
        self.park_records: list[ParkRecord] = []
        self.park_lists: dict[str, dict[str, Any]] = {}  # carNumber -> allow/block list entry (2.4, 2.41.9)
        # events
        self.events: dict[Store, list[Event]] = {s: [] for s in STORES}
        self.events_by_id: dict[str, Event] = {}
        self._keys: set[tuple[str, str, str, str, str, str]] = set()
        self._seq = itertools.count(1)
        self._log_ids: dict[str, itertools.count[int]] = {}
        self.history_seq = 0  # events up to this seq were generated with the world, not emitted live
        self._live: list[Event] | None = None
        self.listeners: list[Callable[[Event], object]] = []
        self._monitor: OrderedDict[tuple[Store, str], int] = OrderedDict()
        self._scheduled: list[tuple[float, int, Callable[[], object]]] = []
        self._sched_ids = itertools.count()
        self._pick_cache: dict[int, list[str]] = {}

    # -- basics ------------------------------------------------------------------------------------

    def now(self) -> float:
        return self.clock.now()

    def new_id(self) -> str:
        """A 32-hex id like the server's, unique within this world."""
        return f"8a8890e1{self.seed & 0xFFFF:04x}{next(self._ids):020x}"

    def table(self, name: str) -> dict[str, dict[str, Any]]:
        return self.tables.setdefault(name, {})

    def device_of(self, obj: Door | Gate | Floor) -> Device:
        return self.devices[obj.device_id]

    def area_name(self, area_id: str) -> str:
        area = self.areas.get(area_id)
        return area.name if area else ""

    def dept_name(self, code: str) -> str:
        dept = self.departments.get(code)
        return dept.name if dept else ""

    def device_by_sn(self, sn: str) -> Device | None:
        for device in self.devices.values():
            if device.sn == sn:
                return device
        return None

    def devices_of(self, *modules: str) -> list[Device]:
        return [d for d in self.devices.values() if d.module in modules]

    def door_by_name(self, name: str) -> Door | None:
        for door in self.doors.values():
            if door.name == name:
                return door
        return None

    def gate_by_name(self, name: str) -> Gate | None:
        for gate in self.gates.values():
            if gate.name == name:
                return gate
        return None

    def person_cards(self, pin: str) -> list[Card]:
        return [c for c in self.cards.values() if c.pin == pin]

    def main_card(self, pin: str) -> str:
        for card in self.cards.values():
            if card.pin == pin and card.card_type == "0":
                return card.card_no
        return ""

    def active_persons(self) -> Iterator[Person]:
        return (p for p in self.persons.values() if not p.left)

    def person_levels(self, pin: str, kind: str) -> list[Level]:
        return [lv for lv in self.levels.values() if lv.kind == kind and pin in lv.pins]

    def pick(self, table: dict[str, T], ok: Callable[[T], bool], what: str) -> T:
        """A random record of ``table`` for which ``ok`` holds (LookupError when there is none).

        Rejection sampling over a cached snapshot of the keys keeps this cheap on large sites.
        """
        keys = self._pick_cache.get(id(table))
        if keys is None or len(keys) != len(table):
            keys = self._pick_cache[id(table)] = list(table)
        for _ in range(40):
            item = table.get(self.rng.choice(keys)) if keys else None
            if item is not None and ok(item):
                return item
        candidates = [item for item in table.values() if ok(item)]
        if not candidates:
            raise LookupError(f"no {what} fits")
        return self.rng.choice(candidates)

    # -- live state (computed from the clock) -----------------------------------------------------

    def door_connect(self, door: Door) -> int:
        if door.connect_override is not None:
            return door.connect_override
        return self.device_of(door).connect

    def door_state(self, door: Door, at: float | None = None) -> dict[str, str]:
        """``connect``/``sensor``/``alarm``/``relay`` as the server spells them (2.12.1)."""
        t = self.now() if at is None else at
        connect = self.door_connect(door)
        if connect != 1:
            sensor = relay = alarm = "unknown"
        else:
            relay = "open" if t < door.relay_until else "off"
            is_open = t < door.sensor_until
            if not door.has_sensor:
                sensor = "no sensor" if door.lower_case else "No sensor"
            else:
                sensor = "open" if is_open else "off"
            alarm = "none" if door.lower_case else "None"
            if door.alarm != "none" and t < door.alarm_until and (is_open or not door.alarm_while_open):
                alarm = door.alarm
        return {"connect": str(connect), "sensor": sensor, "alarm": alarm, "relay": relay}

    def gate_state(self, gate: Gate, at: float | None = None) -> dict[str, str]:
        """``connect``/``gateState``/``alarm``/``relay`` codes (2.32.1)."""
        t = self.now() if at is None else at
        connect = self.device_of(gate).connect
        if connect != 1:
            return {"connect": str(connect), "gateState": "2" if connect == 2 else "0", "alarm": "0", "relay": "0"}
        state = "3" if gate.lockdown else "1"
        relay = str(gate.relay) if t < gate.relay_until else "0"
        alarm = str(gate.alarm) if t < gate.alarm_until else "0"
        return {"connect": "1", "gateState": state, "alarm": alarm, "relay": relay}

    def open_door(self, door: Door, seconds: float, *, sensor: bool = True) -> None:
        t = self.now()
        door.relay_until = max(door.relay_until, t + seconds)
        if sensor:
            door.sensor_until = max(door.sensor_until, t + seconds)

    def close_door(self, door: Door) -> None:
        t = self.now()
        door.relay_until = min(door.relay_until, t)
        door.sensor_until = min(door.sensor_until, t)

    def set_door_alarm(self, door: Door, alarm: str, seconds: float = INF, *, while_open: bool = False) -> None:
        door.alarm = alarm
        door.alarm_until = self.now() + seconds
        door.alarm_while_open = while_open

    # -- test and trainer helpers (the brief's interface) -----------------------------------------

    def set_device_online(self, sn: str, online: bool) -> Event | None:
        """Take a device offline or back online; emits the disconnect/connect event. KeyError if unknown."""
        from .events import set_online  # the event catalogue lives with the event makers

        device = self.device_by_sn(sn)
        if device is None:
            raise KeyError(f"no device with sn {sn!r}")
        return set_online(self, device, online)

    def force_door(self, door_id: str, **state: Any) -> dict[str, str]:
        """Put a door in a given state; returns the door state as 2.12.2 would answer.

        Keywords: ``sensor`` ("open"/"off"/"no sensor"), ``relay`` ("open"/"off"), ``alarm`` (any text of the
        manual's list, "none" clears), ``connect`` (0/1/2, or None to follow the device), ``seconds`` (how long
        an open sensor/relay or an alarm lasts; default: until changed again).
        """
        door = self.doors[door_id]
        unknown = set(state) - {"sensor", "relay", "alarm", "connect", "seconds"}
        if unknown:
            raise TypeError(f"force_door does not know {sorted(unknown)}")
        seconds = float(state.get("seconds") or INF)
        t = self.now()
        sensor = state.get("sensor")
        if sensor is not None:
            text = str(sensor).strip().lower()
            if text in ("no sensor", "none"):
                door.has_sensor = False
            elif text in ("open", "opened"):
                door.has_sensor = True
                door.sensor_until = t + seconds
            elif text in ("off", "closed", "close"):
                door.has_sensor = True
                door.sensor_until = t
            else:
                raise ValueError(f"unknown sensor state {sensor!r}")
        relay = state.get("relay")
        if relay is not None:
            text = str(relay).strip().lower()
            if text in ("open", "on"):
                door.relay_until = t + seconds
            elif text in ("off", "close", "closed"):
                door.relay_until = t
            else:
                raise ValueError(f"unknown relay state {relay!r}")
        alarm = state.get("alarm")
        if alarm is not None:
            text = str(alarm).strip()
            if text.lower() in ("none", ""):
                door.alarm, door.alarm_until = "none", 0.0
            else:
                self.set_door_alarm(door, text, seconds)
        if "connect" in state:
            connect = state["connect"]
            door.connect_override = None if connect is None else int(connect)
        return self.door_state(door)

    # -- scheduled happenings ---------------------------------------------------------------------

    def schedule(self, at: float, action: Callable[[], object]) -> None:
        heapq.heappush(self._scheduled, (at, next(self._sched_ids), action))

    def tick(self) -> None:
        """Run every scheduled action that is due (called on each request and by the activity task)."""
        now = self.now()
        while self._scheduled and self._scheduled[0][0] <= now:
            _, _, action = heapq.heappop(self._scheduled)
            action()

    # -- events ------------------------------------------------------------------------------------

    def next_log_id(self, dev_sn: str) -> int:
        counter = self._log_ids.get(dev_sn)
        if counter is None:
            counter = self._log_ids[dev_sn] = itertools.count(1)
        return next(counter)

    def add_event(self, event: Event) -> Event:
        """Store an event (its seq, id and logId are assigned here); notifies listeners."""
        while event.content_key in self._keys:  # same device, second, name, point, pin and card: move on
            event.at = math.floor(event.at) + 1.0
            event.event_time = fmt_time(event.at)
        self._keys.add(event.content_key)
        event.seq = next(self._seq)
        event.id = f"8a8890e2{STORES.index(event.store):x}{event.seq:023x}"
        event.log_id = self.next_log_id(event.dev_sn)
        store = self.events[event.store]
        store.append(event)
        self.events_by_id[event.id] = event
        if self._live is not None:
            self._live.append(event)
            if len(self._live) > STORE_CAP * len(STORES):
                del self._live[: STORE_CAP // 10]
        if len(store) > STORE_CAP:  # a demo left running for days: forget the oldest tenth
            for old in store[: STORE_CAP // 10]:
                self.events_by_id.pop(old.id, None)
                self._keys.discard(old.content_key)
            del store[: STORE_CAP // 10]
        for listener in list(self.listeners):
            listener(event)
        return event

    def monitor(self, store: Store, timestamp: str, at_or_after_ms: int) -> list[Event]:
        """The real-time monitor: ``timestamp`` names a cursor (see README, "Monitor cursor").

        First request with a value: events produced at or after that time (at most MONITOR_CAP, oldest
        first). Each later request with the same value: only events stored after the previous answer's last
        one. The cursor moves as the answer is built, so an answer lost on the way is lost for the monitor.
        """
        events = self.events[store]
        key = (store, timestamp)
        last = self._monitor.get(key)
        if last is None:
            # times are nearly monotone (a colliding event moves a few seconds forward): search with a margin
            start = _first_index(events, lambda e: e.at * 1000 >= at_or_after_ms - 60_000)
            out = [e for e in itertools.islice(events, start, None) if e.at * 1000 >= at_or_after_ms]
            out = out[:MONITOR_CAP]
        else:
            self._monitor.move_to_end(key)
            start = _first_index(events, lambda e: e.seq > last)
            out = events[start : start + MONITOR_CAP]
        if out:
            self._monitor[key] = out[-1].seq
        elif last is None:
            self._monitor[key] = events[-1].seq if events else 0
        while len(self._monitor) > 1000:
            self._monitor.popitem(last=False)
        return out

    def end_history(self) -> None:
        """From now on events are live: recorded as the ground truth (``emitted``)."""
        self.history_seq = max((e.seq for s in self.events.values() for e in s[-1:]), default=0)
        self._live = []

    def emitted(self) -> list[Event]:
        """Every event produced after the world was built (the ground truth), oldest first."""
        return list(self._live or ())


def _first_index(events: list[Event], pred: Callable[[Event], bool]) -> int:
    """Index of the first event satisfying the monotone predicate ``pred`` (binary search)."""
    lo, hi = 0, len(events)
    while lo < hi:
        mid = (lo + hi) // 2
        if pred(events[mid]):
            hi = mid
        else:
            lo = mid + 1
    return lo
