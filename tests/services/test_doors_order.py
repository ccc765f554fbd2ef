"""The board's natural order ("Door 2" before "Door 10"), and names a hostile server might send."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from console.services.doors import DoorBoard, Kind, natural_key
from console.sim import SimConfig, Simulator
from tests.services.doors_helpers import ASGI_URL, TOKEN, session_for

_RUNS = re.compile(r"(\d+)")
# letters, ASCII and other scripts' decimal digits, look-alike digits that are not decimals, spaces, punctuation
NAMES = st.text(alphabet="aAbZz09 1-_.(²③٣५" + "\u00e9\u00df", max_size=12)


def parts_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """The order as a tuple of parts (numbers before text at the same place), which natural_key must keep."""
    return tuple((0, int(p)) if n % 2 else (1, p) for n, p in enumerate(_RUNS.split(text.casefold())) if p)


def sign(a: object, b: object) -> int:
    return (a > b) - (a < b)  # type: ignore[operator]


@given(NAMES, NAMES)
def test_names_sort_by_their_parts_numbers_as_numbers(a: str, b: str) -> None:
    assert sign(natural_key(a), natural_key(b)) == sign(parts_key(a), parts_key(b))


def test_the_orders_a_guard_reads() -> None:
    names = ["Door 10", "door 2", "Door 1", "Door 007", "Door 7b", "Lobby", "Door ٣", "²", "Gate 9", "Gate 10"]
    assert sorted(names, key=natural_key) == [
        "Door 1", "door 2", "Door ٣", "Door 007", "Door 7b", "Door 10", "Gate 9", "Gate 10", "Lobby", "²"]
    assert natural_key("9" * 5000) > natural_key("9" * 4999)  # no int(): it refuses more than 4,300 digits


async def test_a_board_of_hostile_names_is_ordered_not_broken(tmp_path) -> None:
    """Superscripts and circled numbers (digits to ``str.isdigit``, not decimals) once raised in the sort:
    the poll failed and the board stayed empty."""
    sim = Simulator(SimConfig(token=TOKEN, seed=1, site="small", event_rate=0.0))
    doors = sorted(sim.world.doors.values(), key=lambda d: (d.device_id, d.door_no))
    device = doors[0].device_id
    same_device = [d for d in doors if d.device_id == device]
    assert len(same_device) >= 2
    same_device[0].name, same_device[1].name = "²", "Door ③ 10"
    session = session_for(ASGI_URL, tmp_path, app=sim.app, interval=10.0)
    try:
        board = DoorBoard(session)
        assert await board.poll_once()
        names = [i.name for i in board.items if i.kind is Kind.DOOR and i.device_id == device]
        assert {"²", "Door ③ 10"} <= set(names)
        assert names == sorted(names, key=natural_key)
    finally:
        await session.aclose()


async def test_areas_are_learnt_from_the_newest_thousand_events_read_a_few_hundred_at_a_time(tmp_path) -> None:
    """The devices' areas come from the newest events: a device seen only behind 300 newer events still gets its
    area, and no answer holds more than 250 events (a page of 1,000 was decoded in one turn of the loop)."""
    sim = Simulator(SimConfig(token=TOKEN, seed=1, site="small", event_rate=0.0))
    doors = list(sim.world.doors.values())
    early, busy = doors[0], next(d for d in doors if d.device_id != doors[0].device_id)
    sim.emit("remote_open", door_id=early.id)  # the only event of this door's device...
    for _ in range(300):  # ...behind 300 newer ones of another device
        sim.emit("remote_open", door_id=busy.id)
    session = session_for(ASGI_URL, tmp_path, app=sim.app, interval=10.0)
    try:
        board = DoorBoard(session)
        assert await board.poll_once()
        item = board.item((Kind.DOOR, early.id))
        assert item is not None
        device = sim.world.devices[early.device_id]
        assert item.area == sim.world.area_name(device.area_id)
        pages = [r for r in sim.requests if r.path.endswith("accTransaction/list") or "transaction" in r.path.lower()]
        sizes = [int(dict(p.split("=", 1) for p in r.query.split("&") if "=" in p).get("pageSize", "0")) for r in pages]
        assert sizes
        assert max(sizes) <= 250
    finally:
        await session.aclose()
