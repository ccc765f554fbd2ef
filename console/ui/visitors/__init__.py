"""The visitor desk panel (issue 5): register, hand over a QR code or a badge, check out."""

from __future__ import annotations

from .panel import VisitorsPanel

__all__ = ["VisitorsPanel"]
