"""Typed records of the API, validated with pydantic v2. Import from here, not from the submodules.

The names are imported on first use (PEP 562): a module that needs one record family (or ``parse_time``) does
not build the ~100 models of every other (the simulator's start, the console's first paint). A new name goes
into the ``TYPE_CHECKING`` imports, ``__all__`` and ``_WHERE`` (``tests/api/test_models_lazy.py`` checks).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .base import (
        MAX_EXTRAS,
        MAX_ITEMS,
        MAX_PHOTO,
        MAX_TEXT,
        BatchCount,
        CodedEnum,
        Model,
        OptBool,
        OptFloat,
        OptInt,
        OptStr,
        Photo,
        Str,
        StrList,
        Timestamp,
        WireDate,
        WireInput,
        WireList,
        WireTime,
        cut_text,
        opt_bool,
        opt_int,
        parse_duration,
        parse_list,
        parse_model,
        parse_one,
        parse_text,
        parse_time,
        wire_date,
        wire_time,
    )
    from .codes import (
        AccountAvailable,
        AccountMember,
        CardStatus,
        InsCategory,
        LogFlag,
        MediaType,
        PerDevAuth,
        PosModel,
        PosType,
        RecordingType,
        RtspType,
        ValidType,
    )
    from .devices import (
        Device,
        DeviceModule,
        DeviceState,
        GateDevice,
        GateType,
        SpaceDevice,
    )
    from .doors import (
        ConnectState,
        Door,
        DoorAlarm,
        DoorState,
        Gate,
        GateAlarm,
        GateDirection,
        GateRelay,
        GateState,
        GateStateCode,
        RelayState,
        SensorState,
    )
    from .floors import (
        Floor,
    )
    from .levels import (
        AccessLevel,
        ElevatorLevel,
        GateLevel,
        Level,
        VisitorLevel,
    )
    from .parking import (
        AllowListType,
        BlackWhiteType,
        CarType,
        ChannelState,
        FixedVehicle,
        ParkChannel,
        ParkEventType,
        ParkingArea,
        ParkingBill,
        ParkingDiscount,
        ParkingEntrance,
        ParkingEntry,
        ParkingExit,
        ParkingSpace,
        PaymentNotice,
        check_plate,
    )
    from .persons import (
        Card,
        CardType,
        CertType,
        Department,
        DepartmentInput,
        FaceCheck,
        Gender,
        Person,
        PersonInput,
        check_pin,
    )
    from .readers import (
        GateReader,
        Reader,
        ReaderState,
    )
    from .registry import (
        CODE_SETS,
        OVERRULED,
        code_set,
    )
    from .spaces import (
        Facility,
        FacilityInput,
        Participant,
        RemindTime,
        ReservationStatus,
        RetentionTime,
        ServiceInput,
        SignInLead,
        Space,
        SpaceInput,
        SpaceReservation,
        SpaceReservationInput,
        SpaceService,
        SpaceStatus,
    )
    from .transactions import (
        AccessTransaction,
        ElevatorTransaction,
        EventLevel,
        EventTypeFilter,
        FirstInLastOut,
        GateTransaction,
        MaskFlag,
        TemperatureEvent,
        TemperatureStatus,
        Transaction,
        VerifyMode,
    )
    from .visitors import (
        Visitor,
        VisitorRegistration,
        VisitorReservation,
    )

__all__ = [
    "CODE_SETS",
    "MAX_EXTRAS",
    "MAX_ITEMS",
    "MAX_PHOTO",
    "MAX_TEXT",
    "OVERRULED",
    "AccessLevel",
    "AccessTransaction",
    "AccountAvailable",
    "AccountMember",
    "AllowListType",
    "BatchCount",
    "BlackWhiteType",
    "CarType",
    "Card",
    "CardStatus",
    "CardType",
    "CertType",
    "ChannelState",
    "CodedEnum",
    "ConnectState",
    "Department",
    "DepartmentInput",
    "Device",
    "DeviceModule",
    "DeviceState",
    "Door",
    "DoorAlarm",
    "DoorState",
    "ElevatorLevel",
    "ElevatorTransaction",
    "EventLevel",
    "EventTypeFilter",
    "FaceCheck",
    "Facility",
    "FacilityInput",
    "FirstInLastOut",
    "FixedVehicle",
    "Floor",
    "Gate",
    "GateAlarm",
    "GateDevice",
    "GateDirection",
    "GateLevel",
    "GateReader",
    "GateRelay",
    "GateState",
    "GateStateCode",
    "GateTransaction",
    "GateType",
    "Gender",
    "InsCategory",
    "Level",
    "LogFlag",
    "MaskFlag",
    "MediaType",
    "Model",
    "OptBool",
    "OptFloat",
    "OptInt",
    "OptStr",
    "ParkChannel",
    "ParkEventType",
    "ParkingArea",
    "ParkingBill",
    "ParkingDiscount",
    "ParkingEntrance",
    "ParkingEntry",
    "ParkingExit",
    "ParkingSpace",
    "Participant",
    "PaymentNotice",
    "PerDevAuth",
    "Person",
    "PersonInput",
    "Photo",
    "PosModel",
    "PosType",
    "Reader",
    "ReaderState",
    "RecordingType",
    "RelayState",
    "RemindTime",
    "ReservationStatus",
    "RetentionTime",
    "RtspType",
    "SensorState",
    "ServiceInput",
    "SignInLead",
    "Space",
    "SpaceDevice",
    "SpaceInput",
    "SpaceReservation",
    "SpaceReservationInput",
    "SpaceService",
    "SpaceStatus",
    "Str",
    "StrList",
    "TemperatureEvent",
    "TemperatureStatus",
    "Timestamp",
    "Transaction",
    "ValidType",
    "VerifyMode",
    "Visitor",
    "VisitorLevel",
    "VisitorRegistration",
    "VisitorReservation",
    "WireDate",
    "WireInput",
    "WireList",
    "WireTime",
    "check_pin",
    "check_plate",
    "code_set",
    "cut_text",
    "opt_bool",
    "opt_int",
    "parse_duration",
    "parse_list",
    "parse_model",
    "parse_one",
    "parse_text",
    "parse_time",
    "wire_date",
    "wire_time",
]

_WHERE: dict[str, str] = {
    "CodedEnum": ".coded",
    **dict.fromkeys([
        "BatchCount", "MAX_EXTRAS", "MAX_ITEMS", "MAX_PHOTO", "MAX_TEXT", "Model", "OptBool",
        "OptFloat", "OptInt", "OptStr", "Photo", "Str", "StrList", "Timestamp", "WireDate", "WireInput",
        "WireList", "WireTime", "cut_text", "opt_bool", "opt_int", "parse_duration", "parse_list",
        "parse_model", "parse_one", "parse_text", "parse_time", "wire_date", "wire_time"
    ], ".base"),
    **dict.fromkeys([
        "AccountAvailable", "AccountMember", "CardStatus", "InsCategory", "LogFlag", "MediaType", "PerDevAuth",
        "PosModel", "PosType", "RecordingType", "RtspType", "ValidType"
    ], ".codes"),
    **dict.fromkeys([
        "Device", "DeviceModule", "DeviceState", "GateDevice", "GateType", "SpaceDevice"
    ], ".devices"),
    **dict.fromkeys([
        "Door", "DoorState", "Gate", "GateState"
    ], ".doors"),
    **dict.fromkeys([  # no pydantic: the board's items and snapshot carry them (issue 15)
        "ConnectState", "DoorAlarm", "GateAlarm", "GateDirection", "GateRelay", "GateStateCode", "RelayState",
        "SensorState"
    ], ".door_codes"),
    **dict.fromkeys([
        "Floor"
    ], ".floors"),
    **dict.fromkeys([
        "AccessLevel", "ElevatorLevel", "GateLevel", "Level", "VisitorLevel"
    ], ".levels"),
    **dict.fromkeys([
        "AllowListType", "BlackWhiteType", "CarType", "ChannelState", "FixedVehicle", "ParkChannel",
        "ParkEventType", "ParkingArea", "ParkingBill", "ParkingDiscount", "ParkingEntrance", "ParkingEntry",
        "ParkingExit", "ParkingSpace", "PaymentNotice", "check_plate"
    ], ".parking"),
    **dict.fromkeys([
        "Card", "CardType", "CertType", "Department", "DepartmentInput", "FaceCheck", "Gender", "Person",
        "PersonInput", "check_pin"
    ], ".persons"),
    **dict.fromkeys([
        "GateReader", "Reader", "ReaderState"
    ], ".readers"),
    **dict.fromkeys([
        "CODE_SETS", "OVERRULED", "code_set"
    ], ".registry"),
    **dict.fromkeys([
        "Facility", "FacilityInput", "Participant", "RemindTime", "ReservationStatus", "RetentionTime",
        "ServiceInput", "SignInLead", "Space", "SpaceInput", "SpaceReservation", "SpaceReservationInput",
        "SpaceService", "SpaceStatus"
    ], ".spaces"),
    **dict.fromkeys([
        "AccessTransaction", "ElevatorTransaction", "EventLevel", "EventTypeFilter", "FirstInLastOut",
        "GateTransaction", "MaskFlag", "TemperatureEvent", "TemperatureStatus", "Transaction", "VerifyMode"
    ], ".transactions"),
    **dict.fromkeys([
        "Visitor", "VisitorRegistration", "VisitorReservation"
    ], ".visitors"),
}


def __getattr__(name: str) -> Any:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(where, __name__), name)
    globals()[name] = value
    return value
