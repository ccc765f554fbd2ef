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


def test_the_command_line_tools_run_with_collections_as_usual(monkeypatch: pytest.MonkeyPatch) -> None:
    """``export-events`` may walk a million events: the start's pause is for the console's window, not for them."""
    import gc

    from console import __main__ as command
    from console.ui import launch

    seen: list[bool] = []

    def tool(argv: list[str]) -> int:
        seen.append(gc.isenabled())
        return 0

    monkeypatch.setattr(launch, "_export_events", tool)
    monkeypatch.setattr(launch, "_autostart", tool)
    was = gc.isenabled()
    gc.enable()
    try:
        assert command.main(["export-events", "--since", "2026-01-01"]) == 0
        assert command.main(["autostart", "status"]) == 0
    finally:
        gc_pauses.resume_after_start()
        (gc.enable if was else gc.disable)()
    assert seen == [True, True]
