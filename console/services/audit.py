"""The audit log: every remote command and every acknowledgement, append-only, chained, in SQLite.

One row per step of an action: when (UTC and the desk's local time), who (the operator: the OS user or the name
entered at the start of a shift), on which connection profile, what (``door.open``, ``gate.open``,
``alarm.acknowledge`` ...), on what target, with which parameters, and the result.

A write to the server is recorded *before* it leaves the console and again when its outcome is known::

    ticket = begin(self.audit, "door.open", "door 'Lobby' (d1)", {"doorId": "d1"},
                   operator=..., profile=...)          # row "sending"; AuditError: nothing may be sent
    ... send the write once ...
    note = ticket.complete("ok")                        # row "ok", params {"completes": <seq of "sending">}

If :func:`begin` raises :class:`AuditError` the write is not sent and the operator is told why (the error's text
says it). A "sending" row without its completion is a write whose fate the console never learnt (kill -9, power
cut): settle it by looking at the server. :meth:`AuditTicket.complete` never raises; it returns ``""`` or a note
for the operator ("(the outcome was NOT written to the audit log: ...)").

Rows are never changed: the table refuses ``UPDATE`` and ``DELETE`` (SQLite triggers), and each row carries
``hash = sha256(previous row's hash + the row's canonical content)``. :meth:`AuditLog.verify` walks the chain
and says where it breaks; rows written before the chain existed are reported as "legacy, unchained". The hash
of the newest row is also kept beside the database (``audit.sqlite3.head``), so that a deleted, emptied or
replaced audit file is noticed at the next start. What was found at start is in :attr:`AuditLog.problem`
(``None`` when all is well). A file SQLite cannot read is set aside (renamed with the time) and reported as a
broken chain; a new log is started whose first row says so. Never silently started afresh.

Writes are one small transaction each in WAL mode, cheap enough for the GUI thread (no fsync per row; a crash
of the machine may lose the last rows, a crash of the console does not).

Both calling styles of :meth:`AuditLog.record` work::

    audit.record(operator="ann", profile="HQ", action="door.open", target="door 12 (Lobby)",
                 params={"seconds": 5}, result="ok")
    audit.record("alarm.acknowledge", "event 42", {"note": "checked", "operator": "ann"}, "ok")

When ``operator``/``profile`` are not given, ``params["operator"]`` and then the log's own defaults
(``AuditLog(path, operator=..., profile=...)``, or set later on the attributes) are used.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import os
import sqlite3
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from console.services.files import report_storage, set_aside
from console.services.observable import Signal
from console.services.paths import make_private, private_dir, private_file

__all__ = [
    "AUDIT_FILE",
    "CANCELLED",
    "HEAD_SUFFIX",
    "SENDING",
    "AuditError",
    "AuditLog",
    "AuditRow",
    "AuditTicket",
    "Auditor",
    "ChainReport",
    "begin",
    "verify_file",
]

log = logging.getLogger(__name__)

AUDIT_FILE = "audit.sqlite3"
HEAD_SUFFIX = ".head"  # audit.sqlite3.head: the newest row's seq and hash
SENDING = "sending"  # the result of the row written before a write leaves the console
CANCELLED = "uncertain: cancelled before the answer came"  # the console closed or switched while a write was out
MAX_FIELD = 2000  # longest text kept per field (server error texts are untrusted and may be huge)
MAX_PARAMS = 8000  # longest JSON of the parameters
BUSY_SECONDS = 2.0  # how long a write waits for a locked file before it is refused

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
    result TEXT NOT NULL,
    hash TEXT
);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""


class AuditError(OSError):
    """The audit log could not be written (disk full, file locked, damaged)."""


class _Damaged(AuditError):
    """SQLite cannot read the file as a database (not locked, not a permission: damaged)."""


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


@dataclass(frozen=True, slots=True)
class ChainReport:
    """What :meth:`AuditLog.verify` found. ``ok`` is False when the chain breaks (``broken_at``: the first bad
    row's seq, or 0 when the whole file is in question, e.g. it was replaced) or the head file disagrees."""

    ok: bool
    rows: int
    legacy: int = 0  # rows written before the chain existed (no hash): reported, not a failure
    broken_at: int | None = None
    reason: str = ""

    @property
    def text(self) -> str:
        legacy = (f"; the first {self.legacy} rows are legacy, unchained (written before the chain existed)"
                  if self.legacy else "")
        if self.ok:
            return f"OK: {self.rows} rows, the chain is intact{legacy}"
        where = f" at row {self.broken_at}" if self.broken_at else ""
        return f"BROKEN{where}: {self.reason} ({self.rows} rows{legacy})"


def _cut(text: Any, limit: int = MAX_FIELD) -> str:
    value = "" if text is None else str(text)
    value = "".join(ch if ch.isprintable() or ch in "\t" else " " for ch in value)
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _params_json(params: Mapping[str, Any]) -> str:
    text = json.dumps(dict(params), ensure_ascii=False, sort_keys=True, default=str)
    if len(text) > MAX_PARAMS:
        text = json.dumps({"truncated": text[:MAX_PARAMS]}, ensure_ascii=False)
    return text


def _chain_hash(previous: str, content: tuple[str, ...]) -> str:
    """sha256 over the previous row's hash and the row's canonical content (its stored text fields)."""
    canonical = json.dumps([previous, *content], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


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


class AuditTicket:
    """A write recorded as "sending"; :meth:`complete` adds its outcome (once). Made by :func:`begin`."""

    def __init__(self, audit: Auditor | None, action: str, target: str, params: Mapping[str, Any],
                 operator: str | None, profile: str | None, seq: int | None) -> None:
        self.audit = audit
        self.action = action
        self.target = target
        self.params = dict(params)
        self.operator = operator
        self.profile = profile
        self.seq = seq  # the "sending" row (None with a test's fake that returns no row)
        self.completed = False

    @contextlib.contextmanager
    def uncertain_if_cancelled(self) -> Iterator[None]:
        """Around the one send: a cancellation while the request is out (the console quits, the connection is
        switched, a panel's stop runs out of time) completes the row as uncertain (:data:`CANCELLED`) before it
        goes on: the write may have reached the server, and the log must not stay at "sending"."""
        try:
            yield
        except asyncio.CancelledError:
            self.complete(CANCELLED)
            raise

    def complete(self, result: str, *, action: str | None = None, **params: Any) -> str:
        """Write the outcome row (linked by ``params["completes"]``); ``""`` or a note for the operator.

        ``action`` records a follow-up under another name (``door.open.read_back``); ``params`` are added to
        the write's parameters. Never raises: the write has already left, the operator must hear its result.
        """
        if self.audit is None:
            return ""
        if action is None:
            if self.completed:
                return ""
            self.completed = True
        row = {**self.params, **params}
        if self.seq is not None:
            row["completes"] = self.seq
        try:
            self.audit.record(action=action or self.action, target=self.target, params=row, result=result,
                              operator=self.operator, profile=self.profile)
        except Exception as exc:  # any failure of the log is reported, never raised
            log.error("%s on %s: the outcome %r was not written to the audit log: %s",
                      self.action, self.target, result, exc)
            return f" (the outcome was NOT written to the audit log: {exc})"
        return ""


def begin(
    audit: Auditor | None,
    action: str,
    target: str,
    params: Mapping[str, Any],
    *,
    operator: str | None = None,
    profile: str | None = None,
) -> AuditTicket:
    """Record that a write is about to be sent (result "sending") and return its ticket.

    Raises :class:`AuditError` (text for the operator) when the row could not be written: do not send.
    ``audit=None`` (a desk built without a log, in tests) gives a ticket that records nothing.
    """
    if audit is None:
        return AuditTicket(None, action, target, params, operator, profile, None)
    try:
        row = audit.record(action=action, target=target, params=dict(params), result=SENDING,
                           operator=operator, profile=profile)
    except Exception as exc:  # a fake's or SQLite's failure alike: nothing is sent
        log.error("%s on %s not sent: the audit log could not be written: %s", action, target, exc)
        raise AuditError(f"nothing was sent: the audit log could not be written ({exc})") from None
    seq = row.seq if isinstance(row, AuditRow) else None
    return AuditTicket(audit, action, target, params, operator, profile, seq)


class AuditLog:
    """``AuditLog(data_dir / AUDIT_FILE)``; :meth:`record` appends, :meth:`rows` reads back (oldest first),
    :meth:`verify` checks the chain; :attr:`problem` is what the start found wrong (``None``: nothing)."""

    def __init__(self, path: Path, *, operator: str = "", profile: str = "",
                 busy_seconds: float = BUSY_SECONDS) -> None:
        self.path = Path(path)
        self.head_path = self.path.with_name(self.path.name + HEAD_SUFFIX)
        self.operator = operator
        self.profile = profile
        self.problem: str | None = None
        self.failing: str | None = None  # the last write failed (cleared by the next one that succeeds)
        self.trouble_changed: Signal[str | None] = Signal()  # :attr:`trouble` changed (on the writer's thread)
        self.kept_aside: Path | None = None  # where a damaged file was put
        self._busy = busy_seconds
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = None
        private_dir(self.path.parent)
        existed = self.path.exists() and self.path.stat().st_size > 0
        try:
            self._open()
        except _Damaged as exc:
            if not existed:
                raise
            self._set_aside(str(exc))
            self._open()
            self.record("audit.restarted", self.path.name,
                        {"reason": "the previous file was damaged", "kept_aside": self.kept_aside.name
                         if self.kept_aside else ""}, "a new chain starts here", operator="console")
            return
        self._check_at_start(existed)

    # -- opening ---------------------------------------------------------------------------------------

    def _open(self) -> None:
        try:  # owner-only before SQLite opens it: the -wal and -shm files inherit the mode
            private_file(self.path)
            make_private(self.path, sqlite=True)  # side files an older version left readable
        except OSError as exc:
            why = report_storage(exc, self.path.parent) or exc.strerror or exc
            raise AuditError(f"cannot open the audit log {self.path}: {why}") from None
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                                       timeout=self._busy)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_SCHEMA)
            columns = {row[1] for row in self._db.execute("PRAGMA table_info(audit)")}
            if "hash" not in columns:  # a log of an older version: its rows stay, unchained
                self._db.execute("ALTER TABLE audit ADD COLUMN hash TEXT")
            self._db.execute("SELECT count(*) FROM audit").fetchone()
        except sqlite3.Error as exc:
            if self._db is not None:  # opened, then refused (not a database): closed, not left to the collector
                self._db.close()
                self._db = None
            kind = AuditError if isinstance(exc, sqlite3.OperationalError) else _Damaged  # locked vs damaged
            raise kind(f"cannot open the audit log {self.path}: {exc}") from None

    def _set_aside(self, why: str) -> None:
        """Rename the unreadable file (and its side files) with the time; report it as a broken chain."""
        try:
            record = set_aside(self.path, why, what="audit log", sqlite=True)
        except OSError as exc:
            raise AuditError(f"the audit log {self.path} is damaged ({why}) and could not be set aside: "
                             f"{exc.strerror or exc}") from None
        self.kept_aside = aside = record.aside
        self.problem = (f"the audit log {self.path} could not be read ({why}); it was kept aside as {aside} "
                        f"and a new log was started: the chain is broken there")
        log.error("%s", self.problem)

    @property
    def trouble(self) -> str | None:
        """What the status bar's permanent audit mark says: the last write failed (until one succeeds), else
        what the start found (:attr:`problem`: chain broken, file missing or set aside), else None."""
        return self.failing or self.problem

    def _set_failing(self, text: str | None) -> None:
        if text != self.failing:
            self.failing = text
            self.trouble_changed.emit(self.trouble)

    def _check_at_start(self, existed: bool) -> None:
        head = self._read_head()
        if head is not None and not existed:
            self.problem = (f"the audit log {self.path} was missing (it last ended at row {head[0]}); "
                            "a new log was started: the chain is broken there")
            log.error("%s", self.problem)
            self.record("audit.restarted", self.path.name,
                        {"reason": "the file was missing", "previous_head": head[0]},
                        "a new chain starts here", operator="console")
            return
        report = self.verify()
        if not report.ok:
            self.problem = f"the audit log {self.path} failed its check: {report.text}"
            log.error("%s", self.problem)
        elif report.legacy:
            log.info("audit log: %s", report.text)

    # -- the head file ---------------------------------------------------------------------------------

    def _read_head(self) -> tuple[int, str] | None:
        try:
            data = json.loads(self.head_path.read_text(encoding="utf-8"))
            return int(data["seq"]), str(data["hash"])
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError):
            return (-1, "")  # present but unreadable: it will not match, and that is reported

    def _write_head(self, seq: int, digest: str) -> None:
        temp = self.head_path.with_name(self.head_path.name + ".tmp")
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump({"seq": seq, "hash": digest}, out)
            os.replace(temp, self.head_path)
        except OSError as exc:  # the row itself is written; a stale head is noticed, not fatal
            log.warning("the audit log's head file could not be written: %s", exc)

    # -- writing ---------------------------------------------------------------------------------------

    def __repr__(self) -> str:
        return f"<AuditLog {self.path}>"

    @classmethod
    def in_dir(cls, data_dir: Path, **defaults: Any) -> AuditLog:
        return cls(Path(data_dir) / AUDIT_FILE, **defaults)

    def begin(self, action: str, target: str, params: Mapping[str, Any], *,
              operator: str | None = None, profile: str | None = None) -> AuditTicket:
        """:func:`begin` on this log."""
        return begin(self, action, target, params, operator=operator, profile=profile)

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
            db = self._db
            try:
                db.execute("BEGIN IMMEDIATE")
                try:
                    last = db.execute("SELECT hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
                    digest = _chain_hash(last[0] or "" if last else "", values)
                    cursor = db.execute(
                        "INSERT INTO audit (at_utc, at_local, operator, profile, action, target, params, result,"
                        " hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (*values, digest),
                    )
                    db.execute("COMMIT")
                except BaseException:
                    with contextlib.suppress(sqlite3.Error):
                        db.execute("ROLLBACK")
                    raise
            except sqlite3.Error as exc:
                log.error("audit row not written (%s): %s %s", exc, action, values[5])
                why = report_storage(exc, self.path.parent) or str(exc)  # "the data folder X is full"
                self._set_failing(f"the audit log {self.path} could not be written: {why}")
                raise AuditError(f"the audit log {self.path} could not be written: {why}") from None
            seq = int(cursor.lastrowid or 0)
            self._write_head(seq, digest)
        self._set_failing(None)
        return AuditRow(seq, moment, values[2], values[3], values[4], values[5], json.loads(values[6]), values[7])

    # -- reading ---------------------------------------------------------------------------------------

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

    def verify(self) -> ChainReport:
        """Walk the chain from the first row; where it breaks, and whether the head file agrees."""
        with self._lock:
            if self._db is None:
                raise AuditError("the audit log is closed")
            try:
                cursor = self._db.execute(
                    "SELECT seq, at_utc, at_local, operator, profile, action, target, params, result, hash"
                    " FROM audit ORDER BY seq")
                report = self._walk(cursor)
            except sqlite3.Error as exc:
                return ChainReport(False, 0, broken_at=0, reason=f"the file could not be read: {exc}")
        return report

    def _walk(self, cursor: sqlite3.Cursor) -> ChainReport:
        rows = legacy = 0
        previous: str | None = None  # None: no hashed row yet
        seen: dict[int, str] = {}
        head = self._read_head()
        for seq, *content, digest in cursor:
            rows += 1
            if digest is None:
                if previous is None:
                    legacy += 1
                    continue
                return ChainReport(False, rows, legacy, seq, "a row without a hash after the chain began")
            text = tuple("" if value is None else str(value) for value in content)
            if _chain_hash(previous or "", text) != digest:
                why = ("the row was changed, or a row before it was removed" if previous is not None
                       else "the first chained row does not start the chain (rows before it were removed?)")
                return ChainReport(False, rows, legacy, seq, why)
            previous = digest
            if head is not None and seq == head[0]:
                seen[seq] = digest
        if head is not None:
            if previous is None and rows == 0:
                return ChainReport(False, rows, legacy, 0,
                                   f"the log is empty but its head file says it ended at row {head[0]}: "
                                   "the file was replaced or emptied")
            if seen.get(head[0]) != head[1]:
                return ChainReport(False, rows, legacy, 0,
                                   f"the head file names row {head[0]}, which is not in this chain: rows at the "
                                   "end were removed or the file was replaced")
        elif previous is not None:
            return ChainReport(False, rows, legacy, 0, f"the head file {self.head_path.name} is missing")
        return ChainReport(True, rows, legacy)

    def close(self) -> None:
        """Close the file; calling it again does nothing."""
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None


def verify_file(path: Path) -> ChainReport:
    """Check an audit file without writing to it (``python -m console verify-audit``)."""
    path = Path(path)
    head = path.with_name(path.name + HEAD_SUFFIX)
    if not path.exists():
        if head.exists():
            return ChainReport(False, 0, broken_at=0, reason=f"{path} is missing but its head file exists")
        return ChainReport(False, 0, broken_at=0, reason=f"there is no audit log at {path}")
    probe = AuditLog.__new__(AuditLog)
    probe.path = path
    probe.head_path = head
    probe._lock = threading.Lock()
    try:
        probe._db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
        columns = {row[1] for row in probe._db.execute("PRAGMA table_info(audit)")}
    except sqlite3.Error as exc:
        return ChainReport(False, 0, broken_at=0, reason=f"the file could not be read: {exc}")
    try:
        if "hash" not in columns:
            count = probe._db.execute("SELECT count(*) FROM audit").fetchone()[0] if columns else 0
            return ChainReport(True, int(count), legacy=int(count))
        return probe.verify()
    finally:
        probe.close()


def main(argv: list[str] | None = None) -> int:
    """``python -m console verify-audit [--basedir DIR]``: prints OK or where the chain breaks; exit 0/1."""
    import argparse

    from console.services.paths import Paths

    parser = argparse.ArgumentParser(prog="cvsecurity-console verify-audit",
                                     description="Check the audit log's hash chain.")
    parser.add_argument("--basedir", metavar="DIR", help="the console's base folder (as for the console)")
    parser.add_argument("--file", metavar="PATH", help="an audit file to check instead")
    ns = parser.parse_args(argv)
    if ns.basedir is not None and not ns.basedir.strip():
        parser.error("--basedir is empty")
    path = Path(ns.file) if ns.file else Paths.from_env_or_args(ns.basedir).data_dir / AUDIT_FILE
    report = verify_file(path)
    print(f"{path}: {report.text}")
    return 0 if report.ok else 1
