"""The list of every shortcut (F1): read from the window's actions and shortcuts themselves (their keys, their
text, the panel they work in), so it cannot go stale.

- :func:`collect_shortcuts` walks the window; :class:`ShortcutsDialog` shows the rows as a table with a filter.
  Loaded when F1 is pressed, not with the window (its dialog's classes are not needed for the first paint).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QHeaderView,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

__all__ = ["WINDOW", "ShortcutRow", "ShortcutsDialog", "collect_shortcuts"]

WINDOW = "Everywhere"
_COUNT = re.compile(r"\s*\(\d+\)$")  # "Alarms (3)": the dock title carries a count


@dataclass(frozen=True, slots=True)
class ShortcutRow:
    keys: str  # "Ctrl+Return, Ctrl+Enter" in the desktop's own spelling
    what: str
    where: str  # "Everywhere" or the panel's title


def _words(text: str) -> str:
    return " ".join(text.replace("&&", "\0").replace("&", "").replace("\0", "&").replace("…", "").split())


def _where(owner: QWidget | None, context: Qt.ShortcutContext, window: QWidget) -> str:
    if context == Qt.ShortcutContext.ApplicationShortcut or owner is None or owner is window:
        return WINDOW
    node: QWidget | None = owner
    while node is not None and node is not window:
        if isinstance(node, QDockWidget):
            return _COUNT.sub("", node.toggleViewAction().text()) or node.windowTitle()
        node = node.parentWidget()
    return WINDOW if context == Qt.ShortcutContext.WindowShortcut else (owner.accessibleName() or "its panel")


def collect_shortcuts(window: QWidget) -> list[ShortcutRow]:
    """Every action and shortcut under ``window`` that has keys: what it does and where it works."""
    rows: dict[tuple[str, str, str], ShortcutRow] = {}
    for action in window.findChildren(QAction):
        keys = [k for k in action.shortcuts() if not k.isEmpty()]
        if not keys:
            continue
        what = _words(action.text()) or _words(action.toolTip())
        parent = action.parent()
        owner = parent if isinstance(parent, QWidget) else None
        row = ShortcutRow(_keys(keys), what, _where(owner, action.shortcutContext(), window))
        rows[(row.keys, row.what, row.where)] = row
    for shortcut in window.findChildren(QShortcut):
        keys = [k for k in shortcut.keys() if not k.isEmpty()]  # noqa: SIM118 (a method, not a dict)
        if not keys:
            continue
        parent = shortcut.parent()
        owner = parent if isinstance(parent, QWidget) else None
        what = _words(shortcut.whatsThis()) or _words(shortcut.objectName())
        if not what and owner is not None:
            what = f"a shortcut of {_words(owner.window().windowTitle()) or type(owner).__name__}"
        row = ShortcutRow(_keys(keys), what, _where(owner, shortcut.context(), window))
        rows[(row.keys, row.what, row.where)] = row
    return sorted(rows.values(), key=lambda r: (r.where != WINDOW, r.where, _order(r.keys), r.what))


def _keys(keys: list[QKeySequence]) -> str:
    return ", ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in keys)


def _order(keys: str) -> tuple[int, int, str]:
    """F-keys first, in number order, then the rest by text."""
    first = keys.split(",")[0].strip()
    if re.fullmatch(r"F\d+", first):
        return (0, int(first[1:]), first)
    return (1, 0, first)


class ShortcutsDialog(QDialog):
    """F1: every shortcut of the window, filterable ("alarm", "Ctrl", "F4")."""

    def __init__(self, window: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent or window)
        self.setObjectName("shortcutsDialog")
        self.setWindowTitle("Keyboard shortcuts")
        self.rows = collect_shortcuts(window)
        layout = QVBoxLayout(self)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter: a key or a word (e.g. F4, alarm, Ctrl)")
        self.filter.setClearButtonEnabled(True)
        self.filter.setAccessibleName("Filter the shortcuts")
        layout.addWidget(self.filter)
        self.model = QStandardItemModel(0, 3, self)
        self.model.setHorizontalHeaderLabels(["Keys", "What it does", "Where"])
        for row in self.rows:
            items = [QStandardItem(row.keys), QStandardItem(row.what), QStandardItem(row.where)]
            for item in items:
                item.setEditable(False)
            self.model.appendRow(items)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.table = QTableView()
        self.table.setObjectName("shortcutsTable")
        self.table.setModel(self.proxy)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(640, 520)
        self.filter.setFocus()

    def shown(self) -> list[tuple[str, str, str]]:
        """The rows the filter leaves, as (keys, what, where)."""
        out: list[tuple[str, str, str]] = []
        for r in range(self.proxy.rowCount()):
            keys, what, where = (str(self.proxy.index(r, c).data()) for c in range(3))
            out.append((keys, what, where))
        return out
