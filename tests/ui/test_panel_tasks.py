"""A panel's keyed tasks (console/ui/panel_tasks.py): a second click while a write runs sends nothing, a newer
search replaces the older, and stopping lets a write on the wire finish before cancelling the rest."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtCore import QObject

from console.ui.panel_tasks import PanelTasks
from tests.helpers import until


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


async def test_the_panels_own_latest_wins_keys_replace_a_running_task_and_a_write_never_does() -> None:
    """The people and spaces panels name their latest-wins keys once (a person opened, a photo checked): a
    second start replaces the running one; a write is never one of them."""
    owner = QObject()
    tasks = PanelTasks(owner, "desk", writes={"save"}, latest_wins={"open"})
    opened: list[str] = []

    async def open_person(pin: str) -> None:
        await asyncio.sleep(0.05)
        opened.append(pin)

    first = tasks.spawn("open", open_person("1001"))
    tasks.action("open", lambda: open_person("1002"))()  # the receptionist clicked another row
    await asyncio.sleep(0)
    assert first.cancelled() or first.cancelling()
    await until(lambda: opened, 5)
    assert opened == ["1002"]
    with pytest.raises(ValueError, match="never cancelled"):
        PanelTasks(owner, "desk", writes={"save"}, latest_wins={"save", "open"})
    gate = asyncio.Event()

    async def save() -> None:
        await gate.wait()

    running = tasks.spawn("save", save())
    assert tasks.spawn("save", save(), latest_wins=True) is running  # asked to replace a write: still dropped
    gate.set()
    await running
