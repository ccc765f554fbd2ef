"""Spaces, facilities, services and space reservations (2.43-2.46).

The appendix has no space codes; failures are -1 with a message saying what is wrong, except an unknown
person (-22) and unreadable or reversed times (-100/-101). Deletes, cancels and finishes take one id or a
comma-separated list and answer ``Succeed: n, Failed: m.`` with ``data: []`` as the manual shows.

A reservation's ``reservationStatus`` follows the clock: 0 to be started, 1 in progress (start <= now <
end), 2 ended (after its end, or finished with 2.46.5), 3 cancelled (2.46.4). Only a reservation that is to
be started or in progress can be cancelled; only one in progress can be finished. A space is ``status`` 1 (in
use) while one of its reservations is in progress. Facility numbers must be greater than 20 (1..20 are the
built-ins', ERRATA 2.44.4); built-in facilities and services cannot be deleted.
"""

from __future__ import annotations

from typing import Any

from ..http import Ctx, Reply, Rows, SimError
from ..world import World, fmt_time
from . import handles


def _status(world: World, r: dict[str, Any]) -> int:
    now = world.now()
    if r["cancelled"]:
        return 3
    if r["finished"] or now >= r["endAt"]:
        return 2
    return 1 if now >= r["startAt"] else 0


def _reservation_row(world: World, r: dict[str, Any], *, participants: bool = False) -> dict[str, Any]:
    space = world.table("spaces").get(r["spaceId"], {})
    person = world.persons.get(r["applyPersonPin"])
    out = {
        "id": r["id"], "subject": r["subject"], "content": r["content"], "spaceId": r["spaceId"],
        "spaceName": space.get("name", ""), "spaceAddress": space.get("address", ""),
        "startSignInDateTime": fmt_time(r["startAt"] - 60 * int(r["startSignInTime"])),
        "startTime": fmt_time(r["startAt"]), "endTime": fmt_time(r["endAt"]),
        "startSignInTime": int(r["startSignInTime"]), "applyPersonId": person.id if person else "",
        "applyPersonPin": r["applyPersonPin"], "applyPersonName": person.name if person else "",
        "applyPersonLastName": person.last_name if person else "", "applyPersonEmail": r["applyPersonEmail"],
        "serviceIds": r["serviceIds"], "reservationStatus": _status(world, r), "remindTime": r["remindTime"],
    }
    if participants:
        out["participantIds"] = r["participantIds"] or None
    return out


def _space_row(world: World, s: dict[str, Any]) -> dict[str, Any]:
    busy = any(r["spaceId"] == s["id"] and _status(world, r) == 1 for r in world.table("space_reservations").values())
    return {**s, "status": "1" if busy and s["status"] == "0" else s["status"]}


def _id(ctx: Ctx) -> str:
    value = ctx.p.opt("id")
    if value is None:
        raise SimError(-1, "id cannot be empty")
    return value


def _get(ctx: Ctx, table: str, what: str) -> dict[str, Any]:
    row = ctx.world.table(table).get(_id(ctx))
    if row is None:
        raise SimError(-1, f"the {what} does not exist")
    return row


def _batch(ctx: Ctx, table: str, ok: Any) -> Reply:
    """Apply ``ok(row) -> bool`` to every id given; the manual's ``Succeed: n, Failed: m.`` answer."""
    ids = ctx.p.items("id")
    if not ids:
        raise SimError(-1, "id cannot be empty")
    rows = ctx.world.table(table)
    done = sum(1 for i in ids if i in rows and ok(rows[i]))
    return Reply([], f"Succeed: {done}, Failed: {len(ids) - done}.")


# -- spaces ----------------------------------------------------------------------------------------


@handles("2.43.1")
def space_list(ctx: Ctx) -> Rows:
    name = ctx.p.opt("name")
    rows = [s for s in ctx.world.table("spaces").values() if not name or name in s["name"]]
    return Rows(rows, lambda s: _space_row(ctx.world, s))


@handles("2.43.2")
def space_get(ctx: Ctx) -> dict[str, Any]:
    return _space_row(ctx.world, _get(ctx, "spaces", "space"))


@handles("2.43.3")
def space_delete(ctx: Ctx) -> Reply:
    spaces = ctx.world.table("spaces")
    return _batch(ctx, "spaces", lambda row: spaces.pop(row["id"]) is not None)


@handles("2.43.4")
def space_add(ctx: Ctx) -> None:
    p, world = ctx.p, ctx.world
    name = p.opt("name")
    if name is None:
        raise SimError(-1, "name cannot be empty")
    try:
        capacity = int(p.text("capacity", "0"))
    except ValueError:
        capacity = 0
    if capacity <= 0:
        raise SimError(-1, "capacity must be a number greater than 0")
    owner = world.persons.get(p.require("personPin", -20))
    if owner is None:
        raise SimError(-22)
    retention = p.text("retentionTime")
    if retention not in ("", "15", "30", "45", "60"):
        raise SimError(-1, "retentionTime must be 15, 30, 45, 60 or empty")
    devices = p.items("spaceDeviceIds")
    if any(d not in world.devices or world.devices[d].module != "space" for d in devices):
        raise SimError(-102)
    facilities = p.items("spaceFacilityIds")
    if any(f not in world.table("space_facilities") for f in facilities):
        raise SimError(-1, "unknown facility id")
    space_id = p.opt("id")
    spaces = world.table("spaces")
    if space_id is not None and space_id not in spaces:
        raise SimError(-1, "the space does not exist")
    row = spaces.get(space_id or "") or {"id": world.new_id(), "status": "0", "picture": "",
                                          "authAreaName": next(iter(world.areas.values())).name}
    row.update(name=name, capacity=str(capacity), personId=owner.id, personPin=owner.pin,
               personTel=p.text("personTel", owner.mobile), address=p.text("address"), remark=p.text("remark"),
               retentionTime=retention, smartSpace=p.flag("smartSpace"), spaceDeviceIds=",".join(devices),
               spaceFacilityIds=",".join(facilities), picture=p.text("picture", row["picture"]))
    spaces[row["id"]] = row


# -- facilities and services -----------------------------------------------------------------------


@handles("2.44.3")
def facility_delete(ctx: Ctx) -> Reply:
    rows = ctx.world.table("space_facilities")
    return _batch(ctx, "space_facilities", lambda r: not r["initFlag"] and rows.pop(r["id"]) is not None)


@handles("2.45.3")
def service_delete(ctx: Ctx) -> Reply:
    rows = ctx.world.table("space_services")
    return _batch(ctx, "space_services", lambda r: not r["initFlag"] and rows.pop(r["id"]) is not None)


def _upsert(ctx: Ctx, table: str, what: str, fields: dict[str, Any]) -> None:
    rows = ctx.world.table(table)
    row_id = ctx.p.opt("id")
    if row_id is not None and row_id not in rows:
        raise SimError(-1, f"the {what} does not exist")
    row = rows.get(row_id or "") or {"id": ctx.world.new_id(), "initFlag": False}
    if row["initFlag"]:
        raise SimError(-1, f"a built-in {what} cannot be edited")
    row.update(fields)
    rows[row["id"]] = row


@handles("2.44.4")
def facility_add(ctx: Ctx) -> None:
    name = ctx.p.opt("name")
    if name is None:
        raise SimError(-1, "name cannot be empty")
    try:
        number = int(ctx.p.text("facilityNo"))
    except ValueError:
        number = 0
    if number <= 20:
        raise SimError(-1, "facilityNo must be an integer greater than 20")
    own = ctx.p.opt("id")
    if any(f["facilityNo"] == number and f["id"] != own for f in ctx.world.table("space_facilities").values()):
        raise SimError(-1, "facilityNo is already used")
    _upsert(ctx, "space_facilities", "facility", {"name": name, "facilityNo": number, "remark": ctx.p.text("remark")})


@handles("2.45.4")
def service_add(ctx: Ctx) -> None:
    name = ctx.p.opt("name")
    if name is None:
        raise SimError(-1, "name cannot be empty")
    _upsert(ctx, "space_services", "service", {"name": name, "remark": ctx.p.text("remark")})


# -- reservations ----------------------------------------------------------------------------------


@handles("2.46.1")
def reservation_list(ctx: Ctx) -> Rows:
    world = ctx.world
    lo, hi = ctx.date_range("startTime", "endTime")
    space_name, subject = ctx.p.opt("spaceName"), ctx.p.opt("subject")
    spaces = world.table("spaces")
    rows = []
    for r in world.table("space_reservations").values():
        if space_name and space_name not in spaces.get(r["spaceId"], {}).get("name", ""):
            continue
        if subject and subject not in r["subject"]:
            continue
        if (lo is not None and r["endAt"] < lo) or (hi is not None and r["startAt"] > hi):
            continue
        rows.append(r)
    rows.sort(key=lambda r: r["startAt"], reverse=True)
    return Rows(rows, lambda r: _reservation_row(world, r))


@handles("2.46.2")
def reservation_get(ctx: Ctx) -> dict[str, Any]:
    return _reservation_row(ctx.world, _get(ctx, "space_reservations", "reservation"), participants=True)


@handles("2.46.3")
def reservation_delete(ctx: Ctx) -> Reply:
    rows = ctx.world.table("space_reservations")
    return _batch(ctx, "space_reservations", lambda r: rows.pop(r["id"]) is not None)


@handles("2.46.4")
def reservation_cancel(ctx: Ctx) -> Reply:
    def cancel(r: dict[str, Any]) -> bool:
        if _status(ctx.world, r) not in (0, 1):
            return False
        r["cancelled"] = True
        return True

    return _batch(ctx, "space_reservations", cancel)


@handles("2.46.5")
def reservation_finish(ctx: Ctx) -> Reply:
    def finish(r: dict[str, Any]) -> bool:
        if _status(ctx.world, r) != 1:
            return False
        r["finished"] = True
        r["endAt"] = ctx.world.now()
        return True

    return _batch(ctx, "space_reservations", finish)


@handles("2.46.6")
def reservation_participants(ctx: Ctx) -> Rows:
    r = _get(ctx, "space_reservations", "reservation")
    by_id = {p.id: p for p in ctx.world.persons.values()}
    people = [by_id[i] for i in r["participantIds"].split(",") if i in by_id]
    return Rows(people, lambda p: {"id": p.id, "pin": p.pin, "name": p.name, "lastName": p.last_name})


@handles("2.46.7")
def reservation_add(ctx: Ctx) -> None:
    p, world = ctx.p, ctx.world
    applicant = world.persons.get(p.require("applyPersonPin", -20))
    if applicant is None:
        raise SimError(-22)
    participants = p.items("participantIds")
    known = {person.id for person in world.persons.values()}
    if not participants or any(i not in known for i in participants):
        raise SimError(-1, "participantIds must name existing persons")
    space_id = p.opt("spaceId") or p.opt("spcaeId") or p.opt("spcaeld")
    if space_id is None or space_id not in world.table("spaces"):
        raise SimError(-1, "the space does not exist")
    start = ctx.date("startTime", missing=-100) or 0.0
    end = ctx.date("endTime", missing=-100) or 0.0
    if start >= end:
        raise SimError(-101)
    sign_in = p.text("startSignInTime", "0")
    if sign_in not in ("0", "5", "15", "30"):
        raise SimError(-1, "startSignInTime must be 0, 5, 15 or 30")
    remind = p.text("remindTime", "15m")
    if remind not in ("5m", "15m", "30m", "1h", "1d"):
        raise SimError(-1, "remindTime must be 5m, 15m, 30m, 1h or 1d")
    rows = world.table("space_reservations")
    own = p.opt("id")
    if own is not None and own not in rows:
        raise SimError(-1, "the reservation does not exist")
    for r in rows.values():
        if r["id"] != own and r["spaceId"] == space_id and _status(world, r) in (0, 1) and (
            r["startAt"] < end and start < r["endAt"]
        ):
            raise SimError(-1, "the space is already reserved at that time")
    row = rows.get(own or "") or {"id": world.new_id(), "cancelled": False, "finished": False}
    row.update(subject=p.text("subject"), content=p.text("content"), spaceId=space_id, startAt=start, endAt=end,
               startSignInTime=int(sign_in), applyPersonPin=applicant.pin,
               applyPersonEmail=p.text("applyPersonEmail", applicant.email), participantIds=",".join(participants),
               serviceIds=",".join(p.items("serviceIds")), remindTime=remind)
    rows[row["id"]] = row

