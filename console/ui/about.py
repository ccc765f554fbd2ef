"""What the About dialog and a crash report say about this build, and the crash-report offer at start.

:func:`about_text` is the About dialog's text (Help > About): the version, the build date (``build-info.json``
that packaging/console.spec writes into the bundle; "not a packaged build" from a checkout or a wheel), the
Python, Qt and PySide versions, and where the data, settings and logs are. :func:`versions` is what a crash
report records. :func:`offer_crash_reports` runs at start: a report left by the last run is offered for
support in a dialog (opened with ``open()`` through :mod:`console.ui.aio`, never ``exec()``); in an unattended
run (self-test, screenshot) only a log line says where it is.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import PySide6
from PySide6.QtCore import qVersion
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from console.services import crash
from console.services.paths import Paths
from console.ui import aio

__all__ = ["about_text", "build_info", "offer_crash_reports", "versions"]

log = logging.getLogger(__name__)

BUILD_INFO = "build-info.json"


def build_info() -> dict[str, str]:
    """The bundle's build-info.json (date, platform), or an empty dict outside a packaged build."""
    base = getattr(sys, "_MEIPASS", None)
    if not base:
        return {}
    try:
        data = json.loads((Path(base) / BUILD_INFO).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def versions() -> dict[str, str]:
    built = build_info().get("built")
    return {
        **crash.base_versions(),
        "qt": qVersion(),
        "pyside6": PySide6.__version__,
        "built": built or "not a packaged build",
    }


def about_text(paths: Paths, log_file: Path | None = None) -> str:
    v = versions()
    log_path = log_file or paths.log_dir / "console.log"
    return (
        f"CVSecurity operator console {v['console']}\n"
        f"Build: {v['built']}\n"
        f"Python {v['python']}, Qt {v['qt']}, PySide6 {v['pyside6']}\n"
        f"System: {v['os']}\n"
        "\n"
        f"Data: {paths.data_dir}\n"
        f"Settings: {paths.settings_file}\n"
        f"Logs: {log_path}\n"
        f"Crash reports: {paths.data_dir / crash.CRASH_DIR}"
    )


async def offer_crash_reports(parent: QWidget | None, paths: Paths, *, interactive: bool) -> list[Path]:
    """Offer the reports the last runs left (each once); returns the copies the operator saved."""
    reports = crash.pending(paths.data_dir)
    if not reports:
        return []
    if not interactive:
        log.warning("the console crashed in an earlier run: %d crash report(s) in %s", len(reports),
                    paths.data_dir / crash.CRASH_DIR)
        return []
    newest = [crash.mark_offered(report) for report in reports][-1]  # each report is offered once
    answer = await aio.message(
        parent,
        "The console stopped unexpectedly",
        f"The console stopped unexpectedly last time ({len(reports)} crash report(s)). The report holds the error, "
        "the versions and the last log lines (the access token is masked).\n\n"
        "Save it to send to support?",
        icon=QMessageBox.Icon.Question,
        buttons=QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Close,
        default=QMessageBox.StandardButton.Save,
        detail=f"The reports stay in {paths.data_dir / crash.CRASH_DIR}",
    )
    if answer != QMessageBox.StandardButton.Save:
        return []
    dialog = QFileDialog(parent, "Save the crash report", str(Path.home() / "cvsecurity-console-crash.txt"),
                         "Text files (*.txt)")
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    try:
        if await aio.dialog_result(dialog) != QFileDialog.DialogCode.Accepted or not dialog.selectedFiles():
            return []
        target = Path(dialog.selectedFiles()[0])
    finally:
        dialog.deleteLater()
    try:
        saved = crash.save_copy(newest, target)
    except OSError as exc:
        await aio.message(parent, "Crash report not saved", f"The report could not be saved: {exc}",
                          icon=QMessageBox.Icon.Warning)
        return []
    log.info("crash report saved to %s", saved)
    return [saved]
