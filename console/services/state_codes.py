"""Door states as numbers: what some server versions send instead of the manual's words, and what they mean.

The manual prints ``sensor``, ``relay`` and ``alarm`` of a door state (2.12.1-2.12.3) as words (``"off"``,
``"open"``, ``"none"``). Some server versions send numeric strings instead (``"0"``, ``"1"``, ``"2"``). The
console accepts both: a numeric value is translated to the manual's word before the record is read, and the
raw code is kept, so a code nobody documented shows as "sensor code 3", never as a silent "unknown".

Two tables are built in (the evidence is in ``console/sim/README.md``, "Numeric door states"):

``api`` (the default): what public integrations that parse this API's answers from real CVSecurity servers
    read: sensor 0 closed, 1 open (2 no sensor); relay 0 off, 1 open; alarm the manual's gate alarm codes
    (2.32.1) for the words doors share with gates: 0 none, 1 forced open, 2 tampering, 3 duress (password),
    4 duress (fingerprint), 5 duress, then 8 open too long, 9 alarm, 10 normal-open alarm, 11 low battery,
    12 replace battery, 13 illegal operation, 14 on backup power.
``controller``: the access controllers' own status codes (their push protocol, also in public integrations
    of the panels): sensor 0 no sensor, 1 closed, 2 open; relay 0 off, 1 open; alarm a bit set: 1 forced open,
    2 tampering, 4 duress (password), 8 duress (fingerprint), 16 open too long.

Public sources disagree on the sensor codes, so a site picks a table, or writes its own, in the settings file;
the door details say which is in force::

    [state_codes]
    table = "controller"                      # or "api"; then, optionally, codes of the site's own:
    sensor = { "0" = "closed", "1" = "open" }  # words as the console shows them, or the manual's codes
    alarm = { "7" = "tampering" }
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from console.api.models import DoorAlarm, RelayState, SensorState

__all__ = ["API_TABLE", "CONTROLLER_TABLE", "DEFAULT_STATE_CODES", "TABLES", "StateCodes"]

log = logging.getLogger(__name__)

# the order in which alarms are named when several bits are set: the most urgent first
_ALARM_PRIORITY = (DoorAlarm.DURESS_PASSWORD, DoorAlarm.DURESS_FINGERPRINT, DoorAlarm.DURESS,
                   DoorAlarm.OPENED_ACCIDENTALLY, DoorAlarm.TAMPERING, DoorAlarm.TIMEOUT)


def _is_code(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return value >= 0
    return isinstance(value, str) and value.strip().isdigit() and value.strip().isascii()


@dataclass(frozen=True)
class StateCodes:
    """The table that turns numeric door-state codes into the manual's words (the manual's own codes, so that
    the record reads as if the server had sent them)."""

    sensor: Mapping[str, str]
    relay: Mapping[str, str]
    alarm: Mapping[str, str] = field(default_factory=dict)  # an enumerated code -> word
    alarm_bits: Mapping[int, str] = field(default_factory=dict)  # a bit -> word (when the alarm is a bit set)
    source: str = "the API table (default)"

    @classmethod
    def from_settings(cls, table: Any) -> StateCodes:
        """The site's table from ``[state_codes]`` of the settings file: a built-in table by name, with the
        site's own codes on top. One that cannot be read is reported in the log and the default is used."""
        if not isinstance(table, Mapping) or not table:
            return DEFAULT_STATE_CODES
        try:
            name = str(table.get("table", "api")).strip().lower()
            if name not in TABLES:
                raise ValueError(f"table must be one of {', '.join(TABLES)}, not {name!r}")
            base = TABLES[name]
            sensor = {**base.sensor, **_words(table.get("sensor"), SensorState, "sensor")}
            relay = {**base.relay, **_words(table.get("relay"), RelayState, "relay")}
            alarm = {**base.alarm, **_words(table.get("alarm"), DoorAlarm, "alarm")}
            bits = _words(table.get("alarm_bits"), DoorAlarm, "alarm_bits")
            alarm_bits = {**base.alarm_bits, **{int(k): v for k, v in bits.items() if int(k) > 0}}
        except (ValueError, TypeError) as exc:
            log.warning("the [state_codes] table of the settings file is not usable (%s); using the default", exc)
            return DEFAULT_STATE_CODES
        own = any(key in table for key in ("sensor", "relay", "alarm", "alarm_bits"))
        source = f"the {name} table" + (" with the site's own codes" if own else "") + " ([state_codes] in settings)"
        return cls(sensor, relay, alarm, alarm_bits, source)

    def describe(self) -> str:
        """One line for the door details: which meaning of the numeric codes is in force."""
        return f"Numeric state codes read with {self.source}"

    def translate(self, record: Mapping[str, Any]) -> tuple[Mapping[str, Any], dict[str, str]]:
        """A door state record with numeric ``sensor``/``relay``/``alarm`` turned into words, and the raw codes.

        Words are left as they are (the manual's form). A code the table does not know becomes ``"unknown"``
        and stays in the returned codes, so that it can be shown as a code.
        """
        codes: dict[str, str] = {}
        out: dict[str, Any] | None = None
        for name, table in (("sensor", self.sensor), ("relay", self.relay)):
            value = record.get(name)
            if _is_code(value):
                code = str(value).strip()
                codes[name] = code
                out = out if out is not None else dict(record)
                out[name] = table.get(code, "unknown")
        value = record.get("alarm")
        if _is_code(value):
            code = str(value).strip()
            codes["alarm"] = code
            out = out if out is not None else dict(record)
            out["alarm"] = self._alarm_word(int(code))
        return (out if out is not None else record), codes

    def _alarm_word(self, code: int) -> str:
        if code == 0:
            return "none"
        if not self.alarm_bits:
            return self.alarm.get(str(code), "unknown")
        bits = code
        named = {DoorAlarm.parse(word): word for bit, word in self.alarm_bits.items() if bits & bit}
        for alarm in _ALARM_PRIORITY:
            if alarm in named:
                return named[alarm]
        known = [word for word in named.values() if DoorAlarm.parse(word) is not DoorAlarm.UNKNOWN]
        return known[0] if known else "unknown"


def _words(value: Any, enum: Any, what: str) -> dict[str, str]:
    """``{"code": "word"}`` checked: codes are digits, words are ones the console understands."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise TypeError(f"{what} must be a table of code = word")
    out: dict[str, str] = {}
    for code, word in value.items():
        if not _is_code(code) or not isinstance(word, str):
            raise ValueError(f"{what}: {code!r} = {word!r} is not a number = word")
        out[str(code).strip()] = _manual_code(enum, word, what)
    return out


def _manual_code(enum: Any, word: str, what: str) -> str:
    """The manual's code for ``word`` (a code, an alias, or the words the console shows: "forced open")."""
    text = word.strip().lower()
    if text == "unknown":
        return text
    member = enum.parse(text)
    if member is enum.UNKNOWN:
        member = next((m for m in enum if m is not enum.UNKNOWN and m.words.lower() == text), enum.UNKNOWN)
    if member is enum.UNKNOWN:
        raise ValueError(f"{what}: {word!r} is not a state the console knows")
    return str(member.code)


API_TABLE = StateCodes(
    sensor={"0": "off", "1": "open", "2": "no sensor"},
    relay={"0": "off", "1": "open"},
    alarm={"1": "be opened accidentally", "2": "tampering", "3": "duress password opening",
           "4": "duress fingerprint opening", "5": "duress opening", "8": "timeout", "9": "alarm",
           "10": "normal open alarm", "11": "low battery voltage", "12": "replace battery",
           "13": "illegal operation", "14": "backup power"},
    source="the API table (default)",
)
CONTROLLER_TABLE = StateCodes(
    sensor={"0": "no sensor", "1": "off", "2": "open"},
    relay={"0": "off", "1": "open"},
    alarm_bits={1: "be opened accidentally", 2: "tampering", 4: "duress password opening",
                8: "duress fingerprint opening", 16: "timeout"},
    source="the controller table",
)
TABLES: Mapping[str, StateCodes] = {"api": API_TABLE, "controller": CONTROLLER_TABLE}
DEFAULT_STATE_CODES = API_TABLE
