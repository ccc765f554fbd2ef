"""Events: access transactions (2.19), elevator (2.20), mask and temperature (2.27), entrance control (2.35).

One record class per family. Real-time monitor calls (2.19.6, 2.35.6, 2.27.2) return the same shapes as the
stored lists, only with ``id`` empty or null. 2.19.13/2.19.15 name the person fields ``personPin``,
``personName`` and ``personLastName``; they are read into the same attributes.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AliasChoices, Field

from .base import CodedEnum, Model, OptFloat, OptInt, OptStr, Photo, Str, Timestamp
from .devices import GateType
from .readers import ReaderState

__all__ = [
    "AccessTransaction",
    "ElevatorTransaction",
    "EventLevel",
    "EventTypeFilter",
    "FirstInLastOut",
    "GateTransaction",
    "MaskFlag",
    "TemperatureEvent",
    "TemperatureStatus",
    "Transaction",
    "VerifyMode",
]


class EventLevel(CodedEnum):
    """0 normal, 1 warning (2.19.17 calls it "abnormal"), 2 alarm (ERRATA: one code set)."""

    NORMAL = ("0", "normal", "normal")
    WARNING = ("1", "warning", "warning", "abnormal")
    ALARM = ("2", "alarm", "alarm")
    UNKNOWN = ("?", "level unknown")


class EventTypeFilter(CodedEnum):
    """``type`` filter of 2.19.13/2.19.14."""

    NORMAL = ("normal", "normal events")
    WARNING = ("warning", "warning events")
    ALARM = ("alarm", "alarm events")
    UNKNOWN = ("?", "all events")


class VerifyMode(CodedEnum):
    """Verification modes as listed in 2.25.1 (19 and 20 share a text there; both codes kept)."""

    AUTO = ("0", "automatic recognition")
    FINGERPRINT = ("1", "fingerprint only")
    USER_ID = ("2", "user ID only")
    PASSWORD = ("3", "password only")
    CARD = ("4", "card only")
    FP_OR_PASSWORD = ("5", "fingerprint or password")
    FP_OR_CARD = ("6", "fingerprint or card")
    CARD_OR_PASSWORD = ("7", "card or password")
    USER_ID_AND_FP = ("8", "user ID and fingerprint")
    FP_AND_PASSWORD = ("9", "fingerprint and password")
    CARD_AND_FP = ("10", "card and fingerprint")
    CARD_AND_PASSWORD = ("11", "card and password")
    FP_PASSWORD_CARD = ("12", "fingerprint and password and card")
    USER_ID_FP_PASSWORD = ("13", "user ID and fingerprint and password")
    USER_ID_FP_OR_CARD_FP = ("14", "(user ID and fingerprint) or (card and fingerprint)")
    FACE = ("15", "face")
    FACE_AND_FP = ("16", "face and fingerprint")
    FACE_AND_PASSWORD = ("17", "face and password")
    FACE_AND_CARD = ("18", "face and card")
    FACE_FP_PASSWORD = ("19", "face and fingerprint and password")
    FACE_FP_PASSWORD_20 = ("20", "face and fingerprint and password (code 20)")
    FINGER_VEIN = ("21", "finger vein")
    VEIN_AND_PASSWORD = ("22", "finger vein and password")
    VEIN_AND_CARD = ("23", "finger vein and card")
    VEIN_PASSWORD_CARD = ("24", "finger vein and password and card")
    PALM = ("25", "palm print")
    PALM_AND_CARD = ("26", "palm print and card")
    PALM_AND_FACE = ("27", "palm print and face")
    PALM_AND_FP = ("28", "palm print and fingerprint")
    PALM_FP_FACE = ("29", "palm print and fingerprint and face")
    UNKNOWN = ("?", "verification unknown")


class MaskFlag(CodedEnum):
    """2.27: 0 no mask, 1 wearing a mask, null not detected."""

    NO_MASK = ("0", "no mask")
    MASK = ("1", "wearing a mask")
    NOT_DETECTED = ("null", "not detected", "", "none")
    UNKNOWN = ("?", "mask unknown")


class TemperatureStatus(CodedEnum):
    """2.27 ``status``: sent capitalised (``Normal``), compared case-insensitively."""

    NORMAL = ("normal", "normal")
    ABNORMAL = ("abnormal", "abnormal temperature")
    UNMEASURED = ("unmeasured", "not measured")
    UNKNOWN = ("?", "temperature state unknown")


def _either(*names: str) -> AliasChoices:
    return AliasChoices(*names)


class Transaction(Model):
    """Fields every event family shares."""

    id: Str = ""
    event_time: Timestamp = Field(None, alias="eventTime")
    pin: Str = Field("", validation_alias=_either("pin", "personPin"))
    name: Str = Field("", validation_alias=_either("name", "personName"))
    last_name: Str = Field("", validation_alias=_either("lastName", "personLastName", "last_name"))
    dept_name: Str = Field("", alias="deptName")
    area_name: Str = Field("", alias="areaName")
    card_no: Str = Field("", alias="cardNo")
    dev_sn: Str = Field("", alias="devSn")
    dev_name: Str = Field("", alias="devName")
    event_name: Str = Field("", alias="eventName")
    event_no: OptInt = Field(None, validation_alias=_either("eventNo", "eventNumber", "event_no"))
    event_point_name: Str = Field("", alias="eventPointName")
    reader_name: Str = Field("", alias="readerName")
    verify_mode_name: Str = Field("", alias="verifyModeName")
    verify_mode: Annotated[VerifyMode, VerifyMode.validator()] = Field(VerifyMode.UNKNOWN, alias="verifyMode")
    log_id: OptInt = Field(None, alias="logId")

    @property
    def person(self) -> str:
        """The person's full name as an operator reads it ("" for events with nobody)."""
        return " ".join(part for part in (self.name.strip(), self.last_name.strip()) if part)


class AccessTransaction(Transaction):
    """An access-control event (2.19.x lists, v2/v3 pages, getById, the 2.19.6 monitor, 2.19.13-2.19.15)."""

    event_level: Annotated[EventLevel, EventLevel.validator()] = Field(EventLevel.UNKNOWN, alias="eventLevel")
    door_name: Str = Field("", alias="doorName")
    door_number: OptInt = Field(None, alias="doorNumber")
    reader_state: Annotated[ReaderState, ReaderState.validator()] = Field(ReaderState.UNKNOWN, alias="readerState")
    acc_zone: OptStr = Field(None, alias="accZone")
    capture_photo_base64: Photo = Field("", alias="capturePhotoBase64", repr=False)

    @property
    def is_alarm(self) -> bool:
        return self.event_level is EventLevel.ALARM


class ElevatorTransaction(Transaction):
    """An elevator event (2.20.x)."""

    acc_zone: OptStr = Field(None, alias="accZone")


class GateTransaction(Transaction):
    """An entrance-control event (2.35.x; the 2.35.6 monitor)."""

    gate_type: Annotated[GateType, GateType.validator()] = Field(GateType.UNKNOWN, alias="gateType")


class TemperatureEvent(Transaction):
    """A mask and temperature event (2.27.1 list, 2.27.2 monitor); absent from some server versions."""

    photo_path: Str = Field("", alias="photoPath")
    mask_flag: Annotated[MaskFlag, MaskFlag.validator()] = Field(MaskFlag.NOT_DETECTED, alias="maskFlag")
    temperature: OptFloat = None
    temperature_status: Annotated[TemperatureStatus, TemperatureStatus.validator()] = Field(
        TemperatureStatus.UNKNOWN, alias="status"
    )

    @property
    def is_alarm(self) -> bool:
        return self.temperature_status is TemperatureStatus.ABNORMAL


class FirstInLastOut(Model):
    """A person's first entry and last exit (2.19.10-2.19.12)."""

    id: Str = ""
    pin: Str = ""
    name: Str = ""
    last_name: Str = Field("", alias="lastName")
    dept_code: Str = Field("", alias="deptCode")
    dept_name: Str = Field("", alias="deptName")
    reader_name_in: Str = Field("", alias="readerNameIn")
    first_in_time: Timestamp = Field(None, alias="firstInTime")
    reader_name_out: Str = Field("", alias="readerNameOut")
    last_out_time: Timestamp = Field(None, alias="lastOutTime")
