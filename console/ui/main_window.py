"""The main window: panels in docks (detachable to a second monitor), menus, shortcuts, layout memory.

The window holds no connection logic: it announces what the operator asked for through Qt signals
(``refresh_requested``, ``theme_toggle_requested``, ``close_requested``...) and the composition root
(:mod:`console.ui.app`) acts. Closing the window is only a request: the app stops pollers, closes the
client and the simulator, then closes the window for good with :meth:`MainWindow.close_for_good`.

Panels are added with :meth:`MainWindow.add_panel`; every dock has a stable ``objectName`` so that the
layout saved at exit (``saveGeometry``/``saveState`` as base64 text in the settings) finds it again.
"""

from __future__ import annotations

import base64
import binascii
import logging

from PySide6.QtCore import QByteArray, Qt, Signal, SignalInstance
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QMenu, QVBoxLayout, QWidget

from console.ui.keys import PANEL_KEYS, PanelDock
from console.ui.statusbar import StatusBar

__all__ = ["LAYOUT_VERSION", "MainWindow", "PlaceholderPanel"]

log = logging.getLogger(__name__)

LAYOUT_VERSION = 1  # bump when the set of docks changes incompatibly: old saved states are then ignored

# The F1 list is read from the actions themselves (console.ui.shortcuts.collect_shortcuts): no list to keep here.


class PlaceholderPanel(QWidget):
    """Shown where a panel cannot be built (its module is missing or failed): says so in words."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        label = QLabel(text)
        label.setObjectName("placeholder")
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(label)


class MainWindow(QMainWindow):
    refresh_requested = Signal()
    filter_requested = Signal()
    theme_toggle_requested = Signal()
    connections_requested = Signal()
    shift_requested = Signal()
    shortcuts_requested = Signal()
    about_requested = Signal()
    audit_requested = Signal()  # Console > Audit log…
    handover_requested = Signal()  # Console > Shift handover report… (Ctrl+Shift+H)
    close_requested = Signal()  # the operator closed the window or chose Quit

    def __init__(self, parent: QWidget | None = None, *, menus: bool = True) -> None:
        """With ``menus`` off, the menu bar has its three menus' titles only, and :meth:`build_menus` fills them
        (``console.ui.shell`` does once the window is on screen: their actions, shortcuts and PySide6 classes are
        ~2 ms before the first paint, and the first frame shows none of them)."""
        super().__init__(parent)
        self.setObjectName("mainWindow")
        self.setWindowTitle("CVSecurity console")
        self.setDockNestingEnabled(True)
        self.setDockOptions(
            QMainWindow.DockOption.AnimatedDocks
            | QMainWindow.DockOption.AllowNestedDocks
            | QMainWindow.DockOption.AllowTabbedDocks
        )
        self.setMinimumSize(720, 480)
        self.resize(1360, 860)
        self._closing_for_good = False
        self._docks: dict[str, QDockWidget] = {}
        self._goto: dict[str, QAction] = {}  # F2 doors, F3 events...: console.ui.keys.PANEL_KEYS
        # No central widget (a QMainWindow has none until given one): every panel is a dock, so any of them
        # can float to a second monitor.
        self.status = StatusBar(self)
        self.setStatusBar(self.status)
        bar = self.menuBar()
        self._menus = (bar.addMenu("&Console"), bar.addMenu("&View"), bar.addMenu("&Help"))
        self._menus_built = False
        self._dark_checked = False
        if menus:
            self.build_menus()

    # -- menus and shortcuts ---------------------------------------------------------------------

    def _action(self, text: str, shortcut: str | None, signal: SignalInstance | None = None) -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)  # works in floating docks too
        if signal is not None:
            action.triggered.connect(lambda _checked=False, s=signal: s.emit())
        self.addAction(action)
        return action

    def build_menus(self) -> None:
        """The menus' actions and shortcuts, and the panels added before (their Panels and Go to entries); once."""
        if self._menus_built:
            return
        self._menus_built = True
        console, view, helpm = self._menus
        self.connections_action = self._action("&Connections…", "Ctrl+K", self.connections_requested)
        self.shift_action = self._action("Start &shift…", "Ctrl+Shift+S", self.shift_requested)
        self.quit_action = self._action("&Quit", "Ctrl+Q", self.close_requested)
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        console.addAction(self.connections_action)
        console.addAction(self.shift_action)
        console.addSeparator()
        self.audit_action = self._action("&Audit log…", None, self.audit_requested)
        self.handover_action = self._action("Shift &handover report…", "Ctrl+Shift+H", self.handover_requested)
        console.addAction(self.audit_action)
        console.addAction(self.handover_action)
        console.addSeparator()
        console.addAction(self.quit_action)

        self.refresh_action = self._action("&Refresh now", "F5", self.refresh_requested)
        self.filter_action = self._action("&Filter…", "Ctrl+F", self.filter_requested)
        self.theme_action = self._action("&Dark theme", "Ctrl+D", self.theme_toggle_requested)
        self.theme_action.setCheckable(True)
        self.fullscreen_action = self._action("&Full screen", "F11")
        self.fullscreen_action.setCheckable(True)
        self.fullscreen_action.toggled.connect(self._set_full_screen)
        view.addAction(self.refresh_action)
        view.addAction(self.filter_action)
        view.addSeparator()
        view.addAction(self.theme_action)
        view.addAction(self.fullscreen_action)
        view.addSeparator()
        self.panels_menu: QMenu = view.addMenu("&Panels")
        self.goto_menu: QMenu = view.addMenu("&Go to panel")
        self.reset_layout_action = self._action("Reset &layout", None)
        self.reset_layout_action.triggered.connect(self.reset_layout)
        view.addAction(self.reset_layout_action)

        self.shortcuts_action = self._action("&Keyboard shortcuts", "F1", self.shortcuts_requested)
        self.about_action = self._action("&About", None, self.about_requested)
        helpm.addAction(self.shortcuts_action)
        helpm.addAction(self.about_action)
        self.theme_action.setChecked(self._dark_checked)
        for key, dock in self._docks.items():
            self.panels_menu.addAction(dock.toggleViewAction())
            self._add_goto(key, dock.windowTitle())

    def _set_full_screen(self, on: bool) -> None:
        if on:
            self.showFullScreen()
        else:
            self.showNormal()

    def set_theme_checked(self, theme: str) -> None:
        self._dark_checked = theme == "dark"
        if self._menus_built:
            self.theme_action.setChecked(self._dark_checked)

    # -- panels ----------------------------------------------------------------------------------

    def add_panel(
        self,
        key: str,
        title: str,
        widget: QWidget,
        *,
        area: Qt.DockWidgetArea = Qt.DockWidgetArea.LeftDockWidgetArea,
        closable: bool = True,
        tab_with: str | None = None,
    ) -> QDockWidget:
        """Put ``widget`` in a dock named ``key`` (stable: the saved layout refers to it)."""
        old = self._docks.pop(key, None)
        if old is not None:
            if self._menus_built:
                self.panels_menu.removeAction(old.toggleViewAction())
            self.removeDockWidget(old)
            old.deleteLater()
        dock = PanelDock(title, self)  # Tab goes round the panel's own controls
        dock.setObjectName(f"dock-{key}")
        features = QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        if closable:
            features |= QDockWidget.DockWidgetFeature.DockWidgetClosable
        dock.setFeatures(features)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        if tab_with and tab_with in self._docks:
            self.tabifyDockWidget(self._docks[tab_with], dock)
        self._docks[key] = dock
        if self._menus_built:  # (else build_menus adds them)
            self.panels_menu.addAction(dock.toggleViewAction())
            self._add_goto(key, title)
        return dock

    def _add_goto(self, key: str, title: str) -> None:
        """The panel's key (F2 doors, F3 events...): bring it to the front with the keyboard in it."""
        keys = PANEL_KEYS.get(key)
        if keys is None:
            return
        action = self._goto.get(key)
        if action is None:
            action = self._action(f"Go to {title}", keys)
            action.triggered.connect(lambda _checked=False, k=key: self.show_panel(k))
            self.goto_menu.addAction(action)
            self._goto[key] = action
        action.setText(f"Go to {title}")

    def show_panel(self, key: str) -> bool:
        """Show and raise the panel's dock and put the keyboard in it (False when there is no such panel)."""
        dock = self._docks.get(key)
        if dock is None:
            return False
        dock.show()
        dock.raise_()
        if dock.isFloating():
            dock.activateWindow()
        if isinstance(dock, PanelDock):
            dock.focus_panel()
        elif dock.widget() is not None:
            dock.widget().setFocus(Qt.FocusReason.ShortcutFocusReason)
        return True

    def dock(self, key: str) -> QDockWidget | None:
        return self._docks.get(key)

    def docks(self) -> list[QDockWidget]:
        return list(self._docks.values())

    def panel(self, key: str) -> QWidget | None:
        dock = self._docks.get(key)
        return dock.widget() if dock is not None else None

    def reset_layout(self) -> None:
        for dock in self._docks.values():
            dock.setFloating(False)
            dock.show()
            self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)

    # -- layout memory ---------------------------------------------------------------------------

    def save_layout(self) -> tuple[str, str]:
        """base64 text of the window geometry and the dock layout."""
        geometry = bytes(self.saveGeometry().data())
        state = bytes(self.saveState(LAYOUT_VERSION).data())
        return base64.b64encode(geometry).decode("ascii"), base64.b64encode(state).decode("ascii")

    def restore_layout(self, geometry: str, state: str) -> bool:
        """Restore what :meth:`save_layout` gave; damaged or foreign data is ignored (False)."""
        ok = True
        for text, restore in (
            (geometry, self.restoreGeometry),
            (state, lambda data: self.restoreState(data, LAYOUT_VERSION)),
        ):
            if not text:
                ok = False
                continue
            try:
                raw = base64.b64decode(text.encode("ascii"), validate=True)
            except (binascii.Error, UnicodeEncodeError):
                log.warning("the saved window layout is damaged; using the default one")
                ok = False
                continue
            if not restore(QByteArray(raw)):
                ok = False
        return ok

    # -- closing ---------------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._closing_for_good:
            event.accept()
            return
        event.ignore()  # the app shuts down in order, then calls close_for_good()
        self.close_requested.emit()

    def close_for_good(self) -> None:
        self._closing_for_good = True
        self.close()

    def set_icon(self, icon: QIcon) -> None:
        self.setWindowIcon(icon)
