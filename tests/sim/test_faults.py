"""Injected faults: switchable at start and at run time, each visible to the client as the failure it models."""

from __future__ import annotations

import httpx
import pytest

from console.api import HTTPStatusError, ProtocolError, RetryPolicy, TransportError
from console.sim import faults
from tests.helpers import loaded_after
from tests.sim.helpers import TOKEN, client_for, make_sim


async def test_faults_are_read_updated_partially_and_cleared_over_http() -> None:
    sim = make_sim(faults={"latency_ms": 5})
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sim.app), base_url="http://sim.test") as raw:
        url = f"/_sim/faults?access_token={TOKEN}"
        assert (await raw.get(url)).json()["latency_ms"] == 5
        now = (await raw.post(url, json={"error_rate": 0.25, "down_seconds": 30})).json()
        assert (now["latency_ms"], now["error_rate"]) == (5, 0.25)  # partial: latency kept
        assert 29 < now["down_seconds"] <= 30
        refused = await raw.post(url, json={"error_rate": 2})
        assert refused.status_code == 400
        assert "error_rate" in refused.json()["error"]
        assert (await raw.post(url, json={"bogus": 1})).status_code == 400
        cleared = (await raw.post(url, json={})).json()
        assert cleared == {"latency_ms": 0, "error_rate": 0, "malformed_rate": 0, "drop_rate": 0, "down_seconds": 0}
        await raw.post(url, json={"drop_rate": 1})
        assert (await raw.post(url, json={"reset": True})).json()["drop_rate"] == 0


async def test_error_fault_answers_500_and_reads_are_retried() -> None:
    sim = make_sim(faults={"error_rate": 1.0})
    async with client_for(sim) as client:
        with pytest.raises(HTTPStatusError) as caught:
            await client.call("2.12.1", timestamp=1)
    assert caught.value.status == 500
    assert [r.fault for r in sim.requests] == ["error", "error", "error"]  # three tries of a GET


async def test_malformed_fault_is_a_protocol_error() -> None:
    sim = make_sim(faults={"malformed_rate": 1.0})
    async with client_for(sim) as client:
        with pytest.raises(ProtocolError):
            await client.call("2.10.1", pageNo=1, pageSize=5)


async def test_drop_fault_is_a_transport_error_after_the_request_was_handled() -> None:
    sim = make_sim(faults={"drop_rate": 1.0})
    door = next(d for d in sim.world.doors.values() if sim.world.door_connect(d) == 1)
    async with client_for(sim, retry=RetryPolicy(attempts=1)) as client:
        with pytest.raises(TransportError):
            await client.call("2.12.8", doorId=door.id, interval=9)
    assert sim.world.door_state(door)["relay"] == "open"  # the door did open; only the answer was lost


def test_the_simulator_boots_without_the_http_client_and_makes_its_dropped_answer_error_when_first_asked() -> None:
    # demo mode's first tile waits for its simulator's boot: httpx (~30 ms of imports) is not part of it
    assert loaded_after("import console.sim.simulator, console.sim.server", ["httpx"]) == []
    dropped = faults.DroppedConnection
    assert dropped is faults.dropped_connection()  # one class, whichever way it is reached
    assert issubclass(dropped, httpx.RemoteProtocolError)
    with pytest.raises(AttributeError):
        _ = faults.NoSuchThing


async def test_down_refuses_every_api_request_then_recovers_while_events_go_on() -> None:
    sim = make_sim()
    async with client_for(sim, retry=RetryPolicy(attempts=1)) as client:
        sim.set_faults(down_seconds=20)
        with pytest.raises(HTTPStatusError) as caught:
            await client.call("2.19.5", pageNo=1, pageSize=1)
        assert caught.value.status == 503
        during = sim.emit("verify")  # the world goes on
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sim.app), base_url="http://sim.test") as raw:
            control = await raw.get(f"/_sim/events?access_token={TOKEN}")  # the control surface is not faulted
            assert control.status_code == 200
        sim.world.clock.advance(21)
        latest = (await client.call("2.19.5", pageNo=1, pageSize=1))["data"][0]
    assert latest["id"] == during["id"]
    assert sim.faults.as_dict(sim.world.now())["down_seconds"] == 0


async def test_latency_delays_answers() -> None:
    import time

    sim = make_sim(faults={"latency_ms": 120})
    async with client_for(sim) as client:
        started = time.monotonic()
        await client.call("2.12.1", timestamp=1)
    assert time.monotonic() - started >= 0.11


def test_a_bad_initial_fault_is_refused() -> None:
    with pytest.raises(ValueError, match="drop_rate"):
        make_sim(faults={"drop_rate": -0.5})


async def test_hostile_request_bodies_get_an_answer_not_a_crash() -> None:
    sim = make_sim()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sim.app), base_url="http://sim.test") as raw:
        url = f"/api/person/add?access_token={TOKEN}"
        deep = await raw.post(url, content=b"[" * 100_000, headers={"content-type": "application/json"})
        assert deep.status_code == 400
        assert deep.json()["code"] == -1
        wrong_type = await raw.post(url, json=["not", "an", "object"])
        assert wrong_type.json()["code"] == -20
        page = await raw.get(f"/api/door/list?pageNo=1e309&pageSize=5&access_token={TOKEN}")
        assert page.json()["code"] == -90
