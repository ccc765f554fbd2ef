"""The simulator's documented judgements: national ID check, dynamic QR values, face check, parking tariff.

- **National ID (certType 2)**: 18 characters, the first 17 digits with a valid birth date at 7-14, the last
  the GB 11643-1999 check character (ISO 7064 MOD 11-2: weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, the sum
  mod 11 indexes ``10X98765432``). Anything else is -251.
- **Dynamic QR**: ``"2#" + base64(HMAC-SHA256(world seed, kind:pin:window))`` where ``window`` is the
  current 5-minute slot (``QR_ROTATE_SECONDS``): the same value within a slot, a new one after it.
- **Face check** (2.14.16): not a decodable PNG/JPEG -27; width x height below 80,000 -5001; no colour
  -5006; mean luma below 50 -5010; above 215 -5009; otherwise accepted.
- **Parking tariff** (2.47.1): the first 30 minutes are free; then 5.00 per started hour, at most 50.00 per
  started 24-hour day.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
from datetime import date

from .generate import gb11643_check
from .images import ImageError, decode_base64_image, inspect_image

__all__ = [
    "FREE_MINUTES",
    "QR_ROTATE_SECONDS",
    "face_check",
    "national_id_ok",
    "parking_fee",
    "photo_ok",
    "qr_value",
]

QR_ROTATE_SECONDS = 300
MIN_PIXELS = 80_000
DARK_BELOW = 50.0
BRIGHT_ABOVE = 215.0
FREE_MINUTES = 30
HOURLY = 5.0
DAILY_CAP = 50.0


def national_id_ok(number: str) -> bool:
    text = number.strip().upper()
    if len(text) != 18 or not text[:17].isdigit():
        return False
    try:
        date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return False
    return gb11643_check(text[:17]) == text[17]


def qr_value(seed: int, kind: str, pin: str, now: float) -> str:
    window = int(now // QR_ROTATE_SECONDS)
    digest = hmac.new(str(seed).encode(), f"{kind}:{pin}:{window}".encode(), hashlib.sha256).digest()
    return "2#" + base64.b64encode(digest).decode("ascii")


def photo_ok(text: str) -> bool:
    """A photo the server can store: a decodable PNG or JPEG."""
    try:
        inspect_image(decode_base64_image(text))
    except ImageError:
        return False
    return True


def face_check(text: str) -> int:
    """0 when the photo passes, else the appendix code of the first rule it breaks."""
    try:
        info = inspect_image(decode_base64_image(text))
    except ImageError:
        return -27
    if info.pixels < MIN_PIXELS:
        return -5001
    if info.colour is False:
        return -5006
    if info.brightness is not None:
        if info.brightness < DARK_BELOW:
            return -5010
        if info.brightness > BRIGHT_ABOVE:
            return -5009
    return 0


def parking_fee(seconds: float) -> float:
    minutes = seconds / 60.0
    if minutes <= FREE_MINUTES:
        return 0.0
    days, rest = divmod(seconds, 86400.0)
    fee = days * DAILY_CAP + min(DAILY_CAP, math.ceil(rest / 3600.0) * HOURLY)
    return round(fee, 2)
