"""The :class:`Simulator`: a world, its ASGI app, its faults, and a way to serve it."""

from __future__ import annotations

import asyncio
import random
from collections import deque
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any

from . import events
from .app import build_app
from .config import Faults, SimConfig, check_language, check_profile, check_state_codes, start_offset
from .faults import ASGIApp, RequestRecord
from .generate import build_world
from .render import park_in, park_out
from .world import Clock, Event, ParkRecord, World

if TYPE_CHECKING:
    import socket

    from .tls import SelfSigned

__all__ = ["Simulator"]


class Simulator:
    """``Simulator(SimConfig(token=...))`` builds the world and the app; nothing runs until served.

    - ``sim.app``: the ASGI app (``httpx.ASGITransport(app=sim.app)`` drives it in-process)
    - ``sim.world``: the state (doors, gates, devices, persons...; ``set_device_online``, ``force_door``)
    - ``sim.emit(kind, **fields)``: make an event happen (console.sim.events); returns its ground-truth dict
    - ``sim.emitted``: every event produced since the world was built, oldest first (ground truth)
    - ``sim.faults`` / ``sim.set_faults(**changes)``: injected faults (console.sim.config.Faults)
    - ``sim.requests``: the last 10,000 requests that reached the server (token masked)
    - ``async with sim.serve(host, port) as base_url``: uvicorn on a pre-bound socket plus the activity task
      (``https://`` with ``SimConfig(tls=True)``)
    - ``sim.server_profile`` / ``sim.set_server_profile("real", event_language="es")``: behave like the manual
      or like a real server, at once (console/sim/profiles.py); ``sim.event_language`` /
      ``sim.set_event_language("zh")``
    - ``sim.state_codes``: the real profile's numeric door-state table (``"api"`` or ``"controller"``)
    - ``sim.certificate_pem`` / ``sim.certificate_sha256``: the self-signed certificate made at start with
      ``tls=True`` (PEM text; lowercase hex SHA-256 of its DER), ``None`` without TLS
    """

    def __init__(self, config: SimConfig) -> None:
        self.config = config
        self.server_profile: str = check_profile(config.server_profile)
        self.event_language: str = check_language(config.event_language)
        self.state_codes: str = check_state_codes(config.state_codes)
        self.certificate: SelfSigned | None = None
        if config.tls:  # cryptography is imported only when asked for (start-up time)
            from .tls import make_self_signed

            self.certificate = make_self_signed()
        clock = Clock()
        clock.offset = start_offset(config.start_at)  # the time of day a trainer or a test asked for
        self.world: World = build_world(config.seed, config.site, clock)
        self.faults = Faults()
        if config.faults:
            self.faults.update(config.faults, self.world.now())
        self.fault_rng = random.Random(config.seed * 104729 + 7)
        self.requests: deque[RequestRecord] = deque(maxlen=10_000)
        self.app: ASGIApp = build_app(self)
        self.server_task: asyncio.Task[None] | None = None  # uvicorn's task while served

    def __repr__(self) -> str:
        return (f"<Simulator site={self.config.site} seed={self.config.seed} profile={self.server_profile} "
                f"language={self.event_language}{' tls' if self.certificate else ''}>")

    @property
    def real(self) -> bool:
        """True while the simulator behaves like a real server (``server_profile == "real"``)."""
        return self.server_profile == "real"

    def set_server_profile(self, profile: str, event_language: str | None = None,
                           state_codes: str | None = None) -> None:
        """Behave like the manual (``"manual"``) or like a real server (``"real"``) from the next request on.

        ``event_language`` and ``state_codes`` (optional) change the language of event names and the numeric
        door-state table as well. TLS cannot change while served: it is chosen by ``SimConfig(tls=...)``.
        ``ValueError`` for an unknown value (then nothing changes).
        """
        profile = check_profile(profile)
        language = self.event_language if event_language is None else check_language(event_language)
        codes = self.state_codes if state_codes is None else check_state_codes(state_codes)
        self.server_profile, self.event_language, self.state_codes = profile, language, codes

    def set_event_language(self, language: str) -> None:
        """Event names in ``language`` (``en``, ``es``, ``zh``, ``pt``) from the next request on."""
        self.event_language = check_language(language)

    @property
    def certificate_pem(self) -> str | None:
        return self.certificate.pem if self.certificate else None

    @property
    def certificate_sha256(self) -> str | None:
        return self.certificate.sha256 if self.certificate else None

    def set_faults(self, **changes: Any) -> dict[str, float]:
        """Partial update of the faults (``set_faults()`` or ``set_faults(reset=True)`` clears them)."""
        self.faults.update(changes, self.world.now())
        return self.faults.as_dict(self.world.now())

    def emit(self, kind: str, **fields: Any) -> dict[str, Any]:
        """Make ``kind`` happen now (see console.sim.events); the event's ground-truth form.

        For ``park_entry``/``park_exit`` the parking record (2.41.7/2.41.8 form); ``{}`` when nothing
        happened (a device that was already offline).
        """
        result = events.emit(self.world, kind, **fields)
        if isinstance(result, Event):
            return events.render_truth(result)
        if isinstance(result, ParkRecord):
            return park_out(result) if result.check_out is not None else park_in(result)
        return {}

    @property
    def emitted(self) -> list[dict[str, Any]]:
        return [events.render_truth(e) for e in self.world.emitted()]

    def serve(self, host: str = "127.0.0.1", port: int = 0, *,
              sock: socket.socket | None = None) -> AbstractAsyncContextManager[str]:
        """Serve on ``host:port`` in the running loop (port 0: any free port), or on ``sock`` (bound and listening
        already: :func:`console.sim.listen.bind`); yields the base URL."""
        from .server import serve

        return serve(self, host, port, sock=sock)
