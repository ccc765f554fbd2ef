"""A door's or a gate's state record read without pydantic: what the door board takes from each (issue 15).

The board reads 2.12.1 ``allDoorState`` and 2.32.1 ``allGateState`` every few seconds, 11,000 records at a large
site, and its first poll after a start is what the guard waits for. :func:`read_state` reads a record of the
usual shape (the documented camelCase keys, every value text, a number, a boolean or null, a few dozen keys)
with the same readers as the records' field types (:mod:`.lenient`, :class:`.coded.CodedEnum`), so the first
fresh tiles are painted before pydantic and the records are imported (~100 ms), and a poll reads each changed
record several times faster. Any other record is read by the records themselves (:class:`.doors.DoorState`,
:class:`.doors.GateState`): the same answers either way (``tests/api/test_states.py`` compares both).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from .coded import CodedEnum
from .door_codes import ConnectState, DoorAlarm, GateAlarm, GateRelay, GateStateCode, RelayState, SensorState
from .lenient import _to_str, cut_text

if TYPE_CHECKING:
    from .doors import DoorState, GateState

__all__ = ["AREA_FIELDS", "StateRead", "read_state"]

AREA_FIELDS = ("areaName", "authAreaName", "area", "zoneName")
"""Keys some servers add to a state record (not in the manual) naming the door's area: the first non-empty wins."""

_MOST_KEYS = 64  # the records keep at most 64 undocumented keys (base.MAX_EXTRAS): a longer record goes to them
_PLAIN_VALUES = frozenset({str, int, float, bool, type(None)})
# the records' own names for aliased fields (populate_by_name): a record with any of them goes to the records
_SHADOW_KEYS = frozenset({"device_id", "gate_state"})
C = TypeVar("C", bound=CodedEnum)


@dataclass(frozen=True, slots=True)
class StateRead:
    """The fields of a :class:`.doors.DoorState` (``door``) or :class:`.doors.GateState` the board uses, and the
    record's area (the first non-empty :data:`AREA_FIELDS` key, as text; ``""`` when none)."""

    door: bool
    id: str
    name: str = ""
    device_id: str = ""
    connect: ConnectState = ConnectState.UNKNOWN
    sensor: SensorState = SensorState.UNKNOWN  # doors
    relay: RelayState = RelayState.UNKNOWN  # doors
    door_alarm: DoorAlarm = DoorAlarm.UNKNOWN  # doors
    gate_state: GateStateCode = GateStateCode.UNKNOWN  # gates
    gate_alarm: GateAlarm = GateAlarm.UNKNOWN  # gates
    gate_relay: GateRelay = GateRelay.UNKNOWN  # gates
    area: str = ""

    @classmethod
    def of_record(cls, record: DoorState | GateState) -> StateRead:
        """The same fields from a validated record."""
        from .doors import DoorState

        extra = record.model_extra or {}
        area = next((v for v in (extra.get(k) for k in AREA_FIELDS) if isinstance(v, str) and v.strip()), "")
        if isinstance(record, DoorState):
            return cls(True, record.id, record.name, record.device_id, record.connect, sensor=record.sensor,
                       relay=record.relay, door_alarm=record.alarm, area=area)
        return cls(False, record.id, record.name, record.device_id, record.connect, gate_state=record.gate_state,
                   gate_alarm=record.alarm, gate_relay=record.relay, area=area)


def _plain(record: Mapping[str, Any], door: bool) -> StateRead | None:
    """:func:`read_state` for a record of the usual shape; None for any other (the records read it)."""
    if (len(record) > _MOST_KEYS or not _SHADOW_KEYS.isdisjoint(record)
            or not _PLAIN_VALUES.issuperset(map(type, record.values()))):
        return None
    get = record.get
    area = ""
    for key in AREA_FIELDS:
        value = get(key)
        if type(value) is str:
            area = cut_text(value)  # as the records keep an undocumented text
            if area.strip():
                break
            area = ""
    common = (_to_str(get("id")), _to_str(get("name")), _to_str(get("deviceId")),  # "" when absent or null
              _coded(ConnectState, record, "connect"))
    if door:
        return StateRead(True, *common, sensor=_coded(SensorState, record, "sensor"),
                         relay=_coded(RelayState, record, "relay"), door_alarm=_coded(DoorAlarm, record, "alarm"),
                         area=area)
    return StateRead(False, *common, gate_state=_coded(GateStateCode, record, "gateState"),
                     gate_alarm=_coded(GateAlarm, record, "alarm"), gate_relay=_coded(GateRelay, record, "relay"),
                     area=area)


def _coded(kind: type[C], record: Mapping[str, Any], key: str) -> C:
    """The code under ``key`` as the records read it: absent is UNKNOWN, ``null`` is whatever ``parse`` makes of
    it (DoorAlarm.NONE: "no alarm")."""
    return kind.parse(record[key]) if key in record else kind["UNKNOWN"]


def read_state(record: Any, *, door: bool) -> StateRead | None:
    """One state record (a door's when ``door``, else a gate's) read as the board needs it, or None when it is no
    state at all (not an object, no ``id``, a field of the wrong kind: what the records would refuse)."""
    if not isinstance(record, dict) or "id" not in record:
        return None
    plain = _plain(record, door)
    if plain is not None:
        return plain
    from .base import parse_list  # an unusual record: the records (pydantic) read it
    from .doors import DoorState, GateState

    states: list[DoorState] | list[GateState] = parse_list(DoorState, [record]) if door else parse_list(
        GateState, [record])
    return StateRead.of_record(states[0]) if states else None
