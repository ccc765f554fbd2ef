"""Start-up marks: the moments a start-up benchmark times, told by the console itself (issue 15).

The console calls :func:`mark` with ``"shell"`` at its main window's first paint and with ``"tile"`` at the
first door tile it paints (the last known board's or fresh). Nobody listens in a normal run; the start-up
benchmark (``tests/benchmarks/bench_startup.py``) registers a listener with :func:`listen` before it calls the
command's ``main``. So the benchmark needs no Python event filter on the whole application: such a filter sees
every event of every object, and each object it is handed gets a Python wrapper, whose class PySide6 then builds
with all its enums (measured: ~130 more enums, 16-28 ms, before the main window's first paint).
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["listen", "mark", "pending"]

pending = False  # somebody listens: a hot path (a tile's paint) asks this before it calls mark()
_listeners: list[Callable[[str], None]] = []
_marked: set[str] = set()


def listen(callback: Callable[[str], None]) -> None:
    """Call ``callback(name)`` at each mark, once per name."""
    global pending
    _listeners.append(callback)
    pending = True


def mark(name: str) -> None:
    """The moment ``name`` has come: each listener hears of it the first time only."""
    if not _listeners or name in _marked:
        return
    _marked.add(name)
    for callback in list(_listeners):
        callback(name)
