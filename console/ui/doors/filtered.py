"""What the board view shows: the rows of :class:`~console.ui.doors.model.BoardModel` that pass the filter.

:class:`BoardFilter` filters by text (every word must match name, area, device or serial), area, device, kind and
"only problems", and keeps a group header visible only while one of its items is; under a filter a header counts
what is shown ("2 doors shown of 7").

It is a list model of its own rather than a ``QSortFilterProxyModel``: a proxy asks Python for every row on each
filter change or reset (``filterAcceptsRow``, ~12,800 calls at 10,000 doors, 100-200 ms in one turn of the loop).
Here the rows are computed in Python in time-boxed slices over several turns of the event loop (a board of more
than :data:`~console.ui.doors.model.REBUILD_SLICED_ABOVE` items; a smaller one at once), then swapped in one
``layoutChanged`` that keeps the selection and the current tile (the persistent indexes follow their item or
header); the view lays the new rows out in batches. With no filter the rows are the board model's own list.

A state change under a filter: an item's tile and its headers' counts follow by difference; when an item comes
into or goes out of the filter, the rows are computed again (in slices on a big board).
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Sequence
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QAbstractListModel, QMimeData, QModelIndex, QPersistentModelIndex, Qt

from console.services.doors import Item, ItemKey, Kind
from console.services.observable import Signal

from ..text import tooltip
from . import turns
from .model import (
    MIME_TYPE,
    NO_COUNTS,
    REBUILD_SLICED_ABOVE,
    REBUILD_STEP,
    BoardModel,
    Counts,
    HeaderInfo,
    Role,
    Row,
    area_title,
    counts_of,
)

__all__ = ["BoardFilter"]

Index = QModelIndex | QPersistentModelIndex
Computed = tuple[list[Row], dict[str, HeaderInfo], dict[ItemKey, Counts]]  # rows, shown headers, shown items


def _ident(entry: Row) -> ItemKey | str:
    """What a row stands for across rebuilds: the item's key, or the header's group id."""
    return entry.group if isinstance(entry, HeaderInfo) else entry


class BoardFilter(QAbstractListModel):
    """The filtered board (see the module's words). ``computed`` fires when a new set of rows is shown."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._terms: list[str] = []
        self._area: str | None = None
        self._device: str | None = None
        self._problems = False
        self._kinds: frozenset[Kind] = frozenset(Kind)
        self._active = False
        self._source: BoardModel | None = None
        self._rows: list[Row] = []
        self._pos: dict[ItemKey | str, int] | None = None  # row of each item key / group id (built when asked)
        self._shown: dict[str, HeaderInfo] = {}  # under a filter: each visible group's counts of what is shown
        self._counted: dict[ItemKey, Counts] = {}  # under a filter: the items shown, as counted in _shown
        self._computing: Generator[None, None, Computed] | None = None
        self._dirty: set[ItemKey] = set()  # items that changed while rows were being computed
        self._detached = False
        self.computed: Signal[None] = Signal()

    # -- the source ----------------------------------------------------------------------------------

    def setSourceModel(self, model: BoardModel) -> None:
        if self._source is not None:
            self._source.dataChanged.disconnect(self._on_source_data)
            self._source.modelReset.disconnect(self._on_source_reset)
        self._source = model
        model.dataChanged.connect(self._on_source_data)
        model.modelReset.connect(self._on_source_reset)
        self.beginResetModel()
        self._computing = None
        self._take(self._run(self._compute_steps()))
        self.endResetModel()

    def sourceModel(self) -> BoardModel | None:
        return self._source

    def detach(self) -> None:
        """Stop any computation under way (the panel calls it when it closes)."""
        self._detached = True
        self._computing = None

    @property
    def computing(self) -> bool:
        """New rows are being computed (the rows shown are the previous ones until they land)."""
        return self._computing is not None

    # -- the filter ----------------------------------------------------------------------------------

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
        self._start()

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

    # -- computing the rows --------------------------------------------------------------------------

    def _start(self) -> None:
        """Compute the rows again: at once on a small board, else over turns of the loop (a newer computation
        replaces one under way)."""
        source = self._source
        if source is None or self._detached:
            return
        if not self._active and self._computing is None and self._rows is source.rows:
            return  # nothing filtered, and the rows are the board's already
        steps = self._compute_steps()
        if len(source.rows) <= REBUILD_SLICED_ABOVE or not self._active:
            self._computing = None
            self._land(self._run(steps))
            return
        self._computing = steps
        turns.schedule(self, "compute", self._compute_step)

    @staticmethod
    def _run(steps: Generator[None, None, Computed]) -> Computed:
        while True:
            try:
                next(steps)
            except StopIteration as done:
                computed: Computed = done.value
                return computed

    def _compute_step(self) -> bool:
        steps = self._computing
        if steps is None or self._detached:
            self._computing = None
            return False
        try:
            next(steps)
        except StopIteration as done:
            self._computing = None
            self._land(done.value)
            return False
        return True

    def _compute_steps(self) -> Generator[None, None, Computed]:
        """The rows the filter leaves, the counted headers and items (``yield`` every few hundred rows)."""
        source = self._source
        assert source is not None
        rows = source.rows
        if not self._active:
            return rows, {}, {}
        board, accepts = source.board, self.accepts
        shown: dict[str, HeaderInfo] = {}
        counted: dict[ItemKey, Counts] = {}
        for n, entry in enumerate(rows):
            if n % REBUILD_STEP == 0:
                yield
            if isinstance(entry, HeaderInfo):
                continue
            item = board.item(entry)
            if item is None or not accepts(item):
                continue
            counted[entry] = counts = counts_of(item)
            for group in source.groups_of(entry):
                header = shown.get(group)
                if header is None:
                    full = source.header(group)
                    if full is None:
                        continue
                    header = shown[group] = replace(full, members=full.members, total=len(full.members), doors=0,
                                                    gates=0, offline=0, alarm=0, long_open=0)
                header.shift(NO_COUNTS, counts)
        out: list[Row] = []
        for n, entry in enumerate(rows):
            if n % REBUILD_STEP == 0:
                yield
            if isinstance(entry, HeaderInfo):
                if entry.group in shown:
                    out.append(entry)
            elif entry in counted:
                out.append(entry)
        return out, shown, counted

    def _take(self, computed: Computed) -> None:
        self._rows, self._shown, self._counted = computed
        self._pos = None

    def _land(self, computed: Computed) -> None:
        """Show the computed rows: one layout change, the persistent indexes (selection, current tile) following
        their item or header to its new row (or gone, when the filter hides it)."""
        old = self._rows
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        self._take(computed)
        if persistent:
            pos = self._positions()
            moved = []
            for index in persistent:
                row = index.row()
                new = pos(_ident(old[row])) if 0 <= row < len(old) else None
                moved.append(self.index(new) if new is not None else QModelIndex())
            self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()
        dirty, self._dirty = self._dirty, set()
        if len(dirty) > REBUILD_STEP and self._active:  # many changed meanwhile (all stale): computed again
            self._start()
        elif dirty and self._active:
            self._emit_rows(self._refilter(dirty))
        if self._computing is None:
            self.computed.emit(None)

    def _positions(self) -> Callable[[ItemKey | str], int | None]:
        """The row of an item key or group id: the board model's own maps while the rows are its own (no filter),
        else a map of these rows (built once, when first asked)."""
        source = self._source
        if source is not None and self._rows is source.rows:
            return lambda ident: source.header_row(ident) if isinstance(ident, str) else source.row_of(ident)
        if self._pos is None:
            self._pos = {_ident(entry): row for row, entry in enumerate(self._rows)}
        return self._pos.get

    # -- following the source ------------------------------------------------------------------------

    def _on_source_reset(self) -> None:
        self._start()

    def _on_source_data(self, top: QModelIndex, bottom: QModelIndex, *_: Any) -> None:
        source = self._source
        if source is None:
            return
        if not self._active and self._rows is source.rows:  # the same rows
            self._emit_rows(range(top.row(), bottom.row() + 1))
            return
        pos = self._positions()
        rows: list[int] = []
        keys: list[ItemKey] = []
        for source_row in range(top.row(), bottom.row() + 1):
            entry = source.entry(source_row)
            if entry is None:
                continue
            if not isinstance(entry, HeaderInfo):
                keys.append(entry)
            row = pos(_ident(entry))
            if row is not None:
                rows.append(row)
        if self._active and keys:
            if self._computing is not None:
                self._dirty.update(keys)
            else:
                rows.extend(self._refilter(keys))
        self._emit_rows(rows)

    def _refilter(self, keys: Iterable[ItemKey]) -> list[int]:
        """Items that changed under a filter: the rows of the headers whose counts changed; when an item comes
        into or goes out of the filter, the rows are computed again."""
        source = self._source
        assert source is not None
        groups: set[str] = set()
        for key in keys:
            item = source.board.item(key)
            accepted = item is not None and self.accepts(item)
            if accepted != (key in self._counted):
                self._start()
                return []
            if item is None or not accepted:
                continue
            new, old = counts_of(item), self._counted[key]
            if new != old:
                self._counted[key] = new
                for group in source.groups_of(key):
                    header = self._shown.get(group)
                    if header is not None:
                        header.shift(old, new)
                        groups.add(group)
        pos = self._positions()
        return [row for g in groups if (row := pos(g)) is not None]

    def _emit_rows(self, rows: Iterable[int]) -> None:
        """One ``dataChanged`` per row: a view repaints a single row's tile where it is (nothing when it is out of
        sight), but the whole viewport for a range of rows (a full repaint of the board is ~10 ms)."""
        changed = self.dataChanged
        for row in sorted(set(rows)):
            index = self.index(row)
            changed.emit(index, index)

    # -- lookups ---------------------------------------------------------------------------------------

    def mapFromSource(self, source_index: Index) -> QModelIndex:
        """This model's index of the board model's row (invalid when the filter hides it)."""
        source = self._source
        entry = source.entry(source_index.row()) if source is not None and source_index.isValid() else None
        row = self._positions()(_ident(entry)) if entry is not None else None
        return self.index(row) if row is not None else QModelIndex()

    def mapToSource(self, index: Index) -> QModelIndex:
        source = self._source
        entry = self.entry(index.row()) if index.isValid() else None
        if source is None or entry is None:
            return QModelIndex()
        if isinstance(entry, HeaderInfo):
            return source.index(source.rows.index(entry)) if entry in source.rows else QModelIndex()
        return source.index_of(entry)

    def entry(self, row: int) -> Row | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def shown_count(self) -> int:
        """How many doors and gates are shown (while a new filter is being computed: the previous rows)."""
        source = self._source
        if source is not None and self._rows is source.rows:
            return source.item_count()
        return len(self._counted)

    def visible_items(self) -> list[Item]:
        source = self._source
        if source is None:
            return []
        board = source.board
        out = []
        for entry in self._rows:
            if not isinstance(entry, HeaderInfo):
                item = board.item(entry)
                if item is not None:
                    out.append(item)
        return out

    # -- the model interface -----------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def flags(self, index: Index) -> Qt.ItemFlag:
        entry = self.entry(index.row()) if index.isValid() else None
        if entry is None:
            return Qt.ItemFlag.NoItemFlags
        if isinstance(entry, HeaderInfo):
            return Qt.ItemFlag.ItemIsEnabled
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = index.row()
        if not 0 <= row < len(self._rows) or self._source is None:
            return None
        entry = self._rows[row]
        if isinstance(entry, HeaderInfo):
            # a group header under a filter counts what the filter leaves ("2 doors shown of 7")
            counted = self._shown.get(entry.group) if self._active else None
            if counted is not None:
                if role == Role.HEADER:
                    return counted
                if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleTextRole):
                    text = [x for x in (counted.title, counted.detail, counted.counts_text()) if x]
                    return tooltip("\n".join(text)) if role == Qt.ItemDataRole.ToolTipRole else ". ".join(text)
            elif role == Role.HEADER:
                return entry
        elif role == Role.HEADER:  # asked for every row by the delegate's sizeHint: answer first
            return None
        return self._source.entry_data(entry, role)

    def mimeTypes(self) -> list[str]:
        return [MIME_TYPE]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        source = self._source
        if source is None:
            return QMimeData()
        return source.mimeData([source.index_of(key) for index in indexes
                                if isinstance(key := self.data(index, Role.KEY), tuple)])

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction
