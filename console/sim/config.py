"""The simulator's configuration and its fault settings."""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from .profiles import EVENT_LANGUAGES, SERVER_PROFILES, STATE_CODE_TABLES

__all__ = ["Faults", "SimConfig", "start_offset"]


@dataclass(frozen=True, slots=True)
class SimConfig:
    """``SimConfig(token="T", seed=1, site="small", event_rate=0.0, hep=True, faults=None,
    server_profile="manual", event_language="en", tls=False, state_codes="api", start_at="")``.

    ``token`` is the access token the simulator accepts (never shown in reprs); ``event_rate`` live events
    per second (0: none); ``hep`` False makes the temperature endpoints (2.27) absent (404); ``faults`` the
    initial fault settings (see :class:`Faults`); ``server_profile`` ``"manual"`` (the manual's behaviour)
    or ``"real"`` (what real servers do: console/sim/profiles.py); ``event_language`` the language of
    ``eventName`` (``en``, ``es``, ``zh``, ``pt``); ``tls`` serves HTTPS with a self-signed certificate
    generated at start; ``state_codes`` the numeric door-state table of the real profile (``"api"``, the
    default, or ``"controller"``: console/sim/README.md); ``start_at`` a time of day, ``"HH:MM"``, the simulator's
    clock starts at, today (a trainer rehearses the night shift at ``"03:00"``; tests pin the time of day; "": the
    wall clock). ``ValueError`` for an unknown value.
    """

    token: str = field(repr=False)
    seed: int = 1
    site: str = "small"
    event_rate: float = 0.0
    hep: bool = True
    faults: Mapping[str, Any] | None = None
    server_profile: str = "manual"
    event_language: str = "en"
    tls: bool = False
    state_codes: str = "api"
    start_at: str = ""

    def __post_init__(self) -> None:
        check_profile(self.server_profile)
        check_language(self.event_language)
        check_state_codes(self.state_codes)
        start_offset(self.start_at)


def start_offset(start_at: str, now: float | None = None) -> float:
    """Seconds to add to the wall clock so that it reads ``start_at`` (``"HH:MM"``, local time) today: 0.0 for
    "". ``ValueError`` for any other text."""
    if not start_at:
        return 0.0
    try:
        wanted = datetime.strptime(start_at, "%H:%M").time()
    except ValueError:
        raise ValueError(f"start_at must be a time of day as HH:MM (00:00 to 23:59), not {start_at!r}") from None
    wall = datetime.fromtimestamp(time.time() if now is None else now)
    return datetime.combine(wall.date(), wanted).timestamp() - wall.timestamp()


def check_profile(profile: str) -> str:
    if profile not in SERVER_PROFILES:
        raise ValueError(f"server_profile must be one of {', '.join(SERVER_PROFILES)}, not {profile!r}")
    return profile


def check_state_codes(codes: str) -> str:
    if codes not in STATE_CODE_TABLES:
        raise ValueError(f"state_codes must be one of {', '.join(STATE_CODE_TABLES)}, not {codes!r}")
    return codes


def check_language(language: str) -> str:
    if language not in EVENT_LANGUAGES:
        raise ValueError(f"event_language must be one of {', '.join(EVENT_LANGUAGES)}, not {language!r}")
    return language


_RATES = ("error_rate", "malformed_rate", "drop_rate")


@dataclass(slots=True)
class Faults:
    """Injected faults on ``/api`` requests (``/_sim`` is never affected).

    ``latency_ms`` delays every answer; ``error_rate`` answers HTTP 500 without handling the request;
    ``drop_rate`` handles the request, then closes the connection without an answer; ``malformed_rate``
    handles it, then answers 200 with a truncated JSON body; while ``down_until`` (world clock) lies ahead,
    every request gets HTTP 503 (the world and its events go on).
    """

    latency_ms: float = 0.0
    error_rate: float = 0.0
    malformed_rate: float = 0.0
    drop_rate: float = 0.0
    down_until: float = 0.0

    def update(self, changes: Mapping[str, Any], now: float) -> None:
        """Apply a partial update (``{}`` or ``{"reset": true}`` clears all); ValueError names a bad entry."""
        if not changes or changes.get("reset") is True:
            for f in fields(self):
                setattr(self, f.name, 0.0)
            changes = {k: v for k, v in changes.items() if k != "reset"}
        staged: dict[str, float] = {}
        for key, value in changes.items():
            if key == "reset":
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ValueError(f"{key} must be a number")
            number = float(value)
            if key in _RATES:
                if not 0.0 <= number <= 1.0:
                    raise ValueError(f"{key} must be between 0 and 1")
                staged[key] = number
            elif key == "latency_ms":
                if not 0.0 <= number <= 60_000.0:
                    raise ValueError("latency_ms must be between 0 and 60000")
                staged[key] = number
            elif key == "down_seconds":
                if not 0.0 <= number <= 86_400.0:
                    raise ValueError("down_seconds must be between 0 and 86400")
                staged["down_until"] = now + number if number else 0.0
            else:
                raise ValueError(f"unknown fault {key!r}")
        for key, number in staged.items():
            setattr(self, key, number)

    def as_dict(self, now: float) -> dict[str, float]:
        return {"latency_ms": self.latency_ms, "error_rate": self.error_rate,
                "malformed_rate": self.malformed_rate, "drop_rate": self.drop_rate,
                "down_seconds": round(max(0.0, self.down_until - now), 3)}
