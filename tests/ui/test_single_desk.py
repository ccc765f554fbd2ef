"""A second console on a data directory already in use says so in a message box, names the other process and
ends with exit code 1 without touching the data (issue 14)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication, QMessageBox

from console.services.lock import DataDirLock
from console.services.paths import Paths
from console.ui.app import ConsoleApp, Options
from tests.helpers import until


def _box(qapp: QApplication) -> QMessageBox | None:
    return next((w for w in qapp.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()), None)


def test_an_interactive_second_console_is_told_who_holds_the_data_and_stops(
        qapp: QApplication, run: Callable[..., Any], tmp_path: Path) -> None:
    paths = Paths.under(tmp_path).ensure()
    held = DataDirLock.acquire(paths.data_dir)
    app = ConsoleApp(qapp, Options(demo=True, basedir=str(tmp_path)), paths, configure_logging=False)

    async def scenario() -> tuple[int, str]:
        task = asyncio.ensure_future(app.run())
        box = await until(lambda: _box(qapp))
        text = box.text()
        box.button(QMessageBox.StandardButton.Ok).click()
        return await task, text

    try:
        code, text = run(scenario())
    finally:
        held.release()
    assert code == 1
    assert "another console is already using the data directory" in text
    assert f"process {os.getpid()}" in text
    assert app.window is None  # nothing was started
    assert not (paths.data_dir / "audit.sqlite3").exists()
