"""The audit log read at the desk (Console > Audit log…): filter by operator, action, target and time; save the
rows shown as CSV or PDF.

Rows come from :meth:`console.services.audit.AuditLog.rows` (the newest :data:`MAX_ROWS`), are filtered by
:func:`console.services.audit_query.select` and shown newest first as plain text. The time range starts at the
beginning of the current shift (``[panels.shift] ends``). An empty result says what to do.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QDateTime, Qt, QTimer
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.services.audit import AuditError, AuditLog, AuditRow
from console.services.audit_query import COLUMNS, AuditFilter, cells, select, write_csv
from console.services.mute import shift_start
from console.services.options import ShiftOptions
from console.services.settings import Settings

from . import aio
from .banner import Banner
from .files import ask_save_path, write_and_tell
from .paper import write_pdf

__all__ = ["AuditViewer", "audit_html", "from_qt", "to_qt"]

MAX_ROWS = 50_000  # the newest rows read; a year of a busy desk is well below


def to_qt(moment: datetime) -> QDateTime:
    return QDateTime.fromSecsSinceEpoch(int(moment.timestamp()))


def from_qt(moment: QDateTime) -> datetime:
    """Aware, in the desk's local time zone."""
    return datetime.fromtimestamp(moment.toSecsSinceEpoch()).astimezone()


def audit_html(rows: list[AuditRow], wanted: AuditFilter, *, profile: str = "", printed: datetime | None = None) -> str:
    e = html.escape
    body = "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in cells(r)[:6]) + "</tr>" for r in rows)
    body = body or f"<tr><td colspan='6'>{e('No row matches the filter.')}</td></tr>"
    heads = "".join(f"<th align='left'>{e(c)}</th>" for c in COLUMNS[:6])
    what = wanted.words() or "every row"
    stamp = f"Printed {(printed or datetime.now()):%Y-%m-%d %H:%M}. {len(rows)} rows ({what})."
    return ("<html><body style='font-family: sans-serif; font-size: 8pt'>"
            f"<h2>Audit log{' — ' + e(profile) if profile else ''}</h2><p>{e(stamp)}</p>"
            f"<table border='1' cellspacing='0' cellpadding='2' width='100%'><tr>{heads}</tr>{body}</table>"
            "</body></html>")


class AuditViewer(QDialog):
    """The audit log, filterable; ``reload()`` reads the file again, ``apply()`` filters what was read."""

    def __init__(self, audit: AuditLog, settings: Settings, parent: QWidget | None = None, *,
                 profile: str = "", clock: Callable[[], datetime] = datetime.now) -> None:
        super().__init__(parent)
        self.setObjectName("auditViewer")
        self.setWindowTitle("Audit log")
        self.audit = audit
        self.profile = profile
        self.clock = clock
        self.all_rows: list[AuditRow] = []
        self.rows: list[AuditRow] = []
        layout = QVBoxLayout(self)
        self.banner = Banner("auditBanner", "Audit log message", seconds=8)
        layout.addWidget(self.banner)

        form = QFormLayout()
        self.operator = QLineEdit()
        self.operator.setPlaceholderText("any operator")
        self.action = QComboBox()
        self.action.setEditable(True)
        self.action.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.action.setPlaceholderText("any action (door.open, alarm.acknowledge…)")
        self.target = QLineEdit()
        self.target.setPlaceholderText("any target (a door, a visitor, a plate…)")
        now = clock()
        start = shift_start(now, settings.panel(ShiftOptions).ends)
        self.since = QDateTimeEdit(to_qt(start))
        self.until = QDateTimeEdit(to_qt(now).addSecs(3600))
        for edit in (self.since, self.until):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.any_time = QCheckBox("Any time")
        times = QHBoxLayout()
        times.addWidget(self.since)
        times.addWidget(QLabel("to"))
        times.addWidget(self.until)
        times.addWidget(self.any_time)
        times.addStretch(1)
        form.addRow("Operator", self.operator)
        form.addRow("Action", self.action)
        form.addRow("Target", self.target)
        form.addRow("Time", times)
        layout.addLayout(form)

        self.count = QLabel()
        self.count.setObjectName("auditCount")
        self.count.setTextFormat(Qt.TextFormat.PlainText)
        self.count.setWordWrap(True)
        layout.addWidget(self.count)
        self.model = QStandardItemModel(0, len(COLUMNS), self)
        self.model.setHorizontalHeaderLabels(list(COLUMNS))
        self.table = QTableView()
        self.table.setObjectName("auditTable")
        self.table.setModel(self.model)
        self.table.setTabKeyNavigation(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        layout.addWidget(self.table, 1)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.reload_button = QPushButton("Read again")
        self.csv_button = QPushButton("Save CSV…")
        self.pdf_button = QPushButton("Save PDF…")
        for button in (self.reload_button, self.csv_button, self.pdf_button):
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.reload_button.clicked.connect(self.reload)
        self.csv_button.clicked.connect(lambda: aio.spawn(self.save_csv(), owner=self, name="audit csv"))
        self.pdf_button.clicked.connect(lambda: aio.spawn(self.save_pdf(), owner=self, name="audit pdf"))

        self._pending = QTimer(self)  # typing filters after a short pause, not on every key
        self._pending.setSingleShot(True)
        self._pending.setInterval(200)
        self._pending.timeout.connect(self.apply)
        for line in (self.operator, self.target):
            line.textChanged.connect(lambda _t: self._pending.start())
        self.action.editTextChanged.connect(lambda _t: self._pending.start())
        self.since.dateTimeChanged.connect(lambda _t: self._pending.start())
        self.until.dateTimeChanged.connect(lambda _t: self._pending.start())
        self.any_time.toggled.connect(self._any_time)
        self.resize(1000, 620)
        self.reload()

    def _any_time(self, on: bool) -> None:
        self.since.setEnabled(not on)
        self.until.setEnabled(not on)
        self.apply()

    def wanted(self) -> AuditFilter:
        since = until = None
        if not self.any_time.isChecked():
            since = from_qt(self.since.dateTime())
            until = from_qt(self.until.dateTime())
        return AuditFilter(self.operator.text(), self.action.currentText(), self.target.text(), since, until)

    def reload(self) -> None:
        try:
            self.all_rows = self.audit.rows(limit=MAX_ROWS)
        except AuditError as exc:
            self.all_rows = []
            self.banner.show_message("alarm", f"The audit log could not be read: {exc}", seconds=0)
        actions = sorted({r.action for r in self.all_rows})
        text = self.action.currentText()
        self.action.blockSignals(True)
        self.action.clear()
        self.action.addItems(["", *actions])
        self.action.setEditText(text)
        self.action.blockSignals(False)
        self.apply()

    def apply(self) -> None:
        self._pending.stop()
        wanted = self.wanted()
        self.rows = select(self.all_rows, wanted)
        self.model.removeRows(0, self.model.rowCount())
        for row in self.rows:
            items = [QStandardItem(c) for c in cells(row)]
            items[4].setToolTip("")  # never rich text from a target
            self.model.appendRow(items)
        self.table.resizeColumnsToContents()
        for column in range(len(COLUMNS) - 1):
            self.table.setColumnWidth(column, min(self.table.columnWidth(column), 320))
        self.count.setText(self._count_text(wanted))
        self.csv_button.setEnabled(bool(self.rows))
        self.pdf_button.setEnabled(bool(self.rows))

    def _count_text(self, wanted: AuditFilter) -> str:
        total = len(self.all_rows)
        if not self.rows:
            if not total:
                return "The audit log is empty: commands and acknowledgements are written here as they happen."
            return (f"No row of the {total} in the audit log matches {wanted.words()}: clear the filter or "
                    "tick \"Any time\".")
        shown = f"{len(self.rows)} row{'s' if len(self.rows) != 1 else ''} of {total}"
        return f"{shown}, newest first ({wanted.words()})" if not wanted.empty else f"{shown}, newest first"

    def _name(self, suffix: str) -> str:
        return f"audit-{self.clock():%Y%m%d-%H%M}.{suffix}"

    async def save_csv(self) -> Path | None:
        path = await ask_save_path(self, "Save the audit rows as CSV", self._name("csv"), "CSV files (*.csv)")
        rows = list(self.rows)
        write_and_tell(self.banner, path, lambda p: write_csv(rows, p))
        return path

    async def save_pdf(self) -> Path | None:
        path = await ask_save_path(self, "Save the audit rows as PDF", self._name("pdf"), "PDF files (*.pdf)")
        sheet = audit_html(list(self.rows), self.wanted(), profile=self.profile)
        write_and_tell(self.banner, path, lambda p: write_pdf(p, sheet, title="Audit log", landscape=True))
        return path
