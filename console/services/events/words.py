"""The words a guard reads for an event, instead of the vendor's names ("Door Opened Accidentally").

The server names events in its own vocabulary, sometimes misleading at 3 a.m.: "Door Opened Accidentally" is
a door forced open, "Normal Verify Open" is access granted. The console shows the guard's words everywhere (the
same words as on the door tiles); the server's own name stays in the event's details for a technician, and the
journal, the search and the CSV export keep it as sent. Names in other languages are shown as sent.
"""

from __future__ import annotations

import re

__all__ = ["GUARD_WORDS", "guard_words"]

# the server's name (case and spacing ignored) -> what the guard reads
GUARD_WORDS: dict[str, str] = {
    "door opened accidentally": "Forced open",
    "opened forcefully": "Forced open",
    "normal verify open": "Access granted",
    "normal verify": "Access granted",
    "verify during passage mode time zone": "Access granted (door in passage mode)",
    "first-personnel open": "Access granted (first person)",
    "multi-personnel open": "Access granted (several people)",
    "door open timeout": "Held open too long",
    "open door timeout": "Held open too long",
    "duress password open": "Duress: opened with the duress password",
    "duress fingerprint open": "Duress: opened with the duress finger",
    "duress open alarm": "Duress alarm",
    "tamper alarm": "Tampering",
    "card not registered": "Unknown card",
    "unregistered personnel": "Unknown person",
    "access denied": "Access refused",
    "illegal time zone": "Refused: outside the person's hours",
    "anti-passback": "Refused: anti-passback",
    "remote opening": "Opened remotely",
    "remote closing": "Closed remotely",
    "device disconnected": "Device offline",
    "device connected": "Device back online",
    "blacklisted": "Blacklisted person",
}
_SPACE = re.compile(r"\s+")


def guard_words(name: str) -> str:
    """The guard's words for the server's event ``name`` (the name itself when there is no better word)."""
    return GUARD_WORDS.get(_SPACE.sub(" ", name.strip()).casefold(), name)
