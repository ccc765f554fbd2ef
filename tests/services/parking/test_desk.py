"""The parking desk against the simulator over HTTP (127.0.0.1): the tariff, one payment per record, a lost
answer settled by billing again, fixed vehicles, lists, the barrier, alarms into the queue."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from console.api import Client, CVSecError, RetryPolicy
from console.services.audit import AuditLog
from console.services.outcome import Outcome
from console.services.parking import Bill, ParkingAlarm, ParkingDesk
from console.services.paths import Paths
from console.services.polling import PollPolicy
from console.services.session import Profile, Session
from console.services.session_services import SessionServices
from console.services.settings import Settings
from console.sim import Simulator
from tests.helpers import until
from tests.sim.helpers import TOKEN, make_sim

PAY = "/api/v1/parkCost/payNotify"
PLATE = "Liao F4J227"


@dataclass
class Rig:
    sim: Simulator
    desk: ParkingDesk
    audit: AuditLog
    client: Client

    def notices(self) -> list[dict[str, Any]]:
        """Payment notices the server handled (an injected 500 is refused before the application)."""
        return [json.loads(r.body or b"{}") for r in self.sim.requests
                if r.method == "POST" and r.path == PAY and r.fault != "error"]

    def record(self, plate: str) -> Any:
        return next(r for r in reversed(self.sim.world.park_records) if r.car_number == plate)

    def audited(self, action: str) -> list[str]:
        """The outcomes recorded for ``action`` (each write's "sending" row before it is left out)."""
        return [row.result for row in self.audit.rows(action=action) if row.result != "sending"]

    def enter(self, plate: str, channel: str | None = None) -> dict[str, Any]:
        return self.sim.emit("park_entry", carNumber=plate, channel=channel)

    def advance(self, seconds: float) -> None:
        self.sim.world.clock.advance(seconds)

    def fault_on_notice(self, **faults: float) -> None:
        """The next payment notice meets ``faults`` (and only it: the billing before it is answered)."""
        original = self.desk.client.notify_parking_payment

        async def faulty(*args: Any, **kwargs: Any) -> Any:
            self.sim.set_faults(**faults)
            try:
                return await original(*args, **kwargs)
            finally:
                self.sim.set_faults(reset=True)

        self.desk.client.notify_parking_payment = faulty  # type: ignore[method-assign]

    def clear_faults(self) -> None:
        self.desk.client.__dict__.pop("notify_parking_payment", None)


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    sim = make_sim(event_rate=0.0, seed=5)
    async with sim.serve() as base_url:
        client = Client(base_url, TOKEN, retry=RetryPolicy(attempts=1))
        audit = AuditLog(tmp_path / "audit.sqlite3", operator="ann", profile="HQ")
        desk = ParkingDesk(client, data_dir=tmp_path, profile="HQ", operator="ann", audit=audit,
                           policy=PollPolicy(interval=0.05))
        try:
            yield Rig(sim, desk, audit, client)
        finally:
            await desk.poller.stop()
            await client.aclose()
            audit.close()


async def billed(rig: Rig, plate: str) -> Bill:
    result = await rig.desk.bill(plate)
    assert result.ok, result.message
    assert result.bill is not None
    return result.bill


# -- the tariff, one payment, the exit -----------------------------------------------------------------


async def test_a_car_is_billed_by_the_tariff_pays_once_and_leaves(rig: Rig) -> None:
    await rig.desk.poll()
    rig.enter(PLATE)
    await rig.desk.poll()
    assert PLATE in [c.plate for c in rig.desk.cars()]
    assert any(p.direction == "in" and p.plate == PLATE for p in rig.desk.passages)

    # first 30 minutes free, then 5.00 per started hour, at most 50.00 per started day (console/sim/README.md)
    elapsed = 0.0
    for at, due in ((0, "0.00"), (29 * 60, "0.00"), (31 * 60, "5.00"), (90 * 60 - 30, "10.00"),
                    (10 * 3600 + 60, "50.00"), (26 * 3600 - 30, "60.00")):
        rig.advance(at - elapsed)
        elapsed = at
        bill = await billed(rig, PLATE)
        assert bill.amount == Decimal(due), f"after {at} s"
        assert isinstance(bill.amount, Decimal)
    assert bill.record_id == rig.record(PLATE).id
    assert bill.parked is not None
    assert bill.parked >= timedelta(hours=25)

    paid = await rig.desk.take_payment(bill)
    assert paid.outcome is Outcome.DONE, paid.message
    assert paid.payment is not None
    assert paid.payment.receipt
    assert rig.record(PLATE).paid_amount == 60.0
    assert len(rig.notices()) == 1

    again = await rig.desk.take_payment(bill)  # a second notice for the same record: refused here
    assert again.outcome is Outcome.INVALID
    assert "already paid" in again.message
    assert len(rig.notices()) == 1  # nothing reached the server: no -220 needed
    assert (await billed(rig, PLATE)).amount == Decimal("0.00")
    assert rig.audited("parking.payment") == ["ok"]

    rig.sim.emit("park_exit", carNumber=PLATE)
    await rig.desk.poll()
    assert PLATE not in [c.plate for c in rig.desk.cars()]
    assert any(p.direction == "out" and p.plate == PLATE for p in rig.desk.passages)
    gone = await rig.desk.bill(PLATE)
    assert gone.outcome is Outcome.REFUSED
    assert gone.code == -220


async def test_the_amount_is_confirmed_before_the_notice(rig: Rig) -> None:
    rig.enter(PLATE)
    rig.advance(45 * 60)
    bill = await billed(rig, PLATE)
    assert bill.amount == Decimal("5.00")
    rig.advance(60 * 60)  # a new hour started while the driver looked for the money
    result = await rig.desk.take_payment(bill)
    assert result.outcome is Outcome.INVALID
    assert result.bill is not None
    assert result.bill.amount == Decimal("10.00")
    assert rig.notices() == []


# -- a lost answer ---------------------------------------------------------------------------------------


async def test_a_lost_payment_answer_is_uncertain_and_settled_by_billing_again(rig: Rig) -> None:
    rig.enter(PLATE)
    rig.advance(2 * 3600 + 60)
    bill = await billed(rig, PLATE)
    assert bill.amount == Decimal("15.00")
    rig.fault_on_notice(drop_rate=1.0)  # the server records the payment, the answer is lost
    result = await rig.desk.take_payment(bill)
    rig.clear_faults()
    assert result.outcome is Outcome.UNCERTAIN
    assert "may or may not" in result.message
    assert [p.state for p in rig.desk.payments.all()] == ["uncertain"]
    assert len(rig.notices()) == 1

    blocked = await rig.desk.take_payment(bill)  # nothing else is offered before it is settled
    assert blocked.outcome is Outcome.INVALID
    assert "settle" in blocked.message
    assert len(rig.notices()) == 1

    assert result.payment is not None
    settled = await rig.desk.settle(result.payment)
    assert settled.outcome is Outcome.DONE, settled.message
    assert [p.state for p in rig.desk.payments.all()] == ["done"]
    assert rig.record(PLATE).paid_amount == 15.0  # paid once
    assert len(rig.notices()) == 1  # settled by billing, never by a second notice
    assert rig.audited("parking.payment") == [rig.audited("parking.payment")[0]]
    assert rig.audited("parking.payment")[0].startswith("uncertain")
    assert rig.audited("parking.payment.settle") == ["ok: the parking record is marked paid"]


async def test_a_lost_payment_settled_hours_later_is_still_read_right(rig: Rig) -> None:
    """The fee has grown by more than the amount taken: billing alone would misread "not arrived"."""
    rig.enter(PLATE)
    rig.advance(45 * 60)
    bill = await billed(rig, PLATE)
    assert bill.amount == Decimal("5.00")
    rig.fault_on_notice(drop_rate=1.0)
    result = await rig.desk.take_payment(bill)
    rig.clear_faults()
    assert result.outcome is Outcome.UNCERTAIN
    assert result.payment is not None
    rig.advance(3 * 3600)
    assert (await billed(rig, PLATE)).amount >= Decimal("5.00")  # billing alone cannot tell
    settled = await rig.desk.settle(result.payment)
    assert settled.outcome is Outcome.DONE, settled.message
    assert "had arrived" in settled.message
    assert len(rig.notices()) == 1
    assert rig.record(PLATE).paid_amount == 5.0


async def test_a_late_settle_that_cannot_tell_stays_uncertain_until_marked_by_hand(rig: Rig) -> None:
    rig.enter(PLATE)
    rig.advance(45 * 60)
    bill = await billed(rig, PLATE)
    rig.fault_on_notice(error_rate=1.0)  # never reached the application
    result = await rig.desk.take_payment(bill)
    rig.clear_faults()
    assert result.payment is not None
    rig.advance(3 * 3600)
    settled = await rig.desk.settle(result.payment)  # not marked paid, but is that a mark this server makes?
    assert settled.outcome is Outcome.UNCERTAIN, settled.message
    assert "check it on the server" in settled.message
    assert [p.state for p in rig.desk.payments.all()] == ["uncertain"]
    marked = await rig.desk.resolve(result.payment, arrived=False, note="not in the server's payments")
    assert marked.outcome is Outcome.NOT_SENT
    assert [p.state for p in rig.desk.payments.all()] == ["not_arrived"]
    assert rig.audited("parking.payment.settle")[-1] == "not arrived: marked by hand"
    assert rig.record(PLATE).paid_amount is None  # nothing was sent again meanwhile


async def test_a_late_settle_leans_on_the_mark_once_the_server_is_seen_to_make_it(rig: Rig) -> None:
    other = "Liao A00001"
    rig.enter(other)
    rig.advance(45 * 60)
    assert (await rig.desk.take_payment(await billed(rig, other))).ok
    rig.sim.emit("park_exit", carNumber=other)
    await rig.desk.poll()
    assert rig.desk.marks_payments  # a paid car left with its record marked paid (eventType 11)
    rig.enter(PLATE)
    rig.advance(45 * 60)
    bill = await billed(rig, PLATE)
    rig.fault_on_notice(error_rate=1.0)
    result = await rig.desk.take_payment(bill)
    rig.clear_faults()
    assert result.payment is not None
    rig.advance(3 * 3600)
    settled = await rig.desk.settle(result.payment)
    assert settled.outcome is Outcome.NOT_SENT, settled.message
    assert "did NOT reach" in settled.message
    assert rig.record(PLATE).paid_amount is None


async def test_a_notice_that_never_arrived_is_settled_as_not_arrived_then_taken_again(rig: Rig) -> None:
    rig.enter(PLATE)
    rig.advance(3600 + 60)
    bill = await billed(rig, PLATE)
    rig.fault_on_notice(error_rate=1.0)  # HTTP 500 before the application: it may have acted, as far as we know
    result = await rig.desk.take_payment(bill)
    rig.clear_faults()
    assert result.outcome is Outcome.UNCERTAIN
    assert rig.record(PLATE).paid_amount is None
    assert result.payment is not None
    settled = await rig.desk.settle(result.payment)
    assert settled.outcome is Outcome.NOT_SENT
    assert "did NOT reach" in settled.message
    assert settled.bill is not None
    assert settled.bill.amount == Decimal("10.00")
    paid = await rig.desk.take_payment(settled.bill)
    assert paid.outcome is Outcome.DONE, paid.message
    assert rig.record(PLATE).paid_amount == 10.0
    assert len(rig.notices()) == 1
    assert [p.state for p in rig.desk.payments.all()] == ["not_arrived", "done"]
    cash = rig.desk.cash_up(rig.desk.clock() - timedelta(hours=1))
    assert cash.total == Decimal("10.00")
    assert len(cash.paid) == 1


async def test_a_payment_cut_off_by_the_console_stopping_comes_back_uncertain(rig: Rig, tmp_path: Path) -> None:
    rig.enter(PLATE)
    rig.advance(3600)
    bill = await billed(rig, PLATE)
    rig.desk.payments.new(record_id=bill.record_id, plate=PLATE, amount="10.00", operator="ann")  # on the wire
    reopened = ParkingDesk(rig.client, data_dir=tmp_path, profile="HQ", operator="bob")
    assert [p.state for p in reopened.payments.all()] == ["uncertain"]
    assert (await reopened.take_payment(bill)).outcome is Outcome.INVALID


# -- fixed vehicles, lists, the barrier -------------------------------------------------------------------


async def test_a_fixed_vehicle_parks_free(rig: Rig) -> None:
    await rig.desk.load_base()
    area = rig.desk.areas[0]
    plate = "ZH F12345"
    result = await rig.desk.add_fixed_vehicle(plate=plate, pin="1001", area_id=area.id,
                                              car_type_id=rig.desk.car_types[-1].id, start=date.today(),
                                              end=date.today() + timedelta(days=30), amount="120.00")
    assert result.outcome is Outcome.DONE, result.message
    assert [e.plate for e in rig.desk.lists.all("fixed")] == [plate]
    rig.enter(plate)
    rig.advance(5 * 3600)
    bill = await billed(rig, plate)
    assert bill.amount == Decimal("0.00")
    assert bill.free
    refused = await rig.desk.take_payment(bill)
    assert refused.outcome is Outcome.INVALID
    assert "nothing is due" in refused.message
    assert rig.notices() == []
    assert rig.audited("parking.fixed.add") == ["ok"]


async def test_lists_validate_plates_and_map_refusals_to_fields(rig: Rig) -> None:
    bad = await rig.desk.set_list("denied", "x")
    assert bad.outcome is Outcome.INVALID
    assert "plate" in bad.problems
    undated = await rig.desk.set_list("allowed", "ZH W12345")
    assert undated.outcome is Outcome.INVALID
    assert "dates" in undated.problems
    ok = await rig.desk.set_list("denied", "粤 B12345")
    assert ok.outcome is Outcome.DONE, ok.message
    assert "粤 B12345" in rig.sim.world.park_lists
    allowed = await rig.desk.set_list("allowed", "ZH W12345", start=date.today(), end=date.today() + timedelta(1))
    assert allowed.ok
    entry = rig.desk.lists.all("denied")[0]
    removed = await rig.desk.remove_from_list(entry)
    assert removed.ok
    assert rig.desk.lists.all("denied") == []
    again = await rig.desk.remove_from_list(entry)  # the server no longer has it: -223, on the plate field
    assert again.outcome is Outcome.REFUSED
    assert again.code == -223
    assert "plate" in again.problems
    person = await rig.desk.add_person_plate("no-such-person", "ZH P12345")
    assert person.outcome is Outcome.REFUSED
    assert "pin" in person.problems
    assert rig.audited("parking.list.denied") == ["ok"]


async def test_the_barrier_opens_once_with_a_reason(rig: Rig) -> None:
    await rig.desk.load_base()
    channel = rig.desk.channel_infos()[0]
    nothing = await rig.desk.open_barrier(channel.id, "  ")
    assert nothing.outcome is Outcome.INVALID
    assert "reason" in nothing.problems
    opened = await rig.desk.open_barrier(channel.id, "ticket machine jammed")
    assert opened.outcome is Outcome.DONE, opened.message
    assert rig.sim.world.table("park_channels")[channel.id]["_openUntil"] > rig.sim.world.now()
    assert "ticket machine jammed" in rig.desk.channel_infos()[0].last_opened
    row = rig.audit.rows(action="parking.barrier.open")[-1]
    assert row.params["reason"] == "ticket machine jammed"
    assert row.result == "ok"
    assert row.operator == "ann"

    original = rig.client.open_parking_channel

    async def dropped(channel_id: str) -> None:
        rig.sim.set_faults(drop_rate=1.0)
        try:
            await original(channel_id)
        finally:
            rig.sim.set_faults(reset=True)

    rig.client.open_parking_channel = dropped  # type: ignore[method-assign]
    lost = await rig.desk.open_barrier(channel.id, "driver lost the ticket")
    assert lost.outcome is Outcome.UNCERTAIN
    assert "may or may not" in lost.message
    assert rig.audited("parking.barrier.open")[-1].startswith("uncertain")
    opens = [r for r in rig.sim.requests if r.path.endswith("/openGateChannel")]
    assert len(opens) == 2  # never repeated


# -- live: cars in the lot, back-fill, alarms --------------------------------------------------------------


async def test_entries_and_exits_after_an_outage_are_back_filled(rig: Rig) -> None:
    await rig.desk.poll()
    before = {c.plate for c in rig.desk.cars()}
    assert before, "the generated site has cars parked"
    rig.sim.set_faults(down_seconds=3600)
    with pytest.raises(CVSecError):  # the poll fails while the server is down
        await rig.desk.poll()
    rig.enter("京 A12345")
    leaving = sorted(before)[0]
    rig.sim.emit("park_exit", carNumber=leaving)
    rig.sim.set_faults(reset=True)
    await rig.desk.poll()
    now = {c.plate for c in rig.desk.cars()}
    assert "京 A12345" in now
    assert leaving not in now
    ids = [p.id for p in rig.desk.passages]
    assert len(ids) == len(set(ids))  # nothing twice
    await rig.desk.poll()
    assert [p.id for p in rig.desk.passages] == ids


async def test_overstays_stand_out(rig: Rig) -> None:
    rig.desk.overstay = timedelta(hours=20)
    await rig.desk.poll()
    cars = rig.desk.cars()
    long_ones = [c for c in cars if rig.desk.overstayed(c)]
    assert all(c.parked(rig.desk.clock()) > timedelta(hours=20) for c in long_ones)  # type: ignore[operator]
    assert all(not rig.desk.overstayed(c) for c in cars if c not in long_ones)


async def test_find_a_car_by_a_misread_plate(rig: Rig) -> None:
    rig.enter(PLATE)
    rig.enter("辽 B80123")
    await rig.desk.poll()

    def plates(typed: str) -> list[str]:
        return [car.plate for _match, car in rig.desk.find(typed)]

    assert plates("liaof4j 227")[0] == PLATE  # spaces and case
    assert plates("LIAO F4J227")[0] == PLATE
    assert plates("辽 8B0123") == ["辽 B80123"]  # B/8 and O/0 confused by the camera, the province kept
    assert plates("辽 BBOI23") == ["辽 B80123"]
    assert plates("粤 B80123") == []  # another province is another car
    assert PLATE in plates("F4J2")  # a partial read shows candidates
    assert plates("Liao F4J228") == []


async def test_deny_listed_and_full_lot_entries_raise_alarms(rig: Rig) -> None:
    alarms: list[ParkingAlarm] = []
    rig.desk.alarm.connect(alarms.append)
    assert (await rig.desk.set_list("denied", "ZH X12345")).ok
    await rig.desk.poll()
    rig.enter("ZH XI2345")  # the camera read 1 as I: still the deny-listed car
    await rig.desk.poll()
    assert [(a.kind, a.plate) for a in alarms] == [("denied", "ZH XI2345")]

    lot = rig.desk.lots()[0]
    channel = next(c for c in rig.desk.channels if c.channel_name == f"{lot.name}-Entrance")
    for n in range(lot.capacity - lot.occupied + 1):
        rig.enter(f"ZH Q{n:05d}", channel=channel.channel_id)
    await rig.desk.poll()
    full = [a for a in alarms if a.kind == "full"]
    assert full
    assert all(a.area == lot.name for a in full)
    assert rig.desk.lots()[0].full


async def test_parking_alarms_reach_the_alarm_queue(tmp_path: Path) -> None:
    sim = make_sim(event_rate=0.0, seed=5)
    async with sim.serve() as base_url:
        paths = Paths.under(tmp_path).ensure()
        client = Client(base_url, TOKEN, retry=RetryPolicy(attempts=1))
        session = Session(Profile("HQ", base_url, poll_interval=0.1), client, "ann", paths)
        services = SessionServices.build(session, Settings(paths.settings_file))
        assert services.parking is not None
        assert services.events is not None
        try:
            await services.start_rest()
            desk = services.parking
            await until(lambda: desk.polls > 0, 10)
            assert (await desk.set_list("denied", "ZH X54321")).ok
            sim.emit("park_entry", carNumber="ZH X54321")
            queue = services.events.alarms
            await until(lambda: any("ZH X54321" in a.event.name for a in queue.alarms), 10)
            alarm = next(a for a in queue.alarms if "ZH X54321" in a.event.name)
            queue.acknowledge([alarm.key], "guard sent")
            assert alarm.key not in queue
            assert services.events.journal.get(alarm.key) is not None
        finally:
            await services.stop()
        assert not services.parking.poller.running

