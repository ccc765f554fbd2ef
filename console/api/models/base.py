"""Shared pieces of the models: lenient scalar types, coded enums with an explicit UNKNOWN, parsing helpers.

The server is inconsistent (numbers as strings and back, ids of either type, ``null`` where a list was
expected, extra fields, free-text states in mixed case). The models absorb that here, once, and anything
that still does not fit raises :class:`console.api.errors.ModelError`, never a bare ``KeyError`` or
``TypeError``.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, TypeAdapter, ValidationError

from ..errors import ModelError

__all__ = [
    "MAX_TEXT",
    "CodedEnum",
    "Model",
    "OptInt",
    "OptStr",
    "Str",
    "Timestamp",
    "parse_list",
    "parse_model",
    "parse_time",
]

MAX_TEXT = 4096  # longest string kept from the server; longer ones are cut (untrusted input)

M = TypeVar("M", bound=BaseModel)


def _to_str(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return value[:MAX_TEXT]
    return value  # anything else fails validation as a string


def _to_opt_str(value: Any) -> Any:
    return None if value is None else _to_str(value)


def _to_opt_int(value: Any) -> Any:
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                return None
            return int(number) if number.is_integer() else None
    return value


Str = Annotated[str, BeforeValidator(_to_str)]
"""A string; numbers become their text, ``null`` becomes ``""``, long text is cut to MAX_TEXT."""
OptStr = Annotated[str | None, BeforeValidator(_to_opt_str)]
OptInt = Annotated[int | None, BeforeValidator(_to_opt_int)]
"""An integer sent as a number or a string; anything unreadable becomes None."""


_TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d %H:%M:%S",
)


def parse_time(value: Any) -> datetime | None:
    """Every date form the manual shows: padded or not, with ``.0``, ISO, or epoch milliseconds."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)) or (isinstance(value, str) and value.strip().isdigit()):
        try:
            number = float(value)
            if number > 1e11:  # milliseconds
                number /= 1000.0
            return datetime.fromtimestamp(number)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    text = value.strip()[:40]
    for fmt in _TIME_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    # unpadded forms such as 2021-1-5 8:3:9
    try:
        date_part, _, time_part = text.partition(" ")
        y, mo, d = (int(x) for x in date_part.replace("/", "-").split("-"))
        h, mi, s = (int(float(x)) for x in ([*time_part.split(":"), "0", "0", "0"])[:3]) if time_part else (0, 0, 0)
        return datetime(y, mo, d, h, mi, s)
    except (ValueError, TypeError):
        return None


Timestamp = Annotated[datetime | None, BeforeValidator(parse_time)]


class Model(BaseModel):
    """Base of all API records: extra fields kept, unknown shapes refused with ModelError."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, frozen=True, str_strip_whitespace=False)


class CodedEnum(enum.Enum):
    """An enum of the manual's codes with an explicit ``UNKNOWN``.

    ``parse`` maps a code (number, numeric string or text, compared case-insensitively) to a member, and
    anything nobody documented to ``UNKNOWN``. Each member's value is ``(code, words)``: ``words`` is
    what an operator reads.
    """

    @property
    def code(self) -> str:
        return str(self.value[0])

    @property
    def words(self) -> str:
        return str(self.value[1])

    @classmethod
    def parse(cls, raw: Any) -> Any:
        if isinstance(raw, cls):
            return raw
        key = "" if raw is None else str(raw).strip().lower()
        for member in cls:
            aliases = member.value[2:] if len(member.value) > 2 else ()
            if key == str(member.value[0]).lower() or key in aliases:
                return member
        return cls["UNKNOWN"]

    @classmethod
    def validator(cls) -> BeforeValidator:
        return BeforeValidator(cls.parse)


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


_ANY_LIST: TypeAdapter[list[Any]] = TypeAdapter(list[Any])
