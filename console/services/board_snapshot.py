"""The last known board, kept on disk: a console restarted at the worst moment shows it at once, stale.

After a good poll (at most every :data:`SNAPSHOT_EVERY` seconds) the door board's items are written to
``data/profiles/<profile>/board_snapshot.json``, atomically (a temporary file, then ``os.replace``), off the
event loop (``asyncio.to_thread``: 10,000 doors are ~100 ms of JSON). When the services of that profile are
built again, :meth:`BoardSnapshot.seed` puts those items on the board marked stale ("Last seen closed at
14:02"), until the first fresh poll replaces each of them. A damaged or foreign snapshot is logged and
ignored, never fatal; strings read back are cleaned and size-limited like the server's.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

from console.api.models import (
    ConnectState,
    DoorAlarm,
    GateAlarm,
    GateRelay,
    GateStateCode,
    RelayState,
    SensorState,
)

from .doors import DoorBoard, Item, Kind
from .files import atomic_write
from .text import clean_text

__all__ = ["MAX_SNAPSHOT_BYTES", "SNAPSHOT_EVERY", "SNAPSHOT_FILE", "BoardSnapshot", "hand_over", "read_snapshot",
           "write_snapshot"]

log = logging.getLogger(__name__)

SNAPSHOT_FILE = "board_snapshot.json"
SNAPSHOT_EVERY = 60.0  # seconds between two snapshots at most (a good poll after that writes one)
SNAPSHOT_VERSION = 1
MAX_SNAPSHOT_BYTES = 64 * 1024 * 1024  # 100,000 doors fit; a bigger file is not ours
E = TypeVar("E", bound=Enum)

_handed_over: dict[Path, tuple[int, list[Item]]] = {}  # path -> (mtime_ns, items): read once at start

_ENUMS: dict[str, type[Enum]] = {
    "connect": ConnectState,
    "sensor": SensorState,
    "relay": RelayState,
    "door_alarm": DoorAlarm,
    "gate_state": GateStateCode,
    "gate_alarm": GateAlarm,
    "gate_relay": GateRelay,
}
_TEXTS = ("id", "name", "device_id", "device_name", "device_sn", "device_model", "area")


def _row(item: Item) -> dict[str, Any]:
    row: dict[str, Any] = {"kind": item.kind.value}
    for name in _TEXTS:
        row[name] = getattr(item, name)
    for name in _ENUMS:
        row[name] = getattr(item, name).name
    row["has_state"] = item.has_state
    row["codes"] = dict(item.codes)
    row["seen"] = item.updated_at.isoformat() if item.updated_at is not None else None
    return row


def _enum(kind: type[E], name: Any) -> E:
    try:
        return kind[name] if isinstance(name, str) else kind["UNKNOWN"]
    except KeyError:
        return kind["UNKNOWN"]


def _item(row: Any) -> Item | None:
    if not isinstance(row, dict):
        return None
    try:
        kind = Kind(str(row.get("kind")))
    except ValueError:
        return None
    texts = {name: clean_text(row.get(name)) if isinstance(row.get(name), str) else "" for name in _TEXTS}
    if not texts["id"]:
        return None
    enums = {name: _enum(kind_, row.get(name)) for name, kind_ in _ENUMS.items()}
    codes = row.get("codes")
    seen: datetime | None = None
    if isinstance(row.get("seen"), str):
        with contextlib.suppress(ValueError):
            seen = datetime.fromisoformat(row["seen"])
    item = Item(kind, **texts, **enums)  # type: ignore[arg-type]
    item.has_state = row.get("has_state") is True
    item.codes = ({clean_text(str(k), 32): clean_text(str(v), 32) for k, v in list(codes.items())[:16]}
                  if isinstance(codes, dict) else {})
    item.updated_at = seen
    return item


def write_snapshot(path: Path, items: Iterable[Item], saved_at: datetime) -> None:
    """Write ``items`` (in board order) to ``path`` atomically, owner-only. Raises OSError."""
    payload = {"version": SNAPSHOT_VERSION, "saved_at": saved_at.isoformat(), "items": [_row(i) for i in items]}
    text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    atomic_write(path, text.encode("utf-8"))


def read_snapshot(path: Path) -> list[Item] | None:
    """The items of the snapshot at ``path``; None when there is none, or it is damaged (logged)."""
    try:
        if path.stat().st_size > MAX_SNAPSHOT_BYTES:
            log.warning("board snapshot %s is too large to be ours; ignored", path)
            return None
        with path.open(encoding="utf-8") as handle:
            payload = json.load(handle)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, RecursionError) as exc:  # unreadable, not UTF-8, not JSON
        log.warning("board snapshot %s is damaged (%s); ignored", path, type(exc).__name__)
        return None
    if not isinstance(payload, dict) or payload.get("version") != SNAPSHOT_VERSION \
            or not isinstance(payload.get("items"), list):
        log.warning("board snapshot %s is not a snapshot this console wrote; ignored", path)
        return None
    items = [item for item in map(_item, payload["items"]) if item is not None]
    if len(items) < len(payload["items"]):
        log.warning("board snapshot %s: %d of %d entries unreadable, left out", path,
                    len(payload["items"]) - len(items), len(payload["items"]))
    return items


def hand_over(path: Path, items: list[Item]) -> None:
    """``items`` were just read from ``path`` (the start-up preview of the last board,
    ``console.ui.board_preview``): the next :meth:`BoardSnapshot.seed` of that path takes them instead of
    reading the file again, unless the file changed since (11,000 doors and gates: 0.4-0.7 s of JSON and
    cleaning on this machine, loaded)."""
    _handed_over.clear()  # one at a time: the preview of one start
    with contextlib.suppress(OSError):
        _handed_over[path] = (path.stat().st_mtime_ns, items)


def _taken(path: Path) -> list[Item] | None:
    kept = _handed_over.pop(path, None)
    _handed_over.clear()  # another profile connected first: the preview's items are of no use any more
    if kept is None:
        return None
    try:
        return kept[1] if path.stat().st_mtime_ns == kept[0] else None
    except OSError:
        return None


class BoardSnapshot:
    """Seeds ``board`` from ``path`` and keeps ``path`` up to date after good polls."""

    def __init__(self, board: DoorBoard, path: Path, *, every: float = SNAPSHOT_EVERY,
                 clock: Callable[[], float] = time.monotonic, wall: Callable[[], datetime] = datetime.now) -> None:
        self.board = board
        self.path = path
        self.every = every
        self._clock = clock
        self._wall = wall
        self._last_write: float | None = None
        self._writing: asyncio.Task[None] | None = None
        self._unsaved = False
        self._pictured = False  # the file's last write came with a picture
        self.writes = 0
        self.pictures = 0
        # set by the UI: takes a picture of the board as shown (on the loop) and returns the call that keeps it (run
        # in a worker thread after the snapshot is written), or None when the board shown is not live and whole
        self.picture: Callable[[], Callable[[], object] | None] | None = None
        self._disconnect = board.polled.connect(self._on_polled)

    def seed(self) -> int:
        """Put the snapshot's items on the (empty) board, stale; how many."""
        items = _taken(self.path)
        if items is None:
            items = read_snapshot(self.path)
        if not items:
            return 0
        count = self.board.seed(items)
        if count:
            log.info("board seeded with %d doors and gates from the snapshot of the last good poll", count)
        return count

    def _on_polled(self, ok: bool) -> None:
        if not ok:
            return
        self._unsaved = True  # a good poll the file does not hold yet: written within ``every``, or at the end
        if self._writing is not None and not self._writing.done():
            return
        now = self._clock()
        if self._last_write is not None and now - self._last_write < self.every:
            return
        self._last_write = now
        # the picture with the connection's first snapshot and its last (flush): not at every write (a picture
        # is megabytes; the next start shows it only when it is not older than the snapshot: after a crash the
        # preview of the snapshot comes alone)
        self._writing = asyncio.get_running_loop().create_task(self._write(picture=self.pictures == 0),
                                                               name="board snapshot")

    async def _write(self, *, picture: bool) -> None:
        """The board's items to the file (a worker thread), then with ``picture`` the picture of the board as
        shown (:meth:`_keep_picture`), unless a poll came between the two."""
        self._unsaved = False
        items = self.board.items  # a list of the current items: the thread only reads them
        polls = self.board.polls
        try:
            await asyncio.to_thread(write_snapshot, self.path, items, self._wall())
            self.writes += 1
            self._pictured = False
        except OSError as exc:
            log.warning("board snapshot %s not written: %s", self.path, exc)
            return
        if picture and self.board.polls == polls:
            await self._keep_picture()

    async def _keep_picture(self) -> None:
        """The picture of the board as shown (the :attr:`picture` hook takes it on the loop and returns the call
        that keeps it, run in a worker thread), after the snapshot: never older than it."""
        if self.picture is None:
            return
        try:
            keep = self.picture()
            if keep is not None and await asyncio.to_thread(keep) is not False:
                self.pictures += 1
                self._pictured = True
        except Exception:  # a picture for the next start's first paint: never a reason to fail anything
            log.exception("the picture of the board could not be kept")

    async def flush(self) -> None:
        """The last good poll on disk now when the file does not hold it yet, and the picture of the board with
        it: the UI calls this as the connection closes, while the board is still on screen, so the next start
        shows the board as it was at the end (not up to ``every`` seconds before) and paints its picture first."""
        writing = self._writing
        if writing is not None:
            with contextlib.suppress(Exception):
                await writing
        if self._unsaved:
            self._writing = asyncio.get_running_loop().create_task(self._write(picture=True), name="board snapshot")
            with contextlib.suppress(Exception):
                await self._writing
        elif self.writes and not self._pictured:
            await self._keep_picture()

    async def close(self) -> None:
        """Stop listening; wait for a write under way (it is short and atomic either way), then write the last
        good poll when the file does not hold it yet, without a picture (the board's panel may be gone: the
        picture kept before, now older than the file, is not shown)."""
        self._disconnect()
        writing, self._writing = self._writing, None
        if writing is not None:
            with contextlib.suppress(Exception):
                await writing
        if self._unsaved:
            await self._write(picture=False)
