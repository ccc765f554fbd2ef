"""Transactions: access (2.19), elevator (2.20), attendance (2.22), temperature (2.27), entrance control (2.35).

Lists are newest first. Every list, lookup and monitor reads the same per-module store of the world, so an
event seen on a monitor can be found again in the lists with identical content-key fields. Dates: -100 bad
format, -101 start after end; unknown device SN -102; empty pin -20.

Monitors (2.19.6, 2.27.2, 2.35.6): ``timestamp`` (epoch milliseconds, required: -100 when missing or not a
number) names a cursor; see :meth:`console.sim.world.World.monitor`.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from .. import render
from ..http import Ctx, Rows, SimError
from ..profiles import localize
from ..world import Event, Store
from . import handles

Render = Callable[[Event], dict[str, Any]]


def _select(
    ctx: Ctx,
    stores: tuple[Store, ...],
    *,
    pin: str | None = None,
    sn: str | None = None,
    dates: tuple[str, str] | None = ("startDate", "endDate"),
    keep: Callable[[Event], bool] | None = None,
) -> list[Event]:
    lo, hi = ctx.date_range(*dates) if dates else (None, None)
    out: list[Event] = []
    for store in stores:
        for e in ctx.world.events[store]:
            if pin is not None and e.pin != pin:
                continue
            if sn is not None and e.dev_sn != sn:
                continue
            second = math.floor(e.at)
            if (lo is not None and second < lo) or (hi is not None and second > hi):
                continue
            if keep is not None and not keep(e):
                continue
            out.append(e)
    out.sort(key=lambda e: e.seq, reverse=True)
    return out


def _device_sn(ctx: Ctx, key: str = "deviceSn") -> str:
    sn = ctx.p.require(key, -48)
    if ctx.world.device_by_sn(sn) is None:
        raise SimError(-102)
    return sn


def _shown(ctx: Ctx, render_fn: Render, *, monitor: bool = False) -> Render:
    """``render_fn`` as the server shows it now: the name in its language, the real profile's fields."""
    language, real = ctx.sim.event_language, ctx.sim.real
    versioned = "/api/v2/" in ctx.ep.path or "/api/v3/" in ctx.ep.path

    def shown(e: Event) -> dict[str, Any]:
        record = render_fn(e)
        if language != "en" and isinstance(record.get("eventName"), str):
            record["eventName"] = localize(record["eventName"], language)
        if real:
            if monitor:
                record.pop("eventLevel", None)
                record.pop("eventNo", None)
            elif versioned and e.store == "psg":
                record["eventLevel"] = e.level
        return record

    return shown


def _acc(ctx: Ctx, form: str) -> Render:
    return _shown(ctx, lambda e: render.acc_event(e, form), monitor=form == "monitor")


def _psg(ctx: Ctx) -> Render:
    return _shown(ctx, render.psg_event)


# -- access control --------------------------------------------------------------------------------


@handles("2.19.1")
def acc_by_device(ctx: Ctx) -> Rows:
    return Rows(_select(ctx, ("acc",), sn=_device_sn(ctx), dates=None), _acc(ctx, "v1"))


@handles("2.19.2")
def acc_by_device_v2(ctx: Ctx) -> Rows:
    return Rows(_select(ctx, ("acc",), sn=_device_sn(ctx)), _acc(ctx, "v2"))


@handles("2.19.3")
def acc_by_device_v3(ctx: Ctx) -> Rows:
    return Rows(_select(ctx, ("acc",), sn=_device_sn(ctx)), _acc(ctx, "v3"))


@handles("2.19.4")
def acc_list(ctx: Ctx) -> Rows:
    return Rows(_select(ctx, ("acc",), pin=ctx.p.opt("personPin")), _acc(ctx, "v1"))


@handles("2.19.5")
def acc_list_v2(ctx: Ctx) -> Rows:
    return Rows(_select(ctx, ("acc",), pin=ctx.p.opt("personPin")), _acc(ctx, "v2"))


@handles("2.19.7")
def acc_by_person(ctx: Ctx) -> Rows:
    return Rows(_select(ctx, ("acc",), pin=ctx.p.require("pin", -20)), _acc(ctx, "v1"))


@handles("2.19.8")
def acc_by_person_v2(ctx: Ctx) -> Rows:
    return Rows(_select(ctx, ("acc",), pin=ctx.p.require("pin", -20)), _acc(ctx, "v2"))


@handles("2.19.9")
def acc_by_person_v3(ctx: Ctx) -> Rows:
    return Rows(_select(ctx, ("acc",), pin=ctx.p.opt("pin")), _acc(ctx, "v3"))


@handles("2.19.16", "2.19.17")
def acc_by_id(ctx: Ctx) -> dict[str, Any]:
    event_id = ctx.p.opt("id")
    if event_id is None:
        raise SimError(-1, "id cannot be empty")
    event = ctx.world.events_by_id.get(event_id)
    if event is None or event.store != "acc":
        raise SimError(-1, "the transaction does not exist")
    form = "v3" if ctx.ep.section == "2.19.17" else "v2"
    return _shown(ctx, lambda e: render.acc_event(e, form))(event)


@handles("2.19.10", "2.19.11", "2.19.12")
def first_in_last_out(ctx: Ctx) -> Rows:
    """Per day: the first "in" reader verification and the last "out" one of the person."""
    pin = ctx.p.require("pin", -20)
    days: dict[str, list[Event]] = defaultdict(list)
    for e in _select(ctx, ("acc",), pin=pin, keep=lambda e: e.reader_state is not None and e.event_no == 0):
        days[e.event_time[:10]].append(e)
    rows = []
    for day in sorted(days, reverse=True):
        ins = sorted((e for e in days[day] if e.reader_state == 0), key=lambda e: e.at)
        outs = sorted((e for e in days[day] if e.reader_state == 1), key=lambda e: e.at)
        first = ins[0] if ins else None
        last = outs[-1] if outs else None
        anchor = first or last
        assert anchor is not None
        person = ctx.world.persons.get(pin)
        dept_code = person.dept_code if person else anchor.dept_code
        rows.append({
            "id": anchor.id, "pin": pin, "name": anchor.name, "lastName": anchor.last_name,
            "readerNameIn": first.reader_name if first else None, "firstInTime": first.event_time if first else None,
            "readerNameOut": last.reader_name if last else None, "lastOutTime": last.event_time if last else None,
            "deptCode": dept_code, "deptName": ctx.world.dept_name(dept_code),
        })
    return Rows(rows)


_LEVELS = {"normal": 0, "warning": 1, "alarm": 2}


def _door_transactions(ctx: Ctx) -> list[Event]:
    sn, pin = ctx.p.opt("devSn"), ctx.p.opt("personPin")
    level = _LEVELS.get(ctx.p.text("type").lower())
    event_no = ctx.p.opt("eventNo")
    text = ctx.p.text("filter").lower()

    def keep(e: Event) -> bool:
        if level is not None and e.level != level:
            return False
        if event_no is not None and str(e.event_no) != event_no:
            return False
        shown = localize(e.event_name, ctx.sim.event_language)
        return not text or any(text in v.lower() for v in (e.name, e.last_name, e.door_name, e.event_name, shown,
                                                             e.pin))

    return _select(ctx, ("acc",), pin=pin, sn=sn, dates=("startTime", "endTime"), keep=keep)


@handles("2.19.13")
def door_transactions(ctx: Ctx) -> Rows:
    return Rows(_door_transactions(ctx), _shown(ctx, render.door_tx))


@handles("2.19.14")
def door_transactions_v2(ctx: Ctx) -> Rows:
    return Rows(_door_transactions(ctx), _acc(ctx, "v2"))


@handles("2.19.15")
def door_transaction_detail(ctx: Ctx) -> dict[str, Any]:
    event_id = ctx.p.opt("id")
    if event_id is None:
        raise SimError(-1, "id cannot be empty")
    event = ctx.world.events_by_id.get(event_id)
    if event is None or event.store != "acc":
        raise SimError(-1, "the transaction does not exist")
    return _shown(ctx, lambda e: render.door_tx(e, detail=True))(event)


def _timestamp(ctx: Ctx) -> tuple[str, int]:
    text = ctx.p.opt("timestamp")
    if text is None:
        raise SimError(-100)
    try:
        return text, int(float(text))
    except ValueError:
        raise SimError(-100) from None


@handles("2.19.6")
def acc_monitor(ctx: Ctx) -> Rows:
    return Rows(ctx.world.monitor("acc", *_timestamp(ctx)), _acc(ctx, "monitor"))


# -- elevator, attendance, temperature -------------------------------------------------------------


@handles("2.20.1", "2.20.2")
def ele_list(ctx: Ctx) -> Rows:
    return Rows(_select(ctx, ("ele",), pin=ctx.p.opt("personPin")), _acc(ctx, "v1"))


@handles("2.22.1")
def att_list(ctx: Ctx) -> Rows:
    return Rows(_select(ctx, ("att",), pin=ctx.p.opt("personPin")), _acc(ctx, "v1"))


@handles("2.27.1")
def hep_list(ctx: Ctx) -> Rows:
    return Rows(_select(ctx, ("hep",), pin=ctx.p.opt("personPin")), _shown(ctx, render.hep_event))


@handles("2.27.2")
def hep_monitor(ctx: Ctx) -> Rows:
    return Rows(ctx.world.monitor("hep", *_timestamp(ctx)),
                _shown(ctx, lambda e: render.hep_event(e, monitor=True)))


# -- entrance control ------------------------------------------------------------------------------


@handles("2.35.1")
def psg_by_device(ctx: Ctx) -> Rows:
    return Rows(_select(ctx, ("psg",), sn=_device_sn(ctx)), _psg(ctx))


@handles("2.35.2", "2.35.3")
def psg_by_device_v2(ctx: Ctx) -> Rows:
    return Rows(_select(ctx, ("psg",), sn=_device_sn(ctx)), _psg(ctx))


@handles("2.35.4", "2.35.5", "2.35.8")
def psg_list(ctx: Ctx) -> Rows:
    return Rows(_select(ctx, ("psg",), pin=ctx.p.opt("personPin")), _psg(ctx))


@handles("2.35.7", "2.35.9")
def psg_by_person(ctx: Ctx) -> Rows:
    return Rows(_select(ctx, ("psg",), pin=ctx.p.require("pin", -20)), _psg(ctx))


@handles("2.35.6")
def psg_monitor(ctx: Ctx) -> Rows:
    return Rows(ctx.world.monitor("psg", *_timestamp(ctx)),
                _shown(ctx, lambda e: render.psg_event(e, monitor=True), monitor=True))
