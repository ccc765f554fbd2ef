"""Elevator (floor) events join the stream: 2.20.2 polled by time range over real HTTP on 127.0.0.1, each event
once, an outage back-filled like the monitored sources'."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from console.api import Client
from console.api.client import RetryPolicy
from console.services.events import EventStream, Gap, Journal, Retention, Source, SourceState, event_key
from console.sim import SimConfig, Simulator

TOKEN = "sim-token-for-elevators"


def floor_keys(sim: Simulator) -> set[str]:
    return {event_key(r, Source.ELEVATOR) for r in sim.emitted if r["store"] == "ele"}


class Desk:
    def __init__(self, sim: Simulator, client: Client, journal: Journal) -> None:
        self.sim = sim
        self.stream = EventStream(client, journal, sources=tuple(Source),
                                  clock=lambda: datetime.fromtimestamp(sim.world.now()))
        self.added: Counter[str] = Counter()
        self.backfilled: list[Gap] = []
        self.stream.events_added.connect(lambda events: self.added.update(e.key for e in events))
        self.stream.gap_backfilled.connect(self.backfilled.append)

    def floors(self, n: int, step: float = 3.0) -> list[dict[str, Any]]:
        out = []
        for _ in range(n):
            self.sim.world.clock.advance(step)
            out.append(self.sim.emit("floor"))
        return out

    async def poll(self, seconds: float = 10.0) -> None:
        self.sim.world.clock.advance(seconds)
        await self.stream.poll_once()


@pytest.fixture
async def desk(tmp_path: Path) -> AsyncIterator[Desk]:
    sim = Simulator(SimConfig(token=TOKEN, seed=5, site="small", event_rate=0.0, hep=True))
    async with sim.serve("127.0.0.1", 0) as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        async with Client(base_url, TOKEN, retry=RetryPolicy(attempts=1)) as client:
            with Journal(tmp_path / "data", clock=lambda: datetime.fromtimestamp(sim.world.now()),
                         retention=Retention(days=30)) as journal:
                yield Desk(sim, client, journal)


async def test_floor_events_arrive_once_with_their_floor_and_person(desk: Desk) -> None:
    await desk.stream.poll_once()
    desk.floors(4)
    await desk.poll()
    await desk.stream.poll_once()  # the next window overlaps the last: nothing twice
    await desk.poll()
    emitted = floor_keys(desk.sim)
    assert len(emitted) == 4
    assert emitted <= set(desk.added)
    assert max(desk.added.values()) == 1
    assert desk.stream.status(Source.ELEVATOR).state is SourceState.OK
    stored = [e for e in desk.stream._journal.iter_range(None, None) if e.source is Source.ELEVATOR]
    assert len(stored) == 4
    floor_names = {f.name for f in desk.sim.world.floors.values()}
    assert all(e.point in floor_names for e in stored)
    assert all(e.pin and e.person for e in stored)  # the list names the person, unlike the access monitor


async def test_an_outage_is_back_filled_and_nothing_doubles(desk: Desk) -> None:
    await desk.stream.poll_once()
    desk.floors(2)
    await desk.poll()
    desk.sim.set_faults(down_seconds=200)
    for _ in range(10):
        desk.floors(2, step=4)
        await desk.poll(5)
    assert desk.stream.status(Source.ELEVATOR).state is SourceState.FAILING
    desk.sim.world.clock.advance(200)  # the server is back
    desk.floors(1)
    await desk.poll()
    await desk.poll()
    assert floor_keys(desk.sim) <= set(desk.added)
    assert max(desk.added.values()) == 1
    elevator_gaps = [g for g in desk.backfilled if g.source is Source.ELEVATOR]
    assert elevator_gaps
    assert all(g.status == "done" for g in elevator_gaps)

