"""The acknowledgement dialog: which alarms, and one optional note shared by all of them."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from console.services.events import Alarm
from console.services.events.alarms import MAX_NOTE
from console.services.events.model import format_time
from console.ui.events import style

__all__ = ["AcknowledgeDialog"]

MAX_LISTED = 8


class AcknowledgeDialog(QDialog):
    """Awaited with :func:`console.ui.aio.dialog_result`; :meth:`note` is the operator's text."""

    def __init__(self, alarms: Sequence[Alarm], parent: QWidget | None = None) -> None:
        super().__init__(parent)
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
            lines.append(f"{format_time(event.time)}  {style.event_text(event)}{where}")
        if n > MAX_LISTED:
            lines.append(f"… and {n - MAX_LISTED} more")
        self.listing = QLabel("\n".join(style.cut(line, 140) for line in lines))
        self.listing.setTextFormat(Qt.TextFormat.PlainText)
        self.listing.setWordWrap(True)
        layout.addWidget(self.listing)
        hint = QLabel("Note (optional, kept with each alarm and in the audit log):")
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
        self.note_edit.setFocus()

    def note(self) -> str:
        return self.note_edit.toPlainText().strip()[:MAX_NOTE]
