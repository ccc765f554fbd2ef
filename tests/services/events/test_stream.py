"""The event stream against an in-memory server: merged, exactly once, and no hole after an outage or restart."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from console.api.errors import ApiError, AuthError, HTTPStatusError, ProtocolError, TransportError
from console.services.events import (
    Event,
    EventStream,
    Gap,
    Journal,
    Level,
    Retention,
    Source,
    SourceState,
    SourceStatus,
    event_key,
)
from console.services.events.stream import MONITORED
from tests.helpers import until

from .fakes import FakeClock, FakeServer


class Recorder:
    """Everything a stream announced."""

    def __init__(self, stream: EventStream) -> None:
        self.added: list[Event] = []
        self.states: list[SourceStatus] = []
        self.gaps: list[Gap] = []
        self.backfills: list[Gap] = []
        stream.events_added.connect(self.added.extend)
        stream.source_state.connect(self.states.append)
        stream.gap_opened.connect(self.gaps.append)
        stream.gap_backfilled.connect(self.backfills.append)

    def keys(self) -> Counter[str]:
        return Counter(e.key for e in self.added)


def make_stream(server: FakeServer, journal: Journal, clock: FakeClock, **kw: object) -> EventStream:
    return EventStream(server, journal, clock=clock, margin=timedelta(seconds=30), **kw)  # type: ignore[arg-type]


def ground_truth(server: FakeServer, *sources: str) -> set[str]:
    return {event_key(r, s) for s in sources or server.events for r in server.events[s]}


def assert_exactly_once(journal: Journal, server: FakeServer, rec: Recorder | None = None) -> None:
    stored = [e.key for e in journal.iter_range(None, None)]
    assert len(stored) == len(set(stored))
    assert set(stored) == ground_truth(server)
    if rec is not None:
        assert max(rec.keys().values(), default=1) == 1
        assert set(rec.keys()) == set(stored)


async def tick(stream: EventStream, clock: FakeClock, seconds: float = 10) -> list[Event]:
    clock.advance(seconds)
    return await stream.poll_once()


async def test_three_sources_merge_into_one_stream(server: FakeServer, journal: Journal, clock: FakeClock) -> None:
    stream = make_stream(server, journal, clock)
    rec = Recorder(stream)
    await stream.poll_once()
    clock.advance(1)
    server.emit("gate", eventName="Gate opened")
    clock.advance(1)
    server.emit("access", eventName="Duress Password Open", eventLevel=None)
    clock.advance(1)
    server.emit("temperature", status="Abnormal", temperature=38.9)
    added = await tick(stream, clock)
    assert [e.source for e in added] == [Source.GATE, Source.ACCESS, Source.TEMPERATURE]
    assert [e.level for e in added] == [Level.NORMAL, Level.ALARM, Level.ALARM]
    assert rec.added == added
    assert {s.state for s in stream.statuses.values()} == {SourceState.OK}
    assert journal.count() == 3


async def test_replayed_and_overlapping_monitor_answers_add_nothing_twice(
    server: FakeServer, journal: Journal, clock: FakeClock
) -> None:
    server.replay = True  # every answer repeats everything since the first timestamp
    stream = make_stream(server, journal, clock)
    rec = Recorder(stream)
    await stream.poll_once()
    for round_ in range(6):
        for _ in range(5):
            clock.advance(1)
            server.emit("access", pin=str(round_))
            server.emit("gate")
        await tick(stream, clock)
        await stream.poll_once()  # the very same answer again
    assert journal.count() == 60
    assert_exactly_once(journal, server, rec)


async def test_monitor_records_with_or_without_ids_are_the_same_events(
    server: FakeServer, journal: Journal, clock: FakeClock
) -> None:
    server.monitor_ids = True
    stream = make_stream(server, journal, clock)
    await stream.poll_once()
    clock.advance(1)
    server.emit("access")
    await tick(stream, clock)
    server.monitor_ids = False
    server.replay = True
    await tick(stream, clock)
    assert journal.count() == 1


async def test_server_down_then_back_loses_nothing_and_repeats_nothing(
    server: FakeServer, journal: Journal, clock: FakeClock
) -> None:
    stream = make_stream(server, journal, clock)
    rec = Recorder(stream)
    server.emit("access")
    await tick(stream, clock)
    server.emit("access")
    await tick(stream, clock)
    # the server goes away for five minutes; doors keep producing events
    server.down = True
    for _ in range(30):
        server.emit("access")
        server.emit("gate")
        await tick(stream, clock)
    assert stream.status(Source.ACCESS).state is SourceState.FAILING
    assert stream.status(Source.ACCESS).failing_since is not None
    failing = [s for s in rec.states if s.state is SourceState.FAILING]
    assert {s.source for s in failing} == set(MONITORED)
    assert len(failing) == 3
    assert "cannot reach the server" in failing[0].error
    server.down = False
    server.emit("access")
    await tick(stream, clock)
    assert stream.status(Source.ACCESS).state is SourceState.OK
    assert_exactly_once(journal, server, rec)
    # the server kept its monitor cursor: the monitor itself delivered the gap; the back-fill found it all
    assert {g.source for g in rec.backfills} == set(MONITORED)
    assert all(g.status == "done" for g in rec.backfills)


async def test_answers_lost_in_an_outage_are_back_filled_and_marked(
    server: FakeServer, journal: Journal, clock: FakeClock
) -> None:
    stream = make_stream(server, journal, clock)
    rec = Recorder(stream)
    await stream.poll_once()
    last_event = server.emit("access", at=clock() - timedelta(seconds=3))  # a server clock a little behind
    await tick(stream, clock)
    last_good = clock()
    server.drop_answers = True  # the monitor's cursor moves but its answers never arrive
    lost = [server.emit("access", pin=f"p{i}") for i in range(37)]
    for _ in range(24):
        clock.advance(10)
        await stream.poll_once()
    server.drop_answers = False
    after = server.emit("access", eventName="Normal Verify Open")
    await tick(stream, clock)
    assert_exactly_once(journal, server, rec)
    for record in lost:
        stored = journal.get(event_key(record, "access"))
        assert stored is not None
        assert stored.backfilled
    stored_after = journal.get(event_key(after, "access"))
    assert stored_after is not None
    assert not stored_after.backfilled
    (gap,) = [g for g in rec.backfills if g.source is Source.ACCESS]
    assert gap.count == 37
    assert gap.reason == "outage"
    # from the last good poll or the last event seen, whichever is earlier (clocks differ), less the margin
    assert gap.start == datetime.strptime(last_event["eventTime"], "%Y-%m-%d %H:%M:%S") - timedelta(seconds=30)
    assert gap.start < last_good
    assert gap.end == clock() + timedelta(seconds=30)  # to the first good one, plus the margin
    assert gap.describe().startswith("back-filled 37 access events from ")
    # the gap is recorded for the UI
    assert any(g.count == 37 and g.status == "done" for g in journal.gaps())
    params = server.list_calls("2.19.5")[0]
    assert params["pageSize"] <= 1000
    assert params["startDate"] < params["endDate"]


async def test_back_fill_pages_through_everything(server: FakeServer, journal: Journal, clock: FakeClock) -> None:
    server.max_page_size = 100  # a server that gives fewer rows than asked: paging follows `total`
    stream = make_stream(server, journal, clock, page_size=250)
    rec = Recorder(stream)
    await stream.poll_once()
    server.drop_answers = True
    for i in range(730):
        server.emit("access", at=clock() + timedelta(seconds=i // 3), pin=f"a{i}")
        server.emit("temperature", at=clock() + timedelta(seconds=i // 3), pin=f"t{i}")
    clock.advance(300)
    await stream.poll_once()
    server.drop_answers = False
    await tick(stream, clock)
    assert_exactly_once(journal, server, rec)
    assert journal.count() == 1460
    access_pages = server.list_calls("2.19.5")
    assert [p["pageNo"] for p in access_pages] == list(range(1, 9))
    assert all(p["pageSize"] == 250 for p in access_pages)
    # the temperature list (2.27.1) has no total: a short page is no proof, it pages until an empty one
    assert [p["pageNo"] for p in server.list_calls("2.27.1")] == list(range(1, 10))


async def test_a_failed_back_fill_is_retried_after_the_next_good_poll(
    server: FakeServer, journal: Journal, clock: FakeClock
) -> None:
    stream = make_stream(server, journal, clock, sources=[Source.ACCESS])
    rec = Recorder(stream)
    await stream.poll_once()
    server.drop_answers = True
    lost = [server.emit("access") for _ in range(5)]
    await tick(stream, clock)
    server.drop_answers = False
    server.list_status = 503
    await tick(stream, clock)
    (pending,) = stream.pending_gaps
    assert pending.status == "pending"
    assert pending.attempts == 1
    assert "503" in pending.error
    assert rec.backfills == []
    server.list_status = None
    await tick(stream, clock)
    assert stream.pending_gaps == []
    assert [g.count for g in rec.backfills] == [5]
    assert all(event_key(r, "access") in journal for r in lost)


async def test_a_pending_back_fill_survives_a_restart(data_dir: Path, server: FakeServer, clock: FakeClock) -> None:
    with Journal(data_dir, clock=clock) as journal:
        stream = make_stream(server, journal, clock, sources=[Source.GATE])
        await stream.poll_once()
        server.drop_answers = True
        lost = [server.emit("gate") for _ in range(4)]
        await tick(stream, clock)
        server.drop_answers = False
        server.list_status = 500
        await tick(stream, clock)
        assert len(stream.pending_gaps) == 1
    server.list_status = None
    with Journal(data_dir, clock=clock) as journal:
        stream = make_stream(server, journal, clock, sources=[Source.GATE])
        await tick(stream, clock)
        assert all(event_key(r, "gate") in journal for r in lost)
        assert journal.gaps(status="pending") == []


async def test_an_older_server_without_the_v2_list_is_back_filled_from_v1(
    server: FakeServer, journal: Journal, clock: FakeClock
) -> None:
    server.missing = {"2.19.5"}
    stream = make_stream(server, journal, clock, sources=[Source.ACCESS])
    await stream.poll_once()
    server.drop_answers = True
    lost = [server.emit("access") for _ in range(3)]
    await tick(stream, clock)
    server.drop_answers = False
    await tick(stream, clock)
    assert all(event_key(r, "access") in journal for r in lost)
    assert server.list_calls("2.19.4")


async def test_a_list_endpoint_refusing_the_request_fails_the_gap_for_good(
    server: FakeServer, journal: Journal, clock: FakeClock
) -> None:
    stream = make_stream(server, journal, clock, sources=[Source.GATE])
    rec = Recorder(stream)
    await stream.poll_once()
    server.down = True
    await tick(stream, clock)
    server.down = False
    server.list_status = 400
    await tick(stream, clock)
    (gap,) = rec.backfills
    assert gap.status == "failed"
    assert gap.describe().startswith("could not back-fill gate events")
    assert stream.pending_gaps == []


async def test_a_server_without_temperature_hides_that_source(
    server: FakeServer, journal: Journal, clock: FakeClock
) -> None:
    server.hep = False
    stream = make_stream(server, journal, clock)
    rec = Recorder(stream)
    await stream.poll_once()
    assert stream.status(Source.TEMPERATURE).state is SourceState.UNAVAILABLE
    assert stream.available_sources == [Source.ACCESS, Source.GATE]
    assert [s.source for s in rec.states if s.state is SourceState.UNAVAILABLE] == [Source.TEMPERATURE]
    calls_before = [s for s, _ in server.calls].count("2.27.2")
    for _ in range(3):
        server.emit("access")
        await tick(stream, clock)
    assert [s for s, _ in server.calls].count("2.27.2") == calls_before == 1
    assert journal.count() == 3
    assert stream.pending_gaps == []


async def test_temperature_that_fails_with_a_server_error_is_retried_not_hidden(
    journal: Journal, clock: FakeClock
) -> None:
    class Flaky(FakeServer):
        failures = 2

        async def call(self, section: str, /, **params: object) -> object:
            if section == "2.27.2" and self.failures:
                self.failures -= 1
                raise HTTPStatusError(503, url="http://127.0.0.1/api/hep/transaction/monitor")
            return await super().call(section, **params)

    server = Flaky(clock)
    stream = make_stream(server, journal, clock, sources=[Source.TEMPERATURE])
    await stream.poll_once()
    assert stream.status(Source.TEMPERATURE).state is SourceState.FAILING
    await tick(stream, clock)
    server.emit("temperature")
    await tick(stream, clock)
    assert stream.status(Source.TEMPERATURE).state is SourceState.OK
    assert journal.count() == 1


async def test_a_restart_back_fills_what_happened_while_closed(
    data_dir: Path, server: FakeServer, clock: FakeClock
) -> None:
    with Journal(data_dir, clock=clock) as journal:
        stream = make_stream(server, journal, clock)
        await stream.poll_once()
        for _ in range(5):
            server.emit("access")
            server.emit("gate")
            await tick(stream, clock)
        shift = [e.key for e in journal.iter_range(None, None)]
        shift_end = clock()
    # the console is closed for two hours; events keep coming
    closed = []
    closed_start = clock() + timedelta(seconds=60)
    for _ in range(120):
        clock.advance(60)
        closed.append(server.emit("access"))
    clock.advance(5)
    with Journal(data_dir, clock=clock) as journal:
        assert [e.key for e in journal.iter_range(None, None)] == shift  # the history is back at once
        stream = make_stream(server, journal, clock)
        rec = Recorder(stream)
        await stream.poll_once()
        server.emit("access")
        await tick(stream, clock)
        assert_exactly_once(journal, server)
        assert max(rec.keys().values()) == 1
        assert not set(rec.keys()) & set(shift)
        assert all(journal.get(event_key(r, "access")).backfilled for r in closed)  # type: ignore[union-attr]
        restart = [g for g in rec.backfills if g.reason == "restart"]
        assert {g.source: g.count for g in restart} == {Source.ACCESS: 120, Source.GATE: 0, Source.TEMPERATURE: 0}
        access_gap = next(g for g in restart if g.source is Source.ACCESS)
        assert access_gap.start < shift_end < closed_start < access_gap.end


async def test_back_fill_is_bounded_by_retention(data_dir: Path, server: FakeServer, clock: FakeClock) -> None:
    with Journal(data_dir, clock=clock, retention=Retention(days=1)) as journal:
        stream = make_stream(server, journal, clock, sources=[Source.ACCESS])
        server.emit("access")
        await tick(stream, clock)
    clock.advance(10 * 86400)
    with Journal(data_dir, clock=clock, retention=Retention(days=1)) as journal:
        stream = make_stream(server, journal, clock, sources=[Source.ACCESS])
        await stream.poll_once()
        (params,) = server.list_calls("2.19.5")
        start = datetime.strptime(params["startDate"], "%Y-%m-%d %H:%M:%S")
        assert start >= clock() - timedelta(days=1, seconds=1)


async def test_a_large_photo_is_refused_but_the_event_is_kept(
    server: FakeServer, journal: Journal, clock: FakeClock
) -> None:
    stream = make_stream(server, journal, clock, sources=[Source.ACCESS], max_photo=10_000)
    await stream.poll_once()
    record = server.emit("access", capturePhotoBase64="/9j/" + "A" * 50_000)
    await tick(stream, clock)
    stored = journal.get(event_key(record, "access"))
    assert stored is not None
    assert stored.photo_base64 == ""
    assert not stored.has_photo
    assert "too large" in stored.photo_note or "larger than" in stored.photo_note


async def test_site_rules_apply_to_the_stream(server: FakeServer, journal: Journal, clock: FakeClock) -> None:
    from console.services.events import Classifier

    classifier = Classifier.from_settings({"rules": [{"match": "exit button", "level": "alarm"}]})
    stream = make_stream(server, journal, clock, sources=[Source.ACCESS], classifier=classifier)
    await stream.poll_once()
    server.emit("access", eventName="Exit Button Open", eventLevel=0)
    (event,) = await tick(stream, clock)
    assert event.level is Level.ALARM


async def test_run_polls_until_cancelled(server: FakeServer, journal: Journal) -> None:
    stream = EventStream(server, journal, interval=0.01, sources=[Source.ACCESS])
    task = asyncio.create_task(stream.run())
    try:
        await until(lambda: server.monitor_calls() >= 2)
        server.emit("access", at=datetime.now() + timedelta(seconds=5))
        await until(lambda: journal.count() == 1)
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task


class Scripted(FakeServer):
    """Answers the temperature monitor with scripted failures first."""

    script: list[Exception] = []  # noqa: RUF012 - set per instance below

    async def call(self, section: str, /, **params: object) -> object:
        if section == "2.27.2" and self.script:
            raise self.script.pop(0)
        return await super().call(section, **params)


def scripted(clock: FakeClock, *failures: Exception) -> Scripted:
    server = Scripted(clock)
    server.script = list(failures)
    return server


@pytest.mark.parametrize(
    ("failures", "state"),
    [
        ((ApiError(-1, "unknown interface"), ApiError(-1, "unknown interface")), SourceState.UNAVAILABLE),
        ((ProtocolError("html", content_type="text/html"),) * 2, SourceState.UNAVAILABLE),
        ((HTTPStatusError(405),), SourceState.UNAVAILABLE),
        ((ApiError(-1, "busy"),), SourceState.OK),  # once is not proof
        ((ProtocolError("cut", content_type="application/json"),) * 3, SourceState.OK),  # a truncated answer
        ((TransportError("refused"),) * 3, SourceState.OK),
        ((AuthError(401),) * 3, SourceState.OK),
    ],
)
async def test_what_hides_the_temperature_source(
    journal: Journal, clock: FakeClock, failures: tuple[Exception, ...], state: SourceState
) -> None:
    server = scripted(clock, *failures)
    stream = make_stream(server, journal, clock, sources=[Source.TEMPERATURE])
    for _ in range(len(failures) + 1):
        await tick(stream, clock)
    assert stream.status(Source.TEMPERATURE).state is state


async def test_a_source_that_worked_is_never_hidden(journal: Journal, clock: FakeClock) -> None:
    server = scripted(clock)
    stream = make_stream(server, journal, clock, sources=[Source.TEMPERATURE])
    await stream.poll_once()
    server.script = [HTTPStatusError(404)] * 3
    for _ in range(3):
        await tick(stream, clock)
        assert stream.status(Source.TEMPERATURE).state is SourceState.FAILING


async def test_a_server_ignoring_page_numbers_does_not_loop(
    server: FakeServer, journal: Journal, clock: FakeClock
) -> None:
    class SamePage(FakeServer):
        def _list(self, section: str, source: str, params: Mapping[str, Any]) -> Any:
            return super()._list(section, source, {**params, "pageNo": 1})

    server = SamePage(clock)
    stream = make_stream(server, journal, clock, sources=[Source.TEMPERATURE], page_size=10)
    await stream.poll_once()
    server.drop_answers = True
    for _ in range(25):
        server.emit("temperature")
    await tick(stream, clock)
    server.drop_answers = False
    await tick(stream, clock)
    assert len(server.list_calls("2.27.1")) == 2  # the second page was the first again: stop
    assert journal.count() == 10  # what that server lets anyone see


async def test_a_server_down_at_start_keeps_the_restart_gap(
    data_dir: Path, server: FakeServer, clock: FakeClock
) -> None:
    with Journal(data_dir, clock=clock) as journal:
        stream = make_stream(server, journal, clock, sources=[Source.ACCESS])
        await stream.poll_once()
        server.emit("access")
        await tick(stream, clock)
    clock.advance(600)
    closed = [server.emit("access") for _ in range(3)]
    server.down = True
    with Journal(data_dir, clock=clock) as journal:
        stream = make_stream(server, journal, clock, sources=[Source.ACCESS])
        for _ in range(3):
            await tick(stream, clock)
        during = [server.emit("access") for _ in range(3)]
        server.down = False
        await tick(stream, clock)
        assert all(event_key(r, "access") in journal for r in closed + during)
        (gap,) = journal.gaps()
        assert gap.reason == "restart"
        assert gap.status == "done"


async def test_an_alarm_the_name_table_missed_is_raised_from_the_stored_lists_level_within_one_poll(
    server: FakeServer, journal: Journal, clock: FakeClock
) -> None:
    """Real monitors send no eventLevel and name events in the site's language: the stored list (which has
    eventLevel) is read behind the monitor, and an event it rates higher is raised, marked as raised later."""
    stream = make_stream(server, journal, clock)
    corrected: list[Event] = []
    stream.levels_corrected.connect(corrected.extend)
    await stream.poll_once()
    server.emit("access", eventName="Evento 77 del panel", eventLevel=2)  # a name no table knows
    server.emit("access", eventName="Apertura remota", eventLevel=0)
    clock.advance(10)
    added = await stream.poll_once()
    odd = next(e for e in added if e.name == "Evento 77 del panel")
    assert odd.level is Level.NORMAL  # filed by its name first: nothing in it says "alarm"
    assert [e.key for e in corrected] == [odd.key]  # raised by the server's own level in the same poll
    stored = journal.get(odd.key)
    assert stored is not None
    assert stored.level is Level.ALARM
    assert "raised" in str(stored.raw.get("_levelCorrected"))
    assert [e.key for e, _ in journal.open_alarms()] == [odd.key]  # an open alarm, as if it came so
    calls = len(server.list_calls())
    clock.advance(10)
    await stream.poll_once()
    assert len(server.list_calls()) == calls  # settled: not looked at again


async def test_one_answer_cannot_flood_the_journal(server: FakeServer, journal: Journal, clock: FakeClock) -> None:
    """A monitor answer with more records than the API ever sends, or records from long before the stream's
    start, is cut: the journal's growth per poll is bounded."""
    stream = make_stream(server, journal, clock)
    await stream.poll_once()
    long_ago = clock() - timedelta(days=3)
    for i in range(20):
        server.emit("access", at=long_ago + timedelta(seconds=i), eventName="Replayed from the past")
    for _ in range(2500):
        server.emit("access")
    clock.advance(10)
    added = await stream.poll_once()
    assert len([e for e in added if e.source is Source.ACCESS]) <= 1000
    assert not [e for e in journal.iter_range(None, None) if e.name == "Replayed from the past"]
    assert journal.count() <= 1000 + 10
