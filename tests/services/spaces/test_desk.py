"""The space desk against the simulator over HTTP (127.0.0.1): book, refuse, move, cancel, finish, delete."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from console.api import Client, RetryPolicy
from console.api.models.spaces import ReservationStatus, SpaceReservationInput
from console.services.outcome import Outcome
from console.services.paths import Paths
from console.services.polling import PollPolicy
from console.services.session import Profile, Session
from console.services.session_services import SessionServices
from console.services.settings import Settings
from console.services.spaces import Booking, BookingRequest, SpaceDesk, parse_batch_answer
from console.sim import Simulator
from tests.helpers import until
from tests.sim.helpers import TOKEN, make_sim

BOOK = "/api/spaceReservation/addSpaceReservation"


@dataclass
class FakeAudit:
    rows: list[dict[str, Any]] = field(default_factory=list)

    def record(self, action: str, target: str, params: Any, result: str, **kw: Any) -> None:
        self.rows.append({"action": action, "target": target, "params": dict(params), "result": result, **kw})

    def actions(self) -> list[tuple[str, str]]:
        return [(r["action"], r["result"]) for r in self.rows if r["result"] != "sending"]


@dataclass
class Rig:
    sim: Simulator
    desk: SpaceDesk
    audit: FakeAudit
    client: Client
    base_url: str

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.sim.world.now()).replace(microsecond=0)

    def posts(self, path: str) -> list[dict[str, Any]]:
        return [json.loads(r.body or b"{}") for r in self.sim.requests if r.method == "POST" and r.path == path]

    def person_ids(self, n: int) -> tuple[str, ...]:
        return tuple(p.id for p in list(self.sim.world.persons.values())[:n])

    def host(self) -> str:
        return next(iter(self.sim.world.persons))

    def space(self, index: int = 0) -> str:
        return list(self.sim.world.table("spaces"))[index]

    def request(self, start: datetime, minutes: int = 60, *, space: int = 0, subject: str = "Interview",
                people: int = 2) -> BookingRequest:
        return BookingRequest(space_id=self.space(space), subject=subject, start=start,
                              end=start + timedelta(minutes=minutes), host_pin=self.host(),
                              participant_ids=self.person_ids(people))

    def free_space(self, start: datetime, end: datetime, *, but: int | None = None) -> int:
        """The index of a space (not ``but``) with no active booking between ``start`` and ``end`` on the server
        (the simulator's own bookings follow its clock: a fixed space collides with them at some hours)."""
        rows = self.sim.world.table("space_reservations").values()
        lo, hi = start.timestamp(), end.timestamp()
        for index, space_id in enumerate(self.sim.world.table("spaces")):
            if index == but:
                continue
            if not any(r["spaceId"] == space_id and not r["cancelled"] and r["startAt"] < hi and lo < r["endAt"]
                       for r in rows):
                return index
        raise AssertionError("no free space")

    def row(self, booking_id: str) -> dict[str, Any]:
        return dict(self.sim.world.table("space_reservations")[booking_id])


@pytest.fixture
async def rig() -> AsyncIterator[Rig]:
    sim = make_sim(event_rate=0.0, seed=5)
    async with sim.serve() as base_url:
        client = Client(base_url, TOKEN, retry=RetryPolicy(attempts=1))
        audit = FakeAudit()
        desk = SpaceDesk(client, profile="HQ", operator="rita", audit=audit,
                         policy=PollPolicy(interval=0.2, max_backoff=0.5),
                         clock=lambda: datetime.fromtimestamp(sim.world.now()))
        try:
            yield Rig(sim, desk, audit, client, base_url)
        finally:
            await desk.poller.stop()
            await client.aclose()


def tomorrow_at(rig: Rig, hour: int) -> datetime:
    return (rig.now() + timedelta(days=1)).replace(hour=hour, minute=0, second=0)


def test_the_servers_counts_are_read() -> None:
    answer = parse_batch_answer("Succeed: 2, Failed: 1.")
    assert answer is not None
    assert (answer.succeeded, answer.failed) == (2, 1)
    assert parse_batch_answer("success") is None


async def test_the_day_shows_every_space_and_booking_with_status_and_participants(rig: Rig) -> None:
    rig.desk.set_window(rig.now() - timedelta(days=1), days=3)  # (today's, whatever the hour)
    await rig.desk.refresh()
    assert len(rig.desk.spaces) == len(rig.sim.world.table("spaces"))
    statuses = {b.subject: b.status for b in rig.desk.bookings.values()}
    assert statuses.get("Design review") is ReservationStatus.IN_PROGRESS  # started ten minutes ago
    assert all(b.participants == 3 for b in rig.desk.bookings.values())  # read from each booking's own record
    assert rig.desk.facilities
    assert rig.desk.services


async def test_book_sends_once_is_audited_and_shows_on_the_timeline(rig: Rig) -> None:
    await rig.desk.refresh()
    start = tomorrow_at(rig, 10)
    rig.desk.set_window(start.date())
    result = await rig.desk.book(rig.request(start))
    assert result.kind is Outcome.DONE, result.message
    assert result.booking_id in rig.sim.world.table("space_reservations")
    assert len(rig.posts(BOOK)) == 1
    assert rig.audit.actions() == [("space.book", "ok")]
    booking = rig.desk.bookings[result.booking_id]
    assert (booking.start, booking.status, booking.participants) == (start, ReservationStatus.PENDING, 2)
    assert [p.id for p in await rig.desk.participants(result.booking_id)] == list(rig.person_ids(2))


async def test_an_overlap_is_refused_locally_and_nothing_is_sent(rig: Rig) -> None:
    await rig.desk.refresh()
    start = tomorrow_at(rig, 10)
    rig.desk.set_window(start.date())
    first = rig.free_space(start, start + timedelta(minutes=90))
    assert (await rig.desk.book(rig.request(start, space=first))).ok
    sent = len(rig.posts(BOOK))
    clash = await rig.desk.book(rig.request(start + timedelta(minutes=30), space=first, subject="Second"))
    assert clash.kind is Outcome.INVALID
    assert "already booked" in clash.problems["time"]
    assert len(rig.posts(BOOK)) == sent  # nothing went to the server
    assert rig.audit.actions() == [("space.book", "ok")]  # nothing sent, nothing to audit
    # the same time in another space is fine
    other = rig.free_space(start + timedelta(minutes=30), start + timedelta(minutes=90), but=first)
    assert (await rig.desk.book(rig.request(start + timedelta(minutes=30), space=other, subject="Elsewhere"))).ok


async def test_an_overlap_the_desk_did_not_know_is_refused_by_the_server(rig: Rig) -> None:
    start = tomorrow_at(rig, 14)
    rig.desk.set_window(start.date())
    await rig.desk.refresh()
    async with Client(rig.base_url, TOKEN) as other_desk:  # another receptionist books first
        await other_desk.save_space_reservation(SpaceReservationInput(
            subject="Theirs", space_id=rig.space(), apply_person_pin=rig.host(),
            participant_ids=list(rig.person_ids(1)), start_time=start, end_time=start + timedelta(hours=1)))
    result = await rig.desk.book(rig.request(start + timedelta(minutes=15)))
    assert result.kind is Outcome.REFUSED
    assert "already reserved" in result.problems["time"]
    assert rig.audit.actions()[0][0] == "space.book"
    assert rig.audit.actions()[0][1].startswith("refused")
    # and the timeline now shows the booking that was in the way
    assert any(b.subject == "Theirs" for b in rig.desk.bookings.values())


async def test_end_before_start_and_too_many_participants_are_refused_locally(rig: Rig) -> None:
    await rig.desk.refresh()
    start = tomorrow_at(rig, 9)
    backwards = rig.request(start)
    backwards = BookingRequest(**{**backwards.__dict__, "end": start - timedelta(minutes=5)})
    assert "end after" in (await rig.desk.book(backwards)).problems["time"]
    space = rig.desk.spaces[rig.space()]
    assert space.capacity is not None
    crowd = rig.request(start, people=space.capacity + 1)
    result = await rig.desk.book(crowd)
    assert result.kind is Outcome.INVALID
    assert "do not fit" in result.problems["participants"]
    assert rig.posts(BOOK) == []


async def test_move_half_an_hour(rig: Rig) -> None:
    await rig.desk.refresh()
    start = tomorrow_at(rig, 10)
    rig.desk.set_window(start.date())
    booked = await rig.desk.book(rig.request(start))
    moved = await rig.desk.move(booked.booking_id, start + timedelta(minutes=30), start + timedelta(minutes=90))
    assert moved.kind is Outcome.DONE, moved.message
    row = rig.row(booked.booking_id)
    assert datetime.fromtimestamp(row["startAt"]) == start + timedelta(minutes=30)
    assert row["participantIds"] == ",".join(rig.person_ids(2))  # the rest of the booking kept
    assert rig.desk.bookings[booked.booking_id].start == start + timedelta(minutes=30)
    assert [a for a, _ in rig.audit.actions()] == ["space.book", "space.edit"]


async def test_cancel_and_finish(rig: Rig) -> None:
    rig.desk.set_window(rig.now() - timedelta(days=1), days=3)
    await rig.desk.refresh()
    running = next(b for b in rig.desk.bookings.values() if b.status is ReservationStatus.IN_PROGRESS)
    start = rig.now() + timedelta(hours=3)
    booked = await rig.desk.book(rig.request(start, space=rig.free_space(start, start + timedelta(hours=1))))
    assert booked.ok, booked.message
    cancelled = await rig.desk.cancel([booked.booking_id])
    assert cancelled.kind is Outcome.DONE
    assert cancelled.succeeded == (booked.booking_id,)
    assert rig.desk.bookings[booked.booking_id].status is ReservationStatus.CANCELLED
    # a cancelled booking is not cancelled again: refused here, nothing sent
    posts = len(rig.posts("/api/spaceReservation/cancelReservation"))
    again = await rig.desk.cancel([booked.booking_id])
    assert again.kind is Outcome.INVALID
    assert len(rig.posts("/api/spaceReservation/cancelReservation")) == posts
    finished = await rig.desk.finish([running.id])
    assert finished.kind is Outcome.DONE, finished.message
    assert rig.desk.bookings[running.id].status is ReservationStatus.ENDED
    assert ("space.finish", "ok (Succeed: 1, Failed: 0)") in rig.audit.actions()


async def test_delete_with_mixed_success_says_which(rig: Rig) -> None:
    await rig.desk.refresh()
    start = tomorrow_at(rig, 8)
    rig.desk.set_window(start.date())
    first = await rig.desk.book(rig.request(start, subject="First"))
    second = await rig.desk.book(rig.request(start + timedelta(hours=2), subject="Second"))
    async with Client(rig.base_url, TOKEN) as other_desk:  # someone deletes the first one meanwhile
        await other_desk.delete_space_reservation(first.booking_id)
    result = await rig.desk.delete([first.booking_id, second.booking_id])
    assert result.succeeded == (second.booking_id,)
    assert result.failed == (first.booking_id,)
    assert result.kind is Outcome.REFUSED  # not a plain "done"
    assert "Deleted: Second" in result.message
    assert "Not deleted: First" in result.message
    assert len(rig.posts("/api/spaceReservation/deleteById")) == 2  # theirs and ours, each once
    row = next(r for r in rig.audit.rows if r["action"] == "space.delete" and r["result"] != "sending")
    assert row["result"] == "ok (Succeed: 1, Failed: 1)"
    assert row["params"]["succeeded"] == [second.booking_id]
    assert second.booking_id not in rig.desk.bookings


async def test_status_follows_the_simulators_clock_without_a_refresh(rig: Rig) -> None:
    start = rig.now() + timedelta(minutes=30)
    rig.desk.set_window(start.date() - timedelta(days=1), days=3)
    await rig.desk.refresh()
    booked = await rig.desk.book(rig.request(start, space=rig.free_space(start, start + timedelta(hours=1))))
    assert booked.ok, booked.message
    assert rig.desk.bookings[booked.booking_id].status is ReservationStatus.PENDING
    rig.desk.poller.start()

    def status() -> ReservationStatus:
        booking = rig.desk.bookings.get(booked.booking_id)
        return booking.status if booking else ReservationStatus.UNKNOWN

    rig.sim.world.clock.advance(31 * 60)
    await until(lambda: status() is ReservationStatus.IN_PROGRESS, 5)
    rig.sim.world.clock.advance(60 * 60)
    await until(lambda: status() is ReservationStatus.ENDED, 5)


async def test_the_days_window_turns_with_the_clock_at_midnight_but_a_day_chosen_stays(rig: Rig) -> None:
    """The night shift's timeline shows the new day after midnight (and the trainer's moved clock's day);
    a day the operator went to stays where it is."""
    today = rig.now().replace(hour=0, minute=0, second=0, microsecond=0)
    assert rig.desk.window_start == today
    rig.sim.world.clock.advance((today + timedelta(days=1, hours=9) - rig.now()).total_seconds())
    await rig.desk.refresh()
    assert rig.desk.window_start == today + timedelta(days=1)  # the next morning's bookings, without "Today"

    rig.desk.set_window(today + timedelta(days=5))  # the operator looks at a later day: it is kept
    rig.sim.world.clock.advance(24 * 3600)
    await rig.desk.refresh()
    assert rig.desk.window_start == today + timedelta(days=5)

    rig.desk.set_window(rig.now() - timedelta(days=rig.now().weekday()), days=7)  # this week, from Monday
    monday = rig.desk.window_start
    rig.sim.world.clock.advance(7 * 24 * 3600)  # the trainer moves the clock a week on: the week shown follows
    rig.desk.use_clock(lambda: datetime.fromtimestamp(rig.sim.world.now()))
    assert rig.desk.window_start == monday + timedelta(days=7)
    assert rig.desk.window_start <= rig.now() < rig.desk.window_end


async def test_a_lost_answer_is_settled_by_reading_and_never_sent_again(rig: Rig) -> None:
    await rig.desk.refresh()
    start = tomorrow_at(rig, 16)
    rig.desk.set_window(start.date())
    rig.sim.set_faults(drop_rate=1.0)  # the server books, then the connection drops without an answer
    original = rig.client.save_space_reservation

    async def losing(body: SpaceReservationInput) -> None:
        try:
            await original(body)
        finally:
            rig.sim.set_faults(reset=True)

    rig.client.save_space_reservation = losing  # type: ignore[method-assign,assignment]
    result = await rig.desk.book(rig.request(start))
    assert result.kind is Outcome.DONE, result.message
    assert result.settled
    assert "answer was lost" in result.message
    assert len(rig.posts(BOOK)) == 1
    assert result.booking_id in rig.sim.world.table("space_reservations")
    assert [a for a, _ in rig.audit.actions()] == ["space.book", "space.book.settle"]
    assert rig.audit.actions()[0][1].startswith("uncertain")

    rig.sim.set_faults(error_rate=1.0)  # HTTP 500 before handling: nothing booked

    async def failing(body: SpaceReservationInput) -> None:
        try:
            await original(body)
        finally:
            rig.sim.set_faults(reset=True)

    rig.client.save_space_reservation = failing  # type: ignore[method-assign,assignment]
    later = await rig.desk.book(rig.request(start + timedelta(hours=2), subject="Later"))
    assert later.kind is Outcome.NOT_SENT
    assert later.settled
    assert rig.audit.actions()[-1] == ("space.book.settle", "not done (not on the server)")
    assert not any(r["subject"] == "Later" for r in rig.sim.world.table("space_reservations").values())


async def test_a_hosts_booking_is_reminded_ten_minutes_before_once(rig: Rig) -> None:
    rig.desk.set_window(rig.now() - timedelta(days=1), days=3)
    await rig.desk.refresh()
    reminded: list[Booking] = []
    rig.desk.reminder.connect(reminded.append)
    start = rig.now() + timedelta(minutes=25)
    space = rig.free_space(start, start + timedelta(hours=1))
    booked = await rig.desk.book(rig.request(start, space=space))  # the host is now one of this desk's
    assert booked.ok, booked.message
    await rig.desk.refresh()
    assert reminded == []
    rig.sim.world.clock.advance(16 * 60)
    await rig.desk.refresh()
    await rig.desk.refresh()
    assert [b.id for b in reminded] == [booked.booking_id]


async def test_the_session_services_poll_the_spaces_on_their_own_channel(rig: Rig, tmp_path: Path) -> None:
    paths = Paths.under(tmp_path).ensure()
    client = Client(rig.base_url, TOKEN, retry=RetryPolicy(attempts=1))
    session = Session(Profile("Head office", rig.base_url, poll_interval=0.2), client, "ann", paths)
    services = SessionServices.build(session, Settings(paths.settings_file))
    try:
        assert services.spaces is not None
        assert services.spaces.poller.name == "spaces"
        await services.start_doors()
        await services.start_rest()
        await until(lambda: services.spaces is not None and services.spaces.polls > 0, 10)
        assert services.spaces.spaces
        services.set_operator("bea")
        assert services.spaces.operator == "bea"
    finally:
        await services.stop()
    assert not services.spaces.poller.running
