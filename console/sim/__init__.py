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

See console/sim/README.md for the world, the semantics and the control surface.
"""

from .config import Faults, SimConfig
from .server import SimulatorThread
from .simulator import Simulator

__all__ = ["Faults", "SimConfig", "Simulator", "SimulatorThread"]
