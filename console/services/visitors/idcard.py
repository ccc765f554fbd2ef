"""The 18-character national ID number of GB 11643-1999: 17 digits and a check character (ISO 7064 MOD 11-2).

The server refuses a wrong number with -251 ("Please fill in the correct national ID number"); the console
checks the same rule before sending so that the receptionist sees the slip next to the field at once.
"""

from __future__ import annotations

from datetime import date

__all__ = ["check_character", "id_number_problem", "normalise_id_number"]

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"  # indexed by (weighted sum mod 11)


def normalise_id_number(text: str) -> str:
    """Spaces removed and a trailing ``x`` upper-cased: what people type and what the card prints."""
    return "".join(text.split()).upper()


def check_character(first17: str) -> str:
    """The check character (``0``-``9`` or ``X``) for the first 17 digits."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("the first 17 characters must be digits")
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def id_number_problem(text: str, *, today: date | None = None) -> str | None:
    """What is wrong with ``text`` as a national ID number, in words for the receptionist; None when valid."""
    number = normalise_id_number(text)
    if len(number) != 18:
        return f"a national ID number has 18 characters (this one has {len(number)})"
    body, last = number[:17], number[17]
    if not body.isascii() or not body.isdigit() or last not in "0123456789X":
        return "a national ID number is 17 digits and a last digit or X"
    try:
        born = date(int(body[6:10]), int(body[10:12]), int(body[12:14]))
    except ValueError:
        return "the birth date inside this ID number does not exist"
    if born.year < 1900 or born > (today or date.today()):
        return "the birth date inside this ID number is not plausible"
    if check_character(body) != last:
        return "this ID number fails its check digit: please re-read it from the card"
    return None
