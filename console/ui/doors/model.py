"""The board as a Qt model: one row per door or gate, with group header rows (area, then device).

:class:`BoardModel` translates :class:`console.services.doors.DoorBoard` for views: it owns no state of its own
beyond the row order and transient command notes, and it announces exactly the rows that changed
(``dataChanged`` over runs of changed rows; a reset only when items come or go or the grouping changes).
:class:`BoardFilterProxy` filters by text (name, area, device), area, device and "only problems", and keeps a
group header visible only while one of its items is.
"""

from __future__ import annotations

import enum
import json
import time
from collections.abc import Callable, Generator, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
)
from PySide6.QtGui import QFont

from console.services.doors import BoardChange, DoorBoard, Item, ItemKey, Kind

from ..text import tooltip
from .style import full_text

__all__ = ["MIME_TYPE", "BoardFilterProxy", "BoardModel", "Grouping", "HeaderInfo", "Role", "decode_mime"]

MIME_TYPE = "application/x-cvsecurity-board-items"
NOTE_SECONDS = 15.0
SLICE_ROWS = 300  # a change of more rows than this is announced in slices, over several turns of the loop
SLICE_STEP = 50  # rows announced at a time within a slice ...
SLICE_SECONDS = 0.006  # ... until this much of the turn is used (a frame is 16 ms)
REBUILD_SLICED_ABOVE = 1000  # items: rebuilding the rows of a bigger board is spread over turns of the loop
REBUILD_STEP = 100  # items (or headers) handled between two looks at the clock during a rebuild
Index = QModelIndex | QPersistentModelIndex


class Role(enum.IntEnum):
    ITEM = Qt.ItemDataRole.UserRole + 1  # Item (None on header rows)
    KEY = Qt.ItemDataRole.UserRole + 2  # ItemKey (None on header rows)
    HEADER = Qt.ItemDataRole.UserRole + 3  # HeaderInfo (None on item rows)
    NOTE = Qt.ItemDataRole.UserRole + 4  # (text, ok) of a recent command on this item, or None
    GROUP = Qt.ItemDataRole.UserRole + 5  # the row's group ids (area, device)


class Grouping(enum.Enum):
    AREA_DEVICE = "area_device"
    AREA = "area"
    DEVICE = "device"
    NONE = "none"

    @property
    def words(self) -> str:
        return {
            Grouping.AREA_DEVICE: "Area, then device",
            Grouping.AREA: "Area",
            Grouping.DEVICE: "Device",
            Grouping.NONE: "No grouping",
        }[self]


@dataclass
class HeaderInfo:
    """A group header row: level 0 is an area (or a device when grouping by device only), level 1 a device."""

    level: int
    group: str  # the group id: "a:<area>" or "d:<device id>"
    title: str
    detail: str = ""
    members: list[ItemKey] = field(default_factory=list)
    doors: int = 0
    gates: int = 0
    offline: int = 0
    alarm: int = 0
    long_open: int = 0
    total: int | None = None  # under a filter: how many the group holds in all (the counts are what is shown)

    def counts_text(self) -> str:
        parts = []
        if self.doors:
            parts.append(f"{self.doors} door{'s' if self.doors != 1 else ''}")
        if self.gates:
            parts.append(f"{self.gates} gate{'s' if self.gates != 1 else ''}")
        text = " · ".join(parts)
        if self.total is not None and self.total != self.doors + self.gates:
            text += f" shown of {self.total}"
        problems = []
        if self.alarm:
            problems.append(f"{self.alarm} in alarm")
        if self.offline:
            problems.append(f"{self.offline} offline")
        if self.long_open:
            problems.append(f"{self.long_open} open too long")
        return text + (" — " + ", ".join(problems) if problems else "")

    @property
    def problems(self) -> int:
        return self.alarm + self.offline + self.long_open

    def recount(self, items: Iterable[Item]) -> tuple[int, ...]:
        before = (self.doors, self.gates, self.offline, self.alarm, self.long_open)
        doors = gates = offline = alarm = long_open = 0
        for item in items:
            if item.is_door:
                doors += 1
            else:
                gates += 1
            offline += item.offline
            alarm += item.alarm
            long_open += item.open_too_long
        self.doors, self.gates, self.offline, self.alarm, self.long_open = doors, gates, offline, alarm, long_open
        return before


def area_title(area: str) -> str:
    return area or "Area unknown"


def holds_now(holds: Callable[[Item], bool] | None, item: Item) -> bool:
    """Whether a tile's command note still tells the truth about ``item`` (no condition: it does)."""
    return holds is None or holds(item)


def _tooltip(text: str) -> str:
    """Tool tips guess rich text from tags: escaped and wrapped (:func:`console.ui.text.tooltip`)."""
    return tooltip(text)


def decode_mime(data: QMimeData) -> list[ItemKey]:
    if not data.hasFormat(MIME_TYPE):
        return []
    try:
        raw = json.loads(bytes(data.data(MIME_TYPE).data()).decode("utf-8"))
    except ValueError:
        return []
    out: list[ItemKey] = []
    for entry in raw if isinstance(raw, list) else []:
        if isinstance(entry, list) and len(entry) == 2 and entry[0] in ("door", "gate") and isinstance(entry[1], str):
            out.append((Kind(entry[0]), entry[1]))
    return out


Row = ItemKey | HeaderInfo


class BoardModel(QAbstractListModel):
    def __init__(self, board: DoorBoard, grouping: Grouping = Grouping.AREA_DEVICE, parent: Any = None) -> None:
        super().__init__(parent)
        self.board = board
        self._grouping = grouping
        self._rows: list[Row] = []
        self._row_of: dict[ItemKey, int] = {}
        self._header_rows: dict[str, int] = {}  # group id -> row
        self._groups_of: dict[ItemKey, tuple[str, ...]] = {}
        self._notes: dict[ItemKey, tuple[str, bool, float]] = {}
        self._note_holds: dict[ItemKey, Callable[[Item], bool]] = {}  # a note shown while its state lasts
        self._note_timer = QTimer(self)
        self._note_timer.setInterval(1000)
        self._note_timer.timeout.connect(self._expire_notes)
        self._pending: set[ItemKey] = set()  # changed items not yet announced (a big change, in slices)
        self._queue: list[ItemKey] = []  # the pending keys in row order (sorted once, not per slice)
        self._queued = 0  # how much of the queue has been announced
        self._queue_stale = False  # keys were added since the queue was sorted
        self._flushing = False
        self._detached = False
        self._rebuilding: Generator[None, None, tuple[list[Row], dict[ItemKey, tuple[str, ...]]]] | None = None
        self._disconnect = board.changed.connect(self._on_board_changed)
        self._bold = QFont()
        self._bold.setBold(True)
        self._rebuild()

    def detach(self) -> None:
        """Stop listening to the board (the panel calls it when it closes)."""
        self._disconnect()
        self._note_timer.stop()
        self._detached = True
        self._pending.clear()

    # -- structure ---------------------------------------------------------------------------------

    @property
    def grouping(self) -> Grouping:
        return self._grouping

    def set_grouping(self, grouping: Grouping) -> None:
        if grouping is not self._grouping:
            self._grouping = grouping
            if len(self.board) > REBUILD_SLICED_ABOVE:
                self._start_rebuild()
                return
            self.beginResetModel()
            self._rebuild()
            self.endResetModel()

    def _group_ids(self, item: Item) -> tuple[str, ...]:
        area, device = f"a:{item.area}", f"d:{item.device_id}"
        if self._grouping is Grouping.AREA_DEVICE:
            return (area, area + "|" + device)
        if self._grouping is Grouping.AREA:
            return (area,)
        if self._grouping is Grouping.DEVICE:
            return (device,)
        return ()

    def _device_header(self, item: Item, level: int, group: str) -> HeaderInfo:
        title = item.device_name or (f"Device {item.device_id[-8:]}" if item.device_id else "Device unknown")
        detail = " · ".join(x for x in (f"SN {item.device_sn}" if item.device_sn else "", item.device_model) if x)
        if self._grouping is Grouping.DEVICE and item.area:
            detail = " · ".join(x for x in (detail, area_title(item.area)) if x)
        return HeaderInfo(level, group, title, detail)

    def _rebuild(self) -> None:
        steps = self._rebuild_steps()
        while True:
            try:
                next(steps)
            except StopIteration as done:
                self._take_rows(done.value)
                return

    def _rebuild_steps(self) -> Generator[None, None, tuple[list[Row], dict[ItemKey, tuple[str, ...]]]]:
        """The rows for the current grouping, computed a few hundred items at a time (``yield`` between):
        :meth:`_rebuild_slice` spreads a big board's rebuild over turns of the event loop."""
        rows: list[Row] = []
        headers: dict[str, HeaderInfo] = {}
        groups_of: dict[ItemKey, tuple[str, ...]] = {}
        items = self.board.items
        yield
        if self._grouping is Grouping.DEVICE:  # devices in name order, each device's items in board order
            by_device: dict[tuple[str, str], list[Item]] = {}
            for n, item in enumerate(items):
                by_device.setdefault((item.device_name.casefold() or "~", item.device_id), []).append(item)
                if n % REBUILD_STEP == 0:
                    yield
            items = []
            for n, device in enumerate(sorted(by_device)):
                members = by_device[device]
                if len(members) > 1 and any(i.kind is Kind.GATE for i in members):
                    members.sort(key=lambda i: i.kind is Kind.GATE)  # stable: board order within doors, gates
                items.extend(members)
                if n % REBUILD_STEP == 0:
                    yield
        for n, item in enumerate(items):
            ids = self._group_ids(item)
            groups_of[item.key] = ids
            for level, gid in enumerate(ids):
                header = headers.get(gid)
                if header is None:
                    if "d:" in gid:
                        header = self._device_header(item, level, gid)
                    else:
                        header = HeaderInfo(level, gid, area_title(item.area))
                    headers[gid] = header
                    rows.append(header)
                header.members.append(item.key)
            rows.append(item.key)
            if n % REBUILD_STEP == 0:
                yield
        for n, header in enumerate(headers.values()):
            header.recount(self._items(header.members))
            if n % REBUILD_STEP == 0:
                yield
        return rows, groups_of

    def _take_rows(self, built: tuple[list[Row], dict[ItemKey, tuple[str, ...]]]) -> None:
        self._rows, self._groups_of = built
        self._row_of = {}
        self._header_rows = {}
        for row, entry in enumerate(self._rows):
            if isinstance(entry, HeaderInfo):
                self._header_rows[entry.group] = row
            else:
                self._row_of[entry] = row
        self._notes = {k: v for k, v in self._notes.items() if k in self._row_of}

    def _start_rebuild(self) -> None:
        """Rebuild over several turns of the event loop, then reset the views at once (the old rows stay
        shown until then; a newer rebuild replaces one under way)."""
        scheduled = self._rebuilding is not None
        self._rebuilding = self._rebuild_steps()
        if not scheduled:
            QTimer.singleShot(0, self._rebuild_slice)

    def _rebuild_slice(self) -> None:
        steps = self._rebuilding
        if steps is None or self._detached:
            self._rebuilding = None
            return
        started = time.perf_counter()
        try:
            while time.perf_counter() - started < SLICE_SECONDS:
                next(steps)
        except StopIteration as done:
            self._rebuilding = None
            self._pending.clear()
            self.beginResetModel()
            self._take_rows(done.value)
            self.endResetModel()
            return
        QTimer.singleShot(0, self._rebuild_slice)

    @property
    def rebuilding(self) -> bool:
        """A big board's rebuild is under way (the rows shown are the previous ones until it lands)."""
        return self._rebuilding is not None

    def _items(self, keys: Iterable[ItemKey]) -> Iterable[Item]:
        for key in keys:
            item = self.board.item(key)
            if item is not None:
                yield item

    def _on_board_changed(self, change: BoardChange) -> None:
        if change.structure:
            self._pending.clear()
            if len(self.board) > REBUILD_SLICED_ABOVE or self._rebuilding is not None:
                self._start_rebuild()
                return
            self.beginResetModel()
            self._rebuild()
            self.endResetModel()
            return
        if len(change.keys) <= SLICE_ROWS and not self._pending:
            self._announce_keys(change.keys)
            return
        # most of the board changed at once (all stale, all fresh again): tell the views slice by slice,
        # one slice per turn of the event loop, so that no single turn takes longer than a frame
        self._pending.update(change.keys)
        self._queue_stale = True
        if not self._flushing:
            self._flushing = True
            QTimer.singleShot(0, self._flush_slice)

    def _flush_slice(self) -> None:
        if not self._pending or self._detached:
            self._flushing = False
            return
        if self._queue_stale:
            row_of = self._row_of
            self._queue = sorted(self._pending, key=lambda k: row_of.get(k, -1))
            self._queued, self._queue_stale = 0, False
        # slices of SLICE_STEP rows until SLICE_SECONDS are used (each row announced costs the view a size)
        # the group headers touched are recounted once at the end of the turn, not at every step (an area
        # header of the xl site counts ~1,100 items)
        started = time.perf_counter()
        groups: set[str] = set()
        while self._pending and time.perf_counter() - started < SLICE_SECONDS:
            ordered = [k for k in self._queue[self._queued : self._queued + SLICE_STEP] if k in self._pending]
            self._queued += SLICE_STEP
            if self._queued >= len(self._queue):  # what is left was added meanwhile and not yet sorted
                ordered.extend(self._pending.difference(ordered))
            self._pending.difference_update(ordered)
            self._announce_keys(ordered, groups)
        self._recount(groups)
        QTimer.singleShot(0, self._flush_slice)

    def _announce_keys(self, keys: Iterable[ItemKey], later: set[str] | None = None) -> None:
        """Tell the views about ``keys``' rows and recount their group headers (or add the headers to
        ``later``, for the caller to recount with :meth:`_recount`)."""
        rows: set[int] = set()
        groups: set[str] = set() if later is None else later
        for key in keys:
            row = self._row_of.get(key)
            if row is not None:
                rows.add(row)
                groups.update(self._groups_of.get(key, ()))
        if later is None:
            rows.update(self._recounted(groups))
        self._emit_rows(rows)

    def _recount(self, groups: Iterable[str]) -> None:
        self._emit_rows(self._recounted(groups))

    def _recounted(self, groups: Iterable[str]) -> set[int]:
        """Recount these group headers; the rows of those whose counts changed."""
        rows: set[int] = set()
        for gid in groups:
            row = self._header_rows[gid]
            header = self._rows[row]
            assert isinstance(header, HeaderInfo)
            before = header.recount(self._items(header.members))
            if before != (header.doors, header.gates, header.offline, header.alarm, header.long_open):
                rows.add(row)
        return rows

    def _emit_rows(self, rows: Iterable[int]) -> None:
        ordered = sorted(rows)
        if len(ordered) > 32 and (ordered[-1] - ordered[0] + 1) < 2 * len(ordered):
            # a dense slice (rows and the headers between them): one signal, not dozens of runs
            self.dataChanged.emit(self.index(ordered[0]), self.index(ordered[-1]))
            return
        start = prev = None
        for row in [*ordered, None]:
            if row is not None and prev is not None and row == prev + 1:
                prev = row
                continue
            if start is not None and prev is not None:
                self.dataChanged.emit(self.index(start), self.index(prev))
            start = prev = row

    # -- notes: the result of a command, shown on its tile for a while -------------------------------

    def set_note(self, key: ItemKey, text: str, ok: bool, seconds: float = NOTE_SECONDS,
                 holds: Callable[[Item], bool] | None = None) -> None:
        """Show ``text`` on the tile for ``seconds``; with ``holds``, only while ``holds(item)`` is true (the
        state the command produced: "opened 5 s" goes when the relay closes, never shown on a closed door)."""
        row = self._row_of.get(key)
        if row is None:
            return
        self._notes[key] = (text, ok, time.monotonic() + seconds)
        if holds is None:
            self._note_holds.pop(key, None)
        else:
            self._note_holds[key] = holds
        self._emit_rows([row])
        if not self._note_timer.isActive():
            self._note_timer.start()

    def _expire_notes(self) -> None:
        now = time.monotonic()
        gone = [k for k, (_, _, until) in self._notes.items() if until <= now or not self._note_holding(k)]
        for key in gone:
            del self._notes[key]
            self._note_holds.pop(key, None)
        self._emit_rows(self._row_of[k] for k in gone if k in self._row_of)
        if not self._notes:
            self._note_timer.stop()

    def _note_holding(self, key: ItemKey) -> bool:
        holds = self._note_holds.get(key)
        item = self.board.item(key) if holds is not None else None
        return holds is None or item is None or holds(item)

    # -- lookups -----------------------------------------------------------------------------------

    def row_of(self, key: ItemKey) -> int | None:
        return self._row_of.get(key)

    def index_of(self, key: ItemKey) -> QModelIndex:
        row = self._row_of.get(key)
        return self.index(row) if row is not None else QModelIndex()

    def entry(self, row: int) -> Row | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def headers(self) -> list[HeaderInfo]:
        return [r for r in self._rows if isinstance(r, HeaderInfo)]

    def groups_of(self, key: ItemKey) -> tuple[str, ...]:
        return self._groups_of.get(key, ())

    # -- the model interface -------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        entry = self._rows[index.row()]
        if isinstance(entry, HeaderInfo):
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = index.row()
        if not 0 <= row < len(self._rows):
            return None
        entry = self._rows[row]
        if isinstance(entry, HeaderInfo):
            return self._header_data(entry, role)
        if role == Role.HEADER:  # asked for every row by the delegate's sizeHint: answer first
            return None
        item = self.board.item(entry)
        if item is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return item.name
        if role == Role.ITEM:
            return item
        if role == Role.KEY:
            return entry
        if role == Role.NOTE:
            note = self._notes.get(entry)
            return (note[0], note[1]) if note and holds_now(self._note_holds.get(entry), item) else None
        if role == Role.GROUP:
            return self._groups_of.get(entry, ())
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(full_text(item))
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return full_text(item).replace("\n", ". ")
        return None

    def _header_data(self, header: HeaderInfo, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return header.title
        if role == Role.HEADER:
            return header
        if role == Role.GROUP:
            return (header.group,)
        if role == Qt.ItemDataRole.FontRole:
            return self._bold
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip("\n".join(x for x in (header.title, header.detail, header.counts_text()) if x))
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return ". ".join(x for x in (header.title, header.detail, header.counts_text()) if x)
        return None

    def mimeTypes(self) -> list[str]:
        return [MIME_TYPE]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        keys = []
        for index in indexes:
            key = self.data(index, Role.KEY)
            if key is not None:
                keys.append([key[0].value, key[1]])
        data = QMimeData()
        data.setData(MIME_TYPE, json.dumps(keys).encode("utf-8"))
        return data

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction


class BoardFilterProxy(QSortFilterProxyModel):
    """Text (every word must match name, area, device or serial), area, device and "only problems"."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._terms: list[str] = []
        self._area: str | None = None
        self._device: str | None = None
        self._problems = False
        self._kinds: frozenset[Kind] = frozenset(Kind)
        self._visible_groups: set[str] = set()
        self._shown_headers: dict[str, HeaderInfo] = {}  # under a filter: each group's counts of what is shown
        self._source: BoardModel | None = None
        self._active = False
        self.setDynamicSortFilter(False)  # nothing to re-filter while the filter is empty (the usual case)

    def setSourceModel(self, model: Any) -> None:
        if self._source is not None:
            self._source.dataChanged.disconnect(self._on_source_data)
            self._source.modelReset.disconnect(self._recompute_groups)
        self._source = model if isinstance(model, BoardModel) else None
        if self._source is not None:
            self._source.dataChanged.connect(self._on_source_data)
            self._source.modelReset.connect(self._recompute_groups)
        self._recompute_groups()
        super().setSourceModel(model)

    # -- the filter --------------------------------------------------------------------------------

    @property
    def active(self) -> bool:
        """Whether the filter hides anything at all."""
        return self._active

    def set_filter(
        self,
        *,
        text: str | None = None,
        area: str | bool | None = False,
        device: str | bool | None = False,
        problems: bool | None = None,
        kinds: Iterable[Kind] | None = None,
    ) -> None:
        """Change any part of the filter (``area=None`` clears the area; ``False`` leaves it as it is)."""
        self.beginFilterChange()
        if text is not None:
            self._terms = [t for t in text.casefold().split() if t]
        if area is not False:
            self._area = area if isinstance(area, str) else None
        if device is not False:
            self._device = device if isinstance(device, str) else None
        if problems is not None:
            self._problems = problems
        if kinds is not None:
            self._kinds = frozenset(kinds)
        self._active = bool(self._terms or self._area is not None or self._device is not None or self._problems) or (
            self._kinds != frozenset(Kind)
        )
        self.setDynamicSortFilter(self._active)  # a state change may then show or hide a tile
        self._recompute_groups()
        self.endFilterChange()

    def accepts(self, item: Item) -> bool:
        if item.kind not in self._kinds:
            return False
        if self._problems and not item.problem:
            return False
        if self._area is not None and item.area != self._area:
            return False
        if self._device is not None and item.device_id != self._device:
            return False
        if self._terms:
            text = item.search_text
            return all(term in text for term in self._terms)
        return True

    def _recompute_groups(self) -> bool:
        """Which group headers have a visible item (and, under a filter, their counts of what is shown); True
        when the set of visible groups changed."""
        source = self._source
        visible: set[str] = set()
        shown: dict[str, HeaderInfo] = {}
        if source is not None:
            for header in source.headers():
                if not self._active:
                    visible.add(header.group)  # every group shows, with its own counts
                    continue
                accepted = [item for item in source._items(header.members) if self.accepts(item)]
                if accepted:
                    visible.add(header.group)
                    counted = replace(header, members=list(header.members), total=len(header.members))
                    counted.recount(accepted)
                    shown[header.group] = counted
        changed = visible != self._visible_groups
        self._visible_groups = visible
        self._shown_headers = shown
        return changed

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        """A group header under a filter counts what the filter leaves ("2 doors shown of 7")."""
        if self._active and role in (Role.HEADER, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
            header = super().data(index, Role.HEADER)
            if isinstance(header, HeaderInfo) and header.group in self._shown_headers:
                counted = self._shown_headers[header.group]
                if role == Role.HEADER:
                    return counted
                text = [x for x in (counted.title, counted.detail, counted.counts_text()) if x]
                return _tooltip("\n".join(text)) if role == Qt.ItemDataRole.ToolTipRole else ". ".join(text)
        return super().data(index, role)

    def describe(self, areas: dict[str, str] | None = None, devices: dict[str, str] | None = None) -> str:
        """The filter in words: "'lobyy', area North Wing, only problems" ("" when nothing is filtered)."""
        parts = []
        if self._terms:
            parts.append(repr(" ".join(self._terms)))
        if self._area is not None:
            parts.append(f"area {(areas or {}).get(self._area, area_title(self._area))}")
        if self._device is not None:
            parts.append(f"device {(devices or {}).get(self._device, self._device)}")
        if self._problems:
            parts.append("only problems")
        if self._kinds != frozenset(Kind):
            parts.append(" and ".join(sorted(f"{k.value}s" for k in self._kinds)) + " only")
        return ", ".join(parts)

    def _on_source_data(self, *_: Any) -> None:
        if self.active and self._recompute_groups():
            self.beginFilterChange()
            self.endFilterChange()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        source = self._source
        if source is None or not self._active:  # asked for every row on a reset: 12,791 rows at the xl site
            return True
        entry = source.entry(source_row)
        if entry is None:
            return False
        if isinstance(entry, HeaderInfo):
            return not self.active or entry.group in self._visible_groups
        if not self.active:
            return True
        item = source.board.item(entry)
        return item is not None and self.accepts(item)

    # -- what is in view ---------------------------------------------------------------------------

    def visible_items(self) -> list[Item]:
        out = []
        for row in range(self.rowCount()):
            item = self.index(row, 0).data(Role.ITEM)
            if isinstance(item, Item):
                out.append(item)
        return out
