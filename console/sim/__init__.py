"""The CVSecurity simulator: a stateful server speaking the manual's API, for demo, training and tests.

::

    from console.sim import Simulator, SimConfig, SimulatorThread
    sim = Simulator(SimConfig(token="T", seed=1, site="small", event_rate=0.0, hep=True, faults=None,
                              server_profile="manual", event_language="en", tls=False))
    sim.set_server_profile("real", event_language="es")   # behave like a real server (at once)
    sim.certificate_pem, sim.certificate_sha256           # with tls=True
    sim.app                      # the ASGI app (httpx.ASGITransport(app=sim.app))
    async with sim.serve(host="127.0.0.1", port=0) as base_url: ...
    t = SimulatorThread(cfg); base_url = t.start(); t.call(fn, *args); t.stop()
    p = SimulatorProcess(cfg); base_url = p.start(); p.perform("forced_open"); p.stop()  # its own process

See console/sim/README.md for the world, the semantics and the control surface. The names are imported on
first use (PEP 562): ``console.sim.training`` or ``console.sim.process`` alone do not load Starlette, uvicorn
or the world generator (the console's demo mode runs the simulator in another process).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .config import Faults, SimConfig
    from .process import SimulatorProcess
    from .server import SimulatorThread
    from .simulator import Simulator

__all__ = ["Faults", "SimConfig", "Simulator", "SimulatorProcess", "SimulatorThread"]

_WHERE = {"Faults": ".config", "SimConfig": ".config", "Simulator": ".simulator", "SimulatorThread": ".server",
          "SimulatorProcess": ".process"}


def __getattr__(name: str) -> Any:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(where, __name__), name)
    globals()[name] = value
    return value
