"""A door's or gate's state read without pydantic (``console.api.models.states``) is what the records read (issue 15:
the first fresh tiles are painted before pydantic is imported), whatever the server sends."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from console.api.models import ConnectState, DoorAlarm, GateAlarm, GateRelay, GateStateCode, RelayState, SensorState
from console.api.models.base import parse_list
from console.api.models.doors import DoorState, GateState
from console.api.models.states import StateRead, _plain, read_state
from tests.helpers import loaded_after

# the keys the records read, the area keys the board takes from their extras, and the records' own field names
_KEYS = ("id", "name", "deviceId", "connect", "sensor", "alarm", "relay", "gateState", "areaName", "authAreaName",
         "area", "zoneName", "device_id", "gate_state", "doorNo", "x" * 120)
_TEXT = st.one_of(
    st.text(max_size=10),
    st.sampled_from(["", " ", "  Lab door ", "0", "1", "2", "3", "-1", "255", "online", "OFFLINE", "open", "Closed",
                     "true", "nan", "1e3", "9" * 30, "\ud800x", "a\u202eb", " " * 4100 + "x", "x" * 5000]),
)
_VALUE = st.one_of(
    _TEXT,
    st.none(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, 1, 2, 3, 4, 5, 6, 255, 10**100]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
_RECORDS = st.dictionaries(st.sampled_from(_KEYS), _VALUE, max_size=12)


def _by_the_records(record: dict[str, Any], door: bool) -> StateRead | None:
    states: list[DoorState] | list[GateState] = parse_list(DoorState, [record]) if door else parse_list(
        GateState, [record])
    return StateRead.of_record(states[0]) if states else None


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(record=_RECORDS, door=st.booleans())
@example(record={"id": "1", "areaName": "x" * 5000}, door=True)  # the records keep 4,096 characters of a text
@example(record={"id": "1", "areaName": " " * 4100 + "x", "zoneName": "Z"}, door=True)  # blank as they keep it
@example(record={"id": "1", "authAreaName": "\ud800 A"}, door=False)  # a lone surrogate, replaced
@example(record={"id": "1", "alarm": None}, door=True)  # null is "no alarm", an absent alarm is unknown
@example(record={"id": "1", "device_id": "7", "deviceId": "8"}, door=True)
def test_a_state_read_without_the_records_is_what_the_records_read(record: dict[str, Any], door: bool) -> None:
    assert read_state(record, door=door) == _by_the_records(record, door)


_USUAL = st.one_of(st.text(max_size=10), st.sampled_from(["", "0", "1", "2", "3", "Lab", " Front door "]),
                   st.integers(-2, 300), st.none())


@settings(max_examples=300, deadline=None)
@given(record=st.fixed_dictionaries({"id": st.one_of(st.text(min_size=1, max_size=8), st.integers(1, 10**6))},
                                    optional={k: _USUAL for k in _KEYS[1:12]}),
       door=st.booleans())
def test_records_of_the_usual_shape_are_read_without_the_records(record: dict[str, Any], door: bool) -> None:
    assert _plain(record, door) is not None
    assert read_state(record, door=door) == _by_the_records(record, door)


def test_what_the_board_takes_from_a_door_and_a_gate() -> None:
    door = read_state({"id": "d1", "name": " Lab door ", "deviceId": 7, "connect": 1, "sensor": "2", "alarm": "0",
                       "relay": 1, "zoneName": "  ", "areaName": "East wing", "extra": [1, 2]}, door=True)
    assert door == StateRead(True, "d1", " Lab door ", "7", ConnectState.parse(1), sensor=SensorState.parse("2"),
                             relay=RelayState.parse(1), door_alarm=DoorAlarm.parse("0"), area="East wing")
    gate = read_state({"id": 9, "connect": "0", "gateState": 1, "alarm": 2, "relay": "1"}, door=False)
    assert gate == StateRead(False, "9", connect=ConnectState.parse("0"), gate_state=GateStateCode.parse(1),
                             gate_alarm=GateAlarm.parse(2), gate_relay=GateRelay.parse("1"))
    assert read_state({"name": "no id"}, door=True) is None
    assert read_state(["not", "a", "record"], door=True) is None
    assert read_state({"id": {"nested": 1}}, door=True) is None  # the records refuse it too


def test_reading_states_loads_neither_pydantic_nor_the_records() -> None:
    code = ("from console.api.models.states import read_state\n"
            "read_state({'id': 'd1', 'name': 'Lab', 'connect': 1, 'sensor': 1, 'areaName': 'A'}, door=True)\n"
            "read_state({'id': 'g1', 'gateState': 0}, door=False)\n"
            "from console.api import Client\n"
            "import console.api.paging, console.api.typed\n")
    assert loaded_after(code, ("pydantic", "console.api.models.base", "console.api.models.doors")) == []
