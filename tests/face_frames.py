"""Camera frames for the face tests: synthetic ones, and a real face from scikit-image's public-domain sample
(``skimage.data.astronaut()``, Eileen Collins, NASA; inside the scikit-image wheel, nothing downloaded)."""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np
from skimage import data


def head_and_shoulders() -> Any:
    """The astronaut's head and shoulders, BGR."""
    image = cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)
    return image[0:330, 90:350].copy()


def canvas(width: int = 640, height: int = 480, grey: int = 110) -> Any:
    return np.full((height, width, 3), grey, np.uint8)


def face_frame(*, left: int = 164, width: int = 312) -> Any:
    """A 640x480 frame with one face, centred by default."""
    frame = canvas()
    portrait = head_and_shoulders()
    height = int(width * portrait.shape[0] / portrait.shape[1])
    top = (480 - height) // 2
    frame[top : top + height, left : left + width] = cv2.resize(portrait, (width, height))
    return frame


def two_faces() -> Any:
    frame = canvas()
    portrait = cv2.resize(head_and_shoulders(), (300, 380))
    frame[50:430, 10:310] = portrait
    frame[50:430, 330:630] = portrait
    return frame


def far_face() -> Any:
    """One face, small in a large frame (the person stands too far away)."""
    frame = canvas(1280, 960)
    portrait = cv2.resize(head_and_shoulders(), (440, 558))
    frame[201:759, 420:860] = portrait
    return frame


def blank() -> Any:
    return canvas()


def dark() -> Any:
    return (face_frame() * 0.15).astype(np.uint8)


def bright() -> Any:
    return np.clip(face_frame().astype(np.int16) + 150, 0, 255).astype(np.uint8)
