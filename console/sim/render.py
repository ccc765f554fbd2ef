"""World records in the manual's field names, one function per record form.

Transactions have several forms over the same :class:`Event`: the v1 list, the v2/v3 list (adds eventNo,
eventLevel, doorName, capturePhotoBase64), the monitor (no id), entrance control, temperature, and the
door-transaction form of 2.19.13. The six content-key fields (devSn, eventTime, eventName, eventPointName,
pin, cardNo) come from the same attributes in every form, so a monitor record and the stored record of the
same event always agree on them.
"""

from __future__ import annotations

from typing import Any

from .world import Device, Door, Event, Floor, Gate, Level, ParkRecord, Person, Reader, Visitor, World, fmt_time

__all__ = [
    "acc_event",
    "device",
    "door",
    "door_state",
    "door_tx",
    "floor",
    "gate",
    "gate_state",
    "hep_event",
    "level",
    "park_in",
    "park_out",
    "parking_time",
    "person_basic",
    "person_full",
    "psg_event",
    "reader",
    "visitor",
]


def door(world: World, d: Door) -> dict[str, Any]:
    return {"id": d.id, "name": d.name, "deviceId": d.device_id}


def door_state(world: World, d: Door) -> dict[str, Any]:
    return {**door(world, d), **world.door_state(d)}


def gate(world: World, g: Gate) -> dict[str, Any]:
    return {"id": g.id, "name": g.name, "deviceId": g.device_id}


def gate_state(world: World, g: Gate) -> dict[str, Any]:
    return {**gate(world, g), **world.gate_state(g)}


def floor(world: World, f: Floor) -> dict[str, Any]:
    return {"id": f.id, "floorNo": f.floor_no, "name": f.name, "deviceId": f.device_id}


def reader(world: World, r: Reader) -> dict[str, Any]:
    owner = {"gateId": r.gate_id} if r.gate_id else {"doorId": r.door_id}
    return {"id": r.id, **owner, "name": r.name, "readerNo": r.reader_no, "readerState": r.reader_state}


def device(d: Device, state_key: str = "state") -> dict[str, Any]:
    """A device record; ``state_key`` is ``state`` or ``status`` as each endpoint's example spells it.

    For access, elevator, attendance, kiosk and entrance-control devices the value is 1 enabled / 0 disabled;
    space devices (2.42) use 0 offline / 1 online / 2 disabled.
    """
    value = str(d.connect) if d.module == "space" else ("1" if d.enabled else "0")
    out: dict[str, Any] = {"id": d.id, "sn": d.sn, "name": d.name, "type": d.type, state_key: value,
                           "module": d.module}
    if d.module == "psg":
        out["gateType"] = str(d.gate_type)
    return out


def level(lv: Level) -> dict[str, Any]:
    return {"id": lv.id, "name": lv.name}


def person_basic(world: World, p: Person) -> dict[str, Any]:
    return {"pin": p.pin, "deptCode": p.dept_code, "deptName": world.dept_name(p.dept_code), "name": p.name,
            "lastName": p.last_name, "gender": p.gender, "cardNo": world.main_card(p.pin)}


def person_full(world: World, p: Person) -> dict[str, Any]:
    cards = world.person_cards(p.pin)
    return {
        "id": p.id, **person_basic(world, p), "birthday": p.birthday,
        "supplyCards": ",".join(c.card_no for c in cards if c.card_type == "1"),
        "personPhoto": p.photo, "selfPwd": "", "isSendMail": p.is_send_mail, "mobilePhone": p.mobile,
        "personPwd": "", "carPlate": ",".join(p.car_plates) or None, "email": p.email, "ssn": p.ssn,
        "accLevelIds": ",".join(lv.id for lv in world.person_levels(p.pin, "acc")),
        "accStartTime": p.acc_start, "accEndTime": p.acc_end, "certType": p.cert_type, "certNumber": p.cert_number,
        "photoPath": f"/upload/pers/user/avatar/{p.pin}.jpg" if p.photo else "", "hireDate": p.hire_date,
        "isDisabled": p.is_disabled, "vislightPhoto": p.photo,
        "vislightPhotoPath": f"/upload/pers/user/cropface/{p.pin}/{p.pin}.jpg" if p.photo else "",
    }


def visitor(v: Visitor) -> dict[str, Any]:
    return {"id": v.id, "pin": v.pin, "name": v.name, "lastName": v.last_name, "certType": v.cert_type,
            "certNumber": v.cert_number, "company": v.company, "carPlate": v.car_plate, "phone": v.phone,
            "email": v.email, "status": None, "enabled": not v.blocked, "nationality": None, "gender": v.gender}


# -- transactions ----------------------------------------------------------------------------------


def _core(e: Event) -> dict[str, Any]:
    return {
        "id": e.id, "eventTime": e.event_time, "pin": e.pin, "name": e.name, "lastName": e.last_name,
        "deptName": e.dept_name, "areaName": e.area_name, "cardNo": e.card_no, "devSn": e.dev_sn,
        "verifyModeName": e.verify_mode, "eventName": e.event_name, "eventPointName": e.point_name,
        "readerName": e.reader_name,
    }


def acc_event(e: Event, form: str = "v2") -> dict[str, Any]:
    """Access/elevator/attendance records: ``v1``, ``v2``, ``v3`` (adds readerState/doorNumber), ``monitor``."""
    if form == "monitor":
        return {"eventTime": e.event_time, "pin": e.pin, "areaName": e.area_name, "cardNo": e.card_no,
                "devSn": e.dev_sn, "verifyModeName": e.verify_mode, "eventName": e.event_name,
                "eventPointName": e.point_name, "readerName": e.reader_name, "devName": e.dev_name}
    out = {**_core(e), "accZone": None, "devName": e.dev_name, "logId": e.log_id}
    if form in ("v2", "v3"):
        out.update(eventNo=e.event_no, eventLevel=e.level, doorName=e.door_name, capturePhotoBase64=e.photo)
    if form == "v3":
        out.update(readerState=e.reader_state, doorNumber=e.door_no)
    return out


def psg_event(e: Event, monitor: bool = False) -> dict[str, Any]:
    out = {**_core(e), "devName": e.dev_name, "logId": e.log_id, "eventNo": e.event_no, "gateType": e.gate_type}
    if monitor:
        out["id"] = None  # "not stored in database yet"
    return out


def hep_event(e: Event, monitor: bool = False) -> dict[str, Any]:
    return {
        **_core(e), "id": "" if monitor else e.id, "accZone": None, "devName": e.dev_name,
        "logId": None if monitor else e.log_id, "eventNumber": str(e.event_no), "photoPath": e.photo_path,
        "maskFlag": e.mask_flag, "temperature": e.temperature, "status": e.temp_status,
    }


def door_tx(e: Event, detail: bool = False) -> dict[str, Any]:
    """2.19.13 (and with ``detail`` 2.19.15): the door-transaction form with person* keys."""
    out: dict[str, Any] = {
        "id": e.id, "eventNo": e.event_no, "eventName": e.event_name, "eventTime": e.event_time,
        "doorName": e.door_name or None, "personPin": e.pin, "personName": e.name, "areaName": e.area_name,
        "personLastName": e.last_name, "eventLevel": str(e.level),
    }
    if detail:
        out.update(devName=e.dev_name, cardNo=e.card_no or None, readerName=e.reader_name,
                   verifyModeName=e.verify_mode)
    return out


# -- parking ---------------------------------------------------------------------------------------


def parking_time(seconds: float) -> str:
    """``D HH:mm:ss`` (2.47.1's ``1 02:43:42``)."""
    total = max(0, int(seconds))
    days, rest = divmod(total, 86400)
    return f"{days} {rest // 3600:02d}:{rest % 3600 // 60:02d}:{rest % 60:02d}"


def park_in(r: ParkRecord) -> dict[str, Any]:
    """2.41.7 (page) and its twin 2.21.1 share a URL: both area keys are given (ERRATA)."""
    return {"id": r.id, "parkingAreaName": r.area_name, "parkAreaName": r.area_name, "name": r.driver,
            "carNumber": r.car_number, "carTypeName": r.car_type_name, "channelName": r.channel_in,
            "channelState": "1", "eventType": r.event_type, "checkInTime": fmt_time(r.check_in) + ".0"}


def park_out(r: ParkRecord) -> dict[str, Any]:
    out_at = r.check_out if r.check_out is not None else r.check_in
    return {"id": r.out_id or r.id, "parkingAreaName": r.area_name, "parkAreaName": r.area_name, "name": r.driver,
            "carNumber": r.car_number, "carTypeName": r.car_type_name, "channelName": r.channel_out,
            "channelState": "2", "eventType": r.event_type, "checkOutTime": fmt_time(out_at) + ".0",
            "parkingTime": parking_time(out_at - r.check_in)}
