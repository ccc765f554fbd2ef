"""The visitor desk against the simulator (in-process): what reaches the server, refusals, the outbox."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from console.api import Client, CVSecError
from console.services.polling import PollPolicy
from console.services.visitors import (
    REGISTRATION_KEYS,
    VisitForm,
    VisitorDesk,
    check_character,
    format_time,
)
from console.sim import SimConfig, Simulator
from console.sim.rules import qr_value
from tests.helpers import until

TOKEN = "visitor-desk-token-1234"


@dataclass
class FakeAudit:
    rows: list[dict[str, Any]] = field(default_factory=list)

    def record(self, **row: Any) -> None:
        self.rows.append(row)


@dataclass
class Rig:
    sim: Simulator
    desk: VisitorDesk
    audit: FakeAudit
    data_dir: Path

    def posts(self, path: str) -> list[dict[str, Any]]:
        """Bodies of the POSTs to ``path`` the server handled (an outage's 503 and an injected 500 were not)."""
        return [json.loads(r.body or b"{}") for r in self.sim.requests
                if r.method == "POST" and r.path == path and r.fault not in ("down", "error")]

    def registrations_of(self, cert_num: str) -> int:
        pins = {v.pin for v in self.sim.world.visitors.values() if v.cert_number == cert_num}
        return sum(1 for r in self.sim.world.registrations if r.visitor_pin in pins)

    def reopen(self) -> VisitorDesk:
        """The desk as a new process would build it (same files)."""
        return VisitorDesk(self.desk.client, data_dir=self.data_dir, profile="HQ", operator="desk",
                           audit=self.audit)


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    sim = Simulator(SimConfig(token=TOKEN, seed=3, site="small", event_rate=0.0))
    client = Client("http://sim.test", TOKEN, transport=httpx.ASGITransport(app=sim.app))
    audit = FakeAudit()
    desk = VisitorDesk(client, data_dir=tmp_path, profile="HQ", operator="desk", audit=audit)
    yield Rig(sim, desk, audit, tmp_path)
    await client.aclose()


def host_pin(sim: Simulator) -> str:
    return next(p.pin for p in sim.world.persons.values() if not p.left)


def new_id_number(serial: int) -> str:
    first17 = f"11010119880214{serial:03d}"
    return first17 + check_character(first17)


def visit(sim: Simulator, **changes: str) -> VisitForm:
    now = datetime.now().replace(microsecond=0)
    form = VisitForm(
        host_pin=host_pin(sim), host_name="Host", visitor_name="Li Wei", cert_type="2",
        cert_num=new_id_number(7), phone="13015648651", company="ZKTeco", reason="Meeting", visitor_count="1",
        start=format_time(now), end=format_time(now + timedelta(hours=3)),
    )
    for key, value in changes.items():
        setattr(form, key, value)
    return form


async def test_a_registration_sends_the_documented_body_and_the_qr_is_the_servers(rig: Rig) -> None:
    form = visit(rig.sim, card_no="", levels=[next(iter(rig.sim.world.levels))])
    outcome = await rig.desk.register(form)
    assert outcome.kind == "done", outcome
    [body] = rig.posts("/api/visRegistration/add")
    assert set(body) <= set(REGISTRATION_KEYS)
    assert {"persPersonPin", "certType", "certNum", "visEmpName", "visitReason", "visitorCount", "startTime",
            "endTime"} <= set(body)
    assert body["certNum"] == form.cert_num
    assert body["startTime"] == form.start
    datetime.strptime(body["endTime"], "%Y-%m-%d %H:%M:%S")  # HH:mm:ss, not the printed mm:hh:ss
    assert rig.registrations_of(form.cert_num) == 1
    visit_ = outcome.visit
    assert visit_ is not None
    assert visit_.visitor_pin in rig.sim.world.visitors  # the desk learnt the visitor's number
    value = await rig.desk.qr_code(visit_)
    assert value == qr_value(rig.sim.config.seed, "visitor", visit_.visitor_pin, rig.sim.world.now())
    assert [v.id for v in rig.desk.on_site()] == [visit_.id]
    assert rig.audit.rows[-1]["action"] == "visitor.register"
    assert rig.audit.rows[-1]["result"] == "ok"
    assert form.cert_num not in json.dumps(rig.audit.rows)  # only the last digits in the audit trail


async def test_invalid_input_never_reaches_the_server(rig: Rig) -> None:
    outcome = await rig.desk.register(visit(rig.sim, cert_num="110101198802140071"))
    assert outcome.kind == "invalid"
    assert "cert_num" in outcome.problems
    assert rig.posts("/api/visRegistration/add") == []


async def test_an_unknown_host_is_refused_on_the_host_field(rig: Rig) -> None:
    outcome = await rig.desk.register(visit(rig.sim, host_pin="999999"))
    assert outcome.kind == "refused"
    assert outcome.refusal is not None
    assert (outcome.refusal.code, outcome.refusal.field) == (-253, "host")


async def test_registering_twice_is_refused_on_the_banner(rig: Rig) -> None:
    assert (await rig.desk.register(visit(rig.sim, cert_type="3", cert_num="ALREADYIN"))).kind == "done"
    outcome = await rig.desk.register(visit(rig.sim, cert_type="3", cert_num="ALREADYIN"))
    assert outcome.refusal is not None
    assert (outcome.refusal.code, outcome.refusal.field) == (-255, None)
    assert len(rig.desk.on_site()) == 1


async def test_a_blocked_visitor_is_refused_as_blocked(rig: Rig) -> None:
    blocked = next(v for v in rig.sim.world.visitors.values() if v.blocked)
    outcome = await rig.desk.register(visit(rig.sim, cert_type=blocked.cert_type, cert_num=blocked.cert_number,
                                            visitor_name=blocked.name))
    assert outcome.refusal is not None
    assert outcome.refusal.blocked
    assert "BLOCK LIST" in outcome.refusal.text
    assert rig.desk.on_site() == []


async def test_returning_visitors_are_found_by_the_start_of_their_number_or_part_of_their_name(rig: Rig) -> None:
    known = next(v for v in rig.sim.world.visitors.values() if not v.blocked)
    by_number = await rig.desk.find_visitors(known.cert_number[:5])
    assert known.pin in {v.pin for v in by_number}
    by_name = await rig.desk.find_visitors(known.name[1:].lower())
    assert known.pin in {v.pin for v in by_name}


async def test_hosts_are_found_by_pin_or_name_with_their_department(rig: Rig) -> None:
    person = next(p for p in rig.sim.world.persons.values() if not p.left and p.name)
    [first, *_] = await rig.desk.search_hosts(person.pin)
    assert first.pin == person.pin
    assert first.dept_name == rig.sim.world.dept_name(person.dept_code)
    by_name = await rig.desk.search_hosts(person.name.upper())
    assert person.pin in {h.pin for h in by_name}


async def test_a_registration_while_the_server_is_down_is_kept_and_sent_once_when_it_is_back(rig: Rig) -> None:
    await rig.desk.visitors()  # the desk had read the visitor list before the outage
    rig.sim.set_faults(down_seconds=600)
    form = visit(rig.sim, cert_num=new_id_number(21), visitor_name="Outage Visitor")
    outcome = await rig.desk.register(form)
    assert outcome.kind == "queued"
    assert rig.registrations_of(form.cert_num) == 0
    # a restart while the server is away keeps it
    desk = rig.reopen()
    [entry] = desk.outbox.open_entries()
    assert entry.state == "pending"
    assert entry.known_before == "no"
    with pytest.raises(CVSecError):  # still down: the flush stops and says why
        await desk.flush_outbox()
    assert desk.outbox.open_entries()
    rig.sim.set_faults(reset=True)
    settled = await desk.flush_outbox()
    assert [e.state for e in settled] == ["done"]
    assert rig.registrations_of(form.cert_num) == 1
    assert [v.visit_form.visitor_name for v in desk.on_site()] == ["Outage Visitor"]
    assert await desk.flush_outbox() == []
    assert rig.registrations_of(form.cert_num) == 1


async def test_a_lost_answer_is_not_registered_twice(rig: Rig) -> None:
    await rig.desk.visitors()
    rig.sim.set_faults(drop_rate=1.0)  # the server registers, then the answer is lost
    form = visit(rig.sim, cert_num=new_id_number(33), visitor_name="Lost Answer")
    outcome = await rig.desk.register(form)
    assert outcome.kind == "queued"
    assert outcome.entry is not None
    assert outcome.entry.state == "uncertain"
    assert rig.registrations_of(form.cert_num) == 1
    rig.sim.set_faults(reset=True)
    [entry] = await rig.desk.flush_outbox()
    assert entry.state == "done"
    assert "not sent again" in entry.outcome
    assert len(rig.posts("/api/visRegistration/add")) == 1  # the check came first: no second registration
    assert rig.registrations_of(form.cert_num) == 1


async def test_a_returning_visitor_with_a_lost_answer_is_recognised_as_already_registered(rig: Rig) -> None:
    known = next(v for v in rig.sim.world.visitors.values()
                 if not v.blocked and not any(r.visitor_pin == v.pin and r.checked_out_at is None
                                              for r in rig.sim.world.registrations))
    await rig.desk.visitors()
    rig.sim.set_faults(drop_rate=1.0)
    form = visit(rig.sim, cert_type=known.cert_type, cert_num=known.cert_number, visitor_name=known.name)
    assert (await rig.desk.register(form)).kind == "queued"
    rig.sim.set_faults(reset=True)
    [entry] = await rig.desk.flush_outbox()
    assert entry.state == "done"
    assert "already had this visit" in entry.outcome
    assert rig.registrations_of(known.cert_number) == 1 + sum(
        1 for r in rig.sim.world.registrations if r.visitor_pin == known.pin and r.checked_out_at is not None)


async def test_the_outbox_loop_sends_when_kicked_after_recovery(rig: Rig) -> None:
    rig.sim.set_faults(down_seconds=600)
    form = visit(rig.sim, cert_num=new_id_number(45), visitor_name="Loop Visitor")
    assert (await rig.desk.register(form)).kind == "queued"
    rig.desk.poller.policy = PollPolicy(interval=30.0)  # only the kick can make it try again in time
    task = asyncio.create_task(rig.desk.run_outbox())
    try:
        rig.sim.set_faults(reset=True)
        rig.desk.kick()
        await until(lambda: not rig.desk.outbox.open_entries(), timeout=10)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    assert rig.registrations_of(form.cert_num) == 1


async def test_check_out_closes_the_visit_and_leaves_the_list(rig: Rig) -> None:
    outcome = await rig.desk.register(visit(rig.sim, cert_type="3", cert_num="E7654321"))
    assert outcome.visit is not None
    done = await rig.desk.check_out(outcome.visit)
    assert done.kind == "done"
    assert rig.desk.on_site() == []
    [reg] = [r for r in rig.sim.world.registrations if r.visitor_pin == outcome.visit.visitor_pin]
    assert reg.checked_out_at is not None
    [exit_request] = [r for r in rig.sim.requests if r.path == "/api/visRegistration/exit"]
    assert "certType=3" in exit_request.query
    assert "certNum=E7654321" in exit_request.query
    again = await rig.desk.check_out(outcome.visit)
    assert again.refusal is not None
    assert again.refusal.code == -256


async def test_a_booking_is_listed_for_its_day_cancelled_or_turned_into_a_registration(rig: Rig) -> None:
    tomorrow = (datetime.now() + timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
    form = visit(rig.sim, cert_type="3", cert_num="P1234567", visitor_name="Booked Guest",
                 start=format_time(tomorrow), end=format_time(tomorrow + timedelta(hours=8)))
    outcome = await rig.desk.reserve(form)
    assert outcome.kind == "done", outcome
    [booking] = [r for r in rig.sim.world.reservations if r.cert_num == "P1234567"]
    assert (booking.visitor_name, booking.visit_date) == ("Booked Guest", format_time(tomorrow))
    [item] = rig.desk.expected.for_day(tomorrow.date())
    cancelled = await rig.desk.cancel_reservation(item)
    assert cancelled.kind == "done"
    assert not [r for r in rig.sim.world.reservations if r.cert_num == "P1234567"]
    assert rig.desk.expected.for_day(tomorrow.date()) == []


async def test_a_kept_registration_the_server_refuses_is_reported_not_retried(rig: Rig) -> None:
    rig.sim.set_faults(down_seconds=600)
    form = visit(rig.sim, cert_num=new_id_number(57), visitor_name="Refused Later", host_pin="999999")
    assert (await rig.desk.register(form)).kind == "queued"
    rig.sim.set_faults(reset=True)
    [entry] = await rig.desk.flush_outbox()
    assert (entry.state, entry.refusal_code) == ("refused", -253)
    assert rig.desk.outbox.open_entries() == []
    assert await rig.desk.flush_outbox() == []  # a refusal is final: never sent again by itself
    assert len(rig.posts("/api/visRegistration/add")) == 1
    assert rig.audit.rows[-1]["result"] == "refused -253 (from the outbox)"
