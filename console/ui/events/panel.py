"""The live event monitor: filter bar, the virtual events table, details, the rate chart and nuisance doors.

``EventsPanel(session, journal, stream, settings)``; ``await panel.start()`` starts the stream's polling task,
``await panel.stop()`` ends it. ``refresh_now()`` polls at once (F5), ``focus_filter()`` focuses the search
(Ctrl+F), ``door_requested(str)`` carries the door / point name of the event whose "show door" button was
pressed. The logic of every action is a coroutine (``export_csv``, ``refresh_stats``, ``poll_now``) that tests
await directly.

Auto-scroll: the table shows the newest event first and follows new events while it is scrolled to the top.
Once the operator scrolls down, the rows in view stay put as events arrive and "jump to latest" offers the
way back.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QEvent, QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from console.api import Client
from console.services.events import (
    Event,
    EventFilter,
    EventStream,
    Gap,
    Journal,
    JournalError,
    Level,
    SourceState,
    SourceStatus,
    export_csv,
)
from console.services.options import EventsOptions
from console.services.settings import Settings
from console.ui import theme

from .. import aio
from ..banner import Banner, BannerKind
from ..flow import FlowLayout
from . import style
from .delegate import EventDelegate
from .details import DetailsPane
from .filters import FilterBar
from .model import Column, EventTableModel, Role
from .stats import NUISANCE_DAYS, NuisanceList, RateChart, minute_counts, nuisance_doors
from .view import EventTableView

__all__ = ["EventsPanel", "GapBanner"]

log = logging.getLogger(__name__)

COLUMN_WIDTHS = {
    Column.TIME: 178, Column.SEVERITY: 96, Column.EVENT: 210, Column.PERSON: 170, Column.POINT: 160,
    Column.READER: 150, Column.DEVICE: 140, Column.VERIFY: 100, Column.AREA: 110, Column.SOURCE: 100,
}
NUISANCE_REFRESH_MS = 5 * 60_000
NUISANCE_AFTER_ALARM_MS = 15_000
MAX_BANNER_LINES = 4
SEARCHING_AFTER_MS = 150  # a free-text filter still being read after this long says "Searching…"
DETAILS_MIN_WIDTH = 260


class GapBanner(Banner):
    """What the stream did about gaps in polling, in words: "back-filled 37 access events from 02:10 to 02:14".

    The panels' :class:`~console.ui.banner.Banner` keeping the last few lines: ``post`` adds one."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("gapBanner", "Gaps in the event stream", parent)
        self.lines: list[str] = []

    def post(self, text: str, kind: str = "info", replace_prefix: str | None = None) -> None:
        """Add a line (``kind``: info, ok or fail); a line starting with ``replace_prefix`` is replaced."""
        if replace_prefix:
            self.lines = [line for line in self.lines if not line.startswith(replace_prefix)]
        self.lines.append(text)
        self.lines = self.lines[-MAX_BANNER_LINES:]
        shown: BannerKind = "ok" if kind == "ok" else ("alarm" if kind == "fail" else "info")
        self.show_message(shown, "\n".join(self.lines))

    def dismiss(self) -> None:
        self.lines.clear()
        super().dismiss()


def _source_line(status: SourceStatus) -> tuple[str, str]:
    """(words, level) for one source in the status line."""
    name = style.SOURCE_WORDS[status.source]
    if status.state is SourceState.OK:
        return f"● {name}: live", "ok"
    if status.state is SourceState.STARTING:
        return f"○ {name}: connecting", "info"
    if status.state is SourceState.UNAVAILABLE:
        return f"– {name}: not on this server", "muted"
    since = f" since {status.failing_since.strftime('%H:%M:%S')}" if status.failing_since else ""
    return f"✗ {name}: no answer{since}, will back-fill", "fail"


class EventsPanel(QWidget):
    """Every access, gate and temperature event, live and from the journal."""

    door_requested = Signal(str)
    search_done = Signal()  # a free-text filter read in the worker thread is shown (or was given up for another)

    def __init__(
        self,
        journal: Journal,
        stream: EventStream,
        settings: Settings,
        parent: QWidget | None = None,
        *,
        client: Client | None = None,
        export_dir: Path | None = None,
        clock: Callable[[], datetime] = datetime.now,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("eventsPanel")
        self.client = client
        self.journal = journal
        self.stream = stream
        self.settings = settings
        self.options = settings.panel(EventsOptions)
        self.export_dir = export_dir
        self._clock = clock
        self._started = False
        self._stats_task: asyncio.Task[None] | None = None
        self._following = True
        self._anchoring = False
        self._restyle_pending = False
        self._resetting = False
        self._unseen = 0
        self._selected_key: str | None = None
        self._anchor: tuple[Event | None, Event | None] = (None, None)  # (top row, selection) across resets
        self.exported: list[tuple[Path, int]] = []
        self._wanted: EventFilter | None = None  # a free-text filter being read in a worker thread
        self._read_task: asyncio.Task[None] | None = None

        self.model = EventTableModel(journal, parent=self)
        self.model.deferred_reads = True  # a free-text recount runs in a worker (read_wanted)
        self.model.read_wanted.connect(self._reread)
        self._build()
        self._unsubscribe: list[Callable[[], None]] = [
            stream.events_added.connect(self._on_events),
            stream.source_state.connect(self._on_source_state),
            stream.gap_opened.connect(self._on_gap_opened),
            stream.gap_backfilled.connect(self._on_gap_backfilled),
        ]
        unsubscribe = self._unsubscribe
        self.destroyed.connect(lambda *_: [u() for u in unsubscribe])
        self._restore_settings()
        self._update_sources()
        self._update_count()

    # -- building --------------------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(6)

        self.filters = FilterBar(self._choices, clock=self._clock)
        self.filters.changed.connect(self._filter_changed)
        layout.addWidget(self.filters)

        self.banner = GapBanner()
        layout.addWidget(self.banner)

        # what the stream is doing, how many rows, and what to do with them; wraps in a narrow dock
        self.status_bar = QWidget()
        self.status_bar.setObjectName("eventStatus")
        status = FlowLayout(self.status_bar, spacing=10, row_spacing=4)
        self.sources_label = QLabel()
        self.sources_label.setObjectName("eventSources")
        self.sources_label.setTextFormat(Qt.TextFormat.PlainText)
        self.sources_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        status.addWidget(self.sources_label)
        self.count_label = QLabel()
        self.count_label.setObjectName("eventCount")
        self.count_label.setTextFormat(Qt.TextFormat.PlainText)
        status.addWidget(self.count_label)
        self.jump_button = QPushButton("⤒ Jump to latest")
        self.jump_button.setObjectName("jumpToLatest")
        self.jump_button.setToolTip("Auto-scroll is paused while you look at older events: go back to the newest")
        self.jump_button.clicked.connect(self.jump_to_latest)
        self.jump_button.hide()
        status.addWidget(self.jump_button)
        self.export_button = QPushButton("Export CSV…")
        self.export_button.setToolTip("Save the events matching the filter as a CSV file")
        self.export_button.clicked.connect(lambda: self._spawn(self.export_csv(), "export events"))
        status.addWidget(self.export_button)
        self.details_button = QToolButton()
        self.details_button.setObjectName("toggleDetails")
        self.details_button.setAccessibleName("Show or hide the details pane")
        self.details_button.clicked.connect(lambda: self.set_details_visible(not self.details_visible))
        status.addWidget(self.details_button)
        layout.addWidget(self.status_bar)

        self.view = EventTableView()
        self.view.setObjectName("eventsTable")
        self.view.setModel(self.model)
        self.delegate = EventDelegate(self.model, self.view)
        self.view.setItemDelegate(self.delegate)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerItem)
        self.view.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setWordWrap(False)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.setAlternatingRowColors(True)
        self.view.setShowGrid(False)
        self.view.setCornerButtonEnabled(False)
        self.view.setAccessibleName("Events, newest first")
        vheader = self.view.verticalHeader()
        vheader.hide()
        vheader.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vheader.setDefaultSectionSize(max(22, self.fontMetrics().height() + 8))
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setHighlightSections(False)
        for column, width in COLUMN_WIDTHS.items():
            self.view.setColumnWidth(column, width)
        self.view.verticalScrollBar().valueChanged.connect(self._scrolled)
        self.view.selectionModel().currentRowChanged.connect(self._current_changed)
        self.model.rowsInserted.connect(self._rows_inserted)
        self.model.modelAboutToBeReset.connect(self._before_reset)
        self.model.modelReset.connect(self._after_reset)
        # "Searching…" over the table while a free-text filter is read in the worker (after a moment only: a
        # quick answer never makes it flicker); the rows of the previous filter stay until the answer
        self.searching_label = QLabel("Searching the journal…", self.view)
        self.searching_label.setObjectName("eventsSearching")
        self.searching_label.setTextFormat(Qt.TextFormat.PlainText)
        self.searching_label.setAccessibleName("Searching the journal")
        self.searching_label.hide()
        self._searching_timer = QTimer(self)
        self._searching_timer.setSingleShot(True)
        self._searching_timer.setInterval(SEARCHING_AFTER_MS)
        self._searching_timer.timeout.connect(self._show_searching)

        self.details = DetailsPane(self.client)
        self.details.door_requested.connect(self.door_requested.emit)
        self.details.setMinimumWidth(DETAILS_MIN_WIDTH)

        self.chart = RateChart(self._clock)
        self.nuisance = NuisanceList()
        self.nuisance.setMinimumWidth(220)
        self.nuisance.door_activated.connect(self.show_door_events)
        bottom = QSplitter(Qt.Orientation.Horizontal)
        bottom.setObjectName("eventsStats")
        bottom.addWidget(self.chart)
        bottom.addWidget(self.nuisance)
        bottom.setStretchFactor(0, 3)
        bottom.setStretchFactor(1, 2)
        bottom.setChildrenCollapsible(True)
        bottom.setSizes([480, 320])

        left = QSplitter(Qt.Orientation.Vertical)
        left.setObjectName("eventsTableSplit")
        left.addWidget(self.view)
        left.addWidget(bottom)
        left.setStretchFactor(0, 4)
        left.setStretchFactor(1, 1)
        left.setCollapsible(0, False)
        # the table beside its details; the details fold away (button or drag) to give the table the room
        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.split.setObjectName("eventsSplit")
        self.split.addWidget(left)
        self.split.addWidget(self.details)
        self.split.setStretchFactor(0, 3)
        self.split.setStretchFactor(1, 1)
        self.split.setCollapsible(0, False)
        self.split.setCollapsible(1, True)
        self.split.setSizes([900, 340])
        self.split.splitterMoved.connect(lambda *_: self._details_moved())
        left.setSizes([520, 170])
        layout.addWidget(self.split, 1)
        self._details_width = 340
        self._update_details_button()

        self._nuisance_timer = QTimer(self)
        self._nuisance_timer.setInterval(NUISANCE_REFRESH_MS)
        self._nuisance_timer.timeout.connect(lambda: self._spawn(self.refresh_stats(chart=False), "nuisance doors"))
        self._nuisance_soon = QTimer(self)
        self._nuisance_soon.setSingleShot(True)
        self._nuisance_soon.setInterval(NUISANCE_AFTER_ALARM_MS)
        self._nuisance_soon.timeout.connect(lambda: self._spawn(self.refresh_stats(chart=False), "nuisance doors"))

        # (Ctrl+F is the main window's: it calls focus_filter() of the panel that has the focus)
        self.apply_theme()

    # -- settings --------------------------------------------------------------------------------

    def _restore_settings(self) -> None:
        columns = self.options.columns
        if columns:
            with contextlib.suppress(binascii.Error, ValueError):
                self.view.horizontalHeader().restoreState(QByteArray(base64.b64decode(columns, validate=True)))
        if self.options.details_hidden:
            self.set_details_visible(False)

    def _save_settings(self) -> None:
        self.options.columns = base64.b64encode(bytes(self.view.horizontalHeader().saveState().data())).decode()
        self.options.details_hidden = not self.details_visible
        self.settings.set_panel(self.options)

    # -- life cycle ------------------------------------------------------------------------------

    async def start(self) -> None:
        """Load the chart and the nuisance doors (the stream polls on its own: SessionServices)."""
        if not self._started:
            self._started = True
            self._nuisance_timer.start()
        await self.refresh_stats()

    async def stop(self) -> None:
        """Stop the panel's own work; the panel keeps showing the journal."""
        self._started = False
        self._nuisance_timer.stop()
        self._nuisance_soon.stop()
        self._wanted = None
        for task in (self._stats_task, self._read_task):
            if task is not None and not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        self._stats_task = self._read_task = None
        self._end_searching()
        with contextlib.suppress(RuntimeError):  # the C++ side may already be gone at shutdown
            self._save_settings()

    @property
    def running(self) -> bool:
        """Whether the events shown here are being received (the stream's poller runs)."""
        return self._started and self.stream.poller.running

    def refresh_now(self) -> None:
        """Poll now (F5), besides the regular polls."""
        if self.stream.poller.running:
            self.stream.poller.wake()
        else:
            self._spawn(self.poll_now(), "poll events now")

    async def poll_now(self) -> list[Event]:
        return await self.stream.poll_once()

    def focus_filter(self) -> bool:
        self.filters.focus()
        return True

    def set_operator(self, name: str) -> None:
        """Nothing here is written under the operator's name."""

    def _spawn(self, coro: Any, name: str) -> asyncio.Task[Any]:
        return aio.spawn(coro, owner=self, name=name)

    # -- live events -----------------------------------------------------------------------------

    def add_events(self, events: list[Event]) -> None:
        """Events new to the journal that did not come from the stream (alarms the console raises itself)."""
        self._on_events(events)

    def _on_events(self, events: list[Event]) -> None:
        self.model.add_events(events)
        self.chart.add(events)
        if any(e.level is Level.ALARM for e in events) and not self._nuisance_soon.isActive():
            self._nuisance_soon.start()
        self._update_count()

    def _on_source_state(self, _status: SourceStatus) -> None:
        self._update_sources()

    def _update_sources(self) -> None:
        parts = [_source_line(self.stream.status(src)) for src in self.stream.statuses]
        self.sources_label.setText("   ".join(text for text, _ in parts))
        levels = {level for _, level in parts}
        self.sources_label.setProperty("level", "fail" if "fail" in levels else "ok")
        self._style_sources()
        self.filters.set_sources(self.stream.available_sources)

    def _on_gap_opened(self, gap: Gap) -> None:
        span = f"{gap.start.strftime('%H:%M')} to {gap.end.strftime('%H:%M')}"
        self.banner.post(f"Fetching the {gap.source.value} events missed from {span}…", "info",
                         replace_prefix=f"Fetching the {gap.source.value} events")

    def _on_gap_backfilled(self, gap: Gap) -> None:
        text = gap.describe()
        if gap.status == "done" and gap.count == 0:
            span = f"from {gap.start.strftime('%H:%M')} to {gap.end.strftime('%H:%M')}"
            text = f"no {gap.source.value} events were missed {span} (checked after the gap in polling)"
        self.banner.post(text[:1].upper() + text[1:], "ok" if gap.status == "done" else "fail",
                         replace_prefix=f"Fetching the {gap.source.value} events")

    def _update_count(self) -> None:
        if self._wanted is not None and self.searching_label.isVisible():
            self.count_label.setToolTip("The rows below are those of the previous filter until the answer")
            self.count_label.setText("Searching the journal…")
            return
        n = self.model.rowCount()
        more = "+" if self.model.count_is_lower_bound else ""  # counted up to a cap: "1,000+ events"
        self.count_label.setToolTip(
            f"Counted up to {n:,}: scroll to the bottom of the table to count and show more" if more else ""
        )
        what = "event" if n == 1 and not more else "events"
        suffix = "" if self.model.filter.is_empty else " match the filter"
        verb = "" if suffix else " in the journal"
        if n == 0 and suffix:  # an empty list says what to do
            self.count_label.setText("No event matches the filter: press Clear to see every event")
            return
        self.count_label.setText(f"{n:,}{more} {what}{suffix or verb}")

    # -- scrolling -------------------------------------------------------------------------------

    @property
    def following(self) -> bool:
        """True while the table follows new events (scrolled to the newest)."""
        return self._following

    def _scrolled(self, value: int) -> None:
        if self._anchoring:
            return
        at_top = value <= self.view.verticalScrollBar().minimum()
        if at_top != self._following:
            self._following = at_top
            if at_top:
                self._unseen = 0
        self._update_jump()

    def _rows_inserted(self, parent: QModelIndex, first: int, last: int) -> None:
        if parent.isValid():
            return
        if self.model.appending:  # more of a capped count, at the bottom: not new events
            self._update_count()
            return
        n = last - first + 1
        bar = self.view.verticalScrollBar()
        if self._following:
            return  # rows appear on top: the view at row 0 shows them
        self._unseen += n
        if first <= bar.value():
            # keep the rows in view where they are: move the scroll position down by what came in above
            self._anchoring = True
            try:
                self.view.updateGeometries()
                bar.setValue(bar.value() + n)
            finally:
                self._anchoring = False
        self._update_jump()

    def _update_jump(self) -> None:
        if self._following:
            self.jump_button.hide()
            return
        self.jump_button.setText(f"⤒ Jump to latest ({self._unseen:,} new)" if self._unseen else "⤒ Jump to latest")
        self.jump_button.show()

    def jump_to_latest(self) -> None:
        self._unseen = 0
        self.view.scrollToTop()
        self._following = True
        self._update_jump()

    def _before_reset(self) -> None:
        self._resetting = True
        self._anchor = self._anchor_events()

    def _after_reset(self) -> None:
        self._resetting = False
        top_event, selected = self._anchor
        self._anchor = (None, None)
        self._update_count()
        row = self.model.row_of(selected) if selected is not None else None
        if row is not None:
            self.view.selectionModel().setCurrentIndex(
                self.model.index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
            )
        elif self._selected_key is not None:  # the filter hides it now
            self._selected_key = None
            self.details.show_event(None)
        if top_event is not None and not self._following:
            row = self.model.row_of(top_event)
            if row is not None:
                self._anchoring = True
                try:
                    self.view.updateGeometries()
                    self.view.verticalScrollBar().setValue(row)
                finally:
                    self._anchoring = False
                return
        if self._following:
            self.view.scrollToTop()

    # -- the details pane: beside the table, folded away when the dock is narrow ----------------

    @property
    def details_visible(self) -> bool:
        return self.split.sizes()[1] > 0 if self.split.count() > 1 else False

    def set_details_visible(self, visible: bool) -> None:
        """Unfold (at its last width) or fold away the details pane; the table takes the room."""
        sizes = self.split.sizes()
        total = sum(sizes)
        if visible and sizes[1] == 0:
            width = max(DETAILS_MIN_WIDTH, min(self._details_width, total - DETAILS_MIN_WIDTH))
            self.split.setSizes([max(0, total - width), width] if total else [900, self._details_width])
        elif not visible and sizes[1] > 0:
            self._details_width = sizes[1]
            self.split.setSizes([total, 0])
        if not visible and total == 0:  # not laid out yet: fold it once it is
            self.split.setSizes([1, 0])
        self._update_details_button()

    def _details_moved(self) -> None:
        width = self.split.sizes()[1]
        if width > 0:
            self._details_width = width
        self._update_details_button()

    def _update_details_button(self) -> None:
        shown = self.details_visible
        self.details_button.setText("Hide details ▸" if shown else "◂ Show details")
        self.details_button.setToolTip("Fold the details pane away to give the table the room" if shown
                                       else "Show the selected event's details beside the table")

    # -- selection and details -------------------------------------------------------------------

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if self._resetting:
            return  # the selection is put back by key once the rows are read again
        key = current.data(Role.KEY) if current.isValid() else None
        if key == self._selected_key:
            return
        self._selected_key = key if isinstance(key, str) else None
        self.refresh_selected()

    def refresh_selected(self) -> None:
        """Show the selected event again, read whole from the journal (its photo, its acknowledgement)."""
        key = self._selected_key
        event: Event | None = None
        if key is not None:
            try:
                event = self.journal.get(key)
            except JournalError as exc:
                log.warning("the event could not be read: %s", exc)
        self.details.show_event(event)
        if event is not None:
            self.model.update_event(event)

    def select_event(self, key: str) -> bool:
        """Select the event ``key`` (clearing the filters when they hide it); False when it is not in the
        journal (retention removed it). For "show in the events panel" from the alarm queue."""
        try:
            event = self.journal.get(key)
        except JournalError:
            return False
        if event is None:
            return False
        if self.searching or not self.model.filter.matches(event):
            self.filters.clear()  # (a search still running would move the rows away from it)
        row = self.model.row_of(event)
        if row is None:
            return False
        self._following = False
        self.select_row(row)
        self._update_jump()
        return True

    def selected_event(self) -> Event | None:
        return self.details.current

    def select_row(self, row: int) -> None:
        index = self.model.index(row, 0)
        self.view.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        )
        self.view.scrollTo(index)

    # -- filters ---------------------------------------------------------------------------------

    def _choices(self, field: str) -> list[str]:
        try:
            return self.journal.distinct(field)  # type: ignore[arg-type]
        except JournalError as exc:
            log.warning("filter choices not read: %s", exc)
            return []

    def _filter_changed(self, flt: EventFilter) -> None:
        self.set_filter(flt)

    def set_filter(self, flt: EventFilter) -> None:
        """Show the events matching ``flt`` (the filter bar calls this; tests may too).

        A free-text filter is counted and read in a worker thread (a one-letter needle scans the journal): the
        table keeps its rows until the answer, says "Searching…" if it takes a moment, and shows only the
        answer for the latest filter (:attr:`search_done`, :meth:`searched`). Other filters use the journal's
        indexes and are shown at once.
        """
        self._following = True
        self._unseen = 0
        if flt.text.strip() and flt != self.model.filter:
            self._wanted = flt
            self._start_read()
        else:
            self._wanted = None  # a read still running is dropped when it ends
            self._end_searching()
            self.model.set_filter(flt)
        self._update_count()
        self._update_jump()

    @property
    def searching(self) -> bool:
        """A free-text filter is being read in a worker thread."""
        return self._wanted is not None

    @property
    def wanted_filter(self) -> EventFilter:
        """The filter asked for (:attr:`model`'s ``filter`` once read)."""
        return self._wanted if self._wanted is not None else self.model.filter

    async def searched(self) -> None:
        """Until the filter asked for is shown (tests; "show in the events panel")."""
        while self._wanted is not None:
            await aio.wait_signal(self.search_done)

    def _reread(self) -> None:
        """The model must recount its free-text filter (a late batch it cannot place): read it in the worker."""
        if self._wanted is None:
            self._wanted = self.model.filter
            self._start_read()

    def _start_read(self) -> None:
        if not self._searching_timer.isActive() and not self.searching_label.isVisible():
            self._searching_timer.start()
        if self._read_task is None or self._read_task.done():
            self.model.reading = True  # from now on: the live batches announced while it reads are kept
            self._read_task = self._spawn(self._read_latest(), "search the event journal")

    async def _read_latest(self) -> None:
        try:
            while self._wanted is not None:
                flt = self._wanted
                anchors = [e for e in self._anchor_events() if e is not None]
                selected = self._selected_key
                read = await asyncio.to_thread(self.model.read, flt, anchors)
                if self._wanted != flt:
                    continue  # typed on meanwhile: only the latest text's answer is shown
                if self._selected_key != selected:
                    continue  # another row was selected meanwhile: its place is looked for too
                if self.model.apply(read):  # the view keeps its place and selection (_before/_after_reset)
                    self._wanted = None
        finally:
            self._read_task = None
            with contextlib.suppress(RuntimeError):  # cancelled with the panel: its widgets may be gone
                self.model.reading = False
                if self._wanted is None:
                    self._end_searching()
                    self._update_count()
                self.search_done.emit()

    def _anchor_events(self) -> tuple[Event | None, Event | None]:
        """(the top row when not following, the selected event): kept in place across a reset."""
        top = self.view.rowAt(0) if not self._following else -1
        top_event = self.model.event_at(top) if top >= 0 else None
        current = self.view.currentIndex()
        return top_event, (self.model.event_at(current.row()) if current.isValid() else None)

    def _show_searching(self) -> None:
        if self._wanted is None:
            return
        label = self.searching_label
        label.setText(f"Searching the journal for “{style.cut(self._wanted.text.strip(), 40)}”…")
        label.adjustSize()
        viewport = self.view.viewport().geometry()
        label.move(viewport.x() + max(0, (viewport.width() - label.width()) // 2), viewport.y() + 8)
        label.raise_()
        label.show()
        self._update_count()

    def _end_searching(self) -> None:
        self._searching_timer.stop()
        self.searching_label.hide()

    def show_door_events(self, door: str) -> None:
        """Filter the table on one door (from the nuisance list)."""
        self.filters.set_door(door)

    # -- statistics ------------------------------------------------------------------------------

    async def refresh_stats(self, *, chart: bool = True) -> None:
        """Read the last hour per minute (the chart) and this week's alarms per door from the journal."""
        start, _ = self.chart.time_window()
        since = self._clock() - timedelta(days=NUISANCE_DAYS)
        try:
            if chart:
                counts = await asyncio.to_thread(minute_counts, self.journal, start)
                self.chart.load(counts)
            doors = await asyncio.to_thread(nuisance_doors, self.journal, since)
        except JournalError as exc:
            log.warning("event statistics not read: %s", exc)
            return
        self.nuisance.show_doors(doors)

    # -- export ----------------------------------------------------------------------------------

    def _default_export_name(self) -> str:
        return f"events-{self._clock():%Y%m%d-%H%M}.csv"

    async def choose_export_file(self) -> str | None:
        """The file dialog (opened with ``open()``, never ``exec()``): the chosen path, or None."""
        dialog = QFileDialog(self, "Export events to CSV")
        dialog.setObjectName("exportDialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
        dialog.setNameFilter("CSV files (*.csv)")
        dialog.setDefaultSuffix("csv")
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        dialog.setDirectory(str(self.export_dir or Path.home()))
        dialog.selectFile(self._default_export_name())
        try:
            result = await aio.dialog_result(dialog)
            files = dialog.selectedFiles()
        finally:
            dialog.deleteLater()
        if result != QFileDialog.DialogCode.Accepted.value or not files:
            return None
        return files[0]

    async def export_csv(self, path: str | Path | None = None) -> int | None:
        """Write the events matching the current filter to ``path`` (asked for when None).

        Returns the number of rows written (None when cancelled or failed; the banner says why).
        """
        target = str(path) if path is not None else await self.choose_export_file()
        if not target:
            return None
        flt = self.model.filter
        self.export_button.setEnabled(False)
        try:
            count = await asyncio.to_thread(export_csv, self.journal, flt.since, flt.until, target, flt)
        except (OSError, JournalError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            self.banner.post(f"Export failed: {reason}", "fail")
            return None
        finally:
            self.export_button.setEnabled(True)
        self.exported.append((Path(target), count))
        self.banner.post(f"Exported {count:,} event{'s' if count != 1 else ''} to {target}", "ok")
        return count

    # -- theme -----------------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        themed = event.type() in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange)
        if themed and hasattr(self, "nuisance") and not self._restyle_pending:
            # deferred: the theme module records the new palette only after Qt has sent these events
            self._restyle_pending = True
            QTimer.singleShot(0, self, self._restyle)

    def _restyle(self) -> None:
        self._restyle_pending = False
        self.apply_theme()

    def apply_theme(self) -> None:
        self.delegate.restyle()
        self.model.restyle()
        self.chart.apply_theme()
        self.nuisance.restyle()
        self.banner.apply_theme()
        for level, button in self.filters.level_buttons.items():
            button.setIcon(style.level_icon(level))
        p = theme.current()
        self.count_label.setStyleSheet(f"color: {p.text_muted};")
        self.jump_button.setStyleSheet(
            f"QPushButton#jumpToLatest {{ background: {p.info_bg}; color: {p.info_text}; border: 1px solid {p.info};"
            " font-weight: 700; }"
        )
        self.searching_label.setStyleSheet(
            f"QLabel#eventsSearching {{ background: {p.info_bg}; color: {p.info_text}; border: 1px solid {p.info};"
            " border-radius: 4px; padding: 4px 10px; font-weight: 700; }"
        )
        self.details.apply_theme()
        self._style_sources()

    def _style_sources(self) -> None:
        p = theme.current()
        colour = p.alarm_text if self.sources_label.property("level") == "fail" else p.text_muted
        self.sources_label.setStyleSheet(f"color: {colour}; font-weight: 600;")

