"""Give freed heap memory back to the system during a long shift (Linux/glibc only).

Measured (``tests/benchmarks/bench_doors.py``, large site, qasync): RSS grew from ~140 MB to ~440 MB over 360
polls and fell back to ~140 MB after ``malloc_trim(0)``. The memory was free inside glibc's per-thread arenas,
not leaked by Python. The app calls :func:`trim_heap` every few minutes; elsewhere it does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import sys
from functools import cache
from typing import Any

__all__ = ["TRIM_EVERY_SECONDS", "trim_heap"]

log = logging.getLogger(__name__)

TRIM_EVERY_SECONDS = 300


@cache
def _libc() -> Any:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim.argtypes = [ctypes.c_size_t]
        libc.malloc_trim.restype = ctypes.c_int
    except (OSError, AttributeError):  # musl and others have no malloc_trim
        return None
    return libc


def trim_heap() -> bool:
    """Ask glibc to return free heap pages to the system; True when it released something."""
    libc = _libc()
    if libc is None:
        return False
    released = bool(libc.malloc_trim(0))
    log.debug("malloc_trim: %s", "released memory" if released else "nothing to release")
    return released
