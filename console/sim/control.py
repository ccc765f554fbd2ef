"""The trainer's and tests' control surface under ``/_sim`` (same token as the API; never faulted).

=========================  ========================================================================
``GET  /_sim/faults``      the current faults (``down_seconds`` is the time left)
``POST /_sim/faults``      partial update, e.g. ``{"drop_rate": 0.1}``; ``{}`` or ``{"reset": true}``
                           clears; 400 names a bad entry
``GET  /_sim/events``      the ground truth: every event produced since start (``?since=<seq>`` for
                           the ones after a sequence number); ``{"events": [...], "last": seq}``
``POST /_sim/emit``        ``{"kind": "forced_open", "door_id": "..."}``: make an event happen
``POST /_sim/door``        ``{"id": ..., "sensor"/"relay"/"alarm"/"connect"/"seconds": ...}``
``POST /_sim/device``      ``{"sn": ..., "online": false}`` (emits the disconnect/connect event)
``POST /_sim/clock``       ``{"advance": 60}``: move the world clock forward (QR rotation, tariffs)
``GET  /_sim/requests``    the last requests that reached the server (token masked)
``GET  /_sim/profile``     ``{"server_profile", "event_language", "tls", "certificate_sha256"}``
``POST /_sim/profile``     ``{"server_profile": "real", "event_language": "es", "state_codes": "api"}`` (any):
                           applies from the next request on; 400 names a bad value
``POST /_sim/training``    ``{"action": "forced_open"}``: a Training menu action by name (console/sim/training.py,
                           also ``clock:1800``, ``language:es``, ``profile:real``); ``{"text", "now"}``
=========================  ========================================================================
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from . import render

if TYPE_CHECKING:
    from .simulator import Simulator

__all__ = ["routes"]


def _guard(sim: Simulator, fn: Callable[[Request, dict[str, Any]], Any]) -> Callable[[Request], Awaitable[Response]]:
    from .app import UNAUTHORIZED, token_ok

    async def endpoint(request: Request) -> Response:
        if not token_ok(sim, request):
            return JSONResponse(UNAUTHORIZED, status_code=401)
        body: dict[str, Any] = {}
        if request.method == "POST":
            raw = await request.body()
            try:
                parsed = json.loads(raw) if raw else {}
            except ValueError:
                return JSONResponse({"error": "the body is not JSON"}, status_code=400)
            if not isinstance(parsed, dict):
                return JSONResponse({"error": "the body must be a JSON object"}, status_code=400)
            body = parsed
        sim.world.tick()
        try:
            return JSONResponse(fn(request, body))
        except (KeyError, LookupError, ValueError, TypeError) as exc:
            return JSONResponse({"error": str(exc).strip("'\"")}, status_code=400)

    return endpoint


def routes(sim: Simulator) -> list[Route]:
    world = sim.world

    def faults(request: Request, body: dict[str, Any]) -> Any:
        if request.method == "POST":
            return sim.set_faults(**body)
        return sim.faults.as_dict(world.now())

    def events(request: Request, body: dict[str, Any]) -> Any:
        since = int(request.query_params.get("since", "0") or 0)
        out = [e for e in sim.emitted if e["seq"] > since]
        return {"events": out, "last": out[-1]["seq"] if out else since}

    def emit(request: Request, body: dict[str, Any]) -> Any:
        kind = body.pop("kind", None)
        if not isinstance(kind, str):
            raise ValueError("kind is required")
        return sim.emit(kind, **body)

    def door(request: Request, body: dict[str, Any]) -> Any:
        door_id = body.pop("id", None)
        if not isinstance(door_id, str) or door_id not in world.doors:
            raise KeyError("unknown door id")
        world.force_door(door_id, **body)
        return render.door_state(world, world.doors[door_id])

    def device(request: Request, body: dict[str, Any]) -> Any:
        sn = body.get("sn")
        dev = world.device_by_sn(str(sn)) if sn else None
        if dev is None:
            raise KeyError("unknown device sn")
        if "enabled" in body:
            dev.enabled = bool(body["enabled"])
        if "online" in body:
            world.set_device_online(dev.sn, bool(body["online"]))
        return {**render.device(dev, "status"), "online": dev.online, "enabled": dev.enabled}

    def clock(request: Request, body: dict[str, Any]) -> Any:
        seconds = body.get("advance", 0)
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not 0 <= seconds <= 366 * 86400:
            raise ValueError("advance must be a number of seconds (0 .. one year)")
        world.clock.advance(float(seconds))
        world.tick()
        return {"offset": world.clock.offset, "now": world.now()}

    def requests(request: Request, body: dict[str, Any]) -> Any:
        return {"requests": [{"at": r.at, "method": r.method, "path": r.path, "query": r.query, "fault": r.fault}
                             for r in list(sim.requests)[-1000:]]}

    def profile(request: Request, body: dict[str, Any]) -> Any:
        if request.method == "POST":
            unknown = set(body) - {"server_profile", "event_language", "state_codes"}
            if unknown:
                raise ValueError(f"unknown setting {sorted(unknown)[0]!r}")
            language, codes = body.get("event_language"), body.get("state_codes")
            sim.set_server_profile(str(body.get("server_profile", sim.server_profile)),
                                   None if language is None else str(language), None if codes is None else str(codes))
        return {"server_profile": sim.server_profile, "event_language": sim.event_language,
                "state_codes": sim.state_codes, "tls": sim.certificate is not None,
                "certificate_sha256": sim.certificate_sha256}

    def training(request: Request, body: dict[str, Any]) -> Any:
        from .training import known, perform

        key = body.get("action")
        if not isinstance(key, str) or not known(key):
            raise ValueError("action must name a training action (console/sim/training.py)")
        try:
            text = perform(sim, key)
        except Exception as exc:  # a site where the action cannot happen: said, as the menu says it)
            return {"error": f"{type(exc).__name__}: {exc}", "now": world.now()}
        return {"text": text, "now": world.now()}

    table: list[tuple[str, list[str], Callable[[Request, dict[str, Any]], Any]]] = [
        ("/_sim/faults", ["GET", "POST"], faults),
        ("/_sim/events", ["GET"], events),
        ("/_sim/emit", ["POST"], emit),
        ("/_sim/door", ["POST"], door),
        ("/_sim/device", ["POST"], device),
        ("/_sim/clock", ["POST"], clock),
        ("/_sim/requests", ["GET"], requests),
        ("/_sim/profile", ["GET", "POST"], profile),
        ("/_sim/training", ["POST"], training),
    ]
    return [Route(path, _guard(sim, fn), methods=methods) for path, methods, fn in table]
