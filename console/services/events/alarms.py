"""The alarm queue: alarm-level events wait here until an operator acknowledges them.

* New alarm events (wire ``stream.events_added.connect(queue.offer)``) enter the queue and are announced by
  ``alarm_raised`` (sound, badge, desktop notification are the UI's business).
* ``acknowledge(keys, note, operator)`` takes one or several alarms out with one shared note; the journal
  keeps them with the acknowledgement (time, operator, note) and each one is written to the audit log
  through the ``audit`` dependency (``record(action, target, params, result)``). The audit record is written
  before the alarm leaves the queue: if the audit log fails, the alarm stays.
* ``snooze(keys, minutes)`` hides alarms for a while; they come back by themselves (``re_alert``).
* An alarm left unacknowledged for ``realert_after`` is raised again (``re_alert``), and again after as long.
* Time comes from ``clock``; :meth:`AlarmQueue.tick` applies it (call it every second or so, or use
  :meth:`AlarmQueue.run`); tests move an injected clock and call ``tick`` themselves.
* The queue survives a restart: :meth:`AlarmQueue.load` reads the unacknowledged alarms from the journal.
* Priorities (issue 13): each alarm has a kind and a priority (:mod:`.priority`, the site's
  ``[alarm_priorities]``); the queue is ordered by priority, then age. Device offline and maintenance warnings
  (low battery) enter it at their low priority.
* Workflow: ``take`` (in progress, the operator's name), ``hold`` (on hold, with a reason), ``release`` (new
  again), ``acknowledge`` (closed). Each change is written to the audit log (who, what, when) and kept in the
  :class:`~.workflow.WorkflowStore`, so a restart keeps every alarm's state. Acknowledging an alarm whose
  priority needs a note without one raises :class:`NoteRequired`; several alarms acknowledged together never
  include one whose priority is closed one by one (:meth:`AlarmQueue.bulk_split`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from console.services.audit import Auditor
from console.services.observable import Signal

from .journal import Journal
from .model import Event, Level, clean_text, format_time
from .priority import AlarmKind, AlarmPriorities, Priority
from .workflow import AlarmState, WorkflowRow, WorkflowStore

__all__ = ["ACK_ACTION", "HOLD_ACTION", "RELEASE_ACTION", "SNOOZE_ACTION", "TAKE_ACTION", "Alarm", "AlarmQueue",
           "AuditEntry", "AuditSink", "NoteRequired"]

log = logging.getLogger(__name__)

ACK_ACTION = "alarm.acknowledge"
SNOOZE_ACTION = "alarm.snooze"
TAKE_ACTION = "alarm.take"
HOLD_ACTION = "alarm.hold"
RELEASE_ACTION = "alarm.release"
MAX_REASON = 300
MAX_NOTE = 1000
MAX_SNOOZE_MINUTES = 24 * 60


AuditSink = Auditor  # the audit log, as the queue uses it (built elsewhere)


class NoteRequired(ValueError):
    """Acknowledging these alarms needs a note (their priority asks for one): nothing was acknowledged."""

    def __init__(self, alarms: list[Alarm]) -> None:
        self.alarms = alarms
        kinds = ", ".join(dict.fromkeys(f"{a.priority.words.lower()} ({a.kind.words})" for a in alarms))
        super().__init__(f"a note is required to acknowledge {kinds} alarms")


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One row written to the audit log (also returned to the caller)."""

    action: str
    target: str
    params: dict[str, Any]
    result: str


@dataclass(frozen=True, slots=True)
class Alarm:
    """An alarm in the queue: the event, when it was last brought to attention, and how often."""

    event: Event
    raised_at: datetime
    last_alert: datetime
    alerts: int = 1
    snoozed_until: datetime | None = None
    priority: Priority = Priority.HIGH
    kind: AlarmKind = AlarmKind.OTHER
    state: AlarmState = AlarmState.NEW
    by: str = ""  # who took it, put it on hold, or acknowledged it
    since: datetime | None = None  # when its state last changed
    reason: str = ""  # why it is on hold

    @property
    def key(self) -> str:
        return self.event.key

    @property
    def snoozed(self) -> bool:
        return self.snoozed_until is not None

    def order(self) -> tuple[int, datetime, str]:
        """The queue's order: priority first (most urgent), then age (oldest first)."""
        return (int(self.priority), self.event.time, self.key)

    @property
    def state_words(self) -> str:
        """``New``, ``In progress: Anna``, ``On hold: waiting for the patrol``."""
        if self.state is AlarmState.IN_PROGRESS:
            return f"In progress: {self.by}" if self.by else "In progress"
        if self.state is AlarmState.ON_HOLD:
            return f"On hold: {self.reason}" if self.reason else "On hold"
        if self.state is AlarmState.CLOSED:
            return f"Acknowledged by {self.by}" if self.by else "Acknowledged"
        return "New"


def _slim(event: Event) -> Event:
    """The queue's copy of an alarm's event: without the server's record (``raw``) and the capture photo.

    Nothing the queue shows reads them (the events panel reads an event whole from the journal, by key), and
    an unacknowledged alarm stays for the whole shift: ~0.4 KB each instead of 2-3 KB (tens of KB with a photo).
    """
    if not event.raw and not event.photo_base64:
        return event
    return replace(event, raw={}, photo_base64="")


def _describe(alarm: Alarm) -> dict[str, Any]:
    event = alarm.event
    return {
        "event": event.name,
        "time": format_time(event.time),
        "source": event.source.value,
        "point": event.point,
        "device": event.device,
        "pin": event.pin,
        "priority": alarm.priority.words,
        "kind": alarm.kind.value,
    }


class AlarmQueue:
    """Alarms awaiting acknowledgement, most urgent first.

    Signals: ``alarm_raised(list[Alarm])`` for alarms entering the queue, ``re_alert(list[Alarm])`` for
    alarms back from a snooze or left new (nobody took them) for ``realert_after``, ``queue_changed(list[Alarm])``
    with the visible (not snoozed) alarms, by priority then age, after every change, and ``closed(list[Alarm])``
    with the alarms just acknowledged (state closed, ``by`` and ``since`` say who and when), and
    ``events_raised(list[Event])`` with the events of :meth:`raise_local` new to the journal (the events panel's).
    """

    def __init__(
        self,
        journal: Journal,
        audit: AuditSink,
        *,
        clock: Callable[[], datetime] = datetime.now,
        realert_after: timedelta | None = timedelta(minutes=5),
        operator: str = "",
        priorities: AlarmPriorities | None = None,
        workflow: WorkflowStore | None = None,
    ) -> None:
        self._journal = journal
        self._audit = audit
        self._clock = clock
        self.realert_after = realert_after
        self.operator = operator
        self.priorities = priorities or AlarmPriorities()
        self.workflow = workflow if workflow is not None else WorkflowStore(None)
        self._alarms: dict[str, Alarm] = {}
        self.loaded = False  # load() has brought back the last run's alarms
        self.alarm_raised: Signal[list[Alarm]] = Signal()
        self.re_alert: Signal[list[Alarm]] = Signal()
        self.queue_changed: Signal[list[Alarm]] = Signal()
        self.closed: Signal[list[Alarm]] = Signal()
        self.events_raised: Signal[list[Event]] = Signal()  # raise_local's events, new to the journal

    def __repr__(self) -> str:
        return f"<AlarmQueue {len(self)} visible, {len(self._alarms)} in all>"

    # -- views -----------------------------------------------------------------------------------

    @property
    def alarms(self) -> list[Alarm]:
        """The alarms demanding attention now (not snoozed), most urgent first, then oldest first."""
        return sorted((a for a in self._alarms.values() if not a.snoozed), key=Alarm.order)

    @property
    def snoozed(self) -> list[Alarm]:
        return sorted((a for a in self._alarms.values() if a.snoozed), key=Alarm.order)

    def __len__(self) -> int:
        """How many alarms demand attention (the badge's number)."""
        return sum(1 for a in self._alarms.values() if not a.snoozed)

    def __contains__(self, key: object) -> bool:
        return key in self._alarms

    def get(self, key: str) -> Alarm | None:
        return self._alarms.get(key)

    def next_alarm(self) -> Alarm | None:
        """The alarm a guard takes next: the oldest of the most urgent that nobody has taken (else the first)."""
        visible = self.alarms
        return next((a for a in visible if a.state is AlarmState.NEW), visible[0] if visible else None)

    def needs_note(self, alarm: Alarm) -> bool:
        return self.priorities.needs_note(alarm.priority)

    def bulk_split(self, keys: Iterable[str]) -> tuple[list[str], list[str]]:
        """(keys acknowledged together, keys closed one by one): several alarms at once never include one whose
        priority is closed one by one; a single alarm is always acknowledgeable on its own."""
        wanted = [k for k in dict.fromkeys(keys) if k in self._alarms]
        if len(wanted) <= 1:
            return wanted, []
        single = [k for k in wanted if self.priorities.single(self._alarms[k].priority)]
        return [k for k in wanted if k not in single], single

    def _changed(self) -> None:
        self.queue_changed.emit(self.alarms)

    def _make(self, event: Event, now: datetime, snoozed_until: datetime | None = None) -> Alarm:
        return Alarm(_slim(event), raised_at=now, last_alert=now, snoozed_until=snoozed_until,
                     priority=self.priorities.priority(event), kind=self.priorities.kind(event))

    # -- intake ----------------------------------------------------------------------------------

    def load(self) -> list[Alarm]:
        """Bring back the alarms left unacknowledged in the journal (at start), each in the state it was left
        in (taken, on hold). Returns those added."""
        now = self._clock()
        self.loaded = True
        try:
            states = self.workflow.states()
        except Exception:
            log.exception("the alarms' workflow states could not be read; every alarm is shown as new")
            states = {}
        added: list[Alarm] = []
        for event, snoozed_until in self._journal.open_alarms():
            if event.key in self._alarms:
                continue
            if snoozed_until is not None and snoozed_until <= now:
                snoozed_until = None
            alarm = self._make(event, now, snoozed_until)
            row = states.get(event.key)
            if row is not None and row.state in (AlarmState.IN_PROGRESS, AlarmState.ON_HOLD):
                alarm = replace(alarm, state=row.state, by=row.by, since=row.at, reason=row.reason)
            self._alarms[event.key] = alarm
            added.append(alarm)
        if added:
            visible = sorted((a for a in added if not a.snoozed), key=Alarm.order)
            if visible:
                self.alarm_raised.emit(visible)
            self._changed()
        return added

    def offer(self, events: Iterable[Event]) -> list[Alarm]:
        """Queue the unacknowledged events among ``events`` that are alarms (or queued warnings: device offline,
        maintenance); returns the alarms added, most urgent first."""
        now = self._clock()
        added: list[Alarm] = []
        warnings: list[str] = []
        for event in events:
            if event.ack is not None or event.key in self._alarms or not self.priorities.queued(event):
                continue
            alarm = self._make(event, now)
            self._alarms[event.key] = alarm
            added.append(alarm)
            if event.level != Level.ALARM:
                warnings.append(event.key)
        if warnings:  # kept open in the journal like an alarm: acknowledged, snoozed and brought back alike
            try:
                self._journal.open_as_alarms(warnings)
            except Exception:
                log.exception("queued warnings could not be marked open in the journal")
        if added:
            added.sort(key=Alarm.order)
            self.alarm_raised.emit(added)
            self._changed()
        return added

    def raise_local(self, events: Iterable[Event]) -> list[Alarm]:
        """Queue alarms the console itself raises (parking: a deny-listed car, a full lot; the board: a low
        battery): they are stored in the journal first, so that they are acknowledged, snoozed and brought back
        like the server's."""
        batch = [e for e in events if self.priorities.queued(e)]
        if not batch:
            return []
        new = self._journal.add(batch)
        if new:  # the events panel shows them like the stream's (it is not told of them otherwise)
            self.events_raised.emit(new)
        return self.offer(batch)

    # -- operator actions ------------------------------------------------------------------------

    def _who(self, operator: str | None) -> str:
        return clean_text(self.operator if operator is None else operator, 128)

    def _set_state(self, key: str, state: AlarmState, action: str, operator: str | None, reason: str = "",
                   ) -> Alarm | None:
        alarm = self._alarms.get(key)
        if alarm is None:
            return None
        who, now = self._who(operator), self._clock()
        params = {**_describe(alarm), "operator": who, "state": state.value, "was": alarm.state.value}
        if reason:
            params["reason"] = reason
        self._audit.record(action, f"event {key}", params, "ok")  # first: if the audit log fails, nothing changes
        updated = replace(alarm, state=state, by=who if state is not AlarmState.NEW else "", since=now,
                          reason=reason)
        self._alarms[key] = updated
        try:
            if state is AlarmState.NEW:
                self.workflow.forget([key])
            else:
                self.workflow.put(key, WorkflowRow(state, updated.by, now, reason))
        except Exception:
            log.exception("the alarm's workflow state could not be kept on disk")
        self._changed()
        return updated

    def take(self, key: str, operator: str | None = None) -> Alarm | None:
        """The operator takes the alarm: in progress, under their name (audited, kept across a restart)."""
        return self._set_state(key, AlarmState.IN_PROGRESS, TAKE_ACTION, operator)

    def hold(self, key: str, reason: str, operator: str | None = None) -> Alarm | None:
        """Put the alarm on hold (waiting for someone on site) with a reason, which is required."""
        text = clean_text(reason, MAX_REASON)
        if not text:
            raise ValueError("say why the alarm is on hold (who or what it is waiting for)")
        return self._set_state(key, AlarmState.ON_HOLD, HOLD_ACTION, operator, text)

    def release(self, key: str, operator: str | None = None) -> Alarm | None:
        """Give the alarm back: new again, for anyone to take."""
        return self._set_state(key, AlarmState.NEW, RELEASE_ACTION, operator)

    def acknowledge(self, keys: Iterable[str], note: str = "", operator: str | None = None) -> list[AuditEntry]:
        """Acknowledge the alarms ``keys`` with one shared ``note``; returns the audit entries written.

        Keys not in the queue are ignored; with several keys, alarms closed one by one are left in the queue
        (:meth:`bulk_split`). :class:`NoteRequired` (nothing acknowledged) when an alarm's priority needs a note
        and ``note`` is empty. Each alarm's audit record is written first; if the audit log raises, the alarms
        acknowledged so far stay acknowledged and the exception propagates.
        """
        who = self._who(operator)
        text = clean_text(note, MAX_NOTE, multiline=True)
        wanted, _single = self.bulk_split(keys)
        if not text:
            lacking = [self._alarms[k] for k in wanted if self.needs_note(self._alarms[k])]
            if lacking:
                raise NoteRequired(lacking)
        now = self._clock()
        entries: list[AuditEntry] = []
        closed: list[Alarm] = []
        try:
            for key in wanted:
                alarm = self._alarms.get(key)
                if alarm is None:
                    continue
                params = {**_describe(alarm), "note": text, "operator": who, "was": alarm.state.value}
                entry = AuditEntry(ACK_ACTION, f"event {key}", params, "ok")
                self._audit.record(entry.action, entry.target, dict(entry.params), entry.result)
                self._journal.acknowledge([key], at=now, operator=who, note=text)
                del self._alarms[key]
                closed.append(replace(alarm, state=AlarmState.CLOSED, by=who, since=now))
                entries.append(entry)
        finally:
            if closed:
                try:
                    self.workflow.forget([a.key for a in closed])
                except Exception:
                    log.exception("the alarms' workflow states could not be removed")
                self._changed()
                self.closed.emit(closed)
        return entries

    def snooze(self, keys: Iterable[str], minutes: float, operator: str | None = None) -> list[Alarm]:
        """Hide the alarms ``keys`` for ``minutes`` (1 minute to a day); they come back by themselves."""
        if not 0 < minutes <= MAX_SNOOZE_MINUTES:
            raise ValueError(f"snooze for 1 to {MAX_SNOOZE_MINUTES} minutes")
        who = self._who(operator)
        until = self._clock() + timedelta(minutes=minutes)
        snoozed: list[Alarm] = []
        for key in dict.fromkeys(keys):
            alarm = self._alarms.get(key)
            if alarm is None:
                continue
            params = {**_describe(alarm), "minutes": minutes, "until": format_time(until), "operator": who}
            self._audit.record(SNOOZE_ACTION, f"event {key}", params, "ok")
            self._alarms[key] = replace(alarm, snoozed_until=until)
            snoozed.append(self._alarms[key])
        if snoozed:
            self._journal.snooze([a.key for a in snoozed], until)
            self._changed()
        return snoozed

    # -- time ------------------------------------------------------------------------------------

    def tick(self) -> list[Alarm]:
        """Bring back expired snoozes and re-raise new alarms left too long (one taken or on hold has someone
        on it: it does not ring again); returns the re-alerted alarms."""
        now = self._clock()
        again: list[Alarm] = []
        woke: list[str] = []
        for key, alarm in list(self._alarms.items()):
            if alarm.snoozed_until is not None:
                if alarm.snoozed_until > now:
                    continue
                woke.append(key)
            elif (self.realert_after is None or alarm.state is not AlarmState.NEW
                  or now - alarm.last_alert < self.realert_after):
                continue
            updated = replace(alarm, snoozed_until=None, last_alert=now, alerts=alarm.alerts + 1)
            self._alarms[key] = updated
            again.append(updated)
        if woke:
            self._journal.snooze(woke, None)
        if again:
            again.sort(key=Alarm.order)
            self.re_alert.emit(again)
            if woke:
                self._changed()
        return again

    def next_deadline(self) -> datetime | None:
        """When :meth:`tick` next has something to do (None: nothing pending)."""
        times: list[datetime] = []
        for alarm in self._alarms.values():
            if alarm.snoozed_until is not None:
                times.append(alarm.snoozed_until)
            elif self.realert_after is not None and alarm.state is AlarmState.NEW:
                times.append(alarm.last_alert + self.realert_after)
        return min(times, default=None)

    async def run(self, period: float = 1.0) -> None:
        """Tick every ``period`` seconds until cancelled."""
        while True:
            try:
                self.tick()
            except Exception:
                log.exception("the alarm queue's tick failed")
            await asyncio.sleep(period)

    def counts(self) -> Mapping[str, int]:
        """For a status bar: visible, snoozed and total alarms."""
        visible = len(self)
        return {"visible": visible, "snoozed": len(self._alarms) - visible, "total": len(self._alarms)}

    def state_counts(self) -> Mapping[AlarmState, int]:
        """The visible alarms by workflow state (new, in progress, on hold)."""
        visible = self.alarms
        return {state: sum(1 for a in visible if a.state is state)
                for state in (AlarmState.NEW, AlarmState.IN_PROGRESS, AlarmState.ON_HOLD)}
