"""Untrusted text from the server, made safe to store and show: the one rule, used by every service.

``clean_text(value, limit)``: ``None`` is empty, numbers are their text, a nested value is empty, control
and bidi-override characters (line breaks too, unless ``multiline``) become spaces, the result is stripped and
cut to ``limit`` (with an ellipsis when ``ellipsis``). The UI then shows it as plain text
(``console.ui.text``); the client has already cut every string to 4096 characters and replaced lone
surrogates (``console.api.models.base.cut_text``).
"""

from __future__ import annotations

import math
import re
from typing import Any

__all__ = ["MAX_FIELD", "clean_text", "whole_number"]

MAX_FIELD = 512

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_CONTROL_MULTILINE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def clean_text(value: Any, limit: int = MAX_FIELD, *, multiline: bool = False, ellipsis: bool = False) -> str:
    """``value`` as safe text of at most ``limit`` characters (see the module docstring)."""
    if type(value) is str:  # the common case first: this runs some 50 times per event
        if len(value) <= limit and value.isprintable():  # short and clean already: only the strip is left
            return value.strip()
        text = value
    elif value is None or isinstance(value, (dict, list, tuple)):
        return ""
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, float):
        text = "" if not math.isfinite(value) else (str(int(value)) if value.is_integer() else str(value))
    else:
        text = str(value)
    if len(text) > limit * 2:
        text = text[: limit * 2]
    if not text.isprintable():
        text = (_CONTROL_MULTILINE if multiline else _CONTROL).sub(" ", text)
    text = text.strip()
    if len(text) <= limit:
        return text
    return text[: limit - 1] + "…" if ellipsis else text[:limit]


def whole_number(text: str, digits: int = 18) -> int | None:
    """``text`` as a whole number when it is ASCII digits (at most ``digits`` of them), else None. Not
    ``str.isdigit`` then ``int()``: "²" and "③" are digits to ``isdigit`` and raise in ``int()``."""
    text = text.strip()
    if text and len(text) <= digits and text.isascii() and text.isdigit():
        return int(text)
    return None
