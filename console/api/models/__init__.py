"""Typed records of the API, validated with pydantic v2. Import from here, not from the submodules."""

from .base import CodedEnum, Model, parse_list, parse_model, parse_time
from .doors import (
    ConnectState,
    Door,
    DoorAlarm,
    DoorState,
    Gate,
    GateAlarm,
    GateRelay,
    GateState,
    GateStateCode,
    RelayState,
    SensorState,
)

__all__ = [
    "CodedEnum",
    "ConnectState",
    "Door",
    "DoorAlarm",
    "DoorState",
    "Gate",
    "GateAlarm",
    "GateRelay",
    "GateState",
    "GateStateCode",
    "Model",
    "RelayState",
    "SensorState",
    "parse_list",
    "parse_model",
    "parse_time",
]
