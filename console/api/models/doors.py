"""Doors, gates and their states (2.12, 2.32), with the manual's codes as enums."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from .base import Model, Str
from .door_codes import (
    ConnectState,
    DoorAlarm,
    GateAlarm,
    GateDirection,
    GateRelay,
    GateStateCode,
    RelayState,
    SensorState,
)

__all__ = [
    "ConnectState",
    "Door",
    "DoorAlarm",
    "DoorState",
    "Gate",
    "GateAlarm",
    "GateDirection",
    "GateRelay",
    "GateState",
    "GateStateCode",
    "RelayState",
    "SensorState",
]


class Door(Model):
    """A door record (2.12.4, 2.12.5, 2.12.10)."""

    id: Str
    name: Str = ""
    device_id: Str = Field("", alias="deviceId")


class DoorState(Model):
    """One door's live state (2.12.1-2.12.3)."""

    id: Str
    name: Str = ""
    device_id: Str = Field("", alias="deviceId")
    connect: Annotated[ConnectState, ConnectState.validator()] = ConnectState.UNKNOWN
    sensor: Annotated[SensorState, SensorState.validator()] = SensorState.UNKNOWN
    alarm: Annotated[DoorAlarm, DoorAlarm.validator()] = DoorAlarm.UNKNOWN
    relay: Annotated[RelayState, RelayState.validator()] = RelayState.UNKNOWN


class Gate(Model):
    """An entrance-control gate record (2.32.4-2.32.6)."""

    id: Str
    name: Str = ""
    device_id: Str = Field("", alias="deviceId")


class GateState(Model):
    """One gate's live state (2.32.1-2.32.3)."""

    id: Str
    name: Str = ""
    device_id: Str = Field("", alias="deviceId")
    connect: Annotated[ConnectState, ConnectState.validator()] = ConnectState.UNKNOWN
    gate_state: Annotated[GateStateCode, GateStateCode.validator()] = Field(GateStateCode.UNKNOWN, alias="gateState")
    alarm: Annotated[GateAlarm, GateAlarm.validator()] = GateAlarm.UNKNOWN
    relay: Annotated[GateRelay, GateRelay.validator()] = GateRelay.UNKNOWN
