"""The events table keeps a bounded number of rows in memory over a long shift, and still shows every row right.

Live events enter the model's head; when it is full it is folded into the pages, and only the top
``FOLD_PAGES`` pages stay in memory (a long shift at a large site used to keep ``max_pages`` pages of rows,
8,000 events, that nobody looked at). The rows no longer in memory are read from the journal when shown.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from console.services.events import Event, EventFilter, Journal, Level, Retention, Source
from console.ui.events.model import FOLD_PAGES, EventTableModel


def event(i: int, **kw: Any) -> Event:
    fields: dict[str, Any] = {
        "key": f"k{i:09d}",
        "source": Source.ACCESS if i % 3 else Source.GATE,
        "time": datetime(2024, 5, 1) + timedelta(seconds=i),
        "name": "Access Denied" if i % 10 == 0 else "Normal Verify Open",
        "level": Level.WARNING if i % 10 == 0 else Level.NORMAL,
        "pin": str(i % 300),
        "person": f"Person {i % 300}",
        "point": f"Door {i % 7}",
        "raw": {"eventName": "Normal Verify Open", "pin": str(i % 300), "logId": i},
    }
    fields.update(kw)
    return Event(**fields)


def in_memory(model: EventTableModel) -> int:
    """Events the model holds (its head and its cached pages)."""
    return len(model._head) + sum(len(rows) for _, rows in model._pages.values())


def test_a_long_shift_of_live_events_keeps_the_table_s_memory_bounded(qtmodeltester, tmp_path) -> None:
    journal = Journal(tmp_path / "data", clock=lambda: datetime(2024, 5, 1, 12), retention=Retention(days=None))
    try:
        journal.add(event(i) for i in range(500))  # yesterday's events: history below the live rows
        page, max_pages, max_head = 10, 40, 50
        model = EventTableModel(journal, page_size=page, max_pages=max_pages, max_head=max_head)
        assert model.rowCount() == 500
        bound = max_head + FOLD_PAGES * page
        most = 0
        for start in range(500, 500 + max_head * 30, 7):  # 30 folds' worth of live batches of 7
            batch = [event(i) for i in range(start, start + 7)]
            journal.add(batch)
            model.add_events(batch)
            most = max(most, in_memory(model))
            assert len(model._pages) <= max_pages
        assert most <= bound + 7  # the head reached its cap and was folded, again and again
        assert most > max_head  # (the folds kept the top pages: not a model that reads every row again)
        total = 500 + max_head * 30 + 5
        assert model.rowCount() == journal.count(EventFilter()) == total
        # every row still right, newest first: the top ones from memory, the others read from the journal
        newest = total - 1
        for row in (0, 1, page * FOLD_PAGES - 1, page * FOLD_PAGES, page * FOLD_PAGES + 1, 777, total - 501,
                    total - 1):
            assert model.key_at(row) == f"k{newest - row:09d}", row
        assert model.event_at(total) is None
        assert len(model._pages) <= max_pages
        qtmodeltester.check(model)
    finally:
        journal.close()


def test_a_fold_keeps_the_rows_on_top_without_reading_them(tmp_path) -> None:
    journal = Journal(tmp_path / "data", clock=lambda: datetime(2024, 5, 1, 12), retention=Retention(days=None))
    try:
        model = EventTableModel(journal, page_size=10, max_pages=80, max_head=300)
        live = [event(i) for i in range(301)]
        journal.add(live)
        model.add_events(live)  # 301 rows: more than the head holds, folded
        assert not model._head
        assert sorted(model._pages) == list(range(FOLD_PAGES))  # the top pages, not all 30 of them
        reads: list[int] = []
        page = journal.page

        def counted(*args: Any, **kw: Any) -> list[Event]:
            reads.append(1)
            return page(*args, **kw)

        journal.page = counted  # type: ignore[method-assign]
        assert [model.key_at(r) for r in range(FOLD_PAGES * 10)] == [f"k{300 - r:09d}" for r in range(FOLD_PAGES * 10)]
        assert not reads  # the top rows came from memory
        assert model.key_at(250) == "k000000050"  # a row below them: read from the journal
        assert reads
    finally:
        journal.close()


def test_the_panel_s_model_holds_a_few_thousand_rows_whatever_the_shift_brings(tmp_path) -> None:
    """The defaults (what the events panel uses): 20,000 live events, at most ``max_head`` + 1,000 rows held."""
    journal = Journal(tmp_path / "data", clock=lambda: datetime(2024, 5, 1, 12), retention=Retention(days=None))
    try:
        model = EventTableModel(journal)
        most = 0
        for start in range(0, 20_000, 400):
            batch = [event(i) for i in range(start, start + 400)]
            journal.add(batch)
            model.add_events(batch)
            most = max(most, in_memory(model))
        assert most <= model.max_head + 400 + FOLD_PAGES * model.page_size
        assert model.max_head <= 2000
        assert model.rowCount() == 20_000
        assert model.key_at(0) == "k000019999"
        assert model.key_at(19_999) == "k000000000"
    finally:
        journal.close()
