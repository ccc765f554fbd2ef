"""The one module that knows qasync: the loop, tasks started from signals, and dialogs awaited without exec().

Rules it enforces for the rest of the UI (FIELD-NOTES):

- never ``exec()`` a dialog or a static QMessageBox inside a coroutine: it nests the Qt loop and asyncio
  fails; :func:`dialog_result` shows it with ``open()`` and awaits ``finished``;
- every background task is kept referenced, tied to a widget when it has one (cancelled when the widget
  is destroyed), and its failure is reported (logged, and shown through the installed error handler),
  never dropped silently.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Callable, Coroutine
from typing import Any, ParamSpec, TypeVar

import qasync
from PySide6.QtCore import QObject, Qt, SignalInstance
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget

__all__ = [
    "create_loop",
    "dialog_result",
    "message",
    "running_tasks",
    "set_error_handler",
    "signal_future",
    "slot",
    "spawn",
    "wait_signal",
]

log = logging.getLogger(__name__)
P = ParamSpec("P")
T = TypeVar("T")

_tasks: set[asyncio.Task[Any]] = set()
_error_handler: Callable[[BaseException, str], None] | None = None


def set_error_handler(handler: Callable[[BaseException, str], None] | None) -> None:
    """``handler(exc, context)`` is called for every failed task and loop error (the app shows a dialog)."""
    global _error_handler
    _error_handler = handler


def report(exc: BaseException, context: str) -> None:
    log.error("%s", context, exc_info=(type(exc), exc, exc.__traceback__))
    if _error_handler is not None:
        try:
            _error_handler(exc, context)
        except Exception:  # the reporter itself must never take the loop down
            log.exception("the error handler failed")


def _loop_exception_handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    exc = context.get("exception")
    message = str(context.get("message", "error in the event loop"))
    if isinstance(exc, BaseException):
        report(exc, message)
    else:
        log.error("%s", message)


EXECUTOR_WORKERS = 3  # threads of asyncio.to_thread (qasync's default is 10, all started at once)


class _Loop(qasync.QEventLoop):  # type: ignore[misc]
    """qasync's loop with a smaller default executor, made at its first use.

    Measured (tests/benchmarks/bench_memory.py): with qasync's ten workers taking turns, the event journal
    opened a SQLite connection in each (one per thread, each caching up to 16 MB of pages) and glibc an arena
    per thread: RSS rose with the journal all day. Three workers are enough for what runs there (journal
    writes and queries, keyring, snapshot files) on a desk PC.
    """

    _executor_set = False

    def run_in_executor(self, executor: Any, callback: Any, *args: Any) -> Any:
        if executor is None and not self._executor_set:
            self._executor_set = True
            self.set_default_executor(qasync.QThreadExecutor(EXECUTOR_WORKERS))
        return super().run_in_executor(executor, callback, *args)


def create_loop(app: QApplication) -> qasync.QEventLoop:
    """The application's asyncio loop, driven by Qt, with failures reported instead of lost."""
    loop = _Loop(app)
    asyncio.set_event_loop(loop)
    loop.set_exception_handler(_loop_exception_handler)
    return loop


def _task_done(task: asyncio.Task[Any]) -> None:
    _tasks.discard(task)
    if task.cancelled():
        return
    exc = task.exception()
    if exc is not None:
        report(exc, f"background task {task.get_name()!r} failed")


def spawn(coro: Coroutine[Any, Any, T], *, owner: QObject | None = None, name: str | None = None) -> asyncio.Task[T]:
    """Run ``coro`` as a task that is kept alive, reported on failure, and cancelled with ``owner``."""
    task = asyncio.ensure_future(coro)
    if name:
        task.set_name(name)
    _tasks.add(task)
    task.add_done_callback(_task_done)
    if owner is not None:
        owner.destroyed.connect(task.cancel)
    return task


def running_tasks() -> frozenset[asyncio.Task[Any]]:
    return frozenset(t for t in _tasks if not t.done())


def slot(func: Callable[P, Coroutine[Any, Any, Any]]) -> Callable[P, None]:
    """Adapt ``async def`` to a Qt slot: each call spawns a task, tied to ``self`` when it is a QObject.

    Keep the logic in the coroutine (tests await it directly) and connect signals to the adapter.
    """

    @functools.wraps(func)
    def adapter(*args: P.args, **kwargs: P.kwargs) -> None:
        owner = args[0] if args and isinstance(args[0], QObject) else None
        spawn(func(*args, **kwargs), owner=owner, name=func.__qualname__)

    return adapter


def signal_future(signal: SignalInstance) -> asyncio.Future[tuple[Any, ...]]:
    """A future for the next emission of ``signal``, connected NOW (before anything can emit it)."""
    future: asyncio.Future[tuple[Any, ...]] = asyncio.get_running_loop().create_future()

    def on_signal(*args: Any) -> None:
        if not future.done():
            future.set_result(args)

    def disconnect(_: object) -> None:
        with contextlib.suppress(RuntimeError, TypeError):  # the sender may already be gone
            signal.disconnect(on_signal)

    signal.connect(on_signal)
    future.add_done_callback(disconnect)
    return future


async def wait_signal(signal: SignalInstance, timeout: float | None = None) -> tuple[Any, ...]:
    """Await the next emission of ``signal``; returns its arguments."""
    return await asyncio.wait_for(signal_future(signal), timeout)


async def dialog_result(dialog: QDialog) -> int:
    """Show ``dialog`` window-modally with ``open()`` and await its result code (no nested loop)."""
    finished = signal_future(dialog.finished)
    dialog.open()
    (result,) = await finished
    return int(result)


async def message(
    parent: QWidget | None,
    title: str,
    text: str,
    *,
    icon: QMessageBox.Icon = QMessageBox.Icon.Information,
    buttons: QMessageBox.StandardButton = QMessageBox.StandardButton.Ok,
    default: QMessageBox.StandardButton = QMessageBox.StandardButton.NoButton,
    detail: str = "",
) -> QMessageBox.StandardButton:
    """A message box awaited without ``exec()``; ``text`` is shown as plain text, never as markup."""
    box = QMessageBox(icon, title, text, buttons, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    if detail:
        box.setDetailedText(detail)
    if default != QMessageBox.StandardButton.NoButton:
        box.setDefaultButton(default)
    clicked: list[QMessageBox.StandardButton] = []
    box.buttonClicked.connect(lambda button: clicked.append(box.standardButton(button)))
    await dialog_result(box)
    box.deleteLater()
    return clicked[0] if clicked else QMessageBox.StandardButton.Cancel
