"""Space management: spaces (2.43), facilities (2.44), services (2.45), reservations (2.46).

``spcaeld``/``servicelds`` (capital I printed as l) are read as ``spaceId``/``serviceIds`` (ERRATA). An empty
or missing ``id`` in an add/edit body creates a record.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AliasChoices, Field, ValidationInfo, field_validator

from .base import (
    CodedEnum,
    Model,
    OptBool,
    OptInt,
    Photo,
    Str,
    StrList,
    Timestamp,
    WireInput,
    WireList,
    WireTime,
)
from .persons import check_pin

__all__ = [
    "Facility",
    "FacilityInput",
    "Participant",
    "RemindTime",
    "ReservationStatus",
    "RetentionTime",
    "ServiceInput",
    "SignInLead",
    "Space",
    "SpaceInput",
    "SpaceReservation",
    "SpaceReservationInput",
    "SpaceService",
    "SpaceStatus",
]

MIN_FACILITY_NO = 21  # "an integer greater than 20" (2.44.4); low numbers belong to built-in facilities


class SpaceStatus(CodedEnum):
    """2.43 ``status``: 0 is printed "space" and means free."""

    FREE = ("0", "free", "space", "free")
    IN_USE = ("1", "in use")
    DISABLED = ("2", "disabled")
    UNKNOWN = ("?", "status unknown")


class RetentionTime(CodedEnum):
    """How long an unused booking holds a space (2.43): 15/30/45/60 minutes, or empty for none."""

    NONE = ("", "no retention", "null", "0")
    MIN_15 = ("15", "15 minutes")
    MIN_30 = ("30", "30 minutes")
    MIN_45 = ("45", "45 minutes")
    MIN_60 = ("60", "60 minutes")
    UNKNOWN = ("?", "retention unknown")


class ReservationStatus(CodedEnum):
    """2.46 ``reservationStatus``."""

    PENDING = ("0", "to be started")
    IN_PROGRESS = ("1", "in progress")
    ENDED = ("2", "ended")
    CANCELLED = ("3", "cancelled")
    UNKNOWN = ("?", "status unknown")


class RemindTime(CodedEnum):
    """2.46 ``remindTime``."""

    MIN_5 = ("5m", "5 minutes before")
    MIN_15 = ("15m", "15 minutes before")
    MIN_30 = ("30m", "30 minutes before")
    HOUR_1 = ("1h", "1 hour before")
    DAY_1 = ("1d", "1 day before")
    UNKNOWN = ("?", "no reminder", "")


class SignInLead(CodedEnum):
    """2.46 ``startSignInTime``: minutes before the start when sign-in opens."""

    MIN_0 = ("0", "at the start")
    MIN_5 = ("5", "5 minutes before")
    MIN_15 = ("15", "15 minutes before")
    MIN_30 = ("30", "30 minutes before")
    UNKNOWN = ("?", "sign-in time unknown")


class Space(Model):
    """A bookable space (2.43.1, 2.43.2)."""

    id: Str = ""
    name: Str = ""
    picture: Photo = Field("", repr=False)
    status: Annotated[SpaceStatus, SpaceStatus.validator()] = SpaceStatus.UNKNOWN
    capacity: OptInt = None
    space_facility_ids: StrList = Field((), alias="spaceFacilityIds")
    space_device_ids: StrList = Field((), alias="spaceDeviceIds")
    auth_area_name: Str = Field("", alias="authAreaName")
    address: Str = ""
    person_id: Str = Field("", alias="personId")
    person_pin: Str = Field("", alias="personPin")
    person_tel: Str = Field("", alias="personTel")
    smart_space: OptBool = Field(None, alias="smartSpace")
    remark: Str = ""
    retention_time: Annotated[RetentionTime, RetentionTime.validator()] = Field(
        RetentionTime.NONE, alias="retentionTime"
    )


class Facility(Model):
    """A space facility (2.44.x); ``init_flag`` marks the built-in ones."""

    id: Str = ""
    name: Str = ""
    facility_no: OptInt = Field(None, alias="facilityNo")
    remark: Str = ""
    init_flag: OptBool = Field(None, alias="initFlag")


class SpaceService(Model):
    """A space service (2.45.x)."""

    id: Str = ""
    name: Str = ""
    remark: Str = ""
    init_flag: OptBool = Field(None, alias="initFlag")


class SpaceReservation(Model):
    """A space booking (2.46.1, 2.46.2)."""

    id: Str = ""
    subject: Str = ""
    content: Str = ""
    space_id: Str = Field("", validation_alias=AliasChoices("spaceId", "spcaeld", "space_id"))
    space_name: Str = Field("", alias="spaceName")
    space_address: Str = Field("", alias="spaceAddress")
    start_sign_in_date_time: Timestamp = Field(None, alias="startSignInDateTime")
    start_time: Timestamp = Field(None, alias="startTime")
    end_time: Timestamp = Field(None, alias="endTime")
    start_sign_in_time: Annotated[SignInLead, SignInLead.validator()] = Field(
        SignInLead.UNKNOWN, alias="startSignInTime"
    )
    apply_person_id: Str = Field("", alias="applyPersonId")
    apply_person_pin: Str = Field("", alias="applyPersonPin")
    apply_person_name: Str = Field("", alias="applyPersonName")
    apply_person_last_name: Str = Field("", alias="applyPersonLastName")
    apply_person_email: Str = Field("", alias="applyPersonEmail")
    participant_ids: StrList = Field((), alias="participantIds")
    service_ids: StrList = Field((), validation_alias=AliasChoices("serviceIds", "servicelds", "service_ids"))
    reservation_status: Annotated[ReservationStatus, ReservationStatus.validator()] = Field(
        ReservationStatus.UNKNOWN, alias="reservationStatus"
    )
    remind_time: Annotated[RemindTime, RemindTime.validator()] = Field(RemindTime.UNKNOWN, alias="remindTime")


class Participant(Model):
    """A participant of a booking (2.46.6)."""

    id: Str = ""
    pin: Str = ""
    name: Str = ""
    last_name: Str = Field("", alias="lastName")


# -- requests ---------------------------------------------------------------------------------------


class SpaceInput(WireInput):
    """The body of 2.43.4; ``id`` None (or empty) adds, an id edits."""

    id: str = ""
    name: str = Field(min_length=1, max_length=100)
    capacity: int = Field(ge=1, le=100_000)
    person_pin: str = Field(alias="personPin")
    space_device_ids: WireList = Field(alias="spaceDeviceIds", min_length=1)
    address: str | None = Field(None, max_length=200)
    person_tel: str | None = Field(None, alias="personTel", max_length=32)
    picture: str | None = Field(None, max_length=8 * 1024 * 1024, repr=False)
    remark: str | None = Field(None, max_length=500)
    retention_time: Annotated[RetentionTime, RetentionTime.validator()] = Field(
        RetentionTime.NONE, alias="retentionTime"
    )
    smart_space: bool | None = Field(None, alias="smartSpace")
    space_facility_ids: WireList | None = Field(None, alias="spaceFacilityIds")
    status: Annotated[SpaceStatus, SpaceStatus.validator()] | None = None

    @field_validator("person_pin")
    @classmethod
    def _pin(cls, value: str) -> str:
        return check_pin(value)

    def to_wire(self) -> dict[str, object]:
        body = super().to_wire()
        # retention: a number of minutes as the example sends it, or "" for none
        body["retentionTime"] = int(self.retention_time.code) if self.retention_time.code else ""
        return body


class FacilityInput(WireInput):
    """The body of 2.44.4; ``facility_no`` must be greater than 20 (we read the text, not the example)."""

    id: str = ""
    name: str = Field(min_length=1, max_length=100)
    facility_no: int = Field(alias="facilityNo", ge=MIN_FACILITY_NO, le=1_000_000)
    remark: str | None = Field(None, max_length=500)


class ServiceInput(WireInput):
    """The body of 2.45.4."""

    id: str = ""
    name: str = Field(min_length=1, max_length=100)
    remark: str | None = Field(None, max_length=500)


class SpaceReservationInput(WireInput):
    """The body of 2.46.7; ``id`` empty adds, an id edits."""

    id: str = ""
    subject: str = Field(min_length=1, max_length=200)
    space_id: str = Field(alias="spaceId", min_length=1)
    apply_person_pin: str = Field(alias="applyPersonPin")
    participant_ids: WireList = Field(alias="participantIds", min_length=1)
    start_time: WireTime = Field(alias="startTime")
    end_time: WireTime = Field(alias="endTime")
    apply_person_email: str | None = Field(None, alias="applyPersonEmail", max_length=200)
    content: str | None = Field(None, max_length=2000)
    remind_time: Annotated[RemindTime, RemindTime.validator()] | None = Field(None, alias="remindTime")
    service_ids: WireList | None = Field(None, alias="serviceIds")
    start_sign_in_time: Annotated[SignInLead, SignInLead.validator()] | None = Field(None, alias="startSignInTime")

    @field_validator("apply_person_pin")
    @classmethod
    def _pin(cls, value: str) -> str:
        return check_pin(value)

    @field_validator("end_time")
    @classmethod
    def _end(cls, value: datetime, info: ValidationInfo) -> datetime:
        start = info.data.get("start_time")
        if start is not None and value <= start:
            raise ValueError("the booking must end after it starts")
        return value

    def to_wire(self) -> dict[str, object]:
        body = super().to_wire()
        if self.start_sign_in_time is not None:
            body["startSignInTime"] = int(self.start_sign_in_time.code)  # a number in the example
        return body
