"""The spaces panel: a timeline of room bookings over :class:`console.services.spaces.SpaceDesk`."""

from __future__ import annotations

from .model import TimelineModel
from .panel import SpacesPanel
from .view import TimelineView

__all__ = ["SpacesPanel", "TimelineModel", "TimelineView"]
