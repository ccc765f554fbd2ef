"""A panel's keyed tasks (console/ui/panel_tasks.py): a second click while a write runs sends nothing, a newer
search replaces the older, and stopping lets a write on the wire finish before cancelling the rest."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import QObject

from console.ui.panel_tasks import PanelTasks


async def test_a_second_start_of_a_running_write_is_dropped_unrun() -> None:
    owner = QObject()
    tasks = PanelTasks(owner, "desk", writes={"pay"})
    sent: list[str] = []
    gate = asyncio.Event()

    async def pay(what: str) -> None:
        sent.append(what)
        await gate.wait()

    first = tasks.spawn("pay", pay("first"))
    second = tasks.spawn("pay", pay("second"))  # a double click
    assert second is first
    await asyncio.sleep(0)
    assert tasks.busy()
    assert not tasks.busy(besides=("pay",))
    gate.set()
    await first
    assert sent == ["first"]
    assert not tasks.busy()


async def test_the_latest_search_wins_and_stop_lets_the_write_finish() -> None:
    owner = QObject()
    tasks = PanelTasks(owner, "desk", writes={"pay"})
    done: list[str] = []

    async def work(what: str, seconds: float) -> None:
        await asyncio.sleep(seconds)
        done.append(what)

    old = tasks.spawn("search", work("old search", 10), latest_wins=True)
    tasks.spawn("search", work("new search", 10), latest_wins=True)
    tasks.spawn("pay", work("payment", 0.05))
    click = tasks.action("export", lambda: work("export", 10))
    click()
    await asyncio.sleep(0)
    assert old.cancelled() or old.cancelling()
    await tasks.stop(writes_within=5)
    assert done == ["payment"]  # the write finished; the searches and the export were cancelled
    assert not tasks.busy()
