"""The guard desk's window-wide dialogs: the keyboard shortcuts (F1), the audit log, the shift handover report.

``ConsoleApp`` wires the main window's requests to these coroutines; each opens its dialog with ``open()`` and
awaits it (never ``exec()`` inside a coroutine). They read the current connection's services through
``workspace()`` (None when not connected: the dialog says so instead).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog

from console.services.audit import AuditError
from console.services.mute import shift_start
from console.services.options import ParkingOptions, ShiftOptions, VisitorsOptions
from console.services.parking.money import CurrencyFormat
from console.services.shift_report import SHIFT_START, ShiftReport, gather

from . import aio
from .shortcuts import ShortcutsDialog

if TYPE_CHECKING:
    from .main_window import MainWindow
    from .workspace import Workspace

__all__ = ["audit_viewer", "handover_dialog", "record_shift_start", "show_audit", "show_handover",
           "show_shortcuts"]

log = logging.getLogger(__name__)

NOT_CONNECTED = "Not connected: connect to a server first (Console > Connections…, Ctrl+K)."


def record_shift_start(workspace: Workspace, operator: str) -> bool:
    """Write "shift started by ``operator``" to the audit log (no server write: nothing is sent); False when the
    audit log refused it (logged; the status bar's audit mark says why)."""
    services = workspace.services
    try:
        services.audit.record(SHIFT_START, f"operator {operator}", {}, "ok", operator=operator,
                              profile=services.session.profile.name)
    except AuditError as exc:
        log.warning("the start of the shift could not be written to the audit log: %s", exc)
        return False
    return True


async def show_shortcuts(window: MainWindow) -> None:
    dialog = ShortcutsDialog(window)
    try:
        await aio.dialog_result(dialog)
    finally:
        dialog.deleteLater()


def audit_viewer(window: MainWindow, workspace: Workspace) -> QDialog:
    from .audit_viewer import AuditViewer

    services = workspace.services
    return AuditViewer(services.audit, services.settings, window, profile=services.session.profile.name)


async def show_audit(window: MainWindow, workspace: Callable[[], Workspace | None]) -> None:
    current = workspace()
    if current is None:
        await aio.message(window, "Audit log", NOT_CONNECTED)
        return
    dialog = audit_viewer(window, current)
    try:
        await aio.dialog_result(dialog)
    finally:
        dialog.deleteLater()


def handover_dialog(window: MainWindow, workspace: Workspace, clock: Callable[[], datetime] = datetime.now
                    ) -> QDialog:
    from .shift_report import ShiftReportDialog

    services = workspace.services
    settings = services.settings
    parking = settings.panel(ParkingOptions)
    currency = CurrencyFormat(parking.currency_symbol, parking.symbol_after, parking.decimal_separator,
                              parking.thousands_separator)
    site = settings.panel(VisitorsOptions).site_name or parking.site_name

    def report(since: datetime) -> ShiftReport:
        return gather(services, since=since, until=clock().astimezone())

    since = shift_start(clock().astimezone(), settings.panel(ShiftOptions).ends)
    return ShiftReportDialog(report, since, window, currency=currency, site=site, clock=clock)


async def show_handover(window: MainWindow, workspace: Callable[[], Workspace | None]) -> None:
    current = workspace()
    if current is None:
        await aio.message(window, "Shift handover report", NOT_CONNECTED)
        return
    dialog = handover_dialog(window, current)
    try:
        await aio.dialog_result(dialog)
    finally:
        dialog.deleteLater()
