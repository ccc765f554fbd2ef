"""The codes of doors and gates and their states (2.12, 2.32): connection, sensor, relay, alarm, gate state and
direction, as enums. No pydantic: the board's items carry them (:mod:`.coded`); :mod:`.doors` has the records."""

from __future__ import annotations

from .coded import CodedEnum

__all__ = [
    "ConnectState",
    "DoorAlarm",
    "GateAlarm",
    "GateDirection",
    "GateRelay",
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
