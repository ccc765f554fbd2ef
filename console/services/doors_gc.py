"""Full garbage collections held off while a big board loads.

Loading the lists and states of 10,000 doors and 1,000 gates makes ~200,000 long-lived objects (records, items,
readers, devices). Python starts a full (generation 2) collection each time its old generation has grown by a
quarter, and each one walks the whole heap with the event loop stopped: four or five pauses of 80-130 ms during
the first load (``tests/benchmarks/bench_doors.py --site xl``, measured with ``gc.callbacks``).

:func:`hold_full_collections` raises the threshold of full collections for the length of a load (young
collections go on, so short-lived garbage is still freed), then collects the young generations and moves what
survived into the permanent generation (``gc.freeze``), as :mod:`console.services.gc_pauses` does once the
console is up: later full collections walk only what came after. Reference counting still frees frozen objects
that are let go (the board's old items, a replaced list); only garbage held in reference cycles that reached the
old generation during the load stays (so a small board, of :data:`FREEZE_ABOVE` items or fewer, is not frozen).
A load happens at start and when the lists are fetched again (on request, or at most every five minutes when a
poll names a door the lists did not). The board's rows rebuilt for a new grouping (``BoardModel``, over several
turns of the loop) hold full collections off the same way, and freeze what they made when they land.
"""

from __future__ import annotations

import gc
from collections.abc import Callable

__all__ = ["FREEZE_ABOVE", "HELD_THRESHOLD", "hold_full_collections"]

FREEZE_ABOVE = 1000  # items: a board this big is frozen after its load
HELD_THRESHOLD = 1_000_000  # young collections between two full ones while held: none in practice
_held = 0  # holds under way (they may overlap: a load while a rebuild of the board's rows is under way)
_threshold: tuple[int, int, int] | None = None  # the threshold to restore when the last hold ends
_freeze_wanted = False


def hold_full_collections() -> Callable[[bool], None]:
    """Hold full collections off until the returned function is called, once, with whether what survived
    should be frozen (when holds overlap, the last one to end restores the threshold and freezes if any asked)."""
    global _held, _threshold
    if _held == 0:
        _threshold = gc.get_threshold()
        young, middle, old = _threshold
        gc.set_threshold(young, middle, max(old, HELD_THRESHOLD))
    _held += 1
    released = False

    def release(freeze: bool) -> None:
        global _held, _threshold, _freeze_wanted
        nonlocal released
        if released:
            return
        released = True
        _held -= 1
        _freeze_wanted = _freeze_wanted or freeze
        if _held:
            return
        if _threshold is not None:
            young, middle, old = _threshold
            if gc.get_threshold() == (young, middle, max(old, HELD_THRESHOLD)):  # nobody else changed it meanwhile
                gc.set_threshold(young, middle, old)
        _threshold = None
        if _freeze_wanted and gc.isenabled():
            gc.collect(1)
            gc.freeze()
        _freeze_wanted = False

    return release
