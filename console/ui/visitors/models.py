"""Table models over the desk's lists: who is on site (the evacuation list) and who is expected today.

Thin ``QAbstractTableModel`` translations of plain lists owned by the services; ``set_rows`` resets the model
(the lists are short: one day at one desk). Server text is returned as data (views draw it as plain text)
and long values are elided by the views.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from console.services.visitors import ExpectedVisit, OnSiteVisit, cert_type_words
from console.ui.text import item_tooltip

__all__ = ["ExpectedModel", "OnSiteModel"]

R = TypeVar("R", OnSiteVisit, ExpectedVisit)
Index = QModelIndex | QPersistentModelIndex

ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the record behind a row


def _host(form_host_name: str, pin: str, dept: str) -> str:
    name = form_host_name or pin
    return f"{name} ({dept})" if dept else name


class _Model(QAbstractTableModel, Generic[R]):
    COLUMNS: tuple[str, ...] = ()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[R] = []

    def set_rows(self, rows: Sequence[R]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> R | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rows(self) -> list[R]:
        return list(self._rows)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        horizontal = orientation == Qt.Orientation.Horizontal
        if role == Qt.ItemDataRole.DisplayRole and horizontal and 0 <= section < len(self.COLUMNS):
            return self.COLUMNS[section]
        return None

    def cells(self, record: R) -> list[str]:
        raise NotImplementedError

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._rows) or index.column() >= len(self.COLUMNS):
            return None
        record = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.cells(record)[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole:  # the whole cell (the view elides it), escaped: never rich text
            return item_tooltip(self.cells(record)[index.column()])
        if role == ROW_ROLE:
            return record.id
        return None


class OnSiteModel(_Model[OnSiteVisit]):
    COLUMNS = ("Visitor", "Company", "People", "Host", "Document", "Phone", "Since", "Until")

    def cells(self, record: OnSiteVisit) -> list[str]:
        form = record.visit_form
        return [
            form.visitor_name, form.company, form.visitor_count or "1",
            _host(form.host_name, form.host_pin, form.host_dept),
            f"{cert_type_words(form.cert_type)} {form.cert_number}", form.phone, record.registered_at[11:16],
            form.end[11:16] if form.end[:10] == record.registered_at[:10] else form.end[:16],
        ]


class ExpectedModel(_Model[ExpectedVisit]):
    COLUMNS = ("Time", "Visitor", "Company", "Host", "Document", "Reason", "Status")

    def cells(self, record: ExpectedVisit) -> list[str]:
        form = record.visit_form
        return [
            f"{record.visit_date[11:16]}–{record.visit_end[11:16]}", form.visitor_name, form.company,
            _host(form.host_name, form.host_pin, form.host_dept),
            f"{cert_type_words(form.cert_type)} {form.cert_number}", form.reason, record.status,
        ]
