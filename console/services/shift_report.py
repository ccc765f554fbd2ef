"""The shift handover report: what the next guard must know, gathered from one connection's services.

``gather(services, since=..., until=...)`` reads, without asking the server anything:

- the alarms still open (new, in progress, on hold, snoozed), with their priority, state and the notes and
  reasons the audit log holds about them;
- the doors and gates held open too long, offline, in alarm, or whose state is stale;
- the visitors registered at this desk still on site;
- the commands issued during the shift (the audit log's completed rows, and those whose outcome was never
  learnt);
- the payments taken at the parking desk (paid, and uncertain apart);
- who started a shift in the period (the audit log's ``shift.start`` rows).

:class:`ShiftReport` is plain data (every string cleaned: names come from the server); the UI renders it
(:mod:`console.ui.shift_report`). No Qt, no httpx.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from .audit import SENDING, AuditError, AuditRow
from .events.words import guard_words
from .text import clean_text

if TYPE_CHECKING:
    from .doors import Item
    from .events.alarms import Alarm
    from .parking.store import PaymentRecord
    from .session_services import SessionServices
    from .visitors.store import OnSiteVisit

__all__ = ["SHIFT_START", "AlarmLine", "CommandLine", "DoorLine", "PaymentLine", "ShiftReport", "VisitorLine",
           "alarm_notes", "build", "gather"]


@dataclass(frozen=True, slots=True)
class AlarmLine:
    time: str
    what: str
    where: str
    person: str
    state: str
    notes: tuple[str, ...] = ()  # from the audit log: "19:42 ann: waiting for the patrol"
    priority: str = ""


@dataclass(frozen=True, slots=True)
class DoorLine:
    name: str
    kind: str
    area: str
    problem: str


@dataclass(frozen=True, slots=True)
class VisitorLine:
    name: str
    company: str
    host: str
    since: str
    registered_by: str


@dataclass(frozen=True, slots=True)
class CommandLine:
    time: str
    operator: str
    action: str
    target: str
    result: str


@dataclass(frozen=True, slots=True)
class PaymentLine:
    time: str
    operator: str
    plate: str
    amount: Decimal
    state: str  # "paid" or "uncertain"
    receipt: str


@dataclass(frozen=True)
class ShiftReport:
    since: datetime
    until: datetime
    operator: str
    profile: str
    alarms: tuple[AlarmLine, ...] = ()
    doors: tuple[DoorLine, ...] = ()
    visitors: tuple[VisitorLine, ...] = ()
    commands: tuple[CommandLine, ...] = ()
    payments: tuple[PaymentLine, ...] = ()
    missing: tuple[str, ...] = field(default=())  # parts that could not be read, in words
    on_duty: tuple[str, ...] = ()  # "19:02 ann" for each shift started in the period (Console > Start shift)

    @property
    def paid_total(self) -> Decimal:
        return sum((p.amount for p in self.payments if p.state == "paid"), Decimal("0.00"))

    @property
    def uncertain_total(self) -> Decimal:
        return sum((p.amount for p in self.payments if p.state != "paid"), Decimal("0.00"))

    def summary(self) -> str:
        """One line: the counts of each part."""
        return (f"{len(self.alarms)} open alarm{_s(self.alarms)}, {len(self.doors)} door{_s(self.doors)} or gate"
                f"{_s(self.doors)} needing attention, {len(self.visitors)} visitor{_s(self.visitors)} on site, "
                f"{len(self.commands)} command{_s(self.commands)}, {len(self.payments)} payment{_s(self.payments)}")


def _s(items: Sequence[object]) -> str:
    return "" if len(items) == 1 else "s"


def _t(value: Any, limit: int = 200) -> str:
    return clean_text(value, limit, ellipsis=True)


# -- the parts ---------------------------------------------------------------------------------------------


SHIFT_START = "shift.start"  # the audit row of Console > Start shift (who is on duty from then on)


def alarm_line(alarm: Alarm, notes: Sequence[str] = ()) -> AlarmLine:
    """An open alarm: its priority, its state in words ("In progress: ann", "On hold: waiting for the patrol"),
    and the notes the audit log holds about it."""
    ev = alarm.event
    words = _t(alarm.state_words, 300)
    if alarm.snoozed_until is not None:
        words += f" (snoozed until {alarm.snoozed_until:%H:%M})"
    where = " · ".join(p for p in (_t(ev.point, 120), _t(ev.device_name, 120), _t(ev.area, 120)) if p)
    person = " ".join(p for p in (_t(ev.person, 120), f"({_t(ev.pin, 40)})" if ev.pin else "") if p)
    return AlarmLine(f"{ev.time:%Y-%m-%d %H:%M:%S}", _t(guard_words(ev.name), 120), where, person, words,
                     tuple(notes), _t(alarm.priority.words, 40))


def alarm_notes(rows: Iterable[AuditRow]) -> dict[str, list[str]]:
    """Per audit target (``event <key>``): the notes and reasons written about it, oldest first."""
    out: dict[str, list[str]] = {}
    for r in rows:
        if not r.action.startswith("alarm.") or r.result == SENDING:
            continue
        text = r.params.get("note") or r.params.get("reason") or ""
        if isinstance(text, str) and text.strip():
            out.setdefault(r.target, []).append(f"{r.at:%H:%M} {_t(r.operator, 80)}: {_t(text, 500)}")
    return out


def door_line(item: Item) -> DoorLine | None:
    problems = []
    if item.offline:
        problems.append("offline")
    if item.open_too_long:
        problems.append("held open")
    if item.alarm:
        problems.append(f"alarm: {_t(item.alarm_words, 80)}" if item.alarm_words else "alarm")
    if item.maintenance:
        problems.append(f"maintenance: {_t(item.alarm_words, 80)}")
    if item.stale and not item.offline:
        seen = f" (last seen {item.updated_at:%H:%M})" if item.updated_at is not None else ""
        problems.append(f"state not known now{seen}")
    if not problems:
        return None
    return DoorLine(_t(item.name, 120), "door" if item.is_door else "gate", _t(item.area, 120), ", ".join(problems))


def visitor_line(visit: OnSiteVisit) -> VisitorLine:
    form = visit.visit_form
    return VisitorLine(_t(form.visitor_name, 120), _t(form.company, 120), _t(form.host_name or form.host_pin, 120),
                       _t(visit.registered_at[:16].replace("T", " "), 20), _t(visit.registered_by, 80))


def command_lines(rows: Iterable[AuditRow], since: datetime, until: datetime) -> list[CommandLine]:
    """The shift's actions: each write once, with its outcome (a write whose outcome never came is said so)."""
    chosen = [r for r in rows if _aware(since, r.at) <= r.at <= _aware(until, r.at) and r.action != SHIFT_START]
    completed = {r.params.get("completes") for r in chosen if r.result != SENDING}
    out = []
    for r in chosen:
        if r.result == SENDING:
            if r.seq in completed:
                continue  # its outcome row follows: that one is listed
            result = "no outcome recorded: check on the server"
        else:
            result = _t(r.result, 300)
        out.append(CommandLine(f"{r.at:%Y-%m-%d %H:%M:%S}", _t(r.operator, 80), _t(r.action, 80),
                               _t(r.target, 200), result))
    return out


def payment_lines(paid: Iterable[PaymentRecord], uncertain: Iterable[PaymentRecord]) -> list[PaymentLine]:
    out = []
    for state, records in (("paid", paid), ("uncertain", uncertain)):
        for p in records:
            out.append(PaymentLine(_t(p.taken_at[:16].replace("T", " "), 20), _t(p.operator, 80), _t(p.plate, 40),
                                   p.money, state, _t(p.receipt, 40)))
    return sorted(out, key=lambda p: p.time)


def _aware(moment: datetime, like: datetime) -> datetime:
    if moment.tzinfo is None and like.tzinfo is not None:
        return moment.astimezone()
    if moment.tzinfo is not None and like.tzinfo is None:
        return moment.astimezone().replace(tzinfo=None)
    return moment


def build(
    *,
    since: datetime,
    until: datetime,
    operator: str = "",
    profile: str = "",
    alarms: Iterable[Alarm] = (),
    items: Iterable[Item] = (),
    on_site: Iterable[OnSiteVisit] = (),
    audit_rows: Iterable[AuditRow] = (),
    paid: Iterable[PaymentRecord] = (),
    uncertain: Iterable[PaymentRecord] = (),
    missing: Iterable[str] = (),
) -> ShiftReport:
    """The report from its parts (what :func:`gather` reads from the services)."""
    doors = [line for line in (door_line(i) for i in items) if line is not None]
    doors.sort(key=lambda d: (d.area.casefold(), d.name.casefold()))
    audit_rows = list(audit_rows)
    notes = alarm_notes(audit_rows)
    on_duty = [f"{r.at:%Y-%m-%d %H:%M} {_t(r.operator, 80)}" for r in audit_rows
               if r.action == SHIFT_START and _aware(since, r.at) <= r.at <= _aware(until, r.at)]
    return ShiftReport(
        since=since,
        until=until,
        operator=_t(operator, 80),
        profile=_t(profile, 80),
        alarms=tuple(alarm_line(a, notes.get(f"event {a.key}", ())) for a in alarms),
        doors=tuple(doors),
        visitors=tuple(visitor_line(v) for v in on_site),
        commands=tuple(command_lines(audit_rows, since, until)),
        payments=tuple(payment_lines(paid, uncertain)),
        missing=tuple(missing),
        on_duty=tuple(on_duty),
    )


def gather(services: SessionServices, *, since: datetime, until: datetime) -> ShiftReport:
    """The report of ``services``' connection for the shift from ``since`` to ``until`` (local, aware or naive)."""
    missing: list[str] = []
    alarms: list[Alarm] = []
    if services.events is not None:
        queue = services.events.alarms
        alarms = sorted([*queue.alarms, *queue.snoozed], key=lambda a: a.order())  # as the queue: priority, age
    else:
        missing.append("alarms (the event services are not running)")
    on_site: list[OnSiteVisit] = []
    if services.visitors is not None:
        on_site = services.visitors.on_site()
    else:
        missing.append("visitors (the visitor desk is not running)")
    try:
        rows = [r for r in services.audit.rows() if r.profile in ("", services.session.profile.name)]
    except AuditError as exc:
        rows = []
        missing.append(f"commands (the audit log could not be read: {_t(exc, 200)})")
    paid: Sequence[PaymentRecord] = ()
    uncertain: Sequence[PaymentRecord] = ()
    if services.parking is not None:
        cash = services.parking.cash_up(since, until)
        paid, uncertain = cash.paid, cash.uncertain
    return build(since=since, until=until, operator=services.session.operator,
                 profile=services.session.profile.name, alarms=alarms, items=services.board.items,
                 on_site=on_site, audit_rows=rows, paid=paid, uncertain=uncertain, missing=missing)
