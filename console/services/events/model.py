"""The normalised event record, its content key, and the filter a view applies to history and live events.

Everything here is plain data. The server's records (2.19.5/2.19.6 access, 2.35.5/2.35.6 entrance control,
2.27.1/2.27.2 temperature and mask) differ in which keys they carry and in their types; :func:`normalise`
turns any of them into one :class:`Event`, treating every string as untrusted (cut, control characters
removed) and every photo as suspect (size-capped, JPEG/PNG only).
"""

from __future__ import annotations

import base64
import binascii
import enum
import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from hashlib import blake2b
from typing import Any, Literal

from console.api.errors import ModelError
from console.api.models import (
    AccessTransaction,
    ElevatorTransaction,
    GateTransaction,
    MaskFlag,
    TemperatureEvent,
    Transaction,
    parse_model,
    parse_time,
)
from console.api.models.lenient import MAX_TEXT, _to_opt_float, _to_opt_int, _to_str
from console.services.text import MAX_FIELD, clean_text

__all__ = [
    "MAX_FIELD",
    "MAX_PHOTO_BASE64",
    "MAX_PHOTO_PATH",
    "Acknowledgement",
    "Event",
    "EventFilter",
    "Gap",
    "Level",
    "Source",
    "clean_text",
    "event_key",
    "format_time",
    "key_prefix",
    "legacy_key",
    "normalise",
    "same_event_key",
    "time_texts",
]

"""Longest text kept in one field of an event (names, doors, devices); longer text is cut."""
MAX_PHOTO_BASE64 = 700_000
"""Longest ``capturePhotoBase64`` kept (about 512 KB of image); a longer one is dropped, never decoded."""
MAX_PHOTO_PATH = 512
MAX_RAW_JSON = 16_384
"""Largest raw record kept (JSON characters); a bigger one keeps only its scalar fields, cut."""

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


class Level(enum.IntEnum):
    """Severity. The numbers are the manual's ``eventLevel`` codes (2.19.13: 0 normal, 1 warning, 2 alarm)."""

    NORMAL = 0
    WARNING = 1
    ALARM = 2

    @property
    def word(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, value: Any) -> Level:
        """A level from its number (0/1/2, also as text) or its word; ``ValueError`` otherwise."""
        if isinstance(value, Level):
            return value
        if isinstance(value, bool):
            raise ValueError(f"not a level: {value!r}")
        text = str(value).strip().lower()
        for member in cls:
            if text in (member.word, str(member.value)):
                return member
        raise ValueError(f"not a level: {value!r} (normal, warning or alarm)")


class Source(enum.StrEnum):
    """Where an event comes from: access control, entrance control (gates), temperature and mask, elevators
    (floors: no monitor endpoint, the stream polls the 2.20.2 list by time range)."""

    ACCESS = "access"
    GATE = "gate"
    TEMPERATURE = "temperature"
    ELEVATOR = "elevator"


@dataclass(frozen=True, slots=True)
class Acknowledgement:
    """An operator's acknowledgement of an alarm, stored with the event in the journal."""

    at: datetime
    operator: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class Event:
    """One access, gate or temperature event, whatever endpoint it came from.

    ``key`` is the content key (:func:`event_key`); it identifies the event across the monitor and list
    endpoints and across restarts. ``time`` is the device's time as the server reports it (naive, server
    local time). ``raw`` is the server's record, sanitised, without the photo.
    """

    key: str
    source: Source
    time: datetime
    name: str
    level: Level = Level.NORMAL
    pin: str = ""
    person: str = ""
    department: str = ""
    point: str = ""
    reader: str = ""
    device_sn: str = ""
    device_name: str = ""
    verify_mode: str = ""
    area: str = ""
    card: str = ""
    event_no: str = ""
    temperature: float | None = None
    mask: str = ""
    photo_base64: str = ""
    photo_path: str = ""
    photo_note: str = ""
    has_photo: bool = False
    backfilled: bool = False
    received: datetime | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)
    ack: Acknowledgement | None = None

    @property
    def device(self) -> str:
        """What an operator calls the device: its name, else its serial number."""
        return self.device_name or self.device_sn

    @property
    def time_text(self) -> str:
        return format_time(self.time)


def _event_maker() -> Callable[..., Event]:
    """A constructor of :class:`Event` taking every field by keyword, none left to a default, that sets the
    slots through their descriptors: the same object as ``Event(...)`` in a third of the time (a frozen
    dataclass's ``__init__`` goes through ``object.__setattr__`` for each of its 26 fields; ``normalise``
    builds one per record). Generated from the fields, as ``dataclasses`` makes ``__init__``."""
    names = [f.name for f in fields(Event)]
    scope: dict[str, Any] = {"new": object.__new__, "Event": Event}
    scope.update({f"set_{name}": getattr(Event, name).__set__ for name in names})
    body = "".join(f"    set_{name}(event, {name})\n" for name in names)
    exec(f"def make(*, {', '.join(names)}):\n    event = new(Event)\n{body}    return event\n", scope)  # noqa: S102
    made: Callable[..., Event] = scope["make"]
    return made


_new_event = _event_maker()


def format_time(value: datetime) -> str:
    """``yyyy-MM-dd HH:mm:ss``: the form the server takes and sorts as text."""
    if type(value) is datetime and value.tzinfo is None and value.year >= 1000:
        return value.isoformat(" ", "seconds")  # the same text, ten times faster (three times per stored event)
    return value.strftime(TIME_FORMAT)


_TIMES: dict[datetime, tuple[str, str]] = {}  # recent event times -> (format_time, key_prefix)
_MOST_TIMES = 4096


def time_texts(value: datetime) -> tuple[str, str]:
    """(:func:`format_time`, :func:`key_prefix`) of ``value``, remembered for the few thousand latest times: a
    busy site's events share their seconds, and each stored event needs both texts (its key and its row)."""
    texts = _TIMES.get(value)
    if texts is None:
        text = format_time(value)
        if type(value) is datetime and value.tzinfo is None and value.year >= 1000:  # text is isoformat's
            prefix = text[:4] + text[5:7] + text[8:10] + text[11:13] + text[14:16] + text[17:19]
        else:
            prefix = key_prefix(value)
        if len(_TIMES) >= _MOST_TIMES:
            _TIMES.clear()
        texts = _TIMES[value] = (text, prefix)
    return texts


# -- untrusted text ------------------------------------------------------------------------------




def _norm_for_key(value: Any) -> str:
    if type(value) is str and len(value) <= MAX_FIELD and value.isprintable():  # clean_text's fast path
        return " ".join(value.split()).casefold()
    return " ".join(clean_text(value).split()).casefold()


# -- the content key -----------------------------------------------------------------------------


def _point_of(record: Mapping[str, Any]) -> str:
    return clean_text(record.get("eventPointName")) or clean_text(record.get("doorName"))


def event_key(record: Mapping[str, Any], source: Source | str, *, time: datetime | None = None) -> str:
    """The stable content key of a server record.

    Built from the device serial, the event time to the second, the event name, the point (``eventPointName``,
    else ``doorName``), the pin, the card number and the source; compared without case or extra spaces. Not
    the ``id``: monitor records have none (or ``null``/``""``) while list records have one, and the same
    event arrives from both. ``time`` is the record's ``eventTime`` already parsed, if the caller has it.
    The key starts with that time (:func:`key_prefix`), then the hash of the rest (:func:`legacy_key`).
    """
    raw_time = record.get("eventTime")
    parsed = time if time is not None else parse_time(raw_time)
    if parsed is None:
        when, prefix = _norm_for_key(raw_time), _NO_TIME
    else:
        when, prefix = time_texts(parsed)
    parts = (
        Source(source).value,
        _norm_for_key(record.get("devSn")),
        when,
        _norm_for_key(record.get("eventName")),
        " ".join(_point_of(record).split()).casefold(),
        _norm_for_key(record.get("pin") or record.get("personPin")),
        _norm_for_key(record.get("cardNo")),
    )
    return prefix + blake2b("\x1f".join(parts).encode("utf-8"), digest_size=16).hexdigest()


KEY_PREFIX = 14  # characters of the time a content key starts with (``yyyyMMddHHmmss``)
_HASH_LENGTH = 32
_NO_TIME = "0" * KEY_PREFIX


def key_prefix(time: datetime | None) -> str:
    """What a content key starts with: the event's time to the second, ``yyyyMMddHHmmss`` (zeros when the
    server's time could not be read). Keys in time order keep the journal's key index appended to at one
    place, the newest, instead of at a random leaf of a large B-tree per event (a million events: half the
    time of an insert batch; ``tests/benchmarks/bench_journal.py``)."""
    if time is None:
        return _NO_TIME
    return f"{time.year:04d}{time.month:02d}{time.day:02d}{time.hour:02d}{time.minute:02d}{time.second:02d}"


def legacy_key(key: str) -> str | None:
    """The key an older console gave the same event (the hash alone, before keys began with the time), or
    None when ``key`` is not a content key of this form. The journal looks both up for events from before
    the change (``Journal.add``), so an event stored by an older console is not stored again."""
    if len(key) == KEY_PREFIX + _HASH_LENGTH and key[:KEY_PREFIX].isdigit() and key.isascii():
        return key[KEY_PREFIX:]
    return None


def same_event_key(computed: str, stored: str) -> bool:
    """Whether a key just computed from a server record (:func:`event_key`) names an event stored under
    ``stored``, which an older console may have stored under the key without the time (:func:`legacy_key`)."""
    return computed == stored or (len(stored) == _HASH_LENGTH and legacy_key(computed) == stored)


# -- photos --------------------------------------------------------------------------------------

_B64_BODY = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_DATA_URI = re.compile(r"data:image/[a-z0-9.+-]{1,20};base64,", re.IGNORECASE)
_IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")


def clean_photo_base64(value: Any, limit: int = MAX_PHOTO_BASE64) -> tuple[str, str]:
    """(photo, note): the base64 text of a JPEG or PNG, or ``""`` with the reason it was refused.

    Nothing is decoded beyond the first bytes (the format sniff): a too-large photo is refused by length.
    """
    if value is None or value == "":
        return "", ""
    if not isinstance(value, str):
        return "", "photo refused: not text"
    if len(value) > limit + 64:
        return "", f"photo refused: larger than {limit // 1024} KiB of base64"
    text = value.strip()
    match = _DATA_URI.match(text)
    if match:
        text = text[match.end() :]
    text = "".join(text.split())
    if not text:
        return "", ""
    if len(text) > limit:
        return "", f"photo refused: larger than {limit // 1024} KiB of base64"
    if not _B64_BODY.fullmatch(text) or len(text) % 4 == 1:
        return "", "photo refused: not base64"
    try:
        head = base64.b64decode(text[:16], validate=True)
    except (binascii.Error, ValueError):
        return "", "photo refused: not base64"
    if not head.startswith(_IMAGE_MAGIC):
        return "", "photo refused: not a JPEG or PNG image"
    return text, ""


_PATH_OK = re.compile(r"[A-Za-z0-9_./\-]+")


def clean_photo_path(value: Any) -> tuple[str, str]:
    """(path, note): a server-relative photo path such as ``/upload/event/photo/SN/x.jpg``, or why not."""
    text = clean_text(value, MAX_PHOTO_PATH + 1)
    if not text:
        return "", ""
    if len(text) > MAX_PHOTO_PATH or not _PATH_OK.fullmatch(text) or ".." in text or "//" in text:
        return "", "photo path refused"
    return text, ""


# -- the raw record ------------------------------------------------------------------------------

_PHOTO_KEYS = ("capturePhotoBase64", "photoBase64", "photo")


def _sanitise(value: Any, depth: int = 0) -> Any:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if -(2**63) <= value < 2**63 else str(value)[:40]
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        return clean_text(value, 1024)
    if depth >= 3:
        return None
    if isinstance(value, Mapping):
        return {clean_text(k, 64): _sanitise(v, depth + 1) for k, v in list(value.items())[:64]}
    if isinstance(value, (list, tuple)):
        return [_sanitise(v, depth + 1) for v in list(value)[:64]]
    return None


_PLAIN_KEYS: set[str] = set()  # keys sanitise_raw keeps as they are (short identifiers, not a photo's)
_MOST_PLAIN_KEYS = 4096


def sanitise_raw(record: Mapping[str, Any]) -> dict[str, Any]:
    """The record without its photo, every value made JSON-safe and bounded."""
    if len(record) <= 128 and _PLAIN_KEYS.issuperset(record):  # the usual record: known keys, plain values
        out: dict[str, Any] = {}
        rough = 0
        for key, value in record.items():
            kind = type(value)
            if kind is str:
                if len(value) > 1024 or not value.isprintable():
                    break
                value = value.strip()
                rough += len(key) + len(value)
            elif (kind is int and -(2**63) <= value < 2**63) or value is None:
                rough += len(key) + 24
            else:
                break
            out[key] = value
        else:
            if rough <= MAX_RAW_JSON // 2:
                return out
    return _sanitise_record(record)


def _sanitise_record(record: Mapping[str, Any]) -> dict[str, Any]:
    """:func:`sanitise_raw` for any record."""
    out: dict[str, Any] = {}
    nested, rough = False, 0  # rough: the JSON size, about (only a record that may be too big is dumped)
    for key, value in list(record.items())[:128]:
        if type(key) is str and len(key) <= 64 and key.isidentifier():
            name = key
            if key not in _PHOTO_KEYS and len(_PLAIN_KEYS) < _MOST_PLAIN_KEYS:
                _PLAIN_KEYS.add(key)
        else:
            name = clean_text(key, 64)
        if name in _PHOTO_KEYS and isinstance(value, str) and value:
            out[name] = f"<{len(value)} characters, kept apart>"
            continue
        kind = type(value)
        if kind is str and len(value) <= 1024 and value.isprintable():  # clean_text's own fast path, inline
            out[name] = value.strip()
        elif kind is int and -(2**63) <= value < 2**63:
            out[name] = value
        else:
            out[name] = _sanitise(value, 1)
    for k, v in out.items():
        if type(v) is str:
            rough += len(k) + len(v)
        else:
            rough += len(k) + 24
            nested = nested or isinstance(v, (dict, list))
    if (nested or rough > MAX_RAW_JSON // 2) and len(json.dumps(out, ensure_ascii=False)) > MAX_RAW_JSON:
        out = {k: (v[:128] if isinstance(v, str) else v) for k, v in out.items() if not isinstance(v, (dict, list))}
    return out


# -- normalisation -------------------------------------------------------------------------------


def _temperature(value: Any) -> float | None:
    if value is None or isinstance(value, bool) or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) and -100.0 < number < 200.0 else None


def _person(record: Mapping[str, Any]) -> str:
    parts = [clean_text(record.get(k)) for k in ("name", "lastName")]
    return " ".join(p for p in parts if p)[:MAX_FIELD]


_MODELS: Mapping[Source, type[Transaction]] = {
    Source.ACCESS: AccessTransaction,
    Source.GATE: GateTransaction,
    Source.TEMPERATURE: TemperatureEvent,
    Source.ELEVATOR: ElevatorTransaction,
}


_PLAIN_VALUES = frozenset({str, int, float, bool, type(None)})
_STR = frozenset({str})
# the models' other names for the fields _plain_fields reads (their own snake_case names: populate_by_name);
# a record with any of them is left to the models (tests/services/events/test_ingest_speed.py checks the list)
SHADOW_KEYS = frozenset({
    "event_time", "last_name", "dept_name", "area_name", "card_no", "dev_sn", "dev_name", "event_name", "event_no",
    "event_point_name", "reader_name", "verify_mode_name", "door_name", "mask_flag", "photo_path",
})


def _text(value: Any) -> Any:
    """The models' ``Str`` reading of ``value`` (``_to_str``), its common case first."""
    if type(value) is str and value.isascii() and len(value) <= MAX_TEXT:
        return value
    return _to_str(value)


def _plain_fields(record: Mapping[str, Any], src: Source) -> dict[str, Any] | None:
    """What :func:`_typed_fields` reads through the models, read directly (four times faster), for a record of
    the usual shape: camelCase keys, every value text, a number, a boolean or null. None for any other record
    (the models then read it). The same validators as the models' (``console.api.models.base``), so the
    same fields: ``tests/services/events/test_speedups.py`` compares both on odd records (hypothesis)."""
    if (not SHADOW_KEYS.isdisjoint(record) or not _STR.issuperset(map(type, record))
            or not _PLAIN_VALUES.issuperset(map(type, record.values()))):
        return None
    get = record.get
    event_no = _to_opt_int(get("eventNo") if "eventNo" in record else get("eventNumber"))
    first = _text(get("name") if "name" in record else get("personName")).strip()
    last = _text(get("lastName") if "lastName" in record else get("personLastName")).strip()
    point = _text(get("eventPointName")).strip()
    if not point and src is Source.ACCESS:
        point = _text(get("doorName"))
    fields: dict[str, Any] = {
        "time": parse_time(get("eventTime")),
        "name": _text(get("eventName")),
        "pin": _text(get("pin") if "pin" in record else get("personPin")),
        "person": f"{first} {last}" if first and last else first or last,
        "department": _text(get("deptName")),
        "point": point,
        "reader": _text(get("readerName")),
        "device_sn": _text(get("devSn")),
        "device_name": _text(get("devName")),
        "verify_mode": _text(get("verifyModeName")),
        "area": _text(get("areaName")),
        "card": _text(get("cardNo")),
        "event_no": "" if event_no is None else event_no,
        "temperature": None,
        "mask": "",
        "photo_path": "",
    }
    if src is Source.TEMPERATURE:
        fields["temperature"] = _temperature(_to_opt_float(get("temperature")))
        flag = MaskFlag.parse(get("maskFlag"))
        fields["mask"] = flag.code if flag in (MaskFlag.NO_MASK, MaskFlag.MASK) else ""
        fields["photo_path"] = _text(get("photoPath"))
    return fields


def _typed_fields(record: Mapping[str, Any], src: Source) -> dict[str, Any]:
    """The record's fields through the shared API models (console.api.models.transactions), or, for a record
    those refuse (a field of the wrong kind), read one by one: a malformed record is still an event. A record
    of the usual shape is read without building the model (:func:`_plain_fields`, the same fields)."""
    plain = _plain_fields(record, src)
    if plain is not None:
        return plain
    return _model_fields(record, src)


def _model_fields(record: Mapping[str, Any], src: Source) -> dict[str, Any]:
    """:func:`_typed_fields` through the models alone."""
    try:
        tx = parse_model(_MODELS[src], dict(record))
    except ModelError:
        mask_raw = record.get("maskFlag")
        return {
            "time": parse_time(record.get("eventTime")),
            "name": record.get("eventName"),
            "pin": record.get("pin", record.get("personPin")),
            "person": _person(record),
            "department": record.get("deptName"),
            "point": _point_of(record),
            "reader": record.get("readerName"),
            "device_sn": record.get("devSn"),
            "device_name": record.get("devName"),
            "verify_mode": record.get("verifyModeName"),
            "area": record.get("areaName"),
            "card": record.get("cardNo"),
            "event_no": record.get("eventNo", record.get("eventNumber")),
            "temperature": _temperature(record.get("temperature")),
            "mask": mask_raw if mask_raw is not None else "",
            "photo_path": record.get("photoPath"),
        }
    fields: dict[str, Any] = {
        "time": tx.event_time,
        "name": tx.event_name,
        "pin": tx.pin,
        "person": tx.person,
        "department": tx.dept_name,
        "point": tx.event_point_name.strip() or getattr(tx, "door_name", ""),
        "reader": tx.reader_name,
        "device_sn": tx.dev_sn,
        "device_name": tx.dev_name,
        "verify_mode": tx.verify_mode_name,
        "area": tx.area_name,
        "card": tx.card_no,
        "event_no": "" if tx.event_no is None else tx.event_no,
        "temperature": None,
        "mask": "",
        "photo_path": "",
    }
    if isinstance(tx, TemperatureEvent):
        fields["temperature"] = _temperature(tx.temperature)
        fields["mask"] = tx.mask_flag.code if tx.mask_flag in (MaskFlag.NO_MASK, MaskFlag.MASK) else ""
        fields["photo_path"] = tx.photo_path
    return fields


def _plain(value: str | int | None) -> str:
    """The text of a value of the usual record (stripped text, an integer or null) as the long way reads it."""
    return "" if value is None else value if type(value) is str else str(value)


def _norm_plain(value: str | int | None) -> str:
    """:func:`_norm_for_key` of such a value."""
    return " ".join(_plain(value).split()).casefold()


_EVENT_TIMES: dict[str, datetime | None] = {}  # recent eventTime texts -> parse_time of them


def _event_time(value: Any) -> datetime | None:
    """``parse_time(value)``, remembered for the few thousand latest texts (a busy site's events share seconds)."""
    if type(value) is not str:
        return parse_time(value)
    try:
        return _EVENT_TIMES[value]
    except KeyError:
        if len(_EVENT_TIMES) >= _MOST_TIMES:
            _EVENT_TIMES.clear()
        parsed = _EVENT_TIMES[value] = parse_time(value)
        return parsed


def _rough_size(raw: Mapping[str, Any]) -> int:
    """The size of a plain record's JSON as :func:`sanitise_raw` counts it (text: its length; else 24)."""
    return sum(len(key) + (len(value) if type(value) is str else 24) for key, value in raw.items())


def _usual_event(
    record: Mapping[str, Any], src: Source, received: datetime, level: Level, backfilled: bool
) -> Event | None:
    """:func:`normalise`'s event for a record of the usual shape, read in one pass: keys seen before (none of the
    models' snake_case names, no photo), every value printable ASCII text of at most ``MAX_FIELD`` characters,
    an integer or null; not a temperature record. Such text is clean already (:func:`clean_text` would only
    strip it) and its raw copy is the stripped record (:func:`sanitise_raw`). None for any other record: the
    long way then reads it (the same event for any record: tests/services/events/test_ingest_speed.py)."""
    if (src is Source.TEMPERATURE or len(record) > 128 or not _PLAIN_KEYS.issuperset(record)
            or not SHADOW_KEYS.isdisjoint(record)):
        return None
    raw: dict[str, Any] = {}
    text: dict[str, str] = {}  # each value as the long way reads it (no key: "")
    texts: list[str] = []
    for key, value in record.items():
        kind = type(value)
        if kind is str:
            texts.append(value)
            raw[key] = text[key] = value.strip()
        elif kind is int and -(2**63) <= value < 2**63:
            raw[key] = value
            text[key] = str(value)
        elif value is None:
            raw[key] = None
        else:
            return None
    joined = "".join(texts)
    if not (joined.isascii() and joined.isprintable()):
        return None
    # the sizes, counted once: no text longer than MAX_FIELD, and the record's JSON as sanitise_raw counts it
    # (a known key is at most 64 characters) within MAX_RAW_JSON // 2; a long record is counted exactly
    if len(joined) > MAX_FIELD and any(len(value) > MAX_FIELD for value in texts):
        return None
    if len(joined) + 88 * len(record) > MAX_RAW_JSON // 2 and _rough_size(raw) > MAX_RAW_JSON // 2:
        return None
    get = text.get
    parsed = _event_time(record.get("eventTime"))
    if parsed is None:
        when, prefix = _norm_for_key(record.get("eventTime")), _NO_TIME
    else:
        when, prefix = time_texts(parsed)
    name = get("eventName", "")
    point_key = get("eventPointName") or get("doorName", "")
    parts = (src.value, " ".join(get("devSn", "").split()).casefold(), when, " ".join(name.split()).casefold(),
             " ".join(point_key.split()).casefold(), _norm_plain(record.get("pin") or record.get("personPin")),
             " ".join(get("cardNo", "").split()).casefold())
    key = prefix + blake2b("\x1f".join(parts).encode("utf-8"), digest_size=16).hexdigest()
    first = get("name", "") if "name" in raw else get("personName", "")
    last = get("lastName", "") if "lastName" in raw else get("personLastName", "")
    person = f"{first} {last}" if first and last else first or last
    point = get("eventPointName", "")
    if not point and src is Source.ACCESS:
        point = get("doorName", "")
    number = _to_opt_int(record.get("eventNo") if "eventNo" in record else record.get("eventNumber"))
    return _new_event(
        key=key,
        source=src,
        time=(parsed or received).replace(microsecond=0),
        name=name,
        level=level,
        pin=get("pin", "") if "pin" in raw else get("personPin", ""),
        person=person if len(person) <= MAX_FIELD else clean_text(person),
        department=get("deptName", ""),
        point=point,
        reader=get("readerName", ""),
        device_sn=get("devSn", ""),
        device_name=get("devName", ""),
        verify_mode=get("verifyModeName", ""),
        area=get("areaName", ""),
        card=get("cardNo", ""),
        event_no="" if number is None else clean_text(number, 32),
        temperature=None,
        mask="",
        photo_base64="",
        photo_path="",
        photo_note="",
        has_photo=False,
        backfilled=backfilled,
        received=received,
        raw=raw,
        ack=None,
    )


def normalise(
    record: Mapping[str, Any],
    source: Source | str,
    *,
    received: datetime,
    level: Level = Level.NORMAL,
    backfilled: bool = False,
    max_photo: int = MAX_PHOTO_BASE64,
) -> Event:
    """One :class:`Event` from one server record of ``source`` (level as classified by the caller).

    Fields are read by the shared models of ``console.api.models``, then every text is cleaned here
    (:func:`clean_text`); the photo is this module's business (size cap, JPEG/PNG only, a reason when
    refused). An unreadable ``eventTime`` falls back to ``received`` (the key still uses the server's text).
    """
    src = source if type(source) is Source else Source(source)
    usual = _usual_event(record, src, received, level, backfilled)
    if usual is not None:
        return usual
    f = _typed_fields(record, src)
    photo, note = clean_photo_base64(record.get("capturePhotoBase64"), max_photo)
    path, path_note = clean_photo_path(f["photo_path"])
    parsed: datetime | None = f["time"]
    time = (parsed or received).replace(microsecond=0)
    return Event(
        key=event_key(record, src, time=parsed),
        source=src,
        time=time,
        name=clean_text(f["name"]),
        level=level,
        pin=clean_text(f["pin"]),
        person=clean_text(f["person"]),
        department=clean_text(f["department"]),
        point=clean_text(f["point"]),
        reader=clean_text(f["reader"]),
        device_sn=clean_text(f["device_sn"]),
        device_name=clean_text(f["device_name"]),
        verify_mode=clean_text(f["verify_mode"]),
        area=clean_text(f["area"]),
        card=clean_text(f["card"]),
        event_no=clean_text(f["event_no"], 32),
        temperature=f["temperature"],
        mask=clean_text(f["mask"], 16),
        photo_base64=photo,
        photo_path=path,
        photo_note=note or path_note,
        has_photo=bool(photo or path),
        backfilled=backfilled,
        received=received,
        raw=sanitise_raw(record),
    )


# -- filtering -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EventFilter:
    """What a view shows; the journal applies it in SQL and :meth:`matches` applies it to live events.

    Empty sets mean "any". ``text`` matches, without case, any of the event name, pin, person, point,
    reader, device name or serial, area and card. ``since`` is inclusive, ``until`` exclusive.
    """

    text: str = ""
    levels: frozenset[Level] = frozenset()
    sources: frozenset[Source] = frozenset()
    areas: frozenset[str] = frozenset()
    devices: frozenset[str] = frozenset()
    doors: frozenset[str] = frozenset()
    since: datetime | None = None
    until: datetime | None = None

    @property
    def is_empty(self) -> bool:
        return self == EventFilter()

    def matches(self, event: Event) -> bool:
        if self.levels and event.level not in self.levels:
            return False
        if self.sources and event.source not in self.sources:
            return False
        if self.areas and event.area not in self.areas:
            return False
        if self.devices and event.device_name not in self.devices and event.device_sn not in self.devices:
            return False
        if self.doors and event.point not in self.doors:
            return False
        if self.since is not None and event.time < self.since.replace(microsecond=0):
            return False
        if self.until is not None and event.time >= self.until:
            return False
        needle = self.text.strip().casefold()
        return not needle or needle in search_text(event)


def search_text(event: Event) -> str:
    """The text the free-text filter searches (stored in the journal as it is computed here).

    A name found inside another that is kept is left out: the device's in its door's or reader's and the
    door's in its reader's (the server names them so: "10.8.14.230", "10.8.14.230-1", "10.8.14.230-1-In").
    A needle found in it is found in the longer name (the fields are joined by a control character, ``\x1f``,
    that no typed needle holds), and the search index has a fifth fewer trigrams to write a row
    (``bench_event_ingest.py``).
    """
    point, reader, device = event.point, event.reader, event.device_name
    fields = (
        event.name,
        event.pin,
        event.person,
        "" if point and point in reader else point,
        reader,
        "" if device and (device in point or device in reader) else device,
        event.device_sn,
        event.area,
        event.card,
    )
    return "\x1f".join(fields).casefold()


# -- gaps ----------------------------------------------------------------------------------------

GapReason = Literal["outage", "restart"]
GapStatus = Literal["pending", "done", "failed"]


@dataclass(frozen=True, slots=True)
class Gap:
    """A stretch of time during which a source was not polled, and what back-filling it brought.

    ``start``/``end`` are the range asked of the list endpoint (the overlap margin included). ``count`` is
    how many events the back-fill added to the journal (events already there are not counted).
    """

    source: Source
    start: datetime
    end: datetime
    reason: GapReason
    detected: datetime
    status: GapStatus = "pending"
    count: int = 0
    finished: datetime | None = None
    error: str = ""
    attempts: int = 0
    id: int | None = None

    def describe(self) -> str:
        """What a status line says: ``back-filled 37 access events from 02:10 to 02:14``."""
        same_day = self.start.date() == self.end.date()
        fmt = "%H:%M" if same_day else "%Y-%m-%d %H:%M"
        span = f"from {self.start.strftime(fmt)} to {self.end.strftime(fmt)}"
        what = f"{self.source.value} event{'s' if self.count != 1 else ''}"
        if self.status == "done":
            return f"back-filled {self.count} {what} {span}"
        if self.status == "failed":
            return f"could not back-fill {self.source.value} events {span}: {self.error}"
        return f"{self.source.value} events {span} not yet back-filled"
