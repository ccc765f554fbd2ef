"""The Starlette app: one route per (method, path) of the catalog, registered from the table.

The catalog's loader (``console.api.endpoints``) gives the URLs with our errata fixes; the simulator also
answers the misprinted variants (ERRATA): ``remoteCloseById``/``remoteCloseByName`` with a capital C (doors
and floors), ``uploadLeaveImage``, ``psgdDevice``, and ``/api/person/delete/{pin}{templateNo}`` (POST; the
last character is the template number 0-9). ``/api/device/acclist`` answers 2.10.1 (an array), as printed;
2.10.3 lives at ``/api/v2/device/list``. Where two sections share a URL the ERRATA's choice answers (2.41.7,
2.41.8, 2.35.5).

Token: every ``/api`` and ``/_sim`` request needs ``access_token`` (or ``acc_token`` on 2.19.1/2.19.2); a
missing or wrong token gets HTTP 401 ``{"code": -1, "message": "access_token is missing or invalid",
"data": null}``.

Server profile (``Simulator.server_profile``, read per request): with ``"real"`` an ``/api`` request with a
bad or missing token gets HTTP 200 ``{"code": -40, "message": "Authorize access failure"}`` (``/_sim`` keeps
401), and the routes of :data:`console.sim.profiles.ROUTE_SPELLINGS` answer only the spelling real servers
route (``remoteCloseById``, ``accList``): the printed spellings, and any other ``Endpoint.alt_paths``,
answer HTTP 404 as on a server that matches routes case-sensitively. The manual profile answers both.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from console.api.endpoints import ENDPOINTS, Endpoint, by_path

from . import control
from .faults import ASGIApp, FaultLayer
from .http import Ctx, Params, SimError, error_payload, ok_payload, paging, parse_body
from .profiles import AUTH_FAILURE, ROUTE_SPELLINGS
from .routes import Handler, handlers

if TYPE_CHECKING:
    from .simulator import Simulator

__all__ = ["UNAUTHORIZED", "build_app"]

log = logging.getLogger(__name__)

UNAUTHORIZED = {"code": -1, "message": "access_token is missing or invalid", "data": None}
TOKEN_NAMES = ("access_token",)
ACC_TOKEN_SECTIONS = frozenset({"2.19.1", "2.19.2"})
PREFERRED = frozenset({"2.41.7", "2.41.8", "2.35.5"})  # where two sections share a URL (ERRATA)
HEP_SECTIONS = frozenset({"2.27.1", "2.27.2"})

# printed spellings also answered: (method, path, section)
ALIASES = (  # (the route spellings of console.api.endpoints.ROUTE_SPELLINGS are served through Endpoint.alt_paths)
    ("POST", "/api/attApply/uploadLeaveImage", "2.23.5"),
    ("GET", "/api/psgdDevice/list", "2.31.1"),
)


def token_ok(sim: Simulator, request: Request, names: tuple[str, ...] = TOKEN_NAMES) -> bool:
    expected = sim.config.token.encode()
    for name in names:
        value = request.query_params.get(name)
        if value is not None and hmac.compare_digest(value.encode(), expected):
            return True
    return False


def _split_joined(params: Params) -> None:
    """``/api/person/delete/{pin}{templateNo}``: the template number is the last character (0-9)."""
    joined = params.path.pop("joined", "")
    params.path["pin"], params.path["templateNo"] = joined[:-1], joined[-1:]


def _not_found() -> Response:
    return Response(json.dumps({"code": -1, "message": "Not Found", "data": None}), status_code=404,
                    media_type="application/json")


def _endpoint(
    sim: Simulator, ep: Endpoint, handler: Handler, rewrite: Callable[[Params], None] | None = None,
    *, manual_only: bool = False,
) -> Callable[[Request], Any]:
    names = ("access_token", "acc_token") if ep.section in ACC_TOKEN_SECTIONS else TOKEN_NAMES

    async def endpoint(request: Request) -> Response:
        if manual_only and sim.real:  # a spelling only the manual prints: no such route on a real server
            return _not_found()
        if not token_ok(sim, request, names):
            if sim.real:
                return JSONResponse(dict(AUTH_FAILURE))
            return JSONResponse(UNAUTHORIZED, status_code=401)
        try:
            body, form, files = parse_body(request.headers.get("content-type", ""), await request.body())
        except ValueError as exc:
            return JSONResponse({"code": -1, "message": str(exc), "data": None}, status_code=400)
        query = {k: v for k, v in request.query_params.items() if k not in ("access_token", "acc_token")}
        params = Params(path=dict(request.path_params), query=query, body=body, form=form, files=files)
        if rewrite is not None:
            rewrite(params)
        try:
            page = paging(ep, params)
            payload = ok_payload(ep, handler(Ctx(sim, ep, params, page)), page)
        except SimError as err:
            payload = error_payload(ep, err)
        except Exception:
            log.exception("the simulator failed on %s %s", ep.section, ep.path)
            payload = error_payload(ep, SimError(-1))
        return JSONResponse(payload)

    return endpoint


_SPELLING_BY_SECTION = {section: (method, real, printed) for method, real, printed, section in ROUTE_SPELLINGS}


def api_routes(sim: Simulator) -> list[Route]:
    table = handlers()
    routes: list[Route] = []
    seen: set[tuple[str, str]] = set()

    def add(method: str, path: str, ep: Endpoint, *, manual_only: bool = False,
            rewrite: Callable[[Params], None] | None = None) -> None:
        if (method, path) in seen:  # the first registration of a URL answers it
            return
        seen.add((method, path))
        routes.append(Route(path, _endpoint(sim, ep, table[ep.section], rewrite, manual_only=manual_only),
                            methods=[method]))

    for (method, path), eps in by_path().items():
        ep = next((e for e in eps if e.section in PREFERRED), eps[0])
        if ep.section in HEP_SECTIONS and not sim.config.hep:
            continue
        spelling = _SPELLING_BY_SECTION.get(ep.section)
        real = spelling[1] if spelling is not None and spelling[0] == method else path
        add(method, real, ep)
        others = {path, *ep.alt_paths, *((spelling[2],) if spelling is not None else ())} - {real}
        for other in sorted(others):  # the printed spellings: answered by the manual profile only
            add(method, other, ep, manual_only=True)
    for method, path, section in ALIASES:
        add(method, path, ENDPOINTS[section])
    add("POST", "/api/person/delete/{joined}", ENDPOINTS["2.26.4"], rewrite=_split_joined)
    return routes


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    detail = exc.detail if isinstance(exc, HTTPException) else "Program error"
    return Response(json.dumps({"code": -1, "message": detail, "data": None}), status_code=status,
                    media_type="application/json")


def build_app(sim: Simulator) -> ASGIApp:
    app = Starlette(
        routes=[*api_routes(sim), *control.routes(sim)],
        exception_handlers={404: _http_error, 405: _http_error},
    )
    return FaultLayer(app, sim)

