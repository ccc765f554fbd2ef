"""A hostile server, through the console's services (no widget): what a guard would see.

The door board and the event stream run under one :class:`SessionServices` against a loopback server that
answers well, then turns hostile on one endpoint (trickle, silence, a huge answer, deep nesting, an HTML
page, malformed JSON, a redirect elsewhere, wrong types), then answers well again. The health must leave
"online", the tiles turn stale, the stream report the failure in words, nothing crash, and everything come
back when the server does. Deadlines are a second: the whole file runs in well under a minute.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from console.api import Client, CVSecError, RetryPolicy
from console.api.client import Deadlines
from console.services.commands import Target
from console.services.events.model import Source
from console.services.events.stream import SourceState
from console.services.outcome import Outcome
from console.services.paths import Paths
from console.services.session import Health, Profile, Session
from console.services.session_services import SessionServices
from console.services.settings import Settings
from tests.helpers import until
from tests.hostile.servers import Counter, Reply, api_server, envelope, huge, response, silence, trickle
from tests.sim.helpers import TOKEN

DOORS = [
    {"id": f"door{i}", "name": f"Door {i}", "deviceId": "dev1", "connect": "1", "sensor": "off", "alarm": "none",
     "relay": "off"}
    for i in range(1, 4)
]
DOOR_STATES = "/api/door/allDoorState"
ACCESS_MONITOR = "/api/transaction/monitor"


def event(pin: str) -> dict[str, Any]:
    return {"eventTime": f"{datetime.now():%Y-%m-%d %H:%M:%S}", "pin": pin, "areaName": "HQ", "cardNo": "1",
            "devSn": "SN1", "verifyModeName": "Card", "eventName": "Normal Verify Open",
            "eventPointName": "Door 1", "readerName": "Door 1-In", "devName": "10.0.0.1"}


def deep(levels: int) -> bytes:
    return b'{"code":0,"message":"","data":' + b"[" * levels + b"]" * levels + b"}"


HTML = b"<html><body><h1>Service Temporarily Unavailable</h1><script>alert(1)</script></body></html>"

# what a hostile server sends instead of a good answer: each is a fresh Reply per request
HOSTILE: dict[str, Callable[[], Reply]] = {
    "trickle": lambda: Reply(handler=trickle),
    "silence": lambda: Reply(handler=silence),
    "huge": lambda: Reply(handler=huge(1024**3)),
    "deep": lambda: Reply.json(deep(100_000)),
    "html-200": lambda: Reply.json(HTML, content_type="text/html"),
    "malformed": lambda: Reply.json(b'{"code":0,"message":"","data":[{"id":"door1","na'),
    "redirect-away": lambda: Reply.json(b"", status="302 Found", headers=("Location: http://192.0.2.1/x",)),
    "wrong-type": lambda: Reply.json(envelope("all doors fine")),
}


@dataclass
class Server:
    """What the loopback server answers: good answers until ``bad`` names a path and a misbehaviour."""

    doors: list[Any] = field(default_factory=lambda: [dict(d) for d in DOORS])
    events: list[Any] = field(default_factory=list)
    bad: dict[str, Callable[[], Reply]] = field(default_factory=dict)
    seen: Counter = field(default_factory=Counter)

    def route(self, method: str, path: str) -> Reply | None:
        for fragment, make in self.bad.items():
            if path == fragment:
                return make()
        if path == DOOR_STATES:
            return Reply(response(envelope(self.doors)))
        if path == ACCESS_MONITOR:
            answer, self.events = self.events, []
            return Reply(response(envelope(answer)))
        return None  # an empty list: every other read


@asynccontextmanager
async def running(tmp_path: Path, server: Server) -> AsyncIterator[SessionServices]:
    async with api_server(server.route, server.seen) as url:
        paths = Paths.under(tmp_path).ensure()
        client = Client(url, TOKEN, retry=RetryPolicy(attempts=1), deadlines=Deadlines(read=1.0, write=1.0))
        session = Session(Profile("Hostile", url, poll_interval=0.2), client, "ann", paths)
        session.max_backoff = 0.5
        services = SessionServices.build(session, Settings(paths.settings_file))
        try:
            await services.start_doors()
            await until(lambda: len(services.board) == 3 and services.session.health is Health.ONLINE, 10)
            yield services
        finally:
            await services.stop()


def plain(text: str) -> bool:
    """Words a guard can read: no markup, no token, not a wall of text."""
    return bool(text) and "<" not in text and TOKEN not in text and len(text) < 400


@pytest.mark.parametrize("kind", list(HOSTILE))
async def test_the_board_leaves_online_and_its_tiles_turn_stale_then_recover(kind: str, tmp_path: Path) -> None:
    server = Server()
    async with running(tmp_path, server) as services:
        board = services.board
        server.bad[DOOR_STATES] = HOSTILE[kind]
        await until(lambda: services.session.health is Health.OFFLINE, 15)  # only the board polls: offline
        await until(lambda: all(item.stale for item in board.items), 5)
        assert plain(board.last_error), board.last_error
        assert plain(services.session.last_error), services.session.last_error
        assert board.poller.running  # the loop survived
        del server.bad[DOOR_STATES]
        await until(lambda: services.session.health is Health.ONLINE, 15)
        await until(lambda: not any(item.stale for item in board.items), 5)
        assert board.last_error == ""


async def test_a_door_answer_of_unreadable_records_is_a_failed_poll_not_an_empty_board(tmp_path: Path) -> None:
    """Records that are all wrong (nulls, lists for objects, strings for numbers): the doors are not
    silently kept as if fresh, and the health says something is wrong."""
    server = Server()
    async with running(tmp_path, server) as services:
        server.doors = [{"id": None, "name": None, "connect": None, "sensor": None},
                        {"id": ["door1"], "name": {"x": 1}, "connect": [1]}, ["door2"], "door3", None, 7]
        await until(lambda: services.session.health is not Health.ONLINE, 10)
        await until(lambda: all(item.stale for item in services.board.items), 5)
        assert "could be read" in services.board.last_error


async def test_wrong_types_in_some_door_records_spare_the_others(tmp_path: Path) -> None:
    server = Server()
    async with running(tmp_path, server) as services:
        board = services.board
        polls = board.polls
        server.doors = [dict(DOORS[0], sensor="open"), {"id": None, "name": None}, "junk",
                        dict(DOORS[1], connect=["x"], sensor={"a": 1}, relay=None, alarm=12),
                        dict(DOORS[2], name=None, connect="many")]
        await until(lambda: board.polls > polls + 2)
        assert services.session.health is Health.ONLINE
        first = next(item for item in board.items if item.id == "door1")
        assert first.is_open  # the good record was read
        assert not first.stale
        for item in board.items:  # whatever the others became, their words are text
            assert isinstance(item.name, str)
            assert isinstance(item.sensor_words, str)


@pytest.mark.parametrize("kind", ["trickle", "huge", "deep", "html-200", "malformed", "wrong-type"])
async def test_the_event_stream_reports_a_hostile_monitor_and_carries_on(kind: str, tmp_path: Path) -> None:
    server = Server()
    async with running(tmp_path, server) as services:
        events = services.events
        assert events is not None
        await services.start_rest()
        stream = events.stream
        await until(lambda: stream.status(Source.ACCESS).state is SourceState.OK, 10)
        server.bad[ACCESS_MONITOR] = HOSTILE[kind]
        await until(lambda: stream.status(Source.ACCESS).state is SourceState.FAILING, 15)
        assert plain(stream.status(Source.ACCESS).error), stream.status(Source.ACCESS).error
        # the doors still answer: degraded (or offline at once for an answer that is not the API at all)
        await until(lambda: services.session.health is not Health.ONLINE, 10)
        assert services.session.channel_failures("events") > 0
        assert stream.poller.running
        del server.bad[ACCESS_MONITOR]
        server.events = [event("4242")]
        await until(lambda: stream.status(Source.ACCESS).state is SourceState.OK, 15)
        await until(lambda: any(e.pin == "4242" for e in events.journal.page(limit=50, newest_first=True)), 10)
        await until(lambda: services.session.health is Health.ONLINE, 10)


async def test_wrong_types_in_monitor_records_keep_the_good_events_and_never_crash(tmp_path: Path) -> None:
    server = Server()
    async with running(tmp_path, server) as services:
        events = services.events
        assert events is not None
        await services.start_rest()
        stream = events.stream
        await until(lambda: stream.status(Source.ACCESS).state is SourceState.OK, 10)
        nulls = dict.fromkeys(event("0"), None)
        lists = {k: [v] for k, v in event("0").items()}
        objects = {k: {"v": v} for k, v in event("0").items()}
        numbers = dict(event("0"), eventTime=1e308, pin=12.5, eventName=10**30, cardNo=-1, devSn=True)
        server.events = [nulls, lists, objects, numbers, "junk", None, 3, [event("5")], event("5151")]
        await until(lambda: any(e.pin == "5151" for e in events.journal.page(limit=50, newest_first=True)), 10)
        assert stream.status(Source.ACCESS).state is SourceState.OK
        for row in events.journal.page(limit=50, newest_first=True):  # whatever was kept reads as text, within the day
            assert isinstance(row.name, str)
            assert isinstance(row.pin, str)
            assert "{" not in row.name
            assert "[" not in row.pin
        assert stream.poller.running


# -- a person and a visitor, read from a hostile server ----------------------------------------------

PERSON_WRONG: list[Any] = [
    "a person",
    [1, 2, 3],
    {"pin": None, "name": None, "lastName": None, "deptCode": None, "cardNo": None, "vislightPhoto": None},
    {"pin": ["1001"], "name": {"first": "A"}, "deptCode": [3], "cardNo": {"no": 1}, "gender": 5,
     "vislightPhoto": 12345, "accLevelIds": {"a": 1}},
    {"pin": 1001, "name": 10**40, "lastName": 1e308, "birthday": "9999-99-99", "accStartTime": [2024]},
]


@pytest.mark.parametrize("data", PERSON_WRONG, ids=[f"person{i}" for i in range(len(PERSON_WRONG))])
async def test_a_person_or_visitor_read_gives_text_or_a_client_error(data: Any, tmp_path: Path) -> None:
    """What the people and visitor desks get back is a record whose fields are text, nothing, or an error the
    panels know how to word (CVSecError): never a TypeError or KeyError from deep inside."""
    server = Server()
    bodies = [envelope(data), json.dumps({"code": 0, "message": "", "data": [data], "total": "x"}).encode()]
    async with running(tmp_path, server) as services:
        enrolment, visitors = services.enrolment, services.visitors
        assert enrolment is not None
        assert visitors is not None
        for body in bodies:
            server.bad = {"/api/person/get": lambda b=body: Reply.json(b),  # type: ignore[misc]
                          "/api/v2/person/getPersonList": lambda b=body: Reply.json(b),  # type: ignore[misc]
                          "/api/visVisitor/getVisitorList": lambda b=body: Reply.json(b)}  # type: ignore[misc]
            calls: list[Callable[[], Any]] = [
                lambda: enrolment.person("1001"), lambda: enrolment.find("1001"), lambda: enrolment.find("Ann"),
                lambda: visitors.search_hosts("1001"), lambda: visitors.visitors(refresh=True),
                lambda: visitors.lookup_visitor("2", "X123"),
            ]
            for call in calls:
                try:
                    found = await call()
                except CVSecError as exc:
                    found, refused = None, str(exc)
                    assert plain(refused), refused
                    continue
                for record in found if isinstance(found, list) else getattr(found, "persons", [found]):
                    if record is None:
                        continue
                    for name in ("pin", "name", "full_name", "cert_number"):
                        value = getattr(record, name, "")
                        assert isinstance(value, str), (name, value)


# -- a door command to a hostile server ---------------------------------------------------------------

OPEN_DOOR = "/api/door/remoteOpenById"


@pytest.mark.parametrize(
    ("kind", "outcome"),
    [("trickle", Outcome.UNCERTAIN), ("silence", Outcome.UNCERTAIN), ("html-200", Outcome.UNCERTAIN),
     ("malformed", Outcome.UNCERTAIN), ("deep", Outcome.UNCERTAIN), ("redirect-away", Outcome.REFUSED)],
)
async def test_a_door_command_to_a_hostile_server_is_audited_sent_once_and_never_called_done(
    kind: str, outcome: Outcome, tmp_path: Path
) -> None:
    server = Server()
    async with running(tmp_path, server) as services:
        services.doors.commands.read_back_seconds = 0.3
        server.bad[OPEN_DOOR] = HOSTILE[kind]
        item = next(i for i in services.board.items if i.id == "door1")
        result = await services.doors.commands.open_door(Target.of(item), 3)
        assert result.outcome is outcome
        assert plain(result.text), result.text
        if outcome is Outcome.UNCERTAIN:
            assert "may or may not" in result.text  # never "opened" on a guess
        assert server.seen.count(OPEN_DOOR) == 1  # sent once, never repeated
        rows = [r for r in services.audit.rows() if r.action == "door.open"]
        assert [r.result.split(":")[0] for r in rows] == ["sending", outcome.value]
