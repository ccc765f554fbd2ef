"""The alarm queue panel (issue 4): acknowledge with a note, snooze, sound, badge count, notification."""

from __future__ import annotations

from .model import AlarmTableModel
from .panel import AlarmsPanel
from .sound import AlarmSound

__all__ = ["AlarmSound", "AlarmTableModel", "AlarmsPanel"]
