"""Which enum reads which coded field of which section: every code set of the manual has one.

``code_set("2.41.7", "eventType")`` is :class:`~.parking.ParkEventType`. The same field name means different
things in different groups (``status``, ``type``, ``alarm``), so the lookup goes by group first.
"""

from __future__ import annotations

from collections.abc import Mapping

from .base import CodedEnum
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
from .devices import DeviceModule, DeviceState, GateType
from .doors import (
    ConnectState,
    DoorAlarm,
    GateAlarm,
    GateDirection,
    GateRelay,
    GateStateCode,
    RelayState,
    SensorState,
)
from .parking import AllowListType, BlackWhiteType, ChannelState, ParkEventType
from .persons import CardType, CertType, Gender
from .readers import ReaderState
from .spaces import RemindTime, ReservationStatus, RetentionTime, SignInLead, SpaceStatus
from .transactions import EventLevel, EventTypeFilter, MaskFlag, TemperatureStatus, VerifyMode

__all__ = ["CODE_SETS", "OVERRULED", "code_set"]

_DEVICE = {"state": DeviceState, "status": DeviceState, "module": DeviceModule, "gateType": GateType}

CODE_SETS: Mapping[str, Mapping[str, type[CodedEnum]]] = {
    # group (section without its last number) -> field -> enum
    "2.4": {"type": BlackWhiteType},
    "2.5": {"cardType": CardType},
    "2.7": {"mediaType": MediaType},
    "2.10": _DEVICE,
    "2.11": _DEVICE,
    "2.12": {"connect": ConnectState, "sensor": SensorState, "alarm": DoorAlarm, "relay": RelayState},
    "2.14": {"gender": Gender, "certType": CertType},
    "2.15": {"readerState": ReaderState},
    "2.16": {"certType": CertType},
    "2.18": {"certType": CertType},
    "2.19": {"eventLevel": EventLevel, "type": EventTypeFilter, "readerState": ReaderState, "verifyMode": VerifyMode},
    "2.21": {"channelState": ChannelState, "eventType": ParkEventType},
    "2.23": _DEVICE,
    "2.25": {"perDevAuth": PerDevAuth, "verifyMode": VerifyMode},
    "2.26": {"validType": ValidType},
    "2.27": {"maskFlag": MaskFlag, "status": TemperatureStatus},
    "2.28": {"category": InsCategory, "perDevAuth": PerDevAuth},
    "2.30": _DEVICE,
    "2.31": _DEVICE,
    "2.32": {
        "connect": ConnectState,
        "gateState": GateStateCode,
        "alarm": GateAlarm,
        "relay": GateRelay,
        "openType": GateDirection,
    },
    "2.34": {"readerState": ReaderState},
    "2.35": {"gateType": GateType},
    "2.37": {"cardStatus": CardStatus, "typeName": PosType, "posModel": PosModel},
    "2.38": {"available": AccountAvailable, "accountMember": AccountMember},
    "2.39": {"typeName": PosType, "posModel": PosModel, "logFlag": LogFlag},
    "2.40": {"rtspType": RtspType, "type": RecordingType},
    "2.41": {"channelState": ChannelState, "eventType": ParkEventType, "type": AllowListType},
    "2.42": {"status": ConnectState, "module": DeviceModule},
    "2.43": {"status": SpaceStatus, "retentionTime": RetentionTime},
    "2.46": {"reservationStatus": ReservationStatus, "remindTime": RemindTime, "startSignInTime": SignInLead},
}

# Code tables of the manual that the ERRATA decisions overrule: (section, field) -> why.
OVERRULED: Mapping[tuple[str, str], str] = {
    ("2.14.10", "certType"): "its table is shifted by one (1 = ID card); 2.14.12/2.14.13's table is used",
}


def code_set(section: str, field: str) -> type[CodedEnum] | None:
    """The enum that reads ``field`` of section ``section``'s records or parameters, or None."""
    group = section.rsplit(".", 1)[0]
    return CODE_SETS.get(group, {}).get(field)
