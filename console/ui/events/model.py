"""The events table: a virtual Qt model over the journal, newest first, with live events prepended cheaply.

Rows are never all in memory. The model knows the number of rows matching its filter (one ``count`` when the
filter changes) and reads them from the journal in pages of ``page_size`` into a small LRU cache, when the
view asks for them. Live events (``stream.events_added``, already stored in the journal when they arrive)
that match the filter are inserted at the top with ``beginInsertRows``, kept in a "head" list; pages keep
their offsets because every page is read at ``offset + len(head)``. When the head grows large it is folded
into the pages (no query, no visible change).

Timing: the stream writes a batch to the journal from a worker thread and announces it on the GUI thread a
moment later. A page read in between already holds that batch; it is therefore dropped when the batch is
announced (pages carry the number of the batch they were read after). A reset done in between may or may not
have counted that batch: the reset's first page tells (it holds the batch's rows if it was written before, and
a row newer than the page's last one had it been there: ``_Top``); only when it cannot tell is it redone.

A free-text filter (a one-letter needle scans the journal: ~1 s at a million events) is read in a worker
thread: :meth:`EventTableModel.read` counts it and reads its first page there, :meth:`~EventTableModel.apply`
shows the result in the GUI thread, placing the live batches announced meanwhile the same way (counted by the
read, or rows on top). With ``deferred_reads`` (the panel) a recount of such a filter is asked for with
``read_wanted`` instead of being run here.

An event older than the oldest live row in the view (a back-fill after an outage, a device clock behind)
belongs somewhere in the middle of history: the model is then reset (a recount and a fresh first page);
the panel keeps the operator's place and selection by key.
"""

from __future__ import annotations

import bisect
import logging
from collections import OrderedDict, deque
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont

from console.services.events import Event, EventFilter, Journal, JournalError, Level
from console.services.events.model import format_time
from console.services.people_names import PeopleNames
from console.ui import theme

from . import style

__all__ = ["HEADERS", "Column", "EventTableModel", "FilterRead", "Role"]

log = logging.getLogger(__name__)

Index = QModelIndex | QPersistentModelIndex


class Column(IntEnum):
    TIME = 0
    SEVERITY = 1
    EVENT = 2
    PERSON = 3
    POINT = 4
    READER = 5
    DEVICE = 6
    VERIFY = 7
    AREA = 8
    SOURCE = 9


HEADERS: dict[Column, str] = {
    Column.TIME: "Time",
    Column.SEVERITY: "Severity",
    Column.EVENT: "Event",
    Column.PERSON: "Person",
    Column.POINT: "Door / point",
    Column.READER: "Reader",
    Column.DEVICE: "Device",
    Column.VERIFY: "Verification",
    Column.AREA: "Area",
    Column.SOURCE: "Source",
}


class Role(IntEnum):
    EVENT = Qt.ItemDataRole.UserRole + 1
    KEY = Qt.ItemDataRole.UserRole + 2
    LEVEL = Qt.ItemDataRole.UserRole + 3
    BACKFILLED = Qt.ItemDataRole.UserRole + 4


def cell_text(event: Event, column: Column, names: PeopleNames | None = None) -> str:
    """What a cell says (server text, cut; the view elides it further); ``names``: the connection's pin cache."""
    if column is Column.TIME:
        text = format_time(event.time)
    elif column is Column.SEVERITY:
        text = style.level_word(event.level)
    elif column is Column.EVENT:
        text = style.event_text(event)
    elif column is Column.PERSON:
        text = style.person_text(event, names)
    elif column is Column.POINT:
        text = event.point
    elif column is Column.READER:
        text = event.reader
    elif column is Column.DEVICE:
        text = event.device
    elif column is Column.VERIFY:
        text = event.verify_mode
    elif column is Column.AREA:
        text = event.area
    else:
        text = style.SOURCE_WORDS[event.source]
    return style.cut(text)


@dataclass(frozen=True)
class FilterRead:
    """What :meth:`EventTableModel.read` found for a filter in a worker thread, for :meth:`~EventTableModel.apply`.

    ``batch``: live batches the model had been given when the read began (each of them is in ``count``);
    ``rows``: the rows of the events asked for (the selection, the top row), where the read found them (not
    counting live rows that :meth:`~EventTableModel.apply` puts above them).
    """

    filter: EventFilter
    count: int
    capped: bool
    first: list[Event]
    batch: int
    rows: dict[str, int]
    failed: bool = False
    stable: bool = True  # no batch was written between the count and the first page


@dataclass(frozen=True)
class _Top:
    """The first page read by a reset: whether a live batch announced later was already counted."""

    keys: frozenset[str]
    floor: datetime | None  # the time of its last row; None: the page holds every matching row

    def counted(self, events: Sequence[Event]) -> bool | None:
        """Whether ``events`` (one batch, written in one transaction) were in the journal when it was read;
        None when the page cannot tell (every one of them older than its rows)."""
        if any(e.key in self.keys for e in events):
            return True
        if self.floor is None or any(e.time > self.floor for e in events):
            return False  # a row newer than the page's last one would be in the page had it been there
        return None


def _same_rows(a: Sequence[Event], b: Sequence[Event]) -> bool:
    return len(a) == len(b) and all(x.key == y.key for x, y in zip(a, b, strict=True))


def backfill_note(event: Event) -> str:
    when = f" at {event.received.strftime('%H:%M:%S')}" if event.received else ""
    return f"Back-filled{when}: this event was fetched after a gap in polling (an outage or the console closed)."


class EventTableModel(QAbstractTableModel):
    """Events matching :attr:`filter`, newest first. ``add_events`` is the slot for ``stream.events_added``."""

    rows_prepended = Signal(int)  # live rows inserted at the top (the panel's "N new" and auto-scroll)
    read_wanted = Signal()  # (deferred_reads) the rows must be counted again: the panel reads in a worker

    def __init__(
        self,
        journal: Journal,
        flt: EventFilter | None = None,
        *,
        page_size: int = 50,
        max_pages: int = 160,
        max_head: int = 2000,  # live rows before a fold (issue 15: 5,000 held ~13 MB at a long shift's peak)
        parent: Any = None,
    ) -> None:
        super().__init__(parent)
        self.journal = journal
        self._filter = flt or EventFilter()
        self.page_size = max(10, page_size)
        self.max_pages = max(2, max_pages)
        self.max_head = max(1, max_head)
        self._head: list[Event] = []  # live rows above the pages, newest first
        self._head_times: list[float] = []  # -timestamp of each head row (ascending: for bisect)
        self._pages: OrderedDict[int, tuple[int, list[Event]]] = OrderedDict()  # page -> (batch no, rows)
        self._base = 0  # rows below the head (counted in the journal)
        self._boundary: datetime | None = None  # time of the first row below the head
        self._batch = 0  # live batches seen
        self._reset_batch = -1  # the batch number a reset was read after
        self._trim_pending = False
        self._cap: int | None = None  # the free-text count stopped at this many: more rows match (fetchMore)
        self.appending = False  # rows are being added at the bottom (fetchMore), not live ones on top
        self._inserting = 0  # rows of a live batch in the journal, not yet in the head (_add)
        # a free-text filter's recount is not run here but asked for with read_wanted (the panel runs it in a
        # worker thread and applies it): a one-letter needle scans the journal (~1 s at a million events)
        self.deferred_reads = False
        self._top: _Top | None = None  # the last reset's first page (see _Top)
        self._anchored: dict[str, int] | None = None  # rows found by the read being applied (apply)
        self._recent: deque[tuple[int, list[Event]]] = deque(maxlen=RECENT_BATCHES)  # (number, events)
        self._reading = False
        self._italic = QFont()
        self._italic.setItalic(True)
        self._bold = QFont()
        self._bold.setBold(True)
        self._cells: dict[str, tuple[Event, tuple[str, ...]]] = {}
        self.names: PeopleNames | None = None  # the connection's pin -> name cache (set by the workspace)
        self._colours: dict[Level, tuple[QColor | None, QColor | None]] = {}
        self._theme: theme.ThemePalette | None = None
        self._load_colours()
        self._reset_counts()

    # -- the filter and resets -------------------------------------------------------------------

    @property
    def filter(self) -> EventFilter:
        return self._filter

    def set_filter(self, flt: EventFilter) -> None:
        """Show the events matching ``flt`` (history and live alike)."""
        if flt == self._filter:
            return
        self._filter = flt
        self.refresh()

    def refresh(self) -> None:
        """Recount and reread from the journal."""
        self.beginResetModel()
        self._reset_counts()
        self.endResetModel()

    def _reset_counts(self) -> None:
        self._head.clear()
        self._head_times.clear()
        self._pages.clear()
        self._reset_batch = self._batch
        self._cap = None
        before: list[Event] = []
        try:
            before = self.journal.page(self._filter, 0, self.page_size, newest_first=True)
            if self._filter.text.strip():
                # a common word's exact count reads every matching row (100-300 ms at a million events): the
                # count stops at COUNT_CAP and the view fetches more when it is scrolled to the bottom
                self._base = self._capped_count(COUNT_CAP)
            else:
                self._base = self.journal.count(self._filter)
        except JournalError as exc:
            log.warning("the event journal cannot be read: %s", exc)
            self._base = 0
        first = self._page(0) if self._base else []
        self._boundary = first[0].time if first else None
        self._top = self._top_of(first) if _same_rows(before, first) or not self._base else None

    def _top_of(self, first: list[Event]) -> _Top:
        complete = len(first) < self.page_size
        return _Top(frozenset(e.key for e in first), None if complete or not first else first[-1].time)

    # -- reading a filter in a worker thread -------------------------------------------------------

    @property
    def reading(self) -> bool:
        """Set while a :meth:`read` runs for :meth:`apply`: the live batches announced meanwhile are kept."""
        return self._reading

    @reading.setter
    def reading(self, value: bool) -> None:
        self._reading = value
        if not value:
            self._recent.clear()

    def read(self, flt: EventFilter, wanted: Sequence[Event] = ()) -> FilterRead:
        """Count ``flt``'s rows and read its first page, and the rows of ``wanted`` (by key): the journal
        only, safe in a worker thread. :meth:`apply` shows the result."""
        batch = self._batch  # an int read under the GIL: batches announced before this are in the count
        try:
            for _attempt in range(READ_ATTEMPTS):
                # the first page before and after the count: the same rows, or a batch was written meanwhile
                # (the count and the page may disagree about it): read again
                before = self.journal.page(flt, 0, self.page_size, newest_first=True)
                if flt.text.strip():
                    n = self.journal.count(flt, cap=COUNT_CAP)
                    capped = n > COUNT_CAP
                    n = min(n, COUNT_CAP)
                else:
                    n, capped = self.journal.count(flt), False
                first = self.journal.page(flt, 0, self.page_size, newest_first=True) if n else []
                stable = _same_rows(before, first) or not n
                if stable:
                    break
            rows: dict[str, int] = {}
            for event in wanted:
                row = self._journal_row(flt, event, first)
                if row is not None and row < n:
                    rows[event.key] = row
        except JournalError as exc:
            log.warning("the event journal cannot be read: %s", exc)
            return FilterRead(flt, 0, False, [], batch, {}, failed=True)
        return FilterRead(flt, n, capped, first, batch, rows, stable=stable)

    def _journal_row(self, flt: EventFilter, event: Event, first: list[Event], scan: int = 500) -> int | None:
        for i, row in enumerate(first):
            if row.key == event.key:
                return i
        if not flt.matches(event):
            return None
        second = event.time.replace(microsecond=0)
        newer = self.journal.count(replace(flt, since=second + timedelta(seconds=1)))
        upto = self.journal.count(replace(flt, since=second))
        rows = self.journal.page(flt, newer, min(upto - newer, scan), newest_first=True) if upto > newer else []
        for i, row in enumerate(rows):
            if row.key == event.key:
                return newer + i
        return None

    def apply(self, read: FilterRead) -> bool:
        """Show what :meth:`read` found (a model reset). False when it cannot be used (a live batch announced
        meanwhile that it cannot place): read again. ``read.rows`` then hold the rows of the model."""
        announced = self._batch - read.batch  # live batches announced since the read began
        late = [events for number, events in self._recent if number >= read.batch]
        if len(late) < announced:
            return False  # more than are remembered
        top = self._top_of(read.first) if read.stable else None
        boundary = read.first[0].time if read.first else None
        head: dict[str, Event] = {}
        for events in late:
            wanted = [e for e in events if read.filter.matches(e)]
            counted = (top.counted(wanted) if top is not None else None) if wanted else True
            if counted is None or (not counted and boundary is not None and any(e.time < boundary for e in wanted)):
                return False  # in the middle of the rows read: read again (it will be counted then)
            if not counted:
                head.update((e.key, e) for e in wanted)
        rows = sorted(head.values(), key=lambda e: e.time, reverse=True)
        self.beginResetModel()
        self._filter = read.filter
        self._head.clear()
        self._head_times.clear()
        self._pages.clear()
        self._reset_batch = self._batch
        self._cap = COUNT_CAP if read.capped else None
        self._base = read.count
        self._head[:] = rows
        self._head_times[:] = [-e.time.timestamp() for e in rows]
        if read.first:
            self._pages[0] = (self._batch, list(read.first))
        self._boundary = boundary
        self._top = top
        # where the panel's anchors (selection, top row) are now, for row_of while the view is told of the reset
        self._anchored = {k: r + len(rows) for k, r in read.rows.items()}
        try:
            self.endResetModel()
        finally:
            self._anchored = None
        return True

    def _capped_count(self, cap: int | None) -> int:
        n = self.journal.count(self._filter, cap=cap)
        if cap is not None and n > cap:
            self._cap = cap
            return cap
        self._cap = None
        return n

    @property
    def count_is_lower_bound(self) -> bool:
        """True while the free-text count stopped early: more rows match than :meth:`rowCount` says."""
        return self._cap is not None

    def canFetchMore(self, parent: Index) -> bool:
        return not parent.isValid() and self._cap is not None

    def fetchMore(self, parent: Index) -> None:
        """The view reached the bottom of a capped count: count further (ten times as far, then exactly)."""
        if parent.isValid() or self._cap is None:
            return
        cap = self._cap * 10 if self._cap * 10 < COUNT_EXACT else None
        try:
            n = self._capped_count(cap)
        except JournalError as exc:
            log.warning("the event journal cannot be read: %s", exc)
            self._cap = None
            return
        if n <= self._base:
            return
        first = len(self._head) + self._base
        self.appending = True
        try:
            self.beginInsertRows(QModelIndex(), first, first + n - self._base - 1)
            self._base = n
            self.endInsertRows()
        finally:
            self.appending = False

    def _fold_head(self) -> None:
        """The head becomes part of the pages (no query: the journal holds exactly these rows).

        The rows already in memory from the top down (the head, then the cached pages that follow it
        without a hole) are cut into the new pages, so the rows on screen need no reading: the first
        :data:`FOLD_PAGES` pages only (the rest is read again when shown, as any page: a long shift's memory
        stays flat instead of keeping ``max_pages`` pages of rows nobody looks at).
        """
        if not self._head:
            return
        keep = min(FOLD_PAGES, self.max_pages) * self.page_size
        known = self._head[:keep]
        number = 0
        while len(known) < keep and number in self._pages:
            rows = self._pages[number][1]
            known.extend(rows)
            if len(rows) < self.page_size:
                break
            number += 1
        self._base += len(self._head)
        self._boundary = self._head[0].time
        self._head.clear()
        self._head_times.clear()
        self._pages.clear()
        size = self.page_size
        for page in range(min(len(known), keep) // size):
            self._pages[page] = (self._batch, known[page * size : (page + 1) * size])

    # -- reading ---------------------------------------------------------------------------------

    def _page(self, number: int) -> list[Event]:
        cached = self._pages.get(number)
        if cached is not None:
            self._pages.move_to_end(number)
            return cached[1]
        try:
            rows = self.journal.page(
                self._filter, number * self.page_size + len(self._head) + self._inserting, self.page_size,
                newest_first=True,
            )
        except JournalError as exc:
            log.warning("the event journal cannot be read: %s", exc)
            return []
        if self._inserting:
            return rows
        self._pages[number] = (self._batch, rows)
        while len(self._pages) > self.max_pages:
            self._pages.popitem(last=False)
        expected = min(self.page_size, self._base - number * self.page_size)
        if len(rows) < expected and not self._trim_pending:
            # retention removed the oldest rows meanwhile: shorten the table once the view is done painting
            self._trim_pending = True
            QTimer.singleShot(0, lambda: self._trim(number * self.page_size + len(rows)))
        return rows

    def _trim(self, base: int) -> None:
        self._trim_pending = False
        if base >= self._base:
            return
        first = len(self._head) + base
        self.beginRemoveRows(QModelIndex(), first, len(self._head) + self._base - 1)
        self._base = base
        for number in [n for n in self._pages if n * self.page_size >= base]:
            del self._pages[number]
        self.endRemoveRows()

    def event_at(self, row: int) -> Event | None:
        if row < 0:
            return None
        if row < len(self._head):
            return self._head[row]
        row -= len(self._head)
        if row >= self._base:
            return None
        page = self._page(row // self.page_size)
        offset = row % self.page_size
        return page[offset] if offset < len(page) else None

    def load_rows(self, first: int, last: int) -> None:
        """Read the pages that hold rows ``first`` to ``last`` (those a paint is about to show) and are not in
        memory, in one query: a jump deep down pays SQLite's walk to the offset once, not once a page."""
        head = len(self._head)
        low, high = max(first - head, 0), min(last - head, self._base - 1)
        if high < low or self._inserting:
            return
        size = self.page_size
        missing = [n for n in range(low // size, high // size + 1) if n not in self._pages]
        if len(missing) < 2:
            return  # one page (or none): event_at reads it
        top, bottom = missing[0], missing[-1]
        try:
            rows = self.journal.page(self._filter, top * size + head, (bottom - top + 1) * size, newest_first=True)
        except JournalError as exc:
            log.warning("the event journal cannot be read: %s", exc)
            return
        for number in missing:
            part = rows[(number - top) * size : (number - top + 1) * size]
            if len(part) == min(size, self._base - number * size):  # short: event_at reads it (and trims)
                self._pages[number] = (self._batch, part)
        while len(self._pages) > self.max_pages:
            self._pages.popitem(last=False)

    def key_at(self, row: int) -> str | None:
        event = self.event_at(row)
        return event.key if event is not None else None

    def cached_row_of(self, key: str) -> int | None:
        """The row of ``key`` if it is in memory (head or cached pages); None otherwise."""
        for i, event in enumerate(self._head):
            if event.key == key:
                return i
        for number, (_, rows) in self._pages.items():
            for i, event in enumerate(rows):
                if event.key == key:
                    return len(self._head) + number * self.page_size + i
        return None

    def row_of(self, event: Event, *, scan: int = 500) -> int | None:
        """The row of ``event`` (by key), reading the journal if needed (two counts and a page or two).

        Rows are ordered by time, newest first, then by arrival: the event is among the rows of its second,
        which start after every newer row.
        """
        row = self.cached_row_of(event.key)
        if row is not None:
            return row
        if self._anchored is not None:  # a reset from a worker's read: it looked for the event already
            return self._anchored.get(event.key)
        if not self._filter.matches(event):
            return None
        second = event.time.replace(microsecond=0)
        try:
            newer = self.journal.count(replace(self._filter, since=second + timedelta(seconds=1)))
            upto = self.journal.count(replace(self._filter, since=second))
        except JournalError:
            return None
        for candidate in range(newer, min(upto, newer + scan)):
            if self.key_at(candidate) == event.key:
                return candidate
        return None

    # -- live events -----------------------------------------------------------------------------

    def add_events(self, events: Sequence[Event]) -> int:
        """New events from the stream (already in the journal): those matching the filter are shown.

        Returns how many rows were added. Events newer than every row below the live ones go in with
        ``beginInsertRows``; an older one (a back-fill) resets the model.
        """
        batch = self._batch
        try:
            return self._add(events, batch)
        finally:
            self._batch = batch + 1  # reads from now on may already hold the next batch

    def _add(self, events: Sequence[Event], batch: int) -> int:
        # pages read since the previous batch may already hold this one: read them again
        for number in [n for n, (b, _) in self._pages.items() if b >= batch]:
            del self._pages[number]
        if self.reading:
            self._recent.append((batch, list(events)))
        wanted = list(events) if self._filter == _EVERYTHING else [e for e in events if self._filter.matches(e)]
        if not wanted:
            return 0
        if self._reset_batch >= batch:
            # the last reset may have been counted after this batch was written: its first page tells
            counted = self._top.counted(wanted) if self._top is not None else None
            if counted is None:
                self._recount()
                return len(wanted)
            if counted:
                return 0
        known = {e.key for e in self._head}
        wanted = [e for e in wanted if e.key not in known]
        if not wanted:
            return 0
        if self._boundary is not None and any(e.time < self._boundary for e in wanted):
            self._recount()
            return len(wanted)
        wanted.sort(key=lambda e: e.time, reverse=True)
        # a page read while the rows go in (a model tester reads the old rows) is read past the batch's rows not
        # yet in the head (they are in the journal already), and not kept
        self._inserting = len(wanted)
        try:
            if not self._head or wanted[-1].time >= self._head[0].time:
                n = len(wanted)
                self.beginInsertRows(QModelIndex(), 0, n - 1)
                self._head[:0] = wanted
                self._head_times[:0] = [-e.time.timestamp() for e in wanted]
                self._inserting = 0
                self.endInsertRows()
            else:
                for event in reversed(wanted):  # oldest first: each one goes above the older rows of its second
                    stamp = -event.time.timestamp()
                    row = bisect.bisect_left(self._head_times, stamp)
                    self.beginInsertRows(QModelIndex(), row, row)
                    self._head.insert(row, event)
                    self._head_times.insert(row, stamp)
                    self._inserting -= 1
                    self.endInsertRows()
        finally:
            self._inserting = 0
        self.rows_prepended.emit(len(wanted))
        if len(self._head) > self.max_head:
            self._fold_head()
            self._refresh_all()
        return len(wanted)

    def update_event(self, event: Event) -> None:
        """An event changed in the journal (an acknowledgement): repaint its row if it is shown."""
        row = self.cached_row_of(event.key)
        if row is None:
            return
        if row < len(self._head):
            self._head[row] = event
        else:
            r = row - len(self._head)
            number, offset = divmod(r, self.page_size)
            cached = self._pages.get(number)
            if cached is not None and offset < len(cached[1]):
                cached[1][offset] = event
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(Column) - 1))

    def _recount(self) -> None:
        """The rows must be counted again: here, or (a free-text filter, deferred_reads) in the panel's worker."""
        if self.deferred_reads and self._filter.text.strip():
            self.read_wanted.emit()
        else:
            self.refresh()

    def _refresh_all(self) -> None:
        if self.rowCount():
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, len(Column) - 1))

    def names_known(self, _pins: object = None) -> None:
        """Names of pins became known: the rows say them now."""
        self._cells.clear()
        self._refresh_all()

    def restyle(self) -> None:
        """The theme changed: repaint every visible cell (colours and icons come from it)."""
        self._load_colours()
        self._refresh_all()
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(Column) - 1)

    # -- cells -------------------------------------------------------------------------------------

    def cells(self, event: Event) -> tuple[str, ...]:
        """The texts of ``event``'s row (cached: painting asks for them often)."""
        cached = self._cells.get(event.key)
        if cached is None or cached[0] is not event:
            if len(self._cells) > CELL_CACHE:
                self._cells.clear()
            cached = (event, tuple(cell_text(event, column, self.names) for column in Column))
            self._cells[event.key] = cached
        return cached[1]

    def level_colours(self, level: Level) -> tuple[QColor | None, QColor | None]:
        """(text, background) of a row of ``level`` in the current theme."""
        if self._theme is not theme.current():
            self._load_colours()
        return self._colours[level]

    def _load_colours(self) -> None:
        self._theme = theme.current()
        self._colours = {level: (style.level_foreground(level), style.level_background(level)) for level in Level}

    # -- Qt --------------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._head) + self._base

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else COLUMNS

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < COLUMNS:
            if role == _DISPLAY:
                return HEADERS[Column(section)]
            if role == _TOOLTIP and section == Column.PERSON:
                return "Pin and name (the live monitor sends the pin only; select a row to look the person up)"
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        return _FLAGS if index.isValid() else _NO_FLAGS

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        column = index.column()
        if not 0 <= column < COLUMNS:
            return None
        event = self.event_at(index.row())
        if event is None:
            return "…" if role == _DISPLAY else None
        if role in (_DISPLAY, _ACCESSIBLE):
            return self.cells(event)[column]
        if role == _DECORATION:
            if column == _SEVERITY:
                return style.level_icon(event.level)
            if column == _TIME and event.backfilled:
                return style.backfill_icon()
            return None
        if role == _FOREGROUND:
            if column == _SEVERITY or event.level is Level.ALARM:
                return self.level_colours(event.level)[0]
            return None
        if role == _BACKGROUND:
            return self.level_colours(event.level)[1]
        if role == _FONT:
            if event.backfilled:
                return self._italic
            if column == _SEVERITY and event.level is not Level.NORMAL:
                return self._bold
            return None
        if role == _TOOLTIP:
            parts = [self.cells(event)[column]] if column != _TIME else [format_time(event.time)]
            if column == Column.DEVICE and event.device_sn and event.device_sn != event.device:
                parts.append(f"serial {event.device_sn}")
            if event.backfilled:
                parts.append(backfill_note(event))
            return style.plain_tooltip("\n".join(p for p in parts if p))
        if role == Role.EVENT:
            return event
        if role == Role.KEY:
            return event.key
        if role == Role.LEVEL:
            return int(event.level)
        if role == Role.BACKFILLED:
            return event.backfilled
        return None


COLUMNS = len(Column)
COUNT_CAP = 1000
"""A free-text filter counts its matches up to this many at first ("1,000+ events match the filter")."""
COUNT_EXACT = 100_000
"""Scrolled to the bottom again and again, the capped count grows tenfold, then is counted exactly from here."""
CELL_CACHE = 4000
_EVERYTHING = EventFilter()
FOLD_PAGES = 10
"""Pages kept in memory when the live head is folded into them (the top 1,000 rows; see ``_fold_head``)."""
READ_ATTEMPTS = 3
"""EventTableModel.read counts again when a batch was written meanwhile, this many times at most."""
RECENT_BATCHES = 16
"""Live batches remembered for :meth:`EventTableModel.apply` (those announced while a filter was read; more:
it reads again)."""
_DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
_ACCESSIBLE = int(Qt.ItemDataRole.AccessibleTextRole.value)
_DECORATION = int(Qt.ItemDataRole.DecorationRole.value)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole.value)
_BACKGROUND = int(Qt.ItemDataRole.BackgroundRole.value)
_FONT = int(Qt.ItemDataRole.FontRole.value)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole.value)
_SEVERITY = int(Column.SEVERITY)
_TIME = int(Column.TIME)
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
_NO_FLAGS = Qt.ItemFlag.NoItemFlags
