"""What the self-test checks beyond the panels: the optional native parts a packaged build can lose.

A bundle that left out a library one of them links still starts, and only the operator at the enrolment desk
would find out (no camera, no alarm sound, no face check). :func:`check_native_parts` fails the self-test
instead: Qt Multimedia must have a media backend (its FFmpeg plugin), and OpenCV, when installed, must import
with the Haar cascade its face check reads.
"""

from __future__ import annotations

import importlib
import os

__all__ = ["NativePartMissing", "check_native_parts"]


class NativePartMissing(Exception):
    """A native part the console uses is present but broken (the message says which)."""


def check_native_parts() -> str:
    """A one-line summary for the self-test; raises :class:`NativePartMissing`."""
    parts: list[str] = []
    try:
        multimedia = importlib.import_module("PySide6.QtMultimedia")
    except ImportError:
        parts.append("no Qt Multimedia")
    else:
        formats = multimedia.QMediaFormat().supportedFileFormats(multimedia.QMediaFormat.ConversionMode.Decode)
        if not formats:
            raise NativePartMissing("Qt Multimedia has no media backend (the FFmpeg plugin did not load): "
                                    "no camera for the enrolment panel")
        parts.append("Qt Multimedia backend loaded")
    try:
        cv2 = importlib.import_module("cv2")
    except ImportError:
        parts.append("no OpenCV")
    else:
        cascade = os.path.join(cv2.data.haarcascades, "haarcascade_frontalface_default.xml")
        if not os.path.isfile(cascade):
            raise NativePartMissing(f"OpenCV's face cascade is missing: {cascade}")
        parts.append(f"OpenCV {cv2.__version__} with its face cascade")
    return "; ".join(parts)
