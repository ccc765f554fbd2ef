from __future__ import annotations

from console.sim import SimConfig, Simulator
from console.ui.training import ACTIONS


def test_every_training_action_happens_on_the_demo_site() -> None:
    sim = Simulator(SimConfig(token="t-0123456789", seed=1, site="small", event_rate=0.0))
    before = len(sim.emitted)
    said = {title: action(sim) for title, action in ACTIONS}
    assert all(text and "not possible" not in text for text in said.values()), said
    names = [e["eventName"] for e in sim.emitted[before:]]
    assert "Door Opened Accidentally" in names
    assert sum(1 for n in names if "Duress" in n) == 1
    assert sim.faults.as_dict(sim.world.now()).get("down_seconds", 0) == 0  # "healthy again" cleared the outage
    assert all(d.online for d in sim.world.devices.values())
