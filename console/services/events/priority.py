"""Alarm priorities: what kind of alarm an event is, and how urgent that kind is at this site.

Kinds, most urgent first by default: duress, forced door, tamper, door held open, device offline, then low
battery and other maintenance. Every other alarm-level event (blacklist, fever, fire input, a parking alarm)
is ``other`` and ranks with tamper. A site sets its own order in the settings file (read like
``[state_codes]``: a table that cannot be read is logged and the defaults are used)::

    [alarm_priorities]
    duress = "critical"            # or a number: 1 (critical) .. 6 (maintenance)
    forced = "urgent"
    tamper = "high"
    held_open = "medium"
    offline = "low"
    low_battery = "maintenance"
    maintenance = "maintenance"
    other = "high"
    note_required = ["critical", "urgent"]   # acknowledging these asks for a note
    one_by_one = ["critical", "urgent"]      # never acknowledged in bulk (with other alarms)

Device offline and maintenance events are warnings by level (they are not access alarms), but they enter the
queue at their low priority all the same; a site that wants them out of the queue writes
``queue_warnings = false``.
"""

from __future__ import annotations

import enum
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .model import Event, Level

__all__ = ["DEFAULT_PRIORITIES", "AlarmKind", "AlarmPriorities", "Priority", "kind_of"]

log = logging.getLogger(__name__)


class Priority(enum.IntEnum):
    """Smaller is more urgent (the queue sorts ascending)."""

    CRITICAL = 1
    URGENT = 2
    HIGH = 3
    MEDIUM = 4
    LOW = 5
    MAINTENANCE = 6

    @property
    def words(self) -> str:
        return self.name.capitalize()

    @classmethod
    def parse(cls, value: Any) -> Priority:
        """``"critical"``, ``"Urgent"``, ``1``, ``"6"``; ``ValueError`` naming the accepted words otherwise."""
        if isinstance(value, bool):
            raise ValueError("a priority is a word or a number 1-6, not true/false")
        if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
            number = int(value)
            if 1 <= number <= len(cls):
                return cls(number)
        elif isinstance(value, str) and value.strip().upper() in cls.__members__:
            return cls[value.strip().upper()]
        words = ", ".join(p.name.lower() for p in cls)
        raise ValueError(f"{value!r} is not a priority ({words}, or 1-{len(cls)})")


class AlarmKind(enum.StrEnum):
    DURESS = "duress"
    FORCED = "forced"
    TAMPER = "tamper"
    HELD_OPEN = "held_open"
    OFFLINE = "offline"
    LOW_BATTERY = "low_battery"
    MAINTENANCE = "maintenance"
    OTHER = "other"

    @property
    def words(self) -> str:
        return _KIND_WORDS[self]


_KIND_WORDS = {
    AlarmKind.DURESS: "duress", AlarmKind.FORCED: "forced door", AlarmKind.TAMPER: "tamper",
    AlarmKind.HELD_OPEN: "door held open", AlarmKind.OFFLINE: "device offline", AlarmKind.LOW_BATTERY: "low battery",
    AlarmKind.MAINTENANCE: "maintenance", AlarmKind.OTHER: "other alarm",
}

DEFAULT_PRIORITIES: Mapping[AlarmKind, Priority] = {
    AlarmKind.DURESS: Priority.CRITICAL,
    AlarmKind.FORCED: Priority.URGENT,
    AlarmKind.TAMPER: Priority.HIGH,
    AlarmKind.OTHER: Priority.HIGH,
    AlarmKind.HELD_OPEN: Priority.MEDIUM,
    AlarmKind.OFFLINE: Priority.LOW,
    AlarmKind.LOW_BATTERY: Priority.MAINTENANCE,
    AlarmKind.MAINTENANCE: Priority.MAINTENANCE,
}

# First match wins; the event's name (English, Spanish, Portuguese, Chinese as in rules.py), then its door's
# alarm words for the alarms the console raises from the board ("low battery").
_KIND_PATTERNS: tuple[tuple[AlarmKind, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE)) for kind, pattern in (
        (AlarmKind.DURESS, r"duress|coacci[oó]n|coa[cç][aã]o|胁迫"),
        (AlarmKind.FORCED, r"opened\s+accidentally|forced|break[-\s]?in|intrusion|forzad|a\s+la\s+fuerza|for[cç]ad|"
                           r"arromb|意外打开|强行|强制开门|非法开门"),
        (AlarmKind.TAMPER, r"tamper|sabotaje|manipulaci[oó]n|sabotagem|防拆|拆机|拆除报警"),
        (AlarmKind.HELD_OPEN, r"(open(ing)?|door)\s*time\s*-?out|left\s+open|open(ed)?\s+too\s+long|held\s+open|"
                              r"failed\s+to\s+close|tiempo\s+de\s+(puerta\s+abierta|apertura)\s+excedido|"
                              r"tempo\s+de\s+(porta\s+aberta|abertura)\s+excedido|开门超时|门开超时|超时未关"),
        (AlarmKind.OFFLINE, r"disconnect|offline|not\s+connected|desconectad|断开|离线"),
        (AlarmKind.LOW_BATTERY, r"battery|bater[ií]a|电池|电量"),
        (AlarmKind.MAINTENANCE, r"backup\s+power|maintenance|illegal\s+operation|replace"),
    )
)

QUEUED_WARNINGS = frozenset({AlarmKind.OFFLINE, AlarmKind.LOW_BATTERY, AlarmKind.MAINTENANCE})


def kind_of(event: Event) -> AlarmKind:
    """The kind of alarm ``event`` is (``other`` when its name says nothing the table knows)."""
    name = event.name
    for kind, pattern in _KIND_PATTERNS:
        if pattern.search(name):
            return kind
    return AlarmKind.OTHER


@dataclass(frozen=True)
class AlarmPriorities:
    """The site's priority of each kind of alarm, and which priorities need a note or are closed one by one."""

    table: Mapping[AlarmKind, Priority] = field(default_factory=lambda: dict(DEFAULT_PRIORITIES))
    note_required: frozenset[Priority] = frozenset({Priority.CRITICAL, Priority.URGENT})
    one_by_one: frozenset[Priority] = frozenset({Priority.CRITICAL, Priority.URGENT})
    queue_warnings: bool = True
    source: str = "the default priorities"

    @classmethod
    def from_settings(cls, table: Any) -> AlarmPriorities:
        """From ``[alarm_priorities]`` of the settings file; the defaults when it is missing or unusable."""
        if not isinstance(table, Mapping) or not table:
            return cls()
        try:
            kinds = dict(DEFAULT_PRIORITIES)
            for name, value in table.items():
                key = str(name).strip().lower()
                if key in {k.value for k in AlarmKind}:
                    kinds[AlarmKind(key)] = Priority.parse(value)
                elif key not in ("note_required", "one_by_one", "queue_warnings"):
                    raise ValueError(f"unknown kind of alarm {name!r} (known: {', '.join(k.value for k in AlarmKind)})")
            note = _priorities(table.get("note_required"), cls.note_required, "note_required")
            single = _priorities(table.get("one_by_one"), cls.one_by_one, "one_by_one")
            queue_warnings = table.get("queue_warnings", True)
            if not isinstance(queue_warnings, bool):
                raise ValueError("queue_warnings must be true or false")
        except (ValueError, TypeError) as exc:
            log.warning("the [alarm_priorities] table of the settings file is not usable (%s); using the defaults",
                        exc)
            return cls()
        return cls(kinds, note, single, queue_warnings, "the site's priorities ([alarm_priorities] in settings)")

    def kind(self, event: Event) -> AlarmKind:
        return kind_of(event)

    def priority(self, event: Event) -> Priority:
        return self.table.get(kind_of(event), Priority.HIGH)

    def queued(self, event: Event) -> bool:
        """Whether ``event`` enters the alarm queue: every alarm, and device offline / maintenance warnings."""
        if event.level == Level.ALARM:
            return True
        return self.queue_warnings and event.level == Level.WARNING and kind_of(event) in QUEUED_WARNINGS

    def needs_note(self, priority: Priority) -> bool:
        return priority in self.note_required

    def single(self, priority: Priority) -> bool:
        return priority in self.one_by_one

    @property
    def top(self) -> Priority:
        return min(self.table.values(), default=Priority.CRITICAL)


def _priorities(value: Any, default: Iterable[Priority], name: str) -> frozenset[Priority]:
    if value is None:
        return frozenset(default)
    if not isinstance(value, (list, tuple)):
        raise ValueError(f"{name} must be a list of priorities, like [\"critical\", \"urgent\"]")
    return frozenset(Priority.parse(v) for v in value)
