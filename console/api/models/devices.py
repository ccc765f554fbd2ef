"""Devices: access (2.10), elevator (2.11), attendance (2.23.1), FaceKiosk (2.30), entrance control (2.31),
space (2.42).

The manual's examples carry the enabled flag as ``state`` in some sections and ``status`` in others; both
are read (ERRATA). Space devices use ``status`` for something else: offline / online / disabled.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AliasChoices, Field

from .base import CodedEnum, Model, Str
from .doors import ConnectState

__all__ = ["Device", "DeviceModule", "DeviceState", "GateDevice", "GateType", "SpaceDevice"]


class DeviceState(CodedEnum):
    """``state``/``status`` of access, elevator, attendance, FaceKiosk and entrance-control devices."""

    DISABLED = ("0", "disabled", "false", "disable")
    ENABLED = ("1", "enabled", "true", "enable")
    UNKNOWN = ("?", "unknown")


class DeviceModule(CodedEnum):
    ACCESS = ("acc", "access control")
    ATTENDANCE = ("att", "attendance")
    ELEVATOR = ("ele", "elevator")
    FACEKIOSK = ("ins", "FaceKiosk")
    ENTRANCE = ("psg", "entrance control")
    SPACE = ("space", "space management")
    UNKNOWN = ("?", "unknown module")


class GateType(CodedEnum):
    """Entrance-control terminal type (2.31, 2.35)."""

    NOT_CONNECTED = ("0", "no gate terminal connected")
    TRIPOD = ("1", "tripod turnstile")
    FLAP = ("2", "flap barrier")
    SWING = ("3", "swing barrier")
    UNKNOWN = ("?", "unknown gate type")


_STATE = AliasChoices("state", "status")


class Device(Model):
    """An access, elevator, attendance or FaceKiosk device (2.10.x, 2.11.x, 2.23.1, 2.30.x)."""

    id: Str = ""
    sn: Str = ""
    name: Str = ""
    type: Str = ""
    state: Annotated[DeviceState, DeviceState.validator()] = Field(DeviceState.UNKNOWN, validation_alias=_STATE)
    module: Annotated[DeviceModule, DeviceModule.validator()] = DeviceModule.UNKNOWN

    @property
    def enabled(self) -> bool:
        return self.state is DeviceState.ENABLED


class GateDevice(Device):
    """An entrance-control device (2.31.x)."""

    gate_type: Annotated[GateType, GateType.validator()] = Field(GateType.UNKNOWN, alias="gateType")


class SpaceDevice(Model):
    """A space-management device (2.42.x): ``status`` is 0 offline, 1 online, 2 disabled."""

    id: Str = ""
    sn: Str = ""
    name: Str = ""
    type: Str = ""
    status: Annotated[ConnectState, ConnectState.validator()] = Field(ConnectState.UNKNOWN, validation_alias=_STATE)
    module: Annotated[DeviceModule, DeviceModule.validator()] = DeviceModule.UNKNOWN
