"""Persons (2.14), cards (2.5), departments (2.6).

The certificate-type table is the one of 2.14.12/2.14.13, which matches the visitor sections (ERRATA):
2.14.10's table, shifted by one, is not used.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, ValidationInfo, field_validator

from .base import (
    CodedEnum,
    Model,
    OptBool,
    OptInt,
    OptStr,
    Photo,
    Str,
    StrList,
    Timestamp,
    WireInput,
    WireList,
    WireTime,
)

__all__ = [
    "Card",
    "CardType",
    "CertType",
    "Department",
    "DepartmentInput",
    "FaceCheck",
    "Gender",
    "Person",
    "PersonInput",
    "check_pin",
]


class Gender(CodedEnum):
    MALE = ("M", "male", "male", "man")
    FEMALE = ("F", "female", "female", "woman")
    UNKNOWN = ("?", "not given", "")


class CertType(CodedEnum):
    """Certificate types of persons and visitors (2.14.12/2.14.13 and 2.16/2.18)."""

    ID_CARD = ("2", "ID card")
    PASSPORT = ("3", "passport")
    DRIVERS_LICENCE = ("4", "driver's licence")
    WORK_PERMIT = ("5", "work permit")
    CITIZEN_CARD = ("6", "citizen / real-name card")
    DRIVING_LICENCE = ("7", "vehicle driving licence")
    OTHER = ("8", "other")
    SOCIAL_SECURITY = ("1000", "Xiamen social security card")
    HK_MACAO_PERMIT = ("1001", "Hong Kong and Macao travel permit")
    UNKNOWN = ("?", "certificate type unknown", "")


class CardType(CodedEnum):
    MASTER = ("0", "master card")
    SUB = ("1", "sub card")
    UNKNOWN = ("?", "card type unknown")


class Card(Model):
    """A person's card (2.5.1, 2.5.2)."""

    pin: Str = ""
    card_no: Str = Field("", alias="cardNo")
    card_type: Annotated[CardType, CardType.validator()] = Field(CardType.UNKNOWN, alias="cardType")


class Department(Model):
    """A department (2.6.4-2.6.6); ``code`` is its key."""

    code: Str = ""
    name: Str = ""
    parent_code: OptStr = Field(None, alias="parentCode")
    sort_no: OptInt = Field(None, alias="sortNo")


class Person(Model):
    """A person record (2.14.4/2.14.5 give a few fields, 2.14.12 many).

    The device password, its hash and the social security number are kept out of ``repr`` (and logs).
    """

    id: Str = ""
    pin: Str
    dept_code: Str = Field("", alias="deptCode")
    dept_name: Str = Field("", alias="deptName")
    name: Str = ""
    last_name: Str = Field("", alias="lastName")
    gender: Annotated[Gender, Gender.validator()] = Gender.UNKNOWN
    birthday: Timestamp = None
    card_no: Str = Field("", alias="cardNo")
    supply_cards: StrList = Field((), alias="supplyCards")
    mobile_phone: Str = Field("", alias="mobilePhone")
    email: Str = ""
    car_plate: StrList = Field((), alias="carPlate")
    cert_type: Annotated[CertType, CertType.validator()] = Field(CertType.UNKNOWN, alias="certType")
    cert_number: Str = Field("", alias="certNumber")
    acc_level_ids: StrList = Field((), alias="accLevelIds")
    acc_start_time: Timestamp = Field(None, alias="accStartTime")
    acc_end_time: Timestamp = Field(None, alias="accEndTime")
    hire_date: Timestamp = Field(None, alias="hireDate")
    is_disabled: OptBool = Field(None, alias="isDisabled")
    is_send_mail: OptBool = Field(None, alias="isSendMail")
    photo_path: Str = Field("", alias="photoPath")
    vislight_photo_path: Str = Field("", alias="vislightPhotoPath")
    person_photo: Photo = Field("", alias="personPhoto", repr=False)
    vislight_photo: Photo = Field("", alias="vislightPhoto", repr=False)
    person_pwd: Str = Field("", alias="personPwd", repr=False)
    self_pwd: Str = Field("", alias="selfPwd", repr=False)
    ssn: OptStr = Field(None, repr=False)

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.name.strip(), self.last_name.strip()) if part)


class FaceCheck(Model):
    """The verdict of 2.14.16: can a face template be extracted from this photo?

    ``ok`` with code 0; otherwise the appendix's code (-5001..-5018) and its text.
    """

    ok: bool
    code: int = 0
    reason: str = ""


# -- requests ---------------------------------------------------------------------------------------


def check_pin(value: str) -> str:
    """A pin we send: non-empty, short, no separator that would change the URL or a comma list."""
    if not value:
        raise ValueError("a pin is required")
    if len(value) > 64 or any(ch in value for ch in ",/\\?#&\r\n\t"):
        raise ValueError("a pin is at most 64 characters with no separators")
    return value


class PersonInput(WireInput):
    """The body of 2.14.1 (add or edit a person, keyed by ``pin``)."""

    pin: str
    dept_code: str | None = Field(None, alias="deptCode", max_length=64)
    name: str | None = Field(None, max_length=100)
    last_name: str | None = Field(None, alias="lastName", max_length=100)
    gender: Annotated[Gender, Gender.validator()] | None = None
    card_no: str | None = Field(None, alias="cardNo", max_length=64)
    person_photo: str | None = Field(None, alias="personPhoto", max_length=8 * 1024 * 1024, repr=False)
    acc_level_ids: WireList | None = Field(None, alias="accLevelIds")
    acc_start_time: WireTime | None = Field(None, alias="accStartTime")
    acc_end_time: WireTime | None = Field(None, alias="accEndTime")

    @field_validator("pin")
    @classmethod
    def _check_pin(cls, value: str) -> str:
        return check_pin(value)

    @field_validator("acc_end_time")
    @classmethod
    def _after_start(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        start = info.data.get("acc_start_time")
        if value is not None and start is not None and value < start:
            raise ValueError("the access end time is before its start")
        return value


class DepartmentInput(WireInput):
    """The body of 2.6.1 (add or edit a department, keyed by ``code``)."""

    code: str = Field(min_length=1, max_length=64)
    name: str = Field(min_length=1, max_length=100)
    parent_code: str | None = Field(None, alias="parentCode", max_length=64)
