"""Keyboard first: a key per panel, Tab kept inside the panel, and the list of every shortcut (F1).

- :data:`PANEL_KEYS`: the function key that brings each panel to the front and puts the keyboard in it
  (F2 doors, F3 events, F4 alarms, F6 visitors, F7 people, F10 parking, F12 spaces; F1 is this list, F5
  refresh, F8 and F9 the alarm queue's (console/ui/alarms/workflow.py), F11 full screen). The main window makes
  one window-wide action per panel.
- :class:`PanelDock`: the dock every panel sits in. Tab and Shift+Tab go round the panel's own controls and
  never leave it for a neighbouring dock; tables inside it do not keep Tab for moving between cells.
- :func:`collect_shortcuts` walks the window's actions and shortcuts themselves (their keys, their text, the
  panel they work in), so the F1 list cannot go stale; :class:`ShortcutsDialog` shows it as a table with a filter.
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
    QPlainTextEdit,
    QTableView,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

__all__ = ["PANEL_KEYS", "PanelDock", "ShortcutRow", "ShortcutsDialog", "collect_shortcuts", "untrap_tab"]

PANEL_KEYS: dict[str, str] = {
    "doors": "F2",
    "events": "F3",
    "alarms": "F4",
    "visitors": "F6",
    "people": "F7",
    "parking": "F10",  # F8 and F9 are the alarm queue's (take the next alarm, acknowledge)
    "spaces": "F12",
}
WINDOW = "Everywhere"
_COUNT = re.compile(r"\s*\(\d+\)$")  # "Alarms (3)": the dock title carries a count


def untrap_tab(widget: QWidget) -> None:
    """Tables and lists under ``widget`` leave Tab to move the focus on (arrows move between cells); so do
    multi-line text fields (a note is typed without tab characters)."""
    for view in widget.findChildren(QAbstractItemView):
        view.setTabKeyNavigation(False)
    if isinstance(widget, QAbstractItemView):
        widget.setTabKeyNavigation(False)
    for edit in widget.findChildren(QPlainTextEdit):
        edit.setTabChangesFocus(True)
    for rich in widget.findChildren(QTextEdit):
        rich.setTabChangesFocus(True)


class PanelDock(QDockWidget):
    """A dock whose Tab chain goes round its own panel's controls (a floating dock is its own window anyway)."""

    def setWidget(self, widget: QWidget) -> None:
        super().setWidget(widget)
        untrap_tab(widget)

    def tab_chain(self) -> list[QWidget]:
        """The panel's controls that take the focus with Tab, in focus-chain order."""
        panel: QWidget | None = self.widget()
        if panel is None:
            return []
        out: list[QWidget] = []
        current = panel.nextInFocusChain()
        seen = 0
        while current is not None and current is not panel and seen < 5000:
            seen += 1
            if (panel.isAncestorOf(current) and current.isVisible() and current.isEnabled()
                    and current.focusPolicy() & Qt.FocusPolicy.TabFocus == Qt.FocusPolicy.TabFocus
                    and current.focusProxy() is None):
                out.append(current)
            current = current.nextInFocusChain()
        return out

    def focusNextPrevChild(self, next: bool) -> bool:
        chain = self.tab_chain()
        if not chain:
            return super().focusNextPrevChild(next)
        focus: QWidget | None = self.focusWidget()
        while focus is not None and focus not in chain and focus is not self:
            focus = focus.parentWidget()  # a table's viewport, a spin box's line edit: their owner
        index = chain.index(focus) if focus in chain else (-1 if next else 0)
        target = chain[(index + (1 if next else -1)) % len(chain)]
        target.setFocus(Qt.FocusReason.TabFocusReason if next else Qt.FocusReason.BacktabFocusReason)
        return True

    def focus_panel(self) -> None:
        """The panel's first control takes the keyboard (after its own choice, when it has made one)."""
        panel: QWidget | None = self.widget()
        if panel is None:
            return
        current = panel.focusWidget()
        if current is not None and current.isVisible() and panel.isAncestorOf(current):
            current.setFocus(Qt.FocusReason.ShortcutFocusReason)
            return
        chain = self.tab_chain()
        (chain[0] if chain else panel).setFocus(Qt.FocusReason.ShortcutFocusReason)


# -- the list of shortcuts ----------------------------------------------------------------------------------


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
