"""The shortcuts taken for speed give the same answers as the long way (issue 15: events at a million).

The classifier remembers the level of records it has seen; clean_text and sanitise_raw skip work on short
clean text; the journal reads deep pages by id first and reuses a needle's candidate ids between a count and
the page that follows. None of it may change what an operator sees.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from console.services.events import Classifier, Event, EventFilter, Journal, Level, Retention, Source
from console.services.events.journal import DEEP_OFFSET
from console.services.events.model import sanitise_raw
from console.services.text import clean_text


def test_a_remembered_level_is_the_level_of_the_record() -> None:
    classifier = Classifier()
    forced = {"eventName": "Door forced open", "eventLevel": None}
    assert classifier.classify(forced) is Level.ALARM
    assert classifier.classify(dict(forced)) is Level.ALARM  # remembered
    assert classifier.classify({"eventName": "Door forced open", "eventLevel": "0"}) is Level.NORMAL
    assert classifier.classify({"eventName": "Door forced open", "eventLevel": 0}) is Level.NORMAL
    assert classifier.classify({"eventName": "Normal Verify Open", "eventLevel": 2}) is Level.ALARM
    assert classifier.classify({"eventName": "Normal Verify Open", "eventLevel": True}) is Level.NORMAL
    assert classifier.classify({"eventName": "Normal Verify Open"}) is Level.NORMAL


def test_short_clean_text_is_kept_and_dirty_text_still_cleaned() -> None:
    assert clean_text("  Front door ") == "Front door"
    assert clean_text("abc", 2) == "ab"
    assert clean_text("a\u202eb\nc") == "a b c"
    assert clean_text("x" * 600, ellipsis=True) == "x" * 511 + "…"
    raw = sanitise_raw({"eventName": " Door\u202eforced ", "pin": "12 ", "logId": 7, "big": 2**70, "n": None})
    assert raw == {"eventName": "Door forced", "pin": "12", "logId": 7, "big": str(2**70), "n": None}


def _events(n: int, start: datetime) -> list[Event]:
    return [
        Event(key=f"e{i:06d}", source=Source.ACCESS, time=start + timedelta(seconds=i // 3), level=Level.NORMAL,
              name="Door forced open" if i % 5 == 0 else "Normal Verify Open", pin=str(i % 50),
              person=f"Person {i % 50}", point=f"Door {i % 9}")
        for i in range(n)
    ]


def test_deep_pages_are_the_same_rows_in_the_same_order(tmp_path: Path) -> None:
    with Journal(tmp_path, retention=Retention(days=None, max_rows=None)) as journal:
        journal.add(_events(DEEP_OFFSET + 1500, datetime(2026, 4, 1)))
        everything = journal.page(None, 0, 10**6, newest_first=True)
        for offset in (DEEP_OFFSET - 50, DEEP_OFFSET + 1, DEEP_OFFSET + 1400):
            assert [e.key for e in journal.page(None, offset, 100, newest_first=True)] == [
                e.key for e in everything[offset : offset + 100]
            ]
        forced = EventFilter(text="forced")
        matching = [e for e in everything if "forced" in e.name.casefold()]
        assert [e.key for e in journal.page(forced, 10, 50, newest_first=True)] == [e.key for e in matching[10:60]]
        oldest = journal.page(None, DEEP_OFFSET + 100, 100)
        assert [e.key for e in oldest] == [e.key for e in everything[::-1][DEEP_OFFSET + 100 : DEEP_OFFSET + 200]]


def test_a_new_matching_event_is_counted_at_once(tmp_path: Path) -> None:
    with Journal(tmp_path, retention=Retention(days=None, max_rows=None)) as journal:
        journal.add(_events(300, datetime(2026, 4, 1)))
        person = EventFilter(text="person 7")
        before = journal.count(person)
        assert journal.count(person, cap=1000) == before == len(journal.page(person, 0, 1000))
        later = Event(key="late", source=Source.ACCESS, time=datetime(2026, 4, 2), name="Normal Verify Open",
                      person="Person 7")
        journal.add([later])
        assert journal.count(person) == before + 1
        assert journal.page(person, 0, 1, newest_first=True)[0].key == "late"
