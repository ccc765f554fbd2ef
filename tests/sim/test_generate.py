"""World generation: deterministic per (seed, site), sized per site, varied, with hostile names where asked."""

from __future__ import annotations

import pytest

from console.sim.generate import HOSTILE_NAMES, build_world
from console.sim.rules import national_id_ok
from console.sim.world import World


def _fingerprint(world: World) -> list[object]:
    return [
        [d.name for d in world.doors.values()],
        [(p.pin, p.name, p.last_name) for p in world.persons.values()],
        sorted(world.cards),
        [(e.event_name, e.dev_sn, e.pin, e.point_name) for e in world.events["acc"]],
        [r.car_number for r in world.park_records],
    ]


def test_same_seed_and_site_give_the_same_world_and_another_seed_does_not() -> None:
    assert _fingerprint(build_world(5, "small")) == _fingerprint(build_world(5, "small"))
    assert _fingerprint(build_world(5, "small")) != _fingerprint(build_world(6, "small"))


def test_small_site_has_the_documented_shape_and_varied_state() -> None:
    w = build_world(1, "small")
    acc = [d for d in w.devices.values() if d.module == "acc"]
    assert 3 <= len(acc) <= 4
    assert len(w.doors) == 12
    assert 2 <= len(w.gates) <= 4
    assert 35 <= len(w.persons) <= 45
    assert {d.module for d in w.devices.values()} >= {"acc", "psg", "ele", "att", "ins", "space"}
    states = [w.door_state(d) for d in w.doors.values()]
    assert sum(s["connect"] == "2" for s in states) >= 1  # one disabled device
    assert sum(s["sensor"].lower() == "no sensor" for s in states) >= 1
    assert sum(s["relay"] == "open" for s in states) >= 1
    assert sum(s["sensor"] == "off" and s["relay"] == "off" for s in states) > len(states) / 2
    assert any(v.blocked for v in w.visitors.values())
    assert all(national_id_ok(v.cert_number) for v in w.visitors.values() if v.cert_type == "2")
    assert all(d.device_id in w.devices and d.area_id in w.areas for d in w.doors.values())
    assert all(len(d.reader_ids) == 2 for d in w.doors.values())


def test_medium_site_has_hostile_names_and_the_documented_size() -> None:
    w = build_world(1, "medium")
    assert 140 <= len(w.doors) <= 160
    assert len(w.gates) == 20
    assert 1900 <= len(w.persons) <= 2100
    names = {d.name for d in w.doors.values()}
    assert set(HOSTILE_NAMES) <= names
    assert any(len(n) > 200 for n in names)
    assert any(d.online is False for d in w.devices.values() if d.module == "acc")


def test_large_site_has_its_doors_gates_and_people() -> None:
    # How fast it builds is measured by the benchmarks, not asserted here.
    w = build_world(1, "large")
    assert len(w.doors) == 2000
    assert len(w.gates) == 200
    assert len(w.persons) == 20000


def test_unknown_site_is_refused() -> None:
    with pytest.raises(KeyError, match="huge"):
        build_world(1, "huge")


def test_history_events_have_unique_ids_and_content_keys() -> None:
    w = build_world(9, "medium")
    events = [e for store in w.events.values() for e in store]
    assert len({e.id for e in events}) == len(events)
    assert len({e.content_key for e in events}) == len(events)
    assert {e.level for e in events} == {0, 1, 2}
    assert any(e.photo for e in events)  # face verifications carry a capture photo


@pytest.mark.parametrize("start_at", ["03:00", "23:50"])
def test_a_simulator_started_at_a_time_of_day_lives_at_that_time(start_at: str) -> None:
    from datetime import datetime, timedelta

    from console.sim import SimConfig
    from console.sim.simulator import Simulator

    sim = Simulator(SimConfig(token="start-at-token-1", start_at=start_at))
    now = datetime.fromtimestamp(sim.world.now())
    wanted = datetime.combine(datetime.now().date(), datetime.strptime(start_at, "%H:%M").time())
    assert abs(now - wanted) < timedelta(seconds=30)
    # what the world made at start is around that time: the booking in progress began ten minutes before it
    starts = sorted(r["startAt"] for r in sim.world.table("space_reservations").values())
    assert any(abs(datetime.fromtimestamp(s) - (wanted - timedelta(minutes=10))) < timedelta(seconds=30)
               for s in starts)


@pytest.mark.parametrize("start_at", ["24:00", "3pm", "7", "03:00:00"])
def test_a_start_time_that_is_not_a_time_of_day_is_refused(start_at: str) -> None:
    from console.sim import SimConfig
    from console.sim.__main__ import main

    with pytest.raises(ValueError, match="HH:MM"):
        SimConfig(token="start-at-token-1", start_at=start_at)
    with pytest.raises(SystemExit) as caught:
        main(["--start-at", start_at])
    assert caught.value.code == 2
