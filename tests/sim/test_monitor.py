"""Real-time monitors: a timestamp names a cursor; no event twice; the same event reads the same in the lists."""

from __future__ import annotations

import time

import pytest

from console.api import ProtocolError
from tests.sim.helpers import client_for, make_sim

KEY = ("devSn", "eventTime", "eventName", "eventPointName", "pin", "cardNo")

MONITORS = [  # (monitor, v2 list, kinds that feed it)
    ("2.19.6", "2.19.5", ("verify", "unknown_card", "forced_open", "remote_open")),
    ("2.35.6", "2.35.5", ("gate_pass", "gate_remote_open")),
    ("2.27.2", "2.27.1", ("temperature",)),
]


def _key(record: dict[str, object]) -> tuple[object, ...]:
    return tuple(record[k] for k in KEY)


@pytest.mark.parametrize(("monitor", "listing", "kinds"), MONITORS)
async def test_the_same_timestamp_never_returns_an_event_twice(monitor: str, listing: str,
                                                               kinds: tuple[str, ...]) -> None:
    sim = make_sim()
    stamp = int(time.time() * 1000)
    async with client_for(sim) as client:
        assert await client.call(monitor, timestamp=stamp) == []  # nothing since that moment yet
        first = [sim.emit(kinds[i % len(kinds)]) for i in range(6)]
        seen = await client.call(monitor, timestamp=stamp)
        assert len(seen) == 6
        assert await client.call(monitor, timestamp=stamp) == []  # polled again: nothing new
        second = [sim.emit(kinds[0]) for _ in range(3)]
        more = await client.call(monitor, timestamp=stamp)
        assert [_key(r) for r in more] == [(e["devSn"], e["eventTime"], e["eventName"], e["eventPointName"],
                                            e["pin"], e["cardNo"]) for e in second]
        answer = await client.call(listing, pageNo=1, pageSize=50)
    stored = answer["data"] if isinstance(answer, dict) else answer  # 2.27.1 is a plain list
    by_key = {_key(r): r for r in stored}
    for record in seen + more:  # the monitor record and the stored record agree on the content key
        assert _key(record) in by_key
        assert record.get("id") in (None, "")  # real-time records carry no id
        assert by_key[_key(record)]["id"]
    assert len({_key(r) for r in seen + more}) == len(first) + len(second)


async def test_a_new_timestamp_starts_its_own_cursor_from_that_time() -> None:
    sim = make_sim()
    two_days_ago = int((time.time() - 86400 * 2) * 1000)
    async with client_for(sim) as client:
        history = await client.call("2.19.6", timestamp=two_days_ago)
        assert len(history) == len(sim.world.events["acc"])  # the whole day of history (under the cap)
        stamp = int(time.time() * 1000)
        assert await client.call("2.19.6", timestamp=stamp) == []
        sim.emit("verify")
        assert len(await client.call("2.19.6", timestamp=stamp)) == 1
        assert len(await client.call("2.19.6", timestamp=two_days_ago)) == 1  # each cursor sees it once
        assert await client.call("2.19.6", timestamp=int(time.time() * 1000) + 1000) == []


async def test_an_answer_lost_to_a_fault_is_lost_for_the_monitor_but_kept_in_the_lists() -> None:
    sim = make_sim()
    stamp = int(time.time() * 1000)
    async with client_for(sim) as client:
        await client.call("2.19.6", timestamp=stamp)
        lost = sim.emit("verify")
        sim.set_faults(malformed_rate=1.0)
        with pytest.raises(ProtocolError):
            await client.call("2.19.6", timestamp=stamp)
        sim.set_faults(reset=True)
        assert await client.call("2.19.6", timestamp=stamp) == []
        stored = (await client.call("2.19.5", pageNo=1, pageSize=5))["data"]
    assert stored[0]["id"] == lost["id"]


async def test_monitor_timestamp_is_required() -> None:
    from console.api import ApiError

    sim = make_sim()
    async with client_for(sim) as client:
        with pytest.raises(ApiError) as caught:
            await client.call("2.19.6")
    assert caught.value.code == -100
