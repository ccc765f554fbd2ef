"""The event journal: SQLite in the data directory, the history behind the monitor panel.

* One row per event, ``key`` UNIQUE: an event offered twice (monitor and back-fill, a replayed answer,
  a restart) is stored once. :meth:`Journal.add` says which events were new.
* WAL mode: a reader (the panel's model, an export) never waits for the writer (the event stream).
* Retention by age (days) and by rows, enforced on every insert batch and when the journal opens.
* Thread-safe: each thread gets its own connection (the stream writes from ``asyncio.to_thread`` workers
  while the GUI thread reads); writes are serialised by a lock and each batch is one transaction.
* Alarm state (open, acknowledged with time, operator and note, snoozed until) lives with the event.
* Owner-only: the file (and so its -wal and -shm files) is 0600, it holds PINs and card numbers.
* Gaps (outages, restarts) and their back-fills are recorded for the UI; a few ``meta`` values (the last
  good poll of each source) let the next start know what it missed.
"""

# ruff: noqa: S608  (SQL text here is built from constant column names and "?" placeholders only; values
# always travel as parameters)

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

import orjson

from console.services.files import SetAside, report_storage, set_aside, sqlite_damaged
from console.services.paths import make_private, private_dir, private_file

from . import search_index
from .model import (
    Acknowledgement,
    Event,
    EventFilter,
    Gap,
    Level,
    Source,
    format_time,
    legacy_key,
    search_text,
    time_texts,
)

__all__ = ["JOURNAL_FILE", "PROFILE_META", "DistinctField", "Journal", "JournalDamaged", "JournalError", "Retention"]

log = logging.getLogger(__name__)

JOURNAL_FILE = "events.sqlite3"
PROFILE_META = "profile"  # the connection profile whose events the journal holds (export-events names it)
SCHEMA_VERSION = 1
KEEP_GAPS = 500

DistinctField = Literal["area", "device", "door", "source", "level"]

# alarm_state column
_NOT_ALARM, _OPEN, _ACKED = 0, 1, 2

_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id            INTEGER PRIMARY KEY,
    key           TEXT    NOT NULL UNIQUE,
    time          TEXT    NOT NULL,
    source        TEXT    NOT NULL,
    level         INTEGER NOT NULL,
    name          TEXT    NOT NULL DEFAULT '',
    pin           TEXT    NOT NULL DEFAULT '',
    person        TEXT    NOT NULL DEFAULT '',
    department    TEXT    NOT NULL DEFAULT '',
    point         TEXT    NOT NULL DEFAULT '',
    reader        TEXT    NOT NULL DEFAULT '',
    device_sn     TEXT    NOT NULL DEFAULT '',
    device_name   TEXT    NOT NULL DEFAULT '',
    verify_mode   TEXT    NOT NULL DEFAULT '',
    area          TEXT    NOT NULL DEFAULT '',
    card          TEXT    NOT NULL DEFAULT '',
    event_no      TEXT    NOT NULL DEFAULT '',
    temperature   REAL,
    mask          TEXT    NOT NULL DEFAULT '',
    photo_path    TEXT    NOT NULL DEFAULT '',
    photo_note    TEXT    NOT NULL DEFAULT '',
    has_photo     INTEGER NOT NULL DEFAULT 0,
    backfilled    INTEGER NOT NULL DEFAULT 0,
    received      TEXT,
    alarm_state   INTEGER NOT NULL DEFAULT 0,
    ack_at        TEXT,
    ack_by        TEXT    NOT NULL DEFAULT '',
    ack_note      TEXT    NOT NULL DEFAULT '',
    snoozed_until TEXT,
    search        TEXT    NOT NULL DEFAULT '',
    raw           TEXT    NOT NULL DEFAULT '{}',
    photo         TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS events_time ON events (time, id);
CREATE INDEX IF NOT EXISTS events_level ON events (level, time);
CREATE INDEX IF NOT EXISTS events_source ON events (source, time);
CREATE INDEX IF NOT EXISTS events_device ON events (device_name, time);
CREATE INDEX IF NOT EXISTS events_device_sn ON events (device_sn, time);
CREATE INDEX IF NOT EXISTS events_area ON events (area);
CREATE INDEX IF NOT EXISTS events_point ON events (point);
CREATE INDEX IF NOT EXISTS events_open_alarms ON events (alarm_state) WHERE alarm_state = 1;
CREATE TABLE IF NOT EXISTS meta (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS gaps (
    id       INTEGER PRIMARY KEY,
    source   TEXT    NOT NULL,
    start    TEXT    NOT NULL,
    "end"    TEXT    NOT NULL,
    reason   TEXT    NOT NULL,
    status   TEXT    NOT NULL,
    count    INTEGER NOT NULL DEFAULT 0,
    detected TEXT    NOT NULL,
    finished TEXT,
    error    TEXT    NOT NULL DEFAULT '',
    attempts INTEGER NOT NULL DEFAULT 0
);
"""

# every column but the photo, in the order _row_to_event reads them
_COLUMNS = (
    "id, key, time, source, level, name, pin, person, department, point, reader, device_sn, device_name, "
    "verify_mode, area, card, event_no, temperature, mask, photo_path, photo_note, has_photo, backfilled, "
    "received, ack_at, ack_by, ack_note, raw"
)
_INSERT = (
    "INSERT OR IGNORE INTO events (key, time, source, level, name, pin, person, department, point, reader, "
    "device_sn, device_name, verify_mode, area, card, event_no, temperature, mask, photo_path, photo_note, "
    "has_photo, backfilled, received, alarm_state, search, raw, photo) "
    "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)


_ROW_MARKS = "(" + ",".join("?" * _INSERT.count("?")) + ")"
_SET_META = "INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value"
# Content keys start with the event's time (model.key_prefix); an older console stored the hash alone (model.
# legacy_key). meta: the newest event time among rows that may hold such a key ("" for none), and the highest
# row id whose writer is known (rows above it were added by another writer: an older console)
LEGACY_KEYS_UNTIL = "keys:legacy_until"
KEYS_CHECKED_TO = "keys:checked_to"
_dump_raw = json.JSONEncoder(ensure_ascii=False, default=str).encode  # json.dumps(..., ensure_ascii=False, default=str)
_ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_SUBCLASS


def _raw_json(raw: Mapping[str, Any]) -> str:
    """The JSON text a raw record is stored as: orjson's, compact (a fifth of the standard encoder's time, and
    ~25 bytes a row fewer to write: ``bench_event_ingest.py``). A record it refuses (an integer beyond 64 bits,
    a key that is not text) goes through the standard encoder. A sanitised record (``model.sanitise_raw``: JSON
    types, finite floats) reads back the same either way; any other value is written as its ``str``, as
    before (orjson's own forms of dates, dataclasses and subclasses are passed to ``str``); a NaN, which no
    sanitised record holds, is written as null."""
    try:
        return orjson.dumps(raw, default=str, option=_ORJSON_OPTIONS).decode()
    except TypeError:  # orjson.JSONEncodeError is one
        return _dump_raw(raw)


def _power_chunks(count: int, most: int) -> list[tuple[int, int]]:
    """(start, size) pieces of ``count`` items, each size a power of two up to ``most`` (itself one).

    Every distinct size is another SQL text, and Python's sqlite3 keeps up to 128 prepared statements per
    connection: with any size from 1 to 500, a day's batches left 10-12 MB of multi-row statements cached in
    each thread's connection (tests/benchmarks/bench_memory.py). Powers of two keep it to a handful.
    """
    pieces, start = [], 0
    while start < count:
        size = most
        while size > count - start:
            size //= 2
        pieces.append((start, size))
        start += size
    return pieces


def _insert_rows(conn: sqlite3.Connection, rows: Sequence[tuple[Any, ...]]) -> None:
    """``_INSERT`` for many rows, as few multi-row statements: one statement per few hundred rows, not one per
    row (executemany; the search index is filled after them in one statement, ``search_index.FILL``). Row
    counts are powers of two (:func:`_power_chunks`)."""
    width = len(rows[0]) if rows else 1
    per = max(1, min(256, conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // width))
    per = 1 << (per.bit_length() - 1)
    for i, size in _power_chunks(len(rows), per):
        chunk = rows[i : i + size]
        conn.execute(_INSERT + "," + ",".join([_ROW_MARKS] * (len(chunk) - 1)) if len(chunk) > 1 else _INSERT,
                     [value for row in chunk for value in row])


OFFER_GIL_EVERY = 0.002  # seconds of building rows in a worker thread before the GIL is offered to the GUI thread


def _rows_offering_the_gil(events: Sequence[Event]) -> list[tuple[Any, ...]]:
    """The insert parameters of ``events``; in a worker thread the GIL is offered to the GUI thread every 2 ms
    meanwhile (``time.sleep(0)``): 1,000 rows are 5-15 ms of Python, and without it the GUI thread waited for
    Python's own hand-over (5 ms) each time it wanted the GIL (a stall sampler found most of the loop's stalls
    during a poll here; ``stream.YIELD_EVERY`` does the same while records are parsed)."""
    if threading.current_thread() is threading.main_thread():
        return [Journal._insert_params(ev) for ev in events]
    rows: list[tuple[Any, ...]] = []
    offered = time.perf_counter()
    for ev in events:
        if time.perf_counter() - offered > OFFER_GIL_EVERY:
            time.sleep(0)
            offered = time.perf_counter()
        rows.append(Journal._insert_params(ev))
    return rows


class JournalError(Exception):
    """The journal cannot be opened or used (a corrupt or foreign file, a closed journal)."""


class JournalDamaged(JournalError):
    """SQLite says the file is not a database or is corrupt (:meth:`Journal.open_repairing` sets it aside)."""


@dataclass(frozen=True, slots=True)
class Retention:
    """How much history to keep: events older than ``days`` and the oldest rows beyond ``max_rows`` go.

    ``None`` turns a bound off. Age is measured on the event's time against the journal's clock.
    """

    days: float | None = 90.0
    max_rows: int | None = 1_000_000

    def __post_init__(self) -> None:
        if self.days is not None and self.days <= 0:
            raise ValueError("retention days must be positive")
        if self.max_rows is not None and self.max_rows < 1:
            raise ValueError("retention rows must be at least 1")


def _ceil_second(value: datetime) -> datetime:
    return value.replace(microsecond=0) + timedelta(seconds=1) if value.microsecond else value


def _text_time(value: datetime | None) -> str | None:
    return None if value is None else format_time(value)


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


# how many of the newest rows match a needle: a page is read newest first when one in a hundred does
_RECENT = 5000
_RECENT_DENSE = _RECENT // 100
_RECENT_HITS = (
    f"SELECT count(*) FROM (SELECT search FROM events ORDER BY time DESC, id DESC LIMIT {_RECENT}) "
    "WHERE instr(search, ?) > 0"
)


DEEP_OFFSET = 2000  # a page further down than this finds its rows by id first (Journal.page)
_HELD_IDS = 50_000  # most candidate ids of a needle held for the next query (a JSON list of ~400 KB)
# a page walks the (time, id) index when rows x (offset + limit) < this x candidates^2 (Journal._walk): reading
# an index entry costs about a thirtieth of reading a row, and matches need not be spread evenly
_WALK_RATIO = 5
# how many ids the rows span: two index lookups (``SELECT max(id) - min(id)`` in one query scans every row: SQLite
# reads min and max from the index only for a lone min() or max(); it was run on every batch added)
_ID_SPAN = "SELECT (SELECT max(id) FROM events) - (SELECT min(id) FROM events) + 1"


def _where(flt: EventFilter | None, candidates: str | None = None, *, walk: bool = False) -> tuple[str, list[Any]]:
    """The WHERE clause of ``flt``; ``candidates``: the search index query that narrows its free text.

    ``walk``: candidate ids are checked while the rows are read in time order (``+id``: SQLite then walks the
    (time, id) index) instead of read one by one and sorted (``Journal.page``: the same rows either way)."""
    if flt is None or flt.is_empty:
        return "", []
    clauses: list[str] = []
    params: list[Any] = []

    def among(column: str, values: Iterable[Any]) -> None:
        items = sorted(values)
        clauses.append(f"{column} IN ({','.join('?' * len(items))})")
        params.extend(items)

    if flt.levels:
        among("level", (int(v) for v in flt.levels))
    if flt.sources:
        among("source", (Source(v).value for v in flt.sources))
    if flt.areas:
        among("area", flt.areas)
    if flt.doors:
        among("point", flt.doors)
    if flt.devices:
        items = sorted(flt.devices)
        marks = ",".join("?" * len(items))
        clauses.append(f"(device_name IN ({marks}) OR device_sn IN ({marks}))")
        params.extend(items + items)
    if flt.since is not None:
        clauses.append("time >= ?")
        params.append(format_time(flt.since))
    if flt.until is not None:
        clauses.append("time < ?")
        params.append(format_time(_ceil_second(flt.until)))
    needle = flt.text.strip().casefold()
    if needle:
        if candidates is not None and candidates.startswith("["):  # the ids themselves (Journal._found_ids)
            clauses.append(f"{'+id' if walk else 'id'} IN (SELECT value FROM json_each(?))")
            params.append(candidates)
        elif candidates is not None:  # an index query (FTS5 queries start with a quote)
            clauses.append(f"id IN ({search_index.CANDIDATES})")
            params.append(candidates)
        clauses.append("instr(search, ?) > 0")
        params.append(needle)
    return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def _row_to_event(row: Sequence[Any], photo: str = "") -> Event:
    ack_at = _parse_time(row[24])
    try:
        raw = json.loads(row[27]) if row[27] else {}
    except ValueError:
        raw = {}
    return Event(
        key=row[1],
        time=datetime.fromisoformat(row[2]),
        source=Source(row[3]),
        level=Level(row[4]),
        name=row[5],
        pin=row[6],
        person=row[7],
        department=row[8],
        point=row[9],
        reader=row[10],
        device_sn=row[11],
        device_name=row[12],
        verify_mode=row[13],
        area=row[14],
        card=row[15],
        event_no=row[16],
        temperature=row[17],
        mask=row[18],
        photo_path=row[19],
        photo_note=row[20],
        has_photo=bool(row[21]),
        backfilled=bool(row[22]),
        received=_parse_time(row[23]),
        ack=Acknowledgement(ack_at, row[25], row[26]) if ack_at else None,
        raw=raw if isinstance(raw, dict) else {},
        photo_base64=photo,
    )


def _gap_from_row(row: Sequence[Any]) -> Gap:
    return Gap(
        id=row[0],
        source=Source(row[1]),
        start=datetime.fromisoformat(row[2]),
        end=datetime.fromisoformat(row[3]),
        reason=row[4],
        status=row[5],
        count=row[6],
        detected=datetime.fromisoformat(row[7]),
        finished=_parse_time(row[8]),
        error=row[9],
        attempts=row[10],
    )


class Journal:
    """The journal at ``path``: a data directory (the file is ``JOURNAL_FILE`` inside) or a ``.sqlite3`` file.

    ``clock`` (naive local time) dates retention and acknowledgements; tests inject one.
    ``read_only`` opens an existing journal for reading (an export while the console runs) and never
    writes, retention included.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        retention: Retention = Retention(),
        clock: Callable[[], datetime] = datetime.now,
        read_only: bool = False,
    ) -> None:
        target = Path(path)
        if target.is_dir() or (not target.exists() and not target.suffix):
            if not read_only:
                private_dir(target)
            target = target / JOURNAL_FILE
        if read_only and not target.is_file():
            raise JournalError(f"no event journal at {target}")
        if not read_only:
            try:  # created owner-only before SQLite opens it: its -wal and -shm files inherit the mode
                private_file(target)
                make_private(target, sqlite=True)  # side files an older version left readable
            except OSError as exc:
                raise JournalError(f"cannot open the event journal {target}: {exc.strerror or exc}") from None
        self.path = target
        self.retention = retention
        self.read_only = read_only
        self._clock = clock
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._conn_lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._closed = False
        self._indexed: bool | None = None  # the free-text index is there (None: not looked yet, read-only)
        self._queries: dict[str, str | None] = {}  # needle -> its index query (a choice of speed, never of result)
        self._dense: dict[str, bool] = {}  # needle -> whether a page reads the rows newest first (speed only)
        # needle -> (write generation, its candidates' ids as JSON): a count and the first page that follows
        # share one run of the index query; any write makes the list stale (the generation moves on)
        self._found: dict[str, tuple[int, str]] = {}
        self._generation = 0
        # rows from this id on were stored with search_index.SUFFIX (None: unknown, read-only): a one- or
        # two-character needle is found through the index in them (search_index.short_query)
        self._suffix_from: int | None = None
        self._short: dict[str, tuple[int, str | None]] = {}  # needle -> (write generation, short_query)
        conn = self._conn()
        if not read_only:
            try:
                with self._write_lock:
                    try:
                        conn.executescript(_SCHEMA)
                        version = conn.execute("PRAGMA user_version").fetchone()[0]
                        if version == 0:
                            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                        elif version > SCHEMA_VERSION:
                            raise JournalError(f"{self.path} was written by a newer console (schema {version})")
                        self._indexed = search_index.ensure(conn)  # free-text index (built once if missing)
                        if self._indexed:
                            self._suffix_from = search_index.adopt(conn)  # this journal fills it per batch
                    except sqlite3.DatabaseError as exc:
                        kind = JournalDamaged if sqlite_damaged(exc) else JournalError
                        raise kind(f"cannot use the event journal {self.path}: {exc}") from None
                self._write(self._legacy_keys)
                self.enforce_retention()
            except BaseException:
                self.close()  # a journal that could not be opened leaves no connection behind
                raise

    set_aside: SetAside | None = None  # set by open_repairing: the damaged file it renamed before starting afresh

    @classmethod
    def open_repairing(cls, path: str | Path, **options: Any) -> Journal:
        """``Journal(path, **options)``; a file SQLite calls damaged (not a database, malformed) is set aside
        (renamed with the time, ``console.services.files.set_aside``) and a fresh journal started: its
        :attr:`set_aside` says where the old one went. A locked or unwritable journal still raises."""
        try:
            return cls(path, **options)
        except (JournalDamaged, sqlite3.DatabaseError) as exc:
            if not isinstance(exc, JournalDamaged) and not sqlite_damaged(exc):
                raise JournalError(f"cannot use the event journal {path}: {exc}") from None
            reason = str(exc).rsplit(": ", 1)[-1]
        target = Path(path)
        if target.is_dir():
            target = target / JOURNAL_FILE
        try:
            record = set_aside(target, reason, what="event journal", sqlite=True)
        except OSError as err:
            raise JournalError(f"the event journal {target} is damaged ({reason}) and could not be set aside: "
                               f"{err.strerror or err}") from None
        journal = cls(path, **options)
        journal.set_aside = record
        return journal

    def __repr__(self) -> str:
        return f"<Journal {self.path}>"

    # -- connections -----------------------------------------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        if self._closed:
            raise JournalError("the event journal is closed")
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None:
            return conn
        conn = None
        try:
            if self.read_only:
                conn = sqlite3.connect(
                    f"{self.path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None,
                    check_same_thread=False, timeout=10.0,
                )
            else:
                # check_same_thread=False only so that close() may close every thread's connection;
                # each connection is used by the thread that opened it.
                conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=10.0)
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
                # a million events: the indexes' pages stay cached (16 MB at most, the default is 2 MB) and the
                # WAL is folded back less often (tests/benchmarks/bench_journal.py: ~40% faster ingest)
                conn.execute("PRAGMA cache_size = -16384")
                conn.execute("PRAGMA wal_autocheckpoint = 8000")
            conn.execute("PRAGMA busy_timeout = 10000")
        except sqlite3.DatabaseError as exc:
            if conn is not None:  # opened, then refused (not a database): closed, not left to the collector
                conn.close()
            kind = JournalDamaged if sqlite_damaged(exc) else JournalError
            raise kind(f"cannot open the event journal {self.path}: {exc}") from None
        with self._conn_lock:
            if self.closed:  # closed while this thread was opening: nobody would close this one
                conn.close()
                raise JournalError("the event journal is closed")
            self._connections.append(conn)
        self._local.conn = conn
        return conn

    def close(self) -> None:
        """Close every thread's connection; calling it again does nothing."""
        with self._conn_lock:
            if self._closed:
                return
            self._closed = True
            connections, self._connections = self._connections, []
        with self._write_lock:
            for conn in connections:
                try:
                    conn.close()
                except sqlite3.Error:  # pragma: no cover - closing is best effort
                    log.debug("closing a journal connection failed", exc_info=True)

    @property
    def closed(self) -> bool:
        return self._closed

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _index(self, flt: EventFilter | None, *, scan_dense: bool = False) -> str | None:
        """The search index query that narrows the free text of ``flt`` (``search_index``), or None: scan.

        ``scan_dense``: not when the needle is in so many rows that reading them newest first finds a page
        sooner than sorting every candidate (a page or an export; a count always uses the index).
        """
        if flt is None or not flt.text.strip():
            return None
        if self._indexed is None:
            try:
                self._indexed = search_index.present(self._conn())
            except sqlite3.Error:
                self._indexed = False
        if not self._indexed:
            return None
        conn = self._conn()
        needle = flt.text.strip().casefold()
        if len(needle) < 3:
            return self._short_index(conn, needle, scan_dense=scan_dense)
        if needle not in self._queries:
            if len(self._queries) >= 64:
                self._queries.pop(next(iter(self._queries)))
            self._queries[needle] = search_index.selective_query(conn, needle)
        query = self._queries[needle]
        if query is None:
            return None
        if not scan_dense:
            return self._found_ids(conn, needle, query)
        dense = self._dense.get(needle)
        if dense is None:  # decided once per needle (each probe runs the index query: 20-30 ms for a common one)
            if len(self._dense) >= 64:
                self._dense.pop(next(iter(self._dense)))
            # many candidates, and do the newest rows match as often? (a needle's trigrams can all be common
            # while the needle is rare: a newest-first read would then go through most of the journal)
            dense = int(conn.execute(search_index.PROBE, (query,)).fetchone()[0]) >= search_index.DENSE and (
                int(conn.execute(_RECENT_HITS, (needle,)).fetchone()[0]) >= _RECENT_DENSE
            )
            self._dense[needle] = dense
        return None if dense else self._found_ids(conn, needle, query)

    def _short_index(self, conn: sqlite3.Connection, needle: str, *, scan_dense: bool) -> str | None:
        """``_index`` for a needle of one or two characters (``search_index.short_query``): its candidates'
        ids (JSON), or None: scan (too many trigrams or candidates, dense among the newest rows, read-only)."""
        if self.read_only or self._suffix_from is None:
            return None
        generation = self._generation
        cached = self._short.get(needle)
        if cached is None or cached[0] != generation:  # the vocabulary grows with every write
            if len(self._short) >= 64:
                self._short.pop(next(iter(self._short)))
            cached = self._short[needle] = (generation, search_index.short_query(conn, needle))
        query = cached[1]
        if query is None:
            return None
        if scan_dense and query:
            dense = self._dense.get(needle)
            if dense is None:  # as for longer needles (_index): decided once per needle, a matter of speed
                if len(self._dense) >= 64:
                    self._dense.pop(next(iter(self._dense)))
                dense = int(conn.execute(search_index.PROBE, (query,)).fetchone()[0]) >= search_index.DENSE and (
                    int(conn.execute(_RECENT_HITS, (needle,)).fetchone()[0]) >= _RECENT_DENSE
                )
                self._dense[needle] = dense
            if dense:
                return None
        found = self._found.get(needle)
        if found is not None and found[0] == generation:
            return found[1]
        ids: list[int] = []
        if query:
            ids = [row[0] for row in conn.execute(f"{search_index.CANDIDATES} LIMIT {_HELD_IDS + 1}", (query,))]
        # rows stored without the suffix (an older console's) may hold the needle in their last two characters
        ids += [row[0] for row in conn.execute(
            "SELECT id FROM events WHERE id < ? AND instr(substr(search, -2), ?) > 0", (self._suffix_from, needle)
        )]
        if len(ids) > _HELD_IDS:
            return None
        if len(self._found) >= 16:
            self._found.pop(next(iter(self._found)))
        text = self._found[needle] = (generation, json.dumps(sorted(set(ids))))
        return text[1]

    def _walk(self, flt: EventFilter | None, candidates: str | None, upto: int) -> bool:
        """Whether a page of a free-text filter finds its rows sooner by walking the (time, id) index and
        checking each id against the candidates than by reading every candidate and sorting them: when the
        candidates are many for the rows the page needs (a two-letter surname: 7,000 candidates, a page of
        200 in 2 ms instead of 40-60 ms). Only for a filter of text and time alone: other criteria would
        make the walk longer by a factor the candidates' count does not tell. A matter of speed only."""
        if flt is None or not candidates or not candidates.startswith("[") or candidates == "[]":
            return False
        if flt.levels or flt.sources or flt.areas or flt.doors or flt.devices:
            return False
        found = candidates.count(",") + 1
        span = self._conn().execute(_ID_SPAN).fetchone()[0] or 0
        return span * max(1, upto) < _WALK_RATIO * found * found

    def _found_ids(self, conn: sqlite3.Connection, needle: str, query: str) -> str:
        """``query``'s candidates as a JSON list of ids (for ``_where``), reused until the next write; or
        ``query`` itself when they are too many to hold (or the journal is another process's)."""
        if self.read_only:
            return query
        generation = self._generation
        found = self._found.get(needle)
        if found is not None and found[0] == generation:
            return found[1]
        ids = [row[0] for row in conn.execute(f"{search_index.CANDIDATES} LIMIT {_HELD_IDS + 1}", (query,))]
        if len(ids) > _HELD_IDS:
            return query
        if len(self._found) >= 16:
            self._found.pop(next(iter(self._found)))
        text = self._found[needle] = (generation, json.dumps(ids))
        return text[1]

    def _write(self, work: Callable[[sqlite3.Connection], Any]) -> Any:
        if self.read_only:
            raise JournalError("the journal is open read-only")
        conn = self._conn()
        with self._write_lock:
            self._generation += 1  # before and after: a candidate list read meanwhile is never reused
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    result = work(conn)
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
                self._generation += 1
            except sqlite3.Error as exc:  # full, read-only: said with the folder's name (files.report_storage)
                words = report_storage(exc, self.path.parent)
                if words is None:
                    raise
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise JournalError(f"the event journal {self.path} could not be written: {words}") from None
            return result

    # -- writing events --------------------------------------------------------------------------

    def add(self, events: Iterable[Event], *, meta: Mapping[str, str] | None = None) -> list[Event]:
        """Store ``events`` in one transaction and return those that were new, oldest first.

        An event whose key is already in the journal is ignored (whatever its ``backfilled`` flag).
        ``meta`` values are saved in the same transaction. Retention is enforced afterwards.
        """
        batch: dict[str, Event] = {}
        for ev in events:
            batch.setdefault(ev.key, ev)  # the first of duplicates in the batch wins
        keys = list(batch)

        def work(conn: sqlite3.Connection) -> list[Event]:
            # Which keys are stored already (read inside the write transaction, so nobody adds one meanwhile);
            # the rest go in with one executemany. INSERT OR IGNORE stays as the UNIQUE constraint's backstop.
            # An event from before keys began with the time may be stored under an older console's key: those
            # are looked up as well (reads only; events newer than every such row need none).
            lookups = keys
            legacy: dict[str, str] = {}  # older console's key -> the key of the event offered now
            until = self._legacy_keys(conn) if batch else ""
            if until:
                for key, ev in batch.items():
                    old = legacy_key(key)
                    if old is not None and (key.startswith("0") or format_time(ev.time) <= until):
                        legacy[old] = key
                lookups = keys + list(legacy)
            known: set[str] = set()
            for i, size in _power_chunks(len(lookups), 512):  # few distinct statements (see _power_chunks)
                chunk = lookups[i : i + size]
                rows = conn.execute(f"SELECT key FROM events WHERE key IN ({','.join('?' * len(chunk))})", chunk)
                known.update(legacy.get(row[0], row[0]) for row in rows)
            new = [ev for key, ev in batch.items() if key not in known]
            if new:
                before = self._index_before_insert(conn) if self._indexed else None
                _insert_rows(conn, _rows_offering_the_gil(new))
                top = conn.execute("SELECT max(id) FROM events").fetchone()[0]
                conn.execute(_SET_META, (KEYS_CHECKED_TO, str(top)))  # this writer's rows: keys of this form
                if before is not None:  # the search index: the rows just added, in one statement
                    conn.execute(search_index.FILL, (before,))
                    conn.execute(_SET_META, (search_index.INDEXED_TO, str(top)))
            if meta:
                conn.executemany(
                    "INSERT INTO meta (name, value) VALUES (?, ?) "
                    "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                    list(meta.items()),
                )
            if new:
                self._enforce(conn)
            return new

        new_events: list[Event] = self._write(work) if batch or meta else []
        new_events.sort(key=lambda e: e.time)
        return new_events

    @staticmethod
    def _legacy_keys(conn: sqlite3.Connection) -> str:
        """The newest event time among rows that may be stored under an older console's key ("" when none may
        be): every row of a journal this version had not written to yet, and rows another writer added since
        (``KEYS_CHECKED_TO``); kept in ``meta``. Call it in a write transaction."""
        row = conn.execute("SELECT value FROM meta WHERE name = ?", (LEGACY_KEYS_UNTIL,)).fetchone()
        until = str(row[0]) if row is not None else ""
        row = conn.execute("SELECT value FROM meta WHERE name = ?", (KEYS_CHECKED_TO,)).fetchone()
        checked = int(row[0]) if row is not None and str(row[0]).isdigit() else 0
        top = int(conn.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0])
        if top > checked:  # rows of an older console (all of them when this version never wrote here)
            if checked:  # the rows above the mark alone (+time: not the time index, newest first)
                newest = conn.execute("SELECT max(+time) FROM events WHERE id > ?", (checked,)).fetchone()[0]
            else:
                newest = conn.execute("SELECT max(time) FROM events").fetchone()[0]
            until = max(until, str(newest or ""))
            conn.execute(_SET_META, (LEGACY_KEYS_UNTIL, until))
        if top != checked or row is None:
            conn.execute(_SET_META, (KEYS_CHECKED_TO, str(top)))
        return until

    def _index_before_insert(self, conn: sqlite3.Connection) -> int:
        """The highest row id before a batch is inserted (its rows come after it: ``search_index.FILL``).

        Another writer (an older console sharing the file) is noticed here: its insert trigger is dropped
        before this batch (its rows were indexed by it) and rows it added without indexing are indexed now;
        either way its rows may lack the search suffix, which is then promised from this batch on only."""
        before = int(conn.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0])
        row = conn.execute("SELECT value FROM meta WHERE name = ?", (search_index.INDEXED_TO,)).fetchone()
        mark = int(row[0]) if row is not None and str(row[0]).isdigit() else None
        foreign = search_index.drop_insert_trigger(conn)  # it indexed the rows written while it was there
        if not foreign and mark is not None and mark < before:  # rows added without being indexed
            conn.execute(search_index.FILL, (mark,))
            foreign = True
        if foreign:
            self._suffix_from = max(self._suffix_from or 0, before + 1)
            conn.execute(_SET_META, (search_index.SUFFIX_FROM, str(self._suffix_from)))
        return before

    @staticmethod
    def _insert_params(ev: Event) -> tuple[Any, ...]:
        return (
            ev.key, time_texts(ev.time)[0], ev.source.value, int(ev.level), ev.name, ev.pin, ev.person,
            ev.department, ev.point, ev.reader, ev.device_sn, ev.device_name, ev.verify_mode, ev.area, ev.card,
            ev.event_no, ev.temperature, ev.mask, ev.photo_path, ev.photo_note, int(ev.has_photo),
            int(ev.backfilled), None if ev.received is None else time_texts(ev.received)[0],
            _OPEN if ev.level == Level.ALARM else _NOT_ALARM, search_text(ev) + search_index.SUFFIX,
            _raw_json(ev.raw if type(ev.raw) is dict else dict(ev.raw)), ev.photo_base64,
        )

    # -- retention -------------------------------------------------------------------------------

    def enforce_retention(self) -> int:
        """Apply the retention bounds now; returns how many events were removed."""
        if self.read_only:
            return 0
        removed: int = self._write(self._enforce)
        return removed

    def _enforce(self, conn: sqlite3.Connection) -> int:
        removed = 0
        if self.retention.days is not None:
            cutoff = self._clock() - timedelta(days=self.retention.days)
            removed += conn.execute("DELETE FROM events WHERE time < ?", (format_time(cutoff),)).rowcount
        if self.retention.max_rows is not None:
            bound = conn.execute(_ID_SPAN).fetchone()[0] or 0
            if bound > self.retention.max_rows:
                total = conn.execute("SELECT count(*) FROM events").fetchone()[0]
                excess = total - self.retention.max_rows
                if excess > 0:
                    removed += conn.execute(
                        "DELETE FROM events WHERE id IN (SELECT id FROM events ORDER BY time, id LIMIT ?)",
                        (excess,),
                    ).rowcount
        conn.execute(
            "DELETE FROM gaps WHERE id NOT IN (SELECT id FROM gaps ORDER BY id DESC LIMIT ?)", (KEEP_GAPS,)
        )
        return removed

    # -- reading ---------------------------------------------------------------------------------

    def count(self, flt: EventFilter | None = None, *, cap: int | None = None) -> int:
        """How many events match ``flt``; with ``cap``, counted only up to ``cap + 1`` (a result above ``cap``
        means "more than ``cap``"): a common word's exact count reads every matching row, a capped one stops.
        """
        # capped: a needle common among the newest rows finds its cap + 1 sooner by reading rows than by index
        where, params = _where(flt, self._index(flt, scan_dense=cap is not None))
        if cap is None:
            sql = f"SELECT count(*) FROM events{where}"
        else:
            sql = f"SELECT count(*) FROM (SELECT 1 FROM events{where} LIMIT ?)"
            params = [*params, max(0, int(cap)) + 1]
        result: int = self._conn().execute(sql, params).fetchone()[0]
        return result

    def page(
        self, flt: EventFilter | None = None, offset: int = 0, limit: int = 200, *, newest_first: bool = False
    ) -> list[Event]:
        """Events matching ``flt`` ordered by time (then arrival), rows ``offset`` to ``offset + limit``.

        Photos are not loaded (``has_photo`` says whether there is one): :meth:`get` loads one event whole.
        """
        offset = max(0, int(offset))
        candidates = self._index(flt, scan_dense=True)
        where, params = _where(flt, candidates, walk=self._walk(flt, candidates, offset + max(0, int(limit))))
        order = "DESC" if newest_first else "ASC"
        sql = f"SELECT {_COLUMNS} FROM events{where} ORDER BY time {order}, id {order} LIMIT ? OFFSET ?"
        if offset > DEEP_OFFSET:
            # deep down (a scroll jump): the rows skipped are stepped over in the (time, id) index alone, not read
            sql = (f"SELECT {_COLUMNS} FROM events WHERE id IN (SELECT id FROM events{where} "
                   f"ORDER BY time {order}, id {order} LIMIT ? OFFSET ?) ORDER BY time {order}, id {order}")
        rows = self._conn().execute(sql, [*params, max(0, int(limit)), offset]).fetchall()
        return [_row_to_event(row) for row in rows]

    def iter_range(
        self, since: datetime | None, until: datetime | None, flt: EventFilter | None = None, *, batch: int = 1000
    ) -> Iterator[Event]:
        """Every event with ``since <= time < until`` (either bound may be None) matching ``flt``, oldest first.

        Read in batches by (time, id), so a long export neither holds a cursor open nor sees a row twice.
        """
        base = replace(flt or EventFilter(), since=since, until=until)
        where, params = _where(base, self._index(base, scan_dense=True))
        glue = " AND " if where else " WHERE "
        last: tuple[str, int] | None = None
        while True:
            extra, extra_params = "", []
            if last is not None:
                extra = f"{glue}(time > ? OR (time = ? AND id > ?))"
                extra_params = [last[0], last[0], last[1]]
            rows = self._conn().execute(
                f"SELECT {_COLUMNS} FROM events{where}{extra} ORDER BY time, id LIMIT ?",
                [*params, *extra_params, batch],
            ).fetchall()
            if not rows:
                return
            for row in rows:
                yield _row_to_event(row)
            last = (rows[-1][2], rows[-1][0])

    def get(self, key: str) -> Event | None:
        """One event with its photo, or None (an event an older console stored is found by its key of now
        as well: ``model.legacy_key``)."""
        for wanted in (key, legacy_key(key)):
            if wanted is None:
                break
            row = self._conn().execute(f"SELECT {_COLUMNS}, photo FROM events WHERE key = ?", (wanted,)).fetchone()
            if row is not None:
                return _row_to_event(row, row[-1])
        return None

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        for wanted in (key, legacy_key(key)):
            if wanted is None:
                break
            if self._conn().execute("SELECT 1 FROM events WHERE key = ?", (wanted,)).fetchone() is not None:
                return True
        return False

    def distinct(self, field: DistinctField, flt: EventFilter | None = None) -> list[str]:
        """The values present for a filter's choices: ``area``, ``device`` (name, else serial), ``door``,
        ``source``, ``level`` (words); sorted, empty values left out."""
        column = {
            "area": "area",
            "door": "point",
            "source": "source",
            "level": "level",
            "device": "CASE WHEN device_name != '' THEN device_name ELSE device_sn END",
        }[field]
        where, params = _where(flt, self._index(flt))
        rows = self._conn().execute(f"SELECT DISTINCT {column} AS v FROM events{where} ORDER BY v", params)
        values = [row[0] for row in rows if row[0] not in (None, "")]
        if field == "level":
            return [Level(v).word for v in values]
        return [str(v) for v in values]

    def last_event_time(self, source: Source | None = None) -> datetime | None:
        if source is None:
            row = self._conn().execute("SELECT max(time) FROM events").fetchone()
        else:
            row = self._conn().execute("SELECT max(time) FROM events WHERE source = ?", (source.value,)).fetchone()
        return _parse_time(row[0])

    # -- meta ------------------------------------------------------------------------------------

    def get_meta(self, name: str) -> str | None:
        row = self._conn().execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, values: Mapping[str, str]) -> None:
        self.add((), meta=values)

    # -- gaps ------------------------------------------------------------------------------------

    def save_gap(self, gap: Gap) -> Gap:
        """Insert (no id) or update (with id) a gap; returns it with its id."""
        params = (
            gap.source.value, format_time(gap.start), format_time(gap.end), gap.reason, gap.status, gap.count,
            format_time(gap.detected), _text_time(gap.finished), gap.error[:500], gap.attempts,
        )

        def work(conn: sqlite3.Connection) -> int:
            if gap.id is None:
                cur = conn.execute(
                    'INSERT INTO gaps (source, start, "end", reason, status, count, detected, finished, error, '
                    "attempts) VALUES (?,?,?,?,?,?,?,?,?,?)",
                    params,
                )
                return int(cur.lastrowid or 0)
            conn.execute(
                'UPDATE gaps SET source=?, start=?, "end"=?, reason=?, status=?, count=?, detected=?, finished=?, '
                "error=?, attempts=? WHERE id=?",
                (*params, gap.id),
            )
            return gap.id

        gap_id: int = self._write(work)
        return replace(gap, id=gap_id)

    def gaps(self, *, status: str | None = None, limit: int = 100) -> list[Gap]:
        """Recorded gaps, newest first (``status``: pending, done or failed)."""
        sql = 'SELECT id, source, start, "end", reason, status, count, detected, finished, error, attempts FROM gaps'
        params: list[Any] = []
        if status is not None:
            sql += " WHERE status = ?"
            params.append(status)
        rows = self._conn().execute(sql + " ORDER BY id DESC LIMIT ?", [*params, limit]).fetchall()
        return [_gap_from_row(row) for row in rows]

    # -- alarms ----------------------------------------------------------------------------------

    def open_alarms(self) -> list[tuple[Event, datetime | None]]:
        """Alarm events not yet acknowledged, oldest first, each with the time it is snoozed until."""
        rows = self._conn().execute(
            f"SELECT {_COLUMNS}, snoozed_until FROM events WHERE alarm_state = {_OPEN} ORDER BY time, id"
        ).fetchall()
        return [(_row_to_event(row), _parse_time(row[-1])) for row in rows]

    def acknowledge(self, keys: Iterable[str], *, at: datetime, operator: str = "", note: str = "") -> list[str]:
        """Mark open alarms acknowledged; returns the keys that were open (others are left alone)."""
        wanted = list(dict.fromkeys(keys))

        def work(conn: sqlite3.Connection) -> list[str]:
            done: list[str] = []
            for key in wanted:
                cur = conn.execute(
                    f"UPDATE events SET alarm_state = {_ACKED}, ack_at = ?, ack_by = ?, ack_note = ?, "
                    f"snoozed_until = NULL WHERE key = ? AND alarm_state = {_OPEN}",
                    (format_time(at), operator, note, key),
                )
                if cur.rowcount:
                    done.append(key)
            return done

        result: list[str] = self._write(work) if wanted else []
        return result

    def raise_levels(self, levels: Mapping[str, Level], *, why: str) -> list[Event]:
        """Raise the severity of stored events (never lower it): the server's own level, read after the event was
        filed by its name. An event raised to an alarm becomes an open alarm. Returns the events raised, each
        marked in its ``raw`` (``_levelCorrected``: why) so that the operator can see it was raised later."""
        wanted = {key: int(level) for key, level in levels.items()}

        def work(conn: sqlite3.Connection) -> list[str]:
            done: list[str] = []
            for key, level in wanted.items():
                cur = conn.execute(
                    f"UPDATE events SET level = ?, raw = json_set(raw, '$._levelCorrected', ?), "
                    f"alarm_state = CASE WHEN ? = {int(Level.ALARM)} AND alarm_state = {_NOT_ALARM} THEN {_OPEN} "
                    f"ELSE alarm_state END WHERE key = ? AND level < ?",
                    (level, why, level, key, level),
                )
                if cur.rowcount:
                    done.append(key)
            return done

        keys: list[str] = self._write(work) if wanted else []
        return [event for event in (self.get(key) for key in keys) if event is not None]

    def open_as_alarms(self, keys: Iterable[str]) -> None:
        """Keep stored warnings open like alarms (the alarm queue takes device offline and low battery at a low
        priority): acknowledged, snoozed and brought back after a restart like the others."""
        wanted = list(dict.fromkeys(keys))

        def work(conn: sqlite3.Connection) -> None:
            conn.executemany(f"UPDATE events SET alarm_state = {_OPEN} WHERE key = ? AND alarm_state = {_NOT_ALARM}",
                             [(key,) for key in wanted])

        if wanted:
            self._write(work)

    def snooze(self, keys: Iterable[str], until: datetime | None) -> None:
        """Record (or with ``None`` clear) the snooze of open alarms."""
        wanted = list(dict.fromkeys(keys))

        def work(conn: sqlite3.Connection) -> None:
            conn.executemany(
                f"UPDATE events SET snoozed_until = ? WHERE key = ? AND alarm_state = {_OPEN}",
                [(_text_time(until), key) for key in wanted],
            )

        if wanted:
            self._write(work)
