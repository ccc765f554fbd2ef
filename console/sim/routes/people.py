"""Persons, cards, departments, biometric templates, area persons, who-is-inside (2.2, 2.5, 2.6, 2.9, 2.14,
2.25, 2.26, 2.28, 2.29).

Codes: pin empty -20, unknown person -22, card used by another person -23, unknown level -24, password used
by another person -26, photo not a PNG/JPEG -27, pin not 1-24 letters/digits -29, department code or name
empty -10, name taken -12, unknown department -13, parent loop -14, department still in use -15, template
valid type -32, template number 0..9 -33, unknown template -34, area code empty -83, unknown area -80, pins
empty -81, more than 500 pins -82. A resigned person (2.14.9) is "unknown" until reinstated (2.14.13).
"""

from __future__ import annotations

import re
from typing import Any

from .. import render, rules
from ..http import Ctx, Params, Reply, Rows, SimError, parse_date
from ..world import BioTemplate, Card, Department, Person, World
from . import handles

_PIN = re.compile(r"^[0-9A-Za-z]{1,24}$")


def person_of(ctx: Ctx, key: str = "pin") -> Person:
    pin = ctx.p.require(key, -20)
    person = ctx.world.persons.get(pin)
    if person is None or person.left:
        raise SimError(-22)
    return person


# -- add / edit ------------------------------------------------------------------------------------


def _validate(world: World, data: Params) -> None:
    pin = data.require("pin", -20)
    if not _PIN.match(pin):
        raise SimError(-29)
    dept = data.opt("deptCode")
    if dept is not None and dept not in world.departments:
        raise SimError(-13)
    card = data.opt("cardNo")
    if card is not None:
        owner = world.cards.get(card)
        if owner is not None and owner.pin != pin:
            raise SimError(-23)
    for sub in data.items("supplyCards"):
        owner = world.cards.get(sub)
        if owner is not None and owner.pin != pin:
            raise SimError(-23)
    for level_id in data.items("accLevelIds"):
        level = world.levels.get(level_id)
        if level is None or level.kind != "acc":
            raise SimError(-24)
    photo = data.opt("personPhoto")
    if photo is not None and not rules.photo_ok(photo):
        raise SimError(-27)
    pwd = data.opt("personPwd")
    if pwd is not None and any(p.person_pwd == pwd and p.pin != pin for p in world.persons.values()):
        raise SimError(-26)
    stamps = [parse_date(text) for text in (data.opt("accStartTime"), data.opt("accEndTime")) if text is not None]
    if len(stamps) == 2 and stamps[0] > stamps[1]:
        raise SimError(-101)


def _apply(world: World, data: Params) -> Person:
    pin = data.require("pin", -20)
    person = world.persons.get(pin)
    if person is None:
        person = Person(pin=pin, id=world.new_id(), name="", dept_code=next(iter(world.departments), "1"))
        world.persons[pin] = person
        world.enrolled.append(pin)  # the live activity lets newly enrolled people walk through doors too
        del world.enrolled[:-500]
    person.left = False
    text_fields = {
        "name": "name", "lastName": "last_name", "deptCode": "dept_code", "gender": "gender",
        "email": "email", "mobilePhone": "mobile", "certType": "cert_type", "certNumber": "cert_number",
        "birthday": "birthday", "hireDate": "hire_date", "ssn": "ssn", "accStartTime": "acc_start",
        "accEndTime": "acc_end", "personPhoto": "photo", "personPwd": "person_pwd",
    }
    for key, attr in text_fields.items():
        value = data.raw(key)
        if value is not None:
            setattr(person, attr, str(value).strip())
    for key, attr in (("isDisabled", "is_disabled"), ("isSendMail", "is_send_mail")):
        if data.raw(key) is not None:
            setattr(person, attr, data.flag(key))
    if data.raw("cardNo") is not None:  # "" deletes the card; absent keeps it
        for card in world.person_cards(pin):
            if card.card_type == "0":
                del world.cards[card.card_no]
        card_no = data.opt("cardNo")
        if card_no is not None:
            world.cards[card_no] = Card(card_no, pin, "0")
    if data.raw("supplyCards") is not None:
        for card in world.person_cards(pin):
            if card.card_type == "1":
                del world.cards[card.card_no]
        for sub in data.items("supplyCards"):
            world.cards[sub] = Card(sub, pin, "1")
    if data.raw("carPlate") is not None:
        person.car_plates = data.items("carPlate")
    if data.raw("accLevelIds") is not None:
        wanted = set(data.items("accLevelIds"))
        for level in world.levels.values():
            if level.kind == "acc":
                if level.id in wanted:
                    level.pins.add(pin)
                else:
                    level.pins.discard(pin)
    return person


def _upsert(ctx: Ctx, data: Params) -> None:
    _validate(ctx.world, data)
    _apply(ctx.world, data)


@handles("2.14.1", "2.14.10")
def person_add(ctx: Ctx) -> None:
    _upsert(ctx, ctx.p)


@handles("2.14.13")
def person_reinstate(ctx: Ctx) -> None:
    pin = ctx.p.require("pin", -20)
    if pin not in ctx.world.persons:
        raise SimError(-22)
    _upsert(ctx, ctx.p)


@handles("2.14.14")
def persons_add(ctx: Ctx) -> None:
    rows = ctx.p.body if isinstance(ctx.p.body, list) else []
    batch = [Params(body=row) for row in rows if isinstance(row, dict)]
    if not batch:
        raise SimError(-20)
    for data in batch:  # all or nothing
        _validate(ctx.world, data)
    for data in batch:
        _apply(ctx.world, data)


def _delete_person(world: World, pin: str) -> None:
    del world.persons[pin]
    for card in world.person_cards(pin):
        del world.cards[card.card_no]
    for key in [k for k in world.templates if k[0] == pin]:
        del world.templates[key]
    for level in world.levels.values():
        level.pins.discard(pin)
    for pins in (*world.att_area_pins.values(), *world.ins_area_pins.values()):
        pins.discard(pin)
    world.inside.pop(pin, None)


@handles("2.14.2", "2.14.3")
def person_delete(ctx: Ctx) -> None:
    _delete_person(ctx.world, person_of(ctx).pin)


@handles("2.14.15")
def persons_delete(ctx: Ctx) -> None:
    pins = ctx.p.items("pins")
    if not pins:
        raise SimError(-81)
    known = [p for p in pins if p in ctx.world.persons]
    if not known:
        raise SimError(-22)
    for pin in known:
        _delete_person(ctx.world, pin)


@handles("2.14.9")
def person_leave(ctx: Ctx) -> None:
    person = person_of(ctx)
    person.left = True
    person.leave_date = ctx.p.text("leaveDate")


@handles("2.14.11")
def person_photo(ctx: Ctx) -> None:
    person = person_of(ctx)
    photo = ctx.p.opt("personPhoto")
    if photo is None or not rules.photo_ok(photo):
        raise SimError(-27)
    person.photo = photo


@handles("2.14.16")
def detect_face(ctx: Ctx) -> None:
    code = rules.face_check(ctx.p.text("personPhoto"))
    if code:
        raise SimError(code)


# -- reads -----------------------------------------------------------------------------------------


@handles("2.14.4")
def person_get(ctx: Ctx) -> dict[str, Any]:
    return render.person_basic(ctx.world, person_of(ctx))


@handles("2.14.5")
def person_get_v2(ctx: Ctx) -> dict[str, Any]:
    person = person_of(ctx)
    full = render.person_full(ctx.world, person)
    return {**render.person_basic(ctx.world, person), "vislightPhoto": full["vislightPhoto"],
            "vislightPhotoPath": full["vislightPhotoPath"]}


def _filtered(ctx: Ctx) -> list[Person]:
    pins = set(ctx.p.items("pins"))
    depts = set(ctx.p.items("deptCodes"))
    return [p for p in ctx.world.active_persons()
            if (not pins or p.pin in pins) and (not depts or p.dept_code in depts)]


@handles("2.14.6")
def person_list(ctx: Ctx) -> Rows:
    """The example shows one object; the call pages over persons, so data is an array (ERRATA 2.14.6)."""

    def row(p: Person) -> dict[str, Any]:
        full = render.person_full(ctx.world, p)
        return {**render.person_basic(ctx.world, p), "personPhoto": p.photo,
                "vislightPhoto": full["vislightPhoto"], "vislightPhotoPath": full["vislightPhotoPath"]}

    return Rows(_filtered(ctx), row)


@handles("2.14.12")
def person_list_v2(ctx: Ctx) -> Rows:
    return Rows(_filtered(ctx), lambda p: render.person_full(ctx.world, p))


@handles("2.14.7", "2.14.8")
def person_qr(ctx: Ctx) -> str:
    person = person_of(ctx)
    return rules.qr_value(ctx.world.seed, "person", person.pin, ctx.world.now())


# -- cards -----------------------------------------------------------------------------------------


@handles("2.5.1", "2.5.2")
def cards_of(ctx: Ctx) -> Rows:
    person = person_of(ctx)
    return Rows(ctx.world.person_cards(person.pin),
                lambda c: {"pin": c.pin, "cardNo": c.card_no, "cardType": c.card_type})


@handles("2.5.3")
def card_set(ctx: Ctx) -> None:
    person = person_of(ctx)
    card_no = ctx.p.opt("cardNo")
    if card_no is None:
        raise SimError(-1, "cardNo cannot be empty")
    owner = ctx.world.cards.get(card_no)
    if owner is not None and owner.pin != person.pin:
        raise SimError(-23)
    card_type = "1" if ctx.p.text("cardType", "0") == "1" else "0"
    if card_type == "0":
        for card in ctx.world.person_cards(person.pin):
            if card.card_type == "0":
                del ctx.world.cards[card.card_no]
    ctx.world.cards[card_no] = Card(card_no, person.pin, card_type)


# -- departments -----------------------------------------------------------------------------------


def _dept(ctx: Ctx) -> Department:
    dept = ctx.world.departments.get(ctx.p.require("code", -10))
    if dept is None:
        raise SimError(-13)
    return dept


def _dept_row(d: Department) -> dict[str, Any]:
    return {"name": d.name, "code": d.code, "sortNo": d.sort_no, "parentCode": d.parent_code}


@handles("2.6.1")
def dept_add(ctx: Ctx) -> None:
    world = ctx.world
    name, code = ctx.p.require("name", -10), ctx.p.require("code", -10)
    if any(d.name == name and d.code != code for d in world.departments.values()):
        raise SimError(-12)
    parent = ctx.p.opt("parentCode")
    if parent is not None:
        if parent not in world.departments:
            raise SimError(-13)
        cursor: str | None = parent
        while cursor is not None:  # the parent must not be the department itself or below it
            if cursor == code:
                raise SimError(-14)
            cursor = world.departments[cursor].parent_code if cursor in world.departments else None
    dept = world.departments.get(code)
    if dept is None:
        world.departments[code] = Department(world.new_id(), code, name, parent, len(world.departments) + 1)
    else:
        dept.name, dept.parent_code = name, parent if parent is not None else dept.parent_code


@handles("2.6.2", "2.6.3")
def dept_delete(ctx: Ctx) -> None:
    dept = _dept(ctx)
    world = ctx.world
    if any(p.dept_code == dept.code for p in world.persons.values()) or any(
        d.parent_code == dept.code for d in world.departments.values()
    ):
        raise SimError(-15)
    del world.departments[dept.code]


@handles("2.6.4", "2.6.5")
def dept_get(ctx: Ctx) -> dict[str, Any]:
    dept = _dept(ctx)
    return {"name": dept.name, "code": dept.code, "parentCode": dept.parent_code}


@handles("2.6.6")
def dept_list(ctx: Ctx) -> Rows:
    return Rows(list(ctx.world.departments.values()), _dept_row)


# -- biometric templates ---------------------------------------------------------------------------


def _tpl_row(t: BioTemplate) -> dict[str, Any]:
    return {"id": t.id, "pin": t.pin, "validType": t.valid_type, "bioType": t.bio_type, "version": t.version,
            "template": t.template, "templateNo": t.template_no, "templateNoIndex": 0}


@handles("2.26.1")
def tpl_add(ctx: Ctx) -> None:
    person = person_of(ctx, "personId")
    valid = ctx.p.text("validType")
    if valid not in ("1", "3"):
        raise SimError(-32)
    number = ctx.p.text("templateNo")
    if number not in tuple("0123456789"):
        raise SimError(-33)
    template = ctx.p.opt("template")
    if template is None:
        raise SimError(-1, "template cannot be empty")
    for (pin, no), tpl in ctx.world.templates.items():
        if pin == person.pin and no != number and tpl.template == template:
            raise SimError(-31)
    key = (person.pin, number)
    old = ctx.world.templates.get(key)
    ctx.world.templates[key] = BioTemplate(old.id if old else ctx.world.new_id(), person.pin, number, valid, template)


@handles("2.26.2", "2.26.5")
def tpl_get(ctx: Ctx) -> dict[str, Any]:
    """Titled a list, answered with one template object (the lowest template number)."""
    person = person_of(ctx)
    mine = sorted((t for (pin, _), t in ctx.world.templates.items() if pin == person.pin),
                  key=lambda t: t.template_no)
    if not mine:
        raise SimError(-34)
    return _tpl_row(mine[0])


@handles("2.26.3", "2.26.6")
def tpl_delete_all(ctx: Ctx) -> None:
    person = person_of(ctx)
    for key in [k for k in ctx.world.templates if k[0] == person.pin]:
        del ctx.world.templates[key]


@handles("2.26.4", "2.26.7")
def tpl_delete(ctx: Ctx) -> None:
    person = person_of(ctx)
    key = (person.pin, ctx.p.text("templateNo"))
    if key not in ctx.world.templates:
        raise SimError(-34)
    del ctx.world.templates[key]


# -- attendance and FaceKiosk person settings ------------------------------------------------------


@handles("2.25.1")
def att_person(ctx: Ctx) -> None:
    person = person_of(ctx, "personPin")
    for key in ("isAttendance", "perDevAuth", "verifyMode"):
        if ctx.p.raw(key) is not None:
            person.att[key] = ctx.p.raw(key)


@handles("2.28.1")
def ins_person(ctx: Ctx) -> None:
    person = person_of(ctx, "personPin")
    for key in ("category", "perDevAuth"):
        if ctx.p.raw(key) is not None:
            person.ins[key] = ctx.p.raw(key)


# -- area persons and who is inside ----------------------------------------------------------------


def _area_pins(ctx: Ctx, table: dict[str, set[str]]) -> tuple[set[str], list[str]]:
    code = ctx.p.require("code", -83)
    if code not in table:
        raise SimError(-80)
    pins = ctx.p.items("pins")
    if not pins:
        raise SimError(-81)
    if len(pins) > 500:
        raise SimError(-82)
    if any(pin not in ctx.world.persons for pin in pins):
        raise SimError(-22)
    return table[code], pins


@handles("2.9.1")
def att_area_delete(ctx: Ctx) -> None:
    members, pins = _area_pins(ctx, ctx.world.att_area_pins)
    members.difference_update(pins)


@handles("2.9.2")
def att_area_set(ctx: Ctx) -> None:
    members, pins = _area_pins(ctx, ctx.world.att_area_pins)
    members.update(pins)


@handles("2.29.1")
def ins_area_delete(ctx: Ctx) -> Reply:
    members, pins = _area_pins(ctx, ctx.world.ins_area_pins)
    members.difference_update(pins)
    return Reply(None)


@handles("2.29.2")
def ins_area_set(ctx: Ctx) -> Reply:
    members, pins = _area_pins(ctx, ctx.world.ins_area_pins)
    members.update(pins)
    return Reply(None)


def _inside_rows(ctx: Ctx, area_ids: set[str] | None) -> Rows:
    world = ctx.world
    rows = [{"zoneId": area_id, "zoneName": world.area_name(area_id), "pin": pin}
            for pin, area_id in world.inside.items() if area_ids is None or area_id in area_ids]
    return Rows(rows)


@handles("2.2.1")
def inside_zone(ctx: Ctx) -> Rows:
    """Who is inside: the last "in" verification of each person puts them in that door's area."""
    code = ctx.p.require("code", -83)
    area = next((a for a in ctx.world.areas.values() if code in (a.code, a.id)), None)
    if area is None:
        raise SimError(-80)
    return _inside_rows(ctx, {area.id})


@handles("2.2.2")
def inside_all(ctx: Ctx) -> Rows:
    return _inside_rows(ctx, None)
