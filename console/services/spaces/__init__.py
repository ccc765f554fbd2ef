"""Space reservations: the day's and week's bookings of every space, and the writes on them (Qt-free)."""

from __future__ import annotations

from .desk import REMIND_BEFORE, PersonChoice, SpaceDesk, SpaceResult
from .manage import KINDS, ItemForm, SpaceAdmin, SpaceForm
from .model import (
    ACTIVE,
    BatchAnswer,
    Booking,
    BookingRequest,
    DeviceInfo,
    Named,
    SpaceInfo,
    check_request,
    compose_content,
    overlapping,
    parse_batch_answer,
    split_content,
)

__all__ = [
    "ACTIVE",
    "KINDS",
    "REMIND_BEFORE",
    "BatchAnswer",
    "Booking",
    "BookingRequest",
    "DeviceInfo",
    "ItemForm",
    "Named",
    "PersonChoice",
    "SpaceAdmin",
    "SpaceDesk",
    "SpaceForm",
    "SpaceInfo",
    "SpaceResult",
    "check_request",
    "compose_content",
    "overlapping",
    "parse_batch_answer",
    "split_content",
]
