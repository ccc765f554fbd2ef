"""The free-text index of the event journal: SQLite FTS5 with the trigram tokenizer over ``events.search``.

The events panel's free-text filter means "the needle appears in the event's name, PIN, person, door, reader,
device, area or card" (``model.search_text``, stored casefolded in the ``search`` column): a substring, not a
word. Without an index that is a scan of every row (``instr``), about a second at a million events. With it:

* ``events_search`` is an external-content FTS5 table (the text stays in ``events``; the index alone is
  about 120 bytes an event) with ``detail=none`` (no positions: the smallest and fastest to write). The
  journal fills it once per batch, in the batch's transaction, with one ``INSERT ... SELECT`` of the rows
  just added (:data:`FILL`: twice as fast as a trigger per row); two triggers (delete, update of
  ``search``) keep it in step when rows go (retention) or change. ``meta`` remembers the last row indexed
  (:data:`INDEXED_TO`): rows another writer added without indexing them are indexed when the journal opens
  (:func:`adopt`). An older console re-creates its insert trigger when it opens the journal: :func:`adopt`
  drops it again (the rows it indexed stay indexed);
* a needle of three characters or more becomes the trigrams that cover it (``"abc" "def" "efg"``: every
  row holding the needle holds all of them), which find the candidates; ``instr`` on those candidates keeps
  the filter exact;
* a needle of one or two characters has no trigram of its own, but every row holding it holds a trigram
  that starts with it, because the stored text ends with :data:`SUFFIX` (two separators, which no stripped
  needle can match): the index's vocabulary (``fts5vocab``) lists those trigrams (:func:`short_query`).
  Rows stored before the suffix existed (ids below :data:`SUFFIX_FROM` in ``meta``) may end with the
  needle: the journal looks at their last characters as well (a scan of those rows only, until retention
  has removed them). A needle whose trigrams are too many (a common letter) is scanned, newest first;
* a journal written before the index existed gets it when it is opened for writing (``ensure``: built in
  one transaction from the rows, a few seconds at a million); an SQLite without FTS5 or the trigram
  tokenizer (before 3.34) keeps working without it.

``ensure``/``present`` take a connection; the journal (``journal.py``) decides when to use the index.
"""

# ruff: noqa: S608  (SQL text here is built from the constant table name only; needles travel as parameters)

from __future__ import annotations

import logging
import sqlite3
import time

__all__ = [
    "AUTOMERGE",
    "CANDIDATES",
    "DENSE",
    "FILL",
    "INDEXED_TO",
    "PROBE",
    "SUFFIX",
    "SUFFIX_FROM",
    "TABLE",
    "adopt",
    "drop_insert_trigger",
    "ensure",
    "match_query",
    "present",
    "selective_query",
    "short_query",
    "supported",
]

log = logging.getLogger(__name__)

TABLE = "events_search"
# the rows holding every trigram of the needle (a superset of the matches: instr() decides)
CANDIDATES = f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH ?"
# how many candidates make a needle "dense": its newest page is then found faster by reading the rows
# newest first (one in fifty rows or more matches) than by sorting every candidate by time
DENSE = 20_000
PROBE = f"SELECT count(*) FROM (SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH ? LIMIT {DENSE})"
MAX_TRIGRAMS = 8
PROBED_TRIGRAMS = 12
# what the journal appends to the stored search text: a needle of one or two characters anywhere in the text
# then starts a trigram (short_query); whitespace, so no stripped needle can match into it
SUFFIX = "\x1f\x1f"
# the rows added by the batch just written (ids above the last one indexed): one statement per batch
FILL = f"INSERT INTO {TABLE} (rowid, search) SELECT id, search FROM events WHERE id > ?"
INDEXED_TO = "search:indexed_to"  # meta: the highest row id in the index (rows above it are not indexed)
SUFFIX_FROM = "search:suffix_from"  # meta: rows from this id on were stored with SUFFIX by this journal's writer
SHORT_TERMS = 256  # most trigrams a one- or two-character needle is looked up by; more: scanned
# FTS5 merges its segments when a level holds this many (its default: 4). Each batch the journal adds is a new
# segment, so every entry is rewritten once per level it climbs: with 8 a level holds up to seven segments and
# there are fewer levels, which cuts a batch's index upkeep by a third at a million events (a query reads a
# few more segments: tests/benchmarks/bench_journal.py, the filter figures)
AUTOMERGE = 8
_VOCAB = f"temp.{TABLE}_vocab"
_INSERT_TRIGGER = f"{TABLE}_insert"

_CREATE = (
    f"CREATE VIRTUAL TABLE {TABLE} USING fts5(search, content='events', content_rowid='id', "
    "tokenize='trigram', detail=none, columnsize=0)"
)
_TRIGGERS = (  # no insert trigger: the journal fills the index per batch (FILL)
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_delete AFTER DELETE ON events BEGIN "
    f"INSERT INTO {TABLE} ({TABLE}, rowid, search) VALUES ('delete', old.id, old.search); END",
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_update AFTER UPDATE OF search ON events BEGIN "
    f"INSERT INTO {TABLE} ({TABLE}, rowid, search) VALUES ('delete', old.id, old.search); "
    f"INSERT INTO {TABLE} (rowid, search) VALUES (new.id, new.search); END",
)


def supported(conn: sqlite3.Connection) -> bool:
    """Whether this SQLite has FTS5 with the trigram tokenizer (3.34 and later, when built with FTS5)."""
    try:
        conn.execute("CREATE VIRTUAL TABLE temp.trigram_probe USING fts5(x, tokenize='trigram', detail=none)")
        conn.execute("DROP TABLE temp.trigram_probe")
    except sqlite3.OperationalError:
        return False
    return True


def present(conn: sqlite3.Connection) -> bool:
    row = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (TABLE,)).fetchone()
    return row is not None


def ensure(conn: sqlite3.Connection) -> bool:
    """Create the index (and fill it from the rows already there) unless it exists; True when it is usable.

    Runs in its own transaction: call it outside one (the journal calls it while opening, under its write
    lock). False when this SQLite cannot build it, or building it failed (a full disk): the filter then
    scans, as before the index, and the next opening tries again.
    """
    if present(conn):
        for trigger in _TRIGGERS:  # IF NOT EXISTS: a no-op unless one went missing
            conn.execute(trigger)
        return True
    if not supported(conn):
        log.info("SQLite %s has no FTS5 trigram tokenizer: the event filter scans the journal",
                 sqlite3.sqlite_version)
        return False
    started = time.monotonic()
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(_CREATE)
        _set_automerge(conn)
        for trigger in _TRIGGERS:
            conn.execute(trigger)
        conn.execute(f"INSERT INTO {TABLE} ({TABLE}) VALUES ('rebuild')")
        rows = conn.execute("SELECT count(*) FROM events").fetchone()[0]
        _set_meta(conn, INDEXED_TO, int(conn.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0]))
        conn.execute("COMMIT")
    except sqlite3.OperationalError as exc:  # a full disk, a lock: the journal still opens, the filter scans
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        log.warning("the event journal's search index could not be built (%s): the filter scans instead", exc)
        return False
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    if rows:
        log.info("event journal: search index built for %d events in %.1f s", rows, time.monotonic() - started)
    return True


def selective_query(conn: sqlite3.Connection, needle: str) -> str | None:
    """Like :func:`match_query`, but from the needle's rarest trigrams when some are rare (each counted up to
    ``DENSE``): a person's "omar jensen-2" has "n-2" in few rows and "ens" in many; reading the short lists
    beats merging long ones. Any trigrams of the needle find a superset of its rows: ``instr`` decides.
    The journal remembers the choice per needle (a matter of speed only, never of the result)."""
    if len(needle) < 3:
        return None
    grams = list(dict.fromkeys(needle[i : i + 3] for i in range(len(needle) - 2)))
    if len(grams) <= 3:
        return _query(grams)
    if len(grams) > PROBED_TRIGRAMS:  # spread the probes over the needle
        step = len(grams) / PROBED_TRIGRAMS
        grams = [grams[int(k * step)] for k in range(PROBED_TRIGRAMS)]
    counts = {gram: int(conn.execute(PROBE, (_query([gram]),)).fetchone()[0]) for gram in grams}
    rare = sorted((g for g in grams if counts[g] < DENSE), key=lambda g: counts[g])[:3]
    if rare:
        return _query(rare)
    return match_query(needle)  # every trigram is common (counted only up to DENSE): the covering ones


def _query(grams: list[str]) -> str:
    return " ".join('"' + gram.replace('"', '""') + '"' for gram in grams)


def match_query(needle: str) -> str | None:
    """The FTS5 query whose matches include every row containing ``needle`` (None under three characters).

    Trigrams from the start, three characters apart, then the last one: together they cover the needle.
    """
    if len(needle) < 3:
        return None
    starts = list(range(0, len(needle) - 2, 3))
    if starts[-1] != len(needle) - 3:
        starts.append(len(needle) - 3)
    if len(starts) > MAX_TRIGRAMS:  # a long needle: enough trigrams to be selective, instr() does the rest
        starts = starts[: MAX_TRIGRAMS - 1] + starts[-1:]
    return _query(list(dict.fromkeys(needle[i : i + 3] for i in starts)))


def _meta_int(conn: sqlite3.Connection, name: str) -> int | None:
    row = conn.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
    try:
        return None if row is None else int(row[0])
    except ValueError:
        return None


def _set_meta(conn: sqlite3.Connection, name: str, value: int) -> None:
    conn.execute("INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                 (name, str(value)))


def adopt(conn: sqlite3.Connection) -> int:
    """Make the index this journal's to fill (after :func:`ensure` said it is there); returns the first row id
    stored with :data:`SUFFIX` for certain (:data:`SUFFIX_FROM`). Call it outside a transaction.

    * The insert trigger of an older console (or of the index as versions before this one built it) is
      dropped: the rows it indexed are all in the index;
    * rows added without being indexed (above :data:`INDEXED_TO`: a writer that had no trigger) are indexed;
    * when another writer was at work (either of the above), its rows may lack the suffix: the suffix is
      promised only from the next row on.
    """
    conn.execute("BEGIN IMMEDIATE")
    try:
        top = int(conn.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0])
        mark = _meta_int(conn, INDEXED_TO)
        suffix_from = _meta_int(conn, SUFFIX_FROM)
        foreign = False
        if drop_insert_trigger(conn):
            foreign = top > 0
        elif mark is None:  # neither a trigger nor a mark: nobody can say what is indexed, so all of it is
            conn.execute(f"INSERT INTO {TABLE} ({TABLE}) VALUES ('rebuild')")
            foreign = top > 0
        elif top > mark:
            conn.execute(FILL, (mark,))
            foreign = True
        row = conn.execute(f"SELECT v FROM {TABLE}_config WHERE k = 'automerge'").fetchone()
        if row is None or row[0] != AUTOMERGE:  # an index an older console built
            _set_automerge(conn)
        if suffix_from is None or foreign:
            suffix_from = top + 1
            _set_meta(conn, SUFFIX_FROM, suffix_from)
        if mark != top:
            _set_meta(conn, INDEXED_TO, top)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return suffix_from


def _set_automerge(conn: sqlite3.Connection) -> None:
    conn.execute(f"INSERT INTO {TABLE} ({TABLE}, rank) VALUES ('automerge', {AUTOMERGE})")


def drop_insert_trigger(conn: sqlite3.Connection) -> bool:
    """Drop the per-row insert trigger (an older console's, re-created when it opens the journal); True when
    it was there (the rows written until now were indexed by it)."""
    trigger = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND name = ?",
                           (_INSERT_TRIGGER,)).fetchone()
    if trigger is None:
        return False
    conn.execute(f"DROP TRIGGER {_INSERT_TRIGGER}")
    return True


def short_query(conn: sqlite3.Connection, needle: str) -> str | None:
    """The FTS5 query whose matches include every row (stored with :data:`SUFFIX`) containing ``needle`` of
    one or two characters: any of the trigrams that start with it (the index's vocabulary says which).
    ``""`` when no trigram starts with it (no such row); None when it is not one or two ASCII characters
    (only ASCII is folded alike by Python and by the tokenizer) or too many trigrams start with it: scan.
    """
    if not 0 < len(needle) < 3 or not needle.isascii():
        return None
    conn.execute(f"CREATE VIRTUAL TABLE IF NOT EXISTS {_VOCAB} USING fts5vocab(main, {TABLE}, 'row')")
    rows = conn.execute(f"SELECT term FROM {_VOCAB} WHERE term >= ? AND term < ? LIMIT {SHORT_TERMS + 1}",
                        (needle, needle + "\U0010ffff")).fetchall()
    terms = [row[0] for row in rows if isinstance(row[0], str) and row[0].startswith(needle)]
    if len(rows) > SHORT_TERMS:
        return None
    return " OR ".join('"' + term.replace('"', '""') + '"' for term in terms)
