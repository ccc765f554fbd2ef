"""A big board's time-dependent flags and its summary are recomputed in slices, and stay what a full count gives;
full garbage collections are held off while a big board loads. No server needed: the board is seeded."""

from __future__ import annotations

import asyncio
import gc
from dataclasses import replace

from console.api.models import ConnectState, DoorAlarm, SensorState
from console.services import doors, doors_gc
from console.services.doors import REFLAG_SLICE, DoorBoard, Item, Kind, _summary
from tests.services.doors_helpers import session_for


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
        with doors_gc.full_collections_held(lambda: False):
            assert gc.get_threshold()[2] >= doors_gc.HELD_THRESHOLD
        assert gc.get_threshold() == before
        assert gc.get_freeze_count() == frozen  # a small board: nothing frozen
        kept = [[n] for n in range(1000)]  # long-lived containers made during the "load"
        with doors_gc.full_collections_held(lambda: True):
            with doors_gc.full_collections_held(lambda: False):  # nested: the outer one decides
                pass
            assert gc.get_threshold()[2] >= doors_gc.HELD_THRESHOLD
        assert gc.get_threshold() == before
        assert gc.get_freeze_count() >= frozen + len(kept)
    finally:
        gc.unfreeze()
