"""Shared pieces of the models: lenient scalar types, coded enums with an explicit UNKNOWN, parsing helpers.

The server is inconsistent (numbers as strings and back, ids of either type, ``null`` where a list was
expected, extra fields, free-text states in mixed case). The models absorb that here, once, and anything
that still does not fit raises :class:`console.api.errors.ModelError`, never a bare ``KeyError`` or
``TypeError``.

Records from the server (:class:`Model`) are lenient. Requests we build (:class:`WireInput`) are strict:
they are validated when constructed, so a bad value raises ``ValueError`` before anything is sent.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Self, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainSerializer,
    ValidationError,
    model_validator,
)

from ..errors import ModelError
from .coded import CodedEnum

__all__ = [
    "MAX_EXTRAS",
    "MAX_ITEMS",
    "MAX_PHOTO",
    "MAX_TEXT",
    "BatchCount",
    "CodedEnum",
    "Model",
    "OptBool",
    "OptFloat",
    "OptInt",
    "OptStr",
    "Photo",
    "Str",
    "StrList",
    "Timestamp",
    "WireDate",
    "WireInput",
    "WireList",
    "WireTime",
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

MAX_TEXT = 4096  # longest string kept from the server; longer ones are cut (untrusted input)
MAX_PHOTO = 4 * 1024 * 1024  # longest base64 photo kept (about 3 MB of JPEG); longer ones are dropped
MAX_ITEMS = 10_000  # most ids kept from one comma-separated list

M = TypeVar("M", bound=BaseModel)

_SCALARS = (str, int, float, bool)
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def cut_text(text: str, limit: int = MAX_TEXT) -> str:
    """``text`` cut to ``limit`` characters, lone surrogates (unencodable JSON escapes) replaced by U+FFFD."""
    text = text[:limit]
    return _LONE_SURROGATE.sub("\ufffd", text) if not text.isascii() else text


# -- lenient scalars for records from the server ---------------------------------------------------


def _to_str(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value) if abs(value) < 10**100 else ""
    if isinstance(value, float):
        if math.isfinite(value):
            return str(int(value)) if value.is_integer() and abs(value) < 1e15 else str(value)
        return ""
    if isinstance(value, str):
        return cut_text(value)
    return value  # anything else fails validation as a string


def _to_opt_str(value: Any) -> Any:
    return None if value is None else _to_str(value)


def _to_opt_int(value: Any) -> Any:
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, float):
        return int(value) if value.is_integer() else None  # NaN and infinities are not integers
    if isinstance(value, str):
        text = value.strip()[:40]
        try:
            return int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                return None
            return int(number) if number.is_integer() else None
    if isinstance(value, int):
        return value
    return None  # a list or an object where a number was expected: unreadable, not fatal


def _to_opt_float(value: Any) -> Any:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        try:
            number = float(value)
        except OverflowError:
            return None
    elif isinstance(value, str):
        try:
            number = float(value.strip()[:40])
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


_TRUE = frozenset({"true", "1", "yes", "y", "on", "t"})
_FALSE = frozenset({"false", "0", "no", "n", "off", "f", ""})


def _to_opt_bool(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return None if value != value else bool(value)  # NaN is unreadable
    if isinstance(value, str):
        text = value.strip().lower()[:10]
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    return None


def _to_str_list(value: Any) -> Any:
    """Comma-separated text or a JSON array of scalars, as a tuple of non-empty strings."""
    if value is None:
        return ()
    if isinstance(value, str):
        parts: Iterable[Any] = value[: MAX_TEXT * 16].split(",")
    elif isinstance(value, (list, tuple)):
        parts = value[:MAX_ITEMS]
    elif isinstance(value, _SCALARS):
        parts = (value,)
    else:
        return value  # an object: fails validation
    out: list[str] = []
    for part in parts:
        if isinstance(part, _SCALARS) and not isinstance(part, bool):
            text = _to_str(part).strip()
            if text:
                out.append(text)
    return tuple(out[:MAX_ITEMS])


def _to_photo(value: Any) -> Any:
    """Base64 text kept whole, or dropped when larger than MAX_PHOTO (a cut image is only garbage)."""
    if value is None:
        return ""
    if isinstance(value, str) and len(value) <= MAX_PHOTO and value.isascii():
        return value
    return ""  # too large, or not base64 text at all


def opt_int(value: Any) -> int | None:
    """``value`` read leniently as an integer (number or numeric text), else None."""
    number = _to_opt_int(value)
    return number if isinstance(number, int) else None


def opt_bool(value: Any) -> bool | None:
    """``value`` read leniently as a boolean (true/false, 1/0, "yes"...), else None."""
    flag = _to_opt_bool(value)
    return flag if isinstance(flag, bool) else None


Str = Annotated[str, BeforeValidator(_to_str)]
"""A string; numbers become their text, ``null`` becomes ``""``, long text is cut to MAX_TEXT."""
OptStr = Annotated[str | None, BeforeValidator(_to_opt_str)]
OptInt = Annotated[int | None, BeforeValidator(_to_opt_int)]
"""An integer sent as a number or a string; anything unreadable becomes None."""
OptFloat = Annotated[float | None, BeforeValidator(_to_opt_float)]
"""A finite number sent as a number or a string; NaN, infinities and anything unreadable become None."""
OptBool = Annotated[bool | None, BeforeValidator(_to_opt_bool)]
"""true/false, 1/0, "true"/"1"/"yes"...; anything unreadable becomes None."""
StrList = Annotated[tuple[str, ...], BeforeValidator(_to_str_list)]
"""Ids sent as ``"a,b,c"`` or ``["a", "b"]`` (``null`` is empty); at most MAX_ITEMS kept."""
Photo = Annotated[str, BeforeValidator(_to_photo)]
"""Base64 image text (never decoded here); over MAX_PHOTO characters it is dropped to ``""``."""


# -- dates ---------------------------------------------------------------------------------------

_PLAIN_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}")
_TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d",
)


def parse_time(value: Any) -> datetime | None:
    """Every date form the manual shows: padded or not, with ``.0``, ISO, or epoch (milli)seconds.

    Anything unreadable is None, never an exception.
    """
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)) or (isinstance(value, str) and value.strip().isdigit()):
        try:
            number = float(value.strip()[:20] if isinstance(value, str) else value)
            if number > 1e11:  # milliseconds
                number /= 1000.0
            return datetime.fromtimestamp(number)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    text = value.strip()[:40]
    if _PLAIN_TIME.fullmatch(text):  # the usual form, read without strptime (the same datetime, faster)
        try:
            return datetime(int(text[:4]), int(text[5:7]), int(text[8:10]), int(text[11:13]), int(text[14:16]),
                            int(text[17:19]))
        except ValueError:
            pass
    for fmt in _TIME_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    try:  # ISO forms with a zone: kept as the wall-clock time the server printed
        return datetime.fromisoformat(text).replace(tzinfo=None)
    except ValueError:
        pass
    # unpadded forms such as 2021-1-5 8:3:9
    try:
        date_part, _, time_part = text.partition(" ")
        y, mo, d = (int(x) for x in date_part.replace("/", "-").split("-"))
        h, mi, s = (int(float(x)) for x in ([*time_part.split(":"), "0", "0", "0"])[:3]) if time_part else (0, 0, 0)
        return datetime(y, mo, d, h, mi, s)
    except (ValueError, TypeError, OverflowError):
        return None


def parse_duration(value: Any) -> timedelta | None:
    """A parking time such as ``"1 02:43:42"`` (days, then HH:mm:ss) or ``"02:43:42"``; else None."""
    if not isinstance(value, str):
        return None
    text = value.strip()[:40]
    days_part, _, clock = text.rpartition(" ")
    try:
        days = int(days_part) if days_part else 0
        h, m, s = (int(x) for x in clock.split(":"))
    except ValueError:
        return None
    if min(days, h, m, s) < 0 or m >= 60 or s >= 60 or days > 100_000:
        return None
    return timedelta(days=days, hours=h, minutes=m, seconds=s)


Timestamp = Annotated[datetime | None, BeforeValidator(parse_time)]


_BATCH = re.compile(r"succe(?:ed|ss)(?:ed)?\s*[:=]\s*(\d+)\s*[,;]?\s*fail(?:ed|ure)?\s*[:=]\s*(\d+)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class BatchCount:
    """A batch write's answer, "Succeed: n, Failed: m." (2.43.3, 2.44.3, 2.45.3, 2.46.3-2.46.5): only counts,
    never which; ``counted`` False when the message gave none (the caller must look at the records)."""

    succeeded: int
    failed: int
    message: str = ""
    counted: bool = True

    @classmethod
    def parse(cls, message: str) -> BatchCount:
        found = _BATCH.search(message or "")
        if found is None:
            return cls(0, 0, cut_text(message or "", 300), counted=False)
        return cls(int(found.group(1)), int(found.group(2)), cut_text(message, 300))


def wire_time(value: datetime) -> str:
    """A time as the server takes it: ``yyyy-MM-dd HH:mm:ss`` (ERRATA: never the printed mm:hh)."""
    return value.strftime("%Y-%m-%d %H:%M:%S")


def wire_date(value: date) -> str:
    """A date as the parking lists take it: ``yyyy-MM-dd``."""
    return value.strftime("%Y-%m-%d")


# -- records ---------------------------------------------------------------------------------------


MAX_EXTRAS = 64  # undocumented keys kept per record
_EXTRA_DEPTH = 4  # how deep an undocumented value is kept; deeper parts become None


def _tame(value: Any, depth: int = 0) -> Any:
    """An undocumented value made harmless: strings cut, containers shallow and short."""
    if value is None or isinstance(value, (bool, int, float)):
        return value if not isinstance(value, int) or abs(value) < 10**100 else None
    if isinstance(value, str):
        return cut_text(value)
    if depth >= _EXTRA_DEPTH:
        return None
    if isinstance(value, list):
        return [_tame(v, depth + 1) for v in value[:100]]
    if isinstance(value, dict):
        return {cut_text(str(k), 100): _tame(v, depth + 1) for k, v in list(value.items())[:100]}
    return None


class Model(BaseModel):
    """Base of all API records: extra fields kept (tamed), unknown shapes refused with ModelError.

    Undocumented keys are kept in ``model_extra`` (at most MAX_EXTRAS of them, strings cut, nesting cut at a
    few levels) so that a hostile answer cannot make a record impossible to print or export.
    """

    model_config = ConfigDict(extra="allow", populate_by_name=True, frozen=True, str_strip_whitespace=False)

    @model_validator(mode="after")
    def _tame_extras(self) -> Self:
        extra = self.__pydantic_extra__
        if extra:
            kept = [(k, v) for k, v in extra.items() if len(k) <= 100][:MAX_EXTRAS]
            extra.clear()
            extra.update((cut_text(key, 100), _tame(value)) for key, value in kept)
        return self


def parse_model(model: type[M], data: Any) -> M:
    """Validate one record; ModelError (with no server data echoed at length) when it does not fit."""
    if not isinstance(data, dict):
        raise ModelError(f"expected one {model.__name__} object, got {type(data).__name__}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ModelError(f"{model.__name__}: {exc.error_count()} field(s) do not fit") from None
    except (TypeError, ValueError, OverflowError, RecursionError) as exc:
        raise ModelError(f"{model.__name__}: {type(exc).__name__}") from None


def parse_one(model: type[M], data: Any) -> M:
    """One record where the server may send an object or a one-element array (2.12.3, 2.32.2)."""
    if isinstance(data, list):
        if not data:
            raise ModelError(f"expected one {model.__name__}, got an empty list")
        data = data[0]
    return parse_model(model, data)


def parse_list(model: type[M], data: Any, *, skip_bad: bool = True) -> list[M]:
    """Validate a list (``null`` is an empty list, one object a list of one).

    With ``skip_bad`` a record that does not fit is dropped rather than sinking the whole answer: one broken
    door must not blank the board. Without it the first bad record raises ModelError.
    """
    if data is None:
        return []
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise ModelError(f"expected a list of {model.__name__}, got {type(data).__name__}")
    out: list[M] = []
    for item in data:
        try:
            out.append(parse_model(model, item))
        except ModelError:
            if not skip_bad:
                raise
    return out


def parse_text(data: Any, what: str, *, limit: int = MAX_TEXT) -> str:
    """A string answer (a QR code payload, an image path): text or a number, never empty, at most ``limit``."""
    if isinstance(data, (int, float)) and not isinstance(data, bool):
        data = _to_str(data)
    if not isinstance(data, str) or not data.strip():
        raise ModelError(f"expected {what} as text, got {type(data).__name__ if data != '' else 'nothing'}")
    if len(data) > limit:
        raise ModelError(f"{what} is longer than the console accepts")
    return data


# -- requests we build ----------------------------------------------------------------------------


def _code_of(member: CodedEnum) -> str:
    if member.name == "UNKNOWN":
        raise ValueError(f"{type(member).__name__}.UNKNOWN cannot be sent")
    return member.code


def _join(values: tuple[str, ...]) -> str:
    return ",".join(values)


WireTime = Annotated[datetime, PlainSerializer(wire_time, return_type=str)]
"""A datetime sent as ``yyyy-MM-dd HH:mm:ss``."""
WireDate = Annotated[date, PlainSerializer(wire_date, return_type=str)]
"""A date sent as ``yyyy-MM-dd``."""


def _to_wire_list(value: Any) -> Any:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, (list, tuple)):
        return value  # fails validation
    parts = (p.strip() for item in value if isinstance(item, (str, int)) for p in str(item).split(","))
    return tuple(p for p in parts if p)


WireList = Annotated[tuple[str, ...], BeforeValidator(_to_wire_list), PlainSerializer(_join, return_type=str)]
"""Ids given as a sequence (or ``"a,b"``) and sent as one comma-separated string."""


class WireInput(BaseModel):
    """Base of request bodies built by the console: strict, validated on construction (``ValueError``).

    ``to_wire()`` gives the JSON object to send: wire names, ``None`` left out, enums as their codes,
    datetimes as ``yyyy-MM-dd HH:mm:ss``.
    """

    model_config = ConfigDict(
        extra="forbid", populate_by_name=True, frozen=True, str_strip_whitespace=True, validate_default=True
    )

    @model_validator(mode="after")
    def _no_unknown_codes(self) -> Self:
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, CodedEnum) and value.name == "UNKNOWN":
                raise ValueError(f"{name}: not one of the documented codes")
        return self

    def to_wire(self) -> dict[str, Any]:
        data = self.model_dump(by_alias=True, exclude_none=True)
        return {key: _code_of(value) if isinstance(value, CodedEnum) else value for key, value in data.items()}
