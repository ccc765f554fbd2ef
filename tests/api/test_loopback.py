"""A representative set over a real loopback socket: uvicorn serving the simulator, the console's client."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest

from console.api import ApiError, AuthError, Client, HTTPStatusError, RetryPolicy, TransportError
from tests.sim.helpers import TOKEN, make_sim, online_door


async def _until(predicate, timeout: float = 10.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = await predicate()
        if result:
            return result
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


async def test_client_and_simulator_over_a_socket() -> None:
    sim = make_sim(event_rate=40.0)
    door = online_door(sim.world)
    async with sim.serve() as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        async with Client(base_url, TOKEN, retry=RetryPolicy(attempts=2, backoff=0.01)) as client:
            states = await client.door_states()
            assert len(states) == len(sim.world.doors)
            await client.call("2.12.8", doorId=door.id, interval=3)
            assert (await client.call("2.12.2", doorId=door.id, timestamp=1))["relay"] == "open"
            with pytest.raises(ApiError) as caught:
                await client.call("2.12.8", doorId=door.id, interval=0)
            assert caught.value.code == -45
            stamp = int(time.time() * 1000)

            async def live() -> list[dict[str, object]]:
                return await client.call("2.19.6", timestamp=stamp)  # type: ignore[no-any-return]

            events = await _until(live)  # the activity generator produces events
            assert all(e["devSn"] for e in events)
            page = await client.call("2.35.5", pageNo=1, pageSize=5)
            assert page["total"] >= 1
        async with Client(base_url, "wrong-token") as intruder:
            with pytest.raises(AuthError):
                await intruder.call("2.10.1", pageNo=1, pageSize=5)


async def test_faults_over_a_socket_drop_and_down() -> None:
    sim = make_sim()
    async with sim.serve() as base_url, Client(base_url, TOKEN, retry=RetryPolicy(attempts=1)) as client:
        sim.set_faults(drop_rate=1.0)
        with pytest.raises(TransportError):
            await client.call("2.12.1", timestamp=1)
        sim.set_faults(reset=True, down_seconds=30)
        with pytest.raises(HTTPStatusError) as caught:
            await client.call("2.12.1", timestamp=1)
        assert caught.value.status == 503
        async with httpx.AsyncClient(base_url=base_url) as raw:  # control stays reachable and clears it
            cleared = await raw.post(f"/_sim/faults?access_token={TOKEN}", json={"reset": True})
            assert cleared.json()["down_seconds"] == 0
        assert await client.call("2.12.1", timestamp=1)


async def test_a_taken_port_is_an_error_not_an_exit() -> None:
    sim = make_sim()
    async with sim.serve() as base_url:
        port = int(base_url.rsplit(":", 1)[1])
        other = make_sim()
        with pytest.raises(OSError, match="in use"):
            async with other.serve(port=port):
                pass  # pragma: no cover
        async with httpx.AsyncClient(base_url=base_url) as raw:  # the first one still serves
            assert (await raw.get(f"/_sim/faults?access_token={TOKEN}")).status_code == 200
