"""Where an alarm stands in the guard's workflow, kept on disk so that a restart keeps the queue as it was.

States: ``new`` (nobody has it), ``in progress`` (an operator took it: their name and when), ``on hold``
(waiting for someone on site: the reason), and closed (acknowledged: the journal keeps that with the event,
and the row here is deleted). The door board's "alarm acknowledged by NAME at TIME" marks are kept here as
well, until the controller clears the door's alarm.

One small SQLite file per profile (``data/profiles/<profile>/alarm_workflow.sqlite3``, owner-only), beside the
event journal; ``WorkflowStore(None)`` keeps everything in memory (tests, a journal that is not on disk). A
damaged file is renamed aside (``console.services.files.set_aside``) and a fresh one started: the alarms come
back from the journal, as new.
"""

from __future__ import annotations

import enum
import logging
import sqlite3
import threading
import weakref
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from console.services.files import SetAside, set_aside
from console.services.paths import make_private, private_file

__all__ = ["WORKFLOW_FILE", "AckMark", "AlarmState", "WorkflowRow", "WorkflowStore"]

log = logging.getLogger(__name__)

WORKFLOW_FILE = "alarm_workflow.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS alarm_workflow (
    key     TEXT PRIMARY KEY,
    state   TEXT NOT NULL,
    by      TEXT NOT NULL DEFAULT '',
    at      TEXT NOT NULL,
    reason  TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS ack_marks (
    item    TEXT PRIMARY KEY,
    by      TEXT NOT NULL DEFAULT '',
    at      TEXT NOT NULL,
    what    TEXT NOT NULL DEFAULT ''
);
"""


class AlarmState(enum.StrEnum):
    NEW = "new"
    IN_PROGRESS = "in_progress"
    ON_HOLD = "on_hold"
    CLOSED = "closed"

    @property
    def words(self) -> str:
        return {"new": "New", "in_progress": "In progress", "on_hold": "On hold", "closed": "Closed"}[self.value]


@dataclass(frozen=True, slots=True)
class WorkflowRow:
    state: AlarmState
    by: str
    at: datetime
    reason: str = ""


@dataclass(frozen=True, slots=True)
class AckMark:
    """A door whose alarm an operator acknowledged while the controller still reports it."""

    by: str
    at: datetime
    what: str = ""

    @property
    def words(self) -> str:
        who = self.by or "an operator"
        return f"alarm acknowledged by {who} at {self.at:%H:%M}"


class WorkflowStore:
    """The alarms' workflow states and the board's acknowledgement marks (see the module docstring)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        self.set_aside: SetAside | None = None  # a damaged file found at start, renamed and started afresh
        self._lock = threading.Lock()
        try:
            self._db = self._open(path)
        except sqlite3.DatabaseError as exc:  # damaged: kept aside, the queue starts without saved states
            if path is None:
                raise
            self.set_aside = set_aside(path, str(exc), what="alarm workflow file", sqlite=True)
            self._db = self._open(path)
        # closed by close(), or when the store is dropped (a queue's own in-memory store has no owner to close it)
        self._closer = weakref.finalize(self, self._db.close)

    @staticmethod
    def _open(path: Path | None) -> sqlite3.Connection:
        if path is not None:
            private_file(path)
            make_private(path, sqlite=True)
        db = sqlite3.connect(str(path) if path is not None else ":memory:", check_same_thread=False)
        try:
            with db:
                db.executescript(_SCHEMA)
                db.execute("SELECT count(*) FROM alarm_workflow").fetchone()
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    @classmethod
    def beside(cls, journal_path: Path) -> WorkflowStore:
        return cls(journal_path.parent / WORKFLOW_FILE)

    def close(self) -> None:
        with self._lock:
            self._closer()

    # -- workflow states -------------------------------------------------------------------------

    def states(self) -> dict[str, WorkflowRow]:
        with self._lock:
            rows = self._db.execute("SELECT key, state, by, at, reason FROM alarm_workflow").fetchall()
        out: dict[str, WorkflowRow] = {}
        for key, state, by, at, reason in rows:
            try:
                out[key] = WorkflowRow(AlarmState(state), by, datetime.fromisoformat(at), reason)
            except ValueError:
                log.warning("an alarm's workflow state could not be read (%r); it is shown as new", state)
        return out

    def put(self, key: str, row: WorkflowRow) -> None:
        with self._lock, self._db:
            self._db.execute("INSERT OR REPLACE INTO alarm_workflow (key, state, by, at, reason) VALUES (?,?,?,?,?)",
                             (key, row.state.value, row.by, row.at.isoformat(), row.reason))

    def forget(self, keys: list[str]) -> None:
        with self._lock, self._db:
            self._db.executemany("DELETE FROM alarm_workflow WHERE key = ?", [(k,) for k in keys])

    # -- acknowledgement marks of the board ------------------------------------------------------

    def marks(self) -> dict[str, AckMark]:
        with self._lock:
            rows = self._db.execute("SELECT item, by, at, what FROM ack_marks").fetchall()
        out: dict[str, AckMark] = {}
        for item, by, at, what in rows:
            try:
                out[item] = AckMark(by, datetime.fromisoformat(at), what)
            except ValueError:
                continue
        return out

    def put_mark(self, item: str, mark: AckMark) -> None:
        with self._lock, self._db:
            self._db.execute("INSERT OR REPLACE INTO ack_marks (item, by, at, what) VALUES (?,?,?,?)",
                             (item, mark.by, mark.at.isoformat(), mark.what))

    def drop_mark(self, item: str) -> None:
        with self._lock, self._db:
            self._db.execute("DELETE FROM ack_marks WHERE item = ?", (item,))
