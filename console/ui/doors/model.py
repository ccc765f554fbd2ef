"""The board as a Qt model: one row per door or gate, with group header rows (area, then device).

:class:`BoardModel` translates :class:`console.services.doors.DoorBoard` for views: it owns no state of its own
beyond the row order and transient command notes, and it announces exactly the rows that changed
(``dataChanged`` over runs of changed rows; a reset only when items come or go or the grouping changes).
Group header counts follow each announced item by difference (:func:`counts_of`), never by recounting a group.
The views show it through :class:`console.ui.doors.filtered.BoardFilter`, which filters by text, area, device and
"only problems" and keeps a group header visible only while one of its items is.
"""

from __future__ import annotations

import enum
import json
import time
from collections.abc import Callable, Generator, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtGui import QFont

from console.services.doors import BoardChange, DoorBoard, Item, ItemKey, Kind
from console.services.doors_gc import hold_full_collections

from ..text import tooltip
from . import turns
from .style import full_text

__all__ = ["MIME_TYPE", "NO_COUNTS", "BoardModel", "Counts", "Grouping", "HeaderInfo", "Role", "counts_of",
           "decode_mime"]

MIME_TYPE = "application/x-cvsecurity-board-items"
NOTE_SECONDS = 15.0
SLICE_ROWS = 300  # a change of more rows than this is announced in slices, over several turns of the loop
SLICE_STEP = 50  # rows announced at a time within a slice ...
SLICE_SECONDS = turns.TURN_SECONDS  # ... until this much of the turn is used (shared: console/ui/doors/turns.py)
REBUILD_SLICED_ABOVE = 1000  # items: rebuilding the rows of a bigger board is spread over turns of the loop
REBUILD_STEP = 100  # items (or headers) handled between two looks at the clock during a rebuild
FLUSH_SCAN = 1000  # rows looked at, at most, for pending keys in one step of announcing a big change
Index = QModelIndex | QPersistentModelIndex
Counts = tuple[int, int, int, int, int]  # what an item adds to its headers: doors, gates, offline, alarm, long open
NO_COUNTS: Counts = (0, 0, 0, 0, 0)


def counts_of(item: Item) -> Counts:
    """What ``item`` adds to the counts of a group header (:class:`HeaderInfo`)."""
    door = item.is_door
    return (1 if door else 0, 0 if door else 1, 1 if item.offline else 0, 1 if item.alarm else 0,
            1 if item.open_too_long else 0)


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

    @property
    def counts(self) -> Counts:
        return (self.doors, self.gates, self.offline, self.alarm, self.long_open)

    def shift(self, old: Counts, new: Counts) -> None:
        """One member's counts went from ``old`` to ``new`` (:data:`NO_COUNTS`: not counted)."""
        self.doors += new[0] - old[0]
        self.gates += new[1] - old[1]
        self.offline += new[2] - old[2]
        self.alarm += new[3] - old[3]
        self.long_open += new[4] - old[4]

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
# rows, groups of items, counts, row of each item, row of each group header
Built = tuple[list[Row], dict[ItemKey, tuple[str, ...]], dict[ItemKey, Counts], dict[ItemKey, int], dict[str, int]]


class BoardModel(QAbstractListModel):
    def __init__(self, board: DoorBoard, grouping: Grouping = Grouping.AREA_DEVICE, parent: Any = None) -> None:
        super().__init__(parent)
        self.board = board
        self._grouping = grouping
        self._rows: list[Row] = []
        self._row_of: dict[ItemKey, int] = {}
        self._header_rows: dict[str, int] = {}  # group id -> row
        self._groups_of: dict[ItemKey, tuple[str, ...]] = {}
        self._counted: dict[ItemKey, Counts] = {}  # what each item adds to its group headers, as last counted
        self._notes: dict[ItemKey, tuple[str, bool, float]] = {}
        self._note_holds: dict[ItemKey, Callable[[Item], bool]] = {}  # a note shown while its state lasts
        self._note_timer = QTimer(self)
        self._note_timer.setInterval(1000)
        self._note_timer.timeout.connect(self._expire_notes)
        self._pending: set[ItemKey] = set()  # changed items not yet announced (a big change, in slices)
        self._cursor = 0  # the row the announcing of pending keys has reached (in row order, a pass at a time)
        self._flushing = False
        self._detached = False
        self._rebuilding: Generator[None, None, Built] | None = None
        self._changed_meanwhile: set[ItemKey] = set()  # items announced while a rebuild was under way
        self._gc_release: Callable[[bool], None] | None = None  # full collections held during a big rebuild
        self._graveyard: list[tuple[list[Row], dict[Any, Any], dict[Any, Any], dict[Any, Any], dict[Any, Any]]] = []
        self._disconnect = board.changed.connect(self._on_board_changed)
        self._bold = QFont()
        self._bold.setBold(True)
        self._rebuild()

    def detach(self) -> None:
        """Stop listening to the board (the panel calls it when it closes)."""
        self._rebuilding = None
        self._rebuilt()
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

    def _rebuild_steps(self) -> Generator[None, None, Built]:
        """The rows for the current grouping, computed a few hundred items at a time (``yield`` between):
        :meth:`_rebuild_slice` spreads a big board's rebuild over turns of the event loop."""
        rows: list[Row] = []
        headers: dict[str, HeaderInfo] = {}
        groups_of: dict[ItemKey, tuple[str, ...]] = {}
        counted: dict[ItemKey, Counts] = {}
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
            counted[item.key] = counts = counts_of(item)
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
                header.shift(NO_COUNTS, counts)
            rows.append(item.key)
            if n % REBUILD_STEP == 0:
                yield
        row_of: dict[ItemKey, int] = {}
        header_rows: dict[str, int] = {}
        for row, entry in enumerate(rows):
            if row % (4 * REBUILD_STEP) == 0:
                yield
            if isinstance(entry, HeaderInfo):
                header_rows[entry.group] = row
            else:
                row_of[entry] = row
        return rows, groups_of, counted, row_of, header_rows

    def _take_rows(self, built: Built) -> None:
        # the previous rows and maps are let go a few hundred entries a turn (freeing ~60,000 objects at once
        # is a few milliseconds of its own)
        self._graveyard.append((self._rows, self._groups_of, self._counted, self._row_of, self._header_rows))
        turns.schedule(self, "drop", self._drop_step)
        self._rows, self._groups_of, self._counted, self._row_of, self._header_rows = built
        self._cursor = 0
        if self._notes:
            self._notes = {k: v for k, v in self._notes.items() if k in self._row_of}
        for key in self._changed_meanwhile:  # counted before they changed: counted again
            self._count(key)
        self._changed_meanwhile.clear()

    def _drop_step(self) -> bool:
        while self._graveyard:
            rows, *maps = self._graveyard[-1]
            if rows:
                del rows[-4 * REBUILD_STEP :]
                return True
            for held in maps:
                if held:
                    for _ in range(min(len(held), 4 * REBUILD_STEP)):
                        held.popitem()
                    return True
            self._graveyard.pop()
        return False

    def _start_rebuild(self) -> None:
        """Rebuild over several turns of the event loop, then reset the views at once (the old rows stay
        shown until then; a newer rebuild replaces one under way)."""
        self._rebuilding = self._rebuild_steps()
        if self._gc_release is None:  # ~60,000 new objects: no full collection walks them half-built
            self._gc_release = release = hold_full_collections()
            self.destroyed.connect(lambda *_: release(True))  # a panel closed mid-rebuild lets go too
        turns.schedule(self, "rebuild", self._rebuild_step)

    def _rebuilt(self) -> None:
        release, self._gc_release = self._gc_release, None
        if release is not None:
            release(True)

    def _rebuild_step(self) -> bool:
        steps = self._rebuilding
        if steps is None or self._detached:
            self._rebuilding = None
            self._rebuilt()
            return False
        try:
            next(steps)
        except StopIteration as done:
            self._rebuilding = None
            self._pending.clear()
            self.beginResetModel()
            self._take_rows(done.value)
            self.endResetModel()
            self._rebuilt()
            return False
        except BaseException:
            self._rebuilding = None
            self._rebuilt()
            raise
        return True

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
        if self._rebuilding is not None:
            self._changed_meanwhile.update(change.keys)
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
        if not self._flushing:
            self._flushing = True
            turns.schedule(self, "flush", self._flush_step)

    def _flush_step(self) -> bool:
        """Announce SLICE_STEP rows (each row announced costs the view a size); False when all are."""
        if not self._pending or self._detached:
            self._flushing = False
            return False
        # the rows are walked from the cursor, SLICE_STEP pending keys (or FLUSH_SCAN rows) a step: no sort of
        # 11,000 keys in one step; a key added behind the cursor is announced on the next pass
        rows, pending = self._rows, self._pending
        ordered: list[ItemKey] = []
        end = min(len(rows), self._cursor + FLUSH_SCAN)
        while self._cursor < end and len(ordered) < SLICE_STEP:
            entry = rows[self._cursor]
            self._cursor += 1
            if not isinstance(entry, HeaderInfo) and entry in pending:
                ordered.append(entry)
        if self._cursor >= len(rows):  # a pass is over: what has no row is not shown (nothing to announce)
            self._cursor = 0
            self._pending = {k for k in pending if k in self._row_of}
        self._pending.difference_update(ordered)
        self._announce_keys(ordered)
        if not self._pending:
            self._flushing = False
            return False
        return True

    def _announce_keys(self, keys: Iterable[ItemKey]) -> None:
        """Tell the views about ``keys``' rows, and about their group headers whose counts changed."""
        rows: set[int] = set()
        for key in keys:
            row = self._row_of.get(key)
            if row is not None:
                rows.add(row)
                rows.update(self._count(key))
        self._emit_rows(rows)

    def _count(self, key: ItemKey) -> list[int]:
        """Count ``key`` again in its group headers (by difference); the rows of the headers that changed."""
        item = self.board.item(key)
        new = counts_of(item) if item is not None else NO_COUNTS
        old = self._counted.get(key, NO_COUNTS)
        if new == old:
            return []
        self._counted[key] = new
        rows = []
        for gid in self._groups_of.get(key, ()):
            row = self._header_rows.get(gid)
            if row is not None and isinstance(header := self._rows[row], HeaderInfo):
                header.shift(old, new)
                rows.append(row)
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

    @property
    def rows(self) -> list[Row]:
        """Every row, in order (the model's own list: read it, never change it; a rebuild replaces it)."""
        return self._rows

    def item_count(self) -> int:
        """How many rows are doors and gates (not group headers)."""
        return len(self._row_of)

    def header_row(self, group: str) -> int | None:
        return self._header_rows.get(group)

    def header(self, group: str) -> HeaderInfo | None:
        row = self._header_rows.get(group)
        entry = self._rows[row] if row is not None else None
        return entry if isinstance(entry, HeaderInfo) else None

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
        return self.entry_data(self._rows[row], role)

    def entry_data(self, entry: Row, role: int) -> Any:
        """What :meth:`data` answers for the row holding ``entry``."""
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
