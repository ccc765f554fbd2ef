"""The audit log: every remote command and every acknowledgement, append-only, in SQLite.

One row per action: when (UTC and the desk's local time), who (the operator: the OS user or the name entered
at the start of a shift), on which connection profile, what (``door.open``, ``gate.open``, ``alarm.acknowledge``
...), on what target, with which parameters, and the result (``ok`` or the server's error text).

The table refuses ``UPDATE`` and ``DELETE`` (SQLite triggers): rows are only ever added. Writes are one small
transaction each in WAL mode, cheap enough for the GUI thread (no fsync per row; a crash of the machine may lose
the last rows, a crash of the console does not).

Both calling styles work::

    audit.record(operator="ann", profile="HQ", action="door.open", target="door 12 (Lobby)",
                 params={"seconds": 5}, result="ok")
    audit.record("alarm.acknowledge", "event 42", {"note": "checked", "operator": "ann"}, "ok")

When ``operator``/``profile`` are not given, ``params["operator"]`` and then the log's own defaults
(``AuditLog(path, operator=..., profile=...)``, or set later on the attributes) are used.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from console.services.paths import make_private, private_dir, private_file

__all__ = ["AUDIT_FILE", "AuditError", "AuditLog", "AuditRow", "Auditor"]

log = logging.getLogger(__name__)

AUDIT_FILE = "audit.sqlite3"
MAX_FIELD = 2000  # longest text kept per field (server error texts are untrusted and may be huge)
MAX_PARAMS = 8000  # longest JSON of the parameters

_SCHEMA = """
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at_utc TEXT NOT NULL,
    at_local TEXT NOT NULL,
    operator TEXT NOT NULL,
    profile TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    params TEXT NOT NULL,
    result TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""


class AuditError(OSError):
    """The audit log could not be written (disk full, file locked, damaged)."""


@dataclass(frozen=True, slots=True)
class AuditRow:
    seq: int
    at: datetime  # aware, in the desk's local zone
    operator: str
    profile: str
    action: str
    target: str
    params: dict[str, Any]
    result: str


def _cut(text: Any, limit: int = MAX_FIELD) -> str:
    value = "" if text is None else str(text)
    value = "".join(ch if ch.isprintable() or ch in "\t" else " " for ch in value)
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _params_json(params: Mapping[str, Any]) -> str:
    text = json.dumps(dict(params), ensure_ascii=False, sort_keys=True, default=str)
    if len(text) > MAX_PARAMS:
        text = json.dumps({"truncated": text[:MAX_PARAMS]}, ensure_ascii=False)
    return text


class Auditor(Protocol):
    """What a service that writes to the server needs of the audit log (:class:`AuditLog`, or a test's fake)."""

    def record(
        self,
        action: str,
        target: str,
        params: Mapping[str, Any],
        result: str,
        *,
        operator: str | None = None,
        profile: str | None = None,
    ) -> object: ...


class AuditLog:
    """``AuditLog(data_dir / AUDIT_FILE)``; :meth:`record` appends, :meth:`rows` reads back (oldest first)."""

    def __init__(self, path: Path, *, operator: str = "", profile: str = "") -> None:
        self.path = Path(path)
        self.operator = operator
        self.profile = profile
        self._lock = threading.Lock()
        private_dir(self.path.parent)
        try:  # owner-only before SQLite opens it: the -wal and -shm files inherit the mode
            private_file(self.path)
            make_private(self.path, sqlite=True)  # side files an older version left readable
        except OSError as exc:
            raise AuditError(f"cannot open the audit log {self.path.name}: {exc.strerror or exc}") from None
        self._db: sqlite3.Connection | None = None
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
        except sqlite3.Error as exc:
            if self._db is not None:  # opened, then refused (not a database): closed, not left to the collector
                self._db.close()
                self._db = None
            raise AuditError(f"cannot open the audit log {self.path.name}: {exc}") from None

    def __repr__(self) -> str:
        return f"<AuditLog {self.path}>"

    @classmethod
    def in_dir(cls, data_dir: Path, **defaults: str) -> AuditLog:
        return cls(Path(data_dir) / AUDIT_FILE, **defaults)

    def record(
        self,
        action: str,
        target: str,
        params: Mapping[str, Any],
        result: str,
        *,
        operator: str | None = None,
        profile: str | None = None,
        at: datetime | None = None,
    ) -> AuditRow:
        """Append one row; raises :class:`AuditError` if it could not be written."""
        who = operator if operator is not None else str(params.get("operator") or self.operator)
        where = profile if profile is not None else self.profile
        moment = (at or datetime.now(UTC)).astimezone()
        values = (
            moment.astimezone(UTC).isoformat(timespec="milliseconds"),
            moment.isoformat(timespec="seconds"),
            _cut(who, 200),
            _cut(where, 200),
            _cut(action, 200),
            _cut(target),
            _params_json(params),
            _cut(result),
        )
        with self._lock:
            if self._db is None:
                raise AuditError("the audit log is closed")
            try:
                cursor = self._db.execute(
                    "INSERT INTO audit (at_utc, at_local, operator, profile, action, target, params, result)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    values,
                )
            except sqlite3.Error as exc:
                log.error("audit row not written (%s): %s %s", exc, action, values[5])
                raise AuditError(f"the audit log could not be written: {exc}") from None
            seq = int(cursor.lastrowid or 0)
        return AuditRow(seq, moment, values[2], values[3], values[4], values[5], json.loads(values[6]), values[7])

    def rows(self, *, limit: int | None = None, action: str | None = None) -> list[AuditRow]:
        """Rows oldest first; ``limit`` keeps the newest ``limit`` of them."""
        sql = "SELECT seq, at_utc, operator, profile, action, target, params, result FROM audit"
        args: list[Any] = []
        if action is not None:
            sql += " WHERE action = ?"
            args.append(action)
        sql += " ORDER BY seq DESC"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(max(0, int(limit)))
        with self._lock:
            if self._db is None:
                raise AuditError("the audit log is closed")
            raw = self._db.execute(sql, args).fetchall()
        out = []
        for seq, at_utc, operator, profile, act, target, params, result in reversed(raw):
            try:
                decoded = json.loads(params)
            except ValueError:
                decoded = {"unreadable": params}
            out.append(
                AuditRow(
                    seq,
                    datetime.fromisoformat(at_utc).astimezone(),
                    operator,
                    profile,
                    act,
                    target,
                    decoded if isinstance(decoded, dict) else {"value": decoded},
                    result,
                )
            )
        return out

    def close(self) -> None:
        """Close the file; calling it again does nothing."""
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None
