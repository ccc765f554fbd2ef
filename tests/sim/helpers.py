"""Shared by the simulator tests: an in-process client and the arguments that make each section succeed."""

from __future__ import annotations

import base64
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx

from console.api import Client, RetryPolicy
from console.api.endpoints import ENDPOINTS
from console.sim import SimConfig, Simulator
from console.sim.images import encode_png
from console.sim.world import World, fmt_time

TOKEN = "sim-test-token-0123"


def make_sim(**config: Any) -> Simulator:
    return Simulator(SimConfig(token=config.pop("token", TOKEN), **config))


@asynccontextmanager
async def client_for(sim: Simulator, *, retry: RetryPolicy | None = None) -> AsyncIterator[Client]:
    transport = httpx.ASGITransport(app=sim.app)
    async with Client("http://sim.test", TOKEN, transport=transport,
                      retry=retry or RetryPolicy(attempts=3, backoff=0.0)) as client:
        yield client


def photo(width: int, height: int, rgb: tuple[int, int, int], *, noise: bool = True) -> str:
    """A base64 PNG; ``noise`` adds a gentle pattern so that the picture is not flat."""
    pixels = bytearray()
    for y in range(height):
        for x in range(width):
            d = ((x * 7 + y * 3) % 11) - 5 if noise else 0
            pixels += bytes(max(0, min(255, c + d)) for c in rgb)
    return base64.b64encode(encode_png(width, height, bytes(pixels))).decode()


GOOD_FACE = photo(400, 300, (190, 140, 120))


# -- picking things from a small world -------------------------------------------------------------


def first(world: World, kind: str) -> Any:
    return next(lv for lv in world.levels.values() if lv.kind == kind)


def online_door(world: World) -> Any:
    return next(d for d in world.doors.values() if world.door_connect(d) == 1)


def device(world: World, module: str) -> Any:
    return next(d for d in world.devices.values() if d.module == module and d.enabled)


def active_visitor(world: World) -> Any:
    reg = next(r for r in world.registrations if r.checked_out_at is None)
    return world.visitors[reg.visitor_pin]


def parked(world: World) -> Any:
    return next(r for r in world.park_records if r.check_out is None)


def now_text(offset: float = 0.0) -> str:
    return fmt_time(time.time() + offset)


# -- arguments per parameter name, then per section ------------------------------------------------

Args = dict[str, Any]

BY_NAME: dict[str, Callable[[World], Any]] = {
    "pin": lambda w: "1001",
    "personPin": lambda w: "1001",
    "pageNo": lambda w: 1,
    "pageSize": lambda w: 10,
    "timestamp": lambda w: int(time.time() * 1000) - 86_400_000 * 2,
    "doorId": lambda w: online_door(w).id,
    "doorName": lambda w: online_door(w).name,
    "interval": lambda w: 5,
    "floorId": lambda w: next(iter(w.floors)),
    "gateId": lambda w: next(iter(w.gates)),
    "gateName": lambda w: next(iter(w.gates.values())).name,
    "openType": lambda w: 1,
    "code": lambda w: "1",
    "levelIds": lambda w: first(w, "acc").id,
    "levelId": lambda w: first(w, "acc").id,
    "deviceSn": lambda w: device(w, "acc").sn,
    "channelId": lambda w: next(iter(w.table("ivs_channels"))),
}


def _person_body(pin: str) -> Args:
    return {"pin": pin, "deptCode": "1", "name": "Ada", "lastName": "Lovelace", "gender": "F", "cardNo": "77770001"}


def _visit(w: World) -> Args:
    visitor = next(v for v in w.visitors.values() if not v.blocked and not any(
        r.visitor_pin == v.pin and r.checked_out_at is None for r in w.registrations))
    return {"persPersonPin": "1001", "certType": visitor.cert_type, "certNum": visitor.cert_number,
            "visEmpName": visitor.name, "visitReason": "Meeting", "visitorCount": "1",
            "startTime": now_text(), "endTime": now_text(3600)}


def _prepare_dept(w: World) -> Args:
    from console.sim.world import Department

    w.departments["900"] = Department("d900", "900", "Empty department", "1")
    return {"code": "900"}


def _custom_facility(w: World) -> Args:
    w.table("space_facilities")["f-custom"] = {"id": "f-custom", "name": "Lectern", "facilityNo": 30,
                                                "remark": "", "initFlag": False}
    return {"id": "f-custom"}


def _reservation(w: World, status: int) -> str:
    from console.sim.routes.space import _status

    return str(next(r["id"] for r in w.table("space_reservations").values() if _status(w, r) == status))


SPECIAL: dict[str, Callable[[World], Args]] = {
    "2.1.2": lambda w: {"id": first(w, "acc").id},
    "2.1.3": lambda w: {"id": first(w, "acc").id},
    "2.1.4": lambda w: {"name": first(w, "acc").name},
    "2.1.5": lambda w: {"name": first(w, "acc").name},
    "2.1.10": lambda w: {"body": [{"areaName": next(iter(w.areas.values())).name, "name": "Night Shift",
                                   "timeSegName": "Nights"}]},
    "2.1.11": lambda w: {"body": [{"doorName": online_door(w).name, "levelName": "General"}]},
    "2.3.1": lambda w: {"levelIds": first(w, "ele").id},
    "2.3.2": lambda w: {"id": first(w, "ele").id},
    "2.3.3": lambda w: {"name": first(w, "ele").name},
    "2.3.5": lambda w: {"levelId": first(w, "ele").id},
    "2.3.6": lambda w: {"levelIds": first(w, "ele").id},
    "2.4.1": lambda w: {"type": 1, "carNumber": "ZH B12345"},
    "2.4.2": lambda w: {"carNumber": "ZH X00001"},
    "2.4.3": lambda w: {"type": 0, "carNumber": "ZH X00009", "oldCarNumber": "ZH X00001",
                        "fromTime": "2025-01-01", "toTime": "2026-01-01"},
    "2.5.3": lambda w: {"pin": "1001", "cardNo": "55550001", "cardType": "1"},
    "2.6.1": lambda w: {"name": "Night Watch", "code": "77", "parentCode": "1"},
    "2.6.2": _prepare_dept,
    "2.6.3": _prepare_dept,
    "2.7.1": lambda w: {"mediaName": "Poster", "files": {"file": ("poster.png", b"\x89PNG fake", "image/png")}},
    "2.7.2": lambda w: {"name": "Welcome"},
    "2.7.3": lambda w: {"name": "Welcome"},
    "2.9.1": lambda w: {"code": "1", "pins": sorted(w.att_area_pins["1"] or {"1001"})[:1]},
    "2.9.2": lambda w: {"code": "1", "pins": ["1001", "1002"]},
    "2.10.2": lambda w: {"sn": device(w, "acc").sn},
    "2.11.2": lambda w: {"sn": device(w, "ele").sn},
    "2.12.3": lambda w: {"deviceSn": device(w, "acc").sn},
    "2.12.4": lambda w: {"id": online_door(w).id},
    "2.14.1": lambda w: _person_body("5001"),
    "2.14.7": lambda w: {"pin": "1001"},
    "2.14.8": lambda w: {"pin": "1001"},
    "2.14.9": lambda w: {"pin": "1002", "leaveDate": "2025-06-10", "leaveType": "1"},
    "2.14.10": lambda w: {**_person_body("5002"), "certType": "3", "certNumber": "P123", "isDisabled": False},
    "2.14.11": lambda w: {"pin": "1001", "personPhoto": GOOD_FACE},
    "2.14.13": lambda w: {**_person_body("1003"), "carPlate": "ZH Q1"},
    "2.14.14": lambda w: {"body": [_person_body("5003"), {"pin": "5004", "deptCode": "1"}]},
    "2.14.15": lambda w: {"pins": "1004,1005"},
    "2.14.16": lambda w: {"personPhoto": GOOD_FACE},
    "2.15.2": lambda w: {"id": next(r.id for r in w.readers.values() if r.door_id)},
    "2.16.1": lambda w: {"persPersonPin": "1001", "certType": "3", "certNum": "E5550001", "visitEmpName": "Mary",
                         "visitReason": "visit", "visitDate": now_text(86400 * 3),
                         "visitEndDate": now_text(86400 * 3 + 3600)},
    "2.16.2": lambda w: {"certType": w.reservations[0].cert_type, "certNum": w.reservations[0].cert_num,
                         "visitDate": w.reservations[0].visit_date},
    "2.18.1": _visit,
    "2.18.2": lambda w: {"certType": active_visitor(w).cert_type, "certNum": active_visitor(w).cert_number},
    "2.18.3": lambda w: {"pin": active_visitor(w).pin},
    "2.18.4": lambda w: {"pin": active_visitor(w).pin},
    "2.18.5": lambda w: {"certNumber": active_visitor(w).cert_number, "certType": active_visitor(w).cert_type},
    "2.19.1": lambda w: {"deviceSn": w.events["acc"][-1].dev_sn},
    "2.19.2": lambda w: {"deviceSn": w.events["acc"][-1].dev_sn},
    "2.19.3": lambda w: {"deviceSn": w.events["acc"][-1].dev_sn},
    "2.19.7": lambda w: {"pin": _pin_with(w, "acc")},
    "2.19.8": lambda w: {"pin": _pin_with(w, "acc")},
    "2.19.9": lambda w: {"pin": _pin_with(w, "acc")},
    "2.19.10": lambda w: {"pin": _pin_with(w, "acc", verify=True)},
    "2.19.11": lambda w: {"pin": _pin_with(w, "acc", verify=True)},
    "2.19.12": lambda w: {"pin": _pin_with(w, "acc", verify=True)},
    "2.19.15": lambda w: {"id": w.events["acc"][-1].id},
    "2.19.16": lambda w: {"id": w.events["acc"][-1].id},
    "2.19.17": lambda w: {"id": w.events["acc"][-1].id},
    "2.22.1": lambda w: {},
    "2.23.1": lambda w: {"sn": device(w, "att").sn},
    "2.23.5": lambda w: {"base64Image": GOOD_FACE},
    "2.23.6": lambda w: {"personPin": "1001", "leaveTypeNo": "L1", "startDatetime": "2025-11-19 13:00:00",
                         "endDatetime": "2025-11-19 18:00:00"},
    "2.24.1": lambda w: {"personPin": "1001", "signDatetime": "2025-11-19 18:00:00", "remark": "api"},
    "2.24.2": lambda w: {"personPin": "1001", "startDatetime": "2025-11-19 13:00:00",
                         "endDatetime": "2025-11-19 18:00:00"},
    "2.24.3": lambda w: {"personPin": "1001", "leaveTypeNo": "L1", "startDatetime": "2025-11-19 13:00:00",
                         "endDatetime": "2025-11-19 18:00:00"},
    "2.25.1": lambda w: {"personPin": "1001", "isAttendance": False, "perDevAuth": 0, "verifyMode": 0},
    "2.26.1": lambda w: {"personId": "1001", "validType": "1", "template": "bmV3LXRlbXBsYXRl", "templateNo": "9"},
    "2.26.4": lambda w: {"pin": "1001", "templateNo": "0"},
    "2.26.7": lambda w: {"pin": "1001", "templateNo": "0"},
    "2.27.1": lambda w: {},
    "2.28.1": lambda w: {"personPin": "1001", "category": 1, "perDevAuth": 0},
    "2.29.1": lambda w: {"code": "1", "pins": "1001"},
    "2.29.2": lambda w: {"code": "1", "pins": "1001,1002"},
    "2.31.2": lambda w: {"sn": device(w, "psg").sn},
    "2.32.3": lambda w: {"deviceSn": device(w, "psg").sn},
    "2.32.4": lambda w: {"id": next(iter(w.gates))},
    "2.33.1": lambda w: {"levelIds": first(w, "psg").id},
    "2.33.2": lambda w: {"id": first(w, "psg").id},
    "2.33.3": lambda w: {"id": first(w, "psg").id},
    "2.33.4": lambda w: {"name": first(w, "psg").name},
    "2.33.5": lambda w: {"name": first(w, "psg").name},
    "2.33.7": lambda w: {"levelId": first(w, "psg").id},
    "2.33.8": lambda w: {"levelIds": first(w, "psg").id},
    "2.33.10": lambda w: {"body": [{"levelId": first(w, "psg").id, "pins": ["1001", "1002"]}]},
    "2.33.11": lambda w: {"body": [{"pin": "1001", "levelIds": [first(w, "psg").id]}]},
    "2.34.3": lambda w: {"id": next(r.id for r in w.readers.values() if r.gate_id)},
    "2.35.1": lambda w: {"deviceSn": device(w, "psg").sn},
    "2.35.2": lambda w: {"deviceSn": device(w, "psg").sn},
    "2.35.3": lambda w: {"deviceSn": device(w, "psg").sn},
    "2.35.7": lambda w: {"pin": _pin_with(w, "psg")},
    "2.35.9": lambda w: {"pin": _pin_with(w, "psg")},
    "2.36.2": lambda w: {"channelId": next(iter(w.table("park_channels")))},
    "2.36.3": lambda w: {"pin": "1001", "carNumber": "ZH C77777", "oldCarNumber": ""},
    "2.36.4": lambda w: {"pin": "1001", "carNumber": w.persons["1001"].car_plates[0]},
    "2.37.1": lambda w: {},
    "2.38.1": lambda w: {"personPin": "1001"},
    "2.40.2": lambda w: {"parentId": next(iter(w.table("ivs_parents")))},
    "2.40.3": lambda w: {"rtspType": 0},
    "2.40.4": lambda w: {"startTime": "2025-02-19 05:00:00", "endTime": "2025-02-19 16:00:00"},
    "2.40.5": lambda w: {"startTime": "2025-02-19 05:41:02", "endTime": "2025-02-19 07:44:32"},
    "2.40.6": lambda w: {"pushAddress": "http://127.0.0.1:9/push", "alarmCodes": ""},
    "2.41.5": lambda w: {"areaId": next(iter(w.table("park_areas")))},
    "2.41.9": lambda w: {"type": 0, "carNumber": "ZH A00042", "fromTime": "2025-01-01", "toTime": "2026-01-01"},
    "2.41.10": lambda w: {"carNumber": "ZH F12345", "pin": "1001", "areaId": next(iter(w.table("park_areas"))),
                          "startTime": "2025-01-01", "endTime": "2026-01-01", "amount": "0"},
    "2.41.11": lambda w: {"carNumber": "ZH F00001", "pin": "1001"},
    "2.42.1": lambda w: {"sn": device(w, "space").sn},
    "2.42.2": lambda w: {"sn": None},
    "2.43.2": lambda w: {"id": next(iter(w.table("spaces")))},
    "2.43.3": lambda w: {"id": next(iter(w.table("spaces")))},
    "2.43.4": lambda w: {"id": "", "name": "Quiet Room", "capacity": 4, "personPin": "1001", "retentionTime": 15,
                         "smartSpace": False},
    "2.44.2": lambda w: {"id": next(iter(w.table("space_facilities")))},
    "2.44.3": _custom_facility,
    "2.44.4": lambda w: {"id": "", "name": "Flip chart", "facilityNo": 21, "remark": ""},
    "2.45.2": lambda w: {"id": next(iter(w.table("space_services")))},
    "2.45.3": lambda w: {"id": next(iter(w.table("space_services")))},
    "2.45.4": lambda w: {"id": "", "name": "Coffee", "remark": ""},
    "2.46.2": lambda w: {"id": _reservation(w, 1)},
    "2.46.3": lambda w: {"id": _reservation(w, 3)},
    "2.46.4": lambda w: {"id": _reservation(w, 0)},
    "2.46.5": lambda w: {"id": _reservation(w, 1)},
    "2.46.6": lambda w: {"id": _reservation(w, 1)},
    "2.46.7": lambda w: {"id": "", "subject": "Retro", "applyPersonPin": "1001",
                         "participantIds": w.persons["1002"].id, "spaceId": next(iter(w.table("spaces"))),
                         "startTime": now_text(86400 * 5), "endTime": now_text(86400 * 5 + 3600),
                         "startSignInTime": 15, "remindTime": "15m"},
    "2.47.1": lambda w: {"carNumber": parked(w).car_number},
    "2.47.2": lambda w: {"carNumber": parked(w).car_number, "recordId": parked(w).id, "paymentType": "cash"},
}


def _pin_with(world: World, store: str, *, verify: bool = False) -> str:
    for event in reversed(world.events[store]):  # type: ignore[index]
        if event.pin and (not verify or (event.event_no == 0 and event.reader_state is not None)):
            return event.pin
    raise AssertionError(f"no {store} event with a pin")


def args_for(section: str, world: World) -> Args:
    """Keyword arguments for ``Client.call`` that make ``section`` succeed on a fresh small world."""
    ep = ENDPOINTS[section]
    args: Args = {}
    body_fields = () if ep.body_is_array else ep.body_fields  # array bodies come whole from SPECIAL
    for param in (*ep.path_params, *ep.query, *body_fields):
        if param.required and param.name in BY_NAME:
            args[param.name] = BY_NAME[param.name](world)
    special = SPECIAL.get(section)
    if special is not None:
        args.update(special(world))
    return {k: v for k, v in args.items() if v is not None}
