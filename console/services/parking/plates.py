"""Licence plates as an attendant types them and as a camera misreads them: one rule for matching.

A plate keeps its province part: the leading Chinese characters ("辽 F4J227"), or a first word of letters
followed by a space ("Liao F4J227", "ZH A12345"). Matching ignores spaces, hyphens, middle dots and case,
and in the part after the province the usual confusions of a reader or a camera: O and 0, I and 1, B and 8.
The province itself is compared as it is (without case): "粤 F4J227" is not "辽 F4J227".

:func:`match_plates` ranks candidates: the same plate, then the same plate up to the confusions, then a
plate that contains what was typed (a partial read). Nothing here talks to the server.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Match", "MatchKind", "compact", "fold", "match_plate", "match_plates", "plate_problem", "split_plate"]

_SEPARATORS = re.compile(r"[\s\-·.]+")
_CJK = re.compile(r"^[\u3400-\u9fff\uf900-\ufaff]+")
_CONFUSIONS = str.maketrans({"O": "0", "I": "1", "B": "8", "Q": "0"})
MIN_PARTIAL = 3  # a partial read shorter than this matches too much to be useful


def compact(plate: str) -> str:
    """The plate without separators, upper case: "liao f4j-227" -> "LIAOF4J227"."""
    return _SEPARATORS.sub("", plate.strip()).upper()


def split_plate(plate: str) -> tuple[str, str]:
    """(province, rest): the leading CJK characters, or a first word of letters before a space; else ""."""
    text = plate.strip()
    cjk = _CJK.match(text)
    if cjk:
        return cjk.group(0), compact(text[cjk.end():])
    head, sep, tail = text.partition(" ")
    if sep and tail.strip() and head.isascii() and head.isalpha():
        return head.upper(), compact(tail)
    return "", compact(text)


def fold(text: str) -> str:
    """``text`` (compact, upper) with O/Q→0, I→1, B→8: what a misread cannot tell apart."""
    return text.translate(_CONFUSIONS)


class MatchKind(enum.IntEnum):
    """How well a plate matches what was typed (lower is better)."""

    EXACT = 0
    CONFUSED = 1  # the same up to spaces, case and O/0, I/1, B/8
    PARTIAL = 2  # what was typed is part of the plate


@dataclass(frozen=True, slots=True)
class Match:
    plate: str
    kind: MatchKind


def match_plate(typed: str, plate: str) -> MatchKind | None:
    """How ``plate`` matches ``typed``; None when it does not."""
    if not typed.strip() or not plate.strip():
        return None
    if compact(typed) == compact(plate):
        return MatchKind.EXACT
    t_province, t_rest = split_plate(typed)
    p_province, p_rest = split_plate(plate)
    provinces_agree = not t_province or t_province == p_province
    if provinces_agree and t_rest and fold(t_rest) == fold(p_rest):
        return MatchKind.CONFUSED
    # typed without the space that marks a Latin province ("liaof4j227"): compare the whole plate
    if (not t_province and p_province and not _CJK.match(p_province)
            and fold(compact(typed)) == fold(p_province + p_rest)):
        return MatchKind.CONFUSED
    if provinces_agree and len(t_rest) >= MIN_PARTIAL and fold(t_rest) in fold(p_rest):
        return MatchKind.PARTIAL
    return None


def match_plates(typed: str, plates: Iterable[str], *, limit: int = 20) -> list[Match]:
    """The plates among ``plates`` that match ``typed``, best first (then alphabetical), at most ``limit``."""
    found: dict[str, Match] = {}
    for plate in plates:
        kind = match_plate(typed, plate)
        if kind is not None and (plate not in found or kind < found[plate].kind):
            found[plate] = Match(plate, kind)
    return sorted(found.values(), key=lambda m: (m.kind, m.plate))[:limit]


_VALID = re.compile(r"^[\w\u3400-\u9fff \-·]{2,16}$")


def plate_problem(plate: str) -> str | None:
    """Why ``plate`` cannot be sent (None when it can): 2 to 16 letters, digits, Chinese characters, spaces
    or hyphens, as the server checks (-223)."""
    text = plate.strip()
    if not text:
        return "a licence plate is required"
    if not _VALID.match(text) or "_" in text:
        return "a licence plate is 2 to 16 letters, digits, Chinese characters, spaces or hyphens"
    return None
