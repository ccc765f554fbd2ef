"""What the visitor desk keeps on disk: drafts, the outbox, the day's expected visitors, who is on site.

Every file is JSON kept by ``console.services.json_store``: written atomically (a crash leaves the old file or
the new one, never half of one), owner-only (0600: these are visitors' personal details), and read back
leniently: a damaged file is set aside (renamed with the time, ``<name>.damaged-<time>``:
``console.services.files.set_aside``) and the desk starts empty rather than not at all; the store's
``set_aside`` says so, for the operator. A write that fails raises ``StoreWriteError`` in plain words.

Layout below ``data_dir/visitors/``::

    drafts/<id>.json          one half-filled form each (shared by every server profile)
    <profile>/outbox.json     registrations waiting for the server
    <profile>/expected.json   visits booked ahead (the API can add and delete them but not list them)
    <profile>/onsite.json     visits registered from this desk, with their check-out
"""

from __future__ import annotations

import hashlib
import logging
import re
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final, Literal

from console.services.files import SetAside
from console.services.json_store import DraftFolder, JsonFile, StoreWriteError, record

from .form import VisitForm, parse_form_time

__all__ = [
    "DraftStore",
    "ExpectedVisit",
    "ExpectedVisits",
    "OnSiteList",
    "OnSiteVisit",
    "Outbox",
    "OutboxEntry",
    "OutboxState",
    "StoreWriteError",
    "profile_dir",
]

log = logging.getLogger(__name__)

MAX_RECORDS: Final = 5000  # most records kept in one file (old finished ones are dropped first)
_SAFE = re.compile(r"[^A-Za-z0-9_-]+")


def profile_dir(visitors_dir: Path, profile: str) -> Path:
    """A folder name for a profile: readable, safe on every file system, unique per name."""
    slug = _SAFE.sub("_", profile).strip("_")[:40] or "profile"
    return visitors_dir / f"{slug}-{hashlib.sha1(profile.encode('utf-8')).hexdigest()[:8]}"  # noqa: S324


def _now() -> str:
    return datetime.now().replace(microsecond=0).isoformat(sep=" ")


def new_id() -> str:
    return uuid.uuid4().hex


# -- drafts ---------------------------------------------------------------------------------------


class DraftStore(DraftFolder[VisitForm]):
    """Half-filled visitor forms, one file each, saved on every change and removed once the visit is registered."""

    def __init__(self, directory: Path) -> None:
        super().__init__(directory, "visitor form draft", VisitForm.to_dict, VisitForm.from_dict)


# -- the outbox -----------------------------------------------------------------------------------

OutboxState = Literal["pending", "uncertain", "done", "refused"]


@dataclass
class OutboxEntry:
    """A registration the server has not confirmed.

    ``pending``: it certainly never reached the server (the connection was refused). ``uncertain``: it may
    have (the connection broke after sending). Either way it is only sent again after the server was asked
    whether the visit already exists. ``done``/``refused`` record the outcome for the receptionist.
    """

    id: str = ""
    created: str = ""
    operator: str = ""
    form: dict[str, Any] = field(default_factory=dict)
    body: dict[str, str] = field(default_factory=dict)
    state: str = "pending"
    attempts: int = 0
    last_error: str = ""
    outcome: str = ""
    finished: str = ""
    visitor_pin: str = ""
    refusal_code: int = 0
    known_before: str = ""  # did the server know this document before the first try: "yes", "no", "" (unknown)

    @property
    def visit_form(self) -> VisitForm:
        return VisitForm.from_dict(self.form)

    @property
    def open(self) -> bool:
        return self.state in ("pending", "uncertain")


class Outbox:
    """Registrations made while the server was away, kept until the server confirms or refuses them."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file = JsonFile(path, "visitor outbox")
        raw = self._file.load()
        # the damaged file set aside when it was read (for the operator)
        self.set_aside: list[SetAside] = self._file.set_aside
        entries = [record(OutboxEntry, item) for item in raw] if isinstance(raw, list) else []
        self._entries: list[OutboxEntry] = [e for e in entries if e is not None and e.id]

    def __iter__(self) -> Iterator[OutboxEntry]:
        return iter(list(self._entries))

    def __len__(self) -> int:
        return len(self._entries)

    def open_entries(self) -> list[OutboxEntry]:
        return [e for e in self._entries if e.open]

    def get(self, entry_id: str) -> OutboxEntry | None:
        return next((e for e in self._entries if e.id == entry_id), None)

    def add(self, *, operator: str, form: VisitForm, body: dict[str, str], state: OutboxState, error: str,
            known_before: str = "") -> OutboxEntry:
        entry = OutboxEntry(id=new_id(), created=_now(), operator=operator, form=form.to_dict(), body=dict(body),
                            state=state, attempts=1, last_error=error, known_before=known_before)
        self._entries.append(entry)
        self.save()
        return entry

    def update(self, entry: OutboxEntry, **changes: Any) -> OutboxEntry:
        for key, value in changes.items():
            setattr(entry, key, value)
        if entry.state in ("done", "refused") and not entry.finished:
            entry.finished = _now()
        self.save()
        return entry

    def dismiss(self, entry_id: str) -> None:
        """Forget a finished entry (the receptionist has read its outcome)."""
        self._entries = [e for e in self._entries if not (e.id == entry_id and not e.open)]
        self.save()

    def save(self) -> None:
        finished = [e for e in self._entries if not e.open]
        excess = len(self._entries) - MAX_RECORDS
        if excess > 0:
            drop = {e.id for e in finished[:excess]}
            self._entries = [e for e in self._entries if e.id not in drop]
        self._file.save([asdict(e) for e in self._entries])


# -- expected visitors ----------------------------------------------------------------------------


@dataclass
class ExpectedVisit:
    """A visit booked ahead with ``visReservation/add``; the API cannot list them, so the desk keeps them."""

    id: str = ""
    form: dict[str, Any] = field(default_factory=dict)
    visit_date: str = ""  # yyyy-MM-dd HH:mm:ss, as sent
    visit_end: str = ""
    status: str = "expected"  # expected, arrived, cancelled
    booked_by: str = ""
    booked_at: str = ""

    @property
    def visit_form(self) -> VisitForm:
        return VisitForm.from_dict(self.form)

    @property
    def day(self) -> date | None:
        moment = parse_form_time(self.visit_date)
        return moment.date() if moment else None

    def covers(self, day: date) -> bool:
        start, end = parse_form_time(self.visit_date), parse_form_time(self.visit_end)
        if start is None:
            return False
        return start.date() <= day <= (end or start).date()


class ExpectedVisits:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._file = JsonFile(path, "list of expected visitors")
        raw = self._file.load()
        self.set_aside: list[SetAside] = self._file.set_aside
        items = [record(ExpectedVisit, item) for item in raw] if isinstance(raw, list) else []
        self._items: list[ExpectedVisit] = [i for i in items if i is not None and i.id]

    def __iter__(self) -> Iterator[ExpectedVisit]:
        return iter(list(self._items))

    def add(self, form: VisitForm, *, booked_by: str) -> ExpectedVisit:
        item = ExpectedVisit(id=new_id(), form=form.to_dict(), visit_date=form.start, visit_end=form.end,
                             booked_by=booked_by, booked_at=_now())
        item.form["reservation_id"] = item.id
        self._items.append(item)
        self.save()
        return item

    def get(self, item_id: str) -> ExpectedVisit | None:
        return next((i for i in self._items if i.id == item_id), None)

    def set_status(self, item_id: str, status: str) -> None:
        item = self.get(item_id)
        if item is not None:
            item.status = status
            self.save()

    def for_day(self, day: date, *, include_done: bool = False) -> list[ExpectedVisit]:
        """The visits expected on ``day``, earliest first (arrived and cancelled ones only if asked)."""
        out = [i for i in self._items if i.covers(day) and (include_done or i.status == "expected")]
        return sorted(out, key=lambda i: i.visit_date)

    def save(self) -> None:
        # bookings whose day is more than 30 days past are forgotten
        today = date.today()
        self._items = [i for i in self._items if (i.day is None) or (today - i.day).days <= 30][-MAX_RECORDS:]
        self._file.save([asdict(i) for i in self._items])


# -- who is on site -------------------------------------------------------------------------------


@dataclass
class OnSiteVisit:
    """A visit registered at this desk; on site until it is checked out (or its day is over)."""

    id: str = ""
    form: dict[str, Any] = field(default_factory=dict)
    visitor_pin: str = ""  # the server's visitor number, once known (for the QR code)
    registered_at: str = ""
    registered_by: str = ""
    checked_out_at: str = ""
    checked_out_by: str = ""

    @property
    def visit_form(self) -> VisitForm:
        return VisitForm.from_dict(self.form)

    @property
    def on_site(self) -> bool:
        return not self.checked_out_at

    @property
    def registered_day(self) -> date | None:
        try:
            return datetime.fromisoformat(self.registered_at).date()
        except ValueError:
            return None


class OnSiteList:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._file = JsonFile(path, "list of visitors on site")
        raw = self._file.load()
        self.set_aside: list[SetAside] = self._file.set_aside
        items = [record(OnSiteVisit, item) for item in raw] if isinstance(raw, list) else []
        self._items: list[OnSiteVisit] = [i for i in items if i is not None and i.id]

    def __iter__(self) -> Iterator[OnSiteVisit]:
        return iter(list(self._items))

    def add(self, form: VisitForm, *, operator: str, visitor_pin: str = "") -> OnSiteVisit:
        item = OnSiteVisit(id=new_id(), form=form.to_dict(), visitor_pin=visitor_pin, registered_at=_now(),
                           registered_by=operator)
        self._items.append(item)
        self.save()
        return item

    def get(self, item_id: str) -> OnSiteVisit | None:
        return next((i for i in self._items if i.id == item_id), None)

    def find(self, cert_type: str, cert_num: str) -> OnSiteVisit | None:
        """The open visit of this document, if any."""
        for item in reversed(self._items):
            form = item.visit_form
            if item.on_site and form.cert_type == cert_type and form.cert_number == cert_num:
                return item
        return None

    def set_pin(self, item_id: str, pin: str) -> None:
        item = self.get(item_id)
        if item is not None and item.visitor_pin != pin:
            item.visitor_pin = pin
            self.save()

    def check_out(self, item_id: str, *, operator: str) -> None:
        item = self.get(item_id)
        if item is not None and item.on_site:
            item.checked_out_at = _now()
            item.checked_out_by = operator
            self.save()

    def present(self, day: date | None = None) -> list[OnSiteVisit]:
        """Who is in the building on ``day`` (today): not checked out, and registered that day or with a visit
        that runs into it (an evening visit stays listed after midnight: this is the evacuation list)."""
        day = day or date.today()
        out = []
        for item in self._items:
            if not item.on_site:
                continue
            end = parse_form_time(item.visit_form.end)
            if item.registered_day == day or (end is not None and end.date() >= day and
                                              (item.registered_day or day) <= day):
                out.append(item)
        return out

    def save(self) -> None:
        today = date.today()
        self._items = [
            i for i in self._items if i.registered_day is None or (today - i.registered_day).days <= 30
        ][-MAX_RECORDS:]
        self._file.save([asdict(i) for i in self._items])
