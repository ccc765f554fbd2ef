"""A door's recent events with this console's own commands in them: who opened it from the desk.

The server's device events name a remote opening ("Remote Opening") but not who asked for it. The audit log
knows: every ``door.open`` / ``door.close`` / ``gate.open`` sent from this console has an outcome row with the
operator. :func:`own_commands` reads those rows for one door or gate (this profile only);
:func:`merge_own_commands` puts the operator's name on the server's matching event (same kind of command
within :data:`MATCH_WINDOW`) or, when the server lists none (not yet, or not at all), adds the command itself.
Commands that were refused or never sent are left out (nothing happened at the door); an uncertain one is shown
as such. Plain Python, no Qt.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from .audit import AuditLog, AuditRow
from .commands import Target
from .doors import Item, RecentEvent
from .text import clean_text

__all__ = ["MATCH_WINDOW", "merge_own_commands", "own_commands"]

MATCH_WINDOW = timedelta(seconds=10)  # a command and the server's event for it are this close in time
AUDIT_ROWS = 5000  # newest audit rows read for one door
_WORDS = {"door.open": "Remote opening", "door.close": "Remote closing", "gate.open": "Remote opening"}
_SERVER_NAMES = {
    "door.open": ("remote opening", "remote open"),
    "gate.open": ("remote opening", "remote open"),
    "door.close": ("remote closing", "remote close"),
}


def own_commands(audit: AuditLog, item: Item, *, profile: str, since: datetime | None = None) -> list[AuditRow]:
    """This console's commands to ``item`` that reached the server or may have (outcome rows), newest last.
    ``since``: naive local time, like the server's event times. Reads the audit file: call it off the GUI loop."""
    target = str(Target.of(item))
    out = []
    for row in audit.rows(limit=AUDIT_ROWS):
        if row.action not in _WORDS or row.target != target or row.profile != profile:
            continue
        if "completes" not in row.params or not (row.result == "ok" or row.result.startswith("uncertain")):
            continue
        if since is not None and _local(row.at) < since:
            continue
        out.append(row)
    return out


def _local(at: datetime) -> datetime:
    return at.astimezone().replace(tzinfo=None) if at.tzinfo is not None else at


def merge_own_commands(events: Sequence[RecentEvent], rows: Sequence[AuditRow], limit: int = 20) -> list[RecentEvent]:
    """``events`` (newest first) with each command's operator: on the server's event for it, or as a row of its
    own; newest first, at most ``limit``."""
    merged = list(events)
    taken: set[int] = set()
    for row in rows:
        at = _local(row.at)
        operator = clean_text(row.operator, 80) or "an operator"
        who = f"by {operator} (this console)"
        names = _SERVER_NAMES[row.action]
        match = None
        for i, event in enumerate(merged):
            if i in taken or event.time is None or abs(event.time - at) > MATCH_WINDOW:
                continue
            if event.name.casefold() in names and not event.person:
                match = i
                break
        if match is not None:
            taken.add(match)
            merged[match] = replace(merged[match], person=who)
            continue
        words = _WORDS[row.action]
        seconds = row.params.get("interval")
        if isinstance(seconds, int) and row.action == "door.open":
            words += f" for {seconds} s"
        if row.result != "ok":
            words += " (no answer from the server: it may not have happened)"
        merged.append(RecentEvent(time=at, name=words, person=who, reader="", alarm=False))
        taken.add(len(merged) - 1)
    merged.sort(key=lambda e: e.time or datetime.min, reverse=True)
    return merged[:limit]
