"""One time box per turn of the event loop for all the board's sliced work.

The board's rows (a rebuild), the announcing of a big change, the filtered rows and the area/device choices are
each computed a little at a time. Each with its own zero timer and its own time box, three of them ran one after
the other in the same pass of the event loop (Qt fires every due timer in one pass): 6 ms each, 18 ms between two
frames. Here they share one: :func:`schedule` registers a job, a function doing a small step of work and answering
whether there is more; one zero timer runs the jobs in turn (each a step at least) until :data:`TURN_SECONDS` are
used, then leaves the rest of the loop's pass (painting, input, the network) to the next turn.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer

__all__ = ["TURN_SECONDS", "cancel", "pending", "schedule"]

# work done per turn of the loop: a frame is 16 ms, and the same pass of the loop may also run a slice of the board's
# own work on the asyncio side (console/services/doors.py, as long) and paint the board (~5 ms)
TURN_SECONDS = 0.004

Job = Callable[[], bool]  # one small step; True while there is more to do

_jobs: dict[tuple[QObject, str], Job] = {}
_timer_set = False
_timer: QTimer | None = None


def _start() -> None:
    """The next turn, on a zero timer of its own: Qt fires a timer at most once in a pass of the loop, so one turn
    a pass (``QTimer.singleShot(0)`` posts an event instead, and a turn posted from a turn ran in the same pass,
    after the paint: two turns between two frames)."""
    global _timer
    if _timer is None or not shiboken6.isValid(_timer):
        _timer = QTimer()
        _timer.setSingleShot(True)
        _timer.setInterval(0)
        _timer.setTimerType(Qt.TimerType.PreciseTimer)
        _timer.timeout.connect(lambda: _turn())  # looked up when it fires (tests replace it)
    _timer.start()


def schedule(owner: QObject, name: str, job: Job) -> None:
    """Run ``job`` in the coming turns until it answers False (a newer job of the same ``owner`` and ``name``
    replaces it); dropped when the owner is deleted (a panel closed meanwhile)."""
    global _timer_set
    _jobs[(owner, name)] = job
    if not _timer_set:
        _timer_set = True
        _start()


def pending(owner: QObject, name: str) -> bool:
    return (owner, name) in _jobs


def cancel(owner: QObject, name: str) -> None:
    _jobs.pop((owner, name), None)


def _turn() -> None:
    global _timer_set
    started = time.perf_counter()
    try:
        while _jobs:  # each job a step at least, then more while the turn's time lasts
            for owner, job in list(_jobs.items()):
                if _jobs.get(owner) is not job:  # replaced or cancelled meanwhile
                    continue
                if not shiboken6.isValid(owner[0]):  # its widget is gone
                    del _jobs[owner]
                    continue
                more = False
                try:
                    more = job()
                finally:
                    if not more and _jobs.get(owner) is job:
                        del _jobs[owner]
                if time.perf_counter() - started >= TURN_SECONDS:
                    break
            if time.perf_counter() - started >= TURN_SECONDS:
                break
    finally:
        if _jobs:
            first = next(iter(_jobs))  # the next turn starts with another job: none waits behind a slow one
            _jobs[first] = _jobs.pop(first)
            _start()
        else:
            _timer_set = False
