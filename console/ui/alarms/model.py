"""The alarm queue as a Qt table: the alarms demanding attention, most urgent first, then oldest first.

The priority is shown in words, colour and an icon whose shape and number tell it without colour
(:mod:`.priority_style`); the state says who has the alarm ("In progress: Anna", "On hold: reason").

``set_alarms(queue.alarms)`` merges by key (rows removed, inserted, updated), so the operator's selection
survives alarms arriving and leaving while they choose what to acknowledge.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from console.services.events import Alarm, AlarmState
from console.services.events.model import format_time
from console.services.people_names import PeopleNames
from console.ui.events import style

from .priority_style import priority_background, priority_foreground, priority_icon

__all__ = ["HEADERS", "OLD_HEADERS", "SHOWN_IN_A_COLUMN", "AlarmColumn", "AlarmRole", "AlarmTableModel", "short_time",
           "waited"]

Index = QModelIndex | QPersistentModelIndex


class AlarmColumn(IntEnum):
    PRIORITY = 0
    TIME = 1
    EVENT = 2
    POINT = 3
    PERSON = 4
    DEVICE = 5
    WAITING = 6
    ALERTS = 7
    STATE = 8


HEADERS = {
    AlarmColumn.PRIORITY: "Priority",
    AlarmColumn.TIME: "Time",
    AlarmColumn.EVENT: "Event",
    AlarmColumn.POINT: "Where",  # the door or point; whole in the narrow column ("Door / point" was clipped)
    AlarmColumn.PERSON: "Person",
    AlarmColumn.DEVICE: "Device",
    AlarmColumn.WAITING: "Waiting",
    AlarmColumn.ALERTS: "Raised",
    AlarmColumn.STATE: "State",
}
# saved column lists of earlier versions name their columns by the headers of then
OLD_HEADERS = {"Severity": AlarmColumn.PRIORITY, "Door / point": AlarmColumn.POINT}


SHOWN_IN_A_COLUMN = (AlarmColumn.PRIORITY, AlarmColumn.EVENT, AlarmColumn.POINT, AlarmColumn.STATE)
"""What the narrow alarms column shows by default (the time is in the details line under the table); the others are
a right-click on the header away, and every cell's tool tip tells the whole alarm."""


class AlarmRole(IntEnum):
    KEY = Qt.ItemDataRole.UserRole + 1
    ALARM = Qt.ItemDataRole.UserRole + 2


def short_time(when: datetime, now: datetime) -> str:
    """``02:14:05`` for today, ``04-30 23:58`` before (the tool tip has the whole date)."""
    if when.date() == now.date():
        return f"{when:%H:%M:%S}"
    if when.year == now.year:
        return f"{when:%m-%d %H:%M}"
    return f"{when:%Y-%m-%d}"


def waited(since: datetime, now: datetime) -> str:
    seconds = max(0, int((now - since).total_seconds()))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min"
    if seconds < 48 * 3600:
        return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"
    return f"{seconds // 86400} days"


class AlarmTableModel(QAbstractTableModel):
    def __init__(self, clock: Callable[[], datetime] = datetime.now, parent: Any = None) -> None:
        super().__init__(parent)
        self._clock = clock
        self._alarms: list[Alarm] = []
        self.names: PeopleNames | None = None  # the connection's pin -> name cache (set by the workspace)
        self._bold = QFont()
        self._bold.setBold(True)

    @property
    def alarms(self) -> list[Alarm]:
        return list(self._alarms)

    def alarm_at(self, row: int) -> Alarm | None:
        return self._alarms[row] if 0 <= row < len(self._alarms) else None

    def row_of(self, key: str) -> int | None:
        for i, alarm in enumerate(self._alarms):
            if alarm.key == key:
                return i
        return None

    def set_alarms(self, alarms: Sequence[Alarm]) -> None:
        """Show ``alarms`` (the queue's order), changing only the rows that differ."""
        wanted = {a.key: a for a in alarms}
        # 1. rows that left (acknowledged, snoozed), bottom up so the row numbers hold
        for row in range(len(self._alarms) - 1, -1, -1):
            if self._alarms[row].key not in wanted:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._alarms[row]
                self.endRemoveRows()
        # 2. rows that came (new, back from a snooze) at their place in the queue's order
        for row, alarm in enumerate(alarms):
            if row < len(self._alarms) and self._alarms[row].key == alarm.key:
                continue
            present = self.row_of(alarm.key)
            if present is not None:  # further down (rows above are settled): the queue reordered, move it up
                self.beginMoveRows(QModelIndex(), present, present, QModelIndex(), row)
                self._alarms.insert(row, self._alarms.pop(present))
                self.endMoveRows()
                continue
            self.beginInsertRows(QModelIndex(), row, row)
            self._alarms.insert(row, alarm)
            self.endInsertRows()
        # 3. rows whose alarm changed (raised again)
        for row, alarm in enumerate(alarms):
            if self._alarms[row] != alarm:
                self._alarms[row] = alarm
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(AlarmColumn) - 1))

    def tick(self) -> None:
        """Time moved: the "Waiting" column changes."""
        if self._alarms:
            column = AlarmColumn.WAITING
            self.dataChanged.emit(self.index(0, column), self.index(len(self._alarms) - 1, column))

    def restyle(self) -> None:
        if self._alarms:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._alarms) - 1, len(AlarmColumn) - 1))

    # -- Qt --------------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._alarms)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(AlarmColumn)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
        if horizontal and 0 <= section < len(AlarmColumn):
            return HEADERS[AlarmColumn(section)]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def _text(self, alarm: Alarm, column: AlarmColumn) -> str:
        event = alarm.event
        if column is AlarmColumn.PRIORITY:
            return alarm.priority.words
        if column is AlarmColumn.STATE:
            return style.cut(alarm.state_words)
        if column is AlarmColumn.TIME:
            return short_time(event.time, self._clock())
        if column is AlarmColumn.EVENT:
            return style.cut(style.event_text(event))
        if column is AlarmColumn.POINT:
            return style.cut(event.point)
        if column is AlarmColumn.PERSON:
            return style.cut(style.person_text(event, self.names))
        if column is AlarmColumn.DEVICE:
            return style.cut(event.device)
        if column is AlarmColumn.WAITING:
            return waited(event.time if event.time <= alarm.raised_at else alarm.raised_at, self._clock())
        return "once" if alarm.alerts == 1 else f"{alarm.alerts} times"

    def names_known(self, _pins: object = None) -> None:
        """Names of pins became known: the person cells say them now."""
        if self._alarms:
            column = int(AlarmColumn.PERSON)
            self.dataChanged.emit(self.index(0, column), self.index(len(self._alarms) - 1, column))

    def describe(self, alarm: Alarm) -> str:
        """The whole alarm in words, whatever columns are shown: the tool tip of each of its cells."""
        event = alarm.event
        what = style.event_text(event) or "(unnamed event)"
        lines = [f"{alarm.priority.words} priority ({alarm.kind.words}): {what}",
                 f"Time: {format_time(event.time)}", f"State: {alarm.state_words}"]
        if alarm.state is not AlarmState.NEW and alarm.since is not None:
            lines[-1] += f" (since {alarm.since:%H:%M})"
        for caption, value in (("Door / point", event.point), ("Person", style.person_text(event, self.names)),
                               ("Device", event.device)):
            if value:
                lines.append(f"{caption}: {value}")
        lines.append(f"Waiting: {self._text(alarm, AlarmColumn.WAITING)}")
        if alarm.alerts > 1:
            lines.append(f"Raised {alarm.alerts} times; last at {format_time(alarm.last_alert)}")
        return "\n".join(lines)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        alarm = self.alarm_at(index.row()) if index.isValid() else None
        if alarm is None or index.column() >= len(AlarmColumn):
            return None
        column = AlarmColumn(index.column())
        priority = alarm.priority
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._text(alarm, column)
        if role == Qt.ItemDataRole.DecorationRole and column is AlarmColumn.PRIORITY:
            return priority_icon(priority)
        if role == Qt.ItemDataRole.ForegroundRole:
            return priority_foreground(priority)
        if role == Qt.ItemDataRole.BackgroundRole:
            return priority_background(priority)
        if role == Qt.ItemDataRole.FontRole and (column in (AlarmColumn.PRIORITY, AlarmColumn.EVENT)
                                                  or (column is AlarmColumn.STATE and alarm.state is AlarmState.NEW)):
            return self._bold
        if role == Qt.ItemDataRole.ToolTipRole:
            return style.plain_tooltip(self.describe(alarm))
        if role == AlarmRole.KEY:
            return alarm.key
        if role == AlarmRole.ALARM:
            return alarm
        return None
