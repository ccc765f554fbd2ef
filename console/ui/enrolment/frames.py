"""Where preview frames come from: a camera through QtMultimedia, or frames a test feeds.

A :class:`FrameSource` emits ``frame_ready(numpy BGR array)`` and ``state_changed(CameraState, words)``.
:class:`CameraSource` wraps ``QCamera`` + ``QMediaCaptureSession`` + ``QVideoSink``; when QtMultimedia or
its backend is missing, or there is no camera, or the system refuses access, or the camera is unplugged
during capture, it says so in its state (file import still works in the panel). :class:`FeedSource` is the
source tests (and the screenshot tool) feed by hand. Frames live in memory only.
"""

from __future__ import annotations

import enum
import logging
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage

__all__ = ["CameraChoice", "CameraSource", "CameraState", "FeedSource", "FrameSource", "cameras",
           "image_to_bgr", "multimedia_available"]

log = logging.getLogger(__name__)

_mm: Any
try:
    from PySide6 import QtMultimedia as _mm

    _MM_ERROR = ""
except ImportError as exc:  # pragma: no cover - PySide6-Addons ships it; a trimmed install may not
    _mm = None
    _MM_ERROR = str(exc)


class CameraState(enum.Enum):
    OFF = "Camera off"
    RUNNING = "Camera on"
    NO_CAMERA = "No camera found: import a photo from a file instead"
    REFUSED = "The system refused access to the camera: allow it in the system's privacy settings, or import a file"
    UNPLUGGED = "The camera was unplugged: plug it in again and press Start, or import a file"
    NO_BACKEND = "Camera support (QtMultimedia) is not available here: import a photo from a file instead"
    FAILED = "The camera stopped with an error: press Start to try again, or import a file"


def multimedia_available() -> bool:
    return _mm is not None


class CameraChoice:
    def __init__(self, ident: str, description: str, default: bool = False) -> None:
        self.id = ident
        self.description = description
        self.default = default


def cameras() -> list[CameraChoice]:
    """The cameras present (empty without QtMultimedia)."""
    if _mm is None:
        return []
    try:
        devices = _mm.QMediaDevices.videoInputs()
    except Exception:  # pragma: no cover - a backend that fails to enumerate
        log.exception("the cameras could not be listed")
        return []
    return [CameraChoice(bytes(d.id().data()).hex(), d.description(), d.isDefault()) for d in devices]


def image_to_bgr(image: QImage) -> Any:
    """A QImage as a BGR numpy array (a copy: the frame's memory is not kept)."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    width, height, stride = rgb.width(), rgb.height(), rgb.bytesPerLine()
    buffer = np.frombuffer(rgb.constBits(), dtype=np.uint8, count=stride * height)
    array = buffer.reshape(height, stride)[:, : width * 3].reshape(height, width, 3)
    return np.ascontiguousarray(array[:, :, ::-1])


def bgr_to_image(frame: Any) -> QImage:
    """A BGR numpy array as a QImage (a copy)."""
    rgb = np.ascontiguousarray(frame[:, :, ::-1])
    height, width = rgb.shape[:2]
    return QImage(rgb.data, width, height, width * 3, QImage.Format.Format_RGB888).copy()


class FrameSource(QObject):
    frame_ready = Signal(object)  # numpy BGR array
    state_changed = Signal(object, str)  # CameraState, words

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.state = CameraState.OFF

    def _set_state(self, state: CameraState, words: str = "") -> None:
        self.state = state
        self.state_changed.emit(state, words or state.value)

    def start(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError


class FeedSource(FrameSource):
    """Frames handed in by :meth:`feed` (tests, the screenshot tool)."""

    def start(self) -> None:
        self._set_state(CameraState.RUNNING)

    def stop(self) -> None:
        self._set_state(CameraState.OFF)

    def feed(self, frame: Any) -> None:
        if self.state is CameraState.RUNNING:
            self.frame_ready.emit(frame)

    def fail(self, state: CameraState) -> None:
        """Pretend the camera went away (unplugged, refused)."""
        self._set_state(state)


class CameraSource(FrameSource):
    """A camera through QtMultimedia; ``camera_id`` (hex of ``QCameraDevice.id``) picks one, "" the default."""

    def __init__(self, camera_id: str = "", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.camera_id = camera_id
        self._camera: Any = None
        self._session: Any = None
        self._sink: Any = None
        self._watch: Any = None

    def _device(self) -> Any:
        assert _mm is not None
        devices = _mm.QMediaDevices.videoInputs()
        for device in devices:
            if bytes(device.id().data()).hex() == self.camera_id:
                return device
        return _mm.QMediaDevices.defaultVideoInput() if devices else None

    def start(self) -> None:
        if _mm is None:
            self._set_state(CameraState.NO_BACKEND, f"{CameraState.NO_BACKEND.value} ({_MM_ERROR})")
            return
        self.stop()
        device = self._device()
        if device is None or device.isNull():
            self._set_state(CameraState.NO_CAMERA)
            return
        self._camera = _mm.QCamera(device)
        self._session = _mm.QMediaCaptureSession()
        self._sink = _mm.QVideoSink()
        self._session.setCamera(self._camera)
        self._session.setVideoSink(self._sink)
        self._sink.videoFrameChanged.connect(self._frame)
        self._camera.errorOccurred.connect(self._error)
        self._watch = _mm.QMediaDevices(self)
        self._watch.videoInputsChanged.connect(self._inputs_changed)
        self._camera.start()
        self._set_state(CameraState.RUNNING, f"Camera on: {device.description()}")

    def _frame(self, frame: Any) -> None:
        image = frame.toImage()
        if not image.isNull():
            self.frame_ready.emit(image_to_bgr(image))

    def _error(self, error: Any, text: str) -> None:
        assert _mm is not None
        words = text or ""
        if error == _mm.QCamera.Error.CameraError and "permission" in words.lower():
            self._set_state(CameraState.REFUSED)
        else:
            self._set_state(CameraState.FAILED, f"{CameraState.FAILED.value} ({words[:120]})" if words else "")
        self.stop(keep_state=True)

    def _inputs_changed(self) -> None:
        if self._camera is None:
            return
        present = {bytes(d.id().data()).hex() for d in _mm.QMediaDevices.videoInputs()} if _mm else set()
        if bytes(self._camera.cameraDevice().id().data()).hex() not in present:
            self.stop(keep_state=True)
            self._set_state(CameraState.UNPLUGGED)

    def stop(self, keep_state: bool = False) -> None:
        if self._camera is not None:
            try:
                self._camera.stop()
                self._sink.videoFrameChanged.disconnect(self._frame)
            except (RuntimeError, TypeError):
                pass
        self._camera = self._session = self._sink = None
        if self._watch is not None:
            self._watch.deleteLater()
            self._watch = None
        if not keep_state and self.state is not CameraState.OFF:
            self._set_state(CameraState.OFF)
