"""Keyboard first, in the whole window against the simulator: a key per panel, Tab kept inside the panel,
tables that do not trap Tab, F1 listing the window's own actions, the handover report (Ctrl+Shift+H), the
audit log, and the sound mute shown in the status bar with its end."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractItemView, QApplication, QDialog, QPlainTextEdit, QTextEdit, QWidget

from console.sim import SimConfig, SimulatorThread
from console.ui import shift_report
from console.ui.keys import PANEL_KEYS, PanelDock
from console.ui.main_window import MainWindow
from console.ui.shortcuts import ShortcutsDialog, collect_shortcuts
from tests.helpers import until
from tests.ui.test_whole_window import TOKEN, _all_panels, _app, _focus, conflicts

F_KEYS = {f"F{n}": getattr(Qt.Key, f"Key_F{n}") for n in range(1, 13)}


@pytest.fixture
def small_sim() -> Iterator[SimulatorThread]:
    thread = SimulatorThread(SimConfig(token=TOKEN, seed=5, site="small", event_rate=0.0))
    thread.start()
    yield thread
    thread.stop()


def _inside(panel: QWidget) -> bool:
    focus = QApplication.focusWidget()
    return focus is not None and (focus is panel or panel.isAncestorOf(focus))


def _press(window: QWidget, key: Qt.Key, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    """A key press where the keyboard is (the window itself when nothing has the focus)."""
    QTest.keyClick(QApplication.focusWidget() or window, key, modifiers)


async def _dialog(window: MainWindow, name: str) -> QDialog:
    return await until(lambda: next((d for d in window.findChildren(QDialog, name) if d.isVisible()), None), 10)


def test_the_guard_reaches_every_panel_and_every_list_with_the_keyboard_alone(
    qapp: QApplication, run: Callable[..., Any], tmp_path: Path, home: Path, small_sim: SimulatorThread,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = _app(qapp, tmp_path / "base", small_sim, monkeypatch)
    pdf = tmp_path / "handover.pdf"

    async def ask(*_args: Any) -> Path:
        return pdf

    monkeypatch.setattr(shift_report, "ask_save_path", ask)

    async def scenario() -> None:
        task = asyncio.ensure_future(app.run())
        window, doors, _events, alarms, _visitors = await _all_panels(app)
        await until(lambda: all(window.dock(k) is not None for k in PANEL_KEYS), 30)
        assert conflicts(window) == []  # the panel keys collide with nothing
        await _focus(window, doors.view)

        def press(key: Qt.Key, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
            _press(window, key, modifiers)

        # F2 ... F9: each panel comes to the front with the keyboard in it
        for key, fkey in PANEL_KEYS.items():
            dock = window.dock(key)
            assert dock is not None
            press(F_KEYS[fkey])
            await until(lambda d=dock: d.widget().isVisible() and _inside(d.widget()), 10)

        # Tab goes round the board's controls and never leaves it (nor stops in a table)
        window.show_panel("doors")
        dock = window.dock("doors")
        assert isinstance(dock, PanelDock)
        chain = dock.tab_chain()
        assert len(chain) >= 3
        chain[0].setFocus()
        await until(chain[0].hasFocus)
        seen = []
        for _ in range(len(chain) + 2):
            press(Qt.Key.Key_Tab)
            assert _inside(doors), f"Tab left the board for {QApplication.focusWidget()}"
            seen.append(QApplication.focusWidget())
        assert seen[len(chain) - 1] is chain[0]  # round the panel and back to the start
        press(Qt.Key.Key_Backtab)
        assert _inside(doors)
        for key in PANEL_KEYS:
            panel = window.panel(key)
            assert panel is not None
            trapping = [v.objectName() or type(v).__name__ for v in panel.findChildren(QAbstractItemView)
                        if v.tabKeyNavigation()]
            assert trapping == [], f"{key}: tables that keep Tab: {trapping}"
            edits = [*panel.findChildren(QPlainTextEdit), *panel.findChildren(QTextEdit)]
            typing = [e.objectName() or type(e).__name__ for e in edits if not e.tabChangesFocus()]
            assert typing == [], f"{key}: text fields that keep Tab: {typing}"

        # F1: the window's own actions, each with its words and where it works
        press(F_KEYS["F1"])
        listing = await _dialog(window, "shortcutsDialog")
        assert isinstance(listing, ShortcutsDialog)
        rows = listing.shown()
        assert ("F2", "Go to Doors and gates", "Everywhere") in rows
        assert ("F4", "Go to Alarms", "Everywhere") in rows
        assert ("Ctrl+Shift+H", "Shift handover report", "Everywhere") in rows
        assert any(what == "Acknowledge selected alarms" and where == "Alarms" for _k, what, where in rows)
        assert all(what for _k, what, _w in rows), "a shortcut without words"
        listing.filter.setText("f4")
        assert [r[0] for r in listing.shown()] == ["F4"]
        listing.reject()
        extra = QAction("Something new", window)  # an action added later is listed without touching the list
        extra.setShortcut(QKeySequence("Ctrl+Alt+J"))
        window.addAction(extra)
        assert any(r.what == "Something new" for r in collect_shortcuts(window))
        extra.deleteLater()

        # the sound mute: in the status bar with its end, permanently
        alarms.mute_control.for_15.trigger()
        assert window.status.mute.isVisible()
        assert window.status.mute.text().startswith("Sound muted until ")
        window.status.showMessage("A passing message", 5000)
        assert window.status.mute.isVisible()  # a transient message never covers it
        alarms.mute_control.unmute()
        assert not window.status.mute.isVisible()

        # Ctrl+Shift+H: the handover report, on screen and as a PDF
        await _focus(window, doors.view)
        press(Qt.Key.Key_H,
                       Qt.KeyboardModifier.ControlModifier
                       | Qt.KeyboardModifier.ShiftModifier)
        sheet = await _dialog(window, "shiftReport")
        text = sheet.view.toPlainText()  # type: ignore[attr-defined]
        for part in ("Shift handover", "Open alarms", "Doors and gates held open", "Visitors still on site",
                     "Commands issued", "Payments taken", "Night guard"):
            assert part in text
        await sheet.save_pdf()  # type: ignore[attr-defined]
        assert pdf.read_bytes().startswith(b"%PDF")
        assert sheet.banner.kind == "ok"  # type: ignore[attr-defined]
        sheet.reject()

        # Console > Audit log…
        window.audit_action.trigger()
        viewer = await _dialog(window, "auditViewer")
        viewer.reject()
        app.request_quit()
        assert await task == 0

    run(scenario(), timeout=150)


def test_a_panel_replaced_while_one_of_its_controls_has_the_focus_leaves_the_window_whole(qtbot, run) -> None:
    """The last board's banner (its close button) had the keyboard when the doors panel took the dock: the next
    panels still come, and the menus still work (PySide6 once took the Panels menu for deleted there)."""
    from PySide6.QtCore import QCoreApplication, QEvent
    from PySide6.QtWidgets import QToolButton, QVBoxLayout

    from console.ui.main_window import PlaceholderPanel

    window = MainWindow()
    qtbot.addWidget(window)
    first = QWidget()
    button = QToolButton(first)
    button.setText("✕")
    QVBoxLayout(first).addWidget(button)
    window.add_panel("doors", "Doors and gates", first, closable=False)
    window.show()
    run(_focus(window, button))
    window.add_panel("doors", "Doors and gates", PlaceholderPanel("the doors panel"), closable=False)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    window.add_panel("doors", "Doors and gates", PlaceholderPanel("and again"), closable=False)
    window.add_panel("events", "Events", PlaceholderPanel("events"))
    assert [a.text() for a in window.panels_menu.actions()] == ["Doors and gates", "Events"]
