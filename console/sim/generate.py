"""Build a :class:`World` deterministically from ``(seed, site)``.

Sites: ``small`` (4 access controllers with 12 doors, 1 entrance-control device with 3 gates, ~40 persons),
``medium`` (~40 controllers with 150 doors, 20 gates, 2,000 persons) and ``large`` (2,000 doors, 200 gates,
20,000 persons; built in well under 3 s), and ``xl`` (10,000 doors, 1,000 gates: a campus; the people of
the large site). Medium and larger sites include hostile names (markup, a very long
name, mixed scripts) so that the console's plain-text handling is exercised. The same seed and site always
give the same world, history included (only the absolute times follow the clock).
"""

from __future__ import annotations

import base64
import random
from dataclasses import dataclass
from datetime import date, timedelta

from . import events
from .images import solid_png
from .world import (
    Area,
    BioTemplate,
    Card,
    Clock,
    Department,
    Device,
    Door,
    Floor,
    Gate,
    Level,
    Person,
    Reader,
    Visitor,
    VisitRegistration,
    VisitReservation,
    World,
    fmt_time,
)

__all__ = ["HOSTILE_NAMES", "SITES", "SiteSpec", "build_world", "gb11643_check"]


@dataclass(frozen=True, slots=True)
class SiteSpec:
    areas: int
    depts: int
    four_door: int  # 4-door controllers
    two_door: int
    psg_devices: int
    gates_per_psg: int
    ele_devices: int
    floors_per_ele: int
    att_devices: int
    kiosks: int
    space_devices: int
    persons: int
    visitors: int
    blocked: int
    park_areas: int
    spaces: int
    cameras: int
    history: int
    hostile: bool


SITES: dict[str, SiteSpec] = {
    "small": SiteSpec(3, 5, 2, 2, 1, 3, 1, 8, 1, 1, 1, 40, 10, 2, 1, 3, 4, 150, False),
    "medium": SiteSpec(8, 15, 37, 1, 5, 4, 2, 16, 2, 2, 2, 2000, 80, 5, 2, 10, 16, 1500, True),
    "large": SiteSpec(20, 40, 500, 0, 50, 4, 10, 20, 5, 5, 5, 20000, 300, 10, 3, 30, 64, 4000, True),
    # a campus or federated site: 10,000 doors and 1,000 gates (the people and history of the large site)
    "xl": SiteSpec(40, 40, 2500, 0, 250, 4, 10, 20, 5, 5, 5, 20000, 300, 10, 3, 30, 64, 4000, True),
}

HOSTILE_NAMES = (
    "<b>x</b><img src=x>",
    "Loading Dock Roller Shutter " + "with a name far longer than any label was ever designed for " * 4,
    "Nordtür – 北门 🚪 Ωmega",
)

FIRST = ("Anna", "Ben", "Chen", "Dana", "Emre", "Fatima", "Grace", "Hiro", "Ivan", "Jamal", "Kofi", "Lena", "Mateo",
         "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tariq", "Uma", "Victor", "Wei", "Ximena", "Yusuf", "Zoë",
         "李雷", "韩梅梅", "Søren", "José", "Łucja", "Ngozi", "Aarav", "Mei", "Olga", "Pierre")
LAST = ("Smith", "Garcia", "Müller", "Kowalski", "Nakamura", "Okafor", "Silva", "Nguyen", "Haddad", "Johansson",
        "O'Brien", "Rossi", "Dubois", "Ivanova", "Kim", "Patel", "Wang", "Zhang", "Novak", "Andersen", "")
DEPTS = ("General", "Engineering", "Security", "Facilities", "Sales", "Finance", "Human Resources", "Logistics",
         "Research & Development", "Reception", "Legal", "Marketing", "IT", "Production", "Quality", "Procurement",
         "Customer Care", "Warehouse", "Maintenance", "Executive")
AREAS = ("Headquarters", "North Wing", "South Wing", "Warehouse", "Car Park", "Data Centre", "Laboratory",
         "Canteen", "East Campus", "West Campus")
DOOR_NAMES = ("Main Entrance", "Lobby", "Server Room", "Finance Office", "Loading Bay", "Staff Entrance",
              "Meeting Room A", "Meeting Room B", "Roof Access", "Archive", "Pharmacy Store", "Fire Exit East")
COMPANIES = ("ZKTeco", "Acme Ltd", "Globex", "Initech", "Umbrella Logistics", "")
REASONS = ("Meeting", "Delivery", "Interview", "Maintenance", "Audit")


def gb11643_check(first17: str) -> str:
    """The GB 11643-1999 check character of an 18-digit Chinese national ID (ISO 7064 MOD 11-2)."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(first17, weights, strict=True))
    return "10X98765432"[total % 11]


def _national_id(rng: random.Random) -> str:
    born = date(1960, 1, 1) + timedelta(days=rng.randrange(0, 40 * 365))
    first17 = f"110101{born:%Y%m%d}{rng.randrange(0, 1000):03d}"
    return first17 + gb11643_check(first17)


class _Gen:
    def __init__(self, world: World, spec: SiteSpec, rng: random.Random) -> None:
        self.w = world
        self.spec = spec
        self.rng = rng
        self.ip_host = 10

    def ip(self) -> str:
        self.ip_host += 1
        return f"10.8.{14 + self.ip_host // 250}.{self.ip_host % 250 + 2}"

    def sn(self, prefix: str) -> str:
        return f"{prefix}{self.rng.randrange(10**9, 10**10)}"

    # -- organisation ------------------------------------------------------------------------------

    def organisation(self) -> None:
        w, spec = self.w, self.spec
        for i in range(spec.areas):
            name = AREAS[i] if i < len(AREAS) else f"Area {i + 1}"
            area = Area(w.new_id(), str(i + 1), name, "" if i == 0 else "1")
            w.areas[area.id] = area
        for i in range(spec.depts):
            name = DEPTS[i] if i < len(DEPTS) else f"Department {i + 1}"
            code = str(i + 1)
            w.departments[code] = Department(w.new_id(), code, name, None if i == 0 else "1", i + 1)

    def device(self, module: str, type_: str, prefix: str, area: Area, **kw: object) -> Device:
        name = self.ip()
        dev = Device(self.w.new_id(), self.sn(prefix), name, type_, module, area.id, ip=name, **kw)  # type: ignore[arg-type]
        self.w.devices[dev.id] = dev
        return dev

    # -- hardware ----------------------------------------------------------------------------------

    def hardware(self) -> None:
        w, spec, rng = self.w, self.spec, self.rng
        areas = list(w.areas.values())
        plan = [("inBIO460", 4)] * spec.four_door + [("inBIO260", 2)] * spec.two_door
        names = list(DOOR_NAMES)
        hostile = list(HOSTILE_NAMES) if spec.hostile else []
        door_index = 0
        for i, (type_, ndoors) in enumerate(plan):
            dev = self.device("acc", type_, "CJI", areas[i % len(areas)])
            for n in range(1, ndoors + 1):
                if hostile and door_index in (5, 9, 13):
                    door_name = hostile.pop(0)
                elif names and rng.random() < 0.6:
                    door_name = names.pop(0)
                else:
                    door_name = f"{dev.name}-{n}"
                door = Door(w.new_id(), door_name, dev.id, dev.area_id, n, has_sensor=door_index % 7 != 3,
                            lower_case=door_index % 3 != 1)
                for state, suffix in ((0, "In"), (1, "Out")):
                    reader = Reader(w.new_id(), f"{door_name}-{suffix}", 2 * n - 1 + state, state, door_id=door.id)
                    w.readers[reader.id] = reader
                    door.reader_ids.append(reader.id)
                w.doors[door.id] = door
                door_index += 1
        acc = w.devices_of("acc")
        acc[-1].enabled = False  # one disabled controller
        if len(acc) > 8:  # bigger sites: a few controllers offline from the start
            for dev in rng.sample(acc[:-1], max(1, len(acc) // 25)):
                dev.online = False
        for i in range(spec.psg_devices):
            gate_type = (2, 1, 3)[i % 3]
            dev = self.device("psg", "InBio-PGates", "CKN", areas[i % len(areas)], gate_type=gate_type)
            for n in range(1, spec.gates_per_psg + 1):
                gate = Gate(w.new_id(), f"{dev.name}-{n}", dev.id, dev.area_id, n)
                for state, suffix in ((0, "入"), (1, "出")):
                    reader = Reader(w.new_id(), f"{gate.name}-{suffix}", 2 * n - 1 + state, state, gate_id=gate.id)
                    w.readers[reader.id] = reader
                    gate.reader_ids.append(reader.id)
                w.gates[gate.id] = gate
        for i in range(spec.ele_devices):
            dev = self.device("ele", "EC10", "ELE", areas[i % len(areas)])
            for n in range(1, spec.floors_per_ele + 1):
                floor = Floor(w.new_id(), f"{dev.name}({n})", n, dev.id)
                w.floors[floor.id] = floor
        for i in range(spec.att_devices):
            self.device("att", "ZK-S1007", "CEXB", areas[i % len(areas)])
        for i in range(spec.kiosks):
            self.device("ins", "Robot-Pad", "627", areas[i % len(areas)])
        for i in range(spec.space_devices):
            self.device("space", "FaceKiosk-H10A", "5001", areas[i % len(areas)], online=i % 2 == 0)

    # -- levels and people -------------------------------------------------------------------------

    def levels(self) -> None:
        w = self.w
        first_area = next(iter(w.areas.values()))
        door_ids = set(w.doors)
        specs = [
            ("General", "acc", door_ids),
            ("Security Staff", "acc", door_ids),
            ("Lobby Only", "acc", set(list(w.doors)[:2])),
            ("All Floors", "ele", set(w.floors)),
            ("Ground Floor", "ele", {f.id for f in w.floors.values() if f.floor_no == 1}),
            ("Main Gates", "psg", set(w.gates)),
            ("Visitor Lobby", "vis", set(list(w.doors)[:2])),
            ("Visitor Meeting Rooms", "vis", set(list(w.doors)[:4])),
        ]
        for name, kind, targets in specs:
            level = Level(w.new_id(), name, kind, first_area.id, targets=set(targets))  # type: ignore[arg-type]
            w.levels[level.id] = level

    def people(self) -> None:
        w, spec, rng = self.w, self.spec, self.rng
        depts = list(w.departments)
        card_numbers = rng.sample(range(10_000_000, 99_999_999), spec.persons + 10)
        levels = {lv.name: lv for lv in w.levels.values()}
        photo = base64.b64encode(solid_png(4, 4, (200, 160, 140))).decode("ascii")
        for i in range(spec.persons):
            pin = str(1001 + i)
            first, last = rng.choice(FIRST), rng.choice(LAST)
            if spec.hostile and i == 7:
                first, last = "<script>alert(1)</script>", "Tables"
            person = Person(
                pin=pin, id=w.new_id(), name=first, last_name=last, dept_code=rng.choice(depts),
                gender=rng.choice(("M", "F")), email=f"user{pin}@example.com",
                mobile=f"1{rng.randrange(10**9, 10**10)}",
                hire_date=f"20{rng.randrange(10, 24)}-0{rng.randrange(1, 9)}-15",
                photo=photo if i < 3 else "",
            )
            w.persons[pin] = person
            w.cards[str(card_numbers[i])] = Card(str(card_numbers[i]), pin)
            levels["General"].pins.add(pin)
            levels["All Floors"].pins.add(pin)
            levels["Main Gates"].pins.add(pin)
            if i % 10 == 0:
                levels["Security Staff"].pins.add(pin)
            if i % 4 == 0:
                person.car_plates.append(f"ZH {rng.choice('ABCDEFGH')}{rng.randrange(10000, 99999)}")
        for i, pin in enumerate(list(w.persons)[:5]):
            tpl = BioTemplate(w.new_id(), pin, str(i % 10), "1", base64.b64encode(rng.randbytes(48)).decode())
            w.templates[(pin, tpl.template_no)] = tpl
        for area in w.areas.values():
            pins = {p for p in list(w.persons)[: min(20, spec.persons)] if int(p) % len(w.areas) == int(area.code) - 1}
            w.att_area_pins[area.code] = set(pins)
            w.ins_area_pins[area.code] = set(pins)

    def visitors(self) -> None:
        w, spec, rng = self.w, self.spec, self.rng
        hosts = list(w.persons)
        now = w.now()
        for i in range(spec.visitors):
            cert_type = "2" if i % 2 == 0 else rng.choice(("3", "4", "8"))
            number = _national_id(rng) if cert_type == "2" else f"{rng.choice('EGPK')}{rng.randrange(10**6, 10**8)}"
            vis = Visitor(
                w.new_id(), str(80000001 + i), rng.choice(FIRST), rng.choice(LAST) or None, cert_type, number,
                phone=f"1{rng.randrange(10**9, 10**10)}", company=rng.choice(COMPANIES), blocked=i < spec.blocked,
                gender=rng.choice(("M", "F", "")),
            )
            w.visitors[vis.pin] = vis
            if not vis.blocked and i % 3 == 0:  # some visitors are in the building now
                w.registrations.append(VisitRegistration(
                    w.new_id(), vis.pin, rng.choice(hosts), rng.choice(REASONS), 1, fmt_time(now - 3600),
                    fmt_time(now + 4 * 3600), checked_in_at=now - 3600,
                ))
            elif not vis.blocked and i % 3 == 1:
                w.reservations.append(VisitReservation(
                    w.new_id(), rng.choice(hosts), vis.cert_type, vis.cert_number, vis.name,
                    fmt_time(now + 86400)[:10] + " 09:00:00", fmt_time(now + 86400)[:10] + " 17:00:00",
                    rng.choice(REASONS), phone=vis.phone, company=vis.company,
                ))

    # -- the long tail -----------------------------------------------------------------------------

    def parking(self) -> None:
        w, spec, rng = self.w, self.spec, self.rng
        now = w.now()
        channels = w.table("park_channels")
        for i in range(spec.park_areas):
            area_id = w.new_id()
            name = f"B{i + 1}"
            w.table("park_areas")[area_id] = {"id": area_id, "name": name, "parentId": ""}
            for direction, label in (("in", "Entrance"), ("out", "Exit")):
                cid = w.new_id()
                channels[cid] = {"channelId": cid, "channelName": f"{name}-{label}", "_direction": direction,
                                 "_areaName": name, "_areaId": area_id, "_openUntil": 0.0}
            eid = w.new_id()
            w.table("park_entrances")[eid] = {"id": eid, "name": f"{name}-E1", "areaId": area_id}
            for n in range(1, 6):
                sid = w.new_id()
                w.table("park_spaces")[sid] = {"id": sid, "name": f"K{i + 1}{n:02d}", "areaId": area_id}
        for name in ("Temporary Car", "Monthly Car", "Fixed Car"):
            tid = w.new_id()
            w.table("park_car_types")[tid] = {"id": tid, "name": name}
        for name, type_, content in (("Free at all", 1, "0"), ("Amount", 2, "10.0"), ("minutes", 3, "120")):
            did = w.new_id()
            w.table("park_discounts")[did] = {"discountId": did, "discountName": name, "discountType": type_,
                                               "content": content}
        plates = [p for person in w.persons.values() for p in person.car_plates]
        for i in range(max(4, spec.park_areas * 4)):
            record = events.park_entry(w, plates[i] if i < len(plates) and i % 2 else None)
            record.check_in = now - rng.uniform(600, 30 * 3600)
            if i % 3 == 0:  # some have left already
                events.park_exit(w, record.car_number)
                record.check_out = record.check_in + rng.uniform(600, 7200)
        w.park_records.sort(key=lambda r: r.check_in)
        first_area = next(iter(w.table("park_areas")))
        for plate, pin in (("ZH F00001", "1001"), ("ZH F00002", "1002")):
            w.table("fixed_vehicles")[plate] = {"carNumber": plate, "pin": pin, "areaId": first_area, "carTypeId": "",
                                                "spaceId": "", "entranceIds": "", "amount": "0", "startTime": "",
                                                "endTime": ""}
        for plate, list_type in (("ZH X00001", "1"), ("ZH X00002", "1"), ("ZH W00003", "0")):
            w.park_lists[plate] = {"type": list_type, "carNumber": plate, "fromTime": "", "toTime": "", "parkCode": ""}

    def space(self) -> None:
        w, spec, rng = self.w, self.spec, self.rng
        now = w.now()
        facilities, services = w.table("space_facilities"), w.table("space_services")
        for no, name in ((1, "Projector"), (2, "Electronic Whiteboard"), (3, "Video Conference")):
            fid = w.new_id()
            facilities[fid] = {"id": fid, "name": name, "facilityNo": no, "remark": "", "initFlag": True}
        for name in ("Cleaning", "Snack", "Tea"):
            sid = w.new_id()
            services[sid] = {"id": sid, "name": name, "remark": "", "initFlag": True}
        devices = w.devices_of("space")
        pins = list(w.persons)
        for i in range(spec.spaces):
            sid = w.new_id()
            owner = w.persons[pins[i % len(pins)]]
            w.table("spaces")[sid] = {
                "id": sid, "name": f"Meeting Room {i + 1}" if i != 1 else "会议室 2 — Ωmega", "picture": "",
                "status": "0", "capacity": str(rng.choice((4, 6, 8, 12, 20))),
                "spaceFacilityIds": ",".join(list(facilities)[: 1 + i % 3]),
                "spaceDeviceIds": devices[i % len(devices)].id if devices else "",
                "authAreaName": next(iter(w.areas.values())).name, "address": f"Building A, floor {1 + i % 5}",
                "personId": owner.id, "personPin": owner.pin, "personTel": owner.mobile, "smartSpace": i % 2 == 0,
                "remark": "", "retentionTime": "15",
            }
        space_ids = list(w.table("spaces"))
        for i, (start_off, cancelled) in enumerate(((-7200, False), (-600, False), (3600, False), (7200, True),
                                                    (86400, False))):
            rid = w.new_id()
            owner = w.persons[pins[i % len(pins)]]
            w.table("space_reservations")[rid] = {
                "id": rid, "subject": ("Weekly sync", "Design review", "Interview", "Budget", "Training")[i],
                "content": "", "spaceId": space_ids[i % len(space_ids)], "startAt": now + start_off,
                "endAt": now + start_off + 3600, "startSignInTime": 5, "applyPersonPin": owner.pin,
                "applyPersonEmail": owner.email, "participantIds": ",".join(w.persons[p].id for p in pins[:3]),
                "serviceIds": "", "remindTime": "15m", "cancelled": cancelled, "finished": False,
            }

    def misc(self) -> None:
        w, rng = self.w, self.rng
        for no, name in (("L1", "personal leave"), ("L2", "marriage leave"), ("L3", "sick leave"),
                         ("L4", "annual leave")):
            w.table("leave_types")[no] = {"leaveTypeNo": no, "leaveTypeName": name}
        for name in ("Welcome", "Safety First"):
            mid = w.new_id()
            w.table("media")[name] = {"id": mid, "mediaName": name, "mediaSize": "21KB", "mediaSuffix": "png",
                                      "mediaType": "1", "mediaPath": f"/att/picture/{mid}.png"}
        parents = w.table("ivs_parents")
        channels = w.table("ivs_channels")
        nvrs = max(1, self.spec.cameras // 16)
        for _ in range(nvrs):
            pid = w.new_id()
            ip = self.ip()
            parents[pid] = {"id": pid, "ip": ip, "status": "1", "userName": "admin", "passWord": "********",
                            "port": "8081", "type": "7"}
            for n in range(1, min(16, self.spec.cameras) + 1):
                cid = w.new_id()
                channels[cid] = {"id": w.new_id(), "cameraName": f"CH{n}", "cameraType": "DOME",
                                 "status": "1" if n % 5 else "0", "channel": str(n), "parentType": "7",
                                 "channelCode": f"CH{n}", "vidParentDeviceId": pid, "channelId": cid, "_ip": ip}
        pins = list(w.persons)[:10]
        for i, pin in enumerate(pins):
            person = w.persons[pin]
            w.table("accounts")[pin] = {
                "personPin": pin, "personName": person.name, "personLastName": person.last_name,
                "accountNo": pin, "balance": 10000 - i * 150, "posMoneyWallet": 9000 - i * 150,
                "posAllowanceWallet": 1000, "deptCode": person.dept_code,
                "deptName": w.dept_name(person.dept_code), "accountType": 0, "serialNum": i + 1,
                "consumeSerailnum": i + 1, "available": 0, "accountMember": i % 2, "accountKindName": "General account",
            }
            for k in range(2):
                at = w.now() - rng.uniform(3600, 20 * 86400)
                pid = w.new_id()
                w.table("pos_records")[pid] = {
                    "id": pid, "posTime": _unpadded(at), "personPin": pin, "personName": person.name,
                    "personLastName": person.last_name, "sysCardNo": w.main_card(pin), "cardStatus": "1",
                    "cardSerialNum": k + 1, "deptCode": person.dept_code, "deptName": w.dept_name(person.dept_code),
                    "card": w.main_card(pin), "typeName": 6, "money": round(rng.uniform(2, 30), 2),
                    "subMoney": 0.0, "balance": round(rng.uniform(20, 200), 2), "subBalance": "0.00", "posModel": 2,
                    "hallingCode": "1", "hallingName": "Headquarters", "mealCode": "1", "mealName": "Lunch",
                    "devSn": "10001", "devAlias": "canteen consumer machine", "devSerialNum": 1000 + k, "_at": at,
                }
                oid = w.new_id()
                w.table("posid_records")[oid] = {
                    "id": oid, "personPin": pin, "personName": person.name, "personLastName": person.last_name,
                    "accountNo": pin, "typeName": 6, "money": rng.randrange(200, 3000), "balance": 9000,
                    "moneyWallet": 9000, "allowanceWallet": 0, "posModel": 2, "discount": None,
                    "discountMoney": 0, "consumeOrder": 0, "deptCode": person.dept_code,
                    "deptName": w.dept_name(person.dept_code), "hallingCode": "1", "hallingName": "Headquarters",
                    "mealCode": "1", "mealName": "Lunch", "devSn": "10001", "accountSerial": k + 1,
                    "cardNo": w.main_card(pin) or None, "posTime": str(int(at * 1000)),
                    "createTime": str(int(at * 1000) + 1500), "creatorName": "admin", "logFlag": 1, "_at": at,
                }

    # -- history -----------------------------------------------------------------------------------

    def history(self) -> None:
        """Events of the last 24 hours, made by the live makers under a clock set back in time."""
        w, spec, rng = self.w, self.spec, self.rng
        real_clock = w.clock
        start = real_clock.now() - 86400
        times = sorted(start + rng.uniform(0, 86400 - 120) for _ in range(spec.history))
        kinds = (["verify"] * 60 + ["gate_pass"] * 12 + ["unknown_card"] * 5 + ["denied"] * 3 + ["floor"] * 5
                 + ["temperature"] * 6 + ["att"] * 4 + ["remote_open"] * 2 + ["forced_open", "door_timeout"]
                 + ["duress"])
        w.rng.seed(rng.random())
        past = Clock()
        w.clock = past
        try:
            for t in times:
                past.offset = t - real_clock.now()
                kind = rng.choice(kinds)
                try:
                    events.emit(w, kind)
                except LookupError:
                    continue
            # one controller dropped out and came back during the day
            acc = [d for d in w.devices_of("acc") if d.enabled and d.online]
            if acc:
                past.offset = (start + 43200) - real_clock.now()
                events.set_online(w, acc[0], False)
                past.offset = (start + 43800) - real_clock.now()
                events.set_online(w, acc[0], True)
        finally:
            w.clock = real_clock
        for door in w.doors.values():  # history leaves no live state behind
            door.relay_until = door.sensor_until = door.alarm_until = 0.0
            door.alarm = "none"
        for gate in w.gates.values():
            gate.relay_until = 0.0
        for floor in w.floors.values():
            floor.relay_until = 0.0
        w.end_history()

    def live_state(self) -> None:
        """A little variety on the board at start: one door held open by a person, one open for a while."""
        w = self.w
        online = [d for d in w.doors.values() if w.door_connect(d) == 1 and d.has_sensor]
        if len(online) > 3:
            w.open_door(online[1], 20.0)
        if len(online) > 5:
            w.set_door_alarm(online[4], "low battery voltage", 600.0)


def _unpadded(at: float) -> str:
    """``2023-4-7 10:20:41``: the unpadded date form 2.37.1 prints."""
    text = fmt_time(at)
    y, mo, rest = text.split("-", 2)
    d, hms = rest.split(" ")
    return f"{int(y)}-{int(mo)}-{int(d)} {hms}"


def build_world(seed: int = 1, site: str = "small", clock: Clock | None = None) -> World:
    """A fresh world for ``site`` (small, medium, large, xl); KeyError names an unknown site."""
    try:
        spec = SITES[site]
    except KeyError:
        raise KeyError(f"unknown site {site!r}; choose one of {', '.join(SITES)}") from None
    world = World(seed, site, clock)
    rng = random.Random(f"{seed}:{site}")
    gen = _Gen(world, spec, rng)
    gen.organisation()
    gen.hardware()
    gen.levels()
    gen.people()
    gen.visitors()
    gen.parking()
    gen.space()
    gen.misc()
    gen.history()
    gen.live_state()
    world.rng.seed(f"{seed}:{site}:live")
    return world

