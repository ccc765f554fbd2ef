"""The bulk import dialog: every row of a people CSV in a table (line, PIN, name, status) as it is checked and
then sent, a progress bar, and the report at the end.

``ImportDialog(parent)`` is shown without a nested loop (``show()``); the People panel fills it
(:meth:`ImportDialog.show_rows`), and its "Import" button asks the panel (``import_requested``) to run the
import, which calls :meth:`ImportDialog.rows_changed` after each batch and :meth:`ImportDialog.show_report` at
the end. Row states come from :class:`console.services.enrolment.bulk.CsvRow`: ``ready`` (valid, not sent
yet), ``invalid`` (with the reason, never sent), ``done`` (sent, accepted), ``refused`` (with the server's
reason), ``uncertain`` (the answer was lost: checked with the server on the next run, never sent twice).
Names and reasons are plain text (cells of an item model).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from console.services.enrolment.bulk import BulkReport, CsvRow, row_status
from console.services.outcome import Outcome
from console.ui.banner import Banner, BannerKind
from console.ui.text import tooltip

__all__ = ["COLUMNS", "ImportDialog", "RowsModel", "status_words"]

COLUMNS: Final = ("Line", "PIN", "Name", "Status")
_NEEDS_LOOK: Final = frozenset({"invalid", "refused", "uncertain"})
_COLOURS: Final = {"invalid": "#b8860b", "refused": "#c0392b", "uncertain": "#b8860b", "done": "#2e7d32"}
_KINDS: Final[dict[Outcome, BannerKind]] = {Outcome.DONE: "ok", Outcome.NOT_SENT: "warn", Outcome.UNCERTAIN: "warn"}


status_words = row_status


def _name(row: CsvRow) -> str:
    return " ".join(p for p in (row.form.name, row.form.last_name) if p)


class RowsModel(QAbstractTableModel):
    """The CSV rows, one per line of the table; the rows themselves change as the import runs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.rows: list[CsvRow] = []

    def set_rows(self, rows: Sequence[CsvRow]) -> None:
        self.beginResetModel()
        self.rows = rows if isinstance(rows, list) else list(rows)  # the import's own rows: they change as it runs
        self.endResetModel()

    def refresh(self) -> None:
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, len(COLUMNS) - 1))

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        row = self.rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (str(row.line), row.pin, _name(row), status_words(row))[column]
        if role == Qt.ItemDataRole.ToolTipRole and column in (2, 3):  # long reasons are cut in the cell
            return tooltip((_name(row), status_words(row))[column - 2])
        if role == Qt.ItemDataRole.UserRole:
            return row.state
        if role == Qt.ItemDataRole.ForegroundRole and column == 3 and row.state in _COLOURS:
            return QBrush(QColor(_COLOURS[row.state]))
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 0:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class _Attention(QSortFilterProxyModel):
    """Only the rows that need a look (invalid, refused, answer lost) when ``only`` is set."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.only = False

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        if not self.only:
            return True
        model = self.sourceModel()
        return model.data(model.index(source_row, 0, source_parent), Qt.ItemDataRole.UserRole) in _NEEDS_LOOK


class ImportDialog(QDialog):
    """The rows of one CSV and what became of each."""

    import_requested = Signal()
    save_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importDialog")
        self.setWindowTitle("Import people")
        self.resize(760, 560)
        self.file_label = QLabel()
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.summary.setWordWrap(True)
        self.banner = Banner("importBanner", "Import result", selectable=True)
        self.banner.hide()
        self.model = RowsModel(self)
        self.proxy = _Attention(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setObjectName("importRows")
        self.table.setModel(self.proxy)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.resizeSection(2, 180)
        header.setStretchLastSection(True)
        self.only_problems = QCheckBox("Only rows that need a look")
        self.only_problems.toggled.connect(self._filter)
        self.progress = QProgressBar()
        self.progress.setFormat("%v of %m sent")
        self.progress.hide()
        self.import_button = QPushButton("Import")
        self.import_button.setDefault(True)
        self.import_button.clicked.connect(self._import_clicked)
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.reject)
        self.save_button = QPushButton("Save report…")
        self.save_button.setToolTip("Every row and what became of it, as a CSV file")
        self.save_button.clicked.connect(self.save_requested.emit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.only_problems)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.import_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.file_label)
        layout.addWidget(self.summary)
        layout.addWidget(self.banner)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.progress)
        layout.addLayout(buttons)
        self.running = False

    def _filter(self, on: bool) -> None:
        self.proxy.only = on
        self.proxy.invalidate()

    def _import_clicked(self) -> None:
        if not self.running:
            self.import_requested.emit()

    def counts(self) -> dict[str, int]:
        out = {state: 0 for state in ("ready", "invalid", "done", "refused", "uncertain")}
        for row in self.model.rows:
            out[row.state] = out.get(row.state, 0) + 1
        return out

    def show_rows(self, rows: Sequence[CsvRow], *, source: str = "", summary: str = "") -> None:
        """A new file: its rows, checked, nothing sent yet."""
        self.file_label.setText(source)
        self.file_label.setVisible(bool(source))
        self.model.set_rows(rows)
        self.summary.setText(summary)
        self.banner.hide()
        self.progress.hide()
        self.running = False
        self._buttons()

    def _buttons(self) -> None:
        counts = self.counts()
        waiting = counts["ready"] + counts["uncertain"]
        self.import_button.setEnabled(waiting > 0 and not self.running)
        started = counts["done"] + counts["refused"] + counts["uncertain"] > 0
        noun = "row" if waiting == 1 else "rows"
        if not waiting:
            self.import_button.setText("Nothing left to import")
        else:
            self.import_button.setText(f"Import the rest ({waiting} {noun})" if started else
                                       f"Import {waiting} valid {noun}")
        self.close_button.setEnabled(not self.running)
        self.save_button.setEnabled(bool(self.model.rows) and not self.running)

    def started(self) -> None:
        counts = self.counts()
        self.running = True
        self.progress.setRange(0, max(1, counts["ready"] + counts["uncertain"] + counts["done"] + counts["refused"]))
        self.progress.setValue(counts["done"] + counts["refused"])
        self.progress.show()
        self.banner.show_message("info", "Sending, in batches of 100…")
        self._buttons()

    def rows_changed(self) -> None:
        """A batch went: repaint the statuses and move the bar."""
        self.model.refresh()
        counts = self.counts()
        self.progress.setValue(counts["done"] + counts["refused"])
        self.proxy.invalidate()

    def show_report(self, report: BulkReport) -> None:
        self.running = False
        self.rows_changed()
        counts = report.counts
        kind: BannerKind = _KINDS.get(report.kind, "warn")
        if report.kind is Outcome.DONE and counts.get("refused", 0):
            kind = "warn"
        self.banner.show_message(kind, report.message)
        self._buttons()
