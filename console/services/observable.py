"""A minimal Qt-free signal: services announce changes, the UI layer (or a test) subscribes."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Generic, TypeVar

__all__ = ["Signal"]

T = TypeVar("T")
log = logging.getLogger(__name__)


class Signal(Generic[T]):
    """``connect(callback)`` returns a function that disconnects it; ``emit(value)`` calls every callback.

    A failing callback is logged and does not stop the others: one broken view must not starve the rest.
    """

    def __init__(self) -> None:
        self._callbacks: list[Callable[[T], object]] = []

    def connect(self, callback: Callable[[T], object]) -> Callable[[], None]:
        self._callbacks.append(callback)

        def disconnect() -> None:
            if callback in self._callbacks:
                self._callbacks.remove(callback)

        return disconnect

    def emit(self, value: T) -> None:
        for callback in list(self._callbacks):
            try:
                callback(value)
            except Exception:
                log.exception("a listener of %r failed", self)

    def __len__(self) -> int:
        return len(self._callbacks)
