"""The per-connection services object, headless: built, started and stopped against the simulator over HTTP.

No widget exists in these tests: what the guard would see (tiles, alarms, the outbox, the status bar's
health) is read from the services themselves.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from console.api import Client, RetryPolicy
from console.services.events import Level
from console.services.outcome import Outcome
from console.services.paths import Paths
from console.services.session import Health, Profile, Session
from console.services.session_services import SessionServices
from console.services.settings import Settings
from console.sim import Simulator
from tests.helpers import until
from tests.services.visitors.test_desk import visit
from tests.sim.helpers import TOKEN, make_sim, online_door


@pytest.fixture
async def served() -> AsyncIterator[tuple[Simulator, str]]:
    sim = make_sim(event_rate=0.0)
    async with sim.serve() as base_url:
        yield sim, base_url


def services_for(base_url: str, base: Path, *, profile: str = "Head office", interval: float = 0.2) -> SessionServices:
    paths = Paths.under(base).ensure()
    client = Client(base_url, TOKEN, retry=RetryPolicy(attempts=1))
    session = Session(Profile(profile, base_url, poll_interval=interval), client, "ann", paths)
    return SessionServices.build(session, Settings(paths.settings_file))


async def test_every_service_runs_without_a_widget_and_stops_clean(
    served: tuple[Simulator, str], tmp_path: Path
) -> None:
    sim, base_url = served
    services = services_for(base_url, tmp_path)
    assert services.problems == {}
    assert services.events is not None
    assert services.visitors is not None
    try:
        await services.start_doors()
        await until(lambda: services.board.polls > 0 and len(services.board) > 0, 10)
        # the poller reports the good poll once the board's step has returned (a turn or two later)
        await until(lambda: services.session.health is Health.ONLINE, 10)
        await services.start_rest()

        door = online_door(sim.world)
        sim.emit("duress", door_id=door.id)  # an alarm on the server: the stream files it, the queue raises it
        alarms = services.events.alarms
        await until(lambda: any(a.event.level is Level.ALARM for a in alarms.alarms), 10)
        assert alarms.alarms[0].event.level is Level.ALARM  # on top: the low battery on the board is maintenance
        assert door.name in {a.event.point for a in alarms.alarms}

        result = await services.doors.commands.close_door(_target(services, door.id))
        assert result.outcome is Outcome.DONE
        assert result.seen is True  # the state was read back: the relay is off
        assert "relay off seen" in result.text
        assert [row.action for row in services.audit.rows()][-2:] == ["door.close", "door.close.read_back"]
    finally:
        await services.stop()
    assert not services.board.poller.running
    assert not services.events.stream.poller.running
    assert not services.visitors.poller.running
    assert services.events.journal.closed
    assert services.session.closed
    await services.stop()  # idempotent


def _target(services: SessionServices, door_id: str):  # type: ignore[no-untyped-def]
    from console.services.commands import Target

    item = next(i for i in services.board.items if i.id == door_id)
    return Target.of(item)


async def test_the_server_going_away_shows_in_the_health_and_the_outbox_sends_when_it_is_back(
    served: tuple[Simulator, str], tmp_path: Path
) -> None:
    sim, base_url = served
    services = services_for(base_url, tmp_path)
    desk = services.visitors
    assert desk is not None
    try:
        await services.start_doors()
        await until(lambda: services.session.health is Health.ONLINE, 10)
        await services.start_rest()
        sim.set_faults(down_seconds=600)
        await until(lambda: services.session.health is Health.OFFLINE, 20)
        form = visit(sim)
        queued = await desk.register(form)
        assert queued.kind is Outcome.QUEUED
        assert queued.entry is not None
        assert queued.entry.state == "pending"
        sim.set_faults(reset=True)
        # no button pressed: the health turning online wakes the outbox, which sends the registration once
        await until(lambda: not desk.outbox.open_entries(), 20)
        await until(lambda: services.session.health is Health.ONLINE, 10)
        adds = [r for r in sim.requests if r.method == "POST" and r.path.endswith("visRegistration/add")]
        assert [r.fault for r in adds] == ["down", ""]  # turned away during the outage, carried out once after
    finally:
        await services.stop()


async def test_each_profile_keeps_its_own_journal(served: tuple[Simulator, str], tmp_path: Path) -> None:
    _sim, base_url = served
    first = services_for(base_url, tmp_path, profile="Head office")
    second = services_for(base_url, tmp_path, profile="Warehouse")
    try:
        assert first.events is not None
        assert second.events is not None
        assert first.events.journal.path != second.events.journal.path
        assert first.events.journal.path.parent == Paths.under(tmp_path).profile_dir("Head office")
    finally:
        await first.stop()
        await second.stop()


async def test_a_damaged_journal_is_set_aside_and_everything_runs(
    served: tuple[Simulator, str], tmp_path: Path
) -> None:
    _sim, base_url = served
    paths = Paths.under(tmp_path).ensure()
    folder = paths.profile_dir("Head office")
    folder.mkdir(parents=True)
    (folder / "events.sqlite3").write_bytes(b"this is not a database" * 100)
    services = services_for(base_url, tmp_path)
    try:  # issue 14: renamed with the time and a fresh journal started (it used to turn events and alarms off)
        assert services.problems == {}
        assert services.events is not None
        [aside] = services.set_aside
        assert aside.aside.read_bytes() == b"this is not a database" * 100
        assert services.visitors is not None
        await services.start_doors()
        await services.start_rest()
        await until(lambda: services.board.polls > 0, 10)
    finally:
        await services.stop()


async def test_stopping_closes_every_file_it_opened(served: tuple[Simulator, str], tmp_path: Path) -> None:
    _sim, base_url = served
    services = services_for(base_url, tmp_path)
    await services.start_doors()
    await services.start_rest()
    await services.stop()
    assert services.audit._db is None  # the audit log's connection is closed
    assert services.events is not None
    assert services.events.journal.closed
    assert not [f for f in _open_files() if f.startswith(str(tmp_path))]  # nothing under the base dir is open


def _open_files() -> set[str]:
    """The files this process holds open (Linux)."""
    fds = Path("/proc/self/fd")
    return {os.path.realpath(fds / fd) for fd in os.listdir(fds)} if fds.is_dir() else set()


async def test_a_refused_token_stops_every_poller_until_a_new_token(
    served: tuple[Simulator, str], tmp_path: Path
) -> None:
    sim, base_url = served
    paths = Paths.under(tmp_path).ensure()
    client = Client(base_url, "not-the-token", retry=RetryPolicy(attempts=1))
    services = SessionServices.connect(Profile("Head office", base_url, poll_interval=0.1), client,
                                       operator="ann", paths=paths, settings=Settings(paths.settings_file))
    try:
        await services.start_doors()
        await services.start_rest()
        session = services.session
        await until(lambda: session.token_refused and services.board.poller.halted, 10)
        assert session.health is Health.OFFLINE
        # every poller that asks the server halts on its own refusal (the outbox asks only with work queued)
        asking = [p for p in services._pollers() if p.name != "outbox"]
        assert {p.name for p in asking} >= {"doors", "events", "parking", "spaces"}
        await until(lambda: all(p.halted for p in asking), 10)
        refused = len(sim.requests)
        await asyncio.sleep(0.5)  # five poll intervals: a halted poller sends nothing (no retry loop)
        # a poller still polling every 0.1 s would repeat its request; a one-off request of the session's start
        # (not a poller's) may still land in this window (seen twice in CI: one request, never a repeat)
        later = [f"{r.method} {r.path}?{r.query}" for r in list(sim.requests)[refused:]]
        assert len(later) <= 1, later
        services.new_token(TOKEN)
        await until(lambda: session.health is Health.ONLINE and len(services.board) > 0, 10)
        assert not session.token_refused
        assert not services.board.poller.halted
    finally:
        await services.stop()


async def test_the_board_s_services_come_first_and_the_others_when_asked(
    served: tuple[Simulator, str], tmp_path: Path
) -> None:
    """``rest=False`` (how the console connects): the board polls with nothing else opened (no journal file, no
    desk); ``build_rest`` builds the others once, and ``start_rest`` builds them if nobody did."""
    _sim, url = served
    paths = Paths.under(tmp_path).ensure()
    session = Session(Profile("Head office", url, poll_interval=0.2), Client(url, TOKEN), "ann", paths)
    services = SessionServices.build(session, Settings(paths.settings_file), rest=False)
    try:
        await services.start_doors()
        await until(lambda: services.board.last_ok is not None, 10)
        assert len(services.board) > 0
        assert (services.events, services.visitors, services.parking, services.spaces, services.enrolment) == (
            None, None, None, None, None)
        assert not list(paths.profile_dir("Head office").glob("events.sqlite3"))  # the journal not opened yet
        await services.start_rest()  # builds them first
        assert services.events is not None
        assert services.visitors is not None
        assert services.parking is not None
        journal = services.events.journal
        services.build_rest()  # once: the same services
        assert services.events.journal is journal
        assert services.events.stream.poller.running
        assert services.parking.poller.running
    finally:
        await services.stop()
