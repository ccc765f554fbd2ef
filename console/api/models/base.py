"""Shared pieces of the models: lenient scalar types, coded enums with an explicit UNKNOWN, parsing helpers.

The server is inconsistent (numbers as strings and back, ids of either type, ``null`` where a list was
expected, extra fields, free-text states in mixed case). The models absorb that here, once, and anything
that still does not fit raises :class:`console.api.errors.ModelError`, never a bare ``KeyError`` or
``TypeError``.

Records from the server (:class:`Model`) are lenient. Requests we build (:class:`WireInput`) are strict:
they are validated when constructed, so a bad value raises ``ValueError`` before anything is sent.
"""

from __future__ import annotations

from datetime import date, datetime
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
from .lenient import (  # the readers of the fields' types, pydantic-free (re-exported: import them from here)
    MAX_ITEMS,
    MAX_PHOTO,
    MAX_TEXT,
    BatchCount,
    _to_opt_bool,
    _to_opt_float,
    _to_opt_int,
    _to_opt_str,
    _to_photo,
    _to_str,
    _to_str_list,
    cut_text,
    opt_bool,
    opt_int,
    parse_duration,
    parse_text,
    parse_time,
    wire_date,
    wire_time,
)

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

M = TypeVar("M", bound=BaseModel)

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


Timestamp = Annotated[datetime | None, BeforeValidator(parse_time)]


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
