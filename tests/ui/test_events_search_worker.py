"""The events panel at scale: a free-text filter read in a worker thread, and the table painted in one pass.

A one- or two-letter needle scans the journal (about a second at a million events): the panel counts and
reads it in a worker thread, keeps the window answering, says "Searching…" when it takes a moment, and shows
only the answer for the text typed last. Live events arriving meanwhile are shown exactly once. The table
paints its rows in one call (``EventTableView``) and looks exactly as ``QTableView`` painting cell by cell.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QTimer
from PySide6.QtWidgets import QTableView

from console.services.events import Event, EventFilter, EventStream, Journal, Retention, Source
from console.services.settings import Settings
from console.ui import aio, theme
from console.ui.events import EventsPanel
from console.ui.events.model import Column, Role
from console.ui.events.view import EventTableView
from tests.helpers import until
from tests.services.events.fakes import make_event

START = datetime(2026, 3, 1, 8, 0, 0)


def event(i: int, **kw: Any) -> Event:
    fields: dict[str, Any] = {"key": f"k{i:07d}", "source": Source.ACCESS, "pin": str(i % 300),
                              "person": f"Person {i % 300}", "area": "HQ"}
    fields.update(kw)
    return make_event(i, start=START, **fields)


class NoServer:
    async def call(self, section: str, /, **params: Any) -> Any:
        return []


class Gate:
    """Holds the journal's reads of one needle in the worker thread until released."""

    def __init__(
        self, journal: Journal, needle: str, method: str = "count", *, after: bool = False, nth: int = 1
    ) -> None:
        self.needle = needle
        self.calls = 0
        self.entered = threading.Event()
        self.release = threading.Event()
        original = getattr(journal, method)

        def hold() -> None:
            self.entered.set()
            assert self.release.wait(10), "the test never released the read"

        def held(flt: EventFilter | None = None, *args: Any, **kwargs: Any) -> Any:
            mine = flt is not None and flt.text == needle and threading.current_thread() is not threading.main_thread()
            if mine:
                self.calls += 1
                mine = self.calls == nth
            if mine and not after:
                hold()
            result = original(flt, *args, **kwargs)
            if mine and after:
                hold()
            return result

        setattr(journal, method, held)

    async def reached(self) -> None:
        await asyncio.to_thread(self.entered.wait, 10)
        assert self.entered.is_set()


@pytest.fixture
def journal(tmp_path: Path) -> Iterator[Journal]:
    with Journal(tmp_path / "data", retention=Retention(days=None, max_rows=None)) as jr:
        jr.add(event(i) for i in range(2000))
        yield jr


@pytest.fixture
def panel(qapp, journal: Journal, tmp_path: Path, run: Callable[..., Any]) -> Iterator[EventsPanel]:
    stream = EventStream(NoServer(), journal)
    shown = EventsPanel(journal, stream, Settings(tmp_path / "settings.toml"))
    shown.resize(1400, 800)
    shown.show()
    yield shown
    run(shown.stop())
    shown.close()
    shown.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def test_a_needle_typed_while_the_previous_search_runs_shows_only_the_last(panel, journal, run) -> None:
    model = panel.model
    applied: list[EventFilter] = []
    model.modelReset.connect(lambda: applied.append(model.filter))
    gate = Gate(journal, "o")

    async def scenario() -> None:
        panel.filters.set_text("o")  # one letter: read in the worker thread, held there by the gate
        assert not panel.searching_label.isVisible()  # not at once: a quick answer never flickers
        assert panel.count_label.text() == "2,000 events in the journal"
        await gate.reached()
        assert panel.searching
        assert model.filter == EventFilter()  # the previous rows stay meanwhile
        assert model.rowCount() == 2000
        # the window answers meanwhile: its timers run, it says it is searching, a live batch is shown
        await aio.wait_signal(_single_shot(), timeout=5)
        await until(panel.searching_label.isVisible)
        assert panel.count_label.text() == "Searching the journal…"
        assert "“o”" in panel.searching_label.text()
        live = [event(i) for i in range(2000, 2010)]
        journal.add(live)
        panel._on_events(live)
        assert model.key_at(0) == "k0002009"
        # the operator types on: the last text is the one shown
        panel.filters.set_text("person 17")
        gate.release.set()
        await panel.searched()

    run(scenario())
    wanted = EventFilter(text="person 17")
    assert model.filter == wanted
    assert EventFilter(text="o") not in applied  # the first needle's answer was never shown
    assert model.rowCount() == journal.count(wanted) > 0
    assert all("person 17" in (model.event_at(r).person.casefold()) for r in range(model.rowCount()))
    assert not panel.searching_label.isVisible()
    assert panel.count_label.text() == f"{model.rowCount():,} events match the filter"


def _single_shot() -> Any:
    """A QTimer's timeout a turn of the loop later: the loop is free to run it."""
    timer = QTimer()
    timer.setSingleShot(True)
    timer.start(0)
    _timers.append(timer)
    return timer.timeout


_timers: list[QTimer] = []


@pytest.mark.parametrize("written", ["before the count", "after the read"])
def test_a_live_batch_during_the_search_is_shown_exactly_once(panel, journal, run, written: str) -> None:
    """A batch the stream writes and announces while the worker reads: counted by the read, or written just
    after it; either way each of its events is one row, in its place."""
    model = panel.model
    needle = "door 3"
    before = written == "before the count"
    # held before its count, or after its last page read (the first page is read before and after the count)
    gate = Gate(journal, needle, "count" if before else "page", after=not before, nth=1 if before else 2)

    async def scenario() -> None:
        panel.filters.set_text(needle)
        await gate.reached()
        live = [event(i) for i in range(2000, 2035)]
        journal.add(live)
        panel._on_events(live)  # announced while the worker is held (still showing the previous filter)
        gate.release.set()
        await panel.searched()

    run(scenario())
    flt = EventFilter(text=needle)
    assert model.filter == flt
    keys = [model.key_at(r) for r in range(model.rowCount())]
    assert len(keys) == len(set(keys)) == journal.count(flt)
    times = [model.event_at(r).time for r in range(model.rowCount())]
    assert times == sorted(times, reverse=True)
    assert keys[:5] == [e.key for e in journal.page(flt, 0, 5, newest_first=True)]
    # the next live batch goes on top as usual
    more = [event(i) for i in range(2035, 2050)]
    journal.add(more)
    panel._on_events(more)
    assert model.rowCount() == journal.count(flt)
    assert model.key_at(0) == journal.page(flt, 0, 1, newest_first=True)[0].key


def test_the_selection_stays_on_its_event_across_a_search(panel, journal, run) -> None:
    model = panel.model
    target = next(r for r in range(model.rowCount()) if model.event_at(r).person == "Person 42")
    key = model.key_at(target)
    panel.select_row(target)
    panel.filters.set_text("person 42")
    run(panel.searched())
    assert model.filter.text == "person 42"
    assert panel.view.currentIndex().data(Role.KEY) == key
    assert panel.details.current is not None
    assert panel.details.current.key == key
    panel.filters.clear()  # no text: shown at once (the journal's indexes), the selection kept
    assert not panel.searching
    assert model.filter == EventFilter()
    assert panel.view.currentIndex().data(Role.KEY) == key


@pytest.mark.parametrize(("name", "columns"), [("dark", "as built"), ("light", "moved, hidden, scrolled")])
def test_the_table_painted_in_one_pass_looks_as_qt_paints_it(
    qapp, panel, journal, monkeypatch, name: str, columns: str
) -> None:
    """Every kind of row (alarm, warning, back-filled, selected, a text too long for its column) is painted
    exactly as QTableView painting cell by cell through the delegate would, whatever the operator did to the
    columns (moved, hidden, scrolled sideways)."""
    theme.apply_theme(qapp, name)
    if columns != "as built":
        header = panel.view.horizontalHeader()
        header.moveSection(header.visualIndex(Column.SEVERITY), 4)
        header.setSectionHidden(Column.READER, True)
        header.resizeSection(Column.EVENT, 90)  # "Access Denied" and the like cut short
        panel.view.horizontalScrollBar().setValue(37)
    extra = [
        replace(event(3000 + i), backfilled=i % 2 == 0) for i in range(6)
    ] + [event(3010, point="A door name far too long for its column, elided at its end by the view")]
    journal.add(extra)
    panel.model.add_events(extra)
    panel.select_row(2)
    QCoreApplication.processEvents()
    view = panel.view
    assert isinstance(view, EventTableView)
    ours = view.viewport().grab().toImage()
    assert view.painted_rows > 20
    monkeypatch.setattr(EventTableView, "paintEvent", QTableView.paintEvent)
    theirs = view.viewport().grab().toImage()
    assert ours == theirs



def test_a_late_old_event_under_a_free_text_filter_is_recounted_in_the_worker(panel, journal, run) -> None:
    """A back-filled event older than the rows in view belongs in the middle of the rows: the recount of a
    free-text filter runs in the worker thread, never in the GUI thread, and the event lands in its place."""
    model = panel.model
    panel.filters.set_text("door 2")
    run(panel.searched())
    flt = model.filter
    counted_in_gui: list[EventFilter | None] = []
    original = journal.count

    def count(f: EventFilter | None = None, *args: Any, **kwargs: Any) -> int:
        if threading.current_thread() is threading.main_thread():
            counted_in_gui.append(f)
        return original(f, *args, **kwargs)

    journal.count = count  # type: ignore[method-assign]
    late = [event(10_000, time=START + timedelta(seconds=500, milliseconds=500), point="Door 2", backfilled=True)]
    journal.add(late)
    panel._on_events(late)
    assert panel.searching  # asked for again, in the worker
    run(panel.searched())
    assert counted_in_gui == []
    keys = [model.key_at(r) for r in range(model.rowCount())]
    assert len(keys) == original(flt)
    row = keys.index("k0010000")
    assert model.event_at(row - 1).time > late[0].time > model.event_at(row + 1).time


def test_a_jump_reads_the_rows_in_view_in_one_query(panel, journal) -> None:
    """Rows in view from two pages not in memory are read with one query (deep down, SQLite walks the
    index to the offset once), and they are the journal's rows."""
    model, view = panel.model, panel.view
    reads: list[tuple[int, int]] = []
    original = journal.page

    def page(flt: EventFilter | None = None, offset: int = 0, limit: int = 200, **kwargs: Any) -> list[Event]:
        reads.append((offset, limit))
        return original(flt, offset, limit, **kwargs)

    journal.page = page  # type: ignore[method-assign]
    size = model.page_size
    row = 1500 - size // 2 + 3  # a page boundary in the middle of the view
    view.scrollTo(model.index(row, 0), QTableView.ScrollHint.PositionAtTop)
    view.viewport().repaint()
    assert len(reads) == 1
    assert reads[0][1] >= 2 * size
    first, last = view.rowAt(0), view.rowAt(view.viewport().height() - 1)
    assert first < (first // size + 1) * size <= last  # the view does straddle two pages
    expected = [e.key for e in original(EventFilter(), first, last - first + 1, newest_first=True)]
    assert [model.key_at(r) for r in range(first, last + 1)] == expected
