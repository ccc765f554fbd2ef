"""The command pauses the garbage collector for its start (``console.services.gc_pauses``); the console turns it on
again once it is up (``tests/ui/test_demo_process.py``), and at the latest a while after its loop starts."""

from __future__ import annotations

import asyncio

import pytest

from console.services import gc_pauses
from console.ui import aio, app


def test_the_console_resumes_them_at_the_latest_when_its_start_never_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    """A start that stops at a dialog (the first-start wizard, a refused token) or never reaches a server: the
    timer set when the loop starts turns collections on."""
    scheduled: list[tuple[float, object]] = []

    class Loop:
        def call_later(self, delay: float, callback: object) -> None:
            scheduled.append((delay, callback))

        def run_until_complete(self, _coro: object) -> int:
            _coro.close()  # type: ignore[attr-defined]
            return 0

        def close(self) -> None:
            pass

    class Stub:
        data_lock = sim = None

        def __init__(self, *args: object, **kwargs: object) -> None:
            pass

        async def run(self) -> int:
            return 0

    monkeypatch.setattr(aio, "create_loop", lambda qapp: Loop())
    monkeypatch.setattr(app, "ConsoleApp", Stub)
    monkeypatch.setattr(asyncio, "set_event_loop", lambda loop: None)
    assert app.run_console(None, None, None) == 0  # type: ignore[arg-type]
    assert scheduled == [(gc_pauses.START_PAUSE_MAX, gc_pauses.resume_after_start)]
