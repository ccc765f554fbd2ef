"""Access, elevator and entrance-control levels (2.1, 2.3, 2.33): the same operations on three kinds.

Codes: person or level ids missing -42, level id/name missing -43, unknown person -22, unknown level -24,
unknown area -80, door name missing -46, unknown door -47, sync with every device of the level offline -105.
"""

from __future__ import annotations

from typing import Any

from .. import render
from ..http import Ctx, Params, Rows, SimError
from ..world import Level
from . import handles


def _level(ctx: Ctx, kind: str, *, by: str) -> Level:
    key = ctx.p.require(by, -43)
    for level in ctx.world.levels.values():
        if level.kind == kind and (level.id if by in ("id", "levelId") else level.name) == key:
            return level
    raise SimError(-24)


def _levels(ctx: Ctx, kind: str, ids: list[str]) -> list[Level]:
    found = []
    for level_id in ids:
        level = ctx.world.levels.get(level_id)
        if level is None or level.kind != kind:
            raise SimError(-24)
        found.append(level)
    return found


def _pin_and_levels(ctx: Ctx, kind: str) -> tuple[str, list[Level]]:
    pin, ids = ctx.p.opt("pin"), ctx.p.items("levelIds")
    if pin is None or not ids:
        raise SimError(-42)
    if pin not in ctx.world.persons:
        raise SimError(-22)
    return pin, _levels(ctx, kind, ids)


def _register(kind: str, sections: dict[str, str]) -> None:
    """Register the handlers of one level kind; ``sections`` maps an operation to its section."""

    def get_by_id(ctx: Ctx) -> dict[str, Any]:
        return render.level(_level(ctx, kind, by="id"))

    def get_by_name(ctx: Ctx) -> dict[str, Any]:
        return render.level(_level(ctx, kind, by="name"))

    def listing(ctx: Ctx) -> Rows:
        return Rows([lv for lv in ctx.world.levels.values() if lv.kind == kind], render.level)

    def delete_person(ctx: Ctx) -> None:
        pin, levels = _pin_and_levels(ctx, kind)
        for level in levels:
            level.pins.discard(pin)

    def add_person(ctx: Ctx) -> None:
        pin, levels = _pin_and_levels(ctx, kind)
        for level in levels:
            level.pins.add(pin)

    def sync_level(ctx: Ctx) -> None:
        level = _level(ctx, kind, by="levelId")
        world = ctx.world
        devices = {_target_device(ctx, kind, t) for t in level.targets} - {""}
        live = [d for d in devices if world.devices[d].enabled]
        if live and not any(world.devices[d].online for d in live):
            raise SimError(-105)
        level.synced_at = world.now()

    ops = {"get_by_id": get_by_id, "get_by_name": get_by_name, "list": listing, "delete_person": delete_person,
           "add_person": add_person, "sync_level": sync_level, "sync_person": add_person}
    for op, section in sections.items():
        for one in section.split():
            handles(one)(ops[op])


def _target_device(ctx: Ctx, kind: str, target: str) -> str:
    tables: dict[str, dict[str, Any]] = {"acc": ctx.world.doors, "ele": ctx.world.floors, "psg": ctx.world.gates}
    thing = tables[kind].get(target)
    return thing.device_id if thing is not None else ""


_register("acc", {"delete_person": "2.1.1", "get_by_id": "2.1.2 2.1.3", "get_by_name": "2.1.4 2.1.5",
                  "list": "2.1.6 2.1.9", "sync_level": "2.1.7", "sync_person": "2.1.8", "add_person": "2.1.12"})
_register("ele", {"delete_person": "2.3.1", "get_by_id": "2.3.2", "get_by_name": "2.3.3", "list": "2.3.4 2.3.7",
                  "sync_level": "2.3.5", "sync_person": "2.3.6"})
_register("psg", {"delete_person": "2.33.1", "get_by_id": "2.33.2 2.33.3", "get_by_name": "2.33.4 2.33.5",
                  "list": "2.33.6 2.33.9", "sync_level": "2.33.7", "sync_person": "2.33.8"})


def _rows(ctx: Ctx) -> list[Params]:
    body = ctx.p.body
    rows = body if isinstance(body, list) else [body] if isinstance(body, dict) else []
    return [Params(body=row) for row in rows if isinstance(row, dict)]


@handles("2.1.10")
def add_levels(ctx: Ctx) -> None:
    world = ctx.world
    batch = _rows(ctx)
    if not batch:
        raise SimError(-43)
    plans = []
    for row in batch:
        name = row.require("name", -43)
        area_name = row.opt("areaName")
        area = next((a for a in world.areas.values() if a.name == area_name), None)
        if area is None:
            raise SimError(-80)
        plans.append((name, area.id, row.text("timeSegName", "24-Hour Accessible")))
    for name, area_id, time_seg in plans:
        level = next((lv for lv in world.levels.values() if lv.kind == "acc" and lv.name == name), None)
        if level is None:
            level = Level(world.new_id(), name, "acc")
            world.levels[level.id] = level
        level.area_id, level.time_seg = area_id, time_seg


@handles("2.1.11")
def add_level_doors(ctx: Ctx) -> None:
    world = ctx.world
    batch = _rows(ctx)
    if not batch:
        raise SimError(-46)
    plans = []
    for row in batch:
        door = world.door_by_name(row.require("doorName", -46))
        if door is None:
            raise SimError(-47)
        plans.append((row.require("levelName", -43), door.id))
    for level_name, door_id in plans:
        level = next((lv for lv in world.levels.values() if lv.kind == "acc" and lv.name == level_name), None)
        if level is None:
            level = Level(world.new_id(), level_name, "acc", next(iter(world.areas)))
            world.levels[level.id] = level
        level.targets.add(door_id)


@handles("2.33.10")
def psg_add_by_level(ctx: Ctx) -> None:
    batch = _rows(ctx)
    plans = []
    for row in batch:
        (level,) = _levels(ctx, "psg", [row.require("levelId", -43)])
        pins = row.items("pins")
        if not pins:
            raise SimError(-42)
        if any(pin not in ctx.world.persons for pin in pins):
            raise SimError(-22)
        plans.append((level, pins))
    if not plans:
        raise SimError(-42)
    for level, pins in plans:
        level.pins.update(pins)


@handles("2.33.11")
def psg_add_by_person(ctx: Ctx) -> None:
    batch = _rows(ctx)
    plans = []
    for row in batch:
        pin = row.require("pin", -42)
        if pin not in ctx.world.persons:
            raise SimError(-22)
        ids = row.items("levelIds")
        if not ids:
            raise SimError(-42)
        plans.append((pin, _levels(ctx, "psg", ids)))
    if not plans:
        raise SimError(-42)
    for pin, levels in plans:
        for level in levels:
            level.pins.add(pin)
