"""Visitors: reservations (2.16), registration, check-out and dynamic QR codes (2.18).

Checks in the order the server applies them: host pin empty -240, certificate type empty -241, certificate
number empty -242, visitor name empty -243, visit reason empty -246, visitor count missing or <= 0 -258
(registration), dates empty -247, dates unreadable -249, end before start -252, certificate type outside
2..8 -250, national ID (type 2) failing GB 11643 -251, unknown host -253, blocked visitor -254, already
registered and not checked out -255; check-out of a visitor not in the building -256; unknown visitor -257;
a reservation while the visitor is in the building -245, a second one for the same date -244, deleting a
reservation that does not exist -248.

Registration creates the visitor (pin ``8000000n``) if the certificate is new; the pin is then listed by
2.18.6 and its QR code is served by 2.18.3/2.18.4 (by pin) and 2.18.5 (by certificate, optionally checked
against the phone) while the visit lasts; the QR value rotates every 5 minutes (console.sim.rules).
"""

from __future__ import annotations

from .. import render, rules
from ..http import Ctx, Params, Rows, SimError, parse_date
from ..world import Visitor, VisitRegistration, VisitReservation, fmt_time
from . import handles

CERT_TYPES = frozenset("2345678")


def _cert(p: Params, type_key: str = "certType", number_key: str = "certNum") -> tuple[str, str]:
    cert_type = p.require(type_key, -241)
    number = p.require(number_key, -242)
    return cert_type, number


def _check_cert(cert_type: str, number: str) -> None:
    if cert_type not in CERT_TYPES:
        raise SimError(-250)
    if cert_type == "2" and not rules.national_id_ok(number):
        raise SimError(-251)


def _dates(ctx: Ctx, start_key: str, end_key: str) -> tuple[str, str]:
    ctx.p.require(start_key, -247)
    ctx.p.require(end_key, -247)
    lo, hi = ctx.date_range(start_key, end_key, bad=-249, reversed_=-252)
    assert lo is not None
    assert hi is not None
    return fmt_time(lo), fmt_time(hi)


def _visitor_by_cert(ctx: Ctx, cert_type: str | None, number: str) -> Visitor | None:
    for visitor in ctx.world.visitors.values():
        if visitor.cert_number == number and (cert_type is None or visitor.cert_type == cert_type):
            return visitor
    return None


def _active(ctx: Ctx, visitor_pin: str) -> VisitRegistration | None:
    for reg in ctx.world.registrations:
        if reg.visitor_pin == visitor_pin and reg.checked_out_at is None:
            return reg
    return None


@handles("2.18.1")
def register(ctx: Ctx) -> None:
    p, world = ctx.p, ctx.world
    host = p.require("persPersonPin", -240)
    cert_type, number = _cert(p)
    name = p.require("visEmpName", -243)
    reason = p.require("visitReason", -246)
    count_text = p.opt("visitorCount")
    try:
        count = int(count_text or "0")
    except ValueError:
        raise SimError(-258) from None
    if count <= 0:
        raise SimError(-258)
    start, end = _dates(ctx, "startTime", "endTime")
    _check_cert(cert_type, number)
    if host not in world.persons or world.persons[host].left:
        raise SimError(-253)
    visitor = _visitor_by_cert(ctx, cert_type, number)
    if visitor is not None and visitor.blocked:
        raise SimError(-254)
    if visitor is not None and _active(ctx, visitor.pin) is not None:
        raise SimError(-255)
    if visitor is None:
        pin = str(80000001 + len(world.visitors))
        while pin in world.visitors:
            pin = str(int(pin) + 1)
        visitor = Visitor(world.new_id(), pin, name, None, cert_type, number, phone=p.text("visitEmpPhone"),
                          company=p.text("company"))
        world.visitors[pin] = visitor
    else:
        visitor.name = name
    world.registrations.append(VisitRegistration(
        world.new_id(), visitor.pin, host, reason, count, start, end, card_no=p.text("cardNo"),
        levels=p.text("visLevels"), checked_in_at=world.now(),
    ))
    for reservation in world.reservations:
        if reservation.cert_type == cert_type and reservation.cert_num == number and reservation.status == "reserved":
            reservation.status = "visited"


@handles("2.18.2")
def check_out(ctx: Ctx) -> None:
    cert_type, number = _cert(ctx.p)
    if cert_type not in CERT_TYPES:
        raise SimError(-250)
    visitor = _visitor_by_cert(ctx, cert_type, number)
    if visitor is None:
        raise SimError(-257)
    registration = _active(ctx, visitor.pin)
    if registration is None:
        raise SimError(-256)
    registration.checked_out_at = ctx.world.now()


def _qr(ctx: Ctx, visitor: Visitor | None) -> str:
    if visitor is None:
        raise SimError(-257)
    if _active(ctx, visitor.pin) is None:
        raise SimError(-256)
    return rules.qr_value(ctx.world.seed, "visitor", visitor.pin, ctx.world.now())


@handles("2.18.3", "2.18.4")
def qr_by_pin(ctx: Ctx) -> str:
    return _qr(ctx, ctx.world.visitors.get(ctx.p.require("pin", -240)))


@handles("2.18.5")
def qr_by_cert(ctx: Ctx) -> str:
    number = ctx.p.require("certNumber", -242)
    visitor = _visitor_by_cert(ctx, ctx.p.opt("certType"), number)
    phone = ctx.p.opt("phone")
    if visitor is not None and phone is not None and visitor.phone != phone:
        visitor = None
    return _qr(ctx, visitor)


@handles("2.18.6")
def visitor_list(ctx: Ctx) -> Rows:
    numbers, names = set(ctx.p.items("certNumbers")), set(ctx.p.items("names"))
    rows = [v for v in ctx.world.visitors.values()
            if (not numbers or v.cert_number in numbers) and (not names or v.name in names)]
    return Rows(rows, render.visitor)


@handles("2.16.1")
def reserve(ctx: Ctx) -> None:
    p, world = ctx.p, ctx.world
    host = p.require("persPersonPin", -240)
    cert_type, number = _cert(p)
    name = p.require("visitEmpName", -243)
    reason = p.require("visitReason", -246)
    start, end = _dates(ctx, "visitDate", "visitEndDate")
    _check_cert(cert_type, number)
    if host not in world.persons or world.persons[host].left:
        raise SimError(-253)
    visitor = _visitor_by_cert(ctx, cert_type, number)
    if visitor is not None and visitor.blocked:
        raise SimError(-254)
    if visitor is not None and _active(ctx, visitor.pin) is not None:
        raise SimError(-245)
    for booked in world.reservations:
        if (booked.cert_type, booked.cert_num, booked.visit_date[:10]) == (cert_type, number, start[:10]):
            raise SimError(-244)
    world.reservations.append(VisitReservation(
        world.new_id(), host, cert_type, number, name, start, end, reason, phone=p.text("visitEmpPhone"),
        company=p.text("company"),
    ))


@handles("2.16.2")
def unreserve(ctx: Ctx) -> None:
    cert_type, number = _cert(ctx.p)
    day = fmt_time(parse_date(ctx.p.require("visitDate", -247), -249))[:10]
    for i, reservation in enumerate(ctx.world.reservations):
        if (reservation.cert_type, reservation.cert_num, reservation.visit_date[:10]) == (cert_type, number, day):
            del ctx.world.reservations[i]
            return
    raise SimError(-248)
