"""SimulatorThread: the simulator in its own loop and thread, as the Qt app's demo mode uses it."""

from __future__ import annotations

import asyncio
import threading

import httpx
import pytest

from console.sim import SimConfig, Simulator, SimulatorThread
from tests.sim.helpers import TOKEN


def test_thread_starts_serves_runs_calls_in_its_loop_and_stops() -> None:
    thread = SimulatorThread(SimConfig(token=TOKEN, seed=2, site="small", event_rate=0.0))
    url = thread.start()
    try:
        assert thread.running
        answer = httpx.get(f"{url}/api/door/allDoorState", params={"timestamp": 1, "access_token": TOKEN}, timeout=10)
        assert len(answer.json()["data"]) == 12
        assert thread.call(lambda sim: len(sim.world.doors)) == 12
        made = thread.call(lambda sim, kind: sim.emit(kind), "verify")
        assert made["eventName"] == "Normal Verify Open"

        async def where(sim: Simulator) -> str:
            await asyncio.sleep(0)  # a coroutine is awaited in the simulator's loop
            return threading.current_thread().name

        assert thread.call(where) == "cvsecurity-sim"
        assert thread.call(lambda sim: threading.current_thread().name) == "cvsecurity-sim"
        truth = httpx.get(f"{url}/_sim/events", params={"access_token": TOKEN}, timeout=10).json()
        assert [e["id"] for e in truth["events"]] == [made["id"]]
    finally:
        thread.stop()
    assert not thread.running
    thread.stop()  # idempotent
    assert TOKEN not in repr(thread.config)


def test_thread_reports_a_port_in_use() -> None:
    first = SimulatorThread(SimConfig(token=TOKEN))
    url = first.start()
    try:
        port = int(url.rsplit(":", 1)[1])
        second = SimulatorThread(SimConfig(token=TOKEN), port=port)
        with pytest.raises(RuntimeError, match="failed to start") as caught:
            second.start()
        second.stop()
        assert isinstance(caught.value.__cause__, OSError)
    finally:
        first.stop()
