"""Nothing leaves the console unrecorded: the audit row is written before a write is sent ("sending"), and a
write whose row cannot be written is not sent at all (issue 14)."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from console.api import Client
from console.services.audit import SENDING, AuditError, AuditLog, begin
from console.services.commands import CommandResult, Commands, Outcome, Target
from console.services.doors import Kind
from console.services.visitors import VisitorDesk
from console.sim import SimConfig, Simulator
from tests.helpers import until
from tests.services.doors_helpers import ASGI_URL, TOKEN, posts, session_for
from tests.services.visitors.test_desk import TOKEN as VISITOR_TOKEN
from tests.services.visitors.test_desk import visit

OPEN = "/door/remoteOpenById"
REGISTER = "/api/visRegistration/add"


def door_of(sim: Simulator) -> Target:
    world = sim.world
    door = next(d for d in world.doors.values() if world.door_connect(d) == 1)
    return Target(Kind.DOOR, door.id, door.name)


class Spy:
    """The simulator's app, noting the audit log's rows at the moment each request arrives (before it acts)."""

    def __init__(self, app: Any, audit: AuditLog) -> None:
        self.app = app
        self.audit = audit
        self.seen: list[tuple[str, list[tuple[str, str]]]] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope.get("type") == "http":
            self.seen.append((scope["path"], [(r.action, r.result) for r in self.audit.rows()]))
        await self.app(scope, receive, send)


@pytest.fixture
def locked_audit(tmp_path: Path) -> Iterator[AuditLog]:
    """An audit log another process holds locked (a backup tool, a second console): writes are refused."""
    audit = AuditLog(tmp_path / "audit.sqlite3", busy_seconds=0.2)
    holder = sqlite3.connect(audit.path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    yield audit
    holder.execute("ROLLBACK")
    holder.close()
    audit.close()


async def test_the_sending_row_is_written_before_the_door_command_reaches_the_server(tmp_path: Path) -> None:
    sim = Simulator(SimConfig(token=TOKEN, seed=3, site="small", event_rate=0.0))
    audit = AuditLog(tmp_path / "audit.sqlite3")
    spy = Spy(sim.app, audit)
    session = session_for(ASGI_URL, tmp_path, app=spy, profile="HQ", operator="ann")
    try:
        door = door_of(sim)
        sim.set_faults(latency_ms=5000)  # the answer is slow: the console could be killed right now
        task = asyncio.ensure_future(Commands(session, audit).open_door(door, 5))
        await until(lambda: posts(sim, OPEN))  # the request reached the simulator
        arrived = [rows for path, rows in spy.seen if path.endswith(OPEN)]
        assert arrived == [[("door.open", SENDING)]]  # recorded before it arrived, not after the answer
        (row,) = audit.rows()  # a kill -9 now leaves this row: the command is on record, its fate unknown
        assert (row.action, row.result, row.operator, row.params["doorId"]) == ("door.open", SENDING, "ann", door.id)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert [r.result for r in audit.rows()] == [SENDING, "uncertain: cancelled before the answer came"]
        assert audit.rows()[1].params["completes"] == row.seq
    finally:
        audit.close()
        await session.aclose()


async def test_a_locked_audit_log_stops_a_door_command_and_says_why(tmp_path: Path, locked_audit: AuditLog) -> None:
    sim = Simulator(SimConfig(token=TOKEN, seed=3, site="small", event_rate=0.0))
    session = session_for(ASGI_URL, tmp_path, app=sim.app, profile="HQ", operator="ann")
    try:
        door = door_of(sim)
        results: list[CommandResult] = []
        commands = Commands(session, locked_audit)
        commands.done.connect(results.append)
        result = await commands.open_door(door, 5)
        assert result.outcome is Outcome.NOT_SENT
        assert not result.audited
        assert "was not opened" in result.text
        assert "audit log could not be written" in result.text
        assert "locked" in result.text  # SQLite's own reason, for whoever fixes it
        assert posts(sim, OPEN) == []  # nothing reached the server
        assert sim.world.door_state(sim.world.doors[door.id])["relay"] != "open"
        assert results == [result]  # the panel hears it like any other result
    finally:
        await session.aclose()


async def test_a_locked_audit_log_stops_a_visitor_registration_and_says_why(tmp_path: Path,
                                                                             locked_audit: AuditLog) -> None:
    sim = Simulator(SimConfig(token=VISITOR_TOKEN, seed=3, site="small", event_rate=0.0))
    async with Client("http://sim.test", VISITOR_TOKEN, transport=httpx.ASGITransport(app=sim.app)) as client:
        desk = VisitorDesk(client, data_dir=tmp_path, profile="HQ", operator="desk", audit=locked_audit)
        outcome = await desk.register(visit(sim))
        assert outcome.kind is Outcome.NOT_SENT
        assert outcome.message.startswith("the registration was not sent: ")
        assert "audit log could not be written" in outcome.message
        assert [r for r in sim.requests if r.path.endswith(REGISTER)] == []
        assert desk.outbox.open_entries() == []  # not queued either: it would be sent later, unrecorded
        assert desk.on_site() == []


async def test_a_visitor_registration_is_recorded_sending_then_ok(tmp_path: Path) -> None:
    sim = Simulator(SimConfig(token=VISITOR_TOKEN, seed=3, site="small", event_rate=0.0))
    audit = AuditLog(tmp_path / "audit.sqlite3")
    spy = Spy(sim.app, audit)
    async with Client("http://sim.test", VISITOR_TOKEN, transport=httpx.ASGITransport(app=spy)) as client:
        desk = VisitorDesk(client, data_dir=tmp_path, profile="HQ", operator="desk", audit=audit)
        outcome = await desk.register(visit(sim))
        assert outcome.kind is Outcome.DONE, outcome
    assert [rows for path, rows in spy.seen if path.endswith(REGISTER)] == [[("visitor.register", SENDING)]]
    sending, done = audit.rows(action="visitor.register")
    assert (sending.result, done.result, done.params["completes"]) == (SENDING, "ok", sending.seq)
    assert audit.verify().ok
    audit.close()


def test_a_ticket_completes_once_and_a_failed_completion_is_told_not_raised(tmp_path: Path) -> None:
    audit = AuditLog(tmp_path / "audit.sqlite3")
    ticket = begin(audit, "door.open", "door 'Lobby' (d1)", {"doorId": "d1"}, operator="ann", profile="HQ")
    audit.close()
    note = ticket.complete("ok")
    assert note.startswith(" (the outcome was NOT written to the audit log: ")
    assert ticket.complete("ok") == ""  # once
    with pytest.raises(AuditError, match="nothing was sent"):
        begin(audit, "door.open", "d1", {})
