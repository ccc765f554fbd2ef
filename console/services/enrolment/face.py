"""Live face guidance on camera frames, and the head-and-shoulders portrait the face readers expect (Qt-free).

The detector is OpenCV's frontal-face Haar cascade, which ships inside the ``opencv-python-headless`` wheel
(``cv2.data.haarcascades``): nothing is downloaded at run time. Frames are numpy arrays (``H x W x 3``,
BGR, or ``H x W`` grey), as :mod:`console.ui.enrolment.frames` hands them over. Detection is made cheap
(``tests/benchmarks/bench_face.py``; the issue's bound is 30 ms for a 640x480 frame on 2 cores):

* it runs on a grey copy scaled to 240 pixels wide (the brightness is measured on that copy too);
* it only looks for faces at least ``MIN_LOOK`` (12 %) of the frame wide: smaller ones are a person more than
  about a metre from a desk webcam, told "no face" (from 12 % to ``MIN_FACE_RATIO``, 18 %: "move closer");
* the window grows by 15 % a step (``SCALE_STEP``), not 10 %: about 40 % less work, the same answers on the
  test frames (one face, none, two, far, tilted, off centre, the portrait);
* the cascade file is read once per process and shared (one lock: a cascade is not safe across threads);
* OpenCV is held to one worker thread (``cv2.setNumThreads(1)``): on this 2-core machine the detector then
  takes one core at most and the other stays with the UI thread; a frame that is not ready in time is dropped
  by the panel, the UI never waits.

The words follow one order, the first that applies: too dark, too bright, no face, several faces, move
closer, move back, centre your face, hold still, then "good". Brightness bounds are a little inside the
server's own (2.14.16: mean luma < 50 too dark, > 215 too bright) so that a good frame here is good there.

When OpenCV cannot be imported, :func:`detector_available` is False and the panel says "live guidance is
unavailable"; file import and the server's face check still work.
"""

from __future__ import annotations

import base64
import enum
import math
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
    "eye_line",
    "eyes",
]

DARK: Final = 60.0
BRIGHT: Final = 205.0
WORK_WIDTH: Final = 240
SCALE_STEP: Final = 1.15  # the detector's window grows by this much a step
MIN_LOOK: Final = 0.12  # faces narrower than this fraction of the frame are not looked for (cheap; "no face")
DETECT_THREADS: Final = 1  # OpenCV worker threads (process-wide): one core for detection, one for the UI
MIN_FACE_RATIO: Final = 0.18  # face width / frame width below this: move closer
MAX_FACE_RATIO: Final = 0.60  # above this: move back
OFF_CENTRE: Final = 0.18  # face centre this far (fraction of the frame) from the middle: centre your face
STILL: Final = 0.06  # face moved more than this fraction of its width since the last frame: hold still
PORTRAIT: Final = (360, 480)  # width, height of the portrait sent (>= 80,000 pixels: -5001)
MAX_TILT: Final = 30.0  # an eye line steeper than this (degrees) is a wrong pair of eyes: left as it is
MIN_TILT: Final = 1.0  # below this the portrait is not turned (a turn softens the picture a little)

cv2: Any
np: Any
try:
    import cv2
    import numpy as np

    _CASCADE_FILE: str = cv2.data.haarcascades + "haarcascade_frontalface_default.xml"
    _EYE_FILE: str = cv2.data.haarcascades + "haarcascade_eye.xml"
    _IMPORT_ERROR = ""
except ImportError as exc:  # pragma: no cover - the dependency is installed with the console
    cv2 = None
    np = None
    _CASCADE_FILE = ""
    _EYE_FILE = ""
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


def _small(grey: Any) -> tuple[Any, float]:
    """``grey`` scaled to ``WORK_WIDTH`` wide (never up), and the scale used."""
    height, width = grey.shape[:2]
    scale = min(1.0, WORK_WIDTH / max(1, width))
    if scale >= 1:
        return grey, 1.0
    size = (max(1, int(width * scale)), max(1, int(height * scale)))
    return cv2.resize(grey, size, interpolation=cv2.INTER_AREA), scale


_face_lock = threading.Lock()
_face_cascade: Any = None


def _face_detector() -> Any:
    """The frontal-face cascade, read once per process (None when it cannot be read). Call under _face_lock."""
    global _face_cascade
    if _face_cascade is None and cv2 is not None:
        cascade = cv2.CascadeClassifier(_CASCADE_FILE)
        _face_cascade = cascade if not cascade.empty() else False
        cv2.setNumThreads(DETECT_THREADS)
    return _face_cascade or None


class FaceGuide:
    """One detector per camera; :meth:`guide` is called off the UI thread, one frame at a time."""

    def __init__(self) -> None:
        self._last: Box | None = None
        with _face_lock:
            self._cascade: Any = _face_detector()

    @property
    def available(self) -> bool:
        return self._cascade is not None

    def reset(self) -> None:
        self._last = None

    def faces(self, frame: Any) -> tuple[Box, ...]:
        """Face boxes in frame pixels, the largest first."""
        if self._cascade is None:
            return ()
        return self._faces(_small(_grey(frame)))

    def _faces(self, small: tuple[Any, float]) -> tuple[Box, ...]:
        image, scale = small
        side = max(24, int(image.shape[1] * MIN_LOOK))  # 24: the cascade's own smallest window
        with _face_lock:  # a cascade is not safe across threads
            found = self._cascade.detectMultiScale(image, scaleFactor=SCALE_STEP, minNeighbors=4,
                                                   minSize=(side, side))
        boxes = [tuple(int(v / scale + 0.5) for v in box) for box in found]
        boxes.sort(key=lambda b: b[2] * b[3], reverse=True)
        return tuple((b[0], b[1], b[2], b[3]) for b in boxes)

    def guide(self, frame: Any) -> Guidance:
        """What to tell the person in front of the camera about this frame."""
        if self._cascade is None:
            return Guidance(Hint.UNAVAILABLE)
        grey = _grey(frame)
        small = _small(grey)
        brightness = float(small[0].mean())  # the scaled copy's mean is the frame's, within a fraction
        if brightness < DARK:
            self._last = None
            return Guidance(Hint.TOO_DARK, brightness=brightness)
        if brightness > BRIGHT:
            self._last = None
            return Guidance(Hint.TOO_BRIGHT, brightness=brightness)
        boxes = self._faces(small)
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


_eye_lock = threading.Lock()
_eye_cascade: Any = None


def _eye_detector() -> Any:
    global _eye_cascade
    if _eye_cascade is None and cv2 is not None:
        cascade = cv2.CascadeClassifier(_EYE_FILE)
        _eye_cascade = cascade if not cascade.empty() else False
    return _eye_cascade or None


def eyes(frame: Any, face: Box) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """The centres of the two eyes in ``face`` (OpenCV's eye cascade, from inside its wheel, over the upper
    part of the face box), the one on the left of the picture first; None when no plausible pair is found."""
    if cv2 is None:
        return None
    x, y, w, h = face
    grey = _grey(frame)
    top, bottom = max(0, y), max(0, min(grey.shape[0], y + int(h * 0.62)))
    left, right = max(0, x), max(0, min(grey.shape[1], x + w))
    if bottom - top < 16 or right - left < 16:
        return None
    region = cv2.equalizeHist(grey[top:bottom, left:right])
    with _eye_lock:
        detector = _eye_detector()
        if detector is None:
            return None
        found = detector.detectMultiScale(region, scaleFactor=1.05, minNeighbors=3,
                                          minSize=(max(8, w // 10), max(8, w // 10)), maxSize=(w // 2, w // 2))
    boxes = [(float(ex + left + ew / 2), float(ey + top + eh / 2), float(ew)) for ex, ey, ew, eh in found]
    best: tuple[float, tuple[float, float], tuple[float, float]] | None = None
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            one, two = (a, b) if a[0] <= b[0] else (b, a)
            dx, dy = two[0] - one[0], two[1] - one[1]
            if not (0.22 * w <= dx <= 0.75 * w) or abs(dy) > 0.6 * dx:
                continue
            if max(one[2], two[2]) > 1.7 * min(one[2], two[2]):
                continue
            score = one[2] + two[2] - abs(dy)  # large, alike, level eyes first
            if best is None or score > best[0]:
                best = (score, (one[0], one[1]), (two[0], two[1]))
    return None if best is None else (best[1], best[2])


def eye_line(frame: Any, face: Box) -> float | None:
    """The angle of the line through the eyes in degrees (positive: the eye on the right of the picture is
    lower); None when the eyes are not found."""
    pair = eyes(frame, face)
    if pair is None:
        return None
    (x1, y1), (x2, y2) = pair
    angle = math.degrees(math.atan2(y2 - y1, x2 - x1))
    return angle if abs(angle) <= MAX_TILT else None


def crop_portrait(frame: Any, face: Box, size: tuple[int, int] = PORTRAIT, *, straighten: bool = True) -> Any:
    """A head-and-shoulders portrait (3:4) around ``face``, face centred, scaled to ``size``; the frame is
    padded by repeating its edge where the crop goes past it. With ``straighten``, the picture is first turned
    about the face's centre so that the eyes are level (when both are found)."""
    if cv2 is None:
        raise RuntimeError("OpenCV is not available: " + _IMPORT_ERROR)
    x, y, w, h = face
    if straighten:
        angle = eye_line(frame, face)
        if angle is not None and abs(angle) >= MIN_TILT:
            turn = cv2.getRotationMatrix2D((x + w / 2, y + h / 2), angle, 1.0)
            frame = cv2.warpAffine(frame, turn, (frame.shape[1], frame.shape[0]), flags=cv2.INTER_LINEAR,
                                   borderMode=cv2.BORDER_REPLICATE)
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
