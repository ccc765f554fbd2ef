"""A write cut off while its request is out (the console quits, the connection is switched, a panel's stop runs
out of time) is audited as uncertain, never left at "sending": it may have reached the server. Every desk, over
HTTP against a slow simulator; the visitor registration is also kept in the outbox, to be checked next run."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest

from console.services.audit import CANCELLED, SENDING
from console.services.session_services import SessionServices
from console.sim import Simulator
from tests.helpers import until
from tests.services.test_session_services import services_for
from tests.services.visitors.test_desk import visit
from tests.sim.helpers import make_sim


@pytest.fixture
async def served() -> AsyncIterator[tuple[Simulator, str]]:
    sim = make_sim(event_rate=0.0)
    async with sim.serve() as base_url:
        yield sim, base_url


async def _first_booking(services: SessionServices) -> str:
    assert services.spaces is not None
    await services.spaces.refresh()
    return next(b.id for b in services.spaces.bookings.values() if b.active)


def _register(services: SessionServices, sim: Simulator, _: Any) -> Coroutine[Any, Any, Any]:
    assert services.visitors is not None
    return services.visitors.register(visit(sim))


def _delete_person(services: SessionServices, sim: Simulator, _: Any) -> Coroutine[Any, Any, Any]:
    pin = next(p.pin for p in sim.world.persons.values() if not p.left)
    return services.enrolment.delete(pin)


def _cancel_booking(services: SessionServices, sim: Simulator, booking: Any) -> Coroutine[Any, Any, Any]:
    assert services.spaces is not None
    return services.spaces.cancel([booking])


def _deny_plate(services: SessionServices, sim: Simulator, _: Any) -> Coroutine[Any, Any, Any]:
    assert services.parking is not None
    return services.parking.set_list("denied", "B-CUT 42")


WRITES: dict[str, tuple[str, Callable[[SessionServices, Simulator, Any], Coroutine[Any, Any, Any]]]] = {
    "visitor registration": ("visitor.register", _register),
    "person deleted": ("person.delete", _delete_person),
    "booking cancelled": ("space.cancel", _cancel_booking),
    "plate deny-listed": ("parking.list.denied", _deny_plate),
}


@pytest.mark.parametrize("name", list(WRITES))
async def test_a_write_cancelled_while_out_is_audited_as_uncertain(
    name: str, served: tuple[Simulator, str], tmp_path: Path
) -> None:
    action, start = WRITES[name]
    sim, base_url = served
    services = services_for(base_url, tmp_path)
    try:
        booking = await _first_booking(services) if action == "space.cancel" else None
        sim.set_faults(latency_ms=5000)  # the answer is slow: the console is closed meanwhile
        task = asyncio.ensure_future(start(services, sim, booking))
        sending = await until(lambda: next((r for r in services.audit.rows(action=action) if r.result == SENDING),
                                           None), 5)
        await until(lambda: len(sim.requests) and sim.requests[-1].method == "POST", 5)  # out, on the server
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        outcome = [(r.result, r.params.get("completes")) for r in services.audit.rows(action=action)
                   if r.result != SENDING]
        assert outcome == [(CANCELLED, sending.seq)]  # the operator is never told "done" on a guess
        if action == "visitor.register":
            assert services.visitors is not None
            (kept,) = services.visitors.outbox.open_entries()
            assert kept.state == "uncertain"  # the next run asks the server before sending it again
    finally:
        sim.set_faults(reset=True)
        await services.stop()
