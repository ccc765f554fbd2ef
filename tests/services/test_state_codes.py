"""Door states sent as numbers (some server versions) are read like the manual's words; unknown codes stay visible."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from console.api.models import DoorAlarm, RelayState, SensorState
from console.api.typed import TypedCalls
from console.services.doors import DoorBoard, Kind
from console.services.paths import Paths
from console.services.session import Profile, Session
from console.services.state_codes import DEFAULT_STATE_CODES, StateCodes


class NumericServer(TypedCalls):
    """A server that answers allDoorState with numeric codes (and a page object, as large sites do)."""

    def __init__(self, states: list[dict[str, Any]]) -> None:
        self.states = states

    async def call(self, section: str, /, body: Any = None, files: Any = None, **params: Any) -> Any:
        if section == "2.12.1":
            return {"page": 1, "size": len(self.states), "total": len(self.states), "data": self.states}
        if section == "2.32.1":
            return []
        raise AssertionError(section)

    async def call_envelope(self, section: str, /, body: Any = None, files: Any = None, **params: Any) -> Any:
        raise AssertionError(section)


def board_for(tmp_path: Path, states: list[dict[str, Any]], codes: StateCodes = DEFAULT_STATE_CODES) -> DoorBoard:
    session = Session(Profile("Site", "http://127.0.0.1:1"), NumericServer(states), "ann",  # type: ignore[arg-type]
                      Paths.under(tmp_path))
    board = DoorBoard(session, state_codes=codes)
    board._lists_wanted = False  # the static lists are not this test's subject
    return board


async def test_numeric_states_read_as_words_and_an_unknown_code_stays_a_code(tmp_path: Path) -> None:
    board = board_for(tmp_path, [
        {"id": "d1", "name": "Lobby", "connect": "1", "sensor": "1", "relay": "1", "alarm": "0"},
        {"id": "d2", "name": "Dock", "connect": "1", "sensor": "0", "relay": "0", "alarm": "3"},
        {"id": "d3", "name": "Vault", "connect": "1", "sensor": "7", "relay": "7", "alarm": "64"},
        {"id": "d4", "name": "Words", "connect": "1", "sensor": "off", "relay": "off", "alarm": "none"},
    ])
    assert await board.poll_once()
    lobby, dock, vault, words = (board.item((Kind.DOOR, i)) for i in ("d1", "d2", "d3", "d4"))
    assert lobby is not None
    assert dock is not None
    assert vault is not None
    assert words is not None
    assert (lobby.sensor, lobby.relay, lobby.door_alarm) == (SensorState.OPEN, RelayState.OPEN, DoorAlarm.NONE)
    assert lobby.codes == {"sensor": "1", "relay": "1", "alarm": "0"}  # the raw values are kept
    assert (dock.sensor, dock.door_alarm) == (SensorState.CLOSED, DoorAlarm.DURESS_PASSWORD)
    assert dock.problem
    assert vault.sensor_words == "sensor code 7"  # never a silent "unknown"
    assert vault.relay_words == "relay code 7"
    assert vault.alarm_words == "alarm code 64"
    assert words.sensor is SensorState.CLOSED  # the manual's words still work
    assert words.codes == {}


async def test_a_site_picks_the_controller_table_and_adds_its_own_codes(tmp_path: Path) -> None:
    site = StateCodes.from_settings({"table": "controller", "alarm_bits": {"32": "tampering"}})
    assert "controller" in site.describe()
    assert "site's own codes" in site.describe()
    board = board_for(tmp_path, [
        {"id": "d1", "name": "Lobby", "connect": "1", "sensor": "2", "relay": "0", "alarm": "5"},  # forced + duress
        {"id": "d2", "name": "Dock", "connect": "1", "sensor": "0", "relay": "1", "alarm": "32"},
    ], site)
    assert await board.poll_once()
    lobby, dock = board.item((Kind.DOOR, "d1")), board.item((Kind.DOOR, "d2"))
    assert lobby is not None
    assert dock is not None
    assert lobby.sensor is SensorState.OPEN
    assert lobby.door_alarm is DoorAlarm.DURESS_PASSWORD  # the most urgent of the bits set
    assert dock.sensor is SensorState.NO_SENSOR
    assert dock.door_alarm is DoorAlarm.TAMPERING


def test_a_table_that_cannot_be_read_falls_back_to_the_default(caplog: Any) -> None:
    assert StateCodes.from_settings({"sensor": {"0": "wide open"}}) is DEFAULT_STATE_CODES
    assert "state_codes" in caplog.text
    assert StateCodes.from_settings({"table": "mine"}) is DEFAULT_STATE_CODES
    assert StateCodes.from_settings({"sensor": "not a table"}) is DEFAULT_STATE_CODES
    assert StateCodes.from_settings(None) is DEFAULT_STATE_CODES


def test_the_default_table_reads_what_the_training_simulator_sends_as_a_real_server() -> None:
    """The simulator's "real server" numbers (console.sim.profiles) read back as the words they stand for."""
    from console.sim.profiles import DOOR_ALARM_CODES, DOOR_RELAY_CODES, DOOR_SENSOR_CODES

    for field, table in (("sensor", DOOR_SENSOR_CODES), ("relay", DOOR_RELAY_CODES), ("alarm", DOOR_ALARM_CODES)):
        for word, code in table.items():
            record, codes = DEFAULT_STATE_CODES.translate({field: code})
            assert codes == {field: code}
            assert record[field] == word, (field, code)
