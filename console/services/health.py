"""The health of a connection, as the status bar and the panels tell it (``Session.health``; the bar shows it
before the window's first paint, so it lives apart from the session and its imports)."""

from __future__ import annotations

import enum

__all__ = ["Health"]


class Health(enum.Enum):
    CONNECTING = "connecting"
    ONLINE = "online"
    DEGRADED = "degraded"
    OFFLINE = "offline"
