"""Server refusals of the person calls mapped to the form field they concern, in a receptionist's words.

Codes from the appendix (``/work/shared/api/error_codes.json``): -20 pin empty, -22 person unknown (or
resigned), -23 card used by another person, -24 unknown access level, -25 no person under the level, -26
password used by another person, -27 invalid photo, -29 pin exception; -13 unknown department and -101
dates reversed are the simulator's department and date rules. Face-check verdicts (2.14.16) have their own
table, :data:`FACE_GUIDANCE`: what the operator can do about the photo (every -50xx code of the appendix).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from console.api.errors import ApiError
from console.services.text import clean_text

__all__ = ["FACE_GUIDANCE", "Refusal", "face_guidance", "refusal_for"]

_TABLE: Final[dict[int, tuple[str | None, str]]] = {
    -20: ("pin", "the server needs the personnel number (PIN)"),
    -22: ("pin", "the server has no active person with this PIN (unknown, or resigned: reinstate them first)"),
    -23: ("card_no", "this card already belongs to another person: take another card, or remove it there first"),
    -24: ("level_ids", "an access level you picked is not on the server: pick the levels again"),
    -25: ("level_ids", "nobody is in this access level"),
    -26: ("password", "another person already uses this personal password: choose another"),
    -27: (None, "the server refused the photo: it must be a PNG or JPEG picture"),
    -29: ("pin", "the server refused the PIN: use 1 to 24 letters or digits"),
    -13: ("dept_code", "this department is not on the server: pick one from the list"),
    -100: ("start", "the server could not read the dates"),
    -101: ("end", "access ends before it starts"),
}

FACE_GUIDANCE: Final[dict[int, str]] = {
    -5001: "The photo is too small (under 80,000 pixels): take it again at a higher resolution.",
    -5002: "The server found no face: the person should face the camera, then take it again.",
    -5003: "The server found several faces: only one person in the picture, then take it again.",
    -5005: "The face is too small in the picture: move the person closer, then take it again.",
    -5006: "The photo has no colour: use a colour camera or a colour photo.",
    -5007: "The photo is blurred: ask the person to hold still, then take it again.",
    -5008: "The photo is blurred: ask the person to hold still, then take it again.",
    -5009: "The photo is too bright: dim the light behind or above the person, then take it again.",
    -5010: "The photo is too dark: add light in front of the person, then take it again.",
    -5011: "The photo is noisy: add light, then take it again.",
    -5012: "The face looks stretched: take it again with the camera straight in front of the person.",
    -5013: "Something covers the face (mask, hand, hair, glasses): uncover it, then take it again.",
    -5014: "A neutral face works best: ask the person not to smile broadly, then take it again.",
    -5015: "The head is turned: ask the person to look straight at the camera, then take it again.",
    -5016: "The photo is blurred: ask the person to hold still, then take it again.",
    -5017: "The light is uneven: avoid a window or a lamp behind the person, then take it again.",
    -5018: "The head is turned: ask the person to look straight at the camera, then take it again.",
    -27: "The server could not read the picture: use a PNG or JPEG photo.",
    -262: "The server refused the photo: take it again.",
}


@dataclass(frozen=True, slots=True)
class Refusal:
    code: int
    field: str | None  # a form field (see form.FIELDS), or None for the banner
    text: str  # what the receptionist reads
    server_text: str = ""  # the server's own words (plain text, untrusted)


def refusal_for(exc: ApiError) -> Refusal:
    field, words = _TABLE.get(exc.code, (None, ""))
    server = clean_text(exc.text, limit=300)
    return Refusal(exc.code, field, words or f"the server refused: {server}", server)


def face_guidance(code: int, reason: str = "") -> str:
    """What to do about a photo the face check (2.14.16) refused."""
    if code in FACE_GUIDANCE:
        return FACE_GUIDANCE[code]
    said = clean_text(reason, limit=200)
    return ("The server cannot find a usable face in this photo"
            + (f" ({said})" if said else f" (code {code})")
            + ": take it again, face the camera, eyes open, nothing covering the face.")
