"""The shift handover report, gathered from one connection's services against the simulator (no widget)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from console.services.audit import AuditRow
from console.services.commands import Target
from console.services.outcome import Outcome
from console.services.parking.store import PaymentRecord
from console.services.shift_report import SHIFT_START, build, command_lines, gather
from console.sim import Simulator
from tests.helpers import until
from tests.services.test_session_services import services_for
from tests.services.visitors.test_desk import visit
from tests.sim.helpers import make_sim, online_door


@pytest.fixture
async def served() -> AsyncIterator[tuple[Simulator, str]]:
    sim = make_sim(event_rate=0.0)
    async with sim.serve() as base_url:
        yield sim, base_url


async def test_the_report_lists_open_alarms_troubled_doors_visitors_on_site_and_commands(
    served: tuple[Simulator, str], tmp_path: Path
) -> None:
    sim, base_url = served
    services = services_for(base_url, tmp_path)
    since = datetime.now().astimezone() - timedelta(minutes=1)
    try:
        await services.start_doors()
        await until(lambda: services.board.polls > 0 and len(services.board) > 0, 10)
        await services.start_rest()
        assert services.events is not None
        assert services.visitors is not None
        door = online_door(sim.world)
        sim.emit("duress", door_id=door.id)
        queue = services.events.alarms
        duress = await until(lambda: next((a for a in queue.alarms if a.event.name.lower().startswith("duress")),
                                          None), 10)
        queue.hold(duress.key, "waiting for the patrol", operator="ann")
        services.audit.record(SHIFT_START, "operator ann", {}, "ok", operator="ann", profile="Head office")
        registered = await services.visitors.register(visit(sim, visitor_name="Ada Lovelace", company="Engines"))
        assert registered.kind is Outcome.DONE
        item = next(i for i in services.board.items if i.id == door.id)
        assert (await services.doors.commands.close_door(Target.of(item))).outcome is Outcome.DONE
        device = next(d for d in sim.world.devices.values() if d.module == "acc" and d.online)
        sim.world.set_device_online(device.sn, False)
        services.refresh_now()
        await until(lambda: any(i.offline for i in services.board.items), 10)

        report = gather(services, since=since, until=datetime.now().astimezone())
    finally:
        await services.stop()

    assert report.operator == "ann"
    assert report.profile == "Head office"
    held = next(a for a in report.alarms if a.what.startswith("Duress"))
    assert held.what.startswith("Duress")
    assert held.priority == "Critical"
    assert held.state == "On hold: waiting for the patrol"
    assert len(held.notes) == 1
    assert held.notes[0].endswith(" ann: waiting for the patrol")  # from the audit log, with time and operator
    assert len(report.on_duty) == 1
    assert report.on_duty[0].endswith(" ann")
    assert "shift.start" not in [c.action for c in report.commands]
    assert any(d.problem.startswith("offline") for d in report.doors)
    assert [v.name for v in report.visitors] == ["Ada Lovelace"]
    assert report.visitors[0].company == "Engines"
    actions = [c.action for c in report.commands]
    assert "visitor.register" in actions
    assert "door.close" in actions
    assert all(c.result != "sending" for c in report.commands)  # each write once, with its outcome
    assert report.payments == ()
    assert "1 visitor on site" in report.summary()


def _row(seq: int, result: str, completes: int | None = None, minutes: int = 0) -> AuditRow:
    at = datetime.now().astimezone() - timedelta(minutes=minutes)
    params = {} if completes is None else {"completes": completes}
    return AuditRow(seq, at, "ann", "HQ", "door.open", "door 'Lobby'", params, result)


def test_a_write_whose_outcome_never_came_is_listed_as_such_and_old_rows_are_left_out() -> None:
    now = datetime.now().astimezone()
    rows = [_row(1, "sending", minutes=600), _row(2, "ok", 1, minutes=600),  # the previous shift
            _row(3, "sending"), _row(4, "ok", 3), _row(5, "sending")]
    lines = command_lines(rows, now - timedelta(hours=1), now + timedelta(minutes=1))
    assert [line.result for line in lines] == ["ok", "no outcome recorded: check on the server"]


def test_payments_are_money_and_uncertain_ones_are_apart() -> None:
    now = datetime.now().astimezone()
    paid = [PaymentRecord(receipt="R1", plate="ABC123", amount="12.50", operator="ann", taken_at=now.isoformat(),
                          state="done"),
            PaymentRecord(receipt="R2", plate="XYZ9", amount="0.10", operator="ann", taken_at=now.isoformat(),
                          state="done")]
    uncertain = [PaymentRecord(receipt="R3", plate="Q1", amount="3.00", operator="bob", taken_at=now.isoformat(),
                               state="uncertain")]
    report = build(since=now - timedelta(hours=12), until=now, paid=paid, uncertain=uncertain)
    assert report.paid_total == Decimal("12.60")
    assert report.uncertain_total == Decimal("3.00")
    assert [p.state for p in report.payments].count("uncertain") == 1
