"""Doors, floors and gates: live states and remote commands (2.12, 2.13, 2.32).

Remote commands act like a controller: the relay (and the sensor, if the door has one) opens for
``interval`` seconds and a "Remote Opening" event (eventNo 8) is stored. Codes: doorId missing -44, door
name missing -46, unknown door -47, interval missing -202, interval outside 1..254 -45 (floors too), floorId
missing -201, device offline or disabled -103. Gates have no codes of their own in the appendix; they are
addressed like their readers: gate id/name missing -263, unknown gate -264, openType missing -265, openType
other than 1 (entry) or 2 (exit) -266.

Real-server profile (``Simulator.real``): door states carry numeric ``sensor``/``relay``/``alarm``
(:func:`console.sim.profiles.numeric_door_state`); allDoorState answers a v2 page object on sites with more
than :data:`~console.sim.profiles.PAGED_DOOR_STATES_ABOVE` doors (``pageNo``/``pageSize`` optional, 1/100;
in either profile above :data:`~console.sim.profiles.PAGED_DOOR_STATES_ALWAYS_ABOVE`, the xl site);
a remote open (2.12.8/2.12.9) of a door that does not exist answers success and changes nothing. Gate states
are numeric codes in the manual already: the same in both profiles.
"""

from __future__ import annotations

from typing import Any

from .. import render
from ..events import emit
from ..http import MAX_PAGE_SIZE, Ctx, Rows, SimError
from ..profiles import (
    DEFAULT_DOOR_STATE_PAGE,
    PAGED_DOOR_STATES_ABOVE,
    PAGED_DOOR_STATES_ALWAYS_ABOVE,
    numeric_door_state,
)
from ..world import Door, Floor, Gate
from . import handles


def _door_by_id(ctx: Ctx) -> Door:
    door = ctx.world.doors.get(ctx.p.require("doorId", -44))
    if door is None:
        raise SimError(-47)
    return door


def _door_by_name(ctx: Ctx) -> Door:
    door = ctx.world.door_by_name(ctx.p.require("doorName", -46))
    if door is None:
        raise SimError(-47)
    return door


def _interval(ctx: Ctx) -> int:
    interval = ctx.p.integer("interval", missing=-202, bad=-45)
    if not 1 <= interval <= 254:
        raise SimError(-45)
    return interval


def _online(ctx: Ctx, thing: Door | Gate | Floor) -> None:
    connect = ctx.world.door_connect(thing) if isinstance(thing, Door) else ctx.world.device_of(thing).connect
    if connect != 1:
        raise SimError(-103)


def _state(ctx: Ctx, door: Door) -> dict[str, Any]:
    state = render.door_state(ctx.world, door)
    return numeric_door_state(state, ctx.sim.state_codes) if ctx.sim.real else state


def _page_number(ctx: Ctx, name: str, default: int) -> int:
    text = ctx.p.opt(name)
    if text is None:
        return default
    try:
        number = int(text)
    except ValueError:
        raise SimError(-90) from None
    if number <= 0:
        raise SimError(-90)
    return number


@handles("2.12.1")
def all_door_states(ctx: Ctx) -> Rows | dict[str, Any]:
    doors = list(ctx.world.doors.values())
    paged = len(doors) > (PAGED_DOOR_STATES_ABOVE if ctx.sim.real else PAGED_DOOR_STATES_ALWAYS_ABOVE)
    if not paged:
        return Rows(doors, lambda d: _state(ctx, d))
    # a large site on a real server, or the xl site: a v2 page object (the console must page through it)
    no, size = _page_number(ctx, "pageNo", 1), _page_number(ctx, "pageSize", DEFAULT_DOOR_STATE_PAGE)
    if size > MAX_PAGE_SIZE:
        raise SimError(-91)
    offset = (no - 1) * size
    window = [_state(ctx, d) for d in doors[offset : offset + size]]
    return {"page": no - 1, "size": size, "total": len(doors), "data": window, "offset": offset,
            "lastPage": offset + size >= len(doors)}


@handles("2.12.2")
def door_state_by_id(ctx: Ctx) -> dict[str, Any]:
    return _state(ctx, _door_by_id(ctx))


@handles("2.12.3")
def door_state_by_sn(ctx: Ctx) -> Rows:
    """One device has several doors: the answer is an array (ERRATA 2.12.3)."""
    device = ctx.world.device_by_sn(ctx.p.require("deviceSn", -48))
    if device is None:
        raise SimError(-102)
    doors = [d for d in ctx.world.doors.values() if d.device_id == device.id]
    return Rows(doors, lambda d: _state(ctx, d))


@handles("2.12.6", "2.12.7")
def remote_close(ctx: Ctx) -> None:
    door = _door_by_id(ctx) if ctx.ep.section == "2.12.6" else _door_by_name(ctx)
    _online(ctx, door)
    emit(ctx.world, "remote_close", door_id=door.id)


@handles("2.12.8", "2.12.9")
def remote_open(ctx: Ctx) -> None:
    if ctx.sim.real:  # real servers have been seen to answer success for a door that does not exist
        by_id = ctx.ep.section == "2.12.8"
        key = ctx.p.require("doorId", -44) if by_id else ctx.p.require("doorName", -46)
        if (ctx.world.doors.get(key) if by_id else ctx.world.door_by_name(key)) is None:
            _interval(ctx)
            return
    door = _door_by_id(ctx) if ctx.ep.section == "2.12.8" else _door_by_name(ctx)
    interval = _interval(ctx)
    _online(ctx, door)
    emit(ctx.world, "remote_open", door_id=door.id, interval=interval)


def _floor(ctx: Ctx) -> Floor:
    floor = ctx.world.floors.get(ctx.p.require("floorId", -201))
    if floor is None:
        raise SimError(-47, "Floor doesn't exist")
    return floor


@handles("2.13.2")
def floor_close(ctx: Ctx) -> None:
    floor = _floor(ctx)
    _online(ctx, floor)
    emit(ctx.world, "floor_remote_close", floor_id=floor.id)


@handles("2.13.3")
def floor_open(ctx: Ctx) -> None:
    floor = _floor(ctx)
    interval = _interval(ctx)
    _online(ctx, floor)
    emit(ctx.world, "floor_remote_open", floor_id=floor.id, interval=interval)


def _gate(ctx: Ctx, key: str) -> Gate:
    value = ctx.p.require(key, -263)
    gate = ctx.world.gates.get(value) if key == "gateId" else ctx.world.gate_by_name(value)
    if gate is None:
        raise SimError(-264)
    return gate


@handles("2.32.1")
def all_gate_states(ctx: Ctx) -> Rows:
    return Rows(list(ctx.world.gates.values()), lambda g: render.gate_state(ctx.world, g))


@handles("2.32.2")
def gate_state_by_id(ctx: Ctx) -> Rows:
    return Rows([_gate(ctx, "gateId")], lambda g: render.gate_state(ctx.world, g))


@handles("2.32.3")
def gate_state_by_sn(ctx: Ctx) -> Rows:
    device = ctx.world.device_by_sn(ctx.p.require("deviceSn", -48))
    if device is None:
        raise SimError(-102)
    gates = [g for g in ctx.world.gates.values() if g.device_id == device.id]
    return Rows(gates, lambda g: render.gate_state(ctx.world, g))


@handles("2.32.7", "2.32.8")
def gate_open(ctx: Ctx) -> None:
    gate = _gate(ctx, "gateId" if ctx.ep.section == "2.32.7" else "gateName")
    open_type = ctx.p.require("openType", -265)
    if open_type not in ("1", "2"):
        raise SimError(-266)
    _online(ctx, gate)
    emit(ctx.world, "gate_remote_open", gate_id=gate.id, open_type=int(open_type))
