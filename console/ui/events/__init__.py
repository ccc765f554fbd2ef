"""The live event monitor (issue 4): a virtual table over the event journal, filters, details, chart."""

from __future__ import annotations

from .model import EventTableModel
from .panel import EventsPanel

__all__ = ["EventTableModel", "EventsPanel"]
