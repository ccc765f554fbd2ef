"""A busy site: more events than the second look (the stored list read behind the monitor) settles.

Each event filed by its name alone waits, held whole, for the stored list to say its server level. With more
such events a poll than ``SECOND_LOOK_BATCH``, or while the list does not answer, the wait used to grow without
end (a long shift's memory, and looks ever further behind); the oldest are now left as filed beyond
``SECOND_LOOK_BACKLOG``.
"""

from __future__ import annotations

from datetime import timedelta

from console.services.events import EventStream, Journal, Level, Source
from console.services.events.stream import SECOND_LOOK_BACKLOG, SECOND_LOOK_BATCH

from .fakes import FakeClock, FakeServer


async def test_the_second_look_s_backlog_stays_bounded_and_still_raises_a_recent_alarm(
    server: FakeServer, journal: Journal, clock: FakeClock
) -> None:
    stream = EventStream(server, journal, clock=clock, margin=timedelta(seconds=30), sources=[Source.ACCESS])
    corrected: list[str] = []
    stream.levels_corrected.connect(lambda events: corrected.extend(e.key for e in events))
    await stream.poll_once()
    waiting = stream._rt[Source.ACCESS].unconfirmed
    most = 0
    server.list_status = 503  # the stored list is busy for a while: nothing is settled, events keep coming
    for _ in range(12):  # 1,000 events a poll (the monitor's most)
        for i in range(1000):
            server.emit("access", at=clock() + timedelta(milliseconds=9 * i))
        clock.advance(10)
        await stream.poll_once()
        waiting = stream._rt[Source.ACCESS].unconfirmed
        most = max(most, len(waiting))
        assert len(waiting) <= SECOND_LOOK_BACKLOG + SECOND_LOOK_BATCH
    assert most >= SECOND_LOOK_BACKLOG  # the site was busier than the looks: the bound was reached
    # the list answers again; an alarm no name table knows comes last: still raised by the server's own level
    server.list_status = None
    odd = server.emit("access", eventName="Evento 77 del panel", eventLevel=2)
    clock.advance(10)
    await stream.poll_once()
    for _ in range(SECOND_LOOK_BACKLOG // SECOND_LOOK_BATCH + 2):  # the backlog drains, quiet polls
        clock.advance(10)
        await stream.poll_once()
    assert not stream._rt[Source.ACCESS].unconfirmed
    stored = next(e for e in journal.iter_range(None, None) if e.name == "Evento 77 del panel")
    assert stored.key in corrected
    assert stored.level is Level.ALARM
    assert journal.count() == 12_000 + 1  # every event stored, looked at or not
    assert odd["eventLevel"] == 2
