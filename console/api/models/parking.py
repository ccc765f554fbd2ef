"""Parking: channels (2.36, 2.41.6), billing (2.47), entry/exit records (2.21/2.41.7-8), allow/deny lists
(2.4, 2.41.9), plates (2.36.3-4), fixed vehicles (2.41.10-11), areas, entrances, spaces, car types, discounts.

2.21 and 2.41 document the same record URLs: we follow 2.41 (page objects, ``parkingAreaName``) and also
read 2.21's ``parkAreaName`` (ERRATA). ``areaId`` is printed ``areald`` in the examples; both are read.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Annotated

from pydantic import AliasChoices, Field, ValidationInfo, field_validator

from .base import CodedEnum, Model, OptInt, Str, Timestamp, WireDate, WireInput, WireList, parse_duration
from .persons import check_pin

__all__ = [
    "AllowListType",
    "BlackWhiteType",
    "CarType",
    "ChannelState",
    "FixedVehicle",
    "ParkChannel",
    "ParkEventType",
    "ParkingArea",
    "ParkingBill",
    "ParkingDiscount",
    "ParkingEntrance",
    "ParkingEntry",
    "ParkingExit",
    "ParkingSpace",
    "PaymentNotice",
    "check_plate",
]

_AREA_ID = AliasChoices("areaId", "areald", "areaid", "area_id")


class ChannelState(CodedEnum):
    """Which lane a parking record passed (2.41.7/2.41.8)."""

    LARGE_ENTRY = ("1", "large entry")
    LARGE_EXIT = ("2", "large exit")
    SMALL_ENTRY = ("3", "small entry")
    SMALL_EXIT = ("4", "small exit")
    CENTRAL_FIXED = ("5", "central charge, fixed point")
    CENTRAL_EXIT = ("6", "central charge, exit")
    UNKNOWN = ("?", "lane unknown")


class ParkEventType(CodedEnum):
    """Parking record types (2.41.7/2.41.8)."""

    GENERAL = ("1", "general card record")
    FIXED_TO_TEMPORARY = ("2", "fixed card to temporary card")
    LOST_CARD_EXIT = ("3", "lost card exit")
    OVERTIME_CHARGE = ("4", "overtime charge record")
    MANUAL_OPENING = ("5", "manual opening")
    CANCEL_OPENING = ("6", "cancelled opening")
    MONTHLY_CHARGE = ("7", "monthly card charge")
    VISITOR_VIP = ("8", "visitor VIP car")
    PLATE_CORRECTION = ("9", "licence plate correction")
    UNMATCHED = ("10", "unmatched record")
    ONLINE_PREPAYMENT = ("11", "online prepayment (WeChat)")
    PAID_ONLINE = ("12", "paid (WeChat)")
    UNKNOWN = ("?", "record type unknown")


class BlackWhiteType(CodedEnum):
    """``type`` of the v1 black and white list (2.4.x)."""

    WHITE = ("0", "white list")
    BLACK = ("1", "black list")
    UNKNOWN = ("?", "list unknown")


class AllowListType(CodedEnum):
    """``type`` of the v2 allowed / prohibited list (2.41.9)."""

    ALLOWED = ("0", "allowed list")
    PROHIBITED = ("1", "prohibited list")
    UNKNOWN = ("?", "list unknown")


class ParkChannel(Model):
    """A parking lane (2.36.1, 2.41.6); the manual's description says ``id``/``name``, the examples
    ``channelId``/``channelName``: both are read."""

    channel_id: Str = Field("", validation_alias=AliasChoices("channelId", "id", "channel_id"))
    channel_name: Str = Field("", validation_alias=AliasChoices("channelName", "name", "channel_name"))


class ParkingArea(Model):
    """A parking area (2.41.1)."""

    id: Str = ""
    name: Str = ""
    parent_id: Str = Field("", alias="parentId")


class ParkingEntrance(Model):
    """A parking entrance or exit (2.41.3)."""

    id: Str = ""
    name: Str = ""
    area_id: Str = Field("", validation_alias=_AREA_ID)


class ParkingSpace(Model):
    """A parking space of an area (2.41.5)."""

    id: Str = ""
    name: Str = ""
    area_id: Str = Field("", validation_alias=_AREA_ID)


class CarType(Model):
    """A vehicle type (2.41.4; its example capitalises ``Name``)."""

    id: Str = ""
    name: Str = Field("", validation_alias=AliasChoices("name", "Name"))


class ParkingDiscount(Model):
    """A discount strategy (2.41.2); ``discountType`` is undocumented and kept as a number."""

    discount_id: Str = Field("", alias="discountId")
    discount_name: Str = Field("", alias="discountName")
    discount_type: OptInt = Field(None, alias="discountType")
    content: Str = ""


class _ParkingRecord(Model):
    id: Str = ""
    parking_area_name: Str = Field(
        "", validation_alias=AliasChoices("parkingAreaName", "parkAreaName", "parking_area_name")
    )
    name: Str = ""
    car_number: Str = Field("", alias="carNumber")
    car_type_name: Str = Field("", alias="carTypeName")
    channel_name: Str = Field("", alias="channelName")
    channel_state: Annotated[ChannelState, ChannelState.validator()] = Field(ChannelState.UNKNOWN, alias="channelState")
    event_type: Annotated[ParkEventType, ParkEventType.validator()] = Field(ParkEventType.UNKNOWN, alias="eventType")


class ParkingEntry(_ParkingRecord):
    """A vehicle that came in (2.41.7; 2.21.1)."""

    check_in_time: Timestamp = Field(None, alias="checkInTime")


class ParkingExit(_ParkingRecord):
    """A vehicle that left (2.41.8; 2.21.2); ``parking_time`` is the server's text (``"-"`` when none)."""

    check_out_time: Timestamp = Field(None, alias="checkOutTime")
    parking_time: Str = Field("", alias="parkingTime")

    @property
    def parked(self) -> timedelta | None:
        return parse_duration(self.parking_time)


def _money(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip()[:32])
    except (InvalidOperation, ValueError):
        return None
    return value if value.is_finite() else None


class ParkingBill(Model):
    """What a vehicle owes now (2.47.1); ``carAuth``/``chargeType`` are undocumented, kept as text."""

    car_number: Str = Field("", alias="carNumber")
    record_id: Str = Field("", alias="recordId")
    car_auth: Str = Field("", alias="carAuth")
    final_amount: Str = Field("", alias="finalAmount")
    charge_type: Str = Field("", alias="chargeType")
    check_in_time: Timestamp = Field(None, alias="checkInTime")
    parking_time: Str = Field("", alias="parkingTime")

    @property
    def amount(self) -> Decimal | None:
        """The amount due as a decimal (None when the server's text is not a number)."""
        return _money(self.final_amount)

    @property
    def parked(self) -> timedelta | None:
        """``"1 02:43:42"``: days, then HH:mm:ss (ERRATA)."""
        return parse_duration(self.parking_time)


class PaymentNotice(Model):
    """The server's acknowledgement of a payment (2.47.2)."""

    car_number: Str = Field("", alias="carNumber")
    record_id: Str = Field("", alias="recordId")
    payment_type: Str = Field("", alias="paymentType")


# -- requests ---------------------------------------------------------------------------------------


def check_plate(value: str) -> str:
    """A licence plate we send: non-empty, short, no separators (Chinese characters are fine)."""
    text = value.strip()
    if not text:
        raise ValueError("a licence plate is required")
    if len(text) > 32 or any(ch in text for ch in ",/\\?#&\r\n\t"):
        raise ValueError("a licence plate is at most 32 characters with no separators")
    return text


class FixedVehicle(WireInput):
    """The body of 2.41.10: a vehicle with a fixed (monthly) authorisation."""

    car_number: str = Field(alias="carNumber")
    pin: str
    area_id: str = Field(alias="areaId", min_length=1)
    car_type_id: str = Field(alias="carTypeId", min_length=1)
    entrance_ids: WireList = Field(alias="entranceIds")
    start_time: WireDate = Field(alias="startTime")
    end_time: WireDate = Field(alias="endTime")
    amount: Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)] = Decimal(0)
    space_id: str | None = Field(None, alias="spaceId")

    @field_validator("car_number")
    @classmethod
    def _plate(cls, value: str) -> str:
        return check_plate(value)

    @field_validator("pin")
    @classmethod
    def _pin(cls, value: str) -> str:
        return check_pin(value)

    @field_validator("end_time")
    @classmethod
    def _end(cls, value: date, info: ValidationInfo) -> date:
        start = info.data.get("start_time")
        if start is not None and value < start:
            raise ValueError("the end date is before the start date")
        return value

    def to_wire(self) -> dict[str, object]:
        body = super().to_wire()
        body["amount"] = str(self.amount)  # a string in the manual's example
        return body
