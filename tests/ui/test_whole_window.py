"""The whole main window with every panel, against the simulator: shortcuts that never collide, and server
names that never render as markup (labels, tool tips, item models, combo boxes, completers)."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractListModel,
    QAbstractProxyModel,
    QAbstractTableModel,
    QDateTime,
    QModelIndex,
    QObject,
    Qt,
)
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QMenu,
    QMenuBar,
    QTabBar,
    QWidget,
)

from console.services.events import Level
from console.services.paths import Paths
from console.services.visitors import check_character
from console.sim import SimConfig, SimulatorThread
from console.sim.generate import HOSTILE_NAMES
from console.ui.alarms.dialogs import AcknowledgeDialog
from console.ui.alarms.model import AlarmRole
from console.ui.app import ConsoleApp, Options
from console.ui.events.filters import ChoiceCombo
from console.ui.main_window import MainWindow
from tests.helpers import until

TOKEN = "whole-window-token-7d31c0"
HOSTILE_DOOR = HOSTILE_NAMES[0]  # "<b>x</b><img src=x>"
HOSTILE_PERSON = "<script>alert(1)</script>"  # the medium site's person 1008 (first name)
RAW_MARKUP = ("<b>", "<img", "<script")  # what must never reach a rich-text renderer unescaped
WINDOW_WIDE = (Qt.ShortcutContext.WindowShortcut, Qt.ShortcutContext.ApplicationShortcut)
WITH_CHILDREN = Qt.ShortcutContext.WidgetWithChildrenShortcut
CTRL = Qt.KeyboardModifier.ControlModifier


def _app(qapp: QApplication, base: Path, sim: SimulatorThread, monkeypatch: pytest.MonkeyPatch) -> ConsoleApp:
    monkeypatch.setenv("CVSEC_TOKEN", TOKEN)
    opts = Options(basedir=str(base), log_stderr=False, server=sim.base_url, operator="Night guard",
                   poll_interval=0.5)
    return ConsoleApp(qapp, opts, Paths.from_env_or_args(opts.basedir))


async def _all_panels(app: ConsoleApp) -> tuple[MainWindow, Any, Any, Any, Any]:
    """Wait until the window holds all four panels and the board has its doors."""
    await until(lambda: app.ready and app.window is not None, 30)
    window = app.window
    assert window is not None
    panels = await until(lambda: [window.panel(k) for k in ("doors", "events", "alarms", "visitors")]
                         if all(window.panel(k) is not None for k in ("doors", "events", "alarms", "visitors"))
                         else None, 30)
    doors, events, alarms, visitors = panels
    await until(lambda: len(doors.board.items) > 0, 30)
    return window, doors, events, alarms, visitors


async def _focus(window: QWidget, widget: QWidget) -> None:
    """Keyboard focus on ``widget`` in the active window: where a key press goes, and shortcuts are resolved."""
    window.activateWindow()
    await until(lambda: QApplication.activeWindow() is window)
    widget.setFocus(Qt.FocusReason.OtherFocusReason)
    await until(widget.hasFocus)


# -- shortcuts ---------------------------------------------------------------------------------------------


@dataclass
class Binding:
    """One QAction's or QShortcut's keys, in the context they are live in."""

    owner: QObject
    name: str
    context: Qt.ShortcutContext
    widgets: list[QWidget]  # where a widget-scoped shortcut lives (menus left out: they are their own popups)
    keys: list[str]


def _keys(sequences: Iterable[QKeySequence]) -> list[str]:
    return [s.toString(QKeySequence.SequenceFormat.PortableText) for s in sequences if not s.isEmpty()]


def _describe(obj: QObject) -> str:
    return f"{type(obj).__name__}({obj.objectName() or '-'})"


def bindings(window: QWidget) -> list[Binding]:
    """Every enabled QAction and QShortcut of ``window`` and its children that has keys."""
    actions: dict[int, QAction] = {id(a): a for a in window.findChildren(QAction)}
    for widget in [window, *window.findChildren(QWidget)]:
        actions.update({id(a): a for a in widget.actions()})
    found: list[Binding] = []
    for action in actions.values():
        keys = _keys(action.shortcuts())
        if not keys or not action.isEnabled():
            continue
        widgets = [o for o in action.associatedObjects()
                   if isinstance(o, QWidget) and not isinstance(o, QMenu | QMenuBar)]
        found.append(Binding(action, f"QAction {action.text()!r} on {[_describe(w) for w in widgets]}",
                             action.shortcutContext(), widgets, keys))
    for shortcut in window.findChildren(QShortcut):
        keys = _keys(shortcut.keys())
        if not keys or not shortcut.isEnabled():
            continue
        parent = shortcut.parent()
        widgets = [parent] if isinstance(parent, QWidget) else []
        found.append(Binding(shortcut, f"QShortcut on {_describe(parent)}", shortcut.context(), widgets, keys))
    return found


def _live_together(a: tuple[Qt.ShortcutContext, QWidget], b: tuple[Qt.ShortcutContext, QWidget]) -> bool:
    """Whether some focus widget makes both shortcuts live: WidgetWithChildren covers its widget and every
    descendant, Widget the widget alone."""
    (ca, wa), (cb, wb) = a, b
    if ca == WITH_CHILDREN and cb == WITH_CHILDREN:
        return wa is wb or wa.isAncestorOf(wb) or wb.isAncestorOf(wa)
    if ca == WITH_CHILDREN:
        return wa is wb or wa.isAncestorOf(wb)
    if cb == WITH_CHILDREN:
        return wa is wb or wb.isAncestorOf(wa)
    return wa is wb


def overlapping(a: Binding, b: Binding) -> bool:
    if a.context in WINDOW_WIDE or b.context in WINDOW_WIDE:
        return True  # window-wide: it overlaps everything in the window
    return any(_live_together((a.context, wa), (b.context, wb)) for wa in a.widgets for wb in b.widgets)


def conflicts(window: QWidget) -> list[str]:
    out = []
    for a, b in itertools.combinations(bindings(window), 2):
        shared = sorted(set(a.keys) & set(b.keys))
        if shared and a.owner is not b.owner and overlapping(a, b):
            out.append(f"{', '.join(shared)}: {a.name} [{a.context.name}] and {b.name} [{b.context.name}]")
    return out


def test_overlap_rules() -> None:
    top, panel, child, other = QWidget(), QWidget(), QWidget(), QWidget()
    panel.setParent(top)
    child.setParent(panel)
    other.setParent(top)
    widget = Qt.ShortcutContext.WidgetShortcut

    def binding(context: Qt.ShortcutContext, on: QWidget) -> Binding:
        return Binding(QObject(), "", context, [on], ["Ctrl+Return"])

    assert overlapping(binding(Qt.ShortcutContext.WindowShortcut, other), binding(WITH_CHILDREN, child))
    assert overlapping(binding(Qt.ShortcutContext.ApplicationShortcut, top), binding(widget, child))
    assert overlapping(binding(WITH_CHILDREN, panel), binding(WITH_CHILDREN, child))
    assert overlapping(binding(WITH_CHILDREN, panel), binding(widget, child))
    assert not overlapping(binding(WITH_CHILDREN, child), binding(widget, panel))
    assert not overlapping(binding(WITH_CHILDREN, panel), binding(WITH_CHILDREN, other))
    assert not overlapping(binding(widget, panel), binding(widget, child))
    assert overlapping(binding(widget, panel), binding(widget, panel))


@pytest.fixture
def small_sim() -> Iterator[SimulatorThread]:
    thread = SimulatorThread(SimConfig(token=TOKEN, seed=5, site="small", event_rate=0.0))
    thread.start()
    yield thread
    thread.stop()


def test_no_two_shortcuts_collide_and_ctrl_return_does_what_the_focused_panel_says(
    qapp: QApplication, run: Callable[..., Any], tmp_path: Path, home: Path, small_sim: SimulatorThread,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sim = small_sim
    app = _app(qapp, tmp_path / "base", sim, monkeypatch)
    door_id = sim.call(lambda s: next(d.id for d in s.world.doors.values()
                                      if s.world.door_connect(d) == 1 and d.has_sensor))

    async def scenario() -> list[str]:
        task = asyncio.ensure_future(app.run())
        window, doors, _events, alarms, visitors = await _all_panels(app)
        found = conflicts(window)
        keys = {k for b in bindings(window) for k in b.keys}
        assert {"F5", "Ctrl+F", "Ctrl+Q", "Ctrl+Return"} <= keys  # the walk sees the window's and the panels'

        # the receptionist's desk beside the board and the queue: all three visible at once
        window.splitDockWidget(window.dock("doors"), window.dock("visitors"), Qt.Orientation.Horizontal)
        await until(lambda: visitors.isVisible() and doors.isVisible() and alarms.isVisible())
        visitors.tabs.setCurrentIndex(0)
        submits: list[int] = []
        original = visitors.submit

        def counted() -> Any:
            submits.append(1)  # counted when called (its coroutine runs later)
            return original()

        visitors.submit = counted  # the register shortcut calls self.submit()

        # Ctrl+Return on the door board: nothing for the hidden-or-not visitor form
        await _focus(window, doors.view)
        QTest.keyClick(doors.view, Qt.Key.Key_Return, CTRL)
        assert submits == []
        # Ctrl+F on the board: its search field (the main window's shortcut, for the focused panel)
        QTest.keyClick(doors.view, Qt.Key.Key_F, CTRL)
        await until(doors.search.hasFocus)

        # Ctrl+Return in the alarm table: the acknowledgement dialog, then the alarm is gone
        sim.call(lambda s: s.emit("forced_open", door_id=door_id))
        await until(lambda: alarms.model.rowCount() >= 1, 20)
        alarms.view.selectRow(0)
        await _focus(window, alarms.view)
        QTest.keyClick(alarms.view, Qt.Key.Key_Return, CTRL)
        dialog = await until(lambda: next((d for d in alarms.findChildren(AcknowledgeDialog) if d.isVisible()),
                                          None), 10)
        assert submits == []
        key = alarms.model.index(0, 0).data(AlarmRole.KEY)
        dialog.note_edit.setPlainText("Checked on camera")
        dialog.accept()
        await until(lambda: alarms.queue.get(key) is None, 10)

        # and in the visitor form, Ctrl+Return registers (here an empty form: the fields say what is missing)
        await _focus(window, visitors.form.visitor_name)
        QTest.keyClick(visitors.form.visitor_name, Qt.Key.Key_Return, CTRL)
        assert submits == [1]
        await until(lambda: not visitors.busy())
        assert visitors.banner.kind == "warn"
        app.request_quit()
        assert await task == 0
        return found

    found = run(scenario(), timeout=120)
    assert found == [], "shortcuts that Qt would find ambiguous (neither fires):\n" + "\n".join(found)


# -- plain text ----------------------------------------------------------------------------------------------


@pytest.fixture
def medium_sim() -> Iterator[SimulatorThread]:
    thread = SimulatorThread(SimConfig(token=TOKEN, seed=3, site="medium", event_rate=0.0))
    thread.start()
    yield thread
    thread.stop()


def _id_number() -> str:
    first17 = "11010119870523" + "417"
    return first17 + check_character(first17)


def _raw(text: object) -> bool:
    return isinstance(text, str) and any(fragment in text.lower() for fragment in RAW_MARKUP)


def _models(widgets: Iterable[QWidget]) -> dict[int, tuple[str, QAbstractItemModel]]:
    """Every item model a widget shows: views', combo boxes', completers' (and their popups')."""
    models: dict[int, tuple[str, QAbstractItemModel]] = {}

    def add(where: str, model: QAbstractItemModel | None) -> None:
        if model is not None:
            models.setdefault(id(model), (where, model))

    for widget in widgets:
        if isinstance(widget, QAbstractItemView):
            add(_describe(widget), widget.model())
        if isinstance(widget, QComboBox):
            add(f"combo {widget.accessibleName() or _describe(widget)}", widget.model())
        if isinstance(widget, QLineEdit) and widget.completer() is not None:
            completer = widget.completer()
            add(f"completer of {widget.accessibleName() or _describe(widget)}", completer.model())
            add(f"completion of {_describe(widget)}", completer.completionModel())
            popup = completer.popup()
            if popup is not None:
                add(f"completer popup of {_describe(widget)}", popup.model())
    return models


def _cells(model: QAbstractItemModel, parent: QModelIndex | None = None, budget: int = 4000) -> Iterator[QModelIndex]:
    parent = parent or QModelIndex()
    for row in range(min(model.rowCount(parent), budget)):
        for column in range(max(1, _columns(model, parent))):
            index = model.index(row, column, parent)
            yield index
            if column == 0 and _tree(model) and model.rowCount(index) > 0:
                yield from _cells(model, index, budget // 4)


def _columns(model: QAbstractItemModel, parent: QModelIndex) -> int:
    """A list model has one column (Qt makes QAbstractListModel.columnCount private)."""
    return 1 if isinstance(model, QAbstractListModel) else model.columnCount(parent)


def _tree(model: QAbstractItemModel) -> bool:
    """Whether rows may have children (table and list models, and proxies of them, have none)."""
    while isinstance(model, QAbstractProxyModel) and model.sourceModel() is not None:
        model = model.sourceModel()
    return not isinstance(model, QAbstractTableModel | QAbstractListModel)


def test_hostile_names_never_render_as_markup_anywhere_in_the_window(
    qapp: QApplication, run: Callable[..., Any], tmp_path: Path, home: Path, medium_sim: SimulatorThread,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sim = medium_sim
    app = _app(qapp, tmp_path / "base", sim, monkeypatch)
    door_id, pin = sim.call(lambda s: (
        next(d.id for d in s.world.doors.values() if d.name == HOSTILE_DOOR and s.world.door_connect(d) == 1),
        next(p.pin for p in s.world.persons.values() if p.name == HOSTILE_PERSON),
    ))

    async def scenario() -> tuple[list[str], set[str], int]:
        task = asyncio.ensure_future(app.run())
        window, doors, events, alarms, visitors = await _all_panels(app)
        # the hostile person is refused at the hostile door, then the door is forced open: an alarm
        sim.call(lambda s: s.emit("denied", door_id=door_id, pin=pin))
        sim.call(lambda s: s.emit("forced_open", door_id=door_id))
        await until(lambda: any(a.event.point == HOSTILE_DOOR and a.event.level is Level.ALARM
                                for a in alarms.queue.alarms), 30)
        # the board's door, with its details and recent events
        item = next(i for i in doors.board.items if i.name == HOSTILE_DOOR)
        doors.select(item.key)
        await until(lambda: doors.details.events.topLevelItemCount() > 0, 20)
        # the alarm selected, and its event in the events panel (details, "show door")
        row = next(r for r in range(alarms.model.rowCount())
                   if alarms.model.alarm_at(r).event.point == HOSTILE_DOOR
                   and alarms.model.alarm_at(r).event.level is Level.ALARM)
        alarms.view.selectRow(row)
        assert events.select_event(alarms.model.index(row, 0).data(AlarmRole.KEY))
        for combo in events.findChildren(ChoiceCombo):  # the filters read the journal when they open
            combo.reload()
        # a visitor for the hostile host: completer, hand-over, on-site list
        form = visitors.form
        form.host_edit.setText(pin)
        await visitors.search_hosts(pin)
        host = next(h for h in form.host_suggestions() if h.pin == pin)
        form.set_host(host)
        form.visitor_name.setText("Li Wei")
        form.cert_type.setCurrentIndex(form.cert_type.findData("2"))
        form.cert_num.setText(_id_number())
        form.company.setText("Globex")
        form.reason.setCurrentText("Meeting")
        now = datetime.now().replace(second=0, microsecond=0)
        form.start.setDateTime(QDateTime(now))
        form.end.setDateTime(QDateTime(now + timedelta(hours=4)))
        outcome = await visitors.submit()
        assert getattr(outcome, "visit", None) is not None, outcome  # registered
        form.set_host_suggestions([host])  # the completer's list as the receptionist saw it
        await until(lambda: visitors.onsite_model.rowCount() > 0)

        problems: list[str] = []
        seen: set[str] = set()
        widgets = [window, *window.findChildren(QWidget)]
        for widget in widgets:
            if isinstance(widget, QLabel) and "<" in widget.text():
                seen.add(widget.text())
                if widget.textFormat() != Qt.TextFormat.PlainText:
                    problems.append(f"label {_describe(widget)} ({widget.textFormat().name}): {widget.text()[:80]!r}")
            if _raw(widget.toolTip()):
                problems.append(f"tool tip of {_describe(widget)}: {widget.toolTip()[:120]!r}")
            if isinstance(widget, QTabBar):
                problems += [f"tab tool tip of {_describe(widget)}: {widget.tabToolTip(i)[:120]!r}"
                             for i in range(widget.count()) if _raw(widget.tabToolTip(i))]
        cells = 0
        for where, model in _models(widgets).values():
            for orientation in (Qt.Orientation.Horizontal, Qt.Orientation.Vertical):
                count = (_columns(model, QModelIndex()) if orientation == Qt.Orientation.Horizontal
                         else model.rowCount(QModelIndex()))
                for section in range(min(count, 50)):
                    if _raw(model.headerData(section, orientation, Qt.ItemDataRole.ToolTipRole)):
                        problems.append(f"{where}: header {section} tool tip")
            for index in _cells(model):
                cells += 1
                shown = index.data(Qt.ItemDataRole.DisplayRole)
                tip = index.data(Qt.ItemDataRole.ToolTipRole)
                if isinstance(shown, str):
                    seen.add(shown)
                    if "&lt;" in shown:  # escaped twice: the operator would read entities
                        problems.append(f"{where} row {index.row()}: display {shown[:80]!r}")
                if _raw(tip):
                    problems.append(f"{where} row {index.row()} column {index.column()}: tool tip {tip[:120]!r}")
        app.request_quit()
        assert await task == 0
        return problems, seen, cells

    problems, seen, cells = run(scenario(), timeout=180)
    # the walk did meet the hostile names, literally
    assert any(HOSTILE_DOOR in text for text in seen)
    assert any(HOSTILE_PERSON in text for text in seen)
    assert cells > 100
    assert problems == [], "server text that Qt would render as rich text:\n" + "\n".join(problems)


# -- is anything coming in? ----------------------------------------------------------------------------------


def test_the_alarm_queue_says_when_alarms_stop_coming_in_and_when_they_are_back(
    qapp: QApplication, run: Callable[..., Any], tmp_path: Path, home: Path, small_sim: SimulatorThread,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sim = small_sim
    app = _app(qapp, tmp_path / "base", sim, monkeypatch)

    async def scenario() -> tuple[str, str, str]:
        task = asyncio.ensure_future(app.run())
        _window, _doors, _events, alarms, _visitors = await _all_panels(app)
        await until(lambda: alarms.queue.loaded, 30)
        # the demo site's low battery is a maintenance alarm in the queue: the guard deals with it first
        alarms.queue.acknowledge([a.key for a in alarms.queue.alarms], note="Battery replaced")
        await until(lambda: alarms.headline.text() == "✓ No alarm waiting", 30)
        quiet = alarms.headline.text()
        sim.call(lambda s: s.set_faults(down_seconds=600))
        await until(lambda: not alarms.receiving, 30)
        down = alarms.headline.text()
        level = alarms.headline.property("level")
        sim.call(lambda s: s.set_faults(reset=True))
        await until(lambda: alarms.receiving, 30)
        app.request_quit()
        assert await task == 0
        return quiet, down, level

    quiet, down, level = run(scenario(), timeout=120)
    assert quiet == "✓ No alarm waiting"
    assert down.startswith("⚠ Not receiving alarms since "), down
    assert level == "warn"
