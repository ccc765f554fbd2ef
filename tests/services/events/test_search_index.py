"""The journal's free-text index (``console/services/events/search_index.py``): what the filter finds."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from console.services.events import Event, EventFilter, Journal, Retention, search_index

from .fakes import make_event

KEEP = Retention(days=None, max_rows=None)


def _keys(journal: Journal, text: str) -> list[str]:
    return [e.key for e in journal.page(EventFilter(text=text), 0, 10_000)]


def _crowd(n: int = 3000) -> list[Event]:
    return [make_event(i) for i in range(n)]


def test_the_filter_finds_an_event_by_a_word_of_its_name_person_or_door(tmp_path: Path) -> None:
    with Journal(tmp_path, retention=Retention(days=None, max_rows=None)) as jr:
        jr.add(_crowd())
        needle = make_event(5000, name="Duress Alarm", person="Wanjiru Kamau", point="Loading Bay 7", pin="88001")
        jr.add([needle])
        for text in ("duress", "Alarm", "wanjiru", "KAMAU", "loading bay", "bay 7", "88001", "ress ala", "anjir"):
            assert _keys(jr, text) == [needle.key], text
            assert jr.count(EventFilter(text=text)) == 1, text
        assert _keys(jr, "wanjiru kamau x") == []


def test_the_filter_agrees_with_a_scan_for_common_rare_and_short_needles(tmp_path: Path) -> None:
    events = _crowd()
    with Journal(tmp_path, retention=Retention(days=None, max_rows=None)) as jr:
        jr.add(events)
        for text in ("normal verify", "person 42", "door 3-in", "controller 1", "denied", "42", "sn", "zzz", "o"):
            flt = EventFilter(text=text)
            expected = {e.key for e in events if flt.matches(e)}
            assert jr.count(flt) == len(expected), text
            assert {e.key for e in jr.page(flt, 0, 10_000)} == expected, text
            newest = [e.key for e in jr.page(flt, 0, 50, newest_first=True)]
            assert newest == [e.key for e in reversed(events) if e.key in expected][:50], text


@pytest.mark.parametrize("text", ['"', 'door "3', "door*", "AND", "NOT person", "(door)", "col:umn", "^door", "'; --"])
def test_query_syntax_in_the_needle_is_just_text(tmp_path: Path, text: str) -> None:
    with Journal(tmp_path, retention=KEEP) as jr:
        plain = make_event(1, person=f"Odd {text} name")
        jr.add([plain, make_event(2)])
        assert _keys(jr, text) == [plain.key]


def test_retention_takes_removed_events_out_of_the_search(tmp_path: Path) -> None:
    with Journal(tmp_path, retention=Retention(days=None, max_rows=100)) as jr:
        first = make_event(0, person="Gone Tomorrow")
        jr.add([first])
        jr.add([make_event(i) for i in range(1, 200)])
        assert first.key not in jr
        assert _keys(jr, "gone tomorrow") == []
        again = make_event(500, person="Gone Tomorrow")
        jr.add([again])
        assert _keys(jr, "gone tomorrow") == [again.key]


def test_a_journal_written_before_the_index_is_migrated_when_opened(tmp_path: Path) -> None:
    with Journal(tmp_path, retention=KEEP) as jr:
        jr.add([make_event(i) for i in range(200)] + [make_event(999, person="Before Index")])
    path = tmp_path / "events.sqlite3"
    with closing(sqlite3.connect(path)) as conn, conn:  # as an older console left it: no index, no triggers
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
            conn.execute(f"DROP TRIGGER {name}")
        conn.execute(f"DROP TABLE {search_index.TABLE}")
    with closing(sqlite3.connect(path)) as conn, conn:
        assert not search_index.present(conn)
    with Journal(tmp_path, read_only=True) as ro:  # read-only: no index to use, the filter still works
        assert len(_keys(ro, "before index")) == 1
    with Journal(tmp_path, retention=KEEP) as jr:
        assert _keys(jr, "before index") == [make_event(999).key]
        later = make_event(1000, person="After Index")
        jr.add([later])
        assert _keys(jr, "after index") == [later.key]
    with closing(sqlite3.connect(path)) as conn, conn:
        assert search_index.present(conn)
    with Journal(tmp_path, read_only=True) as ro:
        assert _keys(ro, "after index") == [later.key]


def test_rows_an_older_console_writes_are_found_too(tmp_path: Path) -> None:
    with Journal(tmp_path, retention=KEEP) as jr:
        jr.add([make_event(1)])
    with closing(sqlite3.connect(tmp_path / "events.sqlite3")) as conn, conn:  # its own INSERT, one row per statement
        conn.execute("INSERT INTO events (key, time, source, level, name, search) "
                     "VALUES ('old-1', '2024-05-01 10:00:00', 'access', 0, 'Tailgating', 'tailgating')")
    with Journal(tmp_path, retention=KEEP) as jr:
        assert _keys(jr, "tailgat") == ["old-1"]


def test_a_journal_whose_index_cannot_be_built_still_opens_and_filters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_index, "_CREATE", "CREATE VIRTUAL TABLE events_search USING no_such_module(x)")
    with Journal(tmp_path, retention=KEEP) as jr:
        jr.add([make_event(1, person="Still Found"), make_event(2)])
        assert _keys(jr, "still found") == [make_event(1).key]
    monkeypatch.undo()
    with Journal(tmp_path, retention=KEEP) as jr:  # the next opening builds it
        assert _keys(jr, "still found") == [make_event(1).key]
    with closing(sqlite3.connect(tmp_path / "events.sqlite3")) as conn, conn:
        assert search_index.present(conn)
