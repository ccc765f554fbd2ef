from __future__ import annotations

import pytest

from console.api.models import GateDirection
from console.services.audit import AuditLog
from console.services.commands import CommandRefused, Commands, Outcome, Target, check_open_seconds, summarise
from console.services.doors import Kind
from console.sim import SimConfig, Simulator
from tests.helpers import until
from tests.services.doors_helpers import ASGI_URL, TOKEN, posts, session_for


@pytest.fixture
def sim() -> Simulator:
    return Simulator(SimConfig(token=TOKEN, seed=3, site="small", event_rate=0.0))


@pytest.fixture
async def setup(sim, tmp_path):
    session = session_for(ASGI_URL, tmp_path, app=sim.app, profile="HQ", operator="ann")
    audit = AuditLog(tmp_path / "audit.sqlite3")
    yield Commands(session, audit), audit
    audit.close()
    await session.aclose()


def online_doors(sim: Simulator) -> list[Target]:
    world = sim.world
    return [Target(Kind.DOOR, d.id, d.name) for d in world.doors.values() if world.door_connect(d) == 1]


async def test_remote_open_opens_the_relay_for_the_seconds_and_is_audited(sim, setup) -> None:
    commands, audit = setup
    door = online_doors(sim)[0]
    result = await commands.open_door(door, 7)
    assert result.ok
    assert result.outcome is Outcome.DONE
    assert result.text == f"Door {door.name} opened for 7 s"
    world = sim.world
    sim_door = world.doors[door.id]
    assert world.door_state(sim_door)["relay"] == "open"
    assert world.door_state(sim_door, at=world.now() + 6.5)["relay"] == "open"
    assert world.door_state(sim_door, at=world.now() + 7.5)["relay"] == "off"
    assert len(posts(sim, "/door/remoteOpenById")) == 1
    sending, row = audit.rows()  # "sending" before the request left, then the outcome, linked to it
    assert (sending.action, sending.result, sending.params["interval"]) == ("door.open", "sending", 7)
    assert row.params["completes"] == sending.seq
    assert (row.operator, row.profile, row.action, row.result) == ("ann", "HQ", "door.open", "ok")
    assert row.params["interval"] == 7
    assert row.params["doorId"] == door.id
    assert door.id in row.target


@pytest.mark.parametrize("seconds", [0, 255, -1, 2.5, "five", None, True, 10**9])
async def test_an_invalid_interval_is_refused_before_anything_is_sent(sim, setup, seconds) -> None:
    commands, audit = setup
    door = online_doors(sim)[0]
    with pytest.raises(CommandRefused, match="seconds"):
        await commands.open_door(door, seconds)
    assert list(sim.requests) == []
    assert audit.rows() == []


def test_the_interval_limits_are_the_manuals() -> None:
    assert [check_open_seconds(v) for v in (1, 254, "30", 12.0)] == [1, 254, 30, 12]


async def test_the_servers_refusal_is_shown_and_audited_in_its_words(sim, setup) -> None:
    commands, audit = setup
    world = sim.world
    door = next(d for d in world.doors.values() if world.door_connect(d) == 1)
    world.set_device_online(world.device_of(door).sn, False)
    result = await commands.open_door(Target(Kind.DOOR, door.id, door.name), 5)
    assert result.outcome is Outcome.REFUSED
    assert "(code -103)" in result.text
    assert result.server_text in result.text
    assert [r.result for r in audit.rows()] == ["sending", f"refused: {result.server_text}"]


async def test_a_lost_answer_is_uncertain_and_never_sent_twice(sim, setup) -> None:
    commands, audit = setup
    door = online_doors(sim)[0]
    sim.set_faults(drop_rate=1.0)  # the server acts, then the connection drops without an answer
    result = await commands.open_door(door, 5)
    assert result.outcome is Outcome.UNCERTAIN
    assert "may or may not" in result.text
    assert "not repeated" in result.text
    assert len(posts(sim, "/door/remoteOpenById")) == 1
    assert audit.rows()[-1].result.startswith("uncertain: ")
    assert TOKEN not in result.text
    assert TOKEN not in audit.rows()[-1].result


async def test_gates_open_for_entry_or_exit(sim, setup) -> None:
    commands, audit = setup
    world = sim.world
    gate = next(g for g in world.gates.values() if world.device_of(g).connect == 1)
    target = Target(Kind.GATE, gate.id, gate.name)
    assert (await commands.open_gate(target, GateDirection.ENTRY)).ok
    assert world.gate_state(gate)["relay"] == "2"  # 2.32.1: 2 is "entry open"
    assert (await commands.open_gate(target, GateDirection.EXIT)).ok
    assert world.gate_state(gate)["relay"] == "1"
    assert [r.params["openType"] for r in audit.rows() if r.result != "sending"] == [1, 2]
    with pytest.raises(CommandRefused):
        await commands.open_gate(target, GateDirection.UNKNOWN)
    with pytest.raises(CommandRefused):
        await commands.open_door(target, 5)


async def test_closing_a_list_sends_one_command_per_door(sim, setup) -> None:
    commands, audit = setup
    doors = online_doors(sim)[:4]
    for door in doors:
        sim.world.open_door(sim.world.doors[door.id], 60)
    gate = next(iter(sim.world.gates.values()))
    results = await commands.close_doors([*doors, doors[0], Target(Kind.GATE, gate.id, gate.name)])
    assert [r.target for r in results] == doors
    assert all(r.ok for r in results)
    sent = posts(sim, "/door/remoteCloseById")  # the spelling real servers route (console/api/README.md)
    assert sorted(q.split("doorId=")[1].split("&")[0] for q in sent) == sorted(d.id for d in doors)
    assert all(sim.world.door_state(sim.world.doors[d.id])["relay"] == "off" for d in doors)
    assert [r.result for r in audit.rows(action="door.close")].count("ok") == 4
    assert summarise(results) == "Closed 4 of 4 doors"


async def test_a_command_cancelled_in_flight_is_audited_as_uncertain_and_not_resent(sim, setup) -> None:
    import asyncio

    commands, audit = setup
    door = online_doors(sim)[0]
    sim.set_faults(latency_ms=5000)  # the answer will not come before the console closes
    task = asyncio.ensure_future(commands.open_door(door, 5))
    await until(lambda: posts(sim, "/door/remoteOpenById"))  # the request reached the server
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    sending, row = audit.rows()
    assert (sending.action, sending.result) == ("door.open", "sending")
    assert (row.action, row.result) == ("door.open", "uncertain: cancelled before the answer came")
    assert len(posts(sim, "/door/remoteOpenById")) == 1


async def test_a_door_the_server_calls_opened_but_that_did_not_change_is_said_so(sim, tmp_path) -> None:
    """Real servers have answered success to a remote open of a door id that does not exist: the state is
    read back, and the operator reads what was seen, not "opened"."""
    from console.services.doors import DoorBoard

    session = session_for(ASGI_URL, tmp_path, app=sim.app, profile="HQ", operator="ann")
    audit = AuditLog(tmp_path / "audit.sqlite3")
    board = DoorBoard(session)
    commands = Commands(session, audit, read_back=board.refresh_item, read_back_seconds=0.3)
    try:
        door = online_doors(sim)[0]
        opened = await commands.open_door(door, 5)
        assert opened.seen is True
        assert opened.text == f"Door {door.name} opened for 5 s: relay open seen"
        ghost = Target(Kind.DOOR, "no-such-door", "Ghost door")
        sim.world.doors.pop("no-such-door", None)
        original = session.client.open_door

        async def says_done(door_id: str, interval: int = 5) -> None:  # what such a server answers
            if door_id != ghost.id:
                await original(door_id, interval)

        session.client.open_door = says_done  # type: ignore[method-assign]
        result = await commands.open_door(ghost, 5)
        assert result.outcome is Outcome.DONE
        assert result.seen is False
        assert "the server said opened, but" in result.text
        rows = audit.rows()
        assert [r.action for r in rows][-2:] == ["door.open", "door.open.read_back"]
        assert rows[-1].result in ("the state could not be read back",) or rows[-1].result.startswith("no change")
    finally:
        audit.close()
        await session.aclose()
