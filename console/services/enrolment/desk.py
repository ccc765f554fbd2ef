"""The enrolment desk: find people, add and edit them, resign, reinstate, delete, check and upload a face photo.

Qt-free, used by the People panel. Every write is validated first (nothing is sent when a rule fails), sent
once, audited (never with photo bytes or the personal password) and reported with an :class:`Outcome`:

* ``DONE``: the server said yes; ``REFUSED``: it said no (``refusal``: the field and the words);
* ``NOT_SENT``: the request never reached the server, nothing happened, the operator may send it again;
* ``UNCERTAIN``: the answer was lost. It is never repeated automatically: :meth:`EnrolmentDesk.settle`
  re-reads the person and says whether the write happened (``DONE``) or not (``NOT_SENT``).

A person edit is two calls when the form carries a mobile, an e-mail or a personal password (2.14.1 does not
carry them, 2.14.10 does): the second is only sent after the first was done, and the result says which step
ended how.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final, Literal

from console.api import Client
from console.api.errors import ApiError, CVSecError
from console.api.models.levels import AccessLevel
from console.api.models.persons import Card, Department, Person, PersonInput
from console.services.audit import AuditError, Auditor, AuditTicket, begin
from console.services.events import EventFilter, Journal, JournalError
from console.services.json_store import DraftFolder
from console.services.outcome import Outcome
from console.services.text import clean_text

from .form import PersonForm, basic_body, main_body, parse_form_time, validate
from .refusals import Refusal, face_guidance, refusal_for

__all__ = ["EnrolResult", "EnrolmentDesk", "FaceVerdict", "FindResult", "PendingWrite"]

log = logging.getLogger(__name__)

_SECRET_KEYS = frozenset({"personPhoto", "personPwd", "photo", "password"})  # never in the audit log

PAGE_SIZE: Final = 1000  # the manual's largest page
MAX_PAGES: Final = 20  # a search scans at most 20,000 people (an exact PIN is always asked directly)
WriteKind = Literal["save", "resign", "reinstate", "delete", "photo"]


@dataclass(frozen=True)
class FindResult:
    persons: list[Person]
    scanned: int  # people read from the server
    complete: bool  # every page was read (False: the search stopped at the limit)


@dataclass(frozen=True)
class PendingWrite:
    """A write whose answer was lost: what to compare when the person is read again."""

    kind: WriteKind
    pin: str
    form: PersonForm | None = None
    step: str = ""


@dataclass(frozen=True)
class EnrolResult:
    """What happened to a write, for the panel. ``problems``: field -> words (INVALID or REFUSED)."""

    kind: Outcome
    message: str
    problems: Mapping[str, str] = field(default_factory=dict)
    refusal: Refusal | None = None
    pending: PendingWrite | None = None

    @property
    def ok(self) -> bool:
        return self.kind is Outcome.DONE


@dataclass(frozen=True)
class FaceVerdict:
    """The server's face check (2.14.16) of a photo, with what the operator can do about it."""

    kind: Outcome  # DONE: a template can be extracted; REFUSED: see ``guidance``; NOT_SENT/UNCERTAIN: ask again
    guidance: str
    code: int = 0

    @property
    def ok(self) -> bool:
        return self.kind is Outcome.DONE


def _matches(person: Person, needle: str) -> bool:
    if not needle:
        return True
    folded = needle.casefold()
    return (person.pin.casefold().startswith(folded) or folded in person.full_name.casefold()
            or person.card_no.casefold() == folded or folded in (c.casefold() for c in person.supply_cards))


class DraftStore(DraftFolder[PersonForm]):
    """Half-filled forms, one private file each, saved on every change. Never a photo, never a password."""

    def __init__(self, directory: Path) -> None:
        super().__init__(directory, "enrolment form draft", PersonForm.to_draft, PersonForm.from_draft, indent=None)


def profile_slug(profile: str) -> str:
    import hashlib

    slug = re.sub(r"[^0-9A-Za-z_-]+", "_", profile).strip("_")[:40] or "profile"
    return f"{slug}-{hashlib.sha1(profile.encode('utf-8')).hexdigest()[:8]}"  # noqa: S324


class EnrolmentDesk:
    """The people of one server profile, for the People panel."""

    def __init__(
        self,
        client: Client,
        *,
        data_dir: Path,
        profile: str,
        operator: str,
        audit: Auditor | None = None,
        clock: Callable[[], datetime] = datetime.now,
        journal: Journal | None = None,
    ) -> None:
        self.client = client
        self.profile = profile
        self.operator = operator
        self.audit = audit
        self.clock = clock
        self.journal = journal  # this connection's event journal: the person's events seen live here
        self.drafts = DraftStore(data_dir / "enrolment" / profile_slug(profile) / "drafts")
        self.imports_dir = data_dir / "enrolment" / profile_slug(profile) / "imports"  # bulk import ledgers
        self._departments: list[Department] | None = None
        self._levels: list[AccessLevel] | None = None

    # -- reading -------------------------------------------------------------------------------------

    async def departments(self, *, refresh: bool = False) -> list[Department]:
        if refresh or self._departments is None:
            self._departments = [d for d in await self.client.departments() if d.code]
        return self._departments

    async def levels(self, *, refresh: bool = False) -> list[AccessLevel]:
        if refresh or self._levels is None:
            self._levels = [lv for lv in await self.client.access_levels() if lv.id]
        return self._levels

    async def person(self, pin: str) -> Person | None:
        """The person with this PIN, None when the server does not know them (or they resigned)."""
        try:
            return await self.client.person(pin.strip())
        except ApiError as exc:
            if exc.code in (-22, -20, -29):
                return None
            raise

    async def full_person(self, pin: str) -> Person | None:
        """Every field of one person (2.14.12 filtered by pin: mobile, e-mail, levels, validity, photo)."""
        page = await self.client.persons(pins=[pin.strip()], page_size=10)
        return next((p for p in page.items if p.pin == pin.strip()), None)

    async def last_events(self, pin: str, count: int = 10) -> list[str]:
        """The person's last access events, newest first, as lines of plain text: those this console's journal
        holds (seen live, even before the server's lists have them) and the server's list (2.19.9), once each
        (the same minute at the same point is one event)."""
        pin = pin.strip()
        found: dict[tuple[str, str], tuple[datetime, str]] = {}

        def add(when: datetime | None, name: str, point: str) -> None:
            stamp = f"{when:%Y-%m-%d %H:%M}" if when else ""
            key = (stamp, clean_text(point, limit=80))
            if key not in found:
                text = " ".join(p for p in (stamp, clean_text(f"{name} — {point}", limit=160)) if p)
                found[key] = (when or datetime.min, text)

        if self.journal is not None:
            try:
                for event in self.journal.page(EventFilter(text=pin), limit=200, newest_first=True):
                    if event.pin == pin:
                        add(event.time, event.name, event.point or event.reader)
                        if len(found) >= count:
                            break
            except JournalError as exc:
                log.warning("the journal could not be read for pin %s: %s", pin, exc)
        try:
            page = await self.client.person_transactions(pin, page_size=count)
        except CVSecError:
            if not found:
                raise
        else:
            for t in page.items:
                add(t.event_time, t.event_name, t.event_point_name or t.reader_name)
        rows = sorted(found.values(), key=lambda item: item[0], reverse=True)
        return [text for _when, text in rows[:count]]

    async def cards(self, pin: str) -> list[Card]:
        return await self.client.person_cards(pin)

    async def qr(self, pin: str) -> str:
        """The person's dynamic QR code payload (2.14.8): a new one every few minutes."""
        return await self.client.person_qr(pin)

    async def page(
        self, *, page_no: int = 1, page_size: int = 50, dept_code: str = ""
    ) -> tuple[list[Person], int | None]:
        """One page of the server's list (2.14.12), optionally of one department; and the total."""
        page = await self.client.persons(page_no=page_no, page_size=page_size,
                                         dept_codes=[dept_code] if dept_code else None)
        return [p for p in page.items if p.pin], page.total

    async def find(self, text: str = "", *, dept_code: str = "", limit: int = 200) -> FindResult:
        """People whose PIN starts with ``text``, whose name contains it, or whose card is it; optionally of
        one department. An exact PIN is asked directly (2.14.5); the rest pages through 2.14.12."""
        needle = text.strip()
        found: list[Person] = []
        seen: set[str] = set()
        if needle and len(needle) <= 24 and needle.isalnum():
            exact = await self.person(needle)
            if exact is not None and (not dept_code or exact.dept_code == dept_code):
                found.append(exact)
                seen.add(exact.pin)
        scanned, complete = 0, False
        for page_no in range(1, MAX_PAGES + 1):
            page = await self.client.persons(page_no=page_no, page_size=PAGE_SIZE,
                                             dept_codes=[dept_code] if dept_code else None)
            scanned += len(page.items)
            for person in page.items:
                if person.pin and person.pin not in seen and _matches(person, needle):
                    found.append(person)
                    seen.add(person.pin)
            if len(found) >= limit:
                break
            if not page.has_more:
                complete = True
                break
        return FindResult(found[:limit], scanned, complete)

    # -- the audit -----------------------------------------------------------------------------------

    async def _write(self, action: str, pin: str, params: Mapping[str, Any], call: Callable[[], Awaitable[None]],
                     pending: PendingWrite) -> EnrolResult | None:
        """Audit first ("sending"), send ``call()`` once, complete the row; None when it was done, else the
        result to show. Nothing is sent when the audit log cannot be written."""
        safe = {k: v for k, v in params.items() if k not in _SECRET_KEYS}
        try:
            ticket = begin(self.audit, action, f"person {pin}", safe, operator=self.operator, profile=self.profile)
        except AuditError as exc:
            return EnrolResult(Outcome.NOT_SENT, f"Nothing was sent: {exc}")
        try:
            with ticket.uncertain_if_cancelled():
                await call()
        except CVSecError as exc:
            return self._failed(ticket, pin, exc, pending)
        note = ticket.complete("ok")
        if note:
            log.error("%s of %s: %s", action, pin, note)
        return None

    def _failed(self, ticket: AuditTicket, pin: str, exc: CVSecError, pending: PendingWrite) -> EnrolResult:
        kind = Outcome.of(exc)
        if isinstance(exc, ApiError):
            refusal = refusal_for(exc)
            ticket.complete(f"refused {exc.code}")
            problems = {refusal.field: refusal.text} if refusal.field else {}
            return EnrolResult(Outcome.REFUSED, refusal.text, problems, refusal)
        if kind is Outcome.UNCERTAIN:
            ticket.complete(f"uncertain: {clean_text(str(exc), limit=200)}")
            return EnrolResult(kind, "The server's answer was lost: it may or may not have happened. "
                               "Check with the server before trying again.", pending=pending)
        ticket.complete(f"{kind.value}: {clean_text(str(exc), limit=200)}")
        if kind is Outcome.REFUSED:  # a refused token
            return EnrolResult(kind, clean_text(str(exc), limit=300))
        return EnrolResult(kind, "The server could not be reached; nothing was changed. Try again.")

    def _note(self, action: str, pin: str, params: Mapping[str, Any], result: str) -> None:
        """A row that records what the console found (settling a lost answer): nothing is sent."""
        safe = {k: v for k, v in params.items() if k not in _SECRET_KEYS}
        try:
            begin(self.audit, action, f"person {pin}", safe, operator=self.operator,
                  profile=self.profile).complete(result)
        except AuditError:
            log.exception("the audit log could not record %s of %s", action, pin)

    # -- writes --------------------------------------------------------------------------------------

    async def check(self, form: PersonForm) -> dict[str, str]:
        """The form's problems, with the department and level lists of the server when they can be read."""
        try:
            departments: set[str] | None = {d.code for d in await self.departments()}
        except CVSecError:
            departments = None
        try:
            levels: set[str] | None = {lv.id for lv in await self.levels()} if form.level_ids else None
        except CVSecError:
            levels = None
        return validate(form, departments=departments, levels=levels)

    async def save(self, form: PersonForm, *, photo_b64: str | None = None, new: bool = False) -> EnrolResult:
        """Add (``new``: refused here if the PIN is taken) or edit a person; optionally with a photo already
        accepted by :meth:`check_face`."""
        form = form.cleaned()
        problems = await self.check(form)
        if not problems and new:
            try:
                if await self.person(form.pin) is not None:
                    problems["pin"] = "this PIN already belongs to someone: open them to edit, or pick another"
            except CVSecError:
                pass  # the server will be asked anyway; an add keyed by pin is an edit at worst
        if problems:
            return EnrolResult(Outcome.INVALID, "Nothing was sent: check the marked fields.", problems)
        body = main_body(form, photo_b64=photo_b64)
        audit_params = {**body, "with_photo": bool(photo_b64)}
        action = "person.add" if new else "person.edit"
        try:
            person = PersonInput.model_validate(body)
        except ValueError as exc:
            return EnrolResult(Outcome.INVALID, "Nothing was sent: " + clean_text(str(exc), limit=200), {})
        failed = await self._write(action, form.pin, audit_params, lambda: self.client.add_person(person),
                                   PendingWrite("save", form.pin, form, "2.14.1"))
        if failed is not None:
            return failed
        extra = basic_body(form)
        if extra is not None:
            params = {**extra, "with_password": bool(form.password)}
            details = extra
            result = await self._write("person.details", form.pin, params,
                                       lambda: self.client.update_person_details(details),
                                       PendingWrite("save", form.pin, form, "2.14.10"))
            if result is not None:
                return EnrolResult(result.kind, "The person was saved, but not the mobile, e-mail or password: "
                                   + result.message, result.problems, result.refusal, result.pending)
        return EnrolResult(Outcome.DONE, f"{form.full_name or form.pin} saved.")

    async def resign(self, pin: str, *, on: date | None = None) -> EnrolResult:
        day = (on or self.clock().date()).isoformat()
        params = {"pin": pin, "leaveDate": day}
        leave = on or self.clock().date()
        failed = await self._write("person.resign", pin, params, lambda: self.client.resign_person(pin, leave),
                                   PendingWrite("resign", pin))
        if failed is not None:
            return failed
        return EnrolResult(Outcome.DONE, f"{pin} resigned on {day}: their cards and face no longer open doors.")

    async def reinstate(self, pin: str, form: PersonForm | None = None) -> EnrolResult:
        body: dict[str, Any] = {"pin": pin}
        if form is not None:
            body = {**main_body(form), **(basic_body(form) or {}), "pin": pin}
        failed = await self._write("person.reinstate", pin, body, lambda: self.client.reinstate_person(body),
                                   PendingWrite("reinstate", pin))
        if failed is not None:
            return failed
        return EnrolResult(Outcome.DONE, f"{pin} reinstated.")

    async def delete(self, pin: str) -> EnrolResult:
        failed = await self._write("person.delete", pin, {"pin": pin}, lambda: self.client.delete_person(pin),
                                   PendingWrite("delete", pin))
        if failed is not None:
            return failed
        return EnrolResult(Outcome.DONE, f"{pin} deleted, with their cards and templates.")

    async def check_face(self, photo_b64: str) -> FaceVerdict:
        """Ask the server (2.14.16) whether a face template can be extracted. Not a write: not audited."""
        try:
            check = await self.client.detect_face(photo_b64)
        except CVSecError as exc:
            kind = Outcome.of(exc)
            if isinstance(exc, ApiError):
                return FaceVerdict(Outcome.REFUSED, face_guidance(exc.code, exc.text), exc.code)
            return FaceVerdict(kind, "The server could not be asked about the photo: the photo is kept, try again.")
        if check.ok:
            return FaceVerdict(Outcome.DONE, "The server can use this face.")
        return FaceVerdict(Outcome.REFUSED, face_guidance(check.code, check.reason), check.code)

    async def upload_photo(self, pin: str, photo_b64: str) -> EnrolResult:
        """Send the face photo (2.14.11); audited as "a photo", never its bytes."""
        params = {"pin": pin, "with_photo": True, "photo_size": len(photo_b64) * 3 // 4}
        failed = await self._write("person.photo", pin, params,
                                   lambda: self.client.update_person_photo(pin, photo_b64), PendingWrite("photo", pin))
        if failed is not None:
            return failed
        return EnrolResult(Outcome.DONE, "The face photo was sent to the server (and from there to the face readers).")

    # -- settling a lost answer ----------------------------------------------------------------------

    async def settle(self, pending: PendingWrite) -> EnrolResult:
        """Re-read the person and say whether a write whose answer was lost happened. Sends nothing."""
        try:
            person = await self.full_person(pending.pin)
        except CVSecError:
            return EnrolResult(Outcome.UNCERTAIN, "The server still cannot be asked: try again in a moment.",
                               pending=pending)
        happened: bool
        if pending.kind in ("resign", "delete"):
            happened = person is None
        elif pending.kind == "reinstate":
            happened = person is not None
        elif pending.kind == "photo":
            happened = person is not None and bool(person.person_photo or person.photo_path)
        else:
            happened = person is not None and pending.form is not None and _same(person, pending.form, pending.step)
        what = {"save": "saved", "resign": "resigned", "reinstate": "reinstated", "delete": "deleted",
                "photo": "photo sent"}[pending.kind]
        self._note(f"person.{pending.kind}.settled", pending.pin, {"pin": pending.pin},
                   "done" if happened else "not sent")
        if happened:
            return EnrolResult(Outcome.DONE, f"Checked with the server: {pending.pin} was {what}.")
        return EnrolResult(Outcome.NOT_SENT, f"Checked with the server: it did not happen ({pending.pin} not "
                           f"{what}). You may send it again.")


def _same(person: Person, form: PersonForm, step: str) -> bool:
    f = form.cleaned()
    if step == "2.14.10":
        return (not f.mobile or person.mobile_phone == f.mobile) and (not f.email or person.email == f.email)
    start = parse_form_time(f.start) if f.start else None
    return (person.name == f.name and person.last_name == f.last_name and person.dept_code == f.dept_code
            and (not f.card_no or person.card_no == f.card_no)
            and (start is None or person.acc_start_time is None
                 or abs(person.acc_start_time.replace(tzinfo=None) - start).total_seconds() < 60))


def level_names(levels: Sequence[AccessLevel], ids: Sequence[str]) -> list[str]:
    names = {lv.id: lv.name for lv in levels}
    return [clean_text(names.get(i, i), limit=80) for i in ids]
