"""The parking desk: the lots live, cars in the lot, find a car by plate, bill it, take payment exactly once,
open a barrier, keep the allow/deny lists and fixed vehicles; Qt-free, used by the parking panel.

::

    poller "parking"     areas, spaces, entrances, channels (every 10 minutes), then the entries and exits
                         since the newest record seen (2.41.7 / 2.41.8, paged, de-duplicated by id): a poll
                         after an outage asks from where the last good one ended, so the gap is back-filled
    bill(plate)          2.47.1: amount due (Decimal), check-in, time parked, free for fixed vehicles
    take_payment(bill)   2.47.2 once. Refused here, before the server's -220, when this record already has a
                         payment that is done, uncertain or on the wire. The amount is confirmed by billing
                         again first. A lost answer leaves the payment "uncertain"; nothing else is offered for
                         it until settle() reads the record's own state and bills again: the record marked paid
                         (2.41.7 eventType 11/12) or less due than was taken means it arrived; as much due
                         means it did not when that is certain (billed again within minutes, or the server is
                         seen to mark paid records and this one is not); otherwise it stays uncertain and the
                         operator, having checked on the server, marks it (resolve())
    open_barrier(...)    2.36.2 once, with a reason
    lists                2.41.9 allowed / prohibited, 2.4.2 removal, 2.41.10/11 fixed vehicles, 2.36.3/4 plates

Every write is audited (``parking.payment``, ``parking.payment.settle``, ``parking.barrier.open``,
``parking.list.*``, ``parking.fixed.*``, ``parking.plate.*``): "sending" before it leaves, then its outcome;
a write the audit log cannot record is not sent (``NOT_SENT``). Each is reported with an :class:`Outcome`. Money is
:class:`~decimal.Decimal` from the server's text to the receipt and the cash-up.

A car on the deny list entering, or a car entering a lot that is already full, is announced on :attr:`alarm`
(the session's services put it in the alarm queue). The deny list known here is the one kept at this desk:
the API cannot list it.
"""

from __future__ import annotations

import asyncio
import csv
import inspect
import io
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Final, Literal

from console.api import Client
from console.api.errors import ApiError, CVSecError
from console.api.models.parking import (
    AllowListType,
    CarType,
    FixedVehicle,
    ParkChannel,
    ParkEventType,
    ParkingArea,
    ParkingDiscount,
    ParkingEntrance,
    ParkingEntry,
    ParkingExit,
)
from console.api.paging import Page
from console.services.audit import CANCELLED, AuditError, Auditor, AuditTicket, begin
from console.services.events.export import safe_cell
from console.services.json_store import StoreWriteError
from console.services.observable import Signal
from console.services.outcome import Outcome
from console.services.polling import HealthReporter, Poller, PollPolicy
from console.services.settings import atomic_write
from console.services.text import clean_text, whole_number

from .money import CurrencyFormat, MoneyError, parse_money, to_cents_text
from .plates import Match, MatchKind, compact, match_plate, match_plates, plate_problem
from .store import ListBook, ListEntry, PaymentBook, PaymentRecord

__all__ = [
    "Bill",
    "CarInLot",
    "CashUp",
    "ChannelInfo",
    "Lot",
    "ParkingAlarm",
    "ParkingDesk",
    "ParkingResult",
    "Passage",
    "write_cashup_csv",
]

log = logging.getLogger(__name__)

BASE_EVERY: Final = timedelta(minutes=10)  # areas, spaces, channels change rarely
MARGIN: Final = timedelta(minutes=10)  # each poll asks again from a little before the newest record seen
PAGE_SIZE: Final = 200
MAX_PAGES: Final = 25
MAX_PASSAGES: Final = 300  # entries and exits kept for the live list
TIME_FORMAT: Final = "%Y-%m-%d %H:%M:%S"
SETTLE_PROMPT: Final = timedelta(minutes=5)  # a settle this soon after the bill (server time) sees no new fee step
PAID_TYPES: Final = frozenset({ParkEventType.ONLINE_PREPAYMENT, ParkEventType.PAID_ONLINE})

_REFUSALS: Final[Mapping[int, tuple[str, str]]] = {
    -220: ("record", "the server has no open parking record for it (not parked, or already paid)"),
    -221: ("kind", "the server does not know this list type"),
    -222: ("dates", "the dates are missing, unreadable or the wrong way round"),
    -223: ("plate", "the server refused the licence plate (malformed, or not on this list or person)"),
    -22: ("pin", "the server knows no such person"),
    -80: ("area", "the server knows no such parking area"),
    -102: ("channel", "the server knows no such channel"),
}


def _when(value: datetime | None) -> str:
    return value.strftime(TIME_FORMAT) if value is not None else ""


def _seconds(text: str) -> timedelta | None:
    seconds = whole_number(text)
    return timedelta(seconds=seconds) if seconds is not None else None


def _whole_seconds(value: timedelta | None) -> str:
    return "" if value is None else str(max(0, int(value.total_seconds())))


def _duration_words(value: timedelta | None) -> str:
    if value is None:
        return ""
    total = max(0, int(value.total_seconds()))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days} d {hours} h {minutes:02d} min"
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min"


# -- what the desk shows ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChannelInfo:
    id: str
    name: str
    lot: str = ""  # the lot whose name starts the channel's name, when one does
    last_opened: str = ""  # "HH:MM by ann: reason", when this desk opened it
    direction: str = ""  # "entry" / "exit": the records seen through it (2.36.1 says only id and name)
    last_car: str = ""  # "HH:MM Liao F4J227 in": the newest record seen through it

    @property
    def label(self) -> str:
        return f"{self.name} ({self.lot})" if self.lot and self.lot not in self.name else self.name

    @property
    def state(self) -> str:
        """What is known of the lane, in words: its direction, the last car through, this desk's last opening."""
        parts = [self.direction or "lane"]
        if self.last_car:
            parts.append(f"last car {self.last_car}")
        if self.last_opened:
            parts.append(f"opened {self.last_opened}")
        return " · ".join(parts)


@dataclass(frozen=True, slots=True)
class Lot:
    id: str
    name: str
    capacity: int  # spaces (2.41.5)
    occupied: int  # cars in the lot now (entries without an exit)
    entrances: tuple[str, ...] = ()
    channels: tuple[ChannelInfo, ...] = ()

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.occupied)

    @property
    def full(self) -> bool:
        return self.capacity > 0 and self.occupied >= self.capacity


@dataclass(frozen=True, slots=True)
class CarInLot:
    record_id: str
    plate: str
    area: str
    car_type: str
    channel: str
    check_in: datetime | None
    driver: str = ""

    def parked(self, now: datetime) -> timedelta | None:
        return None if self.check_in is None else max(timedelta(0), now - self.check_in)

    def parked_words(self, now: datetime) -> str:
        return _duration_words(self.parked(now))


@dataclass(frozen=True, slots=True)
class Passage:
    """One entry or exit, as the live list shows it."""

    direction: Literal["in", "out"]
    id: str
    plate: str
    area: str
    car_type: str
    channel: str
    at: datetime | None
    parked: str = ""  # exits: the server's time parked
    record_type: str = ""
    backfilled: bool = False


@dataclass(frozen=True, slots=True)
class Bill:
    plate: str
    record_id: str
    amount: Decimal
    check_in: datetime | None
    parked: timedelta | None
    parked_text: str
    car_auth: str
    charge_type: str
    car_type: str = ""
    area: str = ""
    billed_at: datetime = field(default_factory=datetime.now)

    @property
    def free(self) -> bool:
        """A fixed (monthly) vehicle or a person's car: the server bills nothing."""
        return self.car_auth.casefold() == "fixed" or self.charge_type.casefold() == "free"

    @property
    def parked_words(self) -> str:
        return _duration_words(self.parked) or self.parked_text


@dataclass(frozen=True)
class ParkingResult:
    """What became of a request. ``INVALID``: refused here, nothing sent (``problems`` per field)."""

    outcome: Outcome
    message: str
    bill: Bill | None = None
    payment: PaymentRecord | None = None
    problems: Mapping[str, str] = field(default_factory=dict)
    code: int | None = None  # the server's refusal code

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.DONE


@dataclass(frozen=True, slots=True)
class ParkingAlarm:
    kind: Literal["denied", "full"]
    plate: str
    area: str
    channel: str
    at: datetime
    record_id: str
    text: str


@dataclass(frozen=True)
class CashUp:
    """The payments taken at this desk between ``since`` and ``until`` (by one operator, or all)."""

    since: datetime
    until: datetime
    operator: str | None
    paid: tuple[PaymentRecord, ...]
    uncertain: tuple[PaymentRecord, ...]

    @property
    def total(self) -> Decimal:
        return sum((p.money for p in self.paid), Decimal("0.00"))

    @property
    def uncertain_total(self) -> Decimal:
        return sum((p.money for p in self.uncertain), Decimal("0.00"))

    def by_operator(self) -> dict[str, tuple[int, Decimal]]:
        out: dict[str, tuple[int, Decimal]] = {}
        for p in self.paid:
            count, amount = out.get(p.operator, (0, Decimal("0.00")))
            out[p.operator] = (count + 1, amount + p.money)
        return dict(sorted(out.items()))


CASHUP_COLUMNS: Final = ("state", "receipt", "taken at", "operator", "plate", "check-in", "parked", "amount",
                         "payment type", "record")


def write_cashup_csv(cashup: CashUp, path: Path, currency: CurrencyFormat | None = None) -> int:
    """The cash-up as CSV (UTF-8 with BOM, formula-safe cells): payments, then the uncertain ones apart, then
    the totals by operator; amounts as plain decimals. Returns the number of payment rows."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CASHUP_COLUMNS)
    rows = 0
    for state, records in (("paid", cashup.paid), ("UNCERTAIN", cashup.uncertain)):
        for p in records:
            writer.writerow([safe_cell(c) for c in (state, p.receipt, p.taken_at, p.operator, p.plate, p.check_in,
                                                    p.parked, to_cents_text(p.money), p.payment_type,
                                                    p.record_id)])
            rows += 1
    writer.writerow([])
    writer.writerow(["operator", "payments", "total"])
    for operator, (count, amount) in cashup.by_operator().items():
        writer.writerow([safe_cell(operator), str(count), to_cents_text(amount)])
    writer.writerow([safe_cell("all"), str(len(cashup.paid)), to_cents_text(cashup.total)])
    if cashup.uncertain:
        writer.writerow([safe_cell("uncertain, not counted"), str(len(cashup.uncertain)),
                         to_cents_text(cashup.uncertain_total)])
    atomic_write(path, ("\ufeff" + out.getvalue()).encode("utf-8"), mode=0o600)
    return rows


# -- the desk -------------------------------------------------------------------------------------------


class ParkingDesk:
    """The parking desk of one connection. ``changed`` announces ``"lots"``, ``"cars"``, ``"passages"``,
    ``"payments"``, ``"lists"``; ``alarm`` a :class:`ParkingAlarm`."""

    def __init__(
        self,
        client: Client,
        *,
        data_dir: Path,
        profile: str,
        operator: str,
        audit: Auditor | None = None,
        health: HealthReporter | None = None,
        policy: PollPolicy | None = None,
        clock: Callable[[], datetime] = datetime.now,
        lookback: timedelta = timedelta(hours=72),
        overstay: timedelta = timedelta(hours=24),
        payment_type: str = "cash",
    ) -> None:
        self.client = client
        self.profile = profile
        self.operator = operator
        self.audit = audit
        self.clock = clock
        self.lookback = lookback
        self.overstay = overstay
        self.payment_type = payment_type
        here = data_dir / "parking"
        self.payments = PaymentBook(here / "payments.json")
        self.lists = ListBook(here / "lists.json")
        # damaged files set aside when they were read (shown once to the operator: SessionServices.set_aside)
        self.set_aside = [*self.payments.set_aside, *self.lists.set_aside]
        self.changed: Signal[str] = Signal()
        self.alarm: Signal[ParkingAlarm] = Signal()
        self.areas: list[ParkingArea] = []
        self.entrances: list[ParkingEntrance] = []
        self.channels: list[ParkChannel] = []
        self.car_types: list[CarType] = []
        self.discounts: list[ParkingDiscount] = []
        self.spaces: dict[str, int] = {}  # area id -> number of spaces
        self._base_at: datetime | None = None
        self._entries: dict[str, ParkingEntry] = {}
        self._exits: dict[str, ParkingExit] = {}
        self._newest: datetime | None = None
        self._loaded = False
        self._cars: dict[str, CarInLot] = {}  # record id -> car
        self.passages: list[Passage] = []  # newest first
        self._opened: dict[str, str] = {}  # channel id -> "HH:MM by ann: reason"
        self._pay_lock = asyncio.Lock()
        self.marks_payments = False  # seen a record marked paid (2.41.7 eventType 11/12)
        self.polls = 0
        self.poller = Poller("parking", self._step, policy or PollPolicy(), health=health)

    def __repr__(self) -> str:
        return f"<ParkingDesk {self.profile!r}: {len(self._cars)} cars in {len(self.areas)} lots>"

    # -- the lots, live ------------------------------------------------------------------------------

    async def _step(self) -> bool:
        await self.poll()
        return True

    async def poll(self) -> None:
        """One poll: the lots' base data when it is old, then the entries and exits since the last poll."""
        if self._base_at is None or self.clock() - self._base_at > BASE_EVERY:
            await self.load_base()
        await self._poll_records()
        self.polls += 1

    async def load_base(self) -> None:
        """Areas, entrances, channels, car types, discounts and each area's spaces."""
        areas, entrances, channels, car_types, discounts = await asyncio.gather(
            self.client.parking_areas(), self.client.parking_entrances(), self.client.parking_channels(),
            self.client.car_types(), self.client.parking_discounts())
        areas = [a for a in areas if a.id]
        counts = await asyncio.gather(*(self.client.parking_spaces(a.id) for a in areas))
        self.areas, self.entrances, self.channels = areas, entrances, [c for c in channels if c.channel_id]
        self.car_types, self.discounts = car_types, discounts
        self.spaces = {a.id: len(spaces) for a, spaces in zip(areas, counts, strict=True)}
        self._base_at = self.clock()
        self.changed.emit("lots")

    async def _pages(self, fetch: Callable[..., Awaitable[Page[Any]]], start: datetime) -> list[Any]:
        items: list[Any] = []
        for page_no in range(1, MAX_PAGES + 1):
            page = await fetch(start=start, page_no=page_no, page_size=PAGE_SIZE)
            items.extend(page.items)
            if not page.has_more:
                break
        return items

    async def _poll_records(self) -> None:
        start = (self._newest if self._newest is not None else self.clock() - self.lookback) - MARGIN
        entries: list[ParkingEntry] = await self._pages(self.client.parking_entries, start)
        exits: list[ParkingExit] = await self._pages(self.client.parking_exits, start)
        first = not self._loaded
        backfilled = self.poller.failures > 0
        if not self.marks_payments and any(r.event_type in PAID_TYPES for r in [*entries, *exits]):
            self.marks_payments = True  # this server marks paid records: settling may lean on the mark
        new_in = [e for e in entries if self._entry_key(e) not in self._entries]
        new_out = [x for x in exits if self._exit_key(x) not in self._exits]
        for e in new_in:
            self._entries[self._entry_key(e)] = e
        for x in new_out:
            self._exits[self._exit_key(x)] = x
        times = [e.check_in_time for e in entries if e.check_in_time] + [
            x.check_out_time for x in exits if x.check_out_time]
        if times:
            newest = max(times)
            self._newest = newest if self._newest is None else max(self._newest, newest)
        self._loaded = True
        if not new_in and not new_out and not first:
            return
        fresh = [self._passage_in(e, backfilled) for e in new_in] + [self._passage_out(x, backfilled) for x in new_out]
        fresh.sort(key=lambda p: p.at or datetime.min, reverse=True)
        self.passages = sorted(fresh + self.passages, key=lambda p: p.at or datetime.min, reverse=True)[:MAX_PASSAGES]
        self._recount()
        self.changed.emit("passages")
        self.changed.emit("cars")
        self.changed.emit("lots")
        if not first:
            for entry in sorted(new_in, key=lambda e: e.check_in_time or datetime.min):
                self._check_alarms(entry)

    @staticmethod
    def _entry_key(e: ParkingEntry) -> str:
        return e.id or f"{e.car_number}|{_when(e.check_in_time)}"

    @staticmethod
    def _exit_key(x: ParkingExit) -> str:
        return x.id or f"{x.car_number}|{_when(x.check_out_time)}"

    @staticmethod
    def _passage_in(e: ParkingEntry, backfilled: bool) -> Passage:
        return Passage("in", e.id, clean_text(e.car_number, 32), clean_text(e.parking_area_name, 80),
                       clean_text(e.car_type_name, 80), clean_text(e.channel_name, 80), e.check_in_time,
                       record_type=e.event_type.words, backfilled=backfilled)

    @staticmethod
    def _passage_out(x: ParkingExit, backfilled: bool) -> Passage:
        return Passage("out", x.id, clean_text(x.car_number, 32), clean_text(x.parking_area_name, 80),
                       clean_text(x.car_type_name, 80), clean_text(x.channel_name, 80), x.check_out_time,
                       parked=_duration_words(x.parked) or clean_text(x.parking_time, 40),
                       record_type=x.event_type.words, backfilled=backfilled)

    def _recount(self) -> None:
        """Cars in the lot: each plate's latest entry, unless an exit of that plate came at or after it."""
        latest: dict[str, ParkingEntry] = {}
        for e in self._entries.values():
            key = compact(e.car_number)
            if not key:
                continue
            old = latest.get(key)
            if old is None or (e.check_in_time or datetime.min) >= (old.check_in_time or datetime.min):
                latest[key] = e
        last_exit: dict[str, datetime] = {}
        for x in self._exits.values():
            key = compact(x.car_number)
            if x.check_out_time is not None and (key not in last_exit or x.check_out_time > last_exit[key]):
                last_exit[key] = x.check_out_time
        cars: dict[str, CarInLot] = {}
        for key, e in latest.items():
            out = last_exit.get(key)
            if out is not None and e.check_in_time is not None and out >= e.check_in_time:
                continue
            if out is not None and e.check_in_time is None:
                continue
            record_id = e.id or self._entry_key(e)
            cars[record_id] = CarInLot(record_id, clean_text(e.car_number, 32), clean_text(e.parking_area_name, 80),
                                       clean_text(e.car_type_name, 80), clean_text(e.channel_name, 80),
                                       e.check_in_time, clean_text(e.name, 80))
        self._cars = cars

    def _check_alarms(self, entry: ParkingEntry) -> None:
        plate = clean_text(entry.car_number, 32)
        at = entry.check_in_time or self.clock()
        area = clean_text(entry.parking_area_name, 80)
        channel = clean_text(entry.channel_name, 80)
        denied = [e for e in self.lists.all("denied") if match_plate(e.plate, plate) in (MatchKind.EXACT,
                                                                                          MatchKind.CONFUSED)]
        if denied:
            self.alarm.emit(ParkingAlarm("denied", plate, area, channel, at, entry.id,
                                         f"Car on the deny list entered: {plate} at {channel or area}"))
        lot = next((lot for lot in self.lots() if lot.name == area), None)
        if lot is not None and lot.capacity > 0 and lot.occupied > lot.capacity:
            self.alarm.emit(ParkingAlarm("full", plate, area, channel, at, entry.id,
                                         f"Car entered a full car park: {plate} into {area} "
                                         f"({lot.occupied} cars, {lot.capacity} spaces)"))

    def lots(self) -> list[Lot]:
        occupied: dict[str, int] = {}
        for car in self._cars.values():
            occupied[car.area] = occupied.get(car.area, 0) + 1
        lots = []
        for area in self.areas:
            name = clean_text(area.name, 80)
            entrances = tuple(clean_text(e.name, 80) for e in self.entrances if e.area_id == area.id)
            channels = tuple(c for c in self.channel_infos() if c.lot == name)
            lots.append(Lot(area.id, name, self.spaces.get(area.id, 0), occupied.get(name, 0), entrances, channels))
        return lots

    def channel_infos(self) -> list[ChannelInfo]:
        names = sorted((clean_text(a.name, 80) for a in self.areas), key=len, reverse=True)
        newest: dict[str, Passage] = {}
        for passage in self.passages:  # newest first
            newest.setdefault(passage.channel, passage)
        out = []
        for c in self.channels:
            name = clean_text(c.channel_name, 80) or c.channel_id
            lot = next((n for n in names if n and name.startswith(n)), "")
            seen = newest.get(name)
            direction = last = ""
            if seen is not None:
                direction = "entry" if seen.direction == "in" else "exit"
                when = seen.at.strftime("%H:%M") if seen.at else ""
                last = f"{when} {seen.plate}".strip()
            out.append(ChannelInfo(c.channel_id, name, lot, self._opened.get(c.channel_id, ""), direction, last))
        return out

    def cars(self) -> list[CarInLot]:
        """The cars in the lot now, longest parked first."""
        return sorted(self._cars.values(), key=lambda c: (c.check_in or datetime.max, c.plate))

    def overstayed(self, car: CarInLot) -> bool:
        parked = car.parked(self.clock())
        return parked is not None and parked > self.overstay

    def find(self, typed: str, *, limit: int = 20) -> list[tuple[Match, CarInLot]]:
        """Cars in the lot whose plate matches ``typed`` (spaces, case, O/0, I/1, B/8), best first."""
        by_plate: dict[str, CarInLot] = {}
        for car in self.cars():
            by_plate.setdefault(car.plate, car)
        return [(m, by_plate[m.plate]) for m in match_plates(typed, by_plate, limit=limit)]

    def car(self, record_id: str) -> CarInLot | None:
        return self._cars.get(record_id)

    # -- billing and payment ---------------------------------------------------------------------------

    def _audit(self, action: str, target: str, params: Mapping[str, Any], result: str) -> str:
        """Write one audit row; '' or the reason it could not be written (the operator is told)."""
        if self.audit is None:
            return ""
        try:
            self.audit.record(action, target, dict(params), result, operator=self.operator, profile=self.profile)
        except (AuditError, OSError) as exc:
            log.error("%s on %s not audited: %s", action, target, exc)
            return f" (NOT written to the audit log: {exc})"
        return ""

    def _begin(self, action: str, target: str, params: Mapping[str, Any]) -> AuditTicket:
        """The "sending" audit row of a write; :class:`AuditError` (send nothing) when it cannot be written."""
        return begin(self.audit, action, target, dict(params), operator=self.operator, profile=self.profile)

    @staticmethod
    def _refusal(exc: ApiError) -> tuple[str, str]:
        field_name, words = _REFUSALS.get(exc.code, ("", ""))
        return field_name, words or clean_text(exc.text, 300)

    async def bill(self, plate: str) -> ParkingResult:
        """What the car with ``plate`` owes now (2.47.1)."""
        problem = plate_problem(plate)
        if problem:
            return ParkingResult(Outcome.INVALID, problem, problems={"plate": problem})
        plate = plate.strip()
        try:
            answer = await self.client.parking_bill(plate)
        except ApiError as exc:
            _, words = self._refusal(exc)
            return ParkingResult(Outcome.REFUSED, f"{plate}: {words} [{exc.code}]", code=exc.code)
        except CVSecError as exc:
            outcome = Outcome.of(exc)
            return ParkingResult(outcome, f"{plate} could not be billed: {clean_text(str(exc), 300)}")
        try:
            amount = parse_money(answer.final_amount)
        except MoneyError:
            return ParkingResult(Outcome.REFUSED, f"{plate}: the server's amount is not a number "
                                                  f"({clean_text(answer.final_amount, 40)!r})")
        car = self._cars.get(answer.record_id)
        bill = Bill(clean_text(answer.car_number, 32) or plate, answer.record_id, amount, answer.check_in_time,
                    answer.parked, clean_text(answer.parking_time, 40), clean_text(answer.car_auth, 40),
                    clean_text(answer.charge_type, 40), car.car_type if car else "", car.area if car else "",
                    self.clock())
        return ParkingResult(Outcome.DONE, f"{bill.plate}: {bill.amount} due", bill=bill)

    async def take_payment(self, bill: Bill, payment_type: str | None = None) -> ParkingResult:
        """Tell the server the car has paid (2.47.2), once; see the module docstring."""
        async with self._pay_lock:  # two clicks, two panels: one notice at a time, checked against the book
            return await self._take_payment(bill, clean_text(payment_type or self.payment_type, 40) or "cash")

    async def _take_payment(self, bill: Bill, payment_type: str) -> ParkingResult:
        blocking = self.payments.blocking(bill.record_id)
        if blocking is not None:
            if blocking.state == "done":
                text = (f"{bill.plate} was already paid at {blocking.taken_at[11:16]} (receipt {blocking.receipt}, "
                        f"{blocking.amount}); a second payment notice is not sent")
            else:
                text = (f"the payment of {bill.plate} at {blocking.taken_at[11:16]} is uncertain: settle it first "
                        "(the console bills again to see whether it arrived); nothing was sent")
            return ParkingResult(Outcome.INVALID, text, payment=blocking, problems={"record": text})
        if bill.amount <= 0:
            return ParkingResult(Outcome.INVALID, f"nothing is due for {bill.plate}: no payment is needed", bill=bill)
        fresh = await self.bill(bill.plate)  # the amount the server will settle is the amount due now
        if fresh.bill is None:
            return ParkingResult(fresh.outcome, f"the amount could not be confirmed, no payment was recorded: "
                                                f"{fresh.message}", code=fresh.code)
        if fresh.bill.record_id != bill.record_id or fresh.bill.amount != bill.amount:
            return ParkingResult(Outcome.INVALID, f"the amount due for {bill.plate} is now {fresh.bill.amount} "
                                                  f"(billed {bill.amount}): tell the driver, then take payment again",
                                 bill=fresh.bill)
        car = self._cars.get(bill.record_id)
        try:  # the payment is on disk before the notice leaves: one that cannot be kept is not sent
            record = self.payments.new(record_id=bill.record_id, plate=bill.plate,
                                       amount=to_cents_text(bill.amount), payment_type=payment_type,
                                       operator=self.operator, check_in=_when(bill.check_in),
                                       parked=bill.parked_words, parked_seconds=_whole_seconds(fresh.bill.parked),
                                       car_type=bill.car_type or (car.car_type if car else ""),
                                       area=bill.area or (car.area if car else ""), taken_at=_when(self.clock()))
        except StoreWriteError as exc:
            return ParkingResult(Outcome.NOT_SENT, f"the payment could not be recorded, so nothing was sent: {exc}",
                                 bill=bill)
        target = f"plate {bill.plate} (record {bill.record_id})"
        params = {"amount": to_cents_text(bill.amount), "paymentType": payment_type, "receipt": record.receipt}
        try:
            ticket = self._begin("parking.payment", target, params)
        except AuditError as exc:
            record = self.payments.update(record.receipt, state="not_sent", note=str(exc))
            self.changed.emit("payments")
            return ParkingResult(Outcome.NOT_SENT, f"the payment of {bill.plate} was not recorded: {exc}",
                                 bill=bill, payment=record)
        try:
            await self.client.notify_parking_payment(bill.plate, bill.record_id, payment_type)
        except asyncio.CancelledError:
            self.payments.update(record.receipt, state="uncertain", note="cancelled before the answer came")
            ticket.complete(CANCELLED)
            self.changed.emit("payments")
            raise
        except CVSecError as exc:
            outcome = Outcome.of(exc)
            server = clean_text(exc.text if isinstance(exc, ApiError) else str(exc), 300)
            if outcome is Outcome.UNCERTAIN:
                record = self.payments.update(record.receipt, state="uncertain", note=server)
                text = (f"no answer from the server ({server}): the payment of {bill.plate} may or may not have been "
                        "recorded. It was not repeated; settle it (the console bills again) before anything else")
            elif outcome is Outcome.NOT_SENT:
                record = self.payments.update(record.receipt, state="not_sent", note=server)
                text = f"the payment of {bill.plate} was not recorded: the server could not be reached ({server})"
            else:
                record = self.payments.update(record.receipt, state="refused", note=server)
                words = self._refusal(exc)[1] if isinstance(exc, ApiError) else server
                text = f"the server refused the payment of {bill.plate}: {words}"
            text += ticket.complete(f"{outcome.value}: {server}")
            self.changed.emit("payments")
            return ParkingResult(outcome, text, bill=bill, payment=record,
                                 code=exc.code if isinstance(exc, ApiError) else None)
        record = self.payments.update(record.receipt, state="done", settled_at=_when(self.clock()))
        text = f"{bill.plate}: payment of {bill.amount} recorded (receipt {record.receipt})"
        if self.payments.unsaved:  # on disk it is still "sending": after a restart, uncertain until settled
            text += (f"; it could not be saved on this computer ({self.payments.unsaved}): after a restart it "
                     "shows as uncertain until settled")
        text += ticket.complete("ok")
        self.changed.emit("payments")
        return ParkingResult(Outcome.DONE, text, bill=bill, payment=record)

    async def settle(self, payment: PaymentRecord) -> ParkingResult:
        """Settle an uncertain payment by billing again (never by sending the notice again)."""
        async with self._pay_lock:
            return await self._settle(payment)

    async def _settle(self, payment: PaymentRecord) -> ParkingResult:
        current = self.payments.get(payment.receipt) or payment
        if current.state != "uncertain":
            return ParkingResult(Outcome.INVALID, f"the payment {current.receipt} is not uncertain ({current.state})",
                                 payment=current)
        target = f"plate {current.plate} (record {current.record_id})"
        params = {"amount": current.amount, "receipt": current.receipt}
        marked = await self._record_says_paid(current)
        if marked:
            shown = await self.bill(current.plate)  # what is due now, for the screen (nothing, or what accrued)
            now_due = shown.bill if shown.bill is not None and shown.bill.record_id == current.record_id else None
            return self._settled_arrived(current, target, params, "the server's own parking record says it is paid",
                                         "ok: the parking record is marked paid", now_due)
        fresh = await self.bill(current.plate)
        if fresh.bill is None:
            if fresh.code == -220:
                text = (f"{current.plate} is no longer billed by the server (it has left) and its parking record "
                        "does not say it was paid: whether the payment arrived cannot be told here; it stays "
                        "uncertain. Check it on the server, then mark it")
                text += self._audit("parking.payment.settle", target, params, "uncertain: the car is not parked")
            else:
                text = f"could not settle the payment of {current.plate} now: {fresh.message}; it stays uncertain"
            return ParkingResult(Outcome.UNCERTAIN, text, payment=current, code=fresh.code)
        bill = fresh.bill
        if bill.record_id != current.record_id:
            text = (f"{current.plate} has a new parking record: whether the payment {current.receipt} arrived cannot "
                    "be told here; it stays uncertain. Check it on the server, then mark it")
            return ParkingResult(Outcome.UNCERTAIN, text, bill=bill, payment=current)
        if bill.amount < current.money:
            since = f" (only {bill.amount} accrued since is due)" if bill.amount > 0 else ""
            return self._settled_arrived(current, target, params,
                                         f"confirmed by billing again: nothing of it is due any more{since}",
                                         "ok: nothing due, the payment arrived", bill)
        # The fee still due is at least the amount taken. Either the payment did not arrive, or it did and the
        # fee grew by that much since: billing alone cannot tell them apart (the question of issue 11).
        grown = self._fee_may_have_grown(current, bill)
        if not grown or (marked is False and self.marks_payments):
            why = ("its parking record is not marked paid, and this server marks paid records" if grown
                   else "billed again moments later")
            record = self.payments.update(current.receipt, state="not_arrived", settled_at=_when(self.clock()),
                                          note=f"{bill.amount} still due; {why}")
            text = (f"the payment of {current.plate} did NOT reach the server ({bill.amount} is still due; {why}): "
                    "take the payment again")
            text += self._audit("parking.payment.settle", target, params, f"not arrived: {bill.amount} still due")
            self.changed.emit("payments")
            return ParkingResult(Outcome.NOT_SENT, text, bill=bill, payment=record)
        text = (f"{bill.amount} is due now for {current.plate} ({current.amount} was taken at "
                f"{current.taken_at[11:16]}): either the payment did not arrive, or it did and the fee has grown as "
                "much since; the server's record does not say which. It stays uncertain: check it on the server, "
                "then mark it")
        text += self._audit("parking.payment.settle", target, params, f"uncertain: {bill.amount} due, cannot tell")
        return ParkingResult(Outcome.UNCERTAIN, text, bill=bill, payment=current)

    def _settled_arrived(self, current: PaymentRecord, target: str, params: Mapping[str, Any], note: str,
                         audit: str, bill: Bill | None = None) -> ParkingResult:
        record = self.payments.update(current.receipt, state="done", settled_at=_when(self.clock()), note=note)
        text = f"the payment of {current.plate} had arrived: {current.amount} recorded (receipt {current.receipt})"
        text += self._audit("parking.payment.settle", target, params, audit)
        self.changed.emit("payments")
        return ParkingResult(Outcome.DONE, text, bill=bill, payment=record)

    def _fee_may_have_grown(self, payment: PaymentRecord, bill: Bill) -> bool:
        """Whether the server's clock moved on more than :data:`SETTLE_PROMPT` since the payment was billed
        (the parked time then and now, both the server's): if not, no fee step can have accrued."""
        then = _seconds(payment.parked_seconds)
        if then is None or bill.parked is None:
            return True
        return bill.parked - then > SETTLE_PROMPT

    async def _record_says_paid(self, payment: PaymentRecord) -> bool | None:
        """The record's own state (2.41.7, by plate around its check-in): True when its ``eventType`` says paid
        (11 online prepayment, 12 paid), False when it is another type, None when it could not be read."""
        try:
            check_in = datetime.strptime(payment.check_in, TIME_FORMAT)
        except ValueError:
            return None
        try:
            page = await self.client.parking_entries(car_number=payment.plate, start=check_in - timedelta(minutes=1),
                                                     end=check_in + timedelta(minutes=1), page_size=50)
        except (CVSecError, ValueError) as exc:
            log.info("the parking record of %s could not be read: %s", payment.plate, exc)
            return None
        record = next((e for e in page.items if e.id == payment.record_id), None)
        if record is None:
            return None
        if record.event_type in PAID_TYPES:
            self.marks_payments = True
            return True
        return False

    async def resolve(self, payment: PaymentRecord, *, arrived: bool, note: str = "") -> ParkingResult:
        """The operator checked an uncertain payment on the server: it arrived, or it did not. Audited."""
        async with self._pay_lock:
            current = self.payments.get(payment.receipt) or payment
            if current.state != "uncertain":
                return ParkingResult(Outcome.INVALID, f"the payment {current.receipt} is not uncertain "
                                                      f"({current.state})", payment=current)
            why = clean_text(note, 200) or "checked on the server"
            target = f"plate {current.plate} (record {current.record_id})"
            params = {"amount": current.amount, "receipt": current.receipt, "by_hand": why}
            if arrived:
                return self._settled_arrived(current, target, params, f"marked arrived by {self.operator}: {why}",
                                             "ok: marked arrived by hand")
            record = self.payments.update(current.receipt, state="not_arrived", settled_at=_when(self.clock()),
                                          note=f"marked not arrived by {self.operator}: {why}")
            text = f"the payment of {current.plate} is marked as not arrived: take the payment again"
            text += self._audit("parking.payment.settle", target, params, "not arrived: marked by hand")
            self.changed.emit("payments")
            return ParkingResult(Outcome.NOT_SENT, text, payment=record)

    # -- barrier ---------------------------------------------------------------------------------------

    async def open_barrier(self, channel_id: str, reason: str) -> ParkingResult:
        """Raise a channel's barrier (2.36.2), once, with the reason in the audit log."""
        why = clean_text(reason, 200)
        if not why:
            return ParkingResult(Outcome.INVALID, "say why the barrier is opened",
                                 problems={"reason": "say why the barrier is opened"})
        info = next((c for c in self.channel_infos() if c.id == channel_id), None)
        name = info.name if info else channel_id
        target = f"channel {name!r} ({channel_id})"
        params = {"channelId": channel_id, "reason": why, "name": name}
        try:
            ticket = self._begin("parking.barrier.open", target, params)
        except AuditError as exc:
            return ParkingResult(Outcome.NOT_SENT, f"the barrier of {name} was not opened: {exc}")
        try:
            with ticket.uncertain_if_cancelled():
                await self.client.open_parking_channel(channel_id)
        except CVSecError as exc:
            outcome = Outcome.of(exc)
            server = clean_text(exc.text if isinstance(exc, ApiError) else str(exc), 300)
            if outcome is Outcome.UNCERTAIN:
                text = (f"no answer from the server ({server}): the barrier of {name} may or may not have opened; "
                        "the command was not repeated. Look at the lane")
            elif outcome is Outcome.NOT_SENT:
                text = f"the barrier of {name} was not opened: the server could not be reached ({server})"
            else:
                text = f"the barrier of {name} was not opened: {server}"
            text += ticket.complete(f"{outcome.value}: {server}")
            return ParkingResult(outcome, text, code=exc.code if isinstance(exc, ApiError) else None)
        self._opened[channel_id] = f"{self.clock():%H:%M} by {self.operator}: {why}"
        text = f"the barrier of {name} is open ({why})" + ticket.complete("ok")
        self.changed.emit("lots")
        return ParkingResult(Outcome.DONE, text)

    # -- lists -----------------------------------------------------------------------------------------

    async def _write(self, action: str, target: str, params: Mapping[str, Any], call: Awaitable[None],
                     done: str) -> ParkingResult:
        try:
            ticket = self._begin(action, target, params)
        except AuditError as exc:
            if inspect.iscoroutine(call):
                call.close()  # never started: nothing left the console
            return ParkingResult(Outcome.NOT_SENT, f"not done: {exc}")
        try:
            with ticket.uncertain_if_cancelled():
                await call
        except CVSecError as exc:
            outcome = Outcome.of(exc)
            server = clean_text(exc.text if isinstance(exc, ApiError) else str(exc), 300)
            problems: dict[str, str] = {}
            if isinstance(exc, ApiError):
                field_name, words = self._refusal(exc)
                if field_name:
                    problems[field_name] = words
                text = f"refused by the server: {words}"
            elif outcome is Outcome.UNCERTAIN:
                text = f"no answer from the server ({server}): it may or may not have been done; not repeated"
            else:
                text = f"not done: the server could not be reached ({server})"
            text += ticket.complete(f"{outcome.value}: {server}")
            return ParkingResult(outcome, text, problems=problems,
                                 code=exc.code if isinstance(exc, ApiError) else None)
        return ParkingResult(Outcome.DONE, done + ticket.complete("ok"))

    @staticmethod
    def _check_plate(plate: str) -> str | None:
        return plate_problem(plate)

    async def set_list(self, kind: Literal["allowed", "denied"], plate: str, *, start: date | None = None,
                       end: date | None = None) -> ParkingResult:
        """Put ``plate`` on the allowed (with its dates) or the denied list (2.41.9)."""
        problems: dict[str, str] = {}
        if (problem := plate_problem(plate)) is not None:
            problems["plate"] = problem
        if kind == "allowed" and (start is None or end is None):
            problems["dates"] = "an allowed-list entry needs a start and an end date"
        if start is not None and end is not None and end < start:
            problems["dates"] = "the end date is before the start date"
        if problems:
            return ParkingResult(Outcome.INVALID, "; ".join(problems.values()), problems=problems)
        plate = plate.strip()
        list_type = AllowListType.ALLOWED if kind == "allowed" else AllowListType.PROHIBITED
        params = {"type": kind, "start": start.isoformat() if start else "", "end": end.isoformat() if end else ""}
        result = await self._write(f"parking.list.{kind}", f"plate {plate}", params,
                                   self.client.set_allow_list(list_type, plate, start=start, end=end),
                                   f"{plate} is on the {kind} list")
        if result.ok:
            return self._keep_list(result, ListEntry(kind, plate, params["start"], params["end"],
                                                     added_by=self.operator))
        return result

    async def remove_from_list(self, entry: ListEntry) -> ParkingResult:
        """Take a plate off the allowed/denied list (2.4.2, the list's only removal)."""
        result = await self._write(f"parking.list.{entry.kind}.remove", f"plate {entry.plate}", {"type": entry.kind},
                                   self.client.delete_black_white(entry.plate),
                                   f"{entry.plate} is off the {entry.kind} list")
        if result.ok or result.code == -223:  # -223: the server no longer has it either
            return self._keep_list(result, entry, remove=True)
        return result

    async def add_fixed_vehicle(self, *, plate: str, pin: str, area_id: str, car_type_id: str, start: date,
                                end: date, amount: object = "0", entrance_ids: tuple[str, ...] = ()) -> ParkingResult:
        """A vehicle with a fixed (monthly) authorisation (2.41.10): it parks free."""
        problems: dict[str, str] = {}
        if (problem := plate_problem(plate)) is not None:
            problems["plate"] = problem
        try:
            money = parse_money(amount)
        except MoneyError as exc:
            problems["amount"] = str(exc)
            money = Decimal("0.00")
        if end < start:
            problems["dates"] = "the end date is before the start date"
        if problems:
            return ParkingResult(Outcome.INVALID, "; ".join(problems.values()), problems=problems)
        try:
            vehicle = FixedVehicle(car_number=plate, pin=pin, area_id=area_id, car_type_id=car_type_id,
                                   entrance_ids=list(entrance_ids), start_time=start, end_time=end, amount=money)
        except ValueError as exc:
            return ParkingResult(Outcome.INVALID, f"the vehicle cannot be sent: {exc}")
        plate = plate.strip()
        params = {"pin": pin, "areaId": area_id, "start": start.isoformat(), "end": end.isoformat(),
                  "amount": to_cents_text(money)}
        result = await self._write("parking.fixed.add", f"plate {plate}", params,
                                   self.client.add_fixed_vehicle(vehicle), f"{plate} is a fixed vehicle")
        if result.ok:
            area = next((clean_text(a.name, 80) for a in self.areas if a.id == area_id), area_id)
            return self._keep_list(result, ListEntry("fixed", plate, start.isoformat(), end.isoformat(), pin, area,
                                                     added_by=self.operator))
        return result

    async def remove_fixed_vehicle(self, entry: ListEntry) -> ParkingResult:
        result = await self._write("parking.fixed.remove", f"plate {entry.plate}", {"pin": entry.pin},
                                   self.client.delete_fixed_vehicle(entry.plate, entry.pin),
                                   f"{entry.plate} is no longer a fixed vehicle")
        if result.ok or result.code == -223:
            return self._keep_list(result, replace(entry, kind="fixed"), remove=True)
        return result

    async def add_person_plate(self, pin: str, plate: str) -> ParkingResult:
        """Give a person a plate (2.36.3): their car parks free."""
        if (problem := plate_problem(plate)) is not None:
            return ParkingResult(Outcome.INVALID, problem, problems={"plate": problem})
        if not pin.strip():
            return ParkingResult(Outcome.INVALID, "a person's number is required", problems={"pin": "required"})
        plate = plate.strip()
        try:
            call = self.client.add_plate(pin.strip(), plate)
        except ValueError as exc:
            return ParkingResult(Outcome.INVALID, str(exc), problems={"pin": str(exc)})
        result = await self._write("parking.plate.add", f"plate {plate}", {"pin": pin}, call,
                                   f"{plate} is a plate of person {pin}")
        if result.ok:
            return self._keep_list(result, ListEntry("person", plate, pin=pin.strip(), added_by=self.operator))
        return result

    async def remove_person_plate(self, entry: ListEntry) -> ParkingResult:
        result = await self._write("parking.plate.remove", f"plate {entry.plate}", {"pin": entry.pin},
                                   self.client.delete_plate(entry.pin, entry.plate),
                                   f"{entry.plate} is no longer a plate of person {entry.pin}")
        if result.ok or result.code == -223:
            return self._keep_list(result, replace(entry, kind="person"), remove=True)
        return result

    def _keep_list(self, result: ParkingResult, entry: ListEntry, *, remove: bool = False) -> ParkingResult:
        """This desk's copy of a list the server changed (the API cannot list them). A file that cannot be
        written is said in the result; the server's change stands and the list shows it until the console stops."""
        try:
            if remove:
                self.lists.remove(entry.kind, entry.plate)
            else:
                self.lists.put(entry)
        except StoreWriteError as exc:
            result = replace(result, message=f"{result.message}; this desk's list could not be saved: {exc}")
        self.changed.emit("lists")
        return result

    # -- cash-up ---------------------------------------------------------------------------------------

    def cash_up(self, since: datetime, until: datetime | None = None, *, operator: str | None = None) -> CashUp:
        """The payments taken here from ``since`` to ``until`` (now), by ``operator`` (or everyone)."""
        end = until or self.clock()
        low, high = _when(since), _when(end)
        chosen = [p for p in self.payments.all() if low <= p.taken_at <= high
                  and (operator is None or p.operator == operator)]
        return CashUp(since, end, operator, tuple(p for p in chosen if p.state == "done"),
                      tuple(p for p in chosen if p.state == "uncertain"))
