"""The timeline as a Qt table model: one row per space, one column per time slot of the window shown.

A cell holds the booking that covers its slot (``BOOKING_ROLE``), or none; ``DisplayRole`` is the booking's
subject in the slot where the booking starts (or the first slot shown), ``ToolTipRole`` says the slot, the
space and the booking in words (escaped: server text is never markup). The view paints the bookings as
blocks from :meth:`TimelineModel.bookings_in_row`; keyboard navigation and tests move over the cells.

Filters (``set_filters``): by space name, by a facility the space offers, by host (name or pin); a space
hidden by a filter is a row less, a booking of another host is not shown.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from console.services.spaces import Booking, SpaceDesk, SpaceInfo
from console.ui.text import item_tooltip

__all__ = ["BOOKING_ROLE", "SLOT_ROLE", "SPACE_ROLE", "Filters", "TimelineModel"]

BOOKING_ROLE = Qt.ItemDataRole.UserRole + 1  # Booking | None
SLOT_ROLE = Qt.ItemDataRole.UserRole + 2  # datetime: the slot's start
SPACE_ROLE = Qt.ItemDataRole.UserRole + 3  # SpaceInfo

Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Filters:
    space: str = ""
    facility_id: str = ""
    host: str = ""

    def space_ok(self, space: SpaceInfo) -> bool:
        if self.space and self.space.casefold() not in space.name.casefold():
            return False
        return not self.facility_id or self.facility_id in space.facility_ids

    def booking_ok(self, booking: Booking) -> bool:
        needle = self.host.strip().casefold()
        return not needle or needle in booking.host_name.casefold() or needle == booking.host_pin.casefold()


class TimelineModel(QAbstractTableModel):
    """Spaces x slots of ``desk``'s window; call :meth:`reload` when the desk says it changed."""

    def __init__(self, desk: SpaceDesk, *, slot_minutes: int = 30, parent: Any = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.slot = timedelta(minutes=max(5, slot_minutes))
        self.filters = Filters()
        self._spaces: list[SpaceInfo] = []
        self._rows: list[list[Booking]] = []
        self._start = desk.window_start
        self._columns = 0
        self.reload()

    # -- the data ------------------------------------------------------------------------------------

    def reload(self) -> None:
        """Read the desk again (spaces, bookings, window); a full reset: the timeline is small."""
        self.beginResetModel()
        self._start = self.desk.window_start
        span = self.desk.window_end - self.desk.window_start
        self._columns = int(span / self.slot)
        self._spaces = [s for s in self.desk.spaces.values() if self.filters.space_ok(s)]
        self._rows = [
            [b for b in self.desk.bookings_of(s.id) if self.filters.booking_ok(b)] for s in self._spaces
        ]
        self.endResetModel()

    def set_filters(self, filters: Filters) -> None:
        self.filters = filters
        self.reload()

    @property
    def window_start(self) -> datetime:
        return self._start

    @property
    def window_end(self) -> datetime:
        return self._start + self.slot * self._columns

    def space_at(self, row: int) -> SpaceInfo | None:
        return self._spaces[row] if 0 <= row < len(self._spaces) else None

    def row_of(self, space_id: str) -> int:
        return next((i for i, s in enumerate(self._spaces) if s.id == space_id), -1)

    def bookings_in_row(self, row: int) -> list[Booking]:
        return self._rows[row] if 0 <= row < len(self._rows) else []

    def slot_start(self, column: int) -> datetime:
        return self._start + self.slot * column

    def column_at(self, when: datetime) -> int:
        """The column of the slot holding ``when`` (clamped to the window)."""
        column = int((when - self._start) / self.slot)
        return max(0, min(self._columns - 1, column))

    def booking_at(self, row: int, when: datetime) -> Booking | None:
        for booking in self.bookings_in_row(row):
            if booking.start <= when < booking.end:
                return booking
        return None

    def booking_in_slot(self, row: int, column: int) -> Booking | None:
        """The booking that takes (part of) the slot, if any."""
        if not 0 <= row < len(self._rows) or not 0 <= column < self._columns:
            return None
        return self._slot_booking(row, self.slot_start(column))

    def booking_cell(self, booking_id: str) -> tuple[int, int] | None:
        for row, bookings in enumerate(self._rows):
            for booking in bookings:
                if booking.id == booking_id:
                    return row, self.column_at(max(booking.start, self._start))
        return None

    # -- QAbstractItemModel --------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._spaces)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._columns

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._spaces)) or not (
                0 <= index.column() < self._columns):
            return None
        row, column = index.row(), index.column()
        start = self.slot_start(column)
        booking = self._slot_booking(row, start)
        if role == BOOKING_ROLE:
            return booking
        if role == SLOT_ROLE:
            return start
        if role == SPACE_ROLE:
            return self._spaces[row]
        if role == Qt.ItemDataRole.DisplayRole:
            if booking is None:
                return ""
            first = column == 0 or not (booking.start < start)
            return booking.subject if first else ""
        if role == Qt.ItemDataRole.ToolTipRole:
            space = self._spaces[row]
            when = f"{start:%a %d %b %H:%M}-{start + self.slot:%H:%M}"
            if booking is None:
                return item_tooltip(f"{space.name}, {when}: free ({space.capacity_words})")
            return item_tooltip(f"{booking.subject}\n{booking.start:%H:%M}-{booking.end:%H:%M}, "
                                f"{booking.status_words}\nhost: {booking.host_label}\n{booking.people_words}\n"
                                f"{space.name} ({space.capacity_words})")
        if role == Qt.ItemDataRole.AccessibleTextRole:
            if booking is None:
                return f"{self._spaces[row].name}, {start:%H:%M}, free"
            return f"{self._spaces[row].name}, {start:%H:%M}, {booking.subject}, {booking.status_words}"
        return None

    def _slot_booking(self, row: int, start: datetime) -> Booking | None:
        end = start + self.slot
        for booking in self._rows[row]:
            if booking.start < end and start < booking.end:
                return booking
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        if orientation == Qt.Orientation.Vertical:
            space = self.space_at(section)
            if space is None:
                return None
            if role == Qt.ItemDataRole.ToolTipRole:
                return item_tooltip(f"{space.name}\n{space.capacity_words}\n{space.address}")
            return space.name
        if not 0 <= section < self._columns:
            return None
        start = self.slot_start(section)
        return f"{start:%a %H:%M}" if self.desk.days > 1 else f"{start:%H:%M}"

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
