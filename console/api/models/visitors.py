"""Visitors: reservations (2.16), levels (2.17), registration, check-out and QR codes (2.18).

Key names are kept as printed: the reservation names the host ``visitEmpName``, the registration names the
visitor ``visEmpName`` (ERRATA). Times are sent as ``yyyy-MM-dd HH:mm:ss``, not the printed ``mm:hh``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, ValidationInfo, field_validator

from .base import Model, OptBool, OptStr, Str, WireInput, WireList, WireTime
from .levels import VisitorLevel
from .persons import CertType, Gender, check_pin

__all__ = ["CertType", "Visitor", "VisitorLevel", "VisitorRegistration", "VisitorReservation"]


def _cert_type(value: CertType) -> CertType:
    if value is CertType.UNKNOWN:
        raise ValueError("choose a certificate type")
    return value


def _end_after_start(value: datetime, info: ValidationInfo, start_field: str) -> datetime:
    start = info.data.get(start_field)
    if start is not None and value < start:
        raise ValueError("the end time is before the start time")
    return value


class Visitor(Model):
    """A visitor record (2.18.6)."""

    id: Str = ""
    pin: Str = ""
    name: Str = ""
    last_name: Str = Field("", alias="lastName")
    cert_type: Annotated[CertType, CertType.validator()] = Field(CertType.UNKNOWN, alias="certType")
    cert_number: Str = Field("", alias="certNumber")
    company: Str = ""
    car_plate: Str = Field("", alias="carPlate")
    phone: Str = ""
    email: Str = ""
    status: OptStr = None
    enabled: OptBool = None
    nationality: OptStr = None
    gender: Annotated[Gender, Gender.validator()] = Gender.UNKNOWN

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.name.strip(), self.last_name.strip()) if part)


class _VisitBody(WireInput):
    """What a registration and a reservation share: the host visited and the visitor's document type."""

    host_pin: str = Field(alias="persPersonPin")
    cert_type: Annotated[CertType, CertType.validator()] = Field(alias="certType")

    @field_validator("host_pin")
    @classmethod
    def _host(cls, value: str) -> str:
        return check_pin(value)

    @field_validator("cert_type")
    @classmethod
    def _cert(cls, value: CertType) -> CertType:
        return _cert_type(value)


class VisitorRegistration(_VisitBody):
    """The body of 2.18.1: a visitor arrives now (or is registered for a window)."""

    cert_num: str = Field(alias="certNum", min_length=1, max_length=64)
    visitor_name: str = Field(alias="visEmpName", min_length=1, max_length=100)
    phone: str | None = Field(None, alias="visitEmpPhone", max_length=32)
    company: str | None = Field(None, max_length=100)
    reason: str = Field(alias="visitReason", min_length=1, max_length=200)
    visitor_count: Annotated[int, Field(ge=1, le=999)] = Field(1, alias="visitorCount")
    start_time: WireTime = Field(alias="startTime")
    end_time: WireTime = Field(alias="endTime")
    card_no: str | None = Field(None, alias="cardNo", max_length=64)
    level_ids: WireList | None = Field(None, alias="visLevels")

    @field_validator("end_time")
    @classmethod
    def _end(cls, value: datetime, info: ValidationInfo) -> datetime:
        return _end_after_start(value, info, "start_time")

    def to_wire(self) -> dict[str, object]:
        body = super().to_wire()
        body["visitorCount"] = str(self.visitor_count)  # sent as a string, like the manual's example
        return body


class VisitorReservation(_VisitBody):
    """The body of 2.16.1: a visit booked ahead.

    ``visitEmpName`` is described as the interviewee's name, but the body has no other name field and the
    host is already ``persPersonPin``: it carries the visitor's name (the services and simulator read it so).
    """

    cert_num: str = Field(alias="certNum", min_length=1, max_length=64)
    visitor_name: str = Field(alias="visitEmpName", min_length=1, max_length=100)
    phone: str | None = Field(None, alias="visitEmpPhone", max_length=32)
    company: str | None = Field(None, max_length=100)
    reason: str = Field(alias="visitReason", min_length=1, max_length=200)
    visit_date: WireTime = Field(alias="visitDate")
    visit_end_date: WireTime = Field(alias="visitEndDate")

    @field_validator("visit_end_date")
    @classmethod
    def _end(cls, value: datetime, info: ValidationInfo) -> datetime:
        return _end_after_start(value, info, "visit_date")
