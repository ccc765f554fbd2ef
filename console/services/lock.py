"""One desk, one data directory: a lock file naming the console that holds it.

``lock = DataDirLock.acquire(paths.data_dir)`` at start (raises :class:`DataDirBusy`, whose text names the other
console: PID, host, since when), ``lock.release()`` at shutdown. The file ``console.lock`` holds the holder's
PID, host name and start time as JSON. The lock itself is the operating system's (``fcntl.flock`` on POSIX,
``msvcrt.locking`` on Windows) on that open file, so a console that died (kill -9, power cut) never leaves the
directory locked: its lock went with its process. The file's contents only say who holds it; a file left behind
by a dead console (the PID is gone on this host) is reported in the log as stale and taken over.

Qt-free: :mod:`console.ui.app` takes the lock; a second console is refused with the message (exit code 1 when
it is not interactive).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, NamedTuple

__all__ = ["LOCK_FILE", "DataDirBusy", "DataDirLock", "Holder", "host_name", "pid_alive", "stale_words"]

log = logging.getLogger(__name__)

LOCK_FILE = "console.lock"


class DataDirBusy(RuntimeError):
    """Another console holds the data directory (the text says which, for the operator)."""

    def __init__(self, message: str, holder: Holder | None) -> None:
        super().__init__(message)
        self.holder = holder


def host_name() -> str:
    """This machine's name, as ``socket.gethostname()`` says it (the kernel's node name where there is one:
    the socket module is not imported for it before the window's first paint)."""
    uname = getattr(os, "uname", None)
    if uname is not None:
        return str(uname().nodename)
    import socket

    return socket.gethostname()


class Holder(NamedTuple):  # (not a dataclass: made before the first paint, see theme.ThemePalette)
    pid: int
    host: str
    since: str = ""

    @classmethod
    def me(cls) -> Holder:
        return cls(os.getpid(), host_name(), datetime.now(UTC).astimezone().isoformat(timespec="seconds"))

    @classmethod
    def parse(cls, text: str) -> Holder | None:
        try:
            data = json.loads(text)
            return cls(int(data["pid"]), str(data["host"]), str(data.get("since", "")))
        except (ValueError, KeyError, TypeError):
            return None

    def words(self) -> str:
        since = f", since {self.since}" if self.since else ""
        return f"process {self.pid} on {self.host}{since}"


def pid_alive(pid: int) -> bool:
    """Whether a process ``pid`` runs on this machine (a PID of another user counts as running)."""
    if pid <= 0:
        return False
    if sys.platform == "win32":  # pragma: no cover - the OS lock is what counts there
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _try_lock(handle: IO[str]) -> bool | None:
    """True: locked; False: another process holds it; None: this file system cannot lock (the PID decides)."""
    if sys.platform == "win32":  # pragma: no cover
        import msvcrt

        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError as exc:  # ENOLCK, EOPNOTSUPP: some network file systems
        log.warning("the data directory's lock file cannot be locked here (%s); relying on the PID in it", exc)
        return None
    return True


class DataDirLock:
    """The lock of one data directory, held by this process until :meth:`release`."""

    def __init__(self, path: Path, handle: IO[str], holder: Holder, stale: Holder | None) -> None:
        self.path = path
        self._handle: IO[str] | None = handle
        self.holder = holder
        self.stale = stale  # the dead console whose lock file was taken over (None: there was none)

    @classmethod
    def acquire(cls, data_dir: Path) -> DataDirLock:
        """Take the lock of ``data_dir``; :class:`DataDirBusy` naming the holder when another console has it."""
        data_dir = Path(data_dir)
        data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = data_dir / LOCK_FILE
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise DataDirBusy(f"the data directory {data_dir} cannot be used: {exc.strerror or exc}", None) from None
        handle = os.fdopen(fd, "r+", encoding="utf-8")
        locked = _try_lock(handle)
        if locked is None:  # no OS lock: a holder that still runs (or runs on another host) keeps it
            previous = Holder.parse(_read(handle))
            here = host_name()
            if previous is not None and previous.pid != os.getpid() and (
                    previous.host != here or pid_alive(previous.pid)):
                locked = False
        if not locked:
            previous = Holder.parse(_read(handle))
            handle.close()
            who = previous.words() if previous else "another process"
            raise DataDirBusy(
                f"another console is already using the data directory {data_dir} ({who}). Close it first, or "
                "start this one with its own --basedir.", previous)
        previous = Holder.parse(_read(handle))
        me = Holder.me()
        stale: Holder | None = None
        if previous is not None and previous.pid != me.pid:
            stale = previous
            log.info("%s", stale_words(previous, me))
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({"pid": me.pid, "host": me.host, "since": me.since}))
        handle.flush()
        return cls(path, handle, me, stale)

    @property
    def held(self) -> bool:
        return self._handle is not None

    def release(self) -> None:
        """Empty the lock file and let go of the lock; calling it again does nothing."""
        handle, self._handle = self._handle, None
        if handle is None:
            return
        with contextlib.suppress(OSError):
            handle.seek(0)
            handle.truncate()
            handle.flush()
        handle.close()  # closing the file releases the OS lock

    def __enter__(self) -> DataDirLock:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.release()


def stale_words(stale: Holder, me: Holder | None = None) -> str:
    """What the console's log says of a lock file left by a console that is gone."""
    me = me or Holder.me()
    alive = stale.host == me.host and pid_alive(stale.pid)
    gone = "no longer holds it" if alive else ("is gone" if stale.host == me.host else "does not hold it")
    return f"the data directory's lock file named {stale.words()}, which {gone} (stale lock); taken over"


def _read(handle: IO[str]) -> str:
    try:
        handle.seek(0)
        return handle.read(4096)
    except (OSError, ValueError):
        return ""
