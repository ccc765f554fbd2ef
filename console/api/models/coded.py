"""The manual's coded values as enums with an explicit ``UNKNOWN`` (:class:`CodedEnum`), without pydantic.

The board's items and its local snapshot carry these codes: the last known board is painted at start before the
API's records (pydantic) are imported (issue 15). :mod:`.base` re-exports :class:`CodedEnum` for the records.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pydantic import BeforeValidator

__all__ = ["CodedEnum"]


def _code_lookup(cls: type[enum.Enum]) -> dict[str, Any]:
    """Code or alias (lower case) -> member, the first member in the manual's order winning: ``parse`` is
    called for every coded field of every record (10,000 door states a poll), so no scan of the members."""
    lookup: dict[str, Any] = {}
    for member in cls:
        lookup.setdefault(str(member.value[0]).lower(), member)
        for alias in member.value[2:] if len(member.value) > 2 else ():
            if isinstance(alias, str):
                lookup.setdefault(alias, member)
    return lookup


_CODE_LOOKUP: dict[type[enum.Enum], dict[str, Any]] = {}


class CodedEnum(enum.Enum):
    """An enum of the manual's codes with an explicit ``UNKNOWN``.

    ``parse`` maps a code (number, numeric string or text, compared case-insensitively) to a member, and
    anything nobody documented to ``UNKNOWN``. Each member's value is ``(code, words, *aliases)``:
    ``words`` is what an operator reads; aliases are other lower-case spellings seen on the wire.
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
        if raw is None:
            key = ""
        elif isinstance(raw, bool):
            key = "true" if raw else "false"
        elif isinstance(raw, float):
            key = str(int(raw)) if raw.is_integer() else str(raw)
        elif isinstance(raw, int):
            key = str(raw) if abs(raw) < 10**30 else ""
        elif isinstance(raw, str):
            key = raw[:100].strip().lower()
        else:
            return cls["UNKNOWN"]  # a list or object is no code
        lookup = _CODE_LOOKUP.get(cls)
        if lookup is None:
            lookup = _CODE_LOOKUP[cls] = _code_lookup(cls)
        return lookup.get(key) or cls["UNKNOWN"]

    @classmethod
    def validator(cls) -> BeforeValidator:
        from pydantic import BeforeValidator  # the records' field type: loaded with the records, not the codes

        return BeforeValidator(cls.parse)

    @classmethod
    def documented(cls) -> list[Any]:
        """Every member but UNKNOWN, in the manual's order (what a picker offers)."""
        return [m for m in cls if m.name != "UNKNOWN"]
