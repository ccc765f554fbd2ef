"""Issue 13's "done when", walked with the keyboard alone in demo mode: from the Training menu a duress and a
forced door arrive together; the duress is on top with its own sound; F8 takes it, the floor plan opens
on its door and marks it; Enter opens it; F9 acknowledges it with a note (Ctrl+Return); the board shows
it acknowledged.
Then the panel's parts a guard meets: a door on no plan, "acknowledge all", on hold with a reason."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from console.services.events import AlarmKind, AlarmState, Priority
from console.services.events.alarms import ACK_ACTION, TAKE_ACTION
from console.services.paths import Paths
from console.services.session import Health
from console.ui.alarms import sound as sound_module
from console.ui.alarms.dialogs import AcknowledgeDialog
from console.ui.alarms.model import AlarmColumn
from console.ui.app import ConsoleApp, Options
from console.ui.doors.style import status_line
from console.ui.shortcuts import WINDOW, collect_shortcuts
from tests.helpers import until
from tests.services.doors_helpers import png_bytes

OPERATOR = "Night guard"


class Player:
    played: ClassVar[list[str]] = []

    def __init__(self, path: Path) -> None:
        self.path = path

    def play(self) -> None:
        Player.played.append(self.path.name)

    def stop(self) -> None:
        pass

    def setVolume(self, value: float) -> None:
        pass

    def setLoopCount(self, value: int) -> None:
        pass


@pytest.fixture
def sounds(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    Player.played = []
    monkeypatch.setattr(sound_module, "_qt_player", Player)  # what would ring, without an audio device
    return Player.played


def _app(qapp: QApplication, base: Path) -> ConsoleApp:
    opts = Options(basedir=str(base), log_stderr=False, demo=True, poll_interval=0.3, operator=OPERATOR)
    return ConsoleApp(qapp, opts, Paths.from_env_or_args(opts.basedir))


async def _ready(app: ConsoleApp) -> tuple[Any, Any, Any]:
    await until(lambda: app.ready and app.window is not None and app.session is not None
                and app.session.health is Health.ONLINE, 30)
    window = app.window
    assert window is not None
    doors, alarms = await until(lambda: (window.panel("doors"), window.panel("alarms"))
                                if window.panel("alarms") is not None else None, 30)
    await until(lambda: len(doors.board.items) > 0, 30)
    return window, doors, alarms


async def _key(key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    """A key press where the keyboard is (the focused widget of the active window)."""
    target = QApplication.focusWidget() or QApplication.activeWindow()
    assert target is not None
    QTest.keyClick(target, key, modifier)
    await asyncio.sleep(0)


def _training(app: ConsoleApp, title: str) -> QAction:
    menu = app.training
    assert menu is not None
    return next(a for a in menu.actions() if a.text() == title)


def test_a_duress_and_a_forced_door_taken_seen_and_acknowledged_with_the_keyboard_alone(
    qapp: QApplication, run: Callable[..., Any], tmp_path: Path, home: Path, sounds: list[str]
) -> None:
    app = _app(qapp, tmp_path / "base")

    async def scenario() -> int:
        task = asyncio.ensure_future(app.run())
        window, doors, alarms = await _ready(app)
        queue = alarms.queue
        # a floor plan with every door on it (the site's plan, drawn by the installer)
        image = tmp_path / "plan.png"
        image.write_bytes(png_bytes(800, 600))
        plan = doors.plans.add("Ground floor", image)
        for n, item in enumerate(doors.board.items):
            doors.plans.set_marker(plan.id, item.key, 20.0 + 30 * (n % 25), 20.0 + 40 * (n // 25))
        doors.plans_widget.reload_combo(plan.id)
        for dock in window.docks():
            dock.setFloating(False)
        window.activateWindow()
        await until(lambda: QApplication.activeWindow() is window)
        doors.view.setFocus()  # the guard is on the board, nowhere near the alarm queue
        await until(doors.view.hasFocus)

        _training(app, "A duress and a forced door together").trigger()
        duress = await until(lambda: next((a for a in queue.alarms if a.kind is AlarmKind.DURESS), None), 20)
        await until(lambda: any(a.kind is AlarmKind.FORCED for a in queue.alarms), 20)
        assert queue.alarms[0].key == duress.key  # on top, though it came second
        assert alarms.model.index(0, 0).data() == "Critical"
        assert "priority-1.wav" in sounds  # the critical priority's own sound
        assert sounds.index("priority-1.wav") >= 0
        assert all(s.startswith("priority-") for s in sounds)
        assert window.status.alarms.text().startswith(f"{len(queue)} alarm")  # the same count as the queue

        await _key(Qt.Key.Key_F8)  # take the next alarm, from the board
        taken = await until(lambda: queue.get(duress.key) if queue.get(duress.key).state is AlarmState.IN_PROGRESS
                            else None, 10)
        assert taken.by == OPERATOR
        assert alarms.selected_keys() == [duress.key]
        assert alarms.view.hasFocus()  # the keyboard is in the queue now
        assert "In progress: Night guard" in alarms.model.index(0, AlarmColumn.STATE).data()
        item = next(i for i in doors.board.items if i.name == duress.event.point)
        assert doors.tabs.currentWidget() is doors.plans_widget  # the floor plan opened on its door...
        marker = doors.plans_widget.view.markers[item.key]
        assert marker.alarm_mark
        assert marker.isSelected()
        assert sum(m.alarm_mark for m in doors.plans_widget.view.markers.values()) == 1

        await _key(Qt.Key.Key_Return)  # Enter opens it: its details under the queue
        assert alarms.workflow.details.isVisible()
        assert alarms.workflow.details.text().startswith("Critical priority · duress")
        assert "A note is required" in alarms.workflow.details.text()

        await _key(Qt.Key.Key_F9)  # acknowledge it with a note
        dialog = await until(lambda: alarms.findChild(AcknowledgeDialog), 10)
        await until(dialog.isVisible)
        await until(dialog.note_edit.hasFocus)
        assert not dialog.ok_button.isEnabled()  # a duress needs a note
        await _key(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # refused without one
        assert dialog.isVisible()
        assert duress.key in queue
        QTest.keyClicks(dialog.note_edit, "Police called; guard sent to the door")
        await _key(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        await until(lambda: duress.key not in queue, 10)

        rows = [r for r in app.workspace.services.audit.rows() if r.target == f"event {duress.key}"]  # type: ignore[union-attr]
        assert [r.action for r in rows] == [TAKE_ACTION, ACK_ACTION]
        assert rows[-1].params["note"] == "Police called; guard sent to the door"
        assert rows[-1].operator == OPERATOR
        # the board says who acknowledged it, until the controller clears the alarm
        acknowledged = await until(lambda: doors.board.item(item.key).acknowledged, 10)
        assert acknowledged.startswith(f"alarm acknowledged by {OPERATOR} at ")
        assert status_line(doors.board.item(item.key)).endswith(acknowledged[1:])
        await until(lambda: "(1 acknowledged)" in window.status.problems.text(), 10)
        # the F1 list knows the alarm keys (it reads the window's actions)
        rows = {(r.keys, r.what, r.where) for r in collect_shortcuts(window)}
        assert ("F8", "Take the next alarm", WINDOW) in rows
        assert ("F9", "Acknowledge the alarm with a note", WINDOW) in rows
        # the forced door is on top now, still new
        assert queue.alarms[0].kind is AlarmKind.FORCED
        assert queue.alarms[0].priority is Priority.URGENT
        app.request_quit()
        return await task

    assert run(scenario(), timeout=90) == 0
    assert app.reported_errors == []


def test_a_door_on_no_plan_says_so_and_offers_to_place_it_and_acknowledge_all_leaves_the_top_ones(
    qapp: QApplication, run: Callable[..., Any], tmp_path: Path, home: Path, sounds: list[str]
) -> None:
    app = _app(qapp, tmp_path / "base")

    async def scenario() -> int:
        task = asyncio.ensure_future(app.run())
        window, doors, alarms = await _ready(app)
        queue = alarms.queue
        image = tmp_path / "plan.png"
        image.write_bytes(png_bytes(400, 300))
        doors.plans.add("Empty plan", image)
        doors.plans_widget.reload_combo()
        _training(app, "A duress and a forced door together").trigger()
        await until(lambda: {a.kind for a in queue.alarms} >= {AlarmKind.DURESS, AlarmKind.FORCED}, 20)
        forced = next(a for a in queue.alarms if a.kind is AlarmKind.FORCED)
        alarms.select_keys([forced.key])  # selecting it is enough to look for its door on the plans
        widget = doors.plans_widget
        await until(lambda: widget.place_button.isVisible(), 10)
        assert f"{forced.event.point} is on no floor plan" in widget.hint.text()
        assert "on no floor plan" in doors.banner.text
        widget.place_button.click()  # placed in the middle of the plan shown, and marked
        item = next(i for i in doors.board.items if i.name == forced.event.point)
        assert widget.view.markers[item.key].alarm_mark
        assert doors.plans.plans_with(item.key)

        # the board's low battery is a maintenance alarm whose event "show event" finds (raised by the console)
        battery = next(a for a in queue.alarms if a.kind is AlarmKind.LOW_BATTERY)
        events = window.panel("events")
        assert events.select_event(battery.key)
        assert events.selected_event().key == battery.key
        # "acknowledge all": the low-priority ones go, the duress and the forced door stay (one by one)
        alarms.view.selectAll()
        keys = alarms.selected_keys()
        low = [k for k in keys if queue.get(k).priority > Priority.URGENT]  # type: ignore[union-attr]
        entries = await alarms.acknowledge_selected(note="Round done")
        assert sorted(e.target.removeprefix("event ") for e in entries) == sorted(low)
        assert {a.kind for a in queue.alarms} >= {AlarmKind.DURESS, AlarmKind.FORCED}

        # on hold, with a reason; given back
        alarms.select_keys([forced.key])
        held = await alarms.workflow.hold_current("Waiting for the patrol")
        assert held is not None
        assert held.state is AlarmState.ON_HOLD
        state = alarms.model.index(alarms.model.row_of(forced.key), AlarmColumn.STATE).data()
        assert state == "On hold: Waiting for the patrol"
        assert alarms.workflow.release_current().state is AlarmState.NEW  # type: ignore[union-attr]
        app.request_quit()
        return await task

    assert run(scenario(), timeout=90) == 0
