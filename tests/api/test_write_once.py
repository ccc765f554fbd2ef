"""No request with a write method is ever sent twice by the client under injected faults.

The simulator logs every request that reaches it; each write below carries a unique marker, so the server
side can count how often each one arrived, whatever the faults did to the answers.
"""

from __future__ import annotations

import json
from collections import Counter

from console.api import CVSecError, RetryPolicy
from tests.sim.helpers import client_for, make_sim


async def test_writes_reach_the_server_exactly_once_under_error_drop_and_malformed_faults() -> None:
    sim = make_sim(seed=7)
    doors = [d for d in sim.world.doors.values() if sim.world.door_connect(d) == 1]
    sim.set_faults(error_rate=0.3, drop_rate=0.25, malformed_rate=0.25)
    failures = Counter[str]()
    async with client_for(sim, retry=RetryPolicy(attempts=3, backoff=0.0)) as client:
        for n in range(1, 61):
            door = doors[n % len(doors)]
            try:
                await client.call("2.12.8", doorId=door.id, interval=n)  # remote open, marker: interval
            except CVSecError as exc:
                failures[type(exc).__name__] += 1
            try:
                await client.call("2.14.1", pin=f"9{n:03d}", name="Write Once")  # JSON body, marker: pin
            except CVSecError as exc:
                failures[type(exc).__name__] += 1
            try:
                await client.call("2.14.5", pin=f"77{n:03d}")  # a read, retried when it fails
            except CVSecError as exc:
                failures[type(exc).__name__] += 1
    opens = Counter(r.query.split("interval=")[1].split("&")[0] for r in sim.requests
                    if r.method == "POST" and r.path == "/api/door/remoteOpenById")
    adds = Counter(json.loads(r.body)["pin"] for r in sim.requests
                   if r.method == "POST" and r.path == "/api/person/add")
    reads = Counter(r.query for r in sim.requests if r.method == "GET")
    assert set(failures) >= {"HTTPStatusError", "AnswerLostError", "ProtocolError"}  # every fault happened
    assert opens == {str(n): 1 for n in range(1, 61)}
    assert adds == {f"9{n:03d}": 1 for n in range(1, 61)}
    assert max(reads.values()) > 1  # reads were retried: the counting would have seen a repeated write
