"""The supervisor's view of the stream: events per minute by severity over the last hour (pyqtgraph), and
the "nuisance" doors: those with the most alarms this week (false alarms wear guards down; these get fixed).

Both are fed from the journal (``load``/``nuisance_doors`` run in a worker thread) and the chart also from
live events (``add``), so it moves without re-reading anything.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyqtgraph as pg
from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QResizeEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.services.events import Event, EventFilter, Journal, Level
from console.services.events.model import format_time
from console.ui import theme

from ..flow import FlowLayout
from . import style

__all__ = ["NuisanceDoor", "NuisanceList", "RateChart", "minute_counts", "minute_of", "nuisance_doors"]

log = logging.getLogger(__name__)

WINDOW_MINUTES = 60
REDRAW_AFTER_MS = 300  # live events redraw the rate chart at most this often (3-6 ms of pyqtgraph a time)
NUISANCE_DAYS = 7
NUISANCE_TOP = 12


def minute_of(when: datetime) -> datetime:
    return when.replace(second=0, microsecond=0)


@dataclass(frozen=True, slots=True)
class NuisanceDoor:
    door: str  # what the list says: the point, else the device
    alarms: int
    last: datetime
    point: str = ""  # the door / point name the events filter can use ("" when the alarms name none)


def nuisance_doors(journal: Journal, since: datetime, top: int = NUISANCE_TOP) -> list[NuisanceDoor]:
    """The doors (points, else devices) with the most alarm events since ``since``; reads the journal."""
    counts: Counter[tuple[str, str]] = Counter()
    last: dict[tuple[str, str], datetime] = {}
    for event in journal.iter_range(since, None, EventFilter(levels=frozenset({Level.ALARM}))):
        where = (event.point, event.point or (f"device {event.device}" if event.device else "place unknown"))
        counts[where] += 1
        last[where] = max(last.get(where, event.time), event.time)
    return [NuisanceDoor(label, n, last[(point, label)], point) for (point, label), n in counts.most_common(top)]


def minute_counts(journal: Journal, start: datetime, minutes: int = WINDOW_MINUTES) -> dict[Level, Counter[datetime]]:
    """Events per minute and severity from ``start`` on (one indexed count per minute and level)."""
    out: dict[Level, Counter[datetime]] = {level: Counter() for level in Level}
    for i in range(minutes + 1):
        minute = start + timedelta(minutes=i)
        for level in Level:
            n = journal.count(EventFilter(levels=frozenset({level}), since=minute, until=minute + timedelta(minutes=1)))
            if n:
                out[level][minute] = n
    return out


class RateChart(QWidget):
    """Stacked bars: normal, warning and alarm events per minute over the last hour."""

    def __init__(self, clock: Callable[[], datetime] = datetime.now, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("eventRate")
        self._clock = clock
        self.counts: dict[Level, Counter[datetime]] = {level: Counter() for level in Level}
        self._redraw_soon = QTimer(self)
        self._redraw_soon.setSingleShot(True)
        self._redraw_soon.setInterval(REDRAW_AFTER_MS)
        self._redraw_soon.timeout.connect(self.redraw)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        head = QWidget()  # the legend goes under the title when the chart is narrow
        head_flow = FlowLayout(head, spacing=10, row_spacing=2)
        title = QLabel("Events per minute, last hour")
        title.setProperty("role", "hint")
        title.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        head_flow.addWidget(title)
        legend = QWidget()
        legend_row = QHBoxLayout(legend)
        legend_row.setContentsMargins(0, 0, 0, 0)
        legend_row.setSpacing(10)
        self.legend: dict[Level, QLabel] = {}
        for level in Level:
            label = QLabel()
            label.setTextFormat(Qt.TextFormat.PlainText)
            label.setObjectName(f"legend-{level.word}")
            self.legend[level] = label
            legend_row.addWidget(label)
        head_flow.addWidget(legend)
        layout.addWidget(head)
        self.head = head
        self._head_height = -1
        self.plot = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem(orientation="bottom")})
        self.plot.setObjectName("eventRatePlot")
        self.plot.setMinimumHeight(110)
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.showGrid(x=False, y=True, alpha=0.25)
        self.plot.getPlotItem().setContentsMargins(2, 2, 8, 2)
        self.plot.setAccessibleName("Events per minute over the last hour, by severity")
        self.bars = {level: pg.BarGraphItem(x=[], height=[], width=48) for level in Level}
        for level in Level:
            self.plot.addItem(self.bars[level])
        layout.addWidget(self.plot, 1)
        self._timer = QTimer(self)
        self._timer.setInterval(30_000)
        self._timer.timeout.connect(self.redraw)
        self._timer.start()
        self.apply_theme()

    # -- size ------------------------------------------------------------------------------------

    def _head_needs(self) -> int:
        head = self.head
        if head.hasHeightForWidth() and self.width() > 0:
            return max(head.minimumSizeHint().height(), head.heightForWidth(self.width()))
        return head.minimumSizeHint().height()

    def minimumSizeHint(self) -> QSize:
        """Room for the title and legend as they wrap at this width, and the plot's minimum below them (the
        plot is never pushed out under the panel's edge)."""
        hint = super().minimumSizeHint()
        layout = self.layout()
        spacing = max(0, layout.spacing()) if layout is not None else 0
        return QSize(hint.width(), max(hint.height(), self._head_needs() + spacing + self.plot.minimumHeight()))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        needs = self._head_needs()
        if needs != self._head_height:  # the legend wrapped (or unwrapped): the splitter must know
            self._head_height = needs
            self.updateGeometry()

    # -- data ------------------------------------------------------------------------------------

    def time_window(self) -> tuple[datetime, datetime]:
        end = minute_of(self._clock()) + timedelta(minutes=1)
        return end - timedelta(minutes=WINDOW_MINUTES), end

    def load(self, counts: dict[Level, Counter[datetime]]) -> None:
        """Replace the counts with ``counts`` (from :func:`minute_counts`)."""
        for level in Level:
            self.counts[level] = Counter(counts.get(level, {}))
        self.redraw()

    def add(self, events: Iterable[Event]) -> None:
        start, end = self.time_window()
        changed = False
        for event in events:
            if start <= event.time < end + timedelta(minutes=1):
                self.counts[event.level][minute_of(event.time)] += 1
                changed = True
        if changed and not self._redraw_soon.isActive():
            # a batch a poll: the bars are drawn again a moment later, once for the batches of that moment
            self._redraw_soon.start()

    def per_minute(self, level: Level) -> list[int]:
        start, _ = self.time_window()
        counter = self.counts[level]
        return [counter.get(start + timedelta(minutes=i), 0) for i in range(WINDOW_MINUTES)]

    def totals(self) -> dict[Level, int]:
        return {level: sum(self.per_minute(level)) for level in Level}

    # -- drawing ---------------------------------------------------------------------------------

    def redraw(self) -> None:
        self._redraw_soon.stop()
        start, end = self.time_window()
        for counter in self.counts.values():  # forget what slid out of the window
            for minute in [m for m in counter if m < start]:
                del counter[minute]
        xs = [(start + timedelta(minutes=i)).timestamp() + 30 for i in range(WINDOW_MINUTES)]
        base = [0] * WINDOW_MINUTES
        for level in Level:
            heights = self.per_minute(level)
            self.bars[level].setOpts(x=xs, height=heights, y0=list(base), width=48)
            base = [b + h for b, h in zip(base, heights, strict=True)]
        self.plot.setXRange(start.timestamp(), end.timestamp(), padding=0)
        self.plot.setYRange(0, max(5, max(base, default=0)) * 1.1, padding=0)
        for level, total in self.totals().items():
            self.legend[level].setText(f"■ {style.level_word(level)} {total}")

    def apply_theme(self) -> None:
        p = theme.current()
        self.plot.setBackground(QColor(p.surface))
        for name in ("bottom", "left"):
            axis = self.plot.getAxis(name)
            axis.setPen(pg.mkPen(p.border_strong))
            axis.setTextPen(pg.mkPen(p.text_muted))
        colours = {Level.NORMAL: p.info, Level.WARNING: p.warn, Level.ALARM: p.alarm}
        for level, colour in colours.items():
            self.bars[level].setOpts(brush=pg.mkBrush(colour), pen=pg.mkPen(p.surface, width=1))
            self.legend[level].setStyleSheet(f"color: {colour}; font-weight: 600;")
        self.redraw()


class NuisanceList(QWidget):
    """The doors with the most alarms this week; activating one asks the panel to filter on it."""

    door_activated = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("nuisanceDoors")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        title = QLabel(f"Most alarms, last {NUISANCE_DAYS} days")
        title.setProperty("role", "hint")
        title.setWordWrap(True)
        title.setToolTip("Doors that alarm again and again: often a faulty sensor or a door left ajar. "
                         "Double-click one to see its events.")
        layout.addWidget(title)
        self.tree = QTreeWidget()
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setHeaderLabels(["Door / point", "Alarms", "Last"])
        self.tree.setAccessibleName("Doors with the most alarms this week")
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        self.tree.itemActivated.connect(self._activated)
        layout.addWidget(self.tree, 1)
        self.doors: list[NuisanceDoor] = []
        self.show_doors([])

    def show_doors(self, doors: list[NuisanceDoor]) -> None:
        self.doors = doors
        self.tree.clear()
        if not doors:
            item = QTreeWidgetItem(["No alarms this week", "", ""])
            item.setFlags(Qt.ItemFlag.NoItemFlags)
            self.tree.addTopLevelItem(item)
            item.setFirstColumnSpanned(True)  # the whole width: a narrow column does not cut it
            return
        for entry in doors:
            item = QTreeWidgetItem([style.cut(entry.door, 80), str(entry.alarms), format_time(entry.last)[5:16]])
            item.setData(0, Qt.ItemDataRole.UserRole, entry.point)
            hint = "\nDouble-click: show its events" if entry.point else ""
            item.setToolTip(0, style.plain_tooltip(entry.door + hint))
            item.setIcon(0, style.level_icon(Level.ALARM))
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.tree.addTopLevelItem(item)

    def _activated(self, item: QTreeWidgetItem, _column: int) -> None:
        door = item.data(0, Qt.ItemDataRole.UserRole)
        if isinstance(door, str) and door:
            self.door_activated.emit(door)

    def restyle(self) -> None:
        self.show_doors(self.doors)
