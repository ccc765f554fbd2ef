"""Content keys that start with the event's time, and the journals an older console left keyed by the hash alone.

An event stored by an older console (its key: the hash alone) and offered again by this one (a back-fill of the
hour before an upgrade, a replayed answer) is still stored once; it is found by either key.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from console.services.events import Event, EventFilter, Journal, Retention, event_key, normalise
from console.services.events.model import legacy_key, same_event_key

KEEP = Retention(days=None, max_rows=None)
RECEIVED = datetime(2024, 5, 1, 9, 0, 0)


def record(i: int, *, at: datetime = datetime(2024, 5, 1, 8, 0, 0)) -> dict[str, Any]:
    return {
        "eventTime": (at + timedelta(seconds=i)).strftime("%Y-%m-%d %H:%M:%S"), "pin": str(100 + i),
        "cardNo": "", "devSn": "7633223440032", "devName": "10.8.14.210", "verifyModeName": "Face",
        "eventName": "Normal Verify Open", "eventPointName": f"Door {i % 3}", "readerName": f"Door {i % 3}-In",
        "areaName": "HQ", "name": f"Person {i}",
    }


def event(i: int, **kw: Any) -> Event:
    return normalise(record(i, **kw), "access", received=RECEIVED)


def as_an_older_console(path: Path, events: list[Event]) -> None:
    """Store ``events`` as the previous version did: under the hash alone, its own INSERT, no key marks."""
    with closing(sqlite3.connect(path / "events.sqlite3")) as conn, conn:
        for ev in events:
            conn.execute("INSERT INTO events (key, time, source, level, name, pin, point, search) "
                         "VALUES (?, ?, 'access', 0, ?, ?, ?, ?)",
                         (legacy_key(ev.key), ev.time_text, ev.name, ev.pin, ev.point,
                          f"{ev.pin} {ev.point}".casefold()))
        conn.execute("DELETE FROM meta WHERE name LIKE 'keys:%'")  # the previous version kept none


def test_keys_start_with_the_event_time_and_still_join_monitor_and_list() -> None:
    key = event_key(record(5), "access")
    assert key.startswith("20240501080005")
    assert len(legacy_key(key) or "") == 32
    assert sorted(event_key(record(i), "access") for i in (30, 2, 11)) == [
        event_key(record(i), "access") for i in (2, 11, 30)
    ]
    listed = {**record(5), "eventTime": "2024-5-1 08:00:05.0", "id": "8a88", "logId": 7}
    assert event_key(listed, "access") == key
    unreadable = event_key({**record(5), "eventTime": "yesterday-ish"}, "access")
    assert unreadable == event_key({**record(5), "eventTime": "yesterday-ish"}, "access")
    assert legacy_key(unreadable) is not None


def test_an_event_an_older_console_stored_is_not_stored_again(tmp_path: Path) -> None:
    with Journal(tmp_path, retention=KEEP) as jr:
        jr.add([event(0)])  # the journal as any version creates it
    as_an_older_console(tmp_path, [event(i) for i in range(1, 6)])
    with Journal(tmp_path, retention=KEEP) as jr:  # this version opens the older console's journal
        assert jr.count() == 6
        # the back-fill after the upgrade brings the last of those again, and one newer event
        assert jr.add([event(i) for i in range(3, 8)]) == [event(6), event(7)]
        assert jr.count() == 8
        assert event(4).key in jr
        stored = jr.get(event(4).key)
        assert stored is not None
        assert stored.pin == "104"
        assert [e.pin for e in jr.page(EventFilter(text="104"))] == ["104"]
    with Journal(tmp_path, retention=KEEP) as jr:  # and after a restart
        assert jr.add([event(i) for i in range(9)]) == [event(8)]
        assert jr.count() == 9


def test_events_an_older_console_adds_later_are_recognised_too(tmp_path: Path) -> None:
    later = datetime(2024, 5, 2, 8, 0, 0)
    with Journal(tmp_path, retention=KEEP) as jr:
        jr.add([event(0), event(1)])
        # an older console opens the same folder meanwhile (a rollback) and stores events of a later day
        as_an_older_console(tmp_path, [event(i, at=later) for i in range(3)])
        assert jr.add([event(i, at=later) for i in range(5)]) == [event(3, at=later), event(4, at=later)]
        assert jr.count() == 7
    as_an_older_console(tmp_path, [event(i, at=later + timedelta(hours=1)) for i in range(2)])
    with Journal(tmp_path, retention=KEEP) as jr:
        assert jr.add([event(i, at=later + timedelta(hours=1)) for i in range(3)]) == [
            event(2, at=later + timedelta(hours=1))
        ]
        assert jr.count() == 10


def test_a_photo_fetched_for_an_older_event_is_matched_by_either_key() -> None:
    key = event_key(record(1), "access")
    assert same_event_key(key, key)
    assert same_event_key(key, legacy_key(key) or "")
    assert not same_event_key(key, legacy_key(event_key(record(2), "access")) or "")
    assert not same_event_key(key, "k000000001")
