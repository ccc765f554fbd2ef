"""Live face guidance on camera frames, and the head-and-shoulders portrait the face readers expect (Qt-free).

The detector is OpenCV's frontal-face Haar cascade, which ships inside the ``opencv-python-headless`` wheel
(``cv2.data.haarcascades``): nothing is downloaded at run time. Frames are numpy arrays (``H x W x 3``,
BGR, or ``H x W`` grey), as :mod:`console.ui.enrolment.frames` hands them over; detection runs on a copy
scaled to 240 pixels wide, so a 640x480 frame takes a few milliseconds (``tools/bench_face.py``).

The words follow one order, the first that applies: too dark, too bright, no face, several faces, move
closer, move back, centre your face, hold still, then "good". Brightness bounds are a little inside the
server's own (2.14.16: mean luma < 50 too dark, > 215 too bright) so that a good frame here is good there.

When OpenCV cannot be imported, :func:`detector_available` is False and the panel says "live guidance is
unavailable"; file import and the server's face check still work.
"""

from __future__ import annotations

import base64
import enum
import threading
from dataclasses import dataclass
from typing import Any, Final

__all__ = [
    "FaceGuide",
    "Guidance",
    "Hint",
    "crop_portrait",
    "detector_available",
    "encode_jpeg_b64",
]

DARK: Final = 60.0
BRIGHT: Final = 205.0
WORK_WIDTH: Final = 240
MIN_FACE_RATIO: Final = 0.18  # face width / frame width below this: move closer
MAX_FACE_RATIO: Final = 0.60  # above this: move back
OFF_CENTRE: Final = 0.18  # face centre this far (fraction of the frame) from the middle: centre your face
STILL: Final = 0.06  # face moved more than this fraction of its width since the last frame: hold still
PORTRAIT: Final = (360, 480)  # width, height of the portrait sent (>= 80,000 pixels: -5001)

cv2: Any
np: Any
try:
    import cv2
    import numpy as np

    _CASCADE_FILE: str = cv2.data.haarcascades + "haarcascade_frontalface_default.xml"
    _IMPORT_ERROR = ""
except ImportError as exc:  # pragma: no cover - the dependency is installed with the console
    cv2 = None
    np = None
    _CASCADE_FILE = ""
    _IMPORT_ERROR = str(exc)


def detector_available() -> bool:
    return cv2 is not None


class Hint(enum.Enum):
    GOOD = "Good: hold it there"
    TOO_DARK = "Too dark: add light in front of the person"
    TOO_BRIGHT = "Too bright: dim the light behind or above the person"
    NO_FACE = "No face: the person should face the camera"
    SEVERAL = "Several faces: only one person in the picture"
    CLOSER = "Move closer"
    BACK = "Move back"
    CENTRE = "Centre your face"
    STILL = "Hold still"
    UNAVAILABLE = "Live guidance is unavailable (OpenCV is missing): take the photo, the server checks it"


Box = tuple[int, int, int, int]  # x, y, width, height in frame pixels


@dataclass(frozen=True)
class Guidance:
    hint: Hint
    boxes: tuple[Box, ...] = ()
    brightness: float = 0.0

    @property
    def good(self) -> bool:
        return self.hint is Hint.GOOD

    @property
    def words(self) -> str:
        return self.hint.value

    @property
    def face(self) -> Box | None:
        return self.boxes[0] if len(self.boxes) == 1 else None


def _grey(frame: Any) -> Any:
    if frame.ndim == 3:
        return cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)
    return frame


class FaceGuide:
    """One detector per camera; :meth:`guide` is called off the UI thread, one frame at a time."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._cascade: Any = None
        self._last: Box | None = None
        if cv2 is not None:
            cascade = cv2.CascadeClassifier(_CASCADE_FILE)
            if not cascade.empty():
                self._cascade = cascade

    @property
    def available(self) -> bool:
        return self._cascade is not None

    def reset(self) -> None:
        self._last = None

    def faces(self, frame: Any) -> tuple[Box, ...]:
        """Face boxes in frame pixels, the largest first."""
        if self._cascade is None:
            return ()
        grey = _grey(frame)
        height, width = grey.shape[:2]
        scale = min(1.0, WORK_WIDTH / max(1, width))
        size = (max(1, int(width * scale)), max(1, int(height * scale)))
        small = cv2.resize(grey, size, interpolation=cv2.INTER_AREA) if scale < 1 else grey
        with self._lock:  # a cascade is not safe across threads
            found = self._cascade.detectMultiScale(small, scaleFactor=1.1, minNeighbors=4, minSize=(20, 20))
        boxes = [tuple(int(v / scale + 0.5) for v in box) for box in found]
        boxes.sort(key=lambda b: b[2] * b[3], reverse=True)
        return tuple((b[0], b[1], b[2], b[3]) for b in boxes)

    def guide(self, frame: Any) -> Guidance:
        """What to tell the person in front of the camera about this frame."""
        if self._cascade is None:
            return Guidance(Hint.UNAVAILABLE)
        grey = _grey(frame)
        brightness = float(grey.mean())
        if brightness < DARK:
            self._last = None
            return Guidance(Hint.TOO_DARK, brightness=brightness)
        if brightness > BRIGHT:
            self._last = None
            return Guidance(Hint.TOO_BRIGHT, brightness=brightness)
        boxes = self.faces(frame)
        if not boxes:
            self._last = None
            return Guidance(Hint.NO_FACE, brightness=brightness)
        if len(boxes) > 1:
            self._last = None
            return Guidance(Hint.SEVERAL, boxes, brightness)
        x, y, w, h = boxes[0]
        height, width = grey.shape[:2]
        ratio = w / width
        last, self._last = self._last, boxes[0]
        if ratio < MIN_FACE_RATIO:
            return Guidance(Hint.CLOSER, boxes, brightness)
        if ratio > MAX_FACE_RATIO:
            return Guidance(Hint.BACK, boxes, brightness)
        cx, cy = (x + w / 2) / width, (y + h / 2) / height
        if abs(cx - 0.5) > OFF_CENTRE or abs(cy - 0.45) > OFF_CENTRE + 0.05:
            return Guidance(Hint.CENTRE, boxes, brightness)
        if last is not None:
            moved = max(abs(x - last[0]), abs(y - last[1]), abs(w - last[2])) / max(1, w)
            if moved > STILL:
                return Guidance(Hint.STILL, boxes, brightness)
        return Guidance(Hint.GOOD, boxes, brightness)


def crop_portrait(frame: Any, face: Box, size: tuple[int, int] = PORTRAIT) -> Any:
    """A head-and-shoulders portrait (3:4) around ``face``, face centred, scaled to ``size``; the frame is
    padded by repeating its edge where the crop goes past it."""
    if cv2 is None:
        raise RuntimeError("OpenCV is not available: " + _IMPORT_ERROR)
    x, y, w, h = face
    out_w, out_h = size
    crop_w = w * 2.2
    crop_h = crop_w * out_h / out_w
    cx = x + w / 2
    top = y + h / 2 - crop_h * 0.42  # eyes a little above the middle
    left = cx - crop_w / 2
    pad = int(max(crop_w, crop_h))
    padded = cv2.copyMakeBorder(frame, pad, pad, pad, pad, cv2.BORDER_REPLICATE)
    x0, y0 = int(left + 0.5) + pad, int(top + 0.5) + pad
    region = padded[y0 : y0 + int(crop_h + 0.5), x0 : x0 + int(crop_w + 0.5)]
    return cv2.resize(region, (out_w, out_h), interpolation=cv2.INTER_AREA)


def encode_jpeg_b64(image: Any, quality: int = 90) -> str:
    """The image as base64 JPEG text (in memory: no file is ever written)."""
    if cv2 is None:
        raise RuntimeError("OpenCV is not available: " + _IMPORT_ERROR)
    ok, data = cv2.imencode(".jpg", image, [int(cv2.IMWRITE_JPEG_QUALITY), quality])
    if not ok:
        raise ValueError("the photo could not be encoded")
    return base64.b64encode(data.tobytes()).decode("ascii")


def decode_b64(text: str) -> Any:
    """A BGR image from base64 PNG/JPEG text already checked by the safe image rules; None if unreadable."""
    if cv2 is None or np is None:
        return None
    raw = np.frombuffer(base64.b64decode(text), dtype=np.uint8)
    return cv2.imdecode(raw, cv2.IMREAD_COLOR)
