"""The space desk: the day's (or week's) bookings of every space, and booking, moving, cancelling, finishing
and deleting them. Qt-free; the spaces panel is a view over it.

Reading: :attr:`SpaceDesk.poller` (channel ``spaces``, the session's policy) reads the spaces, facilities,
services and space devices now and then, and the bookings of the window shown (a day or a week) at every
poll, so a booking's status follows the server's clock (to be started, in progress, ended) without a manual
refresh; the poller also wakes at the next start or end of a booking it shows. ``changed`` says what changed
(``"bookings"``, ``"spaces"``), ``reminder`` announces a booking of this desk's hosts starting within ten
minutes (once per booking).

Writing (book 2.46.7, change 2.46.7 with an id, cancel 2.46.4, finish 2.46.5, delete 2.46.3): checked
locally first (:func:`~.model.check_request`: nothing is sent when a rule fails), sent exactly once, audited
("sending" before it leaves, then its outcome; nothing is sent when the audit log cannot be written),
reported as a :class:`SpaceResult` with the shared :class:`Outcome`. A write whose answer was lost
(UNCERTAIN) is never sent again: the desk re-reads the booking to settle it, says what it found, and audits
that too. Deletes, cancels and finishes answer ``Succeed: n, Failed: m.`` and nothing else: the desk
parses the counts and, when some failed, reads each booking before and after to say exactly which.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any, Final

from console.api import Client
from console.api.errors import ApiError, CVSecError
from console.api.models.persons import Person
from console.api.models.spaces import (
    RemindTime,
    ReservationStatus,
    SignInLead,
    SpaceReservation,
    SpaceReservationInput,
)
from console.services.audit import AuditError, Auditor, AuditTicket, begin
from console.services.observable import Signal
from console.services.outcome import Outcome
from console.services.polling import HealthReporter, Poller, PollPolicy
from console.services.text import clean_text

from .model import (
    Booking,
    BookingRequest,
    DeviceInfo,
    Named,
    SpaceInfo,
    check_request,
    compose_content,
    day_start,
    split_content,
)

__all__ = ["REMIND_BEFORE", "Person", "PersonChoice", "SpaceDesk", "SpaceResult"]

log = logging.getLogger(__name__)

CHANNEL: Final = "spaces"
PAGE_SIZE: Final = 1000
MAX_PAGES: Final = 10
DIRECTORY_EVERY: Final = 30  # polls between two readings of the spaces, facilities, services and devices
DETAILS_PER_POLL: Final = 40  # bookings whose own record (participants) is read per poll, at most
PERSONS_CACHE_SECONDS: Final = 300.0
REMIND_BEFORE: Final = timedelta(minutes=10)
MAX_IDS: Final = 100  # ids in one delete, cancel or finish


@dataclass(frozen=True)
class SpaceResult:
    """What became of a request (``kind``: the shared :class:`Outcome`), in words for the panel.

    ``problems``: the rules broken (INVALID) or the field a refusal belongs to (REFUSED), by field name.
    ``booking_id``: the booking written (when known). ``succeeded``/``failed``/``unknown``: per id, for a
    delete, cancel or finish.
    """

    kind: Outcome
    message: str
    problems: Mapping[str, str] = field(default_factory=dict)
    booking_id: str = ""
    succeeded: tuple[str, ...] = ()
    failed: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()
    settled: bool = False  # the answer was lost and a re-reading told what happened

    @property
    def ok(self) -> bool:
        return self.kind is Outcome.DONE


@dataclass(frozen=True, slots=True)
class PersonChoice:
    """A person the receptionist can pick as host or participant (the server's persons, 2.14.12)."""

    id: str
    pin: str
    name: str

    @property
    def label(self) -> str:
        return f"{self.name or '(no name)'} [{self.pin}]"


def _person(p: Person) -> PersonChoice:
    return PersonChoice(clean_text(p.id, 64), clean_text(p.pin, 64), clean_text(p.full_name, 120))


def _refusal_field(exc: ApiError) -> str:
    """The form field a refusal of 2.46.7 belongs to (the appendix has no space codes: read the words)."""
    text = f"{exc.server_message} {exc.appendix}".casefold()
    if exc.code in (-100, -101) or "reserved" in text or "time" in text:
        return "time"
    if exc.code in (-20, -22) or ("person" in text and "participant" not in text):
        return "host"
    if "participant" in text:
        return "participants"
    if "space" in text:
        return "space"
    return ""


_BATCH_SECTIONS: Final = {"delete": "2.46.3", "cancel": "2.46.4", "finish": "2.46.5"}
_BATCH_VERBS: Final = {"delete": "deleted", "cancel": "cancelled", "finish": "finished"}


class SpaceDesk:
    """The bookings of one connection's spaces (see the module docstring)."""

    def __init__(
        self,
        client: Client,
        *,
        profile: str,
        operator: str,
        audit: Auditor | None = None,
        health: HealthReporter | None = None,
        policy: PollPolicy | None = None,
        clock: Callable[[], datetime] = datetime.now,
    ) -> None:
        self.client = client
        self.profile = profile
        self.operator = operator
        self.audit = audit
        self.clock = clock
        self.spaces: dict[str, SpaceInfo] = {}
        self.facilities: dict[str, Named] = {}
        self.services: dict[str, Named] = {}
        self.devices: dict[str, DeviceInfo] = {}
        self.bookings: dict[str, Booking] = {}
        self.window_start: datetime = day_start(clock())
        self.days = 1
        self._follows_now = True  # the window shows the clock's day: it moves on with it (midnight, Training menu)
        self.polls = 0
        self.loaded_at: datetime | None = None
        self.desk_hosts: set[str] = set()  # pins of hosts booked at this desk: their bookings are reminded
        self.changed: Signal[str] = Signal()
        self.reminder: Signal[Booking] = Signal()
        self._reminded: set[str] = set()
        self._participants: dict[str, int] = {}
        self._labels: dict[str, str] = {}  # every booking seen, by id: a deleted one is still named in words
        self._persons: tuple[float, list[PersonChoice]] | None = None
        self._directory_due = True
        self.poller = Poller(CHANNEL, self.refresh, policy or PollPolicy(), health=health, wait=self._wait)
        self.visitor_source: Callable[[], list[str]] | None = None  # this desk's visitors (names), when known

    def use_clock(self, clock: Callable[[], datetime]) -> None:
        """Follow another clock (demo mode: the simulator's, which the Training menu moves on); statuses
        always come from the server, this clock draws the now-line, times the reminders and the polls.
        A window showing the old clock's day moves to the new clock's."""
        self.clock = clock
        self.changed.emit("clock")
        self.follow_clock()
        self.poller.wake()

    def desk_visitors(self) -> list[str]:
        """Visitors registered (or expected) at this desk today, by name: they can join a booking."""
        if self.visitor_source is None:
            return []
        try:
            names = self.visitor_source()
        except Exception:  # the visitor desk's files are its own business: no visitors offered
            log.exception("the desk's visitors could not be listed")
            return []
        return list(dict.fromkeys(clean_text(n, 120) for n in names if n and n.strip()))

    # -- the window shown --------------------------------------------------------------------------------

    @property
    def window_end(self) -> datetime:
        return self.window_start + timedelta(days=self.days)

    def set_window(self, start: date | datetime, days: int = 1) -> None:
        """Show ``days`` days (1 or 7...) from the start of ``start``; the poller reads them now."""
        first = day_start(start) if isinstance(start, datetime) else datetime(start.year, start.month, start.day)
        days = max(1, min(31, int(days)))
        if first == self.window_start and days == self.days:
            return
        self._move_window(first, days)
        self._follows_now = self.window_start <= self.clock() < self.window_end

    def follow_clock(self) -> None:
        """A window that showed the clock's day (or week) moves by whole windows to where the clock now is:
        the night shift's timeline turns to the new day at midnight, and the trainer's moved clock is shown."""
        now = self.clock()
        if not self._follows_now or self.window_start <= now < self.window_end:
            return
        windows = (day_start(now) - self.window_start).days // self.days
        self._move_window(self.window_start + timedelta(days=windows * self.days), self.days)

    def _move_window(self, first: datetime, days: int) -> None:
        self.window_start, self.days = first, days
        self.bookings = {k: b for k, b in self.bookings.items() if b.overlaps(self.window_start, self.window_end)}
        self.changed.emit("window")
        self.poller.wake()

    def bookings_of(self, space_id: str) -> list[Booking]:
        return sorted((b for b in self.bookings.values() if b.space_id == space_id), key=lambda b: b.start)

    def space_name(self, space_id: str) -> str:
        space = self.spaces.get(space_id)
        return space.name if space is not None else "(unknown space)"

    # -- reading -------------------------------------------------------------------------------------------

    async def refresh(self) -> bool:
        """One poll: the directories when due, then the window's bookings (raises the client's errors)."""
        self.follow_clock()
        if self._directory_due or not self.spaces or self.polls % DIRECTORY_EVERY == 0:
            await self.read_directories()
        await self._read_bookings()
        self.polls += 1
        self.loaded_at = self.clock()
        self._remind()
        return True

    async def read_directories(self) -> None:
        """The spaces, facilities, services and space devices (2.43.1, 2.44.1, 2.45.1, 2.42.2)."""
        spaces = [SpaceInfo.of(s) for s in await self.client.spaces() if s.id]
        facilities = [Named.of_facility(f) for f in await self.client.facilities() if f.id]
        services = [Named.of_service(s) for s in await self.client.space_services() if s.id]
        try:
            devices = [DeviceInfo.of(d) for d in await self.client.space_devices() if d.id]
        except CVSecError as exc:  # a device list that fails must not hide the bookings
            log.info("the space devices could not be read: %s", exc)
            devices = list(self.devices.values())
        self.spaces = {s.id: s for s in sorted(spaces, key=lambda s: s.name.casefold())}
        self.facilities = {f.id: f for f in facilities}
        self.services = {s.id: s for s in services}
        self.devices = {d.id: d for d in devices}
        self._directory_due = False
        self.changed.emit("spaces")

    async def _reservations(self, start: datetime, end: datetime) -> list[SpaceReservation]:
        records: list[SpaceReservation] = []
        for page_no in range(1, MAX_PAGES + 1):
            page = await self.client.space_reservations(start=start, end=end, page_no=page_no, page_size=PAGE_SIZE)
            records.extend(page.items)
            if not page.has_more:
                break
        return records

    async def _read_bookings(self) -> None:
        start, end = self.window_start, self.window_end
        found: dict[str, Booking] = {}
        for record in await self._reservations(start, end):
            booking = Booking.of(record, participants=self._participants.get(record.id))
            if booking is not None and booking.overlaps(start, end):
                found[booking.id] = booking
        if (start, end) != (self.window_start, self.window_end):
            return  # the window moved while reading: the next poll reads the new one
        missing = [b for b in found.values() if b.participants is None][:DETAILS_PER_POLL]
        for booking in missing:
            try:
                record = await self.client.space_reservation(booking.id)
            except ApiError:
                continue  # deleted in between
            count = len([i for i in record.participant_ids if i])
            self._participants[booking.id] = count
            found[booking.id] = _with(booking, participants=count, participant_ids=tuple(
                clean_text(i, 64) for i in record.participant_ids if i))
        self.bookings = found
        if len(self._labels) > 5000:
            self._labels.clear()
        self._labels.update((b.id, self._describe(b)) for b in found.values())
        self.changed.emit("bookings")

    async def _wait(self, delay: float, wake: asyncio.Event) -> None:
        """Wait the poll interval, or less: until just after the next start or end of a booking shown."""
        now = self.clock()
        edges = [t for b in self.bookings.values() if b.active for t in (b.start, b.end) if t > now]
        if edges:
            delay = min(delay, max(0.5, (min(edges) - now).total_seconds() + 1.0))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(wake.wait(), delay)

    def _remind(self) -> None:
        now = self.clock()
        for booking in sorted(self.bookings.values(), key=lambda b: b.start):
            if (booking.id not in self._reminded and booking.host_pin in self.desk_hosts
                    and booking.status is ReservationStatus.PENDING
                    and timedelta(0) <= booking.start - now <= REMIND_BEFORE):
                self._reminded.add(booking.id)
                self.reminder.emit(booking)

    def due_reminders(self) -> list[Booking]:
        """Bookings of this desk's hosts starting within ten minutes (reminded or not)."""
        now = self.clock()
        return [b for b in self.bookings.values() if b.host_pin in self.desk_hosts
                and b.status is ReservationStatus.PENDING and timedelta(0) <= b.start - now <= REMIND_BEFORE]

    async def booking(self, booking_id: str) -> Booking | None:
        """The booking's own record (2.46.2, with its participants); None when the server no longer has it."""
        try:
            record = await self.client.space_reservation(booking_id)
        except ApiError:
            return None
        return Booking.of(record)

    async def participants(self, booking_id: str) -> list[PersonChoice]:
        """Who takes part (2.46.6), cleaned, in the server's order."""
        return [PersonChoice(clean_text(p.id, 64), clean_text(p.pin, 64),
                             clean_text(" ".join(x for x in (p.name.strip(), p.last_name.strip()) if x), 120))
                for p in await self.client.reservation_participants(booking_id)]

    async def persons(self, *, refresh: bool = False) -> list[PersonChoice]:
        """Everyone who can host or take part (2.14.12, up to 10,000, kept five minutes)."""
        if not refresh and self._persons and time.monotonic() - self._persons[0] < PERSONS_CACHE_SECONDS:
            return self._persons[1]
        people: list[PersonChoice] = []
        for page_no in range(1, MAX_PAGES + 1):
            page = await self.client.persons(page_no=page_no, page_size=PAGE_SIZE)
            people.extend(_person(p) for p in page.items if p.pin and p.id)
            if not page.has_more:
                break
        self._persons = (time.monotonic(), people)
        return people

    # -- checks ------------------------------------------------------------------------------------------

    def check(self, request: BookingRequest) -> dict[str, str]:
        """The desk's rules against what the timeline shows (see :func:`~.model.check_request`)."""
        return check_request(request, spaces=self.spaces, bookings=self.bookings.values(), now=self.clock())

    async def _bookings_for(self, request: BookingRequest) -> Iterable[Booking]:
        """The bookings the request must not overlap: those shown, or read for its span when outside."""
        if request.end <= request.start or (self.window_start <= request.start and request.end <= self.window_end):
            return self.bookings.values()  # (a reversed span is refused by the check before any overlap)
        records = await self._reservations(request.start - timedelta(minutes=1), request.end + timedelta(minutes=1))
        return [b for b in (Booking.of(r) for r in records) if b is not None]

    # -- writing: book and change ---------------------------------------------------------------------------

    async def book(self, request: BookingRequest) -> SpaceResult:
        """Book (``request.id`` empty) or change a booking (2.46.7), checked first, sent once."""
        action = "space.edit" if request.id else "space.book"
        if not self.spaces:
            with contextlib.suppress(CVSecError):
                await self.read_directories()
        try:
            others = await self._bookings_for(request)
        except CVSecError as exc:
            return SpaceResult(Outcome.of(exc) if Outcome.of(exc) is not Outcome.UNCERTAIN else Outcome.NOT_SENT,
                               f"the bookings of that time could not be read ({exc}); nothing was sent")
        problems = check_request(request, spaces=self.spaces, bookings=others, now=self.clock())
        if problems:
            return SpaceResult(Outcome.INVALID, "; ".join(problems.values()), problems=problems)
        if not request.participant_ids:  # visitors only: the host takes part (2.46.7 wants a person id)
            try:
                host = next((p.id for p in await self.persons() if p.pin == request.host_pin.strip()), "")
            except CVSecError as exc:
                return SpaceResult(Outcome.NOT_SENT, f"the host could not be looked up ({exc}); nothing was sent")
            if not host:
                return SpaceResult(Outcome.INVALID, "the host is not a person on the server",
                                   problems={"host": "choose the host (a person on the server)"})
            request = replace(request, participant_ids=(host,))
        try:
            body = self._body(request)
        except ValueError as exc:
            return SpaceResult(Outcome.INVALID, f"the booking cannot be sent: {exc}")
        target = self._target(request)
        params = self._params(request)
        try:
            ticket = self._begin(action, target, params)
        except AuditError as exc:
            return SpaceResult(Outcome.NOT_SENT, f"the booking was not sent: {exc}")
        try:
            with ticket.uncertain_if_cancelled():
                await self.client.save_space_reservation(body)
        except ApiError as exc:
            ticket.complete(f"refused {exc.code}: {exc.server_message or exc.appendix}")
            where = _refusal_field(exc)
            words = clean_text(exc.text, 300)
            await self._refresh_quietly()  # the timeline shows what the server holds (another desk's booking...)
            return SpaceResult(Outcome.REFUSED, f"the server refused the booking: {words}",
                               problems={where: words} if where else {})
        except CVSecError as exc:
            outcome = Outcome.of(exc)
            ticket.complete(f"{outcome.value}: {exc}")
            if outcome is not Outcome.UNCERTAIN:
                return SpaceResult(outcome, f"the server could not be reached ({exc}); nothing was booked")
            return await self._settle_booking(action, request, target, params, exc)
        booking_id = request.id or await self._find_new(request)
        note = ticket.complete("ok", id=booking_id)
        self.desk_hosts.add(request.host_pin)
        if booking_id:
            self._participants[booking_id] = len(request.participant_ids)
        await self._refresh_quietly()
        verb = "changed" if request.id else "booked"
        return SpaceResult(Outcome.DONE, f"{self.space_name(request.space_id)} {verb} for {request.span}: "
                                         f"{request.subject.strip()}{note}", booking_id=booking_id)

    async def move(self, booking_id: str, start: datetime, end: datetime, space_id: str = "") -> SpaceResult:
        """Move or resize a booking (and optionally to another space): an edit of its whole record."""
        try:
            record = await self.client.space_reservation(booking_id)
        except ApiError:
            return SpaceResult(Outcome.INVALID, "this booking is no longer on the server; nothing was sent")
        except CVSecError as exc:
            return SpaceResult(Outcome.NOT_SENT, f"the booking could not be read ({exc}); nothing was sent")
        current = Booking.of(record)
        if current is None:
            return SpaceResult(Outcome.INVALID, "this booking has no readable times; nothing was sent")
        lengthened = current.status is ReservationStatus.IN_PROGRESS and start == current.start
        if current.status is not ReservationStatus.PENDING and (start, end) != (current.start, current.end) and (
                not lengthened):
            return SpaceResult(Outcome.INVALID, f"this booking is {current.status_words}: only a booking to be "
                                                "started can be moved (one in progress can be lengthened)")
        request = replace(_request_of(record, current), space_id=space_id or current.space_id, start=start, end=end)
        return await self.book(request)

    async def for_edit(self, booking_id: str) -> BookingRequest | None:
        """The booking as a request to change (its whole record, read now); None when it is gone."""
        record = await self.client.space_reservation(booking_id)
        booking = Booking.of(record)
        if booking is None:
            return None
        return _request_of(record, booking)

    def _body(self, request: BookingRequest) -> SpaceReservationInput:
        remind = request.extra.get("remind")
        sign_in = request.extra.get("sign_in")
        return SpaceReservationInput(
            id=request.id, subject=request.subject.strip(), space_id=request.space_id,
            apply_person_pin=request.host_pin.strip(), participant_ids=list(request.participant_ids),
            start_time=request.start.replace(microsecond=0), end_time=request.end.replace(microsecond=0),
            apply_person_email=request.host_email or None,
            content=compose_content(request.content, request.visitors) or None,
            service_ids=list(request.service_ids) or None,
            remind_time=RemindTime.parse(remind) if remind else None,
            start_sign_in_time=SignInLead.parse(sign_in) if sign_in else None,
        )

    def _target(self, request: BookingRequest) -> str:
        return f"{self.space_name(request.space_id)} {request.span} {request.subject.strip()!r}"

    @staticmethod
    def _params(request: BookingRequest) -> dict[str, Any]:
        return {"space": request.space_id, "start": request.start.isoformat(sep=" "),
                "end": request.end.isoformat(sep=" "), "host": request.host_pin,
                "participants": len(request.participant_ids), "visitors": len(request.visitors),
                **({"id": request.id} if request.id else {})}

    def _matches(self, booking: Booking, request: BookingRequest) -> bool:
        return (booking.space_id == request.space_id and booking.start == request.start.replace(microsecond=0)
                and booking.end == request.end.replace(microsecond=0)
                and booking.subject == clean_text(request.subject, 200))

    async def _find_new(self, request: BookingRequest) -> str:
        """The id the server gave a new booking: the active one of that space, time and subject."""
        try:
            return await self._find_new_strict(request)
        except CVSecError:
            return ""

    async def _settle_booking(
        self, action: str, request: BookingRequest, target: str, params: dict[str, Any], exc: CVSecError
    ) -> SpaceResult:
        """The answer to a booking was lost: read the server's bookings (never send again) and say."""
        try:
            if request.id:
                current = await self.booking(request.id)
                happened = current is not None and self._matches(current, request)
                booking_id = request.id if happened else ""
            else:
                booking_id = await self._find_new_strict(request)
                happened = bool(booking_id)
        except CVSecError as again:
            self._audit(action + ".settle", target, params, f"unknown: {again}")
            return SpaceResult(Outcome.UNCERTAIN, f"no answer from the server ({exc}), and it could not be asked "
                                                  "again: the booking may or may not have been recorded. It was "
                                                  "not sent again; look at the timeline before trying again")
        await self._refresh_quietly()
        if happened:
            self._audit(action + ".settle", target, {**params, "id": booking_id}, "ok (found on the server)")
            self.desk_hosts.add(request.host_pin)
            return SpaceResult(Outcome.DONE, f"the answer was lost, but the server shows the booking: "
                                             f"{self.space_name(request.space_id)} {request.span}",
                               booking_id=booking_id, settled=True)
        self._audit(action + ".settle", target, params, "not done (not on the server)")
        return SpaceResult(Outcome.NOT_SENT, "the answer was lost and the server does not show the booking: "
                                             "nothing was recorded. It was not sent again; you may try again",
                           settled=True)

    async def _find_new_strict(self, request: BookingRequest) -> str:
        records = await self._reservations(request.start - timedelta(minutes=1), request.end + timedelta(minutes=1))
        found = [b for b in (Booking.of(r) for r in records)
                 if b is not None and b.active and self._matches(b, request)]
        return found[0].id if found else ""

    # -- writing: cancel, finish, delete ---------------------------------------------------------------------

    async def cancel(self, ids: Sequence[str]) -> SpaceResult:
        """Cancel bookings to be started or in progress (2.46.4)."""
        return await self._batch("cancel", ids)

    async def finish(self, ids: Sequence[str]) -> SpaceResult:
        """Finish bookings in progress now (2.46.5)."""
        return await self._batch("finish", ids)

    async def delete(self, ids: Sequence[str]) -> SpaceResult:
        """Delete bookings (2.46.3)."""
        return await self._batch("delete", ids)

    def _eligible(self, kind: str, booking: Booking | None) -> str:
        """Why ``booking`` cannot be cancelled/finished, in words ("" when it can, or when unknown)."""
        if booking is None:
            return ""
        if kind == "cancel" and booking.status not in (ReservationStatus.PENDING, ReservationStatus.IN_PROGRESS):
            return f"it is {booking.status_words}: only a booking to be started or in progress can be cancelled"
        if kind == "finish" and booking.status is not ReservationStatus.IN_PROGRESS:
            return f"it is {booking.status_words}: only a booking in progress can be finished"
        return ""

    @staticmethod
    def _happened(kind: str, before: Booking | None, after: Booking | None) -> bool:
        if kind == "delete":
            return after is None and before is not None
        if after is None:
            return False
        if kind == "cancel":
            return after.status is ReservationStatus.CANCELLED and (
                before is None or before.status is not ReservationStatus.CANCELLED)
        return after.status is ReservationStatus.ENDED and (
            before is None or before.status is ReservationStatus.IN_PROGRESS)

    async def _snapshot(self, ids: Iterable[str]) -> dict[str, Booking | None]:
        """Each booking as the server has it now (None: gone); ids that could not be read are left out."""
        found: dict[str, Booking | None] = {}
        for booking_id in ids:
            try:
                found[booking_id] = await self.booking(booking_id)
            except CVSecError as exc:
                log.info("booking %s could not be read: %s", booking_id, exc)
        return found

    def _describe(self, booking: Booking) -> str:
        return f"{booking.subject} ({booking.space_name or self.space_name(booking.space_id)} {booking.start:%H:%M})"

    def _label(self, booking_id: str, known: Mapping[str, Booking | None] | None = None) -> str:
        booking = self.bookings.get(booking_id) or (known or {}).get(booking_id)
        if booking is None:
            return self._labels.get(booking_id) or f"booking {booking_id}"
        return self._describe(booking)

    async def _batch(self, kind: str, given: Sequence[str]) -> SpaceResult:
        ids = list(dict.fromkeys(i.strip() for i in given if i and i.strip()))
        if not ids:
            return SpaceResult(Outcome.INVALID, "choose at least one booking")
        if len(ids) > MAX_IDS or any("," in i for i in ids):
            return SpaceResult(Outcome.INVALID, f"at most {MAX_IDS} bookings at once; nothing was sent")
        refused = {i: why for i in ids if (why := self._eligible(kind, self.bookings.get(i)))}
        if refused and len(refused) == len(ids):
            return SpaceResult(Outcome.INVALID, "; ".join(f"{self._label(i)}: {w}" for i, w in refused.items())
                               + "; nothing was sent", failed=tuple(ids))
        send = [i for i in ids if i not in refused]
        action = f"space.{kind}"
        target = ", ".join(self._label(i) for i in send)[:1000]
        params: dict[str, Any] = {"ids": send}
        before = await self._snapshot(send) if len(send) > 1 else {
            send[0]: self.bookings.get(send[0]) or (await self._snapshot(send)).get(send[0])}
        try:
            ticket = self._begin(action, target, params)
        except AuditError as exc:
            return SpaceResult(Outcome.NOT_SENT, f"nothing was {_BATCH_VERBS[kind]}: {exc}", failed=tuple(ids))
        try:
            with ticket.uncertain_if_cancelled():
                count = await self.client.space_reservations_batch(kind, send)
        except ApiError as exc:
            ticket.complete(f"refused {exc.code}: {exc.server_message or exc.appendix}")
            return SpaceResult(Outcome.REFUSED, f"the server refused: {clean_text(exc.text, 300)}", failed=tuple(ids))
        except CVSecError as exc:
            outcome = Outcome.of(exc)
            ticket.complete(f"{outcome.value}: {exc}")
            if outcome is not Outcome.UNCERTAIN:
                return SpaceResult(outcome, f"the server could not be reached ({exc}); "
                                            f"nothing was {_BATCH_VERBS[kind]}", failed=tuple(ids))
            return await self._settle_batch(kind, send, refused, before, action, target, params, exc)
        answer = count if count.counted else None
        done: list[str]
        failed: list[str]
        unknown: list[str]
        if answer is not None and answer.succeeded == len(send) and answer.failed == 0:
            done, failed, unknown = list(send), [], []
        elif answer is not None and answer.succeeded == 0:
            done, failed, unknown = [], list(send), []
        else:  # some of each, or no counts: the server's records say which
            after = await self._snapshot(send)
            done = [i for i in send if i in after and i in before and self._happened(kind, before[i], after[i])]
            unknown = [i for i in send if i not in after or i not in before]
            failed = [i for i in send if i not in done and i not in unknown]
        counts = (f"Succeed: {answer.succeeded}, Failed: {answer.failed}" if answer
                  else clean_text(count.message, 200))
        ticket.complete(f"ok ({counts})", succeeded=done, failed=failed, unknown=unknown)
        if kind == "delete":
            for i in done:
                self._participants.pop(i, None)
        await self._refresh_quietly()
        return self._batch_result(kind, done, failed + list(refused), unknown, before, refused)

    async def _settle_batch(
        self, kind: str, send: list[str], refused: Mapping[str, str], before: Mapping[str, Booking | None],
        action: str, target: str, params: dict[str, Any], exc: CVSecError,
    ) -> SpaceResult:
        after = await self._snapshot(send)
        done = [i for i in send if i in after and i in before and self._happened(kind, before[i], after[i])]
        unknown = [i for i in send if i not in after or i not in before]
        failed = [i for i in send if i not in done and i not in unknown]
        self._audit(action + ".settle", target, {**params, "succeeded": done, "failed": failed, "unknown": unknown},
                    "settled by re-reading" if not unknown else "partly unknown")
        await self._refresh_quietly()
        result = self._batch_result(kind, done, failed + list(refused), unknown, before, refused)
        kind_out = Outcome.UNCERTAIN if unknown else (Outcome.DONE if done and not failed else
                                                      (Outcome.NOT_SENT if not done else result.kind))
        return SpaceResult(kind_out, f"the answer was lost ({exc}); re-reading the server: {result.message}",
                           succeeded=result.succeeded, failed=result.failed, unknown=result.unknown,
                           settled=not unknown)

    def _batch_result(
        self, kind: str, done: list[str], failed: list[str], unknown: list[str],
        known: Mapping[str, Booking | None], refused: Mapping[str, str],
    ) -> SpaceResult:
        verb = _BATCH_VERBS[kind]
        parts = []
        if done:
            parts.append(f"{verb.capitalize()}: " + ", ".join(self._label(i, known) for i in done))
        if failed:
            reasons = []
            for i in failed:
                why = refused.get(i) or self._failure_reason(kind, known.get(i))
                reasons.append(f"{self._label(i, known)}" + (f" ({why})" if why else ""))
            parts.append(f"Not {verb}: " + ", ".join(reasons))
        if unknown:
            parts.append("Could not tell: " + ", ".join(self._label(i, known) for i in unknown))
        if done and not failed and not unknown:
            outcome = Outcome.DONE
        elif not done and not unknown:
            outcome = Outcome.REFUSED
        elif unknown and not done:
            outcome = Outcome.UNCERTAIN
        else:  # some done, some not: the operator reads which; never a plain "done"
            outcome = Outcome.REFUSED if failed else Outcome.UNCERTAIN
        return SpaceResult(outcome, ". ".join(parts) + ".", succeeded=tuple(done), failed=tuple(failed),
                           unknown=tuple(unknown))

    def _failure_reason(self, kind: str, before: Booking | None) -> str:
        if before is None:
            return "not on the server"
        return self._eligible(kind, before)

    # -- helpers ---------------------------------------------------------------------------------------

    async def _refresh_quietly(self) -> None:
        try:
            await self._read_bookings()
        except CVSecError as exc:
            log.info("the bookings could not be read again: %s", exc)
            self.poller.wake()

    def _begin(self, action: str, target: str, params: Mapping[str, Any]) -> AuditTicket:
        """The "sending" audit row of a write; :class:`AuditError` (send nothing) when it cannot be written."""
        return begin(self.audit, action, target, dict(params), operator=self.operator, profile=self.profile)

    def _audit(self, action: str, target: str, params: Mapping[str, Any], result: str) -> None:
        if self.audit is None:
            return
        try:
            self.audit.record(action, target, dict(params), result, operator=self.operator, profile=self.profile)
        except Exception:  # the audit trail failing must not hide the result from the operator
            log.exception("the audit log refused a record")


def _with(booking: Booking, **changes: Any) -> Booking:
    return replace(booking, **changes)


def _request_of(record: SpaceReservation, booking: Booking) -> BookingRequest:
    """A booking's whole record as a request to change it (visitors split off its content)."""
    extra = {}
    if record.remind_time.name != "UNKNOWN":
        extra["remind"] = record.remind_time.code
    if record.start_sign_in_time.name != "UNKNOWN":
        extra["sign_in"] = record.start_sign_in_time.code
    notes, visitors = split_content(record.content)
    return BookingRequest(space_id=booking.space_id, subject=record.subject, start=booking.start, end=booking.end,
                          host_pin=record.apply_person_pin,
                          participant_ids=tuple(i for i in record.participant_ids if i),
                          service_ids=tuple(i for i in record.service_ids if i), content=notes, id=booking.id,
                          host_email=record.apply_person_email, extra=extra, visitors=visitors)
