"""Elevator floors (2.13)."""

from __future__ import annotations

from pydantic import Field

from .base import Model, OptInt, Str

__all__ = ["Floor"]


class Floor(Model):
    """One floor button of an elevator controller (2.13.1, 2.13.4)."""

    id: Str = ""
    floor_no: OptInt = Field(None, alias="floorNo")
    name: Str = ""
    device_id: Str = Field("", alias="deviceId")
