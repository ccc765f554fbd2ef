"""The alarm panel's priorities and workflow (issue 13): words, colour and a distinct icon per priority, each its
own sound, a note required for duress and forced doors, on hold with a reason, the sounds' files."""

from __future__ import annotations

import wave
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtTest import QTest

from console import resources
from console.services.events import AlarmState, Level
from console.ui import aio, theme
from console.ui.alarms.dialogs import AcknowledgeDialog, HoldDialog
from console.ui.alarms.model import AlarmColumn
from console.ui.alarms.sound import PRIORITY_TONES, priority_file
from tests.helpers import until
from tests.ui.test_alarms_panel import Env
from tests.ui.test_alarms_panel import env as env  # the fixtures
from tests.ui.test_alarms_panel import make_env as make_env

KINDS = (("Duress Password Open", Level.ALARM), ("Door Opened Accidentally", Level.ALARM),
         ("Tamper Alarm", Level.ALARM), ("Door Open Timeout", Level.ALARM), ("Device Disconnected", Level.WARNING),
         ("Low battery", Level.WARNING))


def _all_kinds(env: Env) -> None:
    env.arrive(*(env.alarm(i, name=name, level=level) for i, (name, level) in enumerate(KINDS, 1)))


def test_each_priority_in_words_colour_and_its_own_icon_most_urgent_first(env: Env) -> None:
    _all_kinds(env)
    model = env.panel.model
    words = [model.index(r, AlarmColumn.PRIORITY).data() for r in range(model.rowCount())]
    assert words == ["Critical", "Urgent", "High", "Medium", "Low", "Maintenance"]
    icons = [model.index(r, AlarmColumn.PRIORITY).data(Qt.ItemDataRole.DecorationRole).pixmap(32, 32).toImage()
             for r in range(model.rowCount())]
    assert all(a != b for n, a in enumerate(icons) for b in icons[n + 1:])  # told apart without reading colour
    critical = model.index(0, AlarmColumn.EVENT).data(Qt.ItemDataRole.BackgroundRole)
    assert critical == QColor(theme.current().alarm_bg)
    assert model.index(5, AlarmColumn.EVENT).data(Qt.ItemDataRole.BackgroundRole) is None
    assert [model.index(r, AlarmColumn.STATE).data() for r in range(2)] == ["New", "New"]


def test_each_priority_rings_its_own_sound(make_env: Any) -> None:
    env = make_env()
    env.arrive(env.alarm(1, name="Low battery", level=Level.WARNING))
    env.arrive(env.alarm(2, name="Duress Password Open"))
    assert [p.path.name for p in env.players] == ["priority-6.wav", "priority-1.wav"]
    assert env.panel.sound.last_priority == 1
    for priority in PRIORITY_TONES:  # shipped, short, and each different
        with wave.open(str(resources.path("sounds", priority_file(priority)))) as sound:
            assert 0.3 < sound.getnframes() / sound.getframerate() < 3.0
    blobs = {resources.path("sounds", priority_file(p)).read_bytes() for p in PRIORITY_TONES}
    assert len(blobs) == len(PRIORITY_TONES)


def test_a_duress_needs_a_note_and_ctrl_return_sends_it(env: Env, run: Any) -> None:
    env.arrive(env.alarm(1, name="Duress Password Open"))
    env.panel.select_keys(["alarm-1"])

    async def acknowledge() -> list[Any]:
        task = aio.spawn(env.panel.acknowledge_selected(), name="ack")
        dialog = await until(lambda: env.panel.findChild(AcknowledgeDialog))
        await until(dialog.isVisible)
        assert not dialog.ok_button.isEnabled()
        QTest.keyClick(dialog.note_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        assert dialog.isVisible()  # not without a note
        QTest.keyClicks(dialog.note_edit, "Called the police")
        assert dialog.ok_button.isEnabled()
        QTest.keyClick(dialog.note_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        return await task

    entries = run(acknowledge())
    assert [e.params["note"] for e in entries] == ["Called the police"]
    assert env.panel.count == 0


def test_several_selected_leave_the_top_priorities_for_one_by_one(env: Env, run: Any) -> None:
    _all_kinds(env)
    env.panel.view.selectAll()
    entries = run(env.panel.acknowledge_selected(note="Round done"))
    assert len(entries) == 4
    assert [a.priority.words for a in env.queue.alarms] == ["Critical", "Urgent"]


def test_on_hold_with_a_reason_then_given_back(env: Env, run: Any) -> None:
    env.arrive(env.alarm(1, name="Tamper Alarm"))
    env.panel.select_keys(["alarm-1"])
    workflow = env.panel.workflow

    async def hold() -> Any:
        task = aio.spawn(workflow.hold_current(), name="hold")
        dialog = await until(lambda: env.panel.findChild(HoldDialog))
        await until(dialog.isVisible)
        QTest.keyClicks(dialog.reason_edit, "Waiting for the patrol")
        dialog.accept()
        return await task

    held = run(hold())
    assert held.state is AlarmState.ON_HOLD
    assert env.panel.model.index(0, AlarmColumn.STATE).data() == "On hold: Waiting for the patrol"
    assert "On hold: Waiting for the patrol" in workflow.details.text()
    assert [r.action for r in env.audit.rows()][-1] == "alarm.hold"
    workflow.take_selected()
    assert env.panel.model.index(0, AlarmColumn.STATE).data() == "In progress: ann"
    workflow.release_current()
    assert env.panel.model.index(0, AlarmColumn.STATE).data() == "New"
