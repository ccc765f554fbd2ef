"""Device lists and lookups of every module (2.10, 2.11, 2.23, 2.30, 2.31, 2.42).

Each answer spells the state field as that endpoint's example does (``state`` in the v1 lists, ``status``
elsewhere). ``sn`` missing -200, unknown device -102.
"""

from __future__ import annotations

from typing import Any

from .. import render
from ..http import Ctx, Rows, SimError
from ..world import Device
from . import handles

_MODULES = {
    "2.10": "acc", "2.11": "ele", "2.23": "att", "2.30": "ins", "2.31": "psg", "2.42": "space",
}


def _module(ctx: Ctx) -> str:
    return _MODULES[ctx.ep.section.rsplit(".", 1)[0]]


def _key(ctx: Ctx) -> str:
    return "state" if "state" in ctx.ep.response_fields else "status"


@handles("2.10.1", "2.10.3", "2.11.1", "2.11.3", "2.30.1", "2.30.2", "2.31.1", "2.31.3", "2.42.2")
def device_list(ctx: Ctx) -> Rows:
    module, key = _module(ctx), _key(ctx)
    devices = ctx.world.devices_of(module)
    sn, name = ctx.p.opt("sn"), ctx.p.opt("deviceName")
    if ctx.ep.section == "2.42.2" and (sn or name):  # optional filters (ERRATA 2.42.2)
        devices = [d for d in devices if (not sn or d.sn == sn) and (not name or name in d.name)]
    return Rows(devices, lambda d: render.device(d, key))


@handles("2.10.2", "2.11.2", "2.23.1", "2.31.2", "2.42.1")
def device_get(ctx: Ctx) -> dict[str, Any]:
    sn = ctx.p.require("sn", -200)
    device: Device | None = ctx.world.device_by_sn(sn)
    if device is None or device.module != _module(ctx):
        raise SimError(-102)
    return render.device(device, _key(ctx))
