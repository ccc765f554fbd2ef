"""Export the journal to CSV, from the panel or from the command line without opening a window.

``python -m console export-events --basedir DIR --since 2024-05-01 --until "2024-05-02 06:00" --csv shift.csv``
reads a journal in ``DIR/data`` (``--data-dir`` names the data directory itself). Each connection profile keeps
its own journal (``data/profiles/<profile>/``): ``--profile NAME`` picks one; without it the only one there is
read, or the journal shared by every profile that versions before 0.2 kept (``data/events.sqlite3``). The
command says which journal it read. The journal is opened
read-only, so exporting while the console runs is safe. Cells that a spreadsheet would run as a formula
(starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return) are prefixed with ``'``. The file is
UTF-8 with a byte-order mark (spreadsheets then read names correctly) and written atomically.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sqlite3
import sys
import tempfile
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO

from console.services.paths import Paths, profile_slug

from .journal import JOURNAL_FILE, PROFILE_META, Journal, JournalError
from .model import Event, EventFilter, Level, Source, format_time

__all__ = ["COLUMNS", "export_csv", "find_journal", "main", "profile_journals", "safe_cell", "write_csv"]

COLUMNS: tuple[str, ...] = (
    "time", "severity", "source", "event", "pin", "person", "department", "door/point", "reader", "device",
    "device serial", "verification", "area", "card", "temperature", "mask", "photo", "back-filled",
    "acknowledged at", "acknowledged by", "acknowledgement note", "key",
)

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """The cell's text, with a leading ``'`` where a spreadsheet would take it for a formula."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def _row(ev: Event) -> list[str]:
    ack = ev.ack
    cells: list[object] = [
        format_time(ev.time), ev.level.word, ev.source.value, ev.name, ev.pin, ev.person, ev.department, ev.point,
        ev.reader, ev.device_name, ev.device_sn, ev.verify_mode, ev.area, ev.card,
        "" if ev.temperature is None else f"{ev.temperature:g}", ev.mask,
        ev.photo_path or ("yes" if ev.has_photo else ""), "yes" if ev.backfilled else "",
        format_time(ack.at) if ack else "", ack.operator if ack else "", ack.note if ack else "", ev.key,
    ]
    return [safe_cell(c) for c in cells]


def write_csv(events: Iterable[Event], out: IO[str]) -> int:
    """Write a header and one row per event to ``out``; returns the number of events."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    count = 0
    for ev in events:
        writer.writerow(_row(ev))
        count += 1
    return count


def export_csv(
    journal: str | Path | Journal,
    since: datetime | None,
    until: datetime | None,
    out_path: str | Path,
    filter: EventFilter | None = None,
) -> int:
    """Write the events with ``since <= time < until`` (and matching ``filter``) to ``out_path``.

    ``journal`` is an open :class:`Journal`, a data directory or a journal file (opened read-only).
    Returns the number of events written.
    """
    own = not isinstance(journal, Journal)
    jr = Journal(journal, read_only=True) if not isinstance(journal, Journal) else journal
    try:
        target = Path(out_path)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as out:
                count = write_csv(jr.iter_range(since, until, filter), out)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return count
    finally:
        if own:
            jr.close()


def profile_journals(data_dir: Path) -> dict[str, Path]:
    """The journals kept per profile under ``data_dir``: profile name -> journal file."""
    found: dict[str, Path] = {}
    root = Path(data_dir) / "profiles"
    for folder in sorted(root.iterdir()) if root.is_dir() else ():
        path = folder / JOURNAL_FILE
        if not path.is_file():
            continue
        try:
            with Journal(path, read_only=True) as jr:
                name = jr.get_meta(PROFILE_META) or folder.name
        except (JournalError, sqlite3.DatabaseError):  # damaged: named by its folder, refused when read
            name = folder.name
        found[name] = path
    return found


def find_journal(data_dir: Path, profile: str | None) -> tuple[Path, str]:
    """The journal to read and words for it; :class:`JournalError` naming the choices when it is unclear."""
    journals = profile_journals(data_dir)
    if profile is not None:
        path = Path(data_dir) / "profiles" / profile_slug(profile) / JOURNAL_FILE
        if path.is_file():
            return path, f"the event journal of profile {profile!r}"
        known = ", ".join(repr(name) for name in journals) or "none"
        raise JournalError(f"no event journal for profile {profile!r} in {data_dir} (profiles with one: {known})")
    if len(journals) == 1:
        [(name, path)] = journals.items()
        return path, f"the event journal of profile {name!r}"
    if len(journals) > 1:
        names = ", ".join(repr(name) for name in journals)
        raise JournalError(f"several profiles keep an event journal in {data_dir}: name one with --profile ({names})")
    legacy = Path(data_dir) / JOURNAL_FILE
    if legacy.is_file():
        return legacy, "the event journal shared by every profile (kept by versions before 0.2)"
    raise JournalError(f"no event journal in {data_dir}")


# -- command line --------------------------------------------------------------------------------


def _when(text: str) -> datetime:
    """A bound: ``YYYY-MM-DD[ HH:MM[:SS]]``, or ``today``, ``yesterday``, ``now`` (local time)."""
    word = text.strip().lower()
    midnight = datetime.now().replace(hour=0, minute=0, second=0, microsecond=0)
    named = {"today": midnight, "yesterday": midnight - timedelta(days=1), "now": datetime.now()}
    if word in named:
        return named[word]
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a date and time: {text!r} (use YYYY-MM-DD, 'YYYY-MM-DD HH:MM[:SS]', today, yesterday or now)"
        ) from None
    return moment.replace(tzinfo=None) if moment.tzinfo is None else moment.astimezone().replace(tzinfo=None)


def _folder(text: str) -> Path:
    """A folder argument; an empty one is refused (it would silently mean the current folder)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("is empty: name a folder")
    return Path(text)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="console export-events",
        description="Export the event journal for a time range to CSV, without opening a window.",
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--basedir", type=_folder, help="the console's base directory (the journal is in DIR/data); "
                       "default: CVSEC_BASEDIR, else the console's usual data directory")
    where.add_argument("--data-dir", type=_folder, help="the data directory holding the journals")
    parser.add_argument("--profile", metavar="NAME", help="the connection profile whose journal to read "
                        "(needed when several profiles keep one)")
    parser.add_argument("--since", type=_when,
                        help="first moment included (YYYY-MM-DD[ HH:MM[:SS]], today, yesterday, now)")
    parser.add_argument("--until", type=_when, help="first moment no longer included")
    parser.add_argument("--csv", required=True, help="the CSV file to write ('-' for standard output)")
    parser.add_argument("--level", action="append", choices=[lv.word for lv in Level], help="only this severity")
    parser.add_argument("--source", action="append", choices=[s.value for s in Source], help="only this source")
    parser.add_argument("--text", default="", help="only events containing this text")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """``export-events``: returns the exit status (0 done, 1 failed); bad arguments exit with status 2."""
    args = _parser().parse_args(argv)
    data_dir: Path = (
        args.data_dir
        if args.data_dir is not None
        else Paths.from_env_or_args(str(args.basedir) if args.basedir is not None else None).data_dir
    )
    if args.since and args.until and args.since >= args.until:
        print("export-events: --since must be before --until", file=sys.stderr)
        return 2
    flt = EventFilter(
        text=args.text,
        levels=frozenset(Level.parse(v) for v in args.level or ()),
        sources=frozenset(Source(v) for v in args.source or ()),
    )
    journal = data_dir  # (named in the message of a journal that cannot be read)
    try:
        journal, which = find_journal(data_dir, args.profile)
        print(f"export-events: reading {which} ({journal})", file=sys.stderr)
        if args.csv == "-":
            with Journal(journal, read_only=True) as jr:
                buffer = io.StringIO()
                count = write_csv(jr.iter_range(args.since, args.until, flt), buffer)
            sys.stdout.write(buffer.getvalue())
            sys.stdout.flush()
        else:
            count = export_csv(journal, args.since, args.until, args.csv, flt)
    except JournalError as exc:
        print(f"export-events: {exc}", file=sys.stderr)
        return 1
    except sqlite3.DatabaseError as exc:  # read-only: nothing is repaired here, the console does it at its start
        print(f"export-events: the event journal {journal} cannot be read ({exc}): it is damaged. Nothing was "
              "exported. The console sets a damaged journal aside (renamed with the time) and starts a fresh one "
              "at its next start.", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"export-events: cannot write {args.csv}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    if args.csv != "-":
        print(f"exported {count} event{'s' if count != 1 else ''} to {args.csv}", file=sys.stderr)
    return 0
