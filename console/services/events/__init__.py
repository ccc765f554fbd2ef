"""Live events, their journal and the alarm queue (issue 4, the Qt-free half).

Wiring, as the application does it::

    journal = Journal(data_dir, retention=Retention(days=90, max_rows=1_000_000))
    classifier = Classifier.from_settings(settings.get("events"))       # {"rules": [{"match": ..., "level": ...}]}
    stream = EventStream(client, journal, classifier=classifier, interval=profile.poll_seconds)
    alarms = AlarmQueue(journal, audit_log, realert_after=timedelta(minutes=5), operator=user)
    alarms.load()                                  # alarms left unacknowledged last time
    stream.events_added.connect(alarms.offer)
    tasks: stream.run(), alarms.run()              # cancel both at shutdown, then journal.close()

The panel's model reads ``journal.count(filter)`` / ``journal.page(filter, offset, limit)`` and applies the
same ``filter.matches(event)`` to the live events it receives from ``stream.events_added``.
"""

from .alarms import ACK_ACTION, SNOOZE_ACTION, Alarm, AlarmQueue, AuditEntry, AuditSink, NoteRequired
from .export import export_csv, main, safe_cell
from .journal import JOURNAL_FILE, Journal, JournalError, Retention
from .model import MAX_PHOTO_BASE64, Acknowledgement, Event, EventFilter, Gap, Level, Source, event_key, normalise
from .priority import AlarmKind, AlarmPriorities, Priority
from .rules import DEFAULT_RULES, Classifier, Rule
from .stream import SOURCES, EventStream, MonitorClient, SourceState, SourceStatus
from .workflow import AckMark, AlarmState, WorkflowStore

__all__ = [
    "ACK_ACTION",
    "DEFAULT_RULES",
    "JOURNAL_FILE",
    "MAX_PHOTO_BASE64",
    "SNOOZE_ACTION",
    "SOURCES",
    "AckMark",
    "Acknowledgement",
    "Alarm",
    "AlarmKind",
    "AlarmPriorities",
    "AlarmQueue",
    "AlarmState",
    "AuditEntry",
    "AuditSink",
    "Classifier",
    "Event",
    "EventFilter",
    "EventStream",
    "Gap",
    "Journal",
    "JournalError",
    "Level",
    "MonitorClient",
    "NoteRequired",
    "Priority",
    "Retention",
    "Rule",
    "Source",
    "SourceState",
    "SourceStatus",
    "WorkflowStore",
    "event_key",
    "export_csv",
    "main",
    "normalise",
    "safe_cell",
]
