"""The doors & gates panel: a live tile board, a floor-plan map, actions and a details pane."""

from __future__ import annotations

from .panel import DoorsPanel

__all__ = ["DoorsPanel"]
