"""Parking: allow/block lists, plates, fixed vehicles, records, barrier channels, billing (2.4, 2.21, 2.36,
2.41, 2.47).

Codes: allow/block list type other than 0/1 -221; missing, unreadable or reversed dates (and an allow-list
entry without dates) -222; licence plate empty, malformed (2-16 letters, digits, CJK, spaces, hyphens) or not
on the list/person/record it should be on -223; billing a car that is not in the car park, or a payment for
an unknown, already paid or mismatched record -220; unknown person -22; unknown channel -102.

A car enters (activity, ``/_sim/emit {"kind": "park_entry"}``) -> an entry record (2.41.7); billing (2.47.1)
prices the stay from check-in with the tariff of console.sim.rules; payment (2.47.2) settles the amount
due and marks the record paid (``eventType`` 11, "online prepayment": the manual does not say what a
notice does to the record; this is the simulator's reading); the car's exit closes the record (2.41.8).
2.21.1/2.21.2 share their URLs with 2.41.7/2.41.8 and get the 2.41 page answer (ERRATA), with both
``parkingAreaName`` and ``parkAreaName``.
"""

from __future__ import annotations

import math
import re
from typing import Any

from .. import render, rules
from ..http import Ctx, Params, Rows, SimError
from ..world import ParkRecord, fmt_time
from . import handles

_PLATE = re.compile(r"^[\w\u3400-\u9fff \-·]{2,16}$")


def _plate(p: Params, key: str = "carNumber") -> str:
    plate = p.opt(key)
    if plate is None or not _PLATE.match(plate):
        raise SimError(-223)
    return plate


def _list_entry(ctx: Ctx) -> dict[str, Any]:
    p = ctx.p
    list_type = p.opt("type")
    if list_type not in ("0", "1"):
        raise SimError(-221)
    plate = _plate(p)
    start, end = p.opt("fromTime"), p.opt("toTime")
    if list_type == "0" and (start is None or end is None):
        raise SimError(-222)
    ctx.date_range("fromTime", "toTime", bad=-222, reversed_=-222)
    return {"type": list_type, "carNumber": plate, "fromTime": start or "", "toTime": end or "",
            "parkCode": p.text("parkCode")}


@handles("2.4.1")
def list_add(ctx: Ctx) -> None:
    entry = _list_entry(ctx)
    ctx.world.park_lists[entry["carNumber"]] = entry


@handles("2.4.3", "2.41.9")
def list_edit(ctx: Ctx) -> None:
    entry = _list_entry(ctx)
    old = ctx.p.opt("oldCarNumber")
    if old is not None and old != entry["carNumber"]:
        if old not in ctx.world.park_lists:
            raise SimError(-223)
        del ctx.world.park_lists[old]
    elif ctx.ep.section == "2.4.3" and entry["carNumber"] not in ctx.world.park_lists:
        raise SimError(-223)
    ctx.world.park_lists[entry["carNumber"]] = entry


@handles("2.4.2")
def list_delete(ctx: Ctx) -> None:
    plate = _plate(ctx.p)
    if ctx.world.park_lists.pop(plate, None) is None:
        raise SimError(-223)


@handles("2.36.3")
def plate_add(ctx: Ctx) -> None:
    pin = ctx.p.require("pin", -20)
    person = ctx.world.persons.get(pin)
    if person is None:
        raise SimError(-22)
    plate = _plate(ctx.p)
    old = ctx.p.opt("oldCarNumber")
    if old is not None and old in person.car_plates:
        person.car_plates.remove(old)
    if plate not in person.car_plates:
        person.car_plates.append(plate)


@handles("2.36.4")
def plate_delete(ctx: Ctx) -> None:
    person = ctx.world.persons.get(ctx.p.require("pin", -20))
    if person is None:
        raise SimError(-22)
    plate = _plate(ctx.p)
    if plate not in person.car_plates:
        raise SimError(-223)
    person.car_plates.remove(plate)


@handles("2.41.10")
def fixed_add(ctx: Ctx) -> None:
    p, world = ctx.p, ctx.world
    plate = _plate(p)
    pin = p.opt("pin")
    if pin is not None and pin not in world.persons:
        raise SimError(-22)
    area_id = p.opt("areaId") or p.opt("areald")
    if area_id is not None and area_id not in world.table("park_areas"):
        raise SimError(-80)
    start, end = p.opt("startTime"), p.opt("endTime")
    ctx.date_range("startTime", "endTime", bad=-222, reversed_=-222)
    world.table("fixed_vehicles")[plate] = {
        "carNumber": plate, "pin": pin or "", "areaId": area_id or "", "carTypeId": p.text("carTypeId"),
        "spaceId": p.text("spaceId"), "entranceIds": p.text("entranceIds"), "amount": p.text("amount", "0"),
        "startTime": start or "", "endTime": end or "",
    }


@handles("2.41.11")
def fixed_delete(ctx: Ctx) -> None:
    plate = _plate(ctx.p)
    if ctx.world.table("fixed_vehicles").pop(plate, None) is None:
        raise SimError(-223)


@handles("2.36.2")
def open_channel(ctx: Ctx) -> None:
    channel_id = ctx.p.opt("channelId")
    if channel_id is None:
        raise SimError(-1, "channelId cannot be empty")
    channel = ctx.world.table("park_channels").get(channel_id)
    if channel is None:
        raise SimError(-102)
    channel["_openUntil"] = ctx.world.now() + 5.0


def _records(ctx: Ctx, *, exits: bool) -> list[ParkRecord]:
    lo, hi = ctx.date_range()
    plate = ctx.p.opt("carNumber")
    out = []
    for record in ctx.world.park_records:
        at = record.check_out if exits else record.check_in
        if at is None or (plate is not None and plate not in record.car_number):
            continue
        if (lo is not None and math.floor(at) < lo) or (hi is not None and math.floor(at) > hi):
            continue
        out.append(record)
    out.sort(key=lambda r: (r.check_out or 0.0) if exits else r.check_in, reverse=True)
    return out


@handles("2.21.1", "2.41.7")
def records_in(ctx: Ctx) -> Rows:
    return Rows(_records(ctx, exits=False), render.park_in)


@handles("2.21.2", "2.41.8")
def records_out(ctx: Ctx) -> Rows:
    return Rows(_records(ctx, exits=True), render.park_out)


def _parked(ctx: Ctx, plate: str) -> ParkRecord:
    for record in ctx.world.park_records:
        if record.car_number == plate and record.check_out is None:
            return record
    raise SimError(-220, "the car is not in the car park")


def _fee(ctx: Ctx, record: ParkRecord) -> tuple[float, float, bool]:
    """(amount due now, seconds parked, whether the car is a registered/fixed vehicle that parks free)."""
    seconds = ctx.world.now() - record.check_in
    fixed = record.car_number in ctx.world.table("fixed_vehicles") or any(
        record.car_number in p.car_plates for p in ctx.world.persons.values()
    )
    total = 0.0 if fixed else rules.parking_fee(seconds)
    return max(0.0, round(total - (record.paid_amount or 0.0), 2)), seconds, fixed


@handles("2.47.1")
def billing(ctx: Ctx) -> dict[str, Any]:
    record = _parked(ctx, _plate(ctx.p))
    due, seconds, fixed = _fee(ctx, record)
    return {
        "carNumber": record.car_number, "recordId": record.id, "carAuth": "fixed" if fixed else "temp",
        "finalAmount": f"{due:.2f}", "chargeType": "free" if fixed else "tempCharge",
        "checkInTime": fmt_time(record.check_in), "parkingTime": render.parking_time(seconds),
    }


@handles("2.47.2")
def pay_notify(ctx: Ctx) -> dict[str, Any]:
    record_id = ctx.p.opt("recordId")
    payment = ctx.p.opt("paymentType")
    record = next((r for r in ctx.world.park_records if r.id == record_id), None)
    if record is None or record.check_out is not None or payment is None:
        raise SimError(-220, "no open parking record with this recordId (or no paymentType)")
    plate = ctx.p.opt("carNumber")
    if plate is not None and plate != record.car_number:
        raise SimError(-223)
    due, _, _ = _fee(ctx, record)
    if due == 0.0 and record.paid_amount is not None:
        raise SimError(-220, "this record is already paid")
    record.paid_amount = (record.paid_amount or 0.0) + due
    record.payment_type = payment
    record.event_type = "11"  # the simulator's reading: a payment notified through the API is an online prepayment
    return {"carNumber": record.car_number, "recordId": record.id, "paymentType": payment}
