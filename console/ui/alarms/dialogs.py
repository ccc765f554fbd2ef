"""The acknowledgement dialog (which alarms, one note shared by all of them: required when their priority asks
for one) and the on-hold dialog (the reason). Ctrl+Return accepts either from the note field."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QLineEdit, QPlainTextEdit, QVBoxLayout, QWidget

from console.services.events import Alarm
from console.services.events.alarms import MAX_NOTE
from console.services.events.model import format_time
from console.ui.events import style

__all__ = ["AcknowledgeDialog", "HoldDialog"]

MAX_LISTED = 8


class AcknowledgeDialog(QDialog):
    """Awaited with :func:`console.ui.aio.dialog_result`; :meth:`note` is the operator's text."""

    def __init__(self, alarms: Sequence[Alarm], parent: QWidget | None = None, *, note_required: bool = False,
                 left_out: Sequence[Alarm] = ()) -> None:
        super().__init__(parent)
        self.note_required = note_required
        self.setObjectName("acknowledgeDialog")
        n = len(alarms)
        self.setWindowTitle("Acknowledge alarm" if n == 1 else f"Acknowledge {n} alarms")
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        title = QLabel("Acknowledge this alarm?" if n == 1 else f"Acknowledge these {n} alarms?")
        title.setProperty("role", "title")
        layout.addWidget(title)
        lines = []
        for alarm in list(alarms)[:MAX_LISTED]:
            event = alarm.event
            where = f" at {event.point}" if event.point else ""
            lines.append(f"{alarm.priority.words}  {format_time(event.time)}  {style.event_text(event)}{where}")
        if n > MAX_LISTED:
            lines.append(f"… and {n - MAX_LISTED} more")
        self.listing = QLabel("\n".join(style.cut(line, 140) for line in lines))
        self.listing.setTextFormat(Qt.TextFormat.PlainText)
        self.listing.setWordWrap(True)
        layout.addWidget(self.listing)
        if left_out:
            single = QLabel(f"Not included: {len(left_out)} {'alarm' if len(left_out) == 1 else 'alarms'} of the "
                            "highest priorities (duress, forced door…) are acknowledged one by one.")
            single.setObjectName("ackLeftOut")
            single.setTextFormat(Qt.TextFormat.PlainText)
            single.setWordWrap(True)
            layout.addWidget(single)
        hint = QLabel("Note (required for this priority: what you found, what you did; kept with the alarm and in "
                      "the audit log; Ctrl+Return acknowledges):" if note_required else
                      "Note (optional, kept with each alarm and in the audit log; Ctrl+Return acknowledges):")
        hint.setWordWrap(True)
        hint.setProperty("role", "hint")
        layout.addWidget(hint)
        self.note_edit = QPlainTextEdit()
        self.note_edit.setObjectName("ackNote")
        self.note_edit.setPlaceholderText("What you found, what you did…")
        self.note_edit.setTabChangesFocus(True)
        self.note_edit.setFixedHeight(90)
        layout.addWidget(self.note_edit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Acknowledge" if n == 1 else f"Acknowledge {n}")
        ok.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.ok_button = ok
        if note_required:
            ok.setEnabled(False)
            self.note_edit.textChanged.connect(lambda: ok.setEnabled(bool(self.note())))
        accept = QShortcut(QKeySequence("Ctrl+Return"), self)
        accept.activated.connect(self._accept_if_ready)
        accept_enter = QShortcut(QKeySequence("Ctrl+Enter"), self)
        accept_enter.activated.connect(self._accept_if_ready)
        self.note_edit.setFocus()

    def _accept_if_ready(self) -> None:
        if self.ok_button.isEnabled():
            self.accept()

    def note(self) -> str:
        return self.note_edit.toPlainText().strip()[:MAX_NOTE]


class HoldDialog(QDialog):
    """Why the alarm waits (for the patrol, the engineer...): required. Awaited like :class:`AcknowledgeDialog`."""

    def __init__(self, alarm: Alarm, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("holdDialog")
        self.setWindowTitle("Put the alarm on hold")
        self.setMinimumWidth(420)
        layout = QVBoxLayout(self)
        event = alarm.event
        where = f" at {event.point}" if event.point else ""
        what = QLabel(style.cut(f"{alarm.priority.words}: {style.event_text(event)}{where}", 140))
        what.setTextFormat(Qt.TextFormat.PlainText)
        what.setWordWrap(True)
        layout.addWidget(what)
        hint = QLabel("Waiting for whom or what? (kept with the alarm and in the audit log)")
        hint.setProperty("role", "hint")
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.reason_edit = QLineEdit()
        self.reason_edit.setObjectName("holdReason")
        self.reason_edit.setPlaceholderText("e.g. waiting for the patrol to check the door")
        self.reason_edit.setMaxLength(300)
        layout.addWidget(self.reason_edit)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Put on hold")
        ok.setDefault(True)
        ok.setEnabled(False)
        self.reason_edit.textChanged.connect(lambda text: ok.setEnabled(bool(text.strip())))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.reason_edit.setFocus()

    def reason(self) -> str:
        return self.reason_edit.text().strip()
