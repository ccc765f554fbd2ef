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

__all__ = ["ACK_ACTION", "SNOOZE_ACTION", "Alarm", "AlarmQueue", "AuditEntry", "AuditSink"]

log = logging.getLogger(__name__)

ACK_ACTION = "alarm.acknowledge"
SNOOZE_ACTION = "alarm.snooze"
MAX_NOTE = 1000
MAX_SNOOZE_MINUTES = 24 * 60


AuditSink = Auditor  # the audit log, as the queue uses it (built elsewhere)


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

    @property
    def key(self) -> str:
        return self.event.key

    @property
    def snoozed(self) -> bool:
        return self.snoozed_until is not None


def _describe(event: Event) -> dict[str, Any]:
    return {
        "event": event.name,
        "time": format_time(event.time),
        "source": event.source.value,
        "point": event.point,
        "device": event.device,
        "pin": event.pin,
    }


class AlarmQueue:
    """Alarm-level events awaiting acknowledgement.

    Signals: ``alarm_raised(list[Alarm])`` for alarms entering the queue, ``re_alert(list[Alarm])`` for
    alarms back from a snooze or left unacknowledged for ``realert_after``, ``queue_changed(list[Alarm])``
    with the visible (not snoozed) alarms, oldest first, after every change.
    """

    def __init__(
        self,
        journal: Journal,
        audit: AuditSink,
        *,
        clock: Callable[[], datetime] = datetime.now,
        realert_after: timedelta | None = timedelta(minutes=5),
        operator: str = "",
    ) -> None:
        self._journal = journal
        self._audit = audit
        self._clock = clock
        self.realert_after = realert_after
        self.operator = operator
        self._alarms: dict[str, Alarm] = {}
        self.alarm_raised: Signal[list[Alarm]] = Signal()
        self.re_alert: Signal[list[Alarm]] = Signal()
        self.queue_changed: Signal[list[Alarm]] = Signal()

    def __repr__(self) -> str:
        return f"<AlarmQueue {len(self)} visible, {len(self._alarms)} in all>"

    # -- views -----------------------------------------------------------------------------------

    @property
    def alarms(self) -> list[Alarm]:
        """The alarms demanding attention now (not snoozed), oldest event first."""
        return sorted((a for a in self._alarms.values() if not a.snoozed), key=lambda a: (a.event.time, a.key))

    @property
    def snoozed(self) -> list[Alarm]:
        return sorted((a for a in self._alarms.values() if a.snoozed), key=lambda a: (a.event.time, a.key))

    def __len__(self) -> int:
        """How many alarms demand attention (the badge's number)."""
        return sum(1 for a in self._alarms.values() if not a.snoozed)

    def __contains__(self, key: object) -> bool:
        return key in self._alarms

    def get(self, key: str) -> Alarm | None:
        return self._alarms.get(key)

    def _changed(self) -> None:
        self.queue_changed.emit(self.alarms)

    # -- intake ----------------------------------------------------------------------------------

    def load(self) -> list[Alarm]:
        """Bring back the alarms left unacknowledged in the journal (at start). Returns those added."""
        now = self._clock()
        added: list[Alarm] = []
        for event, snoozed_until in self._journal.open_alarms():
            if event.key in self._alarms:
                continue
            if snoozed_until is not None and snoozed_until <= now:
                snoozed_until = None
            alarm = Alarm(event, raised_at=now, last_alert=now, snoozed_until=snoozed_until)
            self._alarms[event.key] = alarm
            added.append(alarm)
        if added:
            visible = [a for a in added if not a.snoozed]
            if visible:
                self.alarm_raised.emit(visible)
            self._changed()
        return added

    def offer(self, events: Iterable[Event]) -> list[Alarm]:
        """Queue the alarm-level, unacknowledged events among ``events``; returns the alarms added."""
        now = self._clock()
        added: list[Alarm] = []
        for event in events:
            if event.level != Level.ALARM or event.ack is not None or event.key in self._alarms:
                continue
            alarm = Alarm(event, raised_at=now, last_alert=now)
            self._alarms[event.key] = alarm
            added.append(alarm)
        if added:
            self.alarm_raised.emit(added)
            self._changed()
        return added

    def raise_local(self, events: Iterable[Event]) -> list[Alarm]:
        """Queue alarms the console itself raises (parking: a deny-listed car, a full lot): they are stored in
        the journal first, so that they are acknowledged, snoozed and brought back like the server's."""
        batch = [e for e in events if e.level == Level.ALARM]
        if not batch:
            return []
        self._journal.add(batch)
        return self.offer(batch)

    # -- operator actions ------------------------------------------------------------------------

    def acknowledge(self, keys: Iterable[str], note: str = "", operator: str | None = None) -> list[AuditEntry]:
        """Acknowledge the alarms ``keys`` with one shared ``note``; returns the audit entries written.

        Keys not in the queue are ignored. Each alarm's audit record is written first; if the audit log
        raises, the alarms acknowledged so far stay acknowledged and the exception propagates.
        """
        who = clean_text(self.operator if operator is None else operator, 128)
        text = clean_text(note, MAX_NOTE, multiline=True)
        now = self._clock()
        entries: list[AuditEntry] = []
        try:
            for key in dict.fromkeys(keys):
                alarm = self._alarms.get(key)
                if alarm is None:
                    continue
                params = {**_describe(alarm.event), "note": text, "operator": who}
                entry = AuditEntry(ACK_ACTION, f"event {key}", params, "ok")
                self._audit.record(entry.action, entry.target, dict(entry.params), entry.result)
                self._journal.acknowledge([key], at=now, operator=who, note=text)
                del self._alarms[key]
                entries.append(entry)
        finally:
            if entries:
                self._changed()
        return entries

    def snooze(self, keys: Iterable[str], minutes: float, operator: str | None = None) -> list[Alarm]:
        """Hide the alarms ``keys`` for ``minutes`` (1 minute to a day); they come back by themselves."""
        if not 0 < minutes <= MAX_SNOOZE_MINUTES:
            raise ValueError(f"snooze for 1 to {MAX_SNOOZE_MINUTES} minutes")
        who = clean_text(self.operator if operator is None else operator, 128)
        until = self._clock() + timedelta(minutes=minutes)
        snoozed: list[Alarm] = []
        for key in dict.fromkeys(keys):
            alarm = self._alarms.get(key)
            if alarm is None:
                continue
            params = {**_describe(alarm.event), "minutes": minutes, "until": format_time(until), "operator": who}
            self._audit.record(SNOOZE_ACTION, f"event {key}", params, "ok")
            self._alarms[key] = replace(alarm, snoozed_until=until)
            snoozed.append(self._alarms[key])
        if snoozed:
            self._journal.snooze([a.key for a in snoozed], until)
            self._changed()
        return snoozed

    # -- time ------------------------------------------------------------------------------------

    def tick(self) -> list[Alarm]:
        """Bring back expired snoozes and re-raise alarms left too long; returns the re-alerted alarms."""
        now = self._clock()
        again: list[Alarm] = []
        woke: list[str] = []
        for key, alarm in list(self._alarms.items()):
            if alarm.snoozed_until is not None:
                if alarm.snoozed_until > now:
                    continue
                woke.append(key)
            elif self.realert_after is None or now - alarm.last_alert < self.realert_after:
                continue
            updated = replace(alarm, snoozed_until=None, last_alert=now, alerts=alarm.alerts + 1)
            self._alarms[key] = updated
            again.append(updated)
        if woke:
            self._journal.snooze(woke, None)
        if again:
            again.sort(key=lambda a: (a.event.time, a.key))
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
            elif self.realert_after is not None:
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
