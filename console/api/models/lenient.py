"""Lenient readers of the server's scalars, without pydantic: the rules the models' field types apply.

The records (:mod:`.base`, pydantic) read every field through these functions (``Str`` is ``_to_str``, ``OptInt``
is ``_to_opt_int``, ``Timestamp`` is :func:`parse_time`, ...); code that reads a record of the usual shape
without building a model (the door board's states, the event journal's fields, paging) calls them directly,
so that the first poll after a start needs neither pydantic nor the records (issue 15: ~100 ms of imports).
:mod:`.base` re-exports every name.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from ..errors import ModelError

__all__ = [
    "MAX_ITEMS",
    "MAX_PHOTO",
    "MAX_TEXT",
    "BatchCount",
    "cut_text",
    "opt_bool",
    "opt_int",
    "parse_duration",
    "parse_text",
    "parse_time",
    "wire_date",
    "wire_time",
]

MAX_TEXT = 4096  # longest string kept from the server; longer ones are cut (untrusted input)
MAX_PHOTO = 4 * 1024 * 1024  # longest base64 photo kept (about 3 MB of JPEG); longer ones are dropped
MAX_ITEMS = 10_000  # most ids kept from one comma-separated list

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


def parse_text(data: Any, what: str, *, limit: int = MAX_TEXT) -> str:
    """A string answer (a QR code payload, an image path): text or a number, never empty, at most ``limit``."""
    if isinstance(data, (int, float)) and not isinstance(data, bool):
        data = _to_str(data)
    if not isinstance(data, str) or not data.strip():
        raise ModelError(f"expected {what} as text, got {type(data).__name__ if data != '' else 'nothing'}")
    if len(data) > limit:
        raise ModelError(f"{what} is longer than the console accepts")
    return data
