"""A panel's background work, one task per key: a second click never sends a write twice.

A desk panel (parking, visitors, people, spaces) starts its work as keyed tasks (``"pay"``, ``"register"``,
``"host-search"``):

- ``spawn(key, coro)`` runs ``coro`` unless the task ``key`` is still running, in which case the new coroutine
  is closed unrun (a second click while a write is on the wire is ignored: never sent twice); for the panel's
  ``latest_wins`` keys (searches, a person opened, a photo checked), or with ``latest_wins=True``, the running
  one is cancelled instead: the newest question is the one answered;
- ``action(key, method)`` is the slot that does that for a button;
- ``busy()`` says whether any (or any but some) is running, for tests and the panel's own state;
- ``stop(writes_within=s)`` at the panel's stop: the writes still on the wire (keys in ``writes``) get ``s``
  seconds to finish (cut off, their outcome would be lost), then every task is cancelled and awaited.

Tasks run through ``console.ui.aio.spawn`` (kept alive, failures reported, cancelled with the owner widget).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Collection, Coroutine
from typing import Any

from PySide6.QtCore import QObject

from console.ui import aio

__all__ = ["PanelTasks"]


class PanelTasks:
    """The keyed tasks of one panel (``owner``), named ``<prefix>.<key>``."""

    def __init__(self, owner: QObject, prefix: str, *, writes: Collection[str] = (),
                 latest_wins: Collection[str] = ()) -> None:
        self._owner = owner
        self._prefix = prefix
        self.writes = frozenset(writes)  # keys whose tasks write to the server: not cut off at stop
        self.latest_wins = frozenset(latest_wins)  # keys whose new task replaces a running one
        if self.writes & self.latest_wins:
            raise ValueError(f"a write is never cancelled by a second click: {sorted(self.writes & self.latest_wins)}")
        self._tasks: dict[str, asyncio.Task[Any]] = {}

    def spawn(self, key: str, coro: Coroutine[Any, Any, Any], *, latest_wins: bool | None = None) -> asyncio.Task[Any]:
        """Run ``coro`` as the task ``key``; while one runs, ``coro`` is dropped (or, with ``latest_wins``, by
        default for the panel's ``latest_wins`` keys, replaces it). Returns the task that runs."""
        if latest_wins is None:
            latest_wins = key in self.latest_wins
        old = self._tasks.get(key)
        if old is not None and not old.done():
            if not latest_wins or key in self.writes:
                coro.close()
                return old
            old.cancel()
        task = aio.spawn(coro, owner=self._owner, name=f"{self._prefix}.{key}")
        self._tasks[key] = task

        def forget(done: asyncio.Task[Any]) -> None:
            if self._tasks.get(key) is done:
                del self._tasks[key]

        task.add_done_callback(forget)
        return task

    def action(self, key: str, method: Callable[[], Coroutine[Any, Any, Any]]) -> Callable[..., None]:
        """A slot that runs ``method()`` as the task ``key`` (one at a time)."""

        def start(*_: object) -> None:
            self.spawn(key, method())

        return start

    def busy(self, *, besides: Collection[str] = ()) -> bool:
        """Whether a task is running (leaving out the keys in ``besides``)."""
        return any(not task.done() for key, task in self._tasks.items() if key not in besides)

    async def stop(self, *, writes_within: float) -> None:
        """Let the writes on the wire finish (at most ``writes_within`` seconds), then cancel and await all."""
        tasks = list(self._tasks.values())
        self._tasks.clear()
        writes = [t for t in tasks if not t.done() and t.get_name().removeprefix(f"{self._prefix}.") in self.writes]
        if writes:
            await asyncio.wait(writes, timeout=writes_within)
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
