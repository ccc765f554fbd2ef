"""A free-text filter matching many events: counted up to a cap ("1,000+ events"), the rest fetched on scrolling.

At a million events the exact count of a common word reads every matching row; the table shows the first
1,000 matches at once and counts further when the operator scrolls to the bottom, so no row is out of reach.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtWidgets import QTableView

from console.services.events import Event, EventFilter, Journal, Level, Retention, Source
from console.ui.events.model import COUNT_CAP, EventTableModel


def _events(n: int) -> list[Event]:
    start = datetime(2026, 3, 1, 8, 0, 0)
    return [
        Event(key=f"k{i:07d}", source=Source.ACCESS, time=start + timedelta(seconds=i), level=Level.NORMAL,
              name="Door forced open" if i % 2 else "Normal Verify Open", pin=str(i % 300),
              person=f"Person {i % 300}", point=f"Door {i % 7}", device_name="Controller 1")
        for i in range(n)
    ]


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    with Journal(tmp_path, retention=Retention(days=None, max_rows=None)) as jr:
        jr.add(_events(5000))
        yield jr


def test_the_journal_counts_up_to_a_cap(journal: Journal) -> None:
    forced = EventFilter(text="forced")
    assert journal.count(forced) == 2500
    assert journal.count(forced, cap=1000) == 1001  # "more than 1,000"
    assert journal.count(forced, cap=5000) == 2500
    assert journal.count(EventFilter(text="no such door"), cap=10) == 0


def test_a_common_word_shows_the_first_thousand_and_the_rest_on_scrolling(qtbot, journal: Journal) -> None:
    model = EventTableModel(journal)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(600, 300)
    view.show()
    assert model.rowCount() == 5000  # no text: counted exactly
    assert not model.count_is_lower_bound
    model.set_filter(EventFilter(text="forced"))
    assert model.rowCount() == COUNT_CAP
    assert model.count_is_lower_bound
    assert all("forced" in model.event_at(r).name.casefold() for r in range(0, COUNT_CAP, 97))
    # the operator scrolls to the bottom: the view asks for more, every match is reachable
    view.scrollToBottom()
    qtbot.waitUntil(lambda: not model.count_is_lower_bound)
    assert model.rowCount() == journal.count(EventFilter(text="forced")) == 2500
    last = model.event_at(2499)
    assert last is not None
    assert "forced" in last.name.casefold()
    # a needle with few matches is counted exactly at once
    model.set_filter(EventFilter(text="person 17"))
    assert model.rowCount() == journal.count(EventFilter(text="person 17"))
    assert not model.count_is_lower_bound
