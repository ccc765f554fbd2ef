"""What happens at the doors, gates, floors and kiosks: each maker changes the world and stores the event.

``emit(world, kind, **fields)`` is the one entry point (the activity generator, ``Simulator.emit``, the
``/_sim/emit`` control call and the remote-command routes all use it). Fields left out are chosen from the
world with its seeded RNG. Kinds and their event numbers (ZKTeco's access event codes where one exists):

=================  =====  =========================================  =====  ==============================
kind               No.    eventName                                  level  door / gate effect
=================  =====  =========================================  =====  ==============================
verify             0      Normal Verify Open                         0      relay+sensor open 3 s
unknown_card       27     Card Not Registered                        1      none
denied             23     Access Denied                              1      none
remote_open        8      Remote Opening                             0      relay+sensor open ``interval``
remote_close       9      Remote Closing                             0      relay and sensor closed now
forced_open        102    Door Opened Accidentally                   2      sensor open ``seconds`` (30);
                                                                            alarm "be opened accidentally"
                                                                            until the door closes
door_timeout       28     Door Open Timeout                          2      sensor open ``seconds`` (60);
                                                                            alarm "timeout" until closed
duress             101    Duress Password Open (103: fingerprint)    2      relay+sensor open 5 s; alarm
                                                                            "duress ... opening" for 60 s
tamper             100    Tamper Alarm                               2      alarm "tampering" for 60 s
device_offline     700    Device Disconnected                        1      device offline (``seconds``:
                                                                            back online after that)
device_online      214    Device Connected                           0      device online
gate_pass          0      Normal Verify Open (psg)                   0      gate relay 2 (in) / 1 (out) 3 s
gate_remote_open   8      Remote Opening (psg)                       0      gate relay for 5 s
floor              0      Normal Verify Open (ele)                   0      floor released 5 s
floor_remote_open  8      Remote Opening (ele)                       0      floor released ``interval``
floor_remote_close 9      Remote Closing (ele)                       0      floor locked
temperature        --     Normal Verify Open / Abnormal Temperature  0 / 2  (hep store; eventNumber 315)
att                0      Normal Verify (att)                        0      attendance punch
park_entry         --     (parking record, eventType 1)              --     car enters; not an Event
park_exit          --     (parking record)                           --     car leaves
=================  =====  =========================================  =====  ==============================
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from .images import solid_png
from .world import Device, Door, Event, Floor, Gate, ParkRecord, Person, Store, World, fmt_time

__all__ = ["KINDS", "emit", "park_entry", "park_exit", "render_truth", "set_online"]

VERIFY_MODES = {"card": "Card", "fingerprint": "Fingerprint", "face": "Face", "password": "Password"}
MODULE_STORE: dict[str, Store] = {"acc": "acc", "psg": "psg", "ele": "ele", "att": "att", "ins": "att"}


def _photo(world: World) -> str:
    """A small capture photo (a 32x24 PNG in one of a few colours): what a face terminal attaches."""
    palette = ((180, 140, 120), (120, 150, 200), (90, 160, 110), (200, 170, 90))
    return base64.b64encode(solid_png(32, 24, palette[world.rng.randrange(len(palette))])).decode("ascii")


def _base(world: World, store: Store, device: Device, area_id: str, *, no: int, name: str, level: int,
          kind: str) -> Event:
    at = world.now()
    return Event(
        seq=0, id="", store=store, at=at, event_time=fmt_time(at), event_no=no, event_name=name, level=level,
        dev_sn=device.sn, dev_name=device.name, area_name=world.area_name(area_id), kind=kind,
    )


def _with_person(world: World, event: Event, person: Person | None, mode: str) -> None:
    event.verify_mode = VERIFY_MODES.get(mode, "Other")
    if person is None:
        return
    event.pin, event.name, event.last_name = person.pin, person.name, person.last_name
    event.dept_code, event.dept_name = person.dept_code, world.dept_name(person.dept_code)
    if mode == "card":
        event.card_no = world.main_card(person.pin)


def _at_door(world: World, event: Event, door: Door, direction: str) -> None:
    event.point_name = event.door_name = door.name
    event.door_no = door.door_no
    state = 0 if direction == "in" else 1
    for rid in door.reader_ids:
        reader = world.readers.get(rid)
        if reader and reader.reader_state == state:
            event.reader_name, event.reader_state = reader.name, state
            return
    event.reader_name = "Other"


def _at_gate(world: World, event: Event, gate: Gate, direction: str) -> None:
    event.point_name = gate.name
    event.gate_type = world.device_of(gate).gate_type
    state = 0 if direction == "in" else 1
    for rid in gate.reader_ids:
        reader = world.readers.get(rid)
        if reader and reader.reader_state == state:
            event.reader_name, event.reader_state = reader.name, state
            return
    event.reader_name = "Other"


ENROLLED_SHARE = 0.25  # of the verifications without a given person, once someone was enrolled through the API


# -- choosing what the caller left out --------------------------------------------------------------


def _door(world: World, fields: dict[str, Any], *, sensor: bool = False) -> Door:
    door_id = fields.pop("door_id", None) or fields.pop("doorId", None)
    if door_id:
        return world.doors[str(door_id)]
    return world.pick(world.doors, lambda d: world.door_connect(d) == 1 and (d.has_sensor or not sensor), "door")


def _gate(world: World, fields: dict[str, Any]) -> Gate:
    gate_id = fields.pop("gate_id", None) or fields.pop("gateId", None)
    if gate_id:
        return world.gates[str(gate_id)]
    return world.pick(world.gates, lambda g: world.device_of(g).connect == 1, "gate")


def _floor(world: World, fields: dict[str, Any]) -> Floor:
    floor_id = fields.pop("floor_id", None) or fields.pop("floorId", None)
    if floor_id:
        return world.floors[str(floor_id)]
    return world.pick(world.floors, lambda f: world.device_of(f).connect == 1, "floor")


def _person(world: World, fields: dict[str, Any]) -> Person | None:
    pin = fields.pop("pin", None)
    if pin is not None:
        return world.persons.get(str(pin))
    enrolled = [world.persons[p] for p in world.enrolled if p in world.persons and not world.persons[p].left]
    if enrolled and world.rng.random() < ENROLLED_SHARE:  # people enrolled through the API walk about too
        return world.rng.choice(enrolled)
    return world.pick(world.persons, lambda p: not p.left, "person") if world.persons else None


def _device(world: World, fields: dict[str, Any], *modules: str) -> Device:
    sn = fields.pop("sn", None) or fields.pop("devSn", None)
    if sn:
        device = world.device_by_sn(str(sn))
        if device is None:
            raise KeyError(f"no device with sn {sn!r}")
        return device
    candidates = [d for d in world.devices.values() if d.module in modules and d.enabled]
    return world.rng.choice(candidates)


def _direction(world: World, fields: dict[str, Any]) -> str:
    direction = str(fields.pop("direction", "") or world.rng.choice(("in", "in", "out")))
    return "out" if direction.lower() in ("out", "1", "exit") else "in"


# -- makers ----------------------------------------------------------------------------------------


def _verify(world: World, fields: dict[str, Any]) -> Event:
    door = _door(world, fields)
    person = _person(world, fields)
    mode = str(fields.pop("mode", "") or world.rng.choice(("card", "card", "fingerprint", "face")))
    direction = _direction(world, fields)
    event = _base(world, "acc", world.device_of(door), door.area_id, no=0, name="Normal Verify Open", level=0,
                  kind="verify")
    _with_person(world, event, person, mode)
    _at_door(world, event, door, direction)
    if mode == "face":
        event.photo = _photo(world)
    world.open_door(door, 3.0, sensor=door.has_sensor)
    if person is not None:
        if direction == "in":
            world.inside[person.pin] = door.area_id
        else:
            world.inside.pop(person.pin, None)
    return world.add_event(event)


def _unknown_card(world: World, fields: dict[str, Any]) -> Event:
    door = _door(world, fields)
    event = _base(world, "acc", world.device_of(door), door.area_id, no=27, name="Card Not Registered", level=1,
                  kind="unknown_card")
    event.verify_mode = "Card"
    event.card_no = str(fields.pop("card_no", None) or fields.pop("cardNo", None)
                        or world.rng.randrange(10_000_000, 99_999_999))
    _at_door(world, event, door, _direction(world, fields))
    return world.add_event(event)


def _denied(world: World, fields: dict[str, Any]) -> Event:
    door = _door(world, fields)
    person = _person(world, fields)
    event = _base(world, "acc", world.device_of(door), door.area_id, no=23, name="Access Denied", level=1,
                  kind="denied")
    _with_person(world, event, person, str(fields.pop("mode", "card")))
    _at_door(world, event, door, _direction(world, fields))
    return world.add_event(event)


def _remote_open(world: World, fields: dict[str, Any]) -> Event:
    door = _door(world, fields)
    interval = float(fields.pop("interval", 5))
    event = _base(world, "acc", world.device_of(door), door.area_id, no=8, name="Remote Opening", level=0,
                  kind="remote_open")
    _at_door(world, event, door, "in")
    event.reader_name, event.reader_state = "Other", None
    world.open_door(door, interval, sensor=door.has_sensor)
    return world.add_event(event)


def _remote_close(world: World, fields: dict[str, Any]) -> Event:
    door = _door(world, fields)
    event = _base(world, "acc", world.device_of(door), door.area_id, no=9, name="Remote Closing", level=0,
                  kind="remote_close")
    _at_door(world, event, door, "in")
    event.reader_name, event.reader_state = "Other", None
    world.close_door(door)
    return world.add_event(event)


def _forced_open(world: World, fields: dict[str, Any]) -> Event:
    door = _door(world, fields, sensor=True)
    seconds = float(fields.pop("seconds", 30))
    event = _base(world, "acc", world.device_of(door), door.area_id, no=102, name="Door Opened Accidentally",
                  level=2, kind="forced_open")
    _at_door(world, event, door, "in")
    event.reader_name, event.reader_state = "Other", None
    door.has_sensor = True
    door.sensor_until = max(door.sensor_until, world.now() + seconds)
    world.set_door_alarm(door, "be opened accidentally", while_open=True)
    return world.add_event(event)


def _door_timeout(world: World, fields: dict[str, Any]) -> Event:
    door = _door(world, fields, sensor=True)
    seconds = float(fields.pop("seconds", 60))
    event = _base(world, "acc", world.device_of(door), door.area_id, no=28, name="Door Open Timeout", level=2,
                  kind="door_timeout")
    _at_door(world, event, door, "in")
    event.reader_name, event.reader_state = "Other", None
    door.has_sensor = True
    door.sensor_until = max(door.sensor_until, world.now() + seconds)
    world.set_door_alarm(door, "timeout", while_open=True)
    return world.add_event(event)


def _duress(world: World, fields: dict[str, Any]) -> Event:
    door = _door(world, fields)
    person = _person(world, fields)
    mode = str(fields.pop("mode", "") or world.rng.choice(("password", "fingerprint")))
    fingerprint = mode == "fingerprint"
    event = _base(world, "acc", world.device_of(door), door.area_id, no=103 if fingerprint else 101,
                  name="Duress Fingerprint Open" if fingerprint else "Duress Password Open", level=2, kind="duress")
    _with_person(world, event, person, mode)
    _at_door(world, event, door, "in")
    world.open_door(door, 5.0, sensor=door.has_sensor)
    world.set_door_alarm(door, "duress fingerprint opening" if fingerprint else "duress password opening", 60.0)
    return world.add_event(event)


def _tamper(world: World, fields: dict[str, Any]) -> Event:
    door = _door(world, fields)
    event = _base(world, "acc", world.device_of(door), door.area_id, no=100, name="Tamper Alarm", level=2,
                  kind="tamper")
    _at_door(world, event, door, "in")
    event.reader_name, event.reader_state = "Other", None
    world.set_door_alarm(door, "tampering", float(fields.pop("seconds", 60)))
    return world.add_event(event)


def set_online(world: World, device: Device, online: bool) -> Event | None:
    """Flip a device's connection and store the event its module logs (none for space devices)."""
    if device.online == online:
        return None
    device.online = online
    store = MODULE_STORE.get(device.module)
    if store is None or not device.enabled:
        return None
    if online:
        event = _base(world, store, device, device.area_id, no=214, name="Device Connected", level=0,
                      kind="device_online")
    else:
        event = _base(world, store, device, device.area_id, no=700, name="Device Disconnected", level=1,
                      kind="device_offline")
    event.reader_name = "Other"
    if store == "psg":
        event.gate_type = device.gate_type
    return world.add_event(event)


def _device_offline(world: World, fields: dict[str, Any]) -> Event | None:
    device = _device(world, fields, "acc", "psg", "ele")
    seconds = fields.pop("seconds", None)
    event = set_online(world, device, False)
    if seconds is not None:
        world.schedule(world.now() + float(seconds), lambda: set_online(world, device, True))
    return event


def _device_online(world: World, fields: dict[str, Any]) -> Event | None:
    return set_online(world, _device(world, fields, "acc", "psg", "ele"), True)


def _gate_pass(world: World, fields: dict[str, Any]) -> Event:
    gate = _gate(world, fields)
    person = _person(world, fields)
    mode = str(fields.pop("mode", "") or world.rng.choice(("card", "face")))
    direction = _direction(world, fields)
    event = _base(world, "psg", world.device_of(gate), gate.area_id, no=0, name="Normal Verify Open", level=0,
                  kind="gate_pass")
    _with_person(world, event, person, mode)
    _at_gate(world, event, gate, direction)
    gate.relay = 2 if direction == "in" else 1
    gate.relay_until = world.now() + 3.0
    return world.add_event(event)


def _gate_remote_open(world: World, fields: dict[str, Any]) -> Event:
    gate = _gate(world, fields)
    open_type = int(fields.pop("open_type", fields.pop("openType", 1)))
    event = _base(world, "psg", world.device_of(gate), gate.area_id, no=8, name="Remote Opening", level=0,
                  kind="gate_remote_open")
    _at_gate(world, event, gate, "in" if open_type == 1 else "out")
    event.reader_name, event.reader_state = "Other", None
    gate.relay = 2 if open_type == 1 else 1  # 1 entry -> relay "entry open" (2); 2 exit -> "exit open" (1)
    gate.relay_until = world.now() + 5.0
    return world.add_event(event)


def _floor_event(world: World, fields: dict[str, Any], *, remote: str | None = None) -> Event:
    floor = _floor(world, fields)
    device = world.device_of(floor)
    if remote == "open":
        interval = float(fields.pop("interval", 5))
        event = _base(world, "ele", device, device.area_id, no=8, name="Remote Opening", level=0,
                      kind="floor_remote_open")
        floor.relay_until = world.now() + interval
    elif remote == "close":
        event = _base(world, "ele", device, device.area_id, no=9, name="Remote Closing", level=0,
                      kind="floor_remote_close")
        floor.relay_until = min(floor.relay_until, world.now())
    else:
        person = _person(world, fields)
        event = _base(world, "ele", device, device.area_id, no=0, name="Normal Verify Open", level=0, kind="floor")
        _with_person(world, event, person, str(fields.pop("mode", "card")))
        floor.relay_until = world.now() + 5.0
    event.point_name = floor.name
    event.reader_name = f"{device.name}-reader"
    return world.add_event(event)


def _temperature(world: World, fields: dict[str, Any]) -> Event:
    device = _device(world, fields, "acc")
    person = _person(world, fields)
    temp = fields.pop("temperature", None)
    value = round(float(temp) if temp is not None else world.rng.gauss(36.6, 0.35), 2)
    abnormal = value >= 37.3
    event = _base(world, "hep", device, device.area_id, no=315 if not abnormal else 316,
                  name="Abnormal Temperature" if abnormal else "Normal Verify Open", level=2 if abnormal else 0,
                  kind="temperature")
    _with_person(world, event, person, "face")
    event.temperature = value
    event.mask_flag = str(fields.pop("mask", None) or world.rng.choice(("1", "1", "0")))
    event.temp_status = "abnormal" if abnormal else "normal"
    door = next((d for d in world.doors.values() if d.device_id == device.id), None)
    if door is not None:
        event.point_name = door.name
    stamp = "".join(ch for ch in event.event_time if ch.isdigit())
    event.photo_path = f"/upload/event/photo/{device.sn}/{stamp}.jpg"
    return world.add_event(event)


def _att(world: World, fields: dict[str, Any]) -> Event:
    device = _device(world, fields, "att", "ins")
    person = _person(world, fields)
    event = _base(world, "att", device, device.area_id, no=0, name="Normal Verify", level=0, kind="att")
    _with_person(world, event, person, str(fields.pop("mode", "face")))
    event.reader_name = "Other"
    return world.add_event(event)


# -- parking (records, not events) -----------------------------------------------------------------


def park_entry(world: World, car_number: str | None = None, channel: str | None = None) -> ParkRecord:
    channels = [c for c in world.table("park_channels").values() if c["_direction"] == "in"]
    chan = next((c for c in channels if c["channelName"] == channel or c["channelId"] == channel), None)
    chan = chan or world.rng.choice(channels)
    plate = car_number or _random_plate(world)
    open_record = next((r for r in world.park_records if r.car_number == plate and r.check_out is None), None)
    if open_record is not None:
        return open_record
    car_types = list(world.table("park_car_types").values())
    owner = next((p for p in world.persons.values() if plate in p.car_plates), None)
    record = ParkRecord(
        id=world.new_id(), car_number=plate, area_name=chan["_areaName"],
        car_type_name=car_types[0]["name"] if owner is None else car_types[-1]["name"],
        channel_in=chan["channelName"], check_in=world.now(), driver="" if owner is None else owner.name,
    )
    world.park_records.append(record)
    return record


def park_exit(world: World, car_number: str | None = None) -> ParkRecord | None:
    inside = [r for r in world.park_records if r.check_out is None]
    if car_number is not None:
        inside = [r for r in inside if r.car_number == car_number]
    if not inside:
        return None
    record = inside[0] if car_number is not None else world.rng.choice(inside)
    channels = [c for c in world.table("park_channels").values() if c["_direction"] == "out"]
    record.channel_out = world.rng.choice(channels)["channelName"]
    record.check_out = world.now()
    record.out_id = world.new_id()
    return record


def _random_plate(world: World) -> str:
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    prefix = world.rng.choice(("辽", "粤", "京", "沪", "ZH", "B", "M"))
    tail = "".join(world.rng.choice(letters + "0123456789") for _ in range(5))
    return f"{prefix} {world.rng.choice(letters)}{tail}"


# -- the catalogue ---------------------------------------------------------------------------------

KINDS: dict[str, Callable[[World, dict[str, Any]], Event | None]] = {
    "verify": _verify,
    "unknown_card": _unknown_card,
    "denied": _denied,
    "remote_open": _remote_open,
    "remote_close": _remote_close,
    "forced_open": _forced_open,
    "door_timeout": _door_timeout,
    "duress": _duress,
    "tamper": _tamper,
    "device_offline": _device_offline,
    "device_online": _device_online,
    "gate_pass": _gate_pass,
    "gate_remote_open": _gate_remote_open,
    "floor": _floor_event,
    "floor_remote_open": lambda w, f: _floor_event(w, f, remote="open"),
    "floor_remote_close": lambda w, f: _floor_event(w, f, remote="close"),
    "temperature": _temperature,
    "att": _att,
}


def emit(world: World, kind: str, **fields: Any) -> Event | ParkRecord | None:
    """Make one ``kind`` of event happen now; ``None`` when nothing changed (a device already offline)."""
    if kind == "park_entry":
        return park_entry(world, fields.get("carNumber") or fields.get("car_number"), fields.get("channel"))
    if kind == "park_exit":
        return park_exit(world, fields.get("carNumber") or fields.get("car_number"))
    maker = KINDS.get(kind)
    if maker is None:
        raise KeyError(f"unknown event kind {kind!r}; known: {', '.join(sorted([*KINDS, 'park_entry', 'park_exit']))}")
    event = maker(world, dict(fields))
    return event


def render_truth(event: Event) -> dict[str, Any]:
    """The ground-truth form of an event (``/_sim/events``, ``Simulator.emitted``)."""
    return {
        "seq": event.seq,
        "id": event.id,
        "store": event.store,
        "kind": event.kind,
        "eventTime": event.event_time,
        "eventNo": event.event_no,
        "eventName": event.event_name,
        "eventLevel": event.level,
        "devSn": event.dev_sn,
        "devName": event.dev_name,
        "eventPointName": event.point_name,
        "doorName": event.door_name,
        "readerName": event.reader_name,
        "areaName": event.area_name,
        "pin": event.pin,
        "name": event.name,
        "cardNo": event.card_no,
        "verifyModeName": event.verify_mode,
        "logId": event.log_id,
        "temperature": event.temperature,
    }
