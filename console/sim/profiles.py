"""How a real server differs from the manual: the tables behind ``SimConfig(server_profile="real")``.

Everything here is data and pure functions; the routes and the app consult them per request, so
``Simulator.set_server_profile`` and ``Simulator.set_event_language`` apply at once. The evidence for each
choice is in console/sim/README.md ("Behaving like a real server").

- :data:`ROUTE_SPELLINGS`: routes whose section title and printed URL line differ only in letter case. A real
  server matches case-sensitively and answers the title's spelling (and its own route listing's ``accList``);
  the printed spelling is a 404 there. The manual profile answers both.
- :func:`numeric_door_state`: door ``sensor``/``relay``/``alarm`` as numeric strings instead of words.
- :data:`EVENT_NAMES` / :func:`localize`: the simulator's event names in English, Spanish, Simplified Chinese
  and Portuguese (real servers send ``eventName`` in the server's language).
- :data:`AUTH_FAILURE`: a refused token on a real server (HTTP 200, code -40).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, Literal

__all__ = [
    "AUTH_FAILURE",
    "CONTROLLER_ALARM_CODES",
    "CONTROLLER_SENSOR_CODES",
    "DOOR_ALARM_CODES",
    "DOOR_RELAY_CODES",
    "DOOR_SENSOR_CODES",
    "EVENT_LANGUAGES",
    "EVENT_NAMES",
    "PAGED_DOOR_STATES_ABOVE",
    "PAGED_DOOR_STATES_ALWAYS_ABOVE",
    "ROUTE_SPELLINGS",
    "SERVER_PROFILES",
    "STATE_CODE_TABLES",
    "EventLanguage",
    "ServerProfile",
    "localize",
    "numeric_door_state",
]

ServerProfile = Literal["manual", "real"]
EventLanguage = Literal["en", "es", "zh", "pt"]
SERVER_PROFILES: Final = ("manual", "real")
# which numeric door-state codes a real server sends (README: public sources disagree): "api", what the
# public integrations that parse this API's answers read (the default); "controller", the access controllers'
# own status codes (sensor 0 none / 1 closed / 2 open, alarm bits)
STATE_CODE_TABLES: Final = ("api", "controller")
EVENT_LANGUAGES: Final = ("en", "es", "zh", "pt")

# (method, the spelling a real server routes, the manual's printed spelling, section)
ROUTE_SPELLINGS: Final[tuple[tuple[str, str, str, str], ...]] = (
    ("POST", "/api/door/remoteCloseById", "/api/door/remotecloseById", "2.12.6"),
    ("POST", "/api/door/remoteCloseByName", "/api/door/remotecloseByName", "2.12.7"),
    ("POST", "/api/floor/remoteCloseById", "/api/floor/remotecloseById", "2.13.2"),
    ("GET", "/api/device/accList", "/api/device/acclist", "2.10.1"),
    ("GET", "/api/reader/accList", "/api/reader/acclist", "2.15.1"),
)

# A refused token on a real server: HTTP 200 with this body (the manual profile answers HTTP 401).
AUTH_FAILURE: Final[Mapping[str, Any]] = {"code": -40, "message": "Authorize access failure"}

# allDoorState answers a v2 page object ({page, size, total, data, ...}) above this many doors (the large
# site); a list below it.
PAGED_DOOR_STATES_ABOVE: Final = 500
DEFAULT_DOOR_STATE_PAGE: Final = 100
# ... and above this many (the xl site: 10,000 doors) in the manual profile too: no server answers ten
# thousand door states in one list, and the console must page there whatever the profile.
PAGED_DOOR_STATES_ALWAYS_ABOVE: Final = 5000

# -- numeric door states ---------------------------------------------------------------------------
# sensor and relay: 0 closed/off, 1 open (what the public integrations that parse real answers read);
# "2" for a door without a sensor is the simulator's own choice (no public source shows one).
DOOR_SENSOR_CODES: Final[Mapping[str, str]] = {"off": "0", "open": "1", "no sensor": "2"}
DOOR_RELAY_CODES: Final[Mapping[str, str]] = {"off": "0", "open": "1"}
# alarm: the manual's own numeric alarm codes for gates (2.32.1) where the door word is the same; the
# words that only doors have continue from 8.
DOOR_ALARM_CODES: Final[Mapping[str, str]] = {
    "none": "0",
    "be opened accidentally": "1",
    "tampering": "2",
    "duress password opening": "3",
    "duress fingerprint opening": "4",
    "duress opening": "5",
    "timeout": "8",
    "alarm": "9",
    "normal open alarm": "10",
    "low battery voltage": "11",
    "replace battery": "12",
    "illegal operation": "13",
    "backup power": "14",
}


# the controllers' own codes: sensor 0 no sensor / 1 closed / 2 open; relay 0/1; alarm a bit set (1 forced open,
# 2 tampering, 4 duress password, 8 duress fingerprint, 16 open too long); the words without a known bit get
# the next bits (shown raw by a console that does not know them)
CONTROLLER_SENSOR_CODES: Final[Mapping[str, str]] = {"no sensor": "0", "off": "1", "open": "2"}
CONTROLLER_ALARM_CODES: Final[Mapping[str, str]] = {
    "none": "0",
    "be opened accidentally": "1",
    "alarm": "1",
    "tampering": "2",
    "duress password opening": "4",
    "duress opening": "4",
    "duress fingerprint opening": "8",
    "timeout": "16",
    "normal open alarm": "32",
    "low battery voltage": "64",
    "replace battery": "128",
    "illegal operation": "256",
    "backup power": "512",
}
_TABLES: Final[Mapping[str, tuple[Mapping[str, str], Mapping[str, str], Mapping[str, str]]]] = {
    "api": (DOOR_SENSOR_CODES, DOOR_RELAY_CODES, DOOR_ALARM_CODES),
    "controller": (CONTROLLER_SENSOR_CODES, DOOR_RELAY_CODES, CONTROLLER_ALARM_CODES),
}


def numeric_door_state(state: Mapping[str, Any], codes: str = "api") -> dict[str, Any]:
    """A door state record (2.12.1-2.12.3) with ``sensor``/``relay``/``alarm`` as a real server sends them.

    ``codes`` chooses the table (:data:`STATE_CODE_TABLES`). Words are compared case-insensitively (the
    manual mixes ``None``/``none``). A state the device cannot report (offline or disabled: the manual's
    ``unknown``) becomes ``null``, as the manual's gate records print "None-unknown"; ``connect`` stays what
    it is ("0"/"1"/"2" already).
    """
    sensor, relay, alarm = _TABLES[codes]
    out = dict(state)
    for key, table in (("sensor", sensor), ("relay", relay), ("alarm", alarm)):
        value = state.get(key)
        if isinstance(value, str):
            out[key] = table.get(value.strip().lower())
    return out


# -- event names -----------------------------------------------------------------------------------
# English name (as the simulator stores it) -> (Spanish, Simplified Chinese, Portuguese).
_NAMES: Final[dict[str, tuple[str, str, str]]] = {
    "Normal Verify Open": ("Apertura con verificación normal", "正常验证开门", "Abertura com verificação normal"),
    "Normal Verify": ("Verificación normal", "正常验证", "Verificação normal"),
    "Card Not Registered": ("Usuario no registrado", "人未登记", "Usuário não registrado"),
    "Access Denied": ("Acceso denegado", "禁止通行", "Acesso negado"),
    "Remote Opening": ("Apertura remota", "远程开门", "Abertura remota"),
    "Remote Closing": ("Cierre remoto", "远程关门", "Fechamento remoto"),
    "Door Opened Accidentally": ("Puerta abierta forzadamente", "门被意外打开", "Porta aberta à força"),
    "Door Open Timeout": ("Tiempo de puerta abierta excedido", "开门超时", "Tempo de porta aberta excedido"),
    "Duress Password Open": ("Apertura con contraseña de coacción", "胁迫密码开门", "Abertura com senha de coação"),
    "Duress Fingerprint Open": ("Apertura con huella de coacción", "胁迫指纹开门",
                                "Abertura com impressão digital de coação"),
    "Tamper Alarm": ("Alarma de manipulación", "防拆报警", "Alarme de violação"),
    "Device Disconnected": ("Dispositivo desconectado", "设备断开连接", "Dispositivo desconectado"),
    "Device Connected": ("Dispositivo conectado", "设备已连接", "Dispositivo conectado"),
    "Abnormal Temperature": ("Temperatura anormal", "体温异常", "Temperatura anormal"),
}
EVENT_NAMES: Final[Mapping[str, Mapping[str, str]]] = {
    en: {"en": en, "es": es, "zh": zh, "pt": pt} for en, (es, zh, pt) in _NAMES.items()
}


def localize(name: str, language: str) -> str:
    """``name`` (the simulator's English event name) in ``language``; a name without a translation as it is."""
    if language == "en":
        return name
    names = EVENT_NAMES.get(name)
    return name if names is None else names.get(language, name)
