"""Keyboard first: a key per panel, and Tab kept inside the panel (the list of every shortcut, F1, is
:mod:`console.ui.shortcuts`, loaded when asked for).

- :data:`PANEL_KEYS`: the function key that brings each panel to the front and puts the keyboard in it
  (F2 doors, F3 events, F4 alarms, F6 visitors, F7 people, F10 parking, F12 spaces; F1 is this list, F5
  refresh, F8 and F9 the alarm queue's (console/ui/alarms/workflow.py), F11 full screen). The main window makes
  one window-wide action per panel.
- :class:`PanelDock`: the dock every panel sits in. Tab and Shift+Tab go round the panel's own controls and
  never leave it for a neighbouring dock; tables inside it do not keep Tab for moving between cells.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QWidget

if TYPE_CHECKING:
    from PySide6.QtWidgets import QAbstractItemView, QPlainTextEdit

__all__ = ["PANEL_KEYS", "PanelDock", "untrap_tab"]

PANEL_KEYS: dict[str, str] = {
    "doors": "F2",
    "events": "F3",
    "alarms": "F4",
    "visitors": "F6",
    "people": "F7",
    "parking": "F10",  # F8 and F9 are the alarm queue's (take the next alarm, acknowledge)
    "spaces": "F12",
}


def untrap_tab(widget: QWidget) -> None:
    """Tables and lists under ``widget`` leave Tab to move the focus on (arrows move between cells); so do
    multi-line text fields (a note is typed without tab characters).

    Asked by Qt class name (``inherits``): the doors dock's first widget passes here before the window's first
    paint, and naming QAbstractItemView, QPlainTextEdit and QTextEdit in Python builds their classes (~2.2 ms)."""
    for child in (widget, *widget.findChildren(QWidget)):
        if child.inherits("QAbstractItemView"):
            cast("QAbstractItemView", child).setTabKeyNavigation(False)
        elif child.inherits("QPlainTextEdit") or child.inherits("QTextEdit"):
            cast("QPlainTextEdit", child).setTabChangesFocus(True)  # (QTextEdit's method of the same name)


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
        if not self.isVisible():
            # Qt moves the focus out of a dock it hides (replaced, closed): its own way. Walking the focus chain
            # then made PySide6 take the window's Panels menu for deleted ("Internal C++ object (QMenu) already
            # deleted" at the next add_panel) when a control of the replaced panel had the focus
            return super().focusNextPrevChild(next)
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
