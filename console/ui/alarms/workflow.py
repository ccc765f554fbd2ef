"""The guard's workflow in the alarm panel (issue 13): take, put on hold, give back, open; keys from anywhere.

:class:`AlarmWorkflow` adds to an :class:`~console.ui.alarms.panel.AlarmsPanel`:

* a row of buttons (Take, On hold…, Give back) and a details line under the table for the current alarm
  (priority, kind, state and who has it, door, device);
* window-level actions, reachable from any panel (the workspace adds :meth:`AlarmWorkflow.window_actions` to
  the main window): **F8** takes the oldest alarm of the highest priority that nobody has taken, selects it,
  shows its door on the floor plan and puts the keyboard in the queue; **F9** acknowledges the current alarm
  with a note (the dialog asks for one; Ctrl+Return sends it);
* in the queue, **Enter** opens the current alarm (its details, its door on the floor plan).

``alarm_selected(key)`` is emitted when one alarm is selected or opened: the workspace shows its door on the
floor plan.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QHBoxLayout, QLabel, QMessageBox, QToolButton, QWidget

from console.services.events import Alarm, AlarmState
from console.ui.events import style

from .. import aio
from .dialogs import HoldDialog
from .model import AlarmRole

if TYPE_CHECKING:
    from .panel import AlarmsPanel

__all__ = ["ACK_KEY", "TAKE_NEXT_KEY", "AlarmWorkflow"]

log = logging.getLogger(__name__)

TAKE_NEXT_KEY = "F8"  # (console/ui/keys.py leaves F8 and F9 to the alarm queue)
ACK_KEY = "F9"


def _tool(action: QAction, name: str) -> QToolButton:
    button = QToolButton()
    button.setObjectName(name)
    button.setDefaultAction(action)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    return button


class AlarmWorkflow(QObject):
    alarm_selected = Signal(str)  # an alarm's event key: its door on the floor plan

    def __init__(self, panel: AlarmsPanel) -> None:
        super().__init__(panel)
        self.panel = panel
        self.queue = panel.queue
        self._last_selected: str | None = None

        self.take_next_action = self._action("Take the next alarm", [TAKE_NEXT_KEY], self.take_next,
                                             "Take the oldest alarm of the highest priority (from any panel)",
                                             window=True)
        self.acknowledge_action = self._action(
            "Acknowledge the alarm with a note…", [ACK_KEY], lambda: self._spawn(self.acknowledge_current()),
            "Acknowledge the current alarm; the note is kept with it and in the audit log (from any panel)",
            window=True)
        self.take_action = self._action("Take", [], self.take_selected, "Take the selected alarm: in progress, "
                                        "under your name")
        self.hold_action = self._action("On hold…", [], lambda: self._spawn(self.hold_current()),
                                        "Put the selected alarm on hold, waiting for someone on site (a reason)")
        self.release_action = self._action("Give back", [], self.release_current,
                                           "Give the alarm back to the queue: new, for anyone to take")
        self.open_action = QAction("Open the selected alarm", panel)
        self.open_action.setShortcuts([QKeySequence("Return"), QKeySequence("Enter")])
        self.open_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)  # the table only: never a dialog's
        self.open_action.setToolTip("Show the alarm's details and its door on the floor plan (Enter)")
        self.open_action.triggered.connect(lambda *_: self.open_current())
        panel.view.addAction(self.open_action)

        self.bar = QWidget()
        self.bar.setObjectName("alarmWorkflow")
        self.bar.setAccessibleName("Alarm workflow")
        row = QHBoxLayout(self.bar)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        self.take_button = _tool(self.take_action, "takeAlarm")
        self.hold_button = _tool(self.hold_action, "holdAlarm")
        self.release_button = _tool(self.release_action, "releaseAlarm")
        self.next_button = _tool(self.take_next_action, "takeNextAlarm")
        self.next_button.setText(f"Take next ({TAKE_NEXT_KEY})")
        for button in (self.next_button, self.take_button, self.hold_button, self.release_button):
            row.addWidget(button)
        row.addStretch(1)

        self.details = QLabel()
        self.details.setObjectName("alarmDetails")
        self.details.setTextFormat(Qt.TextFormat.PlainText)  # server text: plain, always
        self.details.setWordWrap(True)
        self.details.setProperty("role", "hint")
        self.details.setAccessibleName("The current alarm")
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        panel.view.selectionModel().selectionChanged.connect(lambda *_: self._selection_changed())
        self._unsubscribe = self.queue.queue_changed.connect(lambda _alarms: self.update())
        panel.destroyed.connect(lambda *_: self._unsubscribe())
        self.update()

    def _action(self, text: str, keys: list[str], handler: Any, tip: str, *, window: bool = False) -> QAction:
        action = QAction(text, self.panel)
        if keys:
            action.setShortcuts([QKeySequence(k) for k in keys])
            # window-level: the main window carries it (Workspace adds window_actions()), so it works from any
            # panel and from a floating dock; otherwise the panel's own
            action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut if window
                                      else Qt.ShortcutContext.WidgetWithChildrenShortcut)
            tip += f" ({', '.join(keys)})"
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.triggered.connect(lambda *_: handler())
        if not window:
            self.panel.addAction(action)
        return action

    def window_actions(self) -> list[QAction]:
        """The actions that work from anywhere in the window (take the next alarm, acknowledge it)."""
        return [self.take_next_action, self.acknowledge_action]

    def _spawn(self, coro: Any) -> None:
        aio.spawn(coro, owner=self.panel, name="alarm workflow")

    # -- the current alarm -----------------------------------------------------------------------

    def current(self) -> Alarm | None:
        """The one selected alarm (else the current row's)."""
        keys = self.panel.selected_keys()
        if len(keys) == 1:
            return self.queue.get(keys[0])
        if not keys:
            key = self.panel.view.currentIndex().data(AlarmRole.KEY)
            return self.queue.get(key) if isinstance(key, str) else None
        return None

    def _selection_changed(self) -> None:
        alarm = self.current() if len(self.panel.selected_keys()) == 1 else None
        key = alarm.key if alarm is not None else None
        if key != self._last_selected:
            self._last_selected = key
            if key is not None:
                self.alarm_selected.emit(key)
        self.update()

    def update(self) -> None:
        alarm = self.current()
        me = self.queue.operator
        self.take_action.setEnabled(alarm is not None and not (alarm.state is AlarmState.IN_PROGRESS
                                                              and alarm.by == me))
        self.hold_action.setEnabled(alarm is not None)
        self.release_action.setEnabled(alarm is not None and alarm.state is not AlarmState.NEW)
        self.take_next_action.setEnabled(len(self.queue) > 0)
        self.acknowledge_action.setEnabled(len(self.queue) > 0)
        self.details.setText(self.describe(alarm))
        self.details.setVisible(alarm is not None)

    def describe(self, alarm: Alarm | None) -> str:
        if alarm is None:
            return ""
        event = alarm.event
        state = alarm.state_words
        if alarm.state is not AlarmState.NEW and alarm.since is not None:
            state += f" (since {alarm.since:%H:%M})"
        first = f"{alarm.priority.words} priority · {alarm.kind.words} · {event.time:%H:%M:%S} · {state}"
        where = " · ".join(x for x in (f"Door / point: {event.point}" if event.point else "",
                                       f"Device: {event.device}" if event.device else "") if x)
        note = "A note is required to acknowledge it." if self.queue.needs_note(alarm) else ""
        return "\n".join(style.cut(line, 200) for line in (first, where, note) if line)

    # -- actions ---------------------------------------------------------------------------------

    def _bring_forward(self) -> None:
        dock = self.panel.parentWidget()
        if isinstance(dock, QDockWidget):
            dock.show()
            dock.raise_()
        self.panel.view.window().activateWindow()
        self.panel.view.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _select(self, key: str) -> None:
        self.panel.select_keys([key])
        row = self.panel.model.row_of(key)
        if row is not None:
            index = self.panel.model.index(row, 0)
            self.panel.view.setCurrentIndex(index)
            self.panel.select_keys([key])
            self.panel.view.scrollTo(index)

    def take_next(self) -> Alarm | None:
        """Take the oldest alarm of the highest priority nobody has taken; select it and bring the queue forward."""
        alarm = self.queue.next_alarm()
        if alarm is None:
            return None
        taken = alarm
        if not (alarm.state is AlarmState.IN_PROGRESS and alarm.by == self.queue.operator):
            taken = self._guard(lambda: self.queue.take(alarm.key)) or alarm
        self._bring_forward()
        self._select(alarm.key)
        self.alarm_selected.emit(alarm.key)
        self.update()
        return taken

    def take_selected(self) -> Alarm | None:
        alarm = self.current()
        return None if alarm is None else self._guard(lambda: self.queue.take(alarm.key))

    def release_current(self) -> Alarm | None:
        alarm = self.current()
        return None if alarm is None else self._guard(lambda: self.queue.release(alarm.key))

    def open_current(self) -> Alarm | None:
        """Enter: the alarm's details, and its door on the floor plan."""
        alarm = self.current()
        if alarm is None:
            return None
        self._select(alarm.key)
        self.details.setVisible(True)
        self.alarm_selected.emit(alarm.key)
        return alarm

    async def hold_current(self, reason: str | None = None) -> Alarm | None:
        alarm = self.current()
        if alarm is None:
            return None
        if reason is None:
            dialog = HoldDialog(alarm, self.panel)
            try:
                result = await aio.dialog_result(dialog)
                reason = dialog.reason()
            finally:
                dialog.deleteLater()
            if result != HoldDialog.DialogCode.Accepted.value or not reason:
                return None
        text = reason
        return self._guard(lambda: self.queue.hold(alarm.key, text))

    async def acknowledge_current(self, note: str | None = None) -> list[Any]:
        """Acknowledge the current alarm (the one just taken, or the selected one) with a note."""
        alarm = self.current()
        if alarm is None:
            alarm = self.queue.next_alarm()
            if alarm is None:
                return []
        self._bring_forward()
        self._select(alarm.key)
        return await self.panel.acknowledge_selected(note)

    def _guard(self, change: Any) -> Alarm | None:
        """A workflow change: its audit row is written first; if the audit log fails, nothing changed: say so."""
        try:
            result: Alarm | None = change()
        except ValueError:
            raise
        except Exception as exc:
            log.error("the alarm's state could not be changed: %s", exc)
            self._spawn(aio.message(self.panel, "Alarm not changed",
                                    f"The change could not be written to the audit log, so the alarm stays as it "
                                    f"was.\n\n{exc}", icon=QMessageBox.Icon.Warning))
            return None
        self.update()
        return result
