"""What became of each row of a bulk import, kept on disk so that a retry never sends a person twice.

One small JSON file per imported file, in the profile's data folder
(``<data>/enrolment/<profile>/imports/<sha-256 of the file>.json``, owner-only), keyed by the row's PIN:

* ``accepted``: the server took the row (or a re-read found the person as sent): never sent again;
* ``refused``: the server refused it, with the reason (the same file would be refused again: fix the row and
  import the corrected file, which is another file with its own ledger);
* ``uncertain``: the batch was on its way and its answer never came (lost, or the console stopped while it was
  out). Written *before* the batch is sent, so a crash mid-batch also leaves ``uncertain``: the next import of
  this file reads those people back from the server before it offers to send them again.

Each entry also keeps a digest of what was sent for the row (SHA-256 of its fields, without the personal
password or a photo): a *corrected* file is another file, but its rows that did not change and were accepted
from an earlier file are not sent again (:func:`accepted_elsewhere`).

Nothing else is kept: no names, no cards, no photo bytes, no passwords (the file itself is the operator's).
A ledger that cannot be read is set aside (``*.damaged-<time>``) and every row of the file counts as
``uncertain``: all are read back before anything is sent.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Final, Literal

from console.services.files import set_aside
from console.services.json_store import write_json
from console.services.text import clean_text

__all__ = ["Entry", "ImportLedger", "LedgerState", "accepted_elsewhere", "file_key"]

log = logging.getLogger(__name__)

LedgerState = Literal["accepted", "refused", "uncertain"]
_STATES: Final = frozenset({"accepted", "refused", "uncertain"})
VERSION: Final = 1


def file_key(text: str) -> str:
    """The SHA-256 of the file's text (UTF-8): the same file, the same ledger."""
    return hashlib.sha256(text.encode("utf-8", errors="replace")).hexdigest()


@dataclass(frozen=True)
class Entry:
    state: LedgerState
    reason: str = ""
    at: str = ""  # when (local time, to the second)
    settled: bool = False  # found by re-reading the server after a lost answer
    digest: str = ""  # SHA-256 of the row as sent (no password, no photo)


class ImportLedger:
    """The rows of one file already sent, and how each ended. Every change is written at once (atomically)."""

    def __init__(self, directory: Path, key: str) -> None:
        if len(key) != 64 or any(c not in "0123456789abcdef" for c in key):
            raise ValueError("not a SHA-256")
        self.path = directory / f"{key}.json"
        self.key = key
        self.entries: dict[str, Entry] = {}
        self.damaged = False  # the file on disk could not be read: every row counts as uncertain
        self.started = ""  # when this file was first imported ("" for a new file)
        self._load()

    @classmethod
    def for_text(cls, directory: Path, text: str) -> ImportLedger:
        return cls(directory, file_key(text))

    def _load(self) -> None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return
        except OSError as exc:  # unreadable (permissions): nothing can be known, read everything back
            log.error("the import ledger %s cannot be read: %s", self.path, exc)
            self.damaged = True
            return
        try:
            data = json.loads(raw.decode("utf-8"))
            if not isinstance(data, dict) or data.get("file") != self.key or not isinstance(data.get("rows"), dict):
                raise ValueError("not an import ledger of this file")
            started = data.get("started")
            self.started = clean_text(started, limit=40) if isinstance(started, str) else ""
            for pin, item in data["rows"].items():
                if not isinstance(pin, str) or not isinstance(item, dict) or item.get("state") not in _STATES:
                    raise ValueError(f"a damaged row for {pin!r}")
                reason, at, digest = item.get("reason", ""), item.get("at", ""), item.get("digest", "")
                self.entries[pin] = Entry(item["state"], clean_text(reason, limit=300) if isinstance(reason, str)
                                          else "", at if isinstance(at, str) else "", item.get("settled") is True,
                                          digest if isinstance(digest, str) else "")
        except (ValueError, UnicodeDecodeError) as exc:
            self.entries.clear()
            self.damaged = True
            try:
                set_aside(self.path, str(exc), what="import ledger")
            except OSError:
                log.exception("the damaged import ledger %s could not be set aside", self.path)

    def get(self, pin: str) -> Entry | None:
        return self.entries.get(pin)

    def mark(self, pins: Iterable[str], state: LedgerState | None, reason: str = "", *,
             settled: bool = False, digests: Mapping[str, str] | None = None) -> None:
        """Record ``state`` for ``pins`` (None: forget them, they are to be sent) and write the file.
        ``OSError`` when it cannot be written: the caller must not send what it could not record."""
        at = datetime.now().isoformat(sep=" ", timespec="seconds")
        previous = dict(self.entries)
        for pin in pins:
            if state is None:
                self.entries.pop(pin, None)
            else:
                self.entries[pin] = Entry(state, clean_text(reason, limit=300), at, settled,
                                          (digests or {}).get(pin, ""))
        try:
            self._write(at)
        except OSError:
            self.entries = previous
            raise

    def _write(self, at: str) -> None:
        if not self.started:
            self.started = at
        rows = {pin: {"state": e.state, **({"reason": e.reason} if e.reason else {}), "at": e.at,
                      **({"settled": True} if e.settled else {}), **({"digest": e.digest} if e.digest else {})}
                for pin, e in self.entries.items()}
        data = {"version": VERSION, "file": self.key, "started": self.started, "updated": at, "rows": rows}
        write_json(self.path, data, indent=0)  # StoreWriteError (an OSError) in plain words: the folder is full


def accepted_elsewhere(directory: Path, exclude: str = "") -> set[tuple[str, str]]:
    """``(pin, digest)`` of every row accepted by an import of another file of this profile (``exclude``: this
    file's key). Unreadable ledgers are skipped here (their own file's import reads them back)."""
    out: set[tuple[str, str]] = set()
    try:
        paths = sorted(directory.glob("*.json"))
    except OSError:
        return out
    for path in paths:
        if path.stem == exclude:
            continue
        try:
            data = json.loads(path.read_bytes().decode("utf-8"))
            rows = data.get("rows") if isinstance(data, dict) else None
        except (OSError, ValueError, UnicodeDecodeError):
            continue
        if not isinstance(rows, dict):
            continue
        for pin, item in rows.items():
            if (isinstance(item, dict) and item.get("state") == "accepted" and isinstance(item.get("digest"), str)
                    and item["digest"]):
                out.add((str(pin), item["digest"]))
    return out
