"""Doors, gates and their states (2.12, 2.32), with the manual's codes as enums."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from .base import CodedEnum, Model, Str

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


class ConnectState(CodedEnum):
    OFFLINE = ("0", "offline")
    ONLINE = ("1", "online")
    DISABLED = ("2", "disabled")
    UNKNOWN = ("?", "unknown")


class SensorState(CodedEnum):
    """Door sensor: free text in mixed case on the wire (2.12.1); ``off`` means closed."""

    CLOSED = ("off", "closed", "closed", "close")
    OPEN = ("open", "open", "opened")
    NO_SENSOR = ("no sensor", "no sensor", "none", "nosensor")
    UNKNOWN = ("unknown", "unknown")


class RelayState(CodedEnum):
    OFF = ("off", "relay off", "close", "closed")
    OPEN = ("open", "relay open", "on")
    UNKNOWN = ("unknown", "relay unknown")


class DoorAlarm(CodedEnum):
    NONE = ("none", "no alarm", "", "normal")
    ALARM = ("alarm", "alarm")
    TIMEOUT = ("timeout", "open too long")
    OPENED_ACCIDENTALLY = ("be opened accidentally", "forced open", "opened accidentally")
    TAMPERING = ("tampering", "tampering")
    DURESS_PASSWORD = ("duress password opening", "duress (password)")
    DURESS_FINGERPRINT = ("duress fingerprint opening", "duress (fingerprint)")
    DURESS = ("duress opening", "duress")
    NORMAL_OPEN_ALARM = ("normal open alarm", "normal-open alarm")
    LOW_BATTERY = ("low battery voltage", "low battery")
    REPLACE_BATTERY = ("replace battery", "replace battery")
    ILLEGAL_OPERATION = ("illegal operation", "illegal operation")
    BACKUP_POWER = ("backup power", "on backup power")
    UNKNOWN = ("unknown", "alarm state unknown")

    @property
    def is_alarm(self) -> bool:
        return self not in (DoorAlarm.NONE, DoorAlarm.UNKNOWN)


class GateStateCode(CodedEnum):
    OFFLINE = ("0", "gate offline")
    ONLINE = ("1", "gate online")
    DISABLED = ("2", "gate disabled")
    LOCKDOWN = ("3", "lockdown")
    UNKNOWN = ("?", "gate state unknown", "none")


class GateAlarm(CodedEnum):
    NONE = ("0", "no alarm")
    OPENED_ACCIDENTALLY = ("1", "forced open")
    TAMPERING = ("2", "tampering")
    DURESS_PASSWORD = ("3", "duress (password)")
    DURESS_FINGERPRINT = ("4", "duress (fingerprint)")
    DURESS = ("5", "duress")
    INFRARED = ("6", "infrared beam fault")
    GATE_ERROR = ("7", "gate error")
    UNKNOWN = ("?", "alarm state unknown", "none")

    @property
    def is_alarm(self) -> bool:
        return self not in (GateAlarm.NONE, GateAlarm.UNKNOWN)


class GateRelay(CodedEnum):
    OFF = ("0", "relay off")
    EXIT_OPEN = ("1", "open for exit")
    ENTRY_OPEN = ("2", "open for entry")
    UNKNOWN = ("?", "relay unknown", "none")


class GateDirection(CodedEnum):
    """``openType`` of a remote gate opening (2.32.7, 2.32.8)."""

    ENTRY = ("1", "open for entry", "entry", "in")
    EXIT = ("2", "open for exit", "exit", "out")
    UNKNOWN = ("?", "direction unknown")


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
