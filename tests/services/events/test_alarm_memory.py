"""A long shift of unacknowledged alarms: the queue keeps what it shows, not each event's server record and photo.

The events panel reads an event whole (record, photo) from the journal by key; the queue's copy of an alarm's
event drops them, so a thousand alarms left open over a night hold a few hundred KB, not megabytes.
"""

from __future__ import annotations

from datetime import timedelta

from console.services.events import AlarmPriorities, AlarmQueue, Journal, Level

from .conftest import AuditLog
from .fakes import FakeClock, make_event

PLAIN = AlarmPriorities(note_required=frozenset(), one_by_one=frozenset())
PHOTO = "iVBORw0KGgo" + "A" * 20_000  # a capture the device sent with the alarm


def test_queued_alarms_keep_what_the_guard_sees_without_the_record_and_photo(
    journal: Journal, audit: AuditLog, clock: FakeClock
) -> None:
    queue = AlarmQueue(journal, audit, clock=clock, operator="guard1", priorities=PLAIN)
    sent = [make_event(i * 20, time=clock() - timedelta(seconds=3000 - i), photo_base64=PHOTO,
                       raw={"eventName": "Door forced open", "logId": i, "capturePhotoBase64": "<kept apart>"})
            for i in range(1, 121)]
    stored = journal.add(sent)
    assert all(e.level is Level.ALARM for e in stored)
    queue.offer(stored)
    assert len(queue) == 120
    for alarm, event in zip(sorted(queue.alarms, key=lambda a: a.event.time), stored, strict=True):
        shown = alarm.event
        assert (shown.key, shown.time, shown.name, shown.level, shown.point, shown.device, shown.person,
                shown.pin, shown.source) == (event.key, event.time, event.name, event.level, event.point,
                                             event.device, event.person, event.pin, event.source)
        assert shown.raw == {}  # not held by the queue for the whole shift
        assert shown.photo_base64 == ""
        whole = journal.get(alarm.key)  # what the events panel shows when the guard opens it
        assert whole is not None
        assert whole.photo_base64 == PHOTO
        assert whole.raw["logId"] == event.raw["logId"]
    # and the queue still works on them: acknowledged with the event's own words in the audit
    key = queue.alarms[0].key
    queue.acknowledge([key], note="checked on site")
    assert key not in queue
    assert audit.rows[-1][2]["event"] == "Door forced open"
    acknowledged = journal.get(key)
    assert acknowledged is not None
    assert acknowledged.ack is not None


def test_alarms_brought_back_at_start_are_slim_too(journal: Journal, audit: AuditLog, clock: FakeClock) -> None:
    stored = journal.add([make_event(i * 20, time=clock() - timedelta(seconds=100 - i), photo_base64=PHOTO,
                                     raw={"logId": i}) for i in range(1, 4)])
    AlarmQueue(journal, audit, clock=clock, priorities=PLAIN).offer(stored)  # the last shift's queue
    queue = AlarmQueue(journal, audit, clock=clock, priorities=PLAIN)
    assert [a.key for a in queue.load()] == [e.key for e in stored]
    assert all(a.event.raw == {} and a.event.photo_base64 == "" for a in queue.alarms)
