"""The alarm queue: alarms wait for an acknowledgement (audited), snoozes end by themselves, neglect re-alerts."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from console.services.events import ACK_ACTION, Alarm, AlarmPriorities, AlarmQueue, Journal, Level

from .conftest import AuditLog
from .fakes import FakeClock, make_event


class Seen:
    def __init__(self, queue: AlarmQueue) -> None:
        self.raised: list[list[str]] = []
        self.realerts: list[list[str]] = []
        self.changes: list[list[str]] = []
        queue.alarm_raised.connect(lambda alarms: self.raised.append([a.key for a in alarms]))
        queue.re_alert.connect(lambda alarms: self.realerts.append([a.key for a in alarms]))
        queue.queue_changed.connect(lambda alarms: self.changes.append([a.key for a in alarms]))


def alarms_in(journal: Journal, clock: FakeClock, *indices: int) -> list[object]:
    """Store alarm events (make_event makes every 20th an alarm) and return what the stream would pass on."""
    events = [make_event(i * 20, time=clock() - timedelta(seconds=100 - i)) for i in indices]
    assert all(e.level is Level.ALARM for e in events)
    return journal.add(events)  # type: ignore[return-value]


# the queue's mechanics, with a site that asks no note and closes nothing one by one (the test events are forced
# doors: urgent by default; the priority rules have their own tests in test_alarm_priorities.py)
PLAIN = AlarmPriorities(note_required=frozenset(), one_by_one=frozenset())


def make_queue(journal: Journal, audit: AuditLog, clock: FakeClock, **kw: object) -> AlarmQueue:
    kw.setdefault("priorities", PLAIN)
    return AlarmQueue(journal, audit, clock=clock, operator="guard1", **kw)  # type: ignore[arg-type]


def test_only_alarms_enter_the_queue(journal: Journal, audit: AuditLog, clock: FakeClock) -> None:
    queue = make_queue(journal, audit, clock)
    seen = Seen(queue)
    events = journal.add([make_event(i, time=clock()) for i in range(1, 45)])
    added = queue.offer(events)
    assert [a.key for a in added] == [make_event(20).key, make_event(40).key]
    assert len(queue) == 2
    assert queue.counts() == {"visible": 2, "snoozed": 0, "total": 2}
    assert seen.raised == [[make_event(20).key, make_event(40).key]]
    queue.offer(events)  # offered again: nothing new, nothing announced
    assert len(seen.raised) == 1
    assert len(queue) == 2


def test_acknowledging_clears_the_queue_and_writes_the_audit(
    journal: Journal, audit: AuditLog, clock: FakeClock
) -> None:
    queue = make_queue(journal, audit, clock)
    seen = Seen(queue)
    events = alarms_in(journal, clock, 1, 2, 3)
    queue.offer(events)  # type: ignore[arg-type]
    keys = [a.key for a in queue.alarms]
    entries = queue.acknowledge(keys[:2], note="False alarm: cleaner\npropped the door")
    assert [e.target for e in entries] == [f"event {k}" for k in keys[:2]]
    assert [a.key for a in queue.alarms] == keys[2:]
    assert seen.changes[-1] == keys[2:]
    # one audit row per alarm, with the shared note, the operator and what the alarm was
    assert [(a, t, r) for a, t, _, r in audit.rows] == [(ACK_ACTION, f"event {k}", "ok") for k in keys[:2]]
    params = audit.rows[0][2]
    assert params["note"] == "False alarm: cleaner\npropped the door"
    assert params["operator"] == "guard1"
    assert params["event"] == "Door forced open"
    assert params["point"]
    assert params["time"]
    # the journal keeps them, acknowledged
    stored = journal.get(keys[0])
    assert stored is not None
    assert stored.ack is not None
    assert (stored.ack.operator, stored.ack.note, stored.ack.at) == ("guard1", params["note"], clock())
    # acknowledging again, or something unknown, does nothing and writes nothing
    assert queue.acknowledge([keys[0], "nope"]) == []
    assert len(audit.rows) == 2


def test_a_failing_audit_log_keeps_the_alarm(journal: Journal, audit: AuditLog, clock: FakeClock) -> None:
    queue = make_queue(journal, audit, clock)
    queue.offer(alarms_in(journal, clock, 1))  # type: ignore[arg-type]
    audit.fail = True
    with pytest.raises(OSError, match="audit"):
        queue.acknowledge([queue.alarms[0].key])
    assert len(queue) == 1
    assert len(journal.open_alarms()) == 1


def test_snoozed_alarms_come_back_by_themselves(journal: Journal, audit: AuditLog, clock: FakeClock) -> None:
    queue = make_queue(journal, audit, clock, realert_after=None)
    seen = Seen(queue)
    queue.offer(alarms_in(journal, clock, 1, 2))  # type: ignore[arg-type]
    first, second = (a.key for a in queue.alarms)
    queue.snooze([first], minutes=5)
    assert [a.key for a in queue.alarms] == [second]
    assert len(queue) == 1
    assert [a.key for a in queue.snoozed] == [first]
    assert queue.next_deadline() == clock() + timedelta(minutes=5)
    clock.advance(299)
    assert queue.tick() == []
    clock.advance(1)
    back = queue.tick()
    assert [a.key for a in back] == [first]
    assert back[0].alerts == 2
    assert seen.realerts == [[first]]
    assert sorted(a.key for a in queue.alarms) == sorted([first, second])
    with pytest.raises(ValueError, match="minutes"):
        queue.snooze([first], minutes=0)


def test_an_alarm_left_unacknowledged_is_raised_again(journal: Journal, audit: AuditLog, clock: FakeClock) -> None:
    queue = make_queue(journal, audit, clock, realert_after=timedelta(minutes=3))
    seen = Seen(queue)
    queue.offer(alarms_in(journal, clock, 1))  # type: ignore[arg-type]
    (key,) = (a.key for a in queue.alarms)
    clock.advance(179)
    queue.tick()
    assert seen.realerts == []
    clock.advance(1)
    queue.tick()
    assert seen.realerts == [[key]]
    clock.advance(60)
    queue.tick()
    assert seen.realerts == [[key]]  # not again until another three minutes
    clock.advance(120)
    (again,) = queue.tick()
    assert again.alerts == 3
    assert seen.realerts == [[key], [key]]
    queue.acknowledge([key])
    clock.advance(3600)
    assert queue.tick() == []
    assert queue.next_deadline() is None


def test_the_queue_comes_back_after_a_restart(data_dir: Path, audit: AuditLog, clock: FakeClock) -> None:
    with Journal(data_dir, clock=clock) as journal:
        queue = make_queue(journal, audit, clock)
        queue.offer(alarms_in(journal, clock, 1, 2, 3))  # type: ignore[arg-type]
        one, two, three = (a.key for a in queue.alarms)
        queue.acknowledge([one], note="ok")
        queue.snooze([two], minutes=10)
    with Journal(data_dir, clock=clock) as journal:
        queue = make_queue(journal, audit, clock, realert_after=None)
        seen = Seen(queue)
        loaded = queue.load()
        assert {a.key for a in loaded} == {two, three}
        assert [a.key for a in queue.alarms] == [three]
        assert [a.key for a in queue.snoozed] == [two]
        assert seen.raised == [[three]]
        clock.advance(600)
        assert [a.key for a in queue.tick()] == [two]
        assert queue.load() == []  # loading twice adds nothing


def test_an_expired_snooze_is_not_restored(data_dir: Path, audit: AuditLog, clock: FakeClock) -> None:
    with Journal(data_dir, clock=clock) as journal:
        queue = make_queue(journal, audit, clock)
        queue.offer(alarms_in(journal, clock, 1))  # type: ignore[arg-type]
        queue.snooze([queue.alarms[0].key], minutes=1)
    clock.advance(120)
    with Journal(data_dir, clock=clock) as journal:
        queue = make_queue(journal, audit, clock)
        queue.load()
        assert len(queue) == 1
        assert queue.snoozed == []


def test_acknowledged_events_never_re_enter(journal: Journal, audit: AuditLog, clock: FakeClock) -> None:
    queue = make_queue(journal, audit, clock)
    queue.offer(alarms_in(journal, clock, 1))  # type: ignore[arg-type]
    (alarm,) = queue.alarms
    queue.acknowledge([alarm.key])
    stored = journal.get(alarm.key)
    assert stored is not None
    assert queue.offer([stored]) == []
    assert alarm.key not in queue
    assert isinstance(alarm, Alarm)
    assert not alarm.snoozed


def test_operator_notes_are_sanitised(journal: Journal, audit: AuditLog, clock: FakeClock) -> None:
    queue = make_queue(journal, audit, clock)
    queue.offer(alarms_in(journal, clock, 1))  # type: ignore[arg-type]
    (entry,) = queue.acknowledge([queue.alarms[0].key], note="x" * 5000 + "\x00", operator="\u202eevil")
    assert len(entry.params["note"]) == 1000
    assert entry.params["operator"] == "evil"


def test_the_console_audit_log_takes_the_acknowledgements(journal: Journal, clock: FakeClock, tmp_path: Path) -> None:
    from console.services.audit import AuditLog as ConsoleAuditLog

    audit_log = ConsoleAuditLog.in_dir(tmp_path / "audit")
    try:
        queue = AlarmQueue(journal, audit_log, clock=clock, operator="guard7", priorities=PLAIN)
        queue.offer(alarms_in(journal, clock, 1, 2))  # type: ignore[arg-type]
        keys = [a.key for a in queue.alarms]
        queue.acknowledge(keys, note="both checked")
        rows = audit_log.rows(action=ACK_ACTION)
        assert sorted(r.target for r in rows) == sorted(f"event {k}" for k in keys)
        assert {r.operator for r in rows} == {"guard7"}
        assert {r.params["note"] for r in rows} == {"both checked"}
        assert {r.result for r in rows} == {"ok"}
    finally:
        audit_log.close()


def test_an_alarm_the_console_raises_is_announced_once_for_the_events_panel(
    journal: Journal, audit: AuditLog, clock: FakeClock
) -> None:
    # a low battery the board reads is not a server event: the events panel hears of it from the queue
    queue = make_queue(journal, audit, clock)
    announced: list[list[str]] = []
    queue.events_raised.connect(lambda events: announced.append([e.key for e in events]))
    battery = make_event(40, time=clock())
    assert [a.key for a in queue.raise_local([battery])] == [battery.key]
    assert journal.get(battery.key) is not None
    assert announced == [[battery.key]]
    queue.raise_local([battery])  # raised again (the next poll reads the same state): already in the journal
    assert announced == [[battery.key]]
    assert len(queue) == 1
