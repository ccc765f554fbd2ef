"""What the space desk shows and checks: spaces, bookings and booking requests, cleaned; no I/O here.

Records from the server (:mod:`console.api.models.spaces`) are turned into small frozen values whose text has
gone through :func:`console.services.text.clean_text` once, so the timeline and the details pane never see a
raw server string. :func:`check_request` is the desk's own rule book, applied before anything is sent:

* a subject, a host and at least one participant (the server requires them too);
* the end after the start, and a new booking not wholly in the past;
* a space that exists and is not disabled;
* no overlap with another booking of the same space that is to be started or in progress;
* no more participants (persons and visitors) than the space's capacity.

Visitors registered at this desk are not persons on the server, and 2.46.7 takes person ids only: they are
carried in the booking's ``content`` as one line ``Visitors: Ann Lee (Globex); Bo Chen`` (:func:`compose_content`,
read back by :func:`split_content`), counted with the participants, shown on the block, in the details pane
and on the day's sheet. A booking with visitors and no person participant has the host as its participant.

The manual gives spaces no opening hours: the only "opening rule" the desk can check is a disabled space.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from console.api.models.base import BatchCount
from console.api.models.devices import SpaceDevice
from console.api.models.spaces import (
    Facility,
    ReservationStatus,
    Space,
    SpaceReservation,
    SpaceService,
    SpaceStatus,
)
from console.services.text import clean_text

__all__ = [
    "ACTIVE",
    "BatchAnswer",
    "Booking",
    "BookingRequest",
    "DeviceInfo",
    "Named",
    "SpaceInfo",
    "check_request",
    "compose_content",
    "overlapping",
    "parse_batch_answer",
    "split_content",
]

NAME_LIMIT = 120
SUBJECT_LIMIT = 200
ACTIVE = frozenset({ReservationStatus.PENDING, ReservationStatus.IN_PROGRESS})
"""Statuses that hold a space: a cancelled or ended booking leaves its slot free."""
VISITORS_PREFIX = "Visitors: "
MAX_VISITORS = 50


def split_content(content: str) -> tuple[str, tuple[str, ...]]:
    """A booking's ``content``: its notes, and the visitors named on its ``Visitors:`` line (if any)."""
    notes: list[str] = []
    visitors: tuple[str, ...] = ()
    for line in content.splitlines():
        if line.startswith(VISITORS_PREFIX) and not visitors:
            visitors = tuple(v.strip() for v in line[len(VISITORS_PREFIX):].split(";") if v.strip())[:MAX_VISITORS]
        else:
            notes.append(line)
    return "\n".join(notes).strip(), visitors


def compose_content(notes: str, visitors: Iterable[str]) -> str:
    """The ``content`` sent: the notes, then one ``Visitors:`` line (names cleaned of ``;`` and line breaks)."""
    names = [" ".join(v.replace(";", ",").split()) for v in visitors]
    names = [n for n in names if n][:MAX_VISITORS]
    text, _old = split_content(notes)
    if names:
        text = (text + "\n" if text else "") + VISITORS_PREFIX + "; ".join(names)
    return text


@dataclass(frozen=True, slots=True)
class Named:
    """A facility or a service: an id and a name (``builtin``: the server's own, not deletable)."""

    id: str
    name: str
    number: int | None = None
    remark: str = ""
    builtin: bool = False

    @classmethod
    def of_facility(cls, record: Facility) -> Named:
        return cls(clean_text(record.id, 64), clean_text(record.name, NAME_LIMIT) or "(no name)",
                   record.facility_no, clean_text(record.remark, 500), bool(record.init_flag))

    @classmethod
    def of_service(cls, record: SpaceService) -> Named:
        return cls(clean_text(record.id, 64), clean_text(record.name, NAME_LIMIT) or "(no name)", None,
                   clean_text(record.remark, 500), bool(record.init_flag))


@dataclass(frozen=True, slots=True)
class DeviceInfo:
    """A space device (2.42): its name and whether it is online, in words."""

    id: str
    sn: str
    name: str
    state: str  # "online", "offline", "disabled", "unknown"

    @classmethod
    def of(cls, record: SpaceDevice) -> DeviceInfo:
        return cls(clean_text(record.id, 64), clean_text(record.sn, 64), clean_text(record.name, NAME_LIMIT),
                   record.status.words)


@dataclass(frozen=True, slots=True)
class SpaceInfo:
    """A bookable space as the desk shows it."""

    id: str
    name: str
    capacity: int | None
    status: SpaceStatus
    address: str = ""
    remark: str = ""
    owner_pin: str = ""
    facility_ids: tuple[str, ...] = ()
    device_ids: tuple[str, ...] = ()
    retention: str = ""

    @classmethod
    def of(cls, record: Space) -> SpaceInfo:
        capacity = record.capacity if record.capacity is not None and record.capacity > 0 else None
        return cls(
            id=clean_text(record.id, 64), name=clean_text(record.name, NAME_LIMIT) or "(no name)",
            capacity=capacity, status=record.status, address=clean_text(record.address, 200),
            remark=clean_text(record.remark, 500), owner_pin=clean_text(record.person_pin, 64),
            facility_ids=tuple(clean_text(i, 64) for i in record.space_facility_ids if i),
            device_ids=tuple(clean_text(i, 64) for i in record.space_device_ids if i),
            retention=record.retention_time.words,
        )

    @property
    def disabled(self) -> bool:
        return self.status is SpaceStatus.DISABLED

    @property
    def capacity_words(self) -> str:
        return f"{self.capacity} people" if self.capacity else "capacity unknown"


@dataclass(frozen=True, slots=True)
class Booking:
    """A reservation of a space (2.46), as the timeline shows it.

    ``participants``: how many people take part, None until the desk has read the booking's own record (the
    list 2.46.1 does not carry ``participantIds``).
    """

    id: str
    subject: str
    space_id: str
    space_name: str
    start: datetime
    end: datetime
    status: ReservationStatus
    host_pin: str = ""
    host_name: str = ""
    content: str = ""
    participant_ids: tuple[str, ...] = ()
    participants: int | None = None
    service_ids: tuple[str, ...] = ()
    visitors: tuple[str, ...] = ()  # visitors of this desk named in the content (not persons on the server)

    @classmethod
    def of(cls, record: SpaceReservation, *, participants: int | None = None) -> Booking | None:
        """None for a record without an id or without readable times (nothing to place on a timeline)."""
        if not record.id or record.start_time is None or record.end_time is None:
            return None
        host = " ".join(p for p in (record.apply_person_name.strip(), record.apply_person_last_name.strip()) if p)
        ids = tuple(clean_text(i, 64) for i in record.participant_ids if i)
        count = len(ids) if ids else participants
        notes, visitors = split_content(clean_text(record.content, 2000, multiline=True))
        return cls(
            id=clean_text(record.id, 64), subject=clean_text(record.subject, SUBJECT_LIMIT) or "(no subject)",
            space_id=clean_text(record.space_id, 64), space_name=clean_text(record.space_name, NAME_LIMIT),
            start=record.start_time, end=max(record.end_time, record.start_time), status=record.reservation_status,
            host_pin=clean_text(record.apply_person_pin, 64), host_name=clean_text(host, NAME_LIMIT),
            content=notes, participant_ids=ids, participants=count,
            service_ids=tuple(clean_text(i, 64) for i in record.service_ids if i),
            visitors=tuple(clean_text(v, NAME_LIMIT) for v in visitors),
        )

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    @property
    def status_words(self) -> str:
        return self.status.words

    @property
    def host_label(self) -> str:
        if self.host_name and self.host_pin:
            return f"{self.host_name} [{self.host_pin}]"
        return self.host_name or self.host_pin or "(no host)"

    @property
    def people_words(self) -> str:
        guests = f"{len(self.visitors)} visitor" + ("" if len(self.visitors) == 1 else "s")
        if self.participants is None:
            return "participants: ?" + (f" + {guests}" if self.visitors else "")
        words = f"{self.participants} participant" + ("" if self.participants == 1 else "s")
        return words + (f" + {guests}" if self.visitors else "")

    @property
    def people_short(self) -> str:
        """Everyone in a few characters, for a narrow block: "3 people" (persons and visitors)."""
        if self.participants is None:
            return "? people"
        total = self.participants + len(self.visitors)
        return f"{total} " + ("person" if total == 1 else "people")

    def overlaps(self, start: datetime, end: datetime) -> bool:
        return self.start < end and start < self.end


@dataclass(frozen=True)
class BookingRequest:
    """What the receptionist asks for: a new booking (``id`` empty) or a change of booking ``id``."""

    space_id: str
    subject: str
    start: datetime
    end: datetime
    host_pin: str
    participant_ids: tuple[str, ...]
    service_ids: tuple[str, ...] = ()
    content: str = ""
    id: str = ""
    host_email: str = ""
    extra: Mapping[str, str] = field(default_factory=dict)  # kept from the record being changed (remind time...)
    visitors: tuple[str, ...] = ()  # visitors of this desk, by name (carried in the content)

    @property
    def people(self) -> int:
        return len(self.participant_ids) + len(self.visitors)

    @property
    def span(self) -> str:
        same_day = self.start.date() == self.end.date()
        end = self.end.strftime("%H:%M") if same_day else self.end.strftime("%Y-%m-%d %H:%M")
        return f"{self.start:%Y-%m-%d %H:%M}-{end}"


def overlapping(
    bookings: Iterable[Booking], space_id: str, start: datetime, end: datetime, *, ignore: str = ""
) -> list[Booking]:
    """Bookings of ``space_id`` that hold the space (to be started, in progress) during ``start``-``end``."""
    return sorted(
        (b for b in bookings
         if b.space_id == space_id and b.id != ignore and b.active and b.overlaps(start, end)),
        key=lambda b: b.start,
    )


def check_request(
    request: BookingRequest,
    *,
    spaces: Mapping[str, SpaceInfo],
    bookings: Iterable[Booking],
    now: datetime,
) -> dict[str, str]:
    """Problems with ``request`` by field (``subject``, ``time``, ``space``, ``host``, ``participants``);
    empty when it may be sent."""
    problems: dict[str, str] = {}
    if not request.subject.strip():
        problems["subject"] = "a booking needs a subject"
    if not request.host_pin.strip():
        problems["host"] = "choose the host (a person on the server)"
    if request.end <= request.start:
        problems["time"] = "the booking must end after it starts"
    elif not request.id and request.end <= now:
        problems["time"] = "this time is already over: choose a later time"
    space = spaces.get(request.space_id)
    if space is None:
        problems["space"] = "choose a space"
    elif space.disabled:
        problems["space"] = f"{space.name} is disabled on the server and cannot be booked"
    if not request.participant_ids and not request.visitors:
        problems["participants"] = "add at least one participant or visitor"
    elif space is not None and space.capacity is not None and request.people > space.capacity:
        problems["participants"] = (
            f"{request.people} people do not fit in {space.name} (capacity {space.capacity})"
        )
    if "time" not in problems and space is not None:
        clash = overlapping(bookings, request.space_id, request.start, request.end, ignore=request.id)
        if clash:
            first = clash[0]
            problems["time"] = (
                f"{space.name} is already booked {first.start:%H:%M}-{first.end:%H:%M} "
                f"({first.subject}, {first.status_words})"
            )
    return problems


# -- "Succeed: n, Failed: m." ------------------------------------------------------------------------

BatchAnswer = BatchCount  # the client parses the answer (console.api.models.base.BatchCount)


def parse_batch_answer(message: str) -> BatchCount | None:
    """The counts in the server's answer to 2.43.3/2.44.3/2.45.3/2.46.3-2.46.5; None when it says no counts."""
    count = BatchCount.parse(message)
    return count if count.counted else None


def day_start(when: datetime) -> datetime:
    return when.replace(hour=0, minute=0, second=0, microsecond=0)


def next_day(when: datetime) -> datetime:
    return day_start(when) + timedelta(days=1)
