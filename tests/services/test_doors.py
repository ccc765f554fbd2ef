from __future__ import annotations

from typing import Any

import pytest

from console.api.errors import HTTPStatusError
from console.api.models import ConnectState, DoorAlarm, GateAlarm, GateRelay, GateStateCode, RelayState, SensorState
from console.api.typed import TypedCalls
from console.services.doors import BoardChange, DoorBoard, Kind
from console.services.session import Health
from console.sim import SimConfig, Simulator
from tests.services.doors_helpers import ASGI_URL, TOKEN, session_for


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def sim() -> Simulator:
    return Simulator(SimConfig(token=TOKEN, seed=1, site="small", event_rate=0.0))


@pytest.fixture
async def session(sim, tmp_path):
    s = session_for(ASGI_URL, tmp_path, app=sim.app, interval=10.0)
    yield s
    await s.aclose()


def expected_door(sim: Simulator, door_id: str) -> dict[str, Any]:
    world = sim.world
    return world.door_state(world.doors[door_id])


async def test_every_door_and_gate_arrives_with_the_simulators_state_place_and_device(sim, session) -> None:
    board = DoorBoard(session)
    assert await board.poll_once()
    world = sim.world
    assert board.summary.doors == len(world.doors)
    assert board.summary.gates == len(world.gates)
    assert {k for k in board.keys} == {(Kind.DOOR, i) for i in world.doors} | {(Kind.GATE, i) for i in world.gates}
    for door in world.doors.values():
        item = board.item((Kind.DOOR, door.id))
        state = world.door_state(door)
        assert item is not None
        assert item.name == door.name
        assert item.connect is ConnectState.parse(state["connect"])
        assert item.sensor is SensorState.parse(state["sensor"])
        assert item.relay is RelayState.parse(state["relay"])
        assert item.door_alarm is DoorAlarm.parse(state["alarm"])
        device = world.devices[door.device_id]
        assert (item.device_name, item.device_sn) == (device.name, device.sn)
        if item.area:  # learnt from the device's events; a device without any shows "Area unknown"
            assert item.area == world.area_name(device.area_id)
    areas = {i.area for i in board.items}
    assert len(areas - {""}) >= 2
    for gate in world.gates.values():
        item = board.item((Kind.GATE, gate.id))
        state = world.gate_state(gate)
        assert item is not None
        assert (item.gate_state, item.gate_alarm, item.gate_relay) == (
            GateStateCode.parse(state["gateState"]), GateAlarm.parse(state["alarm"]), GateRelay.parse(state["relay"])
        )
    assert session.health is Health.ONLINE
    door_key = next(k for k in board.keys if k[0] is Kind.DOOR)
    assert [r.side for r in board.readers(door_key)] == ["in", "out"]


async def test_the_first_poll_shows_the_states_before_the_lists_arrive(sim, session) -> None:
    """The first poll announces every door's state at once (the tiles paint), then loads the lists (devices,
    areas, readers: many calls) and announces them: a guard sees the states without waiting for the lists."""
    board = DoorBoard(session)
    seen: list[tuple[int, int, int]] = []  # per announcement: items, items with a state, items with their device

    def announced(_change: BoardChange) -> None:
        items = board.items
        seen.append((len(items), sum(i.has_state for i in items), sum(bool(i.device_name) for i in items)))

    board.changed.connect(announced)
    polled: list[int] = []  # devices named when the poll said it was good (the snapshot is written then)
    board.polled.connect(lambda ok: polled.append(sum(bool(i.device_name) for i in board.items)) if ok else None)
    assert await board.poll_once()
    total = len(sim.world.doors) + len(sim.world.gates)
    assert seen[0] == (total, total, 0)  # every state, no device yet
    assert seen[-1] == (total, total, total)  # then the lists: every device named
    assert polled == [0]  # once, as soon as the states were in: a console closed meanwhile keeps its board


async def test_a_change_reaches_its_item_within_one_poll_and_only_changes_are_announced(sim, session) -> None:
    board = DoorBoard(session)
    await board.poll_once()
    changes: list[BoardChange] = []
    board.changed.connect(changes.append)
    await board.poll_once()
    assert changes == []  # nothing changed on the server: nothing to repaint
    world = sim.world
    door = next(d for d in world.doors.values() if world.door_connect(d) == 1 and d.has_sensor)
    world.force_door(door.id, sensor="open", alarm="be opened accidentally")
    device = next(d for d in world.devices.values() if d.module == "acc" and d.online and d.id != door.device_id)
    world.set_device_online(device.sn, False)
    await board.poll_once()
    offline = {(Kind.DOOR, d.id) for d in world.doors.values() if d.device_id == device.id}
    assert len(changes) == 1
    assert not changes[0].structure
    assert changes[0].keys == offline | {(Kind.DOOR, door.id)}
    item = board.item((Kind.DOOR, door.id))
    assert item is not None
    assert item.is_open
    assert item.door_alarm is DoorAlarm.OPENED_ACCIDENTALLY
    assert item.alarm
    assert all(board.item(k).offline for k in offline)  # type: ignore[union-attr]
    assert board.summary.offline == len(offline) + sum(
        1 for d in world.doors.values() if d.device_id not in (device.id,) and world.door_connect(d) == 0
    )


async def test_items_go_stale_while_the_server_is_down_and_recover_by_themselves(sim, session) -> None:
    clock = Clock()
    board = DoorBoard(session, clock=clock)
    assert await board.poll_once()
    sim.set_faults(down_seconds=600)
    clock.now += 5
    assert not await board.poll_once()
    assert session.health in (Health.DEGRADED, Health.OFFLINE)
    assert "503" in board.last_error
    assert board.summary.stale == 0  # one missed poll is not stale yet
    clock.now += 16  # more than two intervals since the last good data
    board.tick()
    assert board.summary.stale == len(board)
    assert all(item.stale for item in board.items)
    sim.set_faults(reset=True)
    assert await board.poll_once()
    assert board.summary.stale == 0
    assert session.health is Health.ONLINE


async def test_a_door_open_longer_than_the_limit_is_flagged_then_cleared(sim, session) -> None:
    clock = Clock()
    board = DoorBoard(session, clock=clock, open_too_long_after=30)
    world = sim.world
    door = next(d for d in world.doors.values() if world.door_connect(d) == 1 and d.has_sensor)
    for other in world.doors.values():
        if other.has_sensor:
            world.force_door(other.id, sensor="off")
    world.force_door(door.id, sensor="open")
    await board.poll_once()
    key = (Kind.DOOR, door.id)
    assert board.item(key).is_open
    assert not board.item(key).open_too_long
    clock.now += 9
    await board.poll_once()
    clock.now += 9
    await board.poll_once()
    clock.now += 13  # 31 s since the sensor was first seen open
    board.tick()
    assert board.item(key).open_too_long
    assert board.item(key).problem
    assert board.summary.open_too_long == 1
    world.force_door(door.id, sensor="off")
    await board.poll_once()
    assert not board.item(key).open_too_long
    assert board.summary.open_too_long == 0


async def test_the_loop_keeps_polling_through_failures(sim, tmp_path) -> None:
    import asyncio

    session = session_for(ASGI_URL, tmp_path, app=sim.app, interval=0.1)
    board = DoorBoard(session)
    outcomes: list[bool] = []
    board.polled.connect(outcomes.append)
    task = asyncio.ensure_future(board.run())
    try:
        from tests.helpers import until

        await until(lambda: len(outcomes) >= 2, timeout=10)
        sim.set_faults(down_seconds=600)
        await until(lambda: outcomes[-1] is False and session.health is Health.OFFLINE, timeout=10)
        sim.set_faults(reset=True)
        await until(lambda: outcomes[-1] is True and session.health is Health.ONLINE, timeout=10)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await session.aclose()


class WithoutV2(TypedCalls):
    """A client for a server that lacks the v2 lists and the gate module (404), wrapping the real one."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.sections: list[str] = []

    def _check(self, section: str) -> None:
        self.sections.append(section)
        if section in ("2.12.10", "2.10.3", "2.15.3") or section.startswith(("2.32.", "2.34.")):
            raise HTTPStatusError(404, detail="not found")

    async def call(self, section: str, /, body: Any = None, files: Any = None, **params: Any) -> Any:
        self._check(section)
        return await self.client.call(section, body=body, files=files, **params)

    async def call_envelope(self, section: str, /, body: Any = None, files: Any = None, **params: Any) -> Any:
        self._check(section)
        return await self.client.call_envelope(section, body=body, files=files, **params)


async def test_a_server_without_v2_lists_or_gates_still_shows_its_doors(sim, session) -> None:
    real = session.client
    session.client = WithoutV2(real)  # type: ignore[assignment]
    board = DoorBoard(session)
    try:
        assert await board.poll_once()
        assert board.summary.doors == len(sim.world.doors)
        assert board.summary.gates == 0
        assert not board.gates_supported
        assert "2.12.5" in session.client.sections  # type: ignore[attr-defined]
        assert all(i.device_name for i in board.items if i.device_id)
        before = len(session.client.sections)  # type: ignore[attr-defined]
        assert await board.poll_once()
        assert "2.32.1" not in session.client.sections[before:]  # type: ignore[attr-defined]
    finally:
        session.client = real


async def test_recent_events_at_a_door_are_newest_first(sim, session) -> None:
    board = DoorBoard(session)
    await board.poll_once()
    world = sim.world
    door = next(d for d in world.doors.values() if world.door_connect(d) == 1)
    await session.client.call("2.12.8", doorId=door.id, interval=3)
    events = await board.recent_events((Kind.DOOR, door.id))
    assert events, "the remote opening must be listed"
    assert "remote" in events[0].name.lower()
    times = [e.time for e in events if e.time]
    assert times == sorted(times, reverse=True)


async def test_held_lists_wait_for_their_release_and_the_states_are_announced_before(sim, session) -> None:
    """The console reads the first poll's states without the API's records (pydantic) and releases the lists once
    the first tiles are painted (``SessionServices.build_rest``): until then the board shows every state, no
    device; on release the same poll loads the lists."""
    import asyncio

    board = DoorBoard(session)
    board.hold_lists()
    polled = asyncio.Event()
    board.polled.connect(lambda ok: polled.set())
    poll = asyncio.ensure_future(board.poll_once())
    await asyncio.wait_for(polled.wait(), 10)
    total = len(sim.world.doors) + len(sim.world.gates)
    for _ in range(5):
        await asyncio.sleep(0)
    items = board.items
    assert (len(items), sum(i.has_state for i in items), sum(bool(i.device_name) for i in items)) == (total, total, 0)
    assert not poll.done()  # the lists are held
    assert session.health is Health.ONLINE  # the server answered: the status bar says so already
    board.release_lists()
    assert await asyncio.wait_for(poll, 10)
    assert sum(bool(i.device_name) for i in board.items) == total


async def test_lists_never_released_load_after_the_longest_hold(sim, session, monkeypatch) -> None:
    from console.services import doors

    monkeypatch.setattr(doors, "LISTS_HOLD_MAX", 0.05)
    board = DoorBoard(session)
    board.hold_lists()
    assert await board.poll_once()
    assert all(i.device_name for i in board.items)
    assert await board.poll_once()  # and the next polls are not held again


async def test_the_lists_are_validated_one_at_a_time(sim, session, monkeypatch) -> None:
    """The lists load side by side, but their records are validated one list at a time: each validation yields to
    the loop between slices, and several of them running together filled one pass of the loop with their slices
    back to back (21 ms between two frames at 10,000 doors)."""
    import asyncio

    from console.services import doors

    parse = doors._parse_chunked
    running, most = 0, 0

    async def counted(model, data):  # type: ignore[no-untyped-def]
        nonlocal running, most
        running += 1
        most = max(most, running)
        try:
            await asyncio.sleep(0.01)  # a validation that takes a few turns of the loop
            return await parse(model, data)
        finally:
            running -= 1

    monkeypatch.setattr(doors, "_parse_chunked", counted)
    board = DoorBoard(session)
    assert await board.poll_once()
    assert all(i.device_name for i in board.items)  # every list arrived and was read
    assert most == 1
