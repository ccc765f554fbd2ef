"""The visitor desk: register, book ahead, hand over a QR code, check out; Qt-free, used by the panel.

Writes (registration, booking, check-out) are sent exactly once. A registration that could not reach the
server is kept in the :class:`~.store.Outbox` and, when the server answers again, sent again only after
asking the server whether the visit already exists (``visVisitor/getVisitorList`` by certificate number):

* the visitor was unknown to the server before the first try and is known now: the first try got through,
  nothing is sent again;
* the visitor is unknown: the first try never arrived, the registration is sent;
* the visitor was already known (a returning visitor): the registration is sent, and the server's own
  guard against a double registration (-255) is taken as "already registered", not as a failure.

Every outcome is recorded in the outbox entry and in the audit log: a write is audited "sending" before it
leaves and again with its outcome; if the audit log cannot be written nothing is sent (``NOT_SENT``, saying why).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Final, Literal

from console.api import Client
from console.api.errors import AnswerLostError, ApiError, CVSecError, Delivery
from console.api.models.levels import VisitorLevel
from console.api.models.persons import CertType, Person
from console.api.models.visitors import Visitor
from console.services.audit import CANCELLED, AuditError, Auditor, AuditTicket, begin
from console.services.observable import Signal
from console.services.outcome import Outcome
from console.services.polling import HealthReporter, Poller, PollPolicy

from .form import (
    VisitForm,
    cert_type_words,
    default_window,
    format_time,
    parse_form_time,
    registration,
    registration_body,
    reservation,
    validate,
)
from .refusals import NOT_REGISTERED, Refusal, refusal_for
from .store import (
    DraftStore,
    ExpectedVisit,
    ExpectedVisits,
    OnSiteList,
    OnSiteVisit,
    Outbox,
    OutboxEntry,
    StoreWriteError,
    profile_dir,
)

__all__ = ["AuditSink", "DeskResult", "HealthSink", "Host", "Outcome", "VisitorDesk", "mask_number"]

log = logging.getLogger(__name__)

PAGE_SIZE: Final = 1000  # the manual's largest page
MAX_PAGES: Final = 10  # directories larger than 10,000 are cut (search by exact pin still works)
CACHE_SECONDS: Final = 300.0


AuditSink = Auditor  # ``console.services.audit.AuditLog``, or anything with the same ``record``


HealthSink = HealthReporter  # ``console.services.session.Session``'s reporting side

def mask_number(number: str) -> str:
    """A document number for logs and the audit trail: its last four characters only."""
    return ("…" + number[-4:]) if len(number) > 4 else number


@dataclass(frozen=True, slots=True)
class Host:
    pin: str
    name: str
    dept_name: str = ""
    dept_code: str = ""

    @property
    def label(self) -> str:
        dept = f" — {self.dept_name}" if self.dept_name else ""
        return f"{self.name or '(no name)'} [{self.pin}]{dept}"


@dataclass(frozen=True)
class DeskResult:
    """What happened to a request, for the panel to show (``kind``: the shared :class:`Outcome`).

    ``INVALID``: the form broke a rule, nothing was sent (``problems`` per field). ``REFUSED``: the server
    said no (``refusal``). ``QUEUED``: the server could not be reached, the registration waits in the outbox.
    ``NOT_SENT``: a booking or check-out could not reach the server (nothing kept). ``UNCERTAIN``: sent, the
    answer was lost (not repeated). ``DONE``: ok (``visit`` set after a registration).
    """

    kind: Outcome
    message: str = ""
    problems: Mapping[str, str] = field(default_factory=dict)
    refusal: Refusal | None = None
    visit: OnSiteVisit | None = None
    entry: OutboxEntry | None = None

    @property
    def ok(self) -> bool:
        return self.kind is Outcome.DONE


def _host_of(person: Person) -> Host:
    return Host(pin=person.pin, name=person.full_name, dept_name=person.dept_name, dept_code=person.dept_code)


def _not_sent(exc: CVSecError) -> bool:
    """The request certainly never reached the application (the client's own classification)."""
    return exc.delivery is Delivery.NOT_SENT


class VisitorDesk:
    """The visitor desk of one server profile. ``changed`` announces ``"onsite"``, ``"expected"``, ``"outbox"``."""

    def __init__(
        self,
        client: Client,
        *,
        data_dir: Path,
        profile: str,
        operator: str,
        audit: AuditSink | None = None,
        health: HealthSink | None = None,
        policy: PollPolicy | None = None,
        clock: Callable[[], datetime] = datetime.now,
    ) -> None:
        self.client = client
        self.profile = profile
        self.operator = operator
        self.audit = audit
        self.health = health
        self.clock = clock
        root = data_dir / "visitors"
        here = profile_dir(root, profile)
        self.drafts = DraftStore(root / "drafts")
        self.outbox = Outbox(here / "outbox.json")
        self.expected = ExpectedVisits(here / "expected.json")
        self.onsite = OnSiteList(here / "onsite.json")
        # damaged files set aside when they were read (shown once to the operator: SessionServices.set_aside)
        self.set_aside = [*self.outbox.set_aside, *self.expected.set_aside, *self.onsite.set_aside]
        self.changed: Signal[str] = Signal()
        self._persons: tuple[float, list[Person]] | None = None
        self._visitors: tuple[float, list[Visitor]] | None = None
        self._flush_lock = asyncio.Lock()
        self.poller = Poller("outbox", self._outbox_step, policy or PollPolicy(), health=health)

    # -- reading the directories ---------------------------------------------------------------------

    async def levels(self) -> list[VisitorLevel]:
        """The visitor level groups (2.17.1)."""
        return [level for level in await self.client.visitor_levels() if level.id]

    async def persons(self, *, refresh: bool = False) -> list[Person]:
        """Everyone who can host a visitor (2.14.12, every page up to 10,000, kept for five minutes)."""
        if not refresh and self._persons and time.monotonic() - self._persons[0] < CACHE_SECONDS:
            return self._persons[1]
        persons: list[Person] = []
        for page_no in range(1, MAX_PAGES + 1):
            page = await self.client.persons(page_no=page_no, page_size=PAGE_SIZE)
            persons.extend(p for p in page.items if p.pin)
            if not page.has_more:
                break
        self._persons = (time.monotonic(), persons)
        return persons

    async def search_hosts(self, text: str, *, limit: int = 30) -> list[Host]:
        """Hosts whose pin starts with ``text`` or whose name contains it (case-insensitive); exact pin first."""
        needle = text.strip().casefold()
        if not needle:
            return []
        persons = await self.persons()
        exact = [p for p in persons if p.pin.casefold() == needle]
        by_pin = [p for p in persons if p.pin.casefold().startswith(needle) and p not in exact]
        by_name = [p for p in persons if needle in p.full_name.casefold() and p not in exact and p not in by_pin]
        found = [_host_of(p) for p in (exact + by_pin + by_name)[:limit]]
        if not exact and len(needle) <= 64 and needle.isalnum():
            try:  # someone added since the directory was read: ask for the pin itself (2.14.5)
                person: Person | None = await self.client.person(text.strip())
            except (CVSecError, ValueError):  # unknown pin, or the server is away: the directory answers
                person = None
            if person is not None and person.pin:
                found.insert(0, _host_of(person))
        return found

    async def visitors(self, *, refresh: bool = False) -> list[Visitor]:
        """Visitors the server knows (2.18.6, kept for five minutes): the returning-visitor suggestions."""
        if not refresh and self._visitors and time.monotonic() - self._visitors[0] < CACHE_SECONDS:
            return self._visitors[1]
        visitors: list[Visitor] = []
        for page_no in range(1, MAX_PAGES + 1):
            page = await self.client.visitors(page_no=page_no, page_size=PAGE_SIZE)
            visitors.extend(page.items)
            if not page.has_more:
                break
        self._visitors = (time.monotonic(), visitors)
        return visitors

    def cached_visitors(self) -> list[Visitor] | None:
        return self._visitors[1] if self._visitors else None

    async def find_visitors(self, text: str, *, limit: int = 20) -> list[Visitor]:
        """Returning visitors whose document number starts with ``text`` or whose name contains it."""
        needle = text.strip().casefold()
        if len(needle) < 2:
            return []
        found = [
            v for v in await self.visitors()
            if v.cert_number.casefold().startswith(needle) or needle in v.full_name.casefold()
        ]
        return found[:limit]

    async def lookup_visitor(self, cert_type: str, cert_num: str) -> Visitor | None:
        """The server's record of this document (2.18.6 filtered by ``certNumbers``), None if unknown."""
        page = await self.client.visitors(cert_numbers=[cert_num], page_no=1, page_size=100)
        matches = [v for v in page.items if v.cert_number == cert_num]
        typed = [v for v in matches if v.cert_type.code == cert_type]
        best = typed or matches
        return best[0] if best else None

    # -- registration ----------------------------------------------------------------------------------

    @staticmethod
    def _target(form: VisitForm) -> str:
        return f"{form.visitor_name.strip()} ({cert_type_words(form.cert_type)} {mask_number(form.cert_number)})"

    def _begin(self, action: str, form: VisitForm, **params: Any) -> AuditTicket:
        """The "sending" audit row of a write; :class:`AuditError` (nothing may be sent) when it cannot be written."""
        return begin(self.audit, action, self._target(form), {"host": form.host_pin, **params},
                     operator=self.operator, profile=self.profile)

    def _audit(self, action: str, form: VisitForm, result: str, **params: Any) -> None:
        """A row for what changed here only (nothing sent): a failure is logged, the visitor is not lost."""
        if self.audit is None:
            return
        target = self._target(form)
        try:
            self.audit.record(operator=self.operator, profile=self.profile, action=action, target=target,
                              params={"host": form.host_pin, **params}, result=result)
        except Exception:  # the audit trail failing must not lose the visitor
            log.exception("the audit log refused a record")

    def _unanswered(self, ticket: AuditTicket, form: VisitForm, exc: CVSecError, what: str, still: str,
                    visit: OnSiteVisit | None = None) -> DeskResult:
        """A write that got no yes or no from the server: not sent, or sent with its answer lost."""
        outcome = Outcome.of(exc)
        note = ticket.complete(f"{outcome.value}: {exc}")
        if outcome is Outcome.UNCERTAIN:
            return DeskResult(outcome, f"no answer from the server ({exc}): {what} may or may not have been "
                                       "recorded, and was not repeated. Check on the server before trying again"
                                       + note, visit=visit)
        if outcome is Outcome.REFUSED:
            return DeskResult(outcome, f"the server refused the request ({exc}); {still}{note}", visit=visit)
        return DeskResult(outcome, f"the server cannot be reached ({exc}); {still}{note}", visit=visit)

    @staticmethod
    def _unaudited(what: str, exc: AuditError, visit: OnSiteVisit | None = None) -> DeskResult:
        return DeskResult(Outcome.NOT_SENT, f"{what} was not sent: {exc}", visit=visit)

    def _known(self, form: VisitForm) -> str:
        """Whether the server knew this document before we sent anything: "yes", "no", or "" (no list read)."""
        cached = self.cached_visitors()
        if cached is None:
            return ""
        number = form.cert_number
        return "yes" if any(v.cert_number == number for v in cached) else "no"

    async def register(self, form: VisitForm) -> DeskResult:
        """Validate, then send ``visRegistration/add`` once. An unreachable server queues it in the outbox."""
        problems = validate(form, now=self.clock())
        if problems:
            return DeskResult(Outcome.INVALID, "some fields need attention", problems=problems)
        try:
            request = registration(form)
        except ValueError as exc:  # a rule of the request model that validate() does not know
            return DeskResult(Outcome.INVALID, f"the registration cannot be sent: {exc}")
        body = registration_body(form)
        known = self._known(form)
        try:
            ticket = self._begin("visitor.register", form)
        except AuditError as exc:
            return self._unaudited("the registration", exc)
        try:
            await self.client.register_visitor(request)
        except asyncio.CancelledError:  # the console closing while it is out: kept as uncertain, checked next run
            ticket.complete(CANCELLED)
            self._queue(form, body, known, AnswerLostError("cancelled before the answer came"), ticket)
            raise
        except ApiError as exc:
            refusal = refusal_for(exc)
            note = ticket.complete(f"refused {exc.code}")
            return DeskResult(Outcome.REFUSED, refusal.text + note, refusal=refusal)
        except CVSecError as exc:
            if exc.delivery is Delivery.REFUSED:  # a refused token, a proxy saying no: waiting will not help
                note = ticket.complete(f"failed: {exc}")
                return DeskResult(Outcome.NOT_SENT, f"the server refused the request ({exc}){note}")
            return self._queue(form, body, known, exc, ticket)
        try:
            visit = await self._registered(form)
        except StoreWriteError as exc:  # registered on the server; only this desk's on-site list is behind
            note = ticket.complete("ok", kept_on_site=False)
            return DeskResult(Outcome.DONE, f"{form.visitor_name.strip()} is registered, but is not on this desk's "
                                            f"list of visitors on site: {exc}{note}")
        note = ticket.complete("ok")
        return DeskResult(Outcome.DONE, f"{form.visitor_name.strip()} is registered{note}", visit=visit)

    def _queue(self, form: VisitForm, body: dict[str, str], known: str, exc: CVSecError,
               ticket: AuditTicket) -> DeskResult:
        state: Literal["pending", "uncertain"] = "pending" if _not_sent(exc) else "uncertain"
        try:
            entry = self.outbox.add(operator=self.operator, form=form, body=body, state=state, error=str(exc),
                                    known_before=known)
        except StoreWriteError as err:  # the data folder is full or read-only: nothing is kept, say so
            outcome = Outcome.of(exc)
            note = ticket.complete(f"{outcome.value}: {exc}; not kept in the outbox: {err}")
            maybe = (" It may have reached the server: check there before registering again."
                     if outcome is Outcome.UNCERTAIN else " Register the visitor again once it is fixed.")
            return DeskResult(outcome, f"the server cannot be reached ({exc}) and the registration could not be "
                                       f"kept for later: {err}.{maybe}{note}")
        note = ticket.complete("queued: the server could not be reached", outbox=entry.id)
        self.changed.emit("outbox")
        return DeskResult(Outcome.QUEUED, "the server cannot be reached: the registration is kept and will be sent "
                                          "as soon as the server answers" + note, entry=entry)

    async def _registered(self, form: VisitForm) -> OnSiteVisit:
        visit = self.onsite.add(form, operator=self.operator)
        if form.reservation_id:
            self.expected.set_status(form.reservation_id, "arrived")
            self.changed.emit("expected")
        self.changed.emit("onsite")
        try:  # the visitor's number, for the QR code; a failure here is not a failed registration
            found = await self.lookup_visitor(form.cert_type, form.cert_number)
        except CVSecError as exc:
            log.info("the new visitor's number could not be read: %s", exc)
        else:
            if found is not None and found.pin:
                self.onsite.set_pin(visit.id, found.pin)
        self._visitors = None  # the directory changed
        return visit

    # -- the outbox --------------------------------------------------------------------------------------

    async def flush_outbox(self) -> list[OutboxEntry]:
        """Try every waiting registration once (check first, then send); returns those settled now.

        A transport failure stops the run (the server is still away) and is raised to the caller.
        """
        settled: list[OutboxEntry] = []
        async with self._flush_lock:
            for entry in self.outbox.open_entries():
                if await self._flush_one(entry):
                    settled.append(entry)
        if settled:
            self.changed.emit("outbox")
        return settled

    async def _flush_one(self, entry: OutboxEntry) -> bool:
        form = entry.visit_form
        body = entry.body
        found = await self.lookup_visitor(body.get("certType", ""), body.get("certNum", ""))
        if found is not None and entry.known_before == "no":
            # unknown before the first try, known now: the first try reached the server
            self.outbox.update(entry, state="done", visitor_pin=found.pin,
                               outcome="the first attempt had reached the server; not sent again")
            await self._settled(entry, form, "ok (found on the server, not sent again)")
            return True
        try:
            ticket = self._begin("visitor.register", form, outbox=entry.id)
        except AuditError as exc:  # not sent; the entry waits, and the run stops (the poller reports it)
            self.outbox.update(entry, last_error=str(exc))
            raise
        self.outbox.update(entry, attempts=entry.attempts + 1)
        try:
            await self.client.register_visitor(registration(form))
        except asyncio.CancelledError:  # the console closing while it is out: the next run checks first
            self.outbox.update(entry, state="uncertain", last_error="cancelled before the answer came")
            ticket.complete(f"{CANCELLED} (from the outbox)")
            raise
        except ApiError as exc:
            refusal = refusal_for(exc)
            if refusal.already_registered:
                self.outbox.update(entry, state="done",
                                   outcome="the server already had this visit; not registered twice")
                await self._settled(entry, form, "ok (already registered)", ticket)
            else:
                self.outbox.update(entry, state="refused", refusal_code=exc.code, outcome=refusal.text)
                ticket.complete(f"refused {exc.code} (from the outbox)")
            return True
        except CVSecError as exc:
            if exc.delivery is Delivery.REFUSED:
                self.outbox.update(entry, last_error=str(exc))
                raise
            # a lost answer to a re-send leaves it uncertain again; the next run checks first again
            self.outbox.update(entry, state="pending" if _not_sent(exc) and entry.state == "pending" else "uncertain",
                               last_error=str(exc))
            ticket.complete(f"{Outcome.of(exc).value}: {exc} (from the outbox)")
            raise
        self.outbox.update(entry, state="done", outcome="registered after the server came back")
        await self._settled(entry, form, "ok (sent from the outbox)", ticket)
        return True

    async def _settled(self, entry: OutboxEntry, form: VisitForm, result: str,
                       ticket: AuditTicket | None = None) -> None:
        visit = await self._registered(form)
        if visit.visitor_pin:
            self.outbox.update(entry, visitor_pin=visit.visitor_pin)
        if ticket is not None:
            ticket.complete(result)
        else:  # found on the server: nothing was sent now
            self._audit("visitor.register", form, result, outbox=entry.id)

    @property
    def flushing(self) -> bool:
        """Whether the outbox is being sent right now."""
        return self._flush_lock.locked()

    def kick(self) -> None:
        """Try the outbox now (the server is back, or a registration was just queued)."""
        self.poller.wake()

    async def _outbox_step(self) -> bool:
        """One try of the outbox for the poller: False (nothing to report) while it is empty."""
        if not self.outbox.open_entries():
            return False
        await self.flush_outbox()
        return True

    async def run_outbox(self) -> None:
        """Keep trying the outbox while it holds registrations (the :attr:`poller`); runs until cancelled."""
        await self.poller.run()

    # -- hand-over: the QR code ----------------------------------------------------------------------------

    async def qr_code(self, visit: OnSiteVisit) -> str:
        """The visitor's current dynamic QR value: by visitor number (2.18.4), else by document and phone (2.18.5)."""
        form = visit.visit_form
        pin = visit.visitor_pin
        if not pin:
            found = await self.lookup_visitor(form.cert_type, form.cert_number)
            if found is not None and found.pin:
                pin = found.pin
                self.onsite.set_pin(visit.id, pin)
        if pin:
            return await self.client.visitor_qr(pin)
        return await self.client.visitor_qr_by_cert(form.cert_number, cert_type=CertType.parse(form.cert_type),
                                                    phone=form.phone.strip() or None)

    # -- check-out -------------------------------------------------------------------------------------------

    async def check_out(self, visit: OnSiteVisit) -> DeskResult:
        """``visRegistration/exit`` by document type and number; the visit leaves the on-site list."""
        form = visit.visit_form
        try:
            ticket = self._begin("visitor.check_out", form)
        except AuditError as exc:
            return self._unaudited("the check-out", exc, visit)
        try:
            with ticket.uncertain_if_cancelled():
                await self.client.check_out_visitor(CertType.parse(form.cert_type), form.cert_number)
        except ApiError as exc:
            refusal = refusal_for(exc)
            note = ticket.complete(f"refused {exc.code}")
            if exc.code == NOT_REGISTERED:
                return DeskResult(Outcome.REFUSED, f"{form.visitor_name}: {refusal.text}. Still listed here until you "
                                          f"remove them.{note}", refusal=refusal, visit=visit)
            return DeskResult(Outcome.REFUSED, refusal.text + note, refusal=refusal, visit=visit)
        except CVSecError as exc:
            return self._unanswered(ticket, form, exc, "the check-out", "the visitor is still listed",
                                    visit=visit)
        self.onsite.check_out(visit.id, operator=self.operator)
        note = ticket.complete("ok")
        self.changed.emit("onsite")
        return DeskResult(Outcome.DONE, f"{form.visitor_name} is checked out{note}", visit=visit)

    def remove_from_site(self, visit: OnSiteVisit) -> None:
        """Take a visit off the list without telling the server (the server says it is already closed)."""
        self.onsite.check_out(visit.id, operator=self.operator)
        self._audit("visitor.remove_from_list", visit.visit_form, "ok (local only)")
        self.changed.emit("onsite")

    def on_site(self) -> list[OnSiteVisit]:
        return self.onsite.present(self.clock().date())

    # -- booking ahead -------------------------------------------------------------------------------------

    async def reserve(self, form: VisitForm) -> DeskResult:
        """Book a visit ahead (2.16.1) and keep it in the day's expected list."""
        problems = validate(form, now=self.clock(), reservation=True)
        if problems:
            return DeskResult(Outcome.INVALID, "some fields need attention", problems=problems)
        try:
            ticket = self._begin("visitor.reserve", form, visit_date=form.start)
        except AuditError as exc:
            return self._unaudited("the booking", exc)
        try:
            with ticket.uncertain_if_cancelled():
                await self.client.add_visitor_reservation(reservation(form))
        except ApiError as exc:
            refusal = refusal_for(exc)
            note = ticket.complete(f"refused {exc.code}")
            return DeskResult(Outcome.REFUSED, refusal.text + note, refusal=refusal)
        except CVSecError as exc:
            return self._unanswered(ticket, form, exc, "the booking", "the booking was not made")
        self.expected.add(form, booked_by=self.operator)
        note = ticket.complete("ok")
        self.changed.emit("expected")
        return DeskResult(Outcome.DONE, f"{form.visitor_name.strip()} is expected on {form.start[:16]}{note}")

    async def cancel_reservation(self, item: ExpectedVisit) -> DeskResult:
        """Cancel a booking (2.16.2, by document and the visit date sent when booking)."""
        form = item.visit_form
        try:
            ticket = self._begin("visitor.cancel_reservation", form, visit_date=item.visit_date)
        except AuditError as exc:
            return self._unaudited("the cancellation", exc)
        try:
            with ticket.uncertain_if_cancelled():
                await self.client.delete_visitor_reservation(CertType.parse(form.cert_type), form.cert_number,
                                                             parse_form_time(item.visit_date) or self.clock())
        except ApiError as exc:
            refusal = refusal_for(exc)
            note = ticket.complete(f"refused {exc.code}")
            if exc.code == -248:  # the server has no such booking: nothing left to cancel
                self.expected.set_status(item.id, "cancelled")
                self.changed.emit("expected")
            return DeskResult(Outcome.REFUSED, refusal.text + note, refusal=refusal)
        except CVSecError as exc:
            return self._unanswered(ticket, form, exc, "the cancellation", "the booking still stands")
        self.expected.set_status(item.id, "cancelled")
        note = ticket.complete("ok")
        self.changed.emit("expected")
        return DeskResult(Outcome.DONE, f"the visit of {form.visitor_name} is cancelled{note}")

    def expected_today(self) -> list[ExpectedVisit]:
        return self.expected.for_day(self.clock().date())

    def arrival_form(self, item: ExpectedVisit) -> VisitForm:
        """The registration form of a booked visitor who has arrived: from now until the booking's end."""
        form = item.visit_form
        now = self.clock()
        start, end_of_day = default_window(now)
        end = parse_form_time(item.visit_end)
        form.start = start
        form.end = format_time(end) if end is not None and end > now + timedelta(minutes=5) else end_of_day
        form.reservation_id = item.id
        form.visitor_count = form.visitor_count or "1"
        return form

    def today(self) -> date:
        return self.clock().date()
