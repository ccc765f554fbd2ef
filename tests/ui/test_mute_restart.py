"""A restart keeps the alarm sound's mute only until its end: the whole console, started twice on one folder."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication

from console.services.options import AlarmsOptions
from console.services.paths import Paths
from console.services.settings import Settings
from console.ui.app import ConsoleApp, Options
from tests.helpers import until


def _app(qapp: QApplication, base: Path) -> ConsoleApp:
    options = Options(demo=True, basedir=str(base), theme="dark", operator="Night guard", log_stderr=False)
    return ConsoleApp(qapp, options, Paths.from_env_or_args(options.basedir))


async def _started(app: ConsoleApp) -> Any:
    task = asyncio.ensure_future(app.run())
    await until(lambda: app.ready and app.workspace is not None and app.workspace.alarms is not None, 60)
    return task


def test_a_mute_lasts_over_a_restart_only_until_its_end(
    qapp: QApplication, run: Callable[..., Any], tmp_path: Path, home: Path
) -> None:
    base = tmp_path / "base"

    async def first() -> str:
        app = _app(qapp, base)
        task = await _started(app)
        assert app.workspace is not None
        assert app.workspace.alarms is not None
        app.workspace.alarms.mute_control.for_15.trigger()
        words = app.window.status.mute.text() if app.window is not None else ""
        app.request_quit()
        assert await task == 0
        return words

    async def again() -> tuple[bool, str]:
        app = _app(qapp, base)
        task = await _started(app)
        assert app.workspace is not None
        assert app.workspace.alarms is not None
        result = (app.workspace.alarms.sound.muted, app.window.status.mute.text() if app.window else "")
        app.request_quit()
        assert await task == 0
        return result

    words = run(first(), timeout=90)
    assert words.startswith("Sound muted until ")
    muted, shown = run(again(), timeout=90)
    assert muted  # restarted within the 15 minutes: still muted, until the same time, and it says so
    assert shown == words
    # the end has passed (the desk was off for the night): the next start has its sound on
    settings_file = Paths.from_env_or_args(str(base)).settings_file
    settings = Settings.load(settings_file)
    options = settings.panel(AlarmsOptions)
    options.muted_until = "2000-01-01T07:00:00+00:00"
    settings.set_panel(options)
    settings.save()
    muted, shown = run(again(), timeout=90)
    assert not muted
    assert shown == ""
