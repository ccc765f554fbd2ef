"""Keep a long shift's memory flat: fewer malloc arenas, and freed heap handed back (Linux/glibc only).

Measured (``tests/benchmarks/bench_memory.py``, large site, the simulator in its own process, a day of polls
with events and changes): without these, RSS kept climbing after the first hour; the memory was free inside
glibc's arenas (one per thread that ever allocated: the loop, asyncio's executor workers writing the journal),
not leaked by Python: ``malloc_trim(0)`` gave it back. So:

* :func:`limit_arenas` (called once at start, before the console's worker threads exist; Qt's and the start's
  write check may have made the second arena already, which the limit counts): at most two malloc arenas
  (``mallopt(M_ARENA_MAX, 2)``), so the executor's threads share instead of each keeping its own free pages;
* :func:`fix_mmap_threshold` (at start too): blocks of 256 KB and more (an answer's body, its parsed list, a
  big batch's statements) are mapped apart and unmapped when freed. glibc's default raises that threshold
  each time such a block is freed (up to 32 MB), after which they come from the heap and leave holes in it
  that only a trim gives back;
* :func:`limit_sqlite_heap` (``SessionServices.build``, before the audit log and the journal open; after the
  window's first paint, so sqlite3 is not imported before it): SQLite's soft heap limit for the whole
  process. The journal opens one connection per thread that touches it (under qasync, the GUI thread and up
  to ten executor workers), each with a page cache of up to 16 MB: up to ~180 MB once the journal is bigger
  than that. Past the limit, each cache reuses its own least recently used pages instead of growing
  (SQLite's page cache under "memory pressure"); below it nothing changes. Any platform;
* :class:`HeapTrimmer`: ``malloc_trim(0)`` after a poll, at most once a minute (``SessionServices`` calls it
  after each door-board poll). A trim of a few hundred MB of heap takes a few milliseconds.

On other platforms (no glibc: macOS, Windows, musl) every call here does nothing and says so by returning
False. No Qt, no threads of its own.
"""

from __future__ import annotations

import ctypes
import logging
import sys
import time
from collections.abc import Callable
from functools import cache
from typing import Any

__all__ = ["ARENAS", "MMAP_THRESHOLD", "M_ARENA_MAX", "M_MMAP_THRESHOLD", "SQLITE_HEAP", "TRIM_EVERY_SECONDS",
           "HeapTrimmer", "at_start", "fix_mmap_threshold", "glibc", "limit_arenas", "limit_sqlite_heap", "trim_heap"]

log = logging.getLogger(__name__)

TRIM_EVERY_SECONDS = 60.0  # at most one trim a minute, however often the board polls
M_ARENA_MAX = -8  # glibc's <malloc.h>
M_MMAP_THRESHOLD = -3
ARENAS = 2
MMAP_THRESHOLD = 256 * 1024  # fixed: glibc's own starts at 128 KB and grows with every big block freed
SQLITE_HEAP = 32 * 2**20  # all SQLite connections of the process together: the journal writer's 16 MB, as much again


def _load_libc() -> Any:
    """glibc by its soname; else whatever ``find_library`` finds (it runs ``ldconfig -p``: ~5 ms at every start)."""
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:
        from ctypes.util import find_library

        return ctypes.CDLL(find_library("c") or "libc.so")


@cache
def _libc() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = _load_libc()
        libc.malloc_trim.argtypes = [ctypes.c_size_t]
        libc.malloc_trim.restype = ctypes.c_int
        libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
        libc.mallopt.restype = ctypes.c_int
    except (OSError, AttributeError):  # musl and others have no malloc_trim / mallopt
        return None
    return libc


def glibc() -> bool:
    """Whether this process's C library has glibc's ``malloc_trim`` and ``mallopt``."""
    return _libc() is not None


def _mallopt(option: int, name: str, value: int) -> bool:
    """glibc's ``mallopt(option, value)``; True when it took it (False without glibc)."""
    libc = _libc()
    if libc is None:
        return False
    done = bool(libc.mallopt(option, value))
    log.debug("mallopt(%s, %d): %s", name, value, "set" if done else "refused")
    return done


def limit_arenas(count: int = ARENAS) -> bool:
    """At most ``count`` malloc arenas from now on (arenas made before stay); True when glibc took it."""
    return _mallopt(M_ARENA_MAX, "M_ARENA_MAX", max(1, int(count)))


def fix_mmap_threshold(size: int = MMAP_THRESHOLD) -> bool:
    """Blocks of ``size`` bytes and more are mapped apart from now on, whatever is freed; True when glibc took it."""
    return _mallopt(M_MMAP_THRESHOLD, "M_MMAP_THRESHOLD", max(4096, int(size)))


def limit_sqlite_heap(limit: int = SQLITE_HEAP) -> int:
    """Set SQLite's process-wide soft heap limit (bytes); returns the limit now in force."""
    import sqlite3

    conn = sqlite3.connect(":memory:")
    try:
        conn.execute(f"PRAGMA soft_heap_limit = {int(limit)}")
        return int(conn.execute("PRAGMA soft_heap_limit").fetchone()[0])
    finally:
        conn.close()


def at_start() -> None:
    """What the console does once at start, after the window's first paint and before its worker threads: glibc's
    settings above (SQLite's limit comes with the connection: :func:`limit_sqlite_heap`)."""
    limit_arenas()
    fix_mmap_threshold()


def trim_heap() -> bool:
    """Ask glibc to return free heap pages to the system; True when it released something."""
    libc = _libc()
    if libc is None:
        return False
    released = bool(libc.malloc_trim(0))
    log.debug("malloc_trim: %s", "released memory" if released else "nothing to release")
    return released


class HeapTrimmer:
    """``after_poll()`` trims the heap when the last trim is at least ``every`` seconds old.

    ``trim`` and ``clock`` are for tests; ``available`` (default: :func:`glibc`) False makes every call a
    no-op. ``trims`` counts the trims done, ``last_ms`` and ``longest_ms`` how long the last and the longest
    took (the event loop waits that long).
    """

    def __init__(
        self,
        every: float = TRIM_EVERY_SECONDS,
        *,
        trim: Callable[[], bool] = trim_heap,
        clock: Callable[[], float] = time.monotonic,
        available: Callable[[], bool] = glibc,
    ) -> None:
        self.every = float(every)
        self.enabled = True
        self.trims = 0
        self.last_ms = 0.0
        self.longest_ms = 0.0
        self._trim = trim
        self._clock = clock
        self._available = available
        self._last: float | None = None

    def __repr__(self) -> str:
        return f"<HeapTrimmer every {self.every:.0f} s, {self.trims} trims>"

    def after_poll(self, _ok: object = None) -> bool:
        """Called after a poll (any outcome): True when it trimmed now."""
        if not self.enabled or not self._available():
            return False
        now = self._clock()
        if self._last is not None and now - self._last < self.every:
            return False
        self._last = now
        started = time.perf_counter()
        try:
            self._trim()
        except (OSError, ValueError, ctypes.ArgumentError):  # pragma: no cover - a C library that misbehaves
            log.warning("malloc_trim failed; no more trims", exc_info=True)
            self.enabled = False
            return False
        self.last_ms = (time.perf_counter() - started) * 1000
        self.longest_ms = max(self.longest_ms, self.last_ms)
        self.trims += 1
        return True
