"""The journal: exactly once, survives restarts, bounded, and quick to query for a 100,000-row view."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from console.services.events import Event, EventFilter, Gap, Journal, JournalError, Level, Retention, Source
from console.services.events.model import Acknowledgement

from .fakes import FakeClock, make_event

START = datetime(2024, 5, 1, 0, 0, 0)


def test_an_event_is_stored_once_whatever_is_offered(journal: Journal) -> None:
    events = [make_event(i) for i in range(50)]
    assert journal.add(events) == events
    replayed = [replace(e, backfilled=True) for e in events[10:30]] + [make_event(50)]
    assert journal.add(replayed + replayed) == [make_event(50)]
    assert journal.count() == 51
    # the first arrival wins: an event seen live stays "live" when the back-fill brings it again
    first = journal.get(events[15].key)
    assert first is not None
    assert not first.backfilled


def test_new_events_come_back_oldest_first(journal: Journal) -> None:
    events = [make_event(i) for i in (5, 1, 3)]
    assert [e.key for e in journal.add(events)] == [make_event(i).key for i in (1, 3, 5)]


def test_history_survives_a_restart(data_dir: Path, clock: FakeClock) -> None:
    photo = "/9j/4AAQ"
    with Journal(data_dir, clock=clock) as jr:
        jr.add([make_event(i, time=clock() - timedelta(minutes=i)) for i in range(20)])
        jr.add([make_event(99, time=clock(), photo_base64=photo, has_photo=True, raw={"x": [1, "two"]})])
        jr.set_meta({"last_good:access": "2024-05-01T07:59:50"})
    with Journal(data_dir, clock=clock) as jr:
        assert jr.count() == 21
        ev = jr.get(make_event(99).key)
        assert ev is not None
        assert ev.photo_base64 == photo
        assert ev.raw == {"x": [1, "two"]}
        paged = jr.page(EventFilter(text="person 99"))
        assert paged[0].has_photo
        assert paged[0].photo_base64 == ""
        assert jr.get_meta("last_good:access") == "2024-05-01T07:59:50"
        assert jr.get_meta("nothing") is None
        assert jr.last_event_time() == clock()
        assert jr.last_event_time(Source.GATE) == clock() - timedelta(minutes=2)


def test_retention_by_rows_keeps_the_newest(data_dir: Path, clock: FakeClock) -> None:
    with Journal(data_dir, clock=clock, retention=Retention(days=None, max_rows=100)) as jr:
        for batch in range(5):
            jr.add([make_event(i, start=clock() - timedelta(days=1)) for i in range(batch * 50, batch * 50 + 50)])
            assert jr.count() <= 100
        assert jr.count() == 100
        assert [e.key for e in jr.page(limit=1)] == [make_event(150).key]
    # and when the bound is lowered, the next start enforces it
    with Journal(data_dir, clock=clock, retention=Retention(days=None, max_rows=10)) as jr:
        assert jr.count() == 10
        assert jr.page(limit=1)[0].key == make_event(240).key


def test_retention_by_age_on_insert_and_at_start(data_dir: Path, clock: FakeClock) -> None:
    with Journal(data_dir, clock=clock, retention=Retention(days=7, max_rows=None)) as jr:
        old = make_event(1, time=clock() - timedelta(days=8))
        recent = make_event(2, time=clock() - timedelta(days=6))
        assert jr.add([old, recent]) == [old, recent]  # reported new, then trimmed
        assert jr.count() == 1
        assert old.key not in jr
        assert recent.key in jr
    clock.advance(2 * 86400)
    with Journal(data_dir, clock=clock, retention=Retention(days=7, max_rows=None)) as jr:
        assert jr.count() == 0


def test_retention_bounds_are_validated() -> None:
    with pytest.raises(ValueError, match="days"):
        Retention(days=0)
    with pytest.raises(ValueError, match="rows"):
        Retention(max_rows=0)


def test_count_page_distinct_and_range(journal: Journal) -> None:
    journal.add([make_event(i, start=datetime(2024, 4, 30)) for i in range(100)])
    assert journal.count() == 100
    alarms = EventFilter(levels=frozenset({Level.ALARM}))
    assert journal.count(alarms) == 5
    assert all(e.level is Level.ALARM for e in journal.page(alarms))
    page = journal.page(offset=10, limit=5)
    assert [e.key for e in page] == [make_event(i).key for i in range(10, 15)]
    newest = journal.page(limit=3, newest_first=True)
    assert [e.key for e in newest] == [make_event(i).key for i in (99, 98, 97)]
    assert journal.distinct("area") == ["HQ", "Lab", "Warehouse"]
    assert journal.distinct("door") == [f"Door {i}" for i in range(7)]
    assert journal.distinct("device") == [f"Controller {i}" for i in range(5)]
    assert journal.distinct("source") == ["access", "gate", "temperature"]
    assert journal.distinct("level") == ["normal", "warning", "alarm"]
    assert journal.distinct("door", EventFilter(areas=frozenset({"HQ"}), doors=frozenset({"Door 1"}))) == ["Door 1"]
    since, until = datetime(2024, 4, 30, 0, 0, 10), datetime(2024, 4, 30, 0, 0, 20)
    assert [e.key for e in journal.iter_range(since, until, batch=3)] == [make_event(i).key for i in range(10, 20)]
    assert len(list(journal.iter_range(None, None, alarms, batch=2))) == 5


def test_events_in_one_second_page_without_loss_or_repeat(journal: Journal) -> None:
    same_second = [make_event(i, step=0) for i in range(25)]
    journal.add(same_second)
    assert sorted(e.key for e in journal.iter_range(None, None, batch=4)) == sorted(e.key for e in same_second)
    pages = [e.key for off in range(0, 25, 6) for e in journal.page(offset=off, limit=6)]
    assert sorted(pages) == sorted(e.key for e in same_second)


def test_text_filter_ignores_case_and_covers_the_fields(journal: Journal) -> None:
    journal.add([make_event(1, person="Zoë Ünal", card="777", area="Nord"), make_event(2)])
    for needle in ("zoË", "ünal", "777", "nord", "controller 1", "sn1", "door 1-in"):
        assert [e.key for e in journal.page(EventFilter(text=needle))] == [make_event(1).key], needle
    assert journal.count(EventFilter(text="100%_")) == 0  # LIKE wildcards mean nothing


# -- the SQL filter agrees with the live filter ----------------------------------------------------


@pytest.fixture(scope="module")
def varied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Journal, list[Event]]]:
    events = [make_event(i, step=37, card=str(i % 11)) for i in range(300)]
    with Journal(tmp_path_factory.mktemp("varied"), retention=Retention(days=None, max_rows=None)) as jr:
        jr.add(events)
        yield jr, events


filters = st.builds(
    EventFilter,
    text=st.sampled_from(["", "door 3", "PERSON 1", "denied", "sn2", "zz"]),
    levels=st.frozensets(st.sampled_from(list(Level)), max_size=2),
    sources=st.frozensets(st.sampled_from(list(Source)), max_size=2),
    areas=st.frozensets(st.sampled_from(["HQ", "Lab", "Nowhere"]), max_size=2),
    devices=st.frozensets(st.sampled_from(["Controller 1", "SN2", "SN9"]), max_size=2),
    doors=st.frozensets(st.sampled_from(["Door 1", "Door 4"]), max_size=2),
    since=st.none() | st.datetimes(min_value=START, max_value=START + timedelta(hours=3)),
    until=st.none() | st.datetimes(min_value=START, max_value=START + timedelta(hours=4)),
)


@settings(max_examples=150, deadline=None)
@given(flt=filters)
def test_the_journal_and_the_live_filter_agree(varied: tuple[Journal, list[Event]], flt: EventFilter) -> None:
    jr, events = varied
    expected = [e.key for e in events if flt.matches(e)]
    assert jr.count(flt) == len(expected)
    assert [e.key for e in jr.page(flt, 0, 1000)] == expected


# -- threads ---------------------------------------------------------------------------------------


def test_writers_in_threads_and_a_reader_meanwhile(journal: Journal) -> None:
    def write(chunk: int) -> int:
        return len(journal.add([make_event(i) for i in range(chunk * 200, chunk * 200 + 200)]))

    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(write, c) for c in range(8)]
        while not all(f.done() for f in futures):
            assert journal.count() <= 1600  # the reader never sees half a batch or an error
        assert sum(f.result() for f in futures) == 1600
    assert journal.count() == 1600


def test_a_closed_journal_says_so(data_dir: Path) -> None:
    jr = Journal(data_dir)
    jr.close()
    jr.close()
    with pytest.raises(JournalError, match="closed"):
        jr.count()


def test_a_thread_opening_its_connection_while_the_journal_closes_leaves_no_file_open(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # CI once found the journal's -wal and -shm files still open after the console stopped: a worker thread had
    # opened its connection while close() ran, and nobody closed that connection.
    jr = Journal(data_dir)
    opened, go_on = threading.Event(), threading.Event()
    real_connect = sqlite3.connect

    def slow_connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn = real_connect(*args, **kwargs)
        if threading.current_thread() is not threading.main_thread():
            opened.set()
            go_on.wait(10)
        return conn

    monkeypatch.setattr(sqlite3, "connect", slow_connect)
    with ThreadPoolExecutor(1) as pool:
        reading = pool.submit(jr.count)
        assert opened.wait(10)
        jr.close()
        go_on.set()
        with pytest.raises(JournalError, match="closed"):
            reading.result(10)
    fds = Path("/proc/self/fd")
    if fds.is_dir():
        still_open = {os.path.realpath(fds / fd) for fd in os.listdir(fds)}
        assert not [f for f in still_open if f.startswith(str(data_dir))]


def test_read_only_and_foreign_files(data_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(JournalError, match="no event journal"):
        Journal(tmp_path / "nowhere", read_only=True)
    with Journal(data_dir, retention=Retention(days=None)) as jr:
        jr.add([make_event(1)])
    with Journal(data_dir, read_only=True) as ro:
        assert ro.count() == 1
        with pytest.raises(JournalError, match="read-only"):
            ro.add([make_event(2)])
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(JournalError, match="cannot"):
        Journal(junk)


def test_a_journal_file_path_is_accepted(tmp_path: Path) -> None:
    with Journal(tmp_path / "custom.sqlite3", retention=Retention(days=None)) as jr:
        jr.add([make_event(1)])
        assert jr.count() == 1
    assert (tmp_path / "custom.sqlite3").is_file()
    raw = sqlite3.connect(tmp_path / "custom.sqlite3")
    try:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        raw.close()


def test_gaps_and_alarm_state_are_kept(data_dir: Path, clock: FakeClock) -> None:
    with Journal(data_dir, clock=clock) as jr:
        gap = jr.save_gap(Gap(Source.GATE, clock() - timedelta(minutes=5), clock(), "outage", detected=clock()))
        assert gap.id is not None
        jr.save_gap(replace(gap, status="done", count=37, finished=clock()))
        alarm = make_event(20, time=clock())
        jr.add([alarm, make_event(11, time=clock())])
        jr.snooze([alarm.key], clock() + timedelta(minutes=5))
        assert [(e.key, until) for e, until in jr.open_alarms()] == [(alarm.key, clock() + timedelta(minutes=5))]
    with Journal(data_dir, clock=clock) as jr:
        (saved,) = jr.gaps()
        assert (saved.status, saved.count, saved.source) == ("done", 37, Source.GATE)
        assert jr.gaps(status="pending") == []
        assert jr.acknowledge([alarm.key, "unknown"], at=clock(), operator="guard1", note="checked") == [alarm.key]
        assert jr.acknowledge([alarm.key], at=clock()) == []  # once
        assert jr.open_alarms() == []
        stored = jr.get(alarm.key)
        assert stored is not None
        assert stored.ack == Acknowledgement(clock(), "guard1", "checked")


# -- a big journal ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Journal]:
    with Journal(tmp_path_factory.mktemp("big"), retention=Retention(days=None, max_rows=None)) as jr:
        for chunk in range(0, 100_000, 10_000):
            jr.add([make_event(i, step=2) for i in range(chunk, chunk + 10_000)])
        yield jr


def test_a_100000_row_journal_counts_pages_and_filters(big: Journal) -> None:
    assert big.count() == 100_000
    alarms = EventFilter(levels=frozenset({Level.ALARM}))
    assert big.count(alarms) == 5_000
    assert big.count(EventFilter(text="person 42", sources=frozenset({Source.ACCESS}))) > 0
    last = big.page(offset=99_990, limit=50)
    assert [e.key for e in last] == [make_event(i).key for i in range(99_990, 100_000)]
    window = EventFilter(since=START + timedelta(hours=10), until=START + timedelta(hours=11))
    assert big.count(window) == 1800
    # every query a scrolling view makes answers (how fast: tests/benchmarks/bench_journal.py)
    assert len(big.page(alarms, 4_000, 100)) == 100
    assert len(big.page(window, 1_700, 100)) == 100
    assert len(big.page(None, 50_000, 100)) == 100
    assert big.distinct("door")
    assert big.count(EventFilter(text="controller 3")) > 0
