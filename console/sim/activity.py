"""The live activity generator: ``event_rate`` events per second (Poisson arrivals; 0 = none).

The mix (weights): verifications at doors 55 (card, fingerprint, face), gate passes 12, unknown cards 5,
denied 3, floor verifications 5, temperature readings 5 (only with hep), attendance punches 3, forced-open
doors 2, doors left open 2, duress 1, a device dropping offline for 20-90 s 1, cars entering 3 and
leaving 3. Whatever the rate, the task also runs the world's scheduled actions (a device coming back)
about twice a second.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING

from .events import emit

if TYPE_CHECKING:
    from .simulator import Simulator

__all__ = ["MIX", "run_activity"]

log = logging.getLogger(__name__)

MIX: tuple[tuple[str, int], ...] = (
    ("verify", 55), ("gate_pass", 12), ("unknown_card", 5), ("denied", 3), ("floor", 5), ("temperature", 5),
    ("att", 3), ("forced_open", 2), ("door_timeout", 2), ("duress", 1), ("device_offline", 1),
    ("park_entry", 3), ("park_exit", 3),
)
TICK = 0.5


def one_event(sim: Simulator) -> None:
    """Produce one random event of the mix (nothing when no door/gate/floor fits)."""
    world = sim.world
    kinds = [(k, w) for k, w in MIX if k != "temperature" or sim.config.hep]
    kind = world.rng.choices([k for k, _ in kinds], weights=[w for _, w in kinds])[0]
    fields: dict[str, object] = {}
    if kind == "device_offline":
        fields["seconds"] = world.rng.uniform(20, 90)
    with contextlib.suppress(LookupError):  # nothing fits (every door offline...)
        emit(world, kind, **fields)


async def run_activity(sim: Simulator) -> None:
    """Run until cancelled."""
    rate = max(0.0, float(sim.config.event_rate))
    world = sim.world
    loop = asyncio.get_running_loop()
    next_event = loop.time() + (world.rng.expovariate(rate) if rate else 0.0)
    while True:
        try:
            world.tick()
            now = loop.time()
            if rate:
                produced = 0
                while next_event <= now and produced < 1000:
                    one_event(sim)
                    produced += 1
                    next_event += world.rng.expovariate(rate)
                if next_event < now:  # far behind (a suspended laptop): do not replay the backlog
                    next_event = now
            wait = min(TICK, max(0.0, next_event - loop.time())) if rate else TICK
        except Exception:
            log.exception("the activity generator failed; it carries on")
            wait = TICK
        await asyncio.sleep(wait)
