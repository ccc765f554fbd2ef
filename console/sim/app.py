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
ALIASES = (
    ("POST", "/api/door/remoteCloseById", "2.12.6"),
    ("POST", "/api/door/remoteCloseByName", "2.12.7"),
    ("POST", "/api/floor/remoteCloseById", "2.13.2"),
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


def _endpoint(
    sim: Simulator, ep: Endpoint, handler: Handler, rewrite: Callable[[Params], None] | None = None
) -> Callable[[Request], Any]:
    names = ("access_token", "acc_token") if ep.section in ACC_TOKEN_SECTIONS else TOKEN_NAMES

    async def endpoint(request: Request) -> Response:
        if not token_ok(sim, request, names):
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


def api_routes(sim: Simulator) -> list[Route]:
    table = handlers()
    routes: list[Route] = []
    for (method, path), eps in by_path().items():
        ep = next((e for e in eps if e.section in PREFERRED), eps[0])
        if ep.section in HEP_SECTIONS and not sim.config.hep:
            continue
        routes.append(Route(path, _endpoint(sim, ep, table[ep.section]), methods=[method]))
    for method, path, section in ALIASES:
        routes.append(Route(path, _endpoint(sim, ENDPOINTS[section], table[section]), methods=[method]))
    routes.append(Route("/api/person/delete/{joined}",
                        _endpoint(sim, ENDPOINTS["2.26.4"], table["2.26.4"], _split_joined), methods=["POST"]))
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

