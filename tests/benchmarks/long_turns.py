"""Which code made a long turn of the event loop: the benchmarks' ``--why`` (not imported otherwise).

A sampling profiler is of little help here: a thread sampling the GUI thread's Python stack runs only when the
GUI thread lets go of the GIL, so it sees the loop idle after the long turn, not the turn (session 9's first
look blamed Qt's C++ that way; ``perf record -e cpu-clock`` then showed the turns were mostly Python: freeing
tuples, sorting). This times every asyncio callback (a task's step: from one ``await`` that yielded to the
next) and every job of ``console.ui.doors.turns``, and remembers those over a threshold with where the task
was suspended before the step and after it. Two ``await`` lines an offender apart name the code to look at.

    long_turns.install()             # before the work
    ...
    long_turns.report(out, "first load")   # the longest since the last report, then forgets them

The hooks cost a few microseconds a callback: figures measured with ``--why`` are not the benchmark's figures.
"""

from __future__ import annotations

import asyncio
import asyncio.events
import time
from collections.abc import Callable
from typing import Any, TextIO

THRESHOLD = 0.006  # seconds: a third of a frame

_found: list[tuple[float, str, str, str]] = []  # (seconds, kind, before, after)
_installed = False


def _where(callback: Any) -> str:
    """Where the task of ``callback`` (a task's step) is suspended: its chain of awaits, innermost last."""
    task = getattr(callback, "__self__", None)
    if not isinstance(task, asyncio.Task):
        return repr(callback)[:120]
    frames: list[str] = []
    coro: Any = task.get_coro()
    while coro is not None:
        frame = getattr(coro, "cr_frame", None) or getattr(coro, "gi_frame", None)
        if frame is None:
            break
        frames.append(f"{frame.f_code.co_name}:{frame.f_lineno}")
        coro = getattr(coro, "cr_await", None) or getattr(coro, "gi_yieldfrom", None)
    return " > ".join(frames) or "(done)"


def install(threshold: float = THRESHOLD) -> None:
    global _installed
    if _installed:
        return
    _installed = True
    run = asyncio.events.Handle._run

    def timed_run(handle: asyncio.events.Handle) -> None:
        callback = handle._callback  # type: ignore[attr-defined]
        before = _where(callback)
        started = time.perf_counter()
        try:
            run(handle)
        finally:
            took = time.perf_counter() - started
            if took >= threshold:
                _found.append((took, "asyncio", before, _where(callback)))

    asyncio.events.Handle._run = timed_run  # type: ignore[method-assign]

    from console.ui.doors import turns

    schedule = turns.schedule

    def timed_schedule(owner: Any, name: str, job: Callable[[], bool]) -> None:
        def timed() -> bool:
            started = time.perf_counter()
            try:
                return job()
            finally:
                took = time.perf_counter() - started
                if took >= threshold:
                    _found.append((took, "turn job", f"{type(owner).__name__}.{name}", ""))

        schedule(owner, name, timed)

    turns.schedule = timed_schedule


def report(out: TextIO, step: str, top: int = 5) -> None:
    """Print the longest callbacks since the last report (``step`` names the work), then forget them."""
    found = sorted(_found, reverse=True)[:top]
    _found.clear()
    if not found:
        print(f"  why ({step}): no callback of {THRESHOLD * 1000:.0f} ms or more", file=out)
        return
    print(f"  why ({step}): the longest callbacks", file=out)
    for took, kind, before, after in found:
        print(f"    {took * 1000:5.1f} ms {kind}: {_short(before)}", file=out)
        if after:
            print(f"             to {_short(after)}", file=out)


def _short(chain: str) -> str:
    """The last few awaits of a chain (the benchmark's own frames and asyncio's sleep are the same each time)."""
    parts = [p for p in chain.split(" > ") if not p.startswith(("sleep:", "__sleep0:", "__call__:"))]
    return " > ".join(parts[-4:])
