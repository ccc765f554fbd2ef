"""Live guidance over a frame source: each preview frame is judged off the UI thread, at most one at a time.

A frame that arrives while the detector is busy replaces the one waiting (a slower machine drops frames, the
UI never waits). ``guided(frame, Guidance)`` reports each judged frame; when the frame has stayed good for
``hold_seconds`` and auto-capture is on, ``captured(portrait)`` is emitted once. :meth:`capture` takes the
portrait from the last good frame on demand. Nothing here is written to disk.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from PySide6.QtCore import QObject, Signal

from console.services.enrolment.face import FaceGuide, Guidance, crop_portrait
from console.ui import aio

from .frames import FrameSource

__all__ = ["FaceCapture"]


class FaceCapture(QObject):
    guided = Signal(object, object)  # frame (numpy BGR), Guidance
    captured = Signal(object)  # portrait (numpy BGR)

    def __init__(self, source: FrameSource, *, auto_capture: bool = True, hold_seconds: float = 0.8,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.source = source
        self.guide = FaceGuide()
        self.auto_capture = auto_capture
        self.hold_seconds = hold_seconds
        self.last: Guidance | None = None
        self.last_frame: Any = None
        self.good_frame: Any = None
        self.judged = 0
        self.dropped = 0
        self._waiting: Any = None
        self._task: asyncio.Task[None] | None = None
        self._good_since: float | None = None
        self._armed = True  # one automatic capture per "good" stretch
        source.frame_ready.connect(self._frame)

    def set_source(self, source: FrameSource) -> None:
        self.source.frame_ready.disconnect(self._frame)
        self.source = source
        source.frame_ready.connect(self._frame)
        self.reset()

    def reset(self) -> None:
        self.guide.reset()
        self.last = None
        self.good_frame = None
        self._good_since = None
        self._armed = True

    @property
    def busy(self) -> bool:
        return self._task is not None and not self._task.done()

    def _frame(self, frame: Any) -> None:
        if self.busy:
            if self._waiting is not None:
                self.dropped += 1
            self._waiting = frame
            return
        self._task = aio.spawn(self._judge(frame), owner=self, name="enrolment.face")

    async def _judge(self, frame: Any) -> None:
        while frame is not None:
            guidance = await asyncio.to_thread(self.guide.guide, frame)
            self.judged += 1
            self._result(frame, guidance)
            frame, self._waiting = self._waiting, None

    def _result(self, frame: Any, guidance: Guidance) -> None:
        self.last, self.last_frame = guidance, frame
        now = time.monotonic()
        if guidance.good:
            self.good_frame = (frame, guidance)
            if self._good_since is None:
                self._good_since = now
        else:
            self._good_since = None
            self._armed = True
        self.guided.emit(frame, guidance)
        if (self.auto_capture and self._armed and self._good_since is not None
                and now - self._good_since >= self.hold_seconds):
            self._armed = False
            self.capture()

    def capture(self) -> Any:
        """The portrait from the last good frame (None when no frame was good); emits ``captured``."""
        if self.good_frame is None or self.last is None or not self.last.good:
            return None
        frame, guidance = self.good_frame
        face = guidance.face
        if face is None:
            return None
        portrait = crop_portrait(frame, face)
        self.captured.emit(portrait)
        return portrait

    async def idle(self) -> None:
        """Wait until the frames handed in so far were judged (tests)."""
        while self.busy and self._task is not None:
            await asyncio.shield(self._task)
