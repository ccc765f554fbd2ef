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

__all__ = ["freeze_long_lived"]

log = logging.getLogger(__name__)


def freeze_long_lived() -> int:
    """Collect, then freeze what survives; how many objects are now frozen."""
    started = time.perf_counter()
    gc.collect()
    gc.freeze()
    count = gc.get_freeze_count()
    log.info("%d long-lived objects frozen out of full collections (%.0f ms)", count,
             (time.perf_counter() - started) * 1000)
    return count
