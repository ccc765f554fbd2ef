"""The parking desk panel (issue 11)."""

from .panel import ParkingPanel

__all__ = ["ParkingPanel"]
