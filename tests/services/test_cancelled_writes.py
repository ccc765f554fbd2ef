"""A write cut off while its request is out (the console quits, the connection is switched, a panel's stop runs
out of time) is audited as uncertain, never left at "sending": it may have reached the server. Every desk, over
HTTP against a slow simulator; the visitor registration is also kept in the outbox, to be checked next run."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest

from console.api.endpoints import ENDPOINTS
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


Write = Coroutine[Any, Any, Any]
BARRIER_PATH = ENDPOINTS["2.36.2"].path


async def _register(services: SessionServices, sim: Simulator) -> Write:
    assert services.visitors is not None
    return services.visitors.register(visit(sim))


async def _delete_person(services: SessionServices, sim: Simulator) -> Write:
    pin = next(p.pin for p in sim.world.persons.values() if not p.left)
    return services.enrolment.delete(pin)


async def _cancel_booking(services: SessionServices, sim: Simulator) -> Write:
    assert services.spaces is not None
    await services.spaces.refresh()  # read before the server turns slow
    return services.spaces.cancel([next(b.id for b in services.spaces.bookings.values() if b.active)])


async def _deny_plate(services: SessionServices, sim: Simulator) -> Write:
    assert services.parking is not None
    return services.parking.set_list("denied", "B-CUT 42")


async def _open_barrier(services: SessionServices, sim: Simulator) -> Write:
    assert services.parking is not None
    await services.parking.load_base()  # the lanes, as the parking panel reads them
    return services.parking.open_barrier(services.parking.channel_infos()[0].id, "a delivery van at the gate")


WRITES: dict[str, tuple[str, str, Callable[[SessionServices, Simulator], Coroutine[Any, Any, Write]]]] = {
    # name: (audit action, the path the write is sent to, what prepares it: reads first, then the write unstarted)
    "visitor registration": ("visitor.register", "/api/visRegistration/add", _register),
    "person deleted": ("person.delete", "/api/person/delete", _delete_person),
    "booking cancelled": ("space.cancel", "/api/spaceReservation/cancelReservation", _cancel_booking),
    "plate deny-listed": ("parking.list.denied", "/api/v2/parkPlate/addAllowDisabled", _deny_plate),
    "barrier opened": ("parking.barrier.open", BARRIER_PATH, _open_barrier),
}


@pytest.mark.parametrize("name", list(WRITES))
async def test_a_write_cancelled_while_out_is_audited_as_uncertain(
    name: str, served: tuple[Simulator, str], tmp_path: Path
) -> None:
    action, path, prepare = WRITES[name]
    sim, base_url = served
    services = services_for(base_url, tmp_path)
    try:
        write = await prepare(services, sim)
        sim.set_faults(latency_ms=5000)  # the answer is slow: the console is closed meanwhile
        task = asyncio.ensure_future(write)
        sending = await until(lambda: next((r for r in services.audit.rows(action=action) if r.result == SENDING),
                                           None), 5)
        await until(lambda: any(r.path == path for r in list(sim.requests)), 5)  # out: on the server, unanswered
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
