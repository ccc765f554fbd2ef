"""Access levels (2.1), elevator levels (2.3), entrance-control (gate) levels (2.33), visitor levels (2.17).

All four are ``{id, name}`` records; the classes differ so that a panel cannot mix them up.
"""

from __future__ import annotations

from .base import Model, Str

__all__ = ["AccessLevel", "ElevatorLevel", "GateLevel", "Level", "VisitorLevel"]


class Level(Model):
    id: Str = ""
    name: Str = ""


class AccessLevel(Level):
    """An access-control level group (2.1.x)."""


class ElevatorLevel(Level):
    """An elevator level group (2.3.x)."""


class GateLevel(Level):
    """An entrance-control level group (2.33.x)."""


class VisitorLevel(Level):
    """A visitor level group (2.17.1)."""
