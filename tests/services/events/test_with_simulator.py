"""The events services against the simulator (console.sim), its ground truth and its fault injection.

The console's clock is the simulator's world clock, so an outage "of minutes" is minutes of world time
(``world.clock.advance``) and the tests never sleep. Most tests drive the app in-process
(``httpx.ASGITransport``); one runs over real HTTP on 127.0.0.1 with the simulator producing events itself.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from console.api import Client
from console.api.client import RetryPolicy
from console.services.events import (
    AlarmQueue,
    Event,
    EventStream,
    Journal,
    Level,
    Retention,
    Source,
    SourceState,
    event_key,
)
from console.services.events.stream import MONITORED
from console.sim import SimConfig, Simulator
from tests.helpers import until

from .conftest import AuditLog

TOKEN = "sim-token-for-events"
STORES = {"acc": Source.ACCESS, "psg": Source.GATE, "hep": Source.TEMPERATURE}
MIX = ("verify", "verify", "gate_pass", "unknown_card", "denied", "temperature", "forced_open", "door_timeout",
       "duress", "floor", "att")


def sim_clock(sim: Simulator) -> Callable[[], datetime]:
    return lambda: datetime.fromtimestamp(sim.world.now())


def truth(records: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Ground-truth records of the monitored stores, by the console's content key."""
    return {event_key(r, STORES[r["store"]]): r for r in records if r["store"] in STORES}


def world_keys(sim: Simulator) -> set[str]:
    """Every event the server holds (its history included): nothing outside this may appear."""
    from console.sim.events import render_truth

    return set(truth(render_truth(e) for store in STORES for e in sim.world.events[store]))


def produce(sim: Simulator, n: int, step: float = 2.0) -> list[dict[str, Any]]:
    out = []
    for i in range(n):
        sim.world.clock.advance(step)
        out.append(sim.emit(MIX[(i * 7 + len(sim.emitted)) % len(MIX)]))
    return [r for r in out if r]


class Setup:
    def __init__(self, sim: Simulator, data_dir: Path) -> None:
        self.sim = sim
        self.data_dir = data_dir
        self.added: Counter[str] = Counter()
        self.clients: list[Client] = []
        self.journals: list[Journal] = []

    def client(self) -> Client:
        client = Client("http://127.0.0.1", TOKEN, transport=httpx.ASGITransport(app=self.sim.app),
                        retry=RetryPolicy(attempts=1))
        self.clients.append(client)
        return client

    def stream(self, **kw: Any) -> tuple[EventStream, Journal]:
        journal = Journal(self.data_dir, clock=sim_clock(self.sim), retention=Retention(days=30))
        self.journals.append(journal)
        stream = EventStream(self.client(), journal, clock=sim_clock(self.sim), **kw)
        stream.events_added.connect(lambda events: self.added.update(e.key for e in events))
        return stream, journal

    async def close(self) -> None:
        for client in self.clients:
            await client.aclose()
        for journal in self.journals:
            journal.close()

    async def poll(self, stream: EventStream, seconds: float = 10.0) -> list[Event]:
        self.sim.world.clock.advance(seconds)
        return await stream.poll_once()

    def check_exactly_once(self, journal: Journal) -> dict[str, Event]:
        stored = {e.key: e for e in journal.iter_range(None, None)}
        visible = [r for r in self.sim.emitted if self.sim.config.hep or r["store"] != "hep"]
        expected = truth(visible)
        missing = set(expected) - set(stored)
        assert not missing, f"{len(missing)} emitted events never arrived: {[expected[k] for k in list(missing)[:3]]}"
        assert set(stored) <= world_keys(self.sim), "an event the server never had"
        repeated = [k for k, n in self.added.items() if n > 1]
        assert not repeated, f"{len(repeated)} events announced twice"
        assert journal.count() == len(stored)
        return stored


@pytest.fixture
async def setup(tmp_path: Path) -> AsyncIterator[Setup]:
    sim = Simulator(SimConfig(token=TOKEN, seed=7, site="small", event_rate=0.0, hep=True))
    s = Setup(sim, tmp_path / "data")
    yield s
    await s.close()


async def test_every_emitted_event_appears_exactly_once(setup: Setup) -> None:
    stream, journal = setup.stream()
    await stream.poll_once()
    for _ in range(12):
        produce(setup.sim, 9)
        await setup.poll(stream)
        await stream.poll_once()  # an immediate second poll: nothing new, nothing twice
    stored = setup.check_exactly_once(journal)
    assert {e.source for e in stored.values()} == set(MONITORED)
    assert all(not e.backfilled for e in stored.values())
    # severity: the server's level where the record has one, the name otherwise; forced doors are alarms
    by_kind = {r["kind"]: stored[k] for k, r in truth(setup.sim.emitted).items()}
    assert by_kind["forced_open"].level is Level.ALARM
    assert by_kind["duress"].level is Level.ALARM
    assert by_kind["door_timeout"].level is Level.ALARM
    assert by_kind["unknown_card"].level is Level.WARNING
    assert by_kind["verify"].level is Level.NORMAL
    assert by_kind["gate_pass"].source is Source.GATE
    assert by_kind["temperature"].source is Source.TEMPERATURE


async def test_an_outage_of_minutes_leaves_no_hole_and_no_double(setup: Setup) -> None:
    stream, journal = setup.stream()
    backfills = []
    stream.gap_backfilled.connect(backfills.append)
    await stream.poll_once()
    produce(setup.sim, 10)
    await setup.poll(stream)
    setup.sim.set_faults(down_seconds=300)
    during = []
    for _ in range(28):  # nearly five minutes of polls answered 503 while the doors go on
        during += produce(setup.sim, 3, step=2)
        await setup.poll(stream, 4)
        assert stream.status(Source.ACCESS).state is SourceState.FAILING
    assert journal.count(None) < len(truth(setup.sim.emitted))
    setup.sim.world.clock.advance(30)  # the outage is over
    produce(setup.sim, 5)
    await setup.poll(stream)
    assert {s.state for s in stream.statuses.values()} == {SourceState.OK}
    stored = setup.check_exactly_once(journal)
    assert all(event_key(r, STORES[r["store"]]) in stored for r in during if r["store"] in STORES)
    assert {g.source for g in backfills} == set(MONITORED)
    assert all(g.status == "done" and g.reason == "outage" for g in backfills)


async def test_answers_lost_on_the_way_are_back_filled_and_marked(setup: Setup) -> None:
    stream, journal = setup.stream()
    await stream.poll_once()
    produce(setup.sim, 5)
    await setup.poll(stream)
    # the server handles every request but its answers never arrive: the monitor's cursor moves on
    setup.sim.set_faults(drop_rate=1.0)
    lost = []
    for _ in range(8):
        lost += produce(setup.sim, 4)
        await setup.poll(stream)
    setup.sim.set_faults(reset=True)
    await setup.poll(stream)
    stored = setup.check_exactly_once(journal)
    lost_keys = set(truth(lost))
    assert lost_keys
    assert all(stored[k].backfilled for k in lost_keys)
    assert sum(1 for e in stored.values() if e.backfilled) == len(lost_keys)
    gaps = journal.gaps()
    assert sum(g.count for g in gaps) == len(lost_keys)
    assert any(g.describe().startswith("back-filled ") for g in gaps)


async def test_random_faults_over_many_polls(setup: Setup) -> None:
    stream, journal = setup.stream()
    await stream.poll_once()
    setup.sim.set_faults(error_rate=0.2, drop_rate=0.2, malformed_rate=0.15)
    for _ in range(40):
        produce(setup.sim, 3)
        await setup.poll(stream)
    setup.sim.set_faults(reset=True)
    for _ in range(3):  # pending back-fills finish after good polls
        await setup.poll(stream)
    setup.check_exactly_once(journal)
    assert stream.pending_gaps == []
    assert stream.status(Source.TEMPERATURE).state is SourceState.OK  # faults never hide a source


async def test_a_restart_brings_history_back_and_fills_the_closed_time(setup: Setup) -> None:
    stream, journal = setup.stream()
    await stream.poll_once()
    produce(setup.sim, 20)
    await setup.poll(stream)
    before = journal.count()
    journal.close()
    closed = produce(setup.sim, 30, step=20)  # ten minutes with the console closed
    stream, journal = setup.stream()
    assert journal.count() == before
    await stream.poll_once()
    produce(setup.sim, 3)
    await setup.poll(stream)
    stored = setup.check_exactly_once(journal)
    assert all(stored[k].backfilled for k in truth(closed))
    assert {g.reason for g in journal.gaps()} == {"restart"}


async def test_replayed_monitor_answers_create_no_duplicates(setup: Setup) -> None:
    """A server that answers the monitor with everything since the first timestamp every time."""
    stream, journal = setup.stream()
    await stream.poll_once()
    client = setup.clients[-1]
    original = client.call
    answers: list[Any] = []

    async def replaying(section: str, /, body: Any = None, files: Any = None, **params: Any) -> Any:
        data = await original(section, body=body, files=files, **params)
        if section == "2.19.6":
            answers.append(data)
            return [record for answer in answers for record in answer]  # every answer so far, again
        return data

    client.call = replaying  # type: ignore[method-assign]
    for _ in range(6):
        produce(setup.sim, 6)
        await setup.poll(stream)
    setup.check_exactly_once(journal)
    assert sum(len(a) for a in answers) > 0


async def test_a_server_without_temperature(tmp_path: Path) -> None:
    sim = Simulator(SimConfig(token=TOKEN, seed=3, hep=False))
    setup = Setup(sim, tmp_path / "data")
    try:
        stream, journal = setup.stream()
        await stream.poll_once()
        produce(sim, 10)
        await setup.poll(stream)
        assert stream.status(Source.TEMPERATURE).state is SourceState.UNAVAILABLE
        assert Source.TEMPERATURE not in stream.available_sources
        setup.check_exactly_once(journal)
        hep_calls = [r for r in sim.requests if "hep" in r.path]
        await setup.poll(stream)
        assert [r for r in sim.requests if "hep" in r.path] == hep_calls
    finally:
        await setup.close()


async def test_alarms_from_the_server_reach_the_queue_and_acknowledging_clears_it(setup: Setup) -> None:
    stream, journal = setup.stream()
    audit = AuditLog()
    queue = AlarmQueue(journal, audit, clock=sim_clock(setup.sim), operator="night-guard")
    stream.events_added.connect(queue.offer)
    raised: list[int] = []
    queue.alarm_raised.connect(lambda alarms: raised.append(len(alarms)))
    await stream.poll_once()
    for kind in ("verify", "forced_open", "duress", "gate_pass"):
        setup.sim.world.clock.advance(1)
        setup.sim.emit(kind)
    await setup.poll(stream)
    assert len(queue) == 2
    assert raised == [2]
    # the duress is on top although the forced door came first; both are closed one by one, never in bulk
    assert [a.kind.value for a in queue.alarms] == ["duress", "forced"]
    assert queue.acknowledge([a.key for a in queue.alarms], note="patrol checked both") == []
    assert len(queue) == 2
    entries = [entry for alarm in queue.alarms for entry in queue.acknowledge([alarm.key], note="patrol checked both")]
    assert len(entries) == 2
    assert len(queue) == 0
    assert [row[0] for row in audit.rows] == ["alarm.acknowledge", "alarm.acknowledge"]
    for entry in entries:
        stored = journal.get(entry.target.removeprefix("event "))
        assert stored is not None
        assert stored.ack is not None
        assert stored.ack.note == "patrol checked both"
        assert stored.ack.operator == "night-guard"
    assert journal.count(None) == 4  # acknowledged alarms stay in the history


async def test_over_real_http_with_the_simulator_producing_events(tmp_path: Path) -> None:
    sim = Simulator(SimConfig(token=TOKEN, seed=11, site="small", event_rate=40.0, hep=True))
    async with sim.serve("127.0.0.1", 0) as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        async with Client(base_url, TOKEN) as client:
            with Journal(tmp_path / "data", clock=sim_clock(sim)) as journal:
                stream = EventStream(client, journal, interval=0.05, clock=sim_clock(sim))
                added: Counter[str] = Counter()
                stream.events_added.connect(lambda events: added.update(e.key for e in events))
                task = asyncio.create_task(stream.run())
                try:
                    await until(lambda: len(truth(sim.emitted)) >= 40, timeout=30)
                    snapshot = set(truth(sim.emitted))
                    await until(lambda: snapshot <= {k for k in added}, timeout=30)
                finally:
                    task.cancel()
                    with pytest.raises(asyncio.CancelledError):
                        await task
                assert max(added.values()) == 1
                assert set(added) <= world_keys(sim)
                assert journal.count() == len(added)
