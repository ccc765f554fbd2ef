"""How a door or gate state looks: words first, colour second (never colour alone).

``describe(item)`` gives the tile's lines in words; ``severity(item)`` picks the colour family; ``colours``
gives the palette-aware colours (a dark control-room theme and a light one).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from PySide6.QtGui import QColor, QPalette

from console.api.models import ConnectState, GateStateCode, SensorState
from console.services.doors import Item

__all__ = ["Colours", "Severity", "colours", "describe", "is_dark", "severity", "status_line"]


class Severity(enum.IntEnum):
    """Most urgent first when sorting by value descending."""

    OK = 0
    UNKNOWN = 1
    DISABLED = 2
    OPEN = 3
    STALE = 4
    OPEN_TOO_LONG = 5
    OFFLINE = 6
    ALARM = 7


def severity(item: Item) -> Severity:
    if item.alarm:
        return Severity.ALARM
    if item.offline:
        return Severity.OFFLINE
    if item.open_too_long:
        return Severity.OPEN_TOO_LONG
    if item.stale:
        return Severity.STALE
    if item.disabled:
        return Severity.DISABLED
    if not item.has_state or item.connect is ConnectState.UNKNOWN:
        return Severity.UNKNOWN
    if item.is_open or (not item.is_door and item.gate_state is GateStateCode.LOCKDOWN):
        return Severity.OPEN
    return Severity.OK


_CONNECT = {
    ConnectState.ONLINE: "Online",
    ConnectState.OFFLINE: "Offline",
    ConnectState.DISABLED: "Disabled",
    ConnectState.UNKNOWN: "Connection unknown",
}
_SENSOR = {
    SensorState.OPEN: "Open",
    SensorState.CLOSED: "Closed",
    SensorState.NO_SENSOR: "No sensor",
    SensorState.UNKNOWN: "Sensor unknown",
}


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def describe(item: Item) -> tuple[str, str]:
    """The two state lines of a tile: (connection · position, relay · alarm), all in words."""
    connect = _CONNECT[item.connect]
    if not item.has_state:
        return ("No state received yet", "")
    sensor = _cap(item.sensor_words) if item.sensor is SensorState.UNKNOWN and item.codes else _SENSOR[item.sensor]
    first = f"{connect} · {sensor}" if item.is_door else f"{connect} · {_cap(item.gate_state.words)}"
    alarm = "Alarm unknown" if item.alarm_words == "alarm state unknown" else _cap(item.alarm_words)
    second = f"{_cap(item.relay_words)} · {alarm}"
    if item.stale:  # no fresh data: what was last seen, and when; never "Online · Closed" as if it were now
        seen = sensor if item.is_door else _cap(item.gate_state.words)
        when = f" at {item.updated_at:%H:%M}" if item.updated_at is not None else ""
        first = f"Last seen {seen.lower()}{when}"
        second = f"Then: {item.relay_words} · {alarm.lower()}"
    return first, second


def status_line(item: Item, now_text: str = "") -> str:
    """The badge: the most urgent thing about this item, in capitals (or "" when all is well)."""
    sev = severity(item)
    if sev is Severity.ALARM and item.acknowledged:  # an operator has it: said so until the controller clears it
        return _cap(item.acknowledged)  # "Alarm acknowledged by Anna at 02:14" (the alarm's words are above)
    if sev is Severity.ALARM:
        return f"ALARM: {item.alarm_words.upper()}"
    if sev is Severity.OFFLINE:
        return "OFFLINE"
    if sev is Severity.OPEN_TOO_LONG:
        return "OPEN TOO LONG"
    if sev is Severity.STALE:
        return "STALE: NO FRESH DATA"
    if sev is Severity.DISABLED:
        return "DISABLED"
    if item.maintenance:  # low battery, replace battery, backup power: shown, not an alarm
        return f"MAINTENANCE: {item.alarm_words.upper()}"
    return ""


def full_text(item: Item) -> str:
    """Everything about the item in words (tooltip, accessibility, details)."""
    first, second = describe(item)
    lines = [f"{item.kind.value.capitalize()}: {item.name}"]
    if item.area:
        lines.append(f"Area: {item.area}")
    if item.device_name or item.device_sn:
        lines.append(f"Device: {item.device_name} {f'(SN {item.device_sn})' if item.device_sn else ''}".strip())
    lines += [x for x in (first, second) if x]
    badge = status_line(item)
    if badge:
        lines.append(badge)
    if item.updated_at is not None:
        lines.append(f"Last update: {item.updated_at:%H:%M:%S}")
    return "\n".join(lines)


@dataclass(frozen=True)
class Colours:
    accent: dict[Severity, QColor]
    tint: dict[Severity, QColor]
    tile: QColor
    border: QColor
    text: QColor
    muted: QColor
    header_text: QColor
    selection: QColor
    hatch: QColor


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def colours(palette: QPalette) -> Colours:
    dark = is_dark(palette)
    if dark:
        accent = {
            Severity.OK: QColor("#4caf50"),
            Severity.UNKNOWN: QColor("#8d96a0"),
            Severity.DISABLED: QColor("#6e7681"),
            Severity.OPEN: QColor("#42a5f5"),
            Severity.STALE: QColor("#b39ddb"),
            Severity.OPEN_TOO_LONG: QColor("#ffa726"),
            Severity.OFFLINE: QColor("#9e9e9e"),
            Severity.ALARM: QColor("#ff5252"),
        }
        tint_alpha = {Severity.ALARM: 90, Severity.OFFLINE: 50, Severity.OPEN_TOO_LONG: 60}
        tile = QColor("#1f242b")
        border = QColor("#30363d")
        text = QColor("#e6edf3")
        muted = QColor("#9aa4ae")
        hatch = QColor(255, 255, 255, 28)
    else:
        accent = {
            Severity.OK: QColor("#2e7d32"),
            Severity.UNKNOWN: QColor("#6b7280"),
            Severity.DISABLED: QColor("#9ca3af"),
            Severity.OPEN: QColor("#1565c0"),
            Severity.STALE: QColor("#6a4fb3"),
            Severity.OPEN_TOO_LONG: QColor("#e65100"),
            Severity.OFFLINE: QColor("#4b5563"),
            Severity.ALARM: QColor("#c62828"),
        }
        tint_alpha = {Severity.ALARM: 45, Severity.OFFLINE: 40, Severity.OPEN_TOO_LONG: 40}
        tile = QColor("#ffffff")
        border = QColor("#d0d7de")
        text = QColor("#1f2328")
        muted = QColor("#57606a")
        hatch = QColor(0, 0, 0, 22)
    tint: dict[Severity, QColor] = {}
    for sev, colour in accent.items():
        tinted = QColor(colour)
        tinted.setAlpha(tint_alpha.get(sev, 0))
        tint[sev] = tinted
    selection = QColor(palette.color(QPalette.ColorRole.Highlight))
    if selection.hsvSaturation() < 90:  # a grey highlight would not tell the selected tile apart
        selection = QColor("#58a6ff" if dark else "#1f6feb")
    if not dark and selection.lightness() > 150:
        selection = selection.darker(160)  # a pale highlight vanishes on white tiles
    elif dark and selection.lightness() < 110:
        selection = selection.lighter(150)
    return Colours(accent, tint, tile, border, text, muted, muted, selection, hatch)
