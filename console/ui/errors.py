"""Uncaught errors: logged with their traceback and shown to the operator, never fatal, never silent.

:class:`ErrorReporter` takes over ``sys.excepthook`` (PySide routes exceptions raised in slots there),
``threading.excepthook`` (worker threads) and the qasync adapter's error handler (failed background tasks,
loop errors). Each error is shown in a non-modal message box (``show()``, never ``exec()``); the same
error repeated within a minute updates the box already shown ("happened 12 times") instead of opening
another, and at most a few boxes are open at once. A bug (any error but a ``CVSecError``) also leaves a crash
report in the data directory through ``crash_writer`` (console/services/crash.py), offered at the next start.
Texts pass through :func:`console.services.logs.redact`
so the token cannot reach the screen.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtWidgets import QMessageBox, QWidget

from console.api import CVSecError
from console.services.logs import redact
from console.ui import aio

__all__ = ["ErrorReporter"]

log = logging.getLogger(__name__)


@dataclass
class _Shown:
    box: QMessageBox | None
    first_text: str
    count: int = 1
    last: float = field(default_factory=time.monotonic)


class ErrorReporter(QObject):
    """Install once per application: ``reporter.install()``; ``uninstall()`` restores the previous hooks."""

    _post = Signal(object, str)  # hands errors from other threads to the GUI thread

    def __init__(
        self,
        parent_widget: Callable[[], QWidget | None] = lambda: None,
        *,
        log_file: str = "",
        repeat_window: float = 60.0,
        max_open: int = 3,
        crash_writer: Callable[[BaseException, str], object] | None = None,
    ) -> None:
        super().__init__()
        self._crash_writer = crash_writer  # a bug (not a server error) leaves a crash report, once per error
        self._parent_widget = parent_widget
        self._log_file = log_file
        self._repeat_window = repeat_window
        self._max_open = max_open
        self._shown: dict[tuple[str, str], _Shown] = {}
        self._previous_hook: Callable[[type[BaseException], BaseException, TracebackType | None], object] | None = None
        self._previous_thread_hook: Callable[[threading.ExceptHookArgs], object] | None = None
        self.suppressed = 0
        self.reported: list[str] = []  # texts of every error reported, newest last (the last 100)
        self._post.connect(self._show, Qt.ConnectionType.QueuedConnection)

    # -- hooks -----------------------------------------------------------------------------------

    def install(self) -> None:
        self._previous_hook = sys.excepthook
        self._previous_thread_hook = threading.excepthook
        sys.excepthook = self._excepthook
        threading.excepthook = self._thread_excepthook
        aio.set_error_handler(self.report)

    def uninstall(self) -> None:
        if self._previous_hook is not None:
            sys.excepthook = self._previous_hook
            self._previous_hook = None
        if self._previous_thread_hook is not None:
            threading.excepthook = self._previous_thread_hook
            self._previous_thread_hook = None
        aio.set_error_handler(None)
        for shown in self._shown.values():
            if shown.box is not None:
                with contextlib.suppress(RuntimeError):  # already deleted with its parent window
                    shown.box.close()
        self._shown.clear()

    def _excepthook(self, kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, exc, tb)
            return
        log.error("uncaught error", exc_info=(kind, exc, tb))
        self.report(exc, "an unexpected error")

    def _thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None:
            return
        name = args.thread.name if args.thread is not None else "a worker thread"
        log.error("uncaught error in thread %s", name, exc_info=(args.exc_type, args.exc_value, args.exc_traceback))
        self.report(args.exc_value, f"an error in {name}")

    # -- showing ---------------------------------------------------------------------------------

    def report(self, exc: BaseException, context: str) -> None:
        """Show ``exc`` to the operator (already logged by the caller); safe from any thread."""
        if QThread.currentThread() is not self.thread():
            self._post.emit(exc, context)
        else:
            self._show(exc, context)

    def _show(self, exc: BaseException, context: str) -> None:
        key = (type(exc).__qualname__, str(exc))
        self.reported.append(self._text(exc, context))
        del self.reported[:-100]
        now = time.monotonic()
        self._forget_old(now)
        shown = self._shown.get(key)
        if shown is not None:
            shown.count += 1
            shown.last = now
            if shown.box is not None:
                shown.box.setText(f"{shown.first_text}\n\n(This happened {shown.count} times.)")
            return
        if self._crash_writer is not None and not isinstance(exc, CVSecError):
            try:
                self._crash_writer(exc, context)
            except Exception:
                log.exception("the crash report could not be written")
        open_boxes = sum(1 for s in self._shown.values() if s.box is not None)
        text = self._text(exc, context)
        if open_boxes >= self._max_open:
            self.suppressed += 1
            self._shown[key] = _Shown(None, text)
            log.warning("error dialog not shown (already %d open): %s", open_boxes, key[0])
            return
        box = QMessageBox(self._parent_widget())
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("CVSecurity console: error")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(text)
        hint = "The console keeps running."
        if self._log_file:
            hint += f" Details are in the log file:\n{self._log_file}"
        box.setInformativeText(hint)
        if not isinstance(exc, CVSecError):  # a bug: the traceback helps whoever reads the report
            detail = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
            box.setDetailedText(redact(detail)[-20000:])
        box.setStandardButtons(QMessageBox.StandardButton.Close)
        box.setWindowModality(Qt.WindowModality.NonModal)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        entry = _Shown(box, text)
        self._shown[key] = entry
        box.finished.connect(lambda _result, k=key: self._closed(k))
        box.show()

    def _closed(self, key: tuple[str, str]) -> None:
        shown = self._shown.get(key)
        if shown is not None:
            shown.box = None

    def _forget_old(self, now: float) -> None:
        for key, shown in list(self._shown.items()):
            if shown.box is None and now - shown.last > self._repeat_window:
                del self._shown[key]

    def _text(self, exc: BaseException, context: str) -> str:
        message = str(exc).strip() or "(no message)"
        body = message if isinstance(exc, CVSecError) else f"{type(exc).__name__}: {message}"
        text = f"{context[:1].upper()}{context[1:]}:\n{body}"
        return redact(text)[:2000]

    def open_boxes(self) -> list[QMessageBox]:
        """The error boxes on screen now (tests and the self-test look at them)."""
        return [s.box for s in self._shown.values() if s.box is not None]
