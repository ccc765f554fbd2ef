"""Names and departments for pins, looked up once per connection (console.services.people_names), against the
simulator over HTTP on 127.0.0.1: batched, rate-limited, bounded, unknown pins not remembered for long."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from console.api import Client
from console.api.client import RetryPolicy
from console.services.people_names import PeopleNames
from console.sim import SimConfig, Simulator
from tests.helpers import until

TOKEN = "sim-token-for-names"


@dataclass
class Desk:
    sim: Simulator
    client: Client


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def desk() -> AsyncIterator[Desk]:
    sim = Simulator(SimConfig(token=TOKEN, seed=3, site="small", event_rate=0.0))
    async with sim.serve("127.0.0.1", 0) as base_url, Client(base_url, TOKEN, retry=RetryPolicy(attempts=1)) as c:
        yield Desk(sim, c)


async def test_a_flood_of_events_asks_for_each_pin_once_in_a_few_batches(desk: Desk) -> None:
    people = list(desk.sim.world.active_persons())[:60]
    names = PeopleNames(desk.client, batch=25, min_gap=0.01)
    changed: set[str] = set()
    names.names_changed.connect(changed.update)
    for _ in range(20):  # the same same people, twenty times over
        for p in people:
            names.get(p.pin)
    await until(lambda: all(names.peek(p.pin) is not None for p in people))
    batches = -(-len(people) // 25)
    assert len(people) > 25
    assert names.requests == batches
    first = people[0]
    known = names.peek(first.pin)
    assert known is not None
    assert known.found
    assert known.name == f"{first.name} {first.last_name}".strip()
    assert known.department == desk.sim.world.dept_name(first.dept_code)
    assert changed == {p.pin for p in people}
    for p in people:
        names.get(p.pin)  # known: nothing more is asked
    assert names.requests == batches
    await names.stop()


async def test_an_unknown_pin_is_asked_again_after_a_minute_only(desk: Desk) -> None:
    clock = Clock()
    names = PeopleNames(desk.client, min_gap=0.0, clock=clock)
    assert names.get("no-such-pin-77") is None
    await until(lambda: names.peek("no-such-pin-77") is not None)
    answer = names.peek("no-such-pin-77")
    assert answer is not None
    assert not answer.found
    names.get("no-such-pin-77")
    assert names.requests == 1
    clock.now += 61  # the person may have been enrolled meanwhile
    assert names.get("no-such-pin-77") is None
    await until(lambda: names.requests == 2 and names.peek("no-such-pin-77") is not None)
    await names.stop()


async def test_a_failed_look_up_is_not_an_answer_and_the_cache_is_bounded(desk: Desk) -> None:
    clock = Clock()
    people = list(desk.sim.world.active_persons())[:12]
    names = PeopleNames(desk.client, min_gap=0.0, size=5, clock=clock)
    desk.sim.set_faults(down_seconds=600)
    names.want([people[0].pin])
    await until(lambda: names.requests == 1 and not names._waiting and names._task is not None
                and names._task.done())
    assert names.peek(people[0].pin) is None  # not "unknown person": the server did not answer
    names.want([people[0].pin])
    assert names.requests == 1  # not asked again at once (a flood while the server is away asks nothing)
    desk.sim.set_faults(reset=True)
    clock.now += 61
    names.want(p.pin for p in people)
    await until(lambda: not names._waiting and names._task is not None and names._task.done())
    assert sum(1 for p in people if names.peek(p.pin) is not None) == 5  # the newest five kept
    await names.stop()


async def test_names_the_events_carry_are_learnt_without_asking(desk: Desk) -> None:
    names = PeopleNames(desk.client)
    names.learn([("4242", "Ann Lee", "Security")])
    known = names.get("4242")
    assert known is not None
    assert (known.name, known.department) == ("Ann Lee", "Security")
    assert names.requests == 0
    await names.stop()
