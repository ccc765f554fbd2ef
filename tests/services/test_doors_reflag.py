"""A big board's time-dependent flags and its summary are recomputed in slices, and stay what a full count gives;
full garbage collections are held off while a big board loads. No server needed: the board is seeded (but for the
load's freeze, on the simulator in-process)."""

from __future__ import annotations

import asyncio
import gc
from dataclasses import replace

from console.api.models import ConnectState, DoorAlarm, SensorState
from console.services import doors, doors_gc
from console.services.doors import REFLAG_SLICE, DoorBoard, Item, Kind, _summary
from console.sim import SimConfig, Simulator
from tests.services.doors_helpers import ASGI_URL, TOKEN, session_for


def _items(count: int, now: float) -> list[Item]:
    return [Item(Kind.GATE if n % 9 == 0 else Kind.DOOR, f"i-{n:05}", f"Item {n}", device_id=f"dev-{n // 4}",
                 area=f"Area {n // 500}", has_state=True, updated=now - (100 if n % 3 == 0 else 0),
                 connect=ConnectState.OFFLINE if n % 7 == 0 else ConnectState.ONLINE,
                 sensor=SensorState.OPEN if n % 5 == 0 else SensorState.CLOSED,
                 open_since=now - 60 if n % 5 == 0 else None,
                 door_alarm=DoorAlarm.LOW_BATTERY if n % 13 == 0 else DoorAlarm.NONE) for n in range(count)]


async def test_a_sliced_reflag_yields_to_the_loop_and_counts_as_a_full_count(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(doors, "SLICE_SECONDS", 0.0)  # a yield at every slice: the slices are countable
    session = session_for("http://127.0.0.1:9", tmp_path)
    board = DoorBoard(session, open_too_long_after=30)
    count = 10 * REFLAG_SLICE + 37
    now = 1_000.0
    board.seed(_items(count, now))
    for item in board.items:  # fresh again, as a poll leaves them (the seed marks a snapshot stale)
        item.stale, item.updated = False, now - (100 if item.id.endswith(("0", "3", "6")) else 0)
    board._announce(set(board._items), False)  # as the poll that refreshed them does
    seen: list[object] = []
    board.summary_changed.connect(seen.append)
    turns = 0

    async def count_turns() -> None:
        nonlocal turns
        while True:
            await asyncio.sleep(0)
            turns += 1

    counter = asyncio.ensure_future(count_turns())
    try:
        await board.reflag(now)
    finally:
        counter.cancel()
    assert turns >= count // REFLAG_SLICE  # the loop ran between the slices (of flags, then of counts)
    assert board.summary == _summary(board.items)
    assert board.summary.stale == sum(1 for i in board.items if now - i.updated > board.stale_after)
    assert board.summary.open_too_long == sum(1 for i in board.items if i.open_since is not None)
    assert seen
    assert seen[-1] == board.summary
    # the same as the one-go tick, later: every item stale now
    board.tick(now + 3 * board.interval)
    assert board.summary == _summary(board.items)
    assert board.summary.stale == count
    # an item changed and announced: counted again by difference
    key = board.items[1].key
    board._items[key] = replace(board.items[1], connect=ConnectState.OFFLINE)
    board._announce({key}, False)
    assert board.summary == _summary(board.items)
    await session.aclose()


def test_full_collections_are_held_during_a_big_load_and_what_survived_is_frozen() -> None:
    before = gc.get_threshold()
    frozen = gc.get_freeze_count()
    try:
        release = doors_gc.hold_full_collections()
        assert gc.get_threshold()[2] >= doors_gc.HELD_THRESHOLD
        release(False)
        assert gc.get_threshold() == before
        assert gc.get_freeze_count() == frozen  # a small board: nothing frozen
        kept = [[n] for n in range(1000)]  # long-lived containers made during the "load"
        outer = doors_gc.hold_full_collections()
        inner = doors_gc.hold_full_collections()  # overlapping holds: the last one to end restores and freezes
        inner(False)
        assert gc.get_threshold()[2] >= doors_gc.HELD_THRESHOLD
        outer(True)
        outer(True)  # a second call does nothing
        assert gc.get_threshold() == before
        assert gc.get_freeze_count() >= frozen + len(kept)
    finally:
        gc.unfreeze()


async def test_a_big_load_is_frozen_on_a_turn_after_the_one_that_announced_it(tmp_path, monkeypatch) -> None:
    """The young collection and the freeze that end a big load's hold do not run in the turn of the loop that
    announced the load to the views (their updates and the first paint of the tiles land in that one)."""
    monkeypatch.setattr(doors, "FREEZE_ABOVE", 0)  # the small site counts as big: frozen after its load
    sim = Simulator(SimConfig(token=TOKEN, seed=1, site="small", event_rate=0.0))
    session = session_for(ASGI_URL, tmp_path, app=sim.app)
    board = DoorBoard(session)
    loop = asyncio.get_running_loop()
    threshold, frozen = gc.get_threshold(), gc.get_freeze_count()
    seen: list[tuple[str, bool, bool]] = []

    def state(when: str) -> None:
        seen.append((when, gc.get_threshold()[2] >= doors_gc.HELD_THRESHOLD, gc.get_freeze_count() > frozen))

    def announced(_: object) -> None:
        state("announced")
        loop.call_soon(state, "the next callback")

    board.changed.connect(announced)
    try:
        assert await board.poll_once()
        assert gc.get_threshold() == threshold  # held no longer
        assert gc.get_freeze_count() > frozen  # and what survived the load is frozen
    finally:
        gc.unfreeze()
        await session.aclose()
    # the last announcement of the load: still held and nothing frozen then, nor in the callback right after it
    assert seen[-2:] == [("announced", True, False), ("the next callback", True, False)]


async def test_the_lists_records_are_let_go_a_slice_at_a_time(monkeypatch) -> None:
    monkeypatch.setattr(doors, "SLICE_SECONDS", 0.0)  # a yield at every slice: the turns are countable
    turns = 0

    async def other_work() -> None:
        nonlocal turns
        while True:
            turns += 1
            await asyncio.sleep(0)

    records = [object() for _ in range(3 * doors.LET_GO_SLICE + 1)]
    failed = ValueError("this list did not load")
    other = asyncio.create_task(other_work())
    await asyncio.sleep(0)
    before = turns
    await doors._let_go(records, failed, [])
    other.cancel()
    assert records == []  # every record let go
    assert turns - before >= 3  # other work ran between the slices
    assert str(failed) == "this list did not load"
