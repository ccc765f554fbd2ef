"""The xl site (10,000 doors, 1,000 gates): allDoorState answers in pages, and the client reads every door.

Over HTTP on 127.0.0.1.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from console.api import Client, RetryPolicy
from console.sim import SimConfig, Simulator
from tests.sim.helpers import TOKEN


def _state_pages(sim: Simulator) -> list[dict[str, list[str]]]:
    return [parse_qs(r.query) for r in sim.requests if r.path.endswith("/allDoorState")]


async def test_every_door_of_the_xl_site_arrives_through_its_pages() -> None:
    # the manual profile: the xl site pages there too (the real profile pages from 500 doors:
    # tests/services/test_real_servers.py); one world, as building 10,000 doors takes a second or more
    sim = Simulator(SimConfig(token=TOKEN, seed=1, site="xl"))
    assert (len(sim.world.doors), len(sim.world.gates)) == (10_000, 1_000)
    async with sim.serve() as url, Client(url, TOKEN, retry=RetryPolicy(attempts=1)) as client:
        records = await client.door_state_records()
        assert len(records) == 10_000
        assert {r["id"] for r in records} == set(sim.world.doors)
        first = _state_pages(sim)
        # the first answer is the server's default page; the rest is read 500 at a time from page 1
        assert "pageNo" not in first[0]
        assert [q["pageNo"] for q in first[1:]] == [[str(n)] for n in range(1, 21)]
        assert all(q["pageSize"] == ["500"] for q in first[1:])

        sim.requests.clear()
        again = await client.door_state_records()  # the next poll asks for the big pages at once
        assert len(again) == 10_000
        assert len(_state_pages(sim)) == 20
