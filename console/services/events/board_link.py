"""The alarm queue and the door board agree (issue 13).

* An alarm acknowledged while its door is still in alarm marks the door: "alarm acknowledged by NAME at TIME"
  on its tile and in its details (:attr:`console.services.doors.Item.acknowledged`), until the controller
  clears the alarm. The marks are kept in the queue's :class:`~.workflow.WorkflowStore`: a restart keeps them.
* A maintenance state the board reads (low battery, replace battery, on backup power) becomes a low-priority
  alarm in the queue, once per occurrence (not again while the same alarm is open, nor after a restart).

Built and wired by :class:`console.services.session_services.SessionServices`; no Qt.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from console.services.doors import BoardChange, DoorBoard, Item, ItemKey

from .alarms import Alarm, AlarmQueue
from .model import Event, Level, Source
from .workflow import AckMark

__all__ = ["BOARD_DEVICE", "BoardAlarms", "item_for", "maintenance_event"]

log = logging.getLogger(__name__)

BOARD_DEVICE = "Door board"
EARLY_WINDOW = timedelta(minutes=2)  # an alarm acknowledged before the board polled its door: marked if seen by then


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def item_for(board: DoorBoard, event: Event) -> Item | None:
    """The door or gate an alarm's event is about (events name their door, not its id: matched by name)."""
    name = event.point
    if not name:
        return None
    matches = [item for item in board.items if item.name == name]
    if len(matches) > 1 and event.device_sn:  # two doors of the same name: the device's serial decides
        matches = [item for item in matches if item.device_sn == event.device_sn] or matches
    return matches[0] if matches else None


def _mark_id(key: ItemKey) -> str:
    return f"{key[0].value}:{key[1]}"


def maintenance_event(item: Item, at: datetime) -> Event:
    """A queued warning for a maintenance state the board read ("Low battery" at a door)."""
    name = _cap(item.alarm_words)
    at = at.replace(microsecond=0)
    digest = hashlib.blake2b(f"board\x1f{item.kind.value}\x1f{item.id}\x1f{item.door_alarm.value}\x1f"
                             f"{at:%Y%m%d%H%M%S}".encode(), digest_size=16).hexdigest()
    return Event(key=digest, source=Source.ACCESS, time=at, name=name, level=Level.WARNING, point=item.name,
                 device_sn=item.device_sn, device_name=item.device_name or BOARD_DEVICE, area=item.area,
                 received=at, raw={"kind": "board", "doorAlarm": item.door_alarm.value, "doorId": item.id})


class BoardAlarms:
    """Links one board and one queue (see the module docstring); :meth:`detach` undoes it."""

    def __init__(self, board: DoorBoard, queue: AlarmQueue, *, clock: Callable[[], datetime] = datetime.now) -> None:
        self.board = board
        self.queue = queue
        self._clock = clock
        self._raised: dict[ItemKey, str] = {}  # the maintenance state each item's queued alarm is about
        self._marked: set[ItemKey] = set()  # items whose mark is kept on disk
        self._early: dict[ItemKey, AckMark] = {}  # acknowledged before the board saw the door in alarm
        try:
            self._pending: dict[str, AckMark] = dict(queue.workflow.marks())  # from the last run
        except Exception:
            log.exception("the board's acknowledgement marks could not be read")
            self._pending = {}
        self._undo = [board.changed.connect(self._board_changed), queue.closed.connect(self._closed)]

    def detach(self) -> None:
        for undo in self._undo:
            undo()
        self._undo.clear()

    # -- acknowledgements on the board -----------------------------------------------------------

    def _closed(self, alarms: list[Alarm]) -> None:
        for alarm in alarms:
            item = item_for(self.board, alarm.event)
            if item is None:
                continue
            mark = AckMark(alarm.by, alarm.since or self._clock(), alarm.event.name)
            if not item.alarm:  # the board has not polled the alarm yet: marked when it does, if soon
                self._early[item.key] = mark
            elif self.board.mark_acknowledged(item.key, mark.words):
                self._marked.add(item.key)
                self._store_mark(item.key, mark)

    def _store_mark(self, key: ItemKey, mark: AckMark | None) -> None:
        try:
            if mark is None:
                self.queue.workflow.drop_mark(_mark_id(key))
            else:
                self.queue.workflow.put_mark(_mark_id(key), mark)
        except Exception:
            log.exception("the board's acknowledgement mark could not be kept on disk")

    # -- the board's changes ---------------------------------------------------------------------

    def _board_changed(self, change: BoardChange) -> None:
        keys: Iterable[ItemKey] = self.board.keys if change.structure else change.keys
        for key in keys:
            item = self.board.item(key)
            if item is None:
                continue
            pending = self._pending.pop(_mark_id(key), None) if item.has_state else None
            if pending is not None:
                if item.alarm and self.board.mark_acknowledged(key, pending.words):  # still in alarm after a restart
                    self._marked.add(key)
                else:
                    self._store_mark(key, None)
            elif key in self._marked and not item.acknowledged:  # the controller cleared the alarm
                self._marked.discard(key)
                self._store_mark(key, None)
            early = self._early.get(key)
            if early is not None and (item.alarm or self._clock() - early.at > EARLY_WINDOW):
                del self._early[key]
                if item.alarm and self._clock() - early.at <= EARLY_WINDOW and \
                        self.board.mark_acknowledged(key, early.words):
                    self._marked.add(key)
                    self._store_mark(key, early)
            self._maintenance(item)

    def sweep(self) -> None:
        """Queue the maintenance states on the board now (after the queue brought back the last run's alarms)."""
        for item in self.board.items:
            self._maintenance(item)

    def _maintenance(self, item: Item) -> None:
        if not self.queue.loaded:  # not before the last run's alarms are back: the same one would be raised twice
            return
        if not item.maintenance:
            self._raised.pop(item.key, None)
            return
        state = item.door_alarm.value
        if self._raised.get(item.key) == state:
            return
        self._raised[item.key] = state
        name = _cap(item.alarm_words)
        open_alarms = [*self.queue.alarms, *self.queue.snoozed]
        if any(a.event.point == item.name and a.event.name == name for a in open_alarms):
            return  # still open from before (a restart): not raised twice
        try:
            self.queue.raise_local([maintenance_event(item, self._clock())])
        except Exception:
            log.exception("the maintenance alarm of %s could not be queued", item.name)
