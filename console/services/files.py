"""Damaged and unwritable files: one way to set a damaged file aside, one way to say a data folder is full.

A file the console cannot read (an event journal SQLite refuses, a settings file that is not TOML, an outbox
that is not JSON) is never deleted and never stops the console: :func:`set_aside` renames it with the time
(``events.sqlite3.damaged-20261202T161500``, never over an earlier one), logs it as an error with its path, and
the caller starts a fresh one. The :class:`SetAside` record it returns is what the operator is told on screen
(:attr:`SetAside.text`), once, with the path (``SessionServices.set_aside`` gathers a connection's).

The audit log uses the same helper but is not "started afresh" silently: it keeps the damaged file and reports
a broken chain (``console.services.audit``).

A write that fails because the data folder is full, read-only or not ours (``ENOSPC``, ``EDQUOT``, ``EROFS``,
``EACCES``, ``EPERM``, or SQLite's "database or disk is full" / "attempt to write a readonly database") is
described by :func:`storage_problem` in one sentence that names the folder: "the data folder X is full". At
start-up :func:`check_writable` tries a small file in each folder and raises :class:`FolderNotWritable` with that
sentence.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

from console.services.paths import SQLITE_SIDE_FILES, private_dir

__all__ = [
    "DAMAGED",
    "FolderNotWritable",
    "SetAside",
    "WriteCheck",
    "atomic_write",
    "check_writable",
    "clear_storage_trouble",
    "report_storage",
    "set_aside",
    "sqlite_damaged",
    "storage_problem",
    "storage_trouble",
    "words",
]

log = logging.getLogger(__name__)

DAMAGED = ".damaged-"  # events.sqlite3.damaged-20261202T161500

_FULL = {errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)}
_READ_ONLY = {errno.EROFS}
_REFUSED = {errno.EACCES, errno.EPERM}
# SQLite's primary result codes (the low byte of ``sqlite_errorcode``)
_SQLITE_READONLY, _SQLITE_CORRUPT, _SQLITE_CANTOPEN, _SQLITE_FULL, _SQLITE_NOTADB = 8, 11, 14, 13, 26


def atomic_write(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Write ``data`` to ``path`` so that a reader sees the old file or the new one, never half of either (a crash
    or a full disk leaves the old one whole): a new file beside it, flushed to the disk, then renamed over it.

    The file is ``mode`` (owner-only by default) and missing folders are created owner-only (0700). Raises OSError.
    """
    import tempfile

    private_dir(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


class SetAside(NamedTuple):  # (not a dataclass: made before the first paint, see theme.ThemePalette)
    """A damaged file renamed with the time; a fresh one is at ``path`` now."""

    path: Path  # where the damaged file was (and the fresh one is)
    aside: Path  # where the damaged file is kept
    reason: str  # what was wrong with it (the library's words)
    what: str = "file"  # "event journal", "settings file", "visitor outbox"...

    @property
    def text(self) -> str:
        """One sentence for the operator, with the file's path."""
        return (f"The {self.what} {self.path} was damaged ({self.reason}): it was kept as {self.aside.name} "
                f"and a fresh one was started.")

    @property
    def line(self) -> str:
        """The same, shorter, for a list of several (:func:`words`)."""
        return f"the {self.what} {self.path} ({self.reason}): kept as {self.aside.name}"


def words(found: list[SetAside]) -> str:
    """What the operator reads about the damaged files set aside: one sentence, or a heading and a line each."""
    if len(found) == 1:
        return found[0].text
    lines = "\n".join(f"• {record.line}" for record in found)
    return f"{len(found)} damaged files were set aside (renamed with the time) and fresh ones started:\n{lines}"


def _stamp() -> str:
    return datetime.now(UTC).astimezone().strftime("%Y%m%dT%H%M%S")


def set_aside(path: Path, reason: str, *, what: str = "file", sqlite: bool = False) -> SetAside:
    """Rename the damaged ``path`` to ``<name>.damaged-<local time>`` (``-2``, ``-3``... when that exists already:
    an earlier damaged file is never overwritten); ``sqlite=True`` moves its ``-wal``/``-shm``/``-journal``
    files along with it. Logged as an error with both paths. ``OSError`` when the file could not be renamed
    (the caller must then not start a fresh one over it)."""
    path = Path(path)
    stamp = _stamp()
    aside = path.with_name(f"{path.name}{DAMAGED}{stamp}")
    n = 1
    while aside.exists():
        n += 1
        aside = path.with_name(f"{path.name}{DAMAGED}{stamp}-{n}")
    sides = ("", *SQLITE_SIDE_FILES) if sqlite else ("",)
    for side in sides:
        source = path.with_name(path.name + side)
        if side and not source.exists():
            continue
        os.replace(source, aside.with_name(aside.name + side))
    record = SetAside(path, aside, reason.strip() or "unreadable", what)
    log.error("%s", record.text)
    return record


def _is_sqlite(exc: BaseException, kind: str) -> bool:
    """``isinstance(exc, sqlite3.<kind>)`` without importing sqlite3 (~3 ms of the console's start): while
    nothing imported it, no exception can be one of its."""
    sqlite3 = sys.modules.get("sqlite3")
    return sqlite3 is not None and isinstance(exc, getattr(sqlite3, kind))


def sqlite_damaged(exc: BaseException) -> bool:
    """True when SQLite says the file is not a database or is corrupt (not locked, not a permission, not full)."""
    if not _is_sqlite(exc, "DatabaseError"):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int) and code:
        return code & 0xFF in (_SQLITE_CORRUPT, _SQLITE_NOTADB)
    text = str(exc).lower()
    return "not a database" in text or "malformed" in text


def storage_problem(exc: BaseException, folder: Path) -> str | None:
    """"the data folder X is full" (or read-only, or not writable by this user) when ``exc`` says so; else None.

    Reads an ``OSError``'s errno and SQLite's result code (``sqlite3.Error``); also looks through
    ``__cause__``/``__context__`` for one of those (an error re-raised by a service)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        words = _words(current, folder)
        if words:
            return words
        current = current.__cause__ or current.__context__
    return None


def _words(exc: BaseException, folder: Path) -> str | None:
    if isinstance(exc, OSError) and exc.errno is not None:
        if exc.errno in _FULL:
            return f"the data folder {folder} is full"
        if exc.errno in _READ_ONLY:
            return f"the data folder {folder} is read-only"
        if exc.errno in _REFUSED:
            return f"the data folder {folder} is not writable by this user"
    if _is_sqlite(exc, "Error"):
        code = getattr(exc, "sqlite_errorcode", None)
        primary = code & 0xFF if isinstance(code, int) else None
        text = str(exc).lower()
        if primary == _SQLITE_FULL or "disk is full" in text:
            return f"the data folder {folder} is full"
        if primary == _SQLITE_READONLY or "readonly database" in text or "read-only" in text:
            return f"the data folder {folder} is read-only"
        if primary == _SQLITE_CANTOPEN or "unable to open database" in text:
            return f"the data folder {folder} is not writable by this user (or is missing)"
    return None


# The last write that failed for want of room or permission, anywhere in the process (the journal writes from a
# worker thread): the status bar reads it on its tick and shows a mark while it is recent.
TROUBLE_SHOWN_FOR = 300.0  # seconds a failed write keeps the mark up (each new failure starts it again)
_trouble_lock = threading.Lock()
_trouble: tuple[float, str] | None = None


def report_storage(exc: BaseException, folder: Path) -> str | None:
    """:func:`storage_problem`, and when it is one, remember it for the status bar (thread-safe) and log it
    once per sentence while it lasts. Returns the sentence or None."""
    global _trouble
    words = storage_problem(exc, folder)
    if words is None:
        return None
    with _trouble_lock:
        repeated = _trouble is not None and _trouble[1] == words
        _trouble = (time.monotonic(), words)
    if not repeated:
        log.error("a write failed: %s (%s)", words, exc)
    return words


def storage_trouble(within: float = TROUBLE_SHOWN_FOR) -> str | None:
    """The sentence of the last failed write if it is less than ``within`` seconds old, else None."""
    with _trouble_lock:
        if _trouble is None or time.monotonic() - _trouble[0] > within:
            return None
        return _trouble[1]


def clear_storage_trouble() -> None:
    """Forget the last failed write (a new connection, tests)."""
    global _trouble
    with _trouble_lock:
        _trouble = None


class FolderNotWritable(OSError):
    """One of the console's folders cannot be written: the text names it and says why (``folder``: which)."""

    def __init__(self, text: str, folder: Path) -> None:
        super().__init__(text)
        self.folder = folder


def _write_probe(folder: Path, sync: bool = True) -> None:
    """Write, sync and remove a small file in ``folder`` (what the journal and the audit log will need)."""
    probe = folder / f".write-check-{os.getpid()}"
    fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, b"ok\n")
        if sync:
            os.fsync(fd)
    finally:
        os.close(fd)
    os.unlink(probe)


def check_writable(*folders: Path, sync: bool = True) -> None:
    """Create each folder if missing and write, sync and remove a small file in it (without ``sync``, not synced:
    a read-only, refused or full folder still says so at the write on the usual file systems; a few tell a full
    disk only at the sync: :class:`WriteCheck` makes that one alongside the start).

    Raises :class:`FolderNotWritable` naming the first folder that refuses ("the data folder X is read-only").
    """
    for folder in folders:
        folder = Path(folder)
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            _write_probe(folder, sync)
        except OSError as exc:
            words = storage_problem(exc, folder)
            if words is None:
                if isinstance(exc, FileExistsError | NotADirectoryError):
                    words = f"the data folder {folder} cannot be made: something that is not a folder is in the way"
                else:
                    words = f"the data folder {folder} cannot be written ({exc.strerror or exc})"
            raise FolderNotWritable(words, folder) from None


class WriteCheck:
    """:func:`check_writable`, synced, in a worker thread: the command starts it once the folders passed the quick
    check and takes the result before it builds the window, so the syncs (~1-2 ms each on this machine's disk,
    the thread lets go of the GIL) overlap PySide6's import instead of delaying the first paint (issue 15)."""

    def __init__(self, *folders: Path) -> None:
        self._problem: FolderNotWritable | None = None
        self._thread = threading.Thread(target=self._check, args=folders, name="write check", daemon=True)
        self._thread.start()

    def _check(self, *folders: Path) -> None:
        try:
            check_writable(*folders)
        except FolderNotWritable as exc:
            self._problem = exc

    def result(self, timeout: float = 30.0) -> FolderNotWritable | None:
        """The folder that refused (its words), or None; waits for the check at most ``timeout`` seconds (a
        check still under way then, a disk that hangs, is let go: the journal's own writes will tell)."""
        self._thread.join(timeout)
        return self._problem
