"""The audit viewer (filters, empty state, CSV and PDF) and the handover sheet (escaped, printable as PDF)."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from console.services.audit import AuditLog
from console.services.parking.store import PaymentRecord
from console.services.settings import Settings
from console.services.shift_report import DoorLine, build
from console.ui import audit_viewer
from console.ui.audit_viewer import AuditViewer
from console.ui.paper import write_pdf
from console.ui.shift_report import ShiftReportDialog, report_html


@pytest.fixture
def audit(tmp_path: Path) -> Any:
    log = AuditLog.in_dir(tmp_path, profile="HQ")
    log.record(operator="ann", profile="HQ", action="door.open", target="door 'Lobby' (d1)", params={"seconds": 5},
               result="ok")
    log.record(operator="bob", profile="HQ", action="alarm.acknowledge", target="event <b>42</b>",
               params={"note": "checked"}, result="ok")
    yield log
    log.close()


def test_the_viewer_filters_says_what_to_do_when_nothing_matches_and_saves(
    qtbot: Any, run: Any, audit: AuditLog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    viewer = AuditViewer(audit, Settings(tmp_path / "settings.toml"), profile="HQ")
    qtbot.addWidget(viewer)
    viewer.show()
    assert viewer.model.rowCount() == 2  # this shift's rows, newest first
    assert viewer.model.item(0, 3).text() == "alarm.acknowledge"
    assert viewer.model.item(0, 4).text() == "event <b>42</b>"  # literally: the items are plain text
    assert viewer.count.text().startswith("2 rows of 2")
    viewer.operator.setText("ann")
    viewer.apply()
    assert [viewer.model.item(r, 1).text() for r in range(viewer.model.rowCount())] == ["ann"]
    assert viewer.count.text().startswith("1 row of 2, newest first (operator 'ann', since ")
    viewer.operator.setText("zed")
    viewer.apply()
    assert viewer.model.rowCount() == 0
    assert viewer.count.text().startswith("No row of the 2 in the audit log matches operator 'zed', since ")
    assert viewer.count.text().endswith(": clear the filter or tick \"Any time\".")
    assert not viewer.csv_button.isEnabled()
    viewer.operator.clear()
    viewer.action.setEditText("door")
    viewer.apply()
    assert viewer.model.rowCount() == 1
    viewer.any_time.setChecked(True)
    assert viewer.model.rowCount() == 1
    saved = iter([tmp_path / "a.csv", tmp_path / "a.pdf"])

    async def ask(*_args: Any) -> Path:
        return next(saved)

    monkeypatch.setattr(audit_viewer, "ask_save_path", ask)
    run(viewer.save_csv())
    assert (tmp_path / "a.csv").read_text(encoding="utf-8-sig").count("door.open") == 1
    run(viewer.save_pdf())
    assert (tmp_path / "a.pdf").read_bytes().startswith(b"%PDF")
    assert viewer.banner.kind == "ok"


def test_the_viewer_starts_at_the_beginning_of_the_shift(qtbot: Any, audit: AuditLog, tmp_path: Path) -> None:
    now = datetime(2026, 5, 1, 22, 30)
    viewer = AuditViewer(audit, Settings(tmp_path / "settings.toml"), clock=lambda: now)
    qtbot.addWidget(viewer)
    assert viewer.since.dateTime().toString("yyyy-MM-dd HH:mm") == "2026-05-01 19:00"


def test_the_handover_sheet_escapes_server_text_and_prints_to_pdf(qtbot: Any, tmp_path: Path) -> None:
    now = datetime.now().astimezone()
    paid = [PaymentRecord(receipt="R1", plate="<i>AB1</i>", amount="12.50", operator="ann",
                          taken_at=now.isoformat(), state="done")]
    report = build(since=now - timedelta(hours=8), until=now, operator="ann", profile="HQ", paid=paid)
    report = type(report)(**{**report.__dict__, "doors": (DoorLine("<b>Lobby</b>", "door", "HQ", "held open"),)})
    sheet = report_html(report)
    assert "&lt;b&gt;Lobby&lt;/b&gt;" in sheet
    assert "<b>Lobby</b>" not in sheet
    assert "&lt;i&gt;AB1&lt;/i&gt;" in sheet
    assert "Taken: ¥ 12.50" in sheet
    assert "No alarm is open." in sheet
    path = tmp_path / "handover.pdf"
    write_pdf(path, sheet, title="Shift handover")
    assert path.read_bytes().startswith(b"%PDF")
    dialog = ShiftReportDialog(lambda since: report, now - timedelta(hours=8))
    qtbot.addWidget(dialog)
    text = dialog.view.toPlainText()
    assert "<b>Lobby</b>" in text  # shown literally
    assert "Doors and gates held open, offline, in alarm or needing maintenance (1)" in text


def test_the_handover_sheet_opens_in_a_print_preview(qtbot: Any, run: Any) -> None:
    from PySide6.QtPrintSupport import QPrintPreviewDialog

    from console.ui import aio
    from tests.helpers import until

    now = datetime.now().astimezone()
    report = build(since=now - timedelta(hours=8), until=now, operator="ann", profile="HQ")
    dialog = ShiftReportDialog(lambda since: report, now - timedelta(hours=8))
    qtbot.addWidget(dialog)
    dialog.show()

    async def scenario() -> None:
        task = aio.spawn(dialog.print_sheet(), owner=dialog)
        preview = await until(lambda: next((d for d in dialog.findChildren(QPrintPreviewDialog) if d.isVisible()),
                                           None), 20)
        preview.reject()
        await task

    run(scenario())
