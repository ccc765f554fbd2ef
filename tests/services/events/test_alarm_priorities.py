"""Alarm priorities and the guard's workflow (issue 13), without widgets: the queue's order, the site's own
priorities, notes, "acknowledge all", take / hold / release kept across a restart and audited, and the board and
the queue agreeing (acknowledged doors, low battery) against the simulator."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest

from console.api import Client, RetryPolicy
from console.services.events import (
    ACK_ACTION,
    AlarmKind,
    AlarmPriorities,
    AlarmQueue,
    AlarmState,
    Journal,
    Level,
    NoteRequired,
    Priority,
    WorkflowStore,
)
from console.services.events.alarms import HOLD_ACTION, RELEASE_ACTION, TAKE_ACTION
from console.services.events.priority import kind_of
from console.services.paths import Paths
from console.services.session import Profile, Session
from console.services.session_services import SessionServices
from console.services.settings import Settings
from tests.helpers import until
from tests.sim.helpers import TOKEN, make_sim

from .conftest import AuditLog
from .fakes import FakeClock, make_event

NAMES = {
    "duress": ("Duress Password Open", Level.ALARM),
    "forced": ("Door Opened Accidentally", Level.ALARM),
    "tamper": ("Tamper Alarm", Level.ALARM),
    "held": ("Door Open Timeout", Level.ALARM),
    "offline": ("Device Disconnected", Level.WARNING),
    "battery": ("Low battery", Level.WARNING),
    "denied": ("Access Denied", Level.WARNING),
}


def alarm(journal: Journal, clock: FakeClock, i: int, what: str, age: int) -> object:
    name, level = NAMES[what]
    event = make_event(i, name=name, level=level, point=f"Door {what}", time=clock() - timedelta(seconds=age))
    return journal.add([event])[0]


def queue_of(journal: Journal, audit: AuditLog, clock: FakeClock, **kw: object) -> AlarmQueue:
    return AlarmQueue(journal, audit, clock=clock, operator="Anna", **kw)  # type: ignore[arg-type]


def test_the_kinds_of_alarm_are_read_from_event_names() -> None:
    for name, kind in (("Duress Fingerprint Open", "duress"), ("Door Opened Accidentally", "forced"),
                       ("Tamper Alarm", "tamper"), ("Door Open Timeout", "held_open"),
                       ("Device Disconnected", "offline"), ("Low battery", "low_battery"),
                       ("On backup power", "maintenance"), ("Blacklist", "other"), ("Apertura con coacción", "duress")):
        assert kind_of(make_event(1, name=name)) is AlarmKind(kind), name


def test_the_queue_sorts_by_priority_then_age(journal: Journal, clock: FakeClock) -> None:
    queue = queue_of(journal, AuditLog(), clock)
    queue.offer([alarm(journal, clock, 1, "battery", 500), alarm(journal, clock, 2, "forced", 300),  # type: ignore[list-item]
                 alarm(journal, clock, 3, "held", 400), alarm(journal, clock, 4, "duress", 10),
                 alarm(journal, clock, 5, "forced", 200), alarm(journal, clock, 6, "offline", 600),
                 alarm(journal, clock, 7, "tamper", 100), alarm(journal, clock, 8, "denied", 700)])
    got = [(a.priority, a.kind.value, a.event.key) for a in queue.alarms]
    assert [p.words for p, _, _ in got] == ["Critical", "Urgent", "Urgent", "High", "Medium", "Low", "Maintenance"]
    assert [k for _, k, _ in got] == ["duress", "forced", "forced", "tamper", "held_open", "offline", "low_battery"]
    assert got[1][2] == make_event(2).key  # the older forced door first
    assert "denied" not in {a.event.point for a in queue.alarms}  # an ordinary warning stays out of the queue
    assert queue.next_alarm() is queue.alarms[0]


def test_a_site_sets_its_own_priorities_in_the_settings_file(journal: Journal, clock: FakeClock) -> None:
    table = {"offline": "critical", "duress": 2, "note_required": ["low"], "one_by_one": []}
    priorities = AlarmPriorities.from_settings(table)
    assert priorities.table[AlarmKind.OFFLINE] is Priority.CRITICAL
    assert priorities.table[AlarmKind.DURESS] is Priority.URGENT
    queue = queue_of(journal, AuditLog(), clock, priorities=priorities)
    queue.offer([alarm(journal, clock, 1, "duress", 10), alarm(journal, clock, 2, "offline", 5)])  # type: ignore[list-item]
    assert [a.kind for a in queue.alarms] == [AlarmKind.OFFLINE, AlarmKind.DURESS]
    # an unreadable table is reported in the log and the defaults hold
    assert AlarmPriorities.from_settings({"duress": "whenever"}) == AlarmPriorities()
    assert AlarmPriorities.from_settings({"fire": 1}) == AlarmPriorities()


def test_a_duress_or_a_forced_door_needs_a_note(journal: Journal, clock: FakeClock) -> None:
    audit = AuditLog()
    queue = queue_of(journal, audit, clock)
    queue.offer([alarm(journal, clock, 1, "duress", 10), alarm(journal, clock, 2, "held", 10)])  # type: ignore[list-item]
    duress, held = queue.alarms
    with pytest.raises(NoteRequired):
        queue.acknowledge([duress.key])
    assert duress.key in queue
    assert audit.rows == []
    assert len(queue.acknowledge([held.key])) == 1  # a door held open needs none by default
    entries = queue.acknowledge([duress.key], note="Called the police")
    assert [e.params["note"] for e in entries] == ["Called the police"]
    assert len(queue) == 0


def test_acknowledge_all_never_closes_a_top_priority_alarm(journal: Journal, clock: FakeClock) -> None:
    queue = queue_of(journal, AuditLog(), clock)
    queue.offer([alarm(journal, clock, i, what, 10 + i) for i, what in  # type: ignore[misc]
                 enumerate(("duress", "forced", "tamper", "battery"), 1)])
    keys = [a.key for a in queue.alarms]
    together, single = queue.bulk_split(keys)
    assert [queue.get(k).kind.value for k in single] == ["duress", "forced"]  # type: ignore[union-attr]
    entries = queue.acknowledge(keys, note="round done")
    assert len(entries) == 2
    assert [a.kind.value for a in queue.alarms] == ["duress", "forced"]  # closed one by one, later
    assert together == [e.target.removeprefix("event ") for e in entries]


def test_take_hold_release_are_audited_and_survive_a_restart(data_dir: Path, clock: FakeClock) -> None:
    audit = AuditLog()
    store_path = data_dir / "workflow.sqlite3"
    with Journal(data_dir, clock=clock) as journal:
        queue = queue_of(journal, audit, clock, workflow=WorkflowStore(store_path))
        queue.offer([alarm(journal, clock, 1, "forced", 30), alarm(journal, clock, 2, "tamper", 20),  # type: ignore[list-item]
                     alarm(journal, clock, 3, "held", 10)])
        forced, tamper, held = (a.key for a in queue.alarms)
        taken = queue.take(forced)
        assert taken is not None
        assert taken.state is AlarmState.IN_PROGRESS
        assert taken.state_words == "In progress: Anna"
        with pytest.raises(ValueError, match="on hold"):
            queue.hold(tamper, "  ")
        queue.hold(tamper, "Waiting for the patrol", operator="Bob")
        queue.take(held)
        queue.release(held)
        assert queue.next_alarm() is not None
        assert queue.next_alarm().key == held
        assert [row[0] for row in audit.rows] == [TAKE_ACTION, HOLD_ACTION, TAKE_ACTION, RELEASE_ACTION]
        assert audit.rows[1][2]["reason"] == "Waiting for the patrol"
        assert audit.rows[1][2]["operator"] == "Bob"
        queue.workflow.close()

        clock.advance(3600)  # the console restarts an hour later
        again = queue_of(journal, audit, clock, workflow=WorkflowStore(store_path))
        again.load()
        states = {a.key: (a.state, a.by, a.reason) for a in again.alarms}
        assert states[forced] == (AlarmState.IN_PROGRESS, "Anna", "")
        assert states[tamper] == (AlarmState.ON_HOLD, "Bob", "Waiting for the patrol")
        assert states[held] == (AlarmState.NEW, "", "")
        # nobody re-alerts for an alarm someone has: only the new one rings again
        clock.advance(600)
        assert [a.key for a in again.tick()] == [held]
        again.acknowledge([forced], note="Door closed, checked")
        assert [row[0] for row in audit.rows][-1] == ACK_ACTION
        assert forced not in again.workflow.states()
        again.workflow.close()


def test_queued_warnings_come_back_after_a_restart(data_dir: Path, clock: FakeClock) -> None:
    with Journal(data_dir, clock=clock) as journal:
        queue = queue_of(journal, AuditLog(), clock)
        queue.offer([alarm(journal, clock, 1, "offline", 30), alarm(journal, clock, 2, "denied", 30)])  # type: ignore[list-item]
        assert [a.kind for a in queue.alarms] == [AlarmKind.OFFLINE]
        again = queue_of(journal, AuditLog(), clock)
        assert [a.kind for a in again.load()] == [AlarmKind.OFFLINE]
        again.acknowledge([a.key for a in again.alarms])
        assert queue_of(journal, AuditLog(), clock).load() == []


async def test_the_board_and_the_queue_agree(tmp_path: Path) -> None:
    """A forced door acknowledged: the board says who and when until the controller clears it; the low battery
    on the board is a maintenance alarm in the queue; the summary counts both, as the board shows them."""
    sim = make_sim(event_rate=0.0)
    async with sim.serve() as base_url:
        paths = Paths.under(tmp_path).ensure()
        client = Client(base_url, TOKEN, retry=RetryPolicy(attempts=1))
        session = Session(Profile("Site", base_url, poll_interval=0.2), client, "Anna", paths)
        services = SessionServices.build(session, Settings(paths.settings_file))
        try:
            assert services.events is not None
            queue = services.events.alarms
            await services.start_doors()
            await until(lambda: services.board.polls > 0 and len(services.board) > 0, 10)
            await services.start_rest()
            battery = await until(lambda: next((a for a in queue.alarms if a.kind is AlarmKind.LOW_BATTERY), None), 10)
            assert battery.priority is Priority.MAINTENANCE
            battery_item = next(i for i in services.board.items if i.name == battery.event.point)
            assert battery_item.maintenance
            assert not battery_item.alarm
            assert services.board.summary.maintenance == 1

            door = next(d for d in sim.world.doors.values() if sim.world.door_connect(d) == 1 and d.has_sensor
                        and d.name != battery.event.point)
            sim.emit("forced_open", door_id=door.id, seconds=600)
            forced = await until(lambda: next((a for a in queue.alarms if a.kind is AlarmKind.FORCED), None), 10)
            item = await until(lambda: next((i for i in services.board.items if i.name == door.name and i.alarm), None),
                               10)
            queue.take(forced.key)
            queue.acknowledge([forced.key], note="Checked: the wind")
            marked = services.board.item(item.key)
            assert marked is not None
            assert marked.acknowledged.startswith("alarm acknowledged by Anna at ")
            assert services.board.summary.acknowledged == 1
            sim.world.close_door(door)  # the controller clears the alarm: the mark goes with it
            await until(lambda: not services.board.item(item.key).alarm, 10)  # type: ignore[union-attr]
            assert services.board.item(item.key).acknowledged == ""  # type: ignore[union-attr]
            # the board announces the change after its poll's last slice (it may yield first): the mark is
            # dropped from disk then, so that is awaited, not assumed at the moment the item's state flips
            await until(lambda: not queue.workflow.marks(), 10)
            assert datetime.now() - (marked.updated_at or datetime.now()) < timedelta(hours=1)
        finally:
            await services.stop()


def test_a_damaged_workflow_file_is_set_aside_and_the_alarms_come_back_as_new(data_dir: Path, clock: FakeClock) -> None:
    path = data_dir / "alarm_workflow.sqlite3"
    data_dir.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"this is not a database" * 100)
    with Journal(data_dir, clock=clock) as journal:
        queue = queue_of(journal, AuditLog(), clock, workflow=WorkflowStore(path))
        assert queue.workflow.set_aside is not None
        assert queue.workflow.set_aside.aside.read_bytes().startswith(b"this is not a database")
        queue.offer([alarm(journal, clock, 1, "tamper", 5)])  # type: ignore[list-item]
        assert queue.take(queue.alarms[0].key) is not None  # the fresh file works
        queue.workflow.close()
