"""Space reservations: the day's and week's bookings of every space, and the writes on them (Qt-free)."""

from __future__ import annotations

from .desk import REMIND_BEFORE, PersonChoice, SpaceDesk, SpaceResult
from .model import (
    ACTIVE,
    BatchAnswer,
    Booking,
    BookingRequest,
    DeviceInfo,
    Named,
    SpaceInfo,
    check_request,
    overlapping,
    parse_batch_answer,
)

__all__ = [
    "ACTIVE",
    "REMIND_BEFORE",
    "BatchAnswer",
    "Booking",
    "BookingRequest",
    "DeviceInfo",
    "Named",
    "PersonChoice",
    "SpaceDesk",
    "SpaceInfo",
    "SpaceResult",
    "check_request",
    "overlapping",
    "parse_batch_answer",
]
