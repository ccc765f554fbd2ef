"""The shift handover report as a sheet: shown, printed, or saved as PDF (Console > Shift handover report…,
Ctrl+Shift+H).

The data is gathered by :func:`console.services.shift_report.gather` (no Qt); here it is rendered as HTML with
every string escaped (names come from the server) and handed to :mod:`console.ui.paper`.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from PySide6.QtWidgets import (
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from console.services.parking.money import CurrencyFormat
from console.services.shift_report import ShiftReport

from . import aio
from .audit_viewer import from_qt, to_qt
from .banner import Banner
from .files import ask_save_path, write_and_tell
from .paper import print_preview, write_pdf

__all__ = ["ShiftReportDialog", "report_html"]


def _table(heads: Sequence[str], rows: Sequence[Sequence[str]], empty: str) -> str:
    e = html.escape
    head = "".join(f"<th align='left'>{e(h)}</th>" for h in heads)
    if not rows:
        return f"<p><i>{e(empty)}</i></p>"
    body = "".join("<tr>" + "".join(f"<td>{e(c).replace(chr(10), '<br/>')}</td>" for c in row) + "</tr>"
                   for row in rows)
    return f"<table border='1' cellspacing='0' cellpadding='3' width='100%'><tr>{head}</tr>{body}</table>"


def report_html(report: ShiftReport, currency: CurrencyFormat | None = None, *, site: str = "",
                printed: datetime | None = None) -> str:
    e = html.escape
    money = (currency or CurrencyFormat()).format
    alarms = [(a.priority, a.time, a.what, a.where, a.person, a.state, "\n".join(a.notes) or "—")
              for a in report.alarms]
    doors = [(d.name, d.kind, d.area, d.problem) for d in report.doors]
    visitors = [(v.name, v.company, v.host, v.since, v.registered_by) for v in report.visitors]
    commands = [(c.time, c.operator, c.action, c.target, c.result) for c in report.commands]
    payments = [(p.time, p.operator, p.plate, p.receipt, money(p.amount), p.state) for p in report.payments]
    totals = ""
    if report.payments:
        totals = f"<p><b>Taken: {e(money(report.paid_total))}</b>"
        if report.uncertain_total:
            totals += (f"; uncertain, not counted: {e(money(report.uncertain_total))} (settle them on the parking "
                       "panel)")
        totals += "</p>"
    duty = f"<p>Shifts started: {e(', '.join(report.on_duty))}</p>" if report.on_duty else ""
    missing = "".join(f"<p>⚠ Not in this report: {e(m)}</p>" for m in report.missing)
    title = "Shift handover" + (f" — {e(site)}" if site else "")
    head = (f"From {report.since:%Y-%m-%d %H:%M} to {report.until:%Y-%m-%d %H:%M} · connection "
            f"{report.profile or '—'} · operator {report.operator or '—'} · printed "
            f"{(printed or datetime.now()):%Y-%m-%d %H:%M}")
    return (
        "<html><body style='font-family: sans-serif; font-size: 9pt'>"
        f"<h2>{title}</h2><p>{e(head)}</p>{duty}<p><b>{e(report.summary())}</b></p>{missing}"
        f"<h3>Open alarms ({len(alarms)})</h3>"
        + _table(("Priority", "Time", "Alarm", "Where", "Person", "State", "Notes"), alarms, "No alarm is open.")
        + f"<h3>Doors and gates held open, offline, in alarm or needing maintenance ({len(doors)})</h3>"
        + _table(("Name", "Kind", "Area", "Problem"), doors, "Every door and gate is closed and online.")
        + f"<h3>Visitors still on site ({len(visitors)})</h3>"
        + _table(("Visitor", "Company", "Host", "Registered", "By"), visitors,
                 "No visitor registered at this desk is on site.")
        + f"<h3>Commands issued ({len(commands)})</h3>"
        + _table(("Time", "Operator", "Action", "Target", "Result"), commands, "No command was issued.")
        + f"<h3>Payments taken ({len(payments)})</h3>"
        + _table(("Time", "Operator", "Plate", "Receipt", "Amount", "State"), payments, "No payment was taken.")
        + totals
        + "<p><br/>Handed over by: ______________________ &nbsp;&nbsp; Taken over by: ______________________</p>"
        "</body></html>"
    )


class ShiftReportDialog(QDialog):
    """The report on screen, from a time the guard may change; printed or saved as PDF from here."""

    def __init__(self, gather: Callable[[datetime], ShiftReport], since: datetime, parent: QWidget | None = None,
                 *, currency: CurrencyFormat | None = None, site: str = "",
                 clock: Callable[[], datetime] = datetime.now) -> None:
        super().__init__(parent)
        self.setObjectName("shiftReport")
        self.setWindowTitle("Shift handover report")
        self.gather = gather
        self.currency = currency
        self.site = site
        self.clock = clock
        layout = QVBoxLayout(self)
        self.banner = Banner("shiftReportBanner", "Shift report message", seconds=8)
        layout.addWidget(self.banner)
        top = QHBoxLayout()
        top.addWidget(QLabel("Shift since"))
        self.since = QDateTimeEdit(to_qt(since))
        self.since.setCalendarPopup(True)
        self.since.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.since.setAccessibleName("Shift since")
        top.addWidget(self.since)
        self.update_button = QPushButton("Update")
        top.addWidget(self.update_button)
        top.addStretch(1)
        layout.addLayout(top)
        self.view = QTextBrowser()
        self.view.setObjectName("shiftReportView")
        self.view.setOpenLinks(False)
        layout.addWidget(self.view, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.print_button = QPushButton("Print…")
        self.pdf_button = QPushButton("Save PDF…")
        buttons.addButton(self.print_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.pdf_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.update_button.clicked.connect(self.update_report)
        self.print_button.clicked.connect(lambda: aio.spawn(self.print_sheet(), owner=self, name="shift print"))
        self.pdf_button.clicked.connect(lambda: aio.spawn(self.save_pdf(), owner=self, name="shift pdf"))
        self.resize(900, 700)
        self.report: ShiftReport | None = None
        self.sheet = ""
        self.update_report()

    def update_report(self) -> None:
        since = from_qt(self.since.dateTime())
        self.report = self.gather(since)
        self.sheet = report_html(self.report, self.currency, site=self.site, printed=self.clock())
        self.view.setHtml(self.sheet)

    async def save_pdf(self) -> Path | None:
        path = await ask_save_path(self, "Save the shift report as PDF", f"shift-{self.clock():%Y%m%d-%H%M}.pdf",
                                   "PDF files (*.pdf)")
        sheet = self.sheet
        write_and_tell(self.banner, path, lambda p: write_pdf(p, sheet, title="Shift handover"))
        return path

    async def print_sheet(self) -> None:
        await print_preview(self, self.sheet, title="Shift handover")
