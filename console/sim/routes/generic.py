"""The long tail, table-driven: list and get-by-key views over world collections.

Each :class:`View` names a collection of the world, how a record renders, and (for lookups) which
parameter holds the key, the code when it is missing and the code when nothing matches. Listings are paged
and shaped by the framework from the catalog; lookups answer one object.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .. import render
from ..http import Ctx, Rows, SimError
from ..world import World
from . import handles


@dataclass(frozen=True, slots=True)
class View:
    items: Callable[[World], Iterable[Any]]
    render: Callable[[World, Any], dict[str, Any]]
    key: str = ""  # parameter naming one record; empty for a listing
    field: Callable[[Any], str] = lambda item: str(getattr(item, "id", ""))
    missing: int = -1
    unknown: int = -1
    what: str = "record"  # named in the message when the code is the generic -1
    filters: tuple[tuple[str, Callable[[Any], str]], ...] = ()  # (parameter, record text it must contain)


def _plain(world: World, row: dict[str, Any]) -> dict[str, Any]:
    """A table row on the wire: keys starting with ``_`` stay in the world."""
    return {k: v for k, v in row.items() if not k.startswith("_")}


def _table(name: str) -> Callable[[World], Iterable[Any]]:
    return lambda world: world.table(name).values()


def _areas(world: World, area: Any) -> dict[str, Any]:
    return {"id": area.id, "code": area.code, "name": area.name}


def _levels(kind: str) -> Callable[[World], Iterable[Any]]:
    return lambda world: (lv for lv in world.levels.values() if lv.kind == kind)


VIEWS: dict[str, View] = {
    # doors, floors, gates, readers
    "2.12.4": View(lambda w: w.doors.values(), render.door, key="id", missing=-44, unknown=-47),
    "2.12.5": View(lambda w: w.doors.values(), render.door),
    "2.12.10": View(lambda w: w.doors.values(), render.door),
    "2.13.1": View(lambda w: w.floors.values(), render.floor),
    "2.13.4": View(lambda w: w.floors.values(), render.floor),
    "2.15.1": View(lambda w: (r for r in w.readers.values() if r.door_id), render.reader),
    "2.15.2": View(lambda w: (r for r in w.readers.values() if r.door_id), render.reader, key="id", missing=-263,
                   unknown=-264),
    "2.15.3": View(lambda w: (r for r in w.readers.values() if r.door_id), render.reader),
    "2.32.4": View(lambda w: w.gates.values(), render.gate, key="id", missing=-263, unknown=-264),
    "2.32.5": View(lambda w: w.gates.values(), render.gate),
    "2.32.6": View(lambda w: w.gates.values(), render.gate),
    "2.34.1": View(lambda w: (r for r in w.readers.values() if r.gate_id), render.reader),
    "2.34.2": View(lambda w: (r for r in w.readers.values() if r.gate_id), render.reader),
    "2.34.3": View(lambda w: (r for r in w.readers.values() if r.gate_id), render.reader, key="id", missing=-263,
                   unknown=-264),
    # areas (attendance areas and FaceKiosk areas share the site's areas)
    "2.8.1": View(lambda w: w.areas.values(), _areas, key="code", field=lambda a: a.code, missing=-83, unknown=-80),
    "2.8.2": View(lambda w: w.areas.values(), _areas, key="code", field=lambda a: a.code, missing=-83, unknown=-80),
    "2.8.3": View(lambda w: w.areas.values(), _areas),
    "2.8.4": View(lambda w: w.areas.values(), _areas),
    "2.29.3": View(lambda w: w.areas.values(), _areas),
    "2.29.4": View(lambda w: w.areas.values(), _areas),
    # visitor levels
    "2.17.1": View(_levels("vis"), lambda w, lv: render.level(lv)),
    # attendance leave types
    "2.23.4": View(_table("leave_types"), _plain),
    # parking base data
    "2.36.1": View(_table("park_channels"), _plain),
    "2.41.1": View(_table("park_areas"), _plain),
    "2.41.2": View(_table("park_discounts"), _plain),
    "2.41.3": View(_table("park_entrances"), _plain),
    "2.41.4": View(_table("park_car_types"), _plain),
    "2.41.5": View(_table("park_spaces"), _plain, filters=(("areaId", lambda r: r["areaId"]),)),
    "2.41.6": View(_table("park_channels"), _plain),
    # consumption
    "2.38.1": View(_table("accounts"), _plain, key="personPin", field=lambda r: r["personPin"], missing=-20,
                   unknown=-22),
    # smart video
    "2.40.1": View(_table("ivs_parents"), _plain),
    "2.40.2": View(_table("ivs_channels"), _plain, filters=(("parentId", lambda r: r["vidParentDeviceId"]),)),
    # space facilities and services
    "2.44.1": View(_table("space_facilities"), _plain, filters=(("name", lambda r: r["name"]),)),
    "2.44.2": View(_table("space_facilities"), _plain, key="id", field=lambda r: r["id"], what="facility"),
    "2.45.1": View(_table("space_services"), _plain, filters=(("name", lambda r: r["name"]),)),
    "2.45.2": View(_table("space_services"), _plain, key="id", field=lambda r: r["id"], what="service"),
}


def _handler(view: View) -> Callable[[Ctx], Any]:
    def handle(ctx: Ctx) -> Any:
        world = ctx.world
        if view.key:
            key = ctx.p.opt(view.key)
            if key is None:
                raise SimError(view.missing, f"{view.key} cannot be empty" if view.missing == -1 else None)
            for item in view.items(world):
                if view.field(item) == key:
                    return view.render(world, item)
            raise SimError(view.unknown, f"the {view.what} does not exist" if view.unknown == -1 else None)
        items = list(view.items(world))
        for param, text in view.filters:
            wanted = ctx.p.opt(param)
            if wanted is not None:
                items = [item for item in items if wanted in text(item)]
        return Rows(items, lambda item: view.render(world, item))

    return handle


for _section, _view in VIEWS.items():
    handles(_section)(_handler(_view))
