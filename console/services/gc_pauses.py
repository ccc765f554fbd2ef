"""Keep Python's full garbage collections short on a big board.

With 10,000 doors the process holds ~230,000 long-lived objects (modules, models, items, Qt wrappers); a
full (generation 2) collection walks every one of them: ~100-150 ms with the event loop stopped, measured by
``tests/benchmarks/bench_doors.py --site xl`` (the steady poll's worst stall). :func:`freeze_long_lived`,
called once the console is up (the board painted, every panel built), collects once and moves what is alive
into the permanent generation (``gc.freeze``): later full collections walk only what came after.
"""

from __future__ import annotations

import gc
import logging
import time

__all__ = ["START_PAUSE_MAX", "freeze_long_lived", "pause_for_start", "resume_after_start"]

log = logging.getLogger(__name__)

START_PAUSE_MAX = 30.0  # seconds after the loop starts when collections resume whatever happened (a first-start dialog)
_paused = False  # pause_for_start turned the collector off (and nobody else had)


def pause_for_start() -> None:
    """Turn automatic collections off while the console starts (issue 15): its imports, the window and the first
    poll make ~60,000 objects, and the collections they set off (young ones by the hundred, a full one) were ~50 ms
    of the time to the first fresh tiles. The console resumes them once it is up (:func:`resume_after_start`,
    after :func:`freeze_long_lived`), at the latest :data:`START_PAUSE_MAX` seconds after its loop starts.
    Reference counting frees everything meanwhile; only garbage in reference cycles waits."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume_after_start() -> None:
    """Automatic collections on again, if :func:`pause_for_start` turned them off (once; later calls do nothing)."""
    global _paused
    if _paused:
        _paused = False
        gc.enable()
        log.debug("garbage collections resumed after the start")


def freeze_long_lived() -> int:
    """Collect, then freeze what survives; how many objects are now frozen."""
    started = time.perf_counter()
    gc.collect()
    gc.freeze()
    count = gc.get_freeze_count()
    log.info("%d long-lived objects frozen out of full collections (%.0f ms)", count,
             (time.perf_counter() - started) * 1000)
    return count
