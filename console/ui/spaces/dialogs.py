"""The booking form: space, subject, start and end, host, participants, visitors, services; shown with ``open()``.

Participants are the server's persons; visitors are this desk's (registered or expected today at the visitor
desk), carried by name in the booking's content (``console/services/spaces/model.py``).

The form only collects; the rules are :meth:`console.services.spaces.SpaceDesk.check`'s, and the panel shows
their answers here (:meth:`BookingDialog.show_problems`) before the receptionist tries again. Names of
persons, spaces and services come from the server: every item and label is plain text.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from console.services.spaces import BookingRequest, Named, PersonChoice, SpaceInfo
from console.ui.text import plain_label

__all__ = ["BookingDialog"]

ID_ROLE = Qt.ItemDataRole.UserRole + 1


def _qdt(value: datetime) -> QDateTime:
    return QDateTime(value.year, value.month, value.day, value.hour, value.minute, 0)


def _py(value: QDateTime) -> datetime:
    d, t = value.date(), value.time()
    return datetime(d.year(), d.month(), d.day(), t.hour(), t.minute())


class BookingDialog(QDialog):
    """A new booking (``request.id`` empty) or a change of one; :meth:`request` reads what was entered."""

    def __init__(
        self,
        parent: QWidget | None,
        *,
        spaces: Sequence[SpaceInfo],
        persons: Sequence[PersonChoice],
        services: Sequence[Named],
        initial: BookingRequest,
        visitors: Sequence[str] = (),
    ) -> None:
        super().__init__(parent)
        self.setObjectName("bookingDialog")
        self.setWindowTitle("Change the booking" if initial.id else "Book a space")
        self.setModal(True)
        self.initial = initial
        self.space = QComboBox()
        for space in spaces:
            self.space.addItem(f"{space.name} ({space.capacity_words})", space.id)
        self.space.setCurrentIndex(max(0, self.space.findData(initial.space_id)))
        self.subject = QLineEdit(initial.subject)
        self.subject.setMaxLength(200)
        self.subject.setPlaceholderText("What the meeting is about")
        self.start = QDateTimeEdit(_qdt(initial.start))
        self.end = QDateTimeEdit(_qdt(initial.end))
        for edit in (self.start, self.end):
            edit.setDisplayFormat("yyyy-MM-dd HH:mm")
            edit.setCalendarPopup(True)
        self.host = QComboBox()
        self.host.setEditable(True)
        self.host.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        host_edit = self.host.lineEdit()
        if host_edit is not None:
            host_edit.setPlaceholderText("Type a name or a number")
        for person in persons:
            self.host.addItem(person.label, person.pin)
        index = self.host.findData(initial.host_pin)
        self.host.setCurrentIndex(index)
        if index < 0:
            self.host.setEditText(initial.host_pin)
        completer = self.host.completer()
        if completer is not None:
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.people_filter = QLineEdit()
        self.people_filter.setPlaceholderText("Filter participants")
        self.people_filter.setClearButtonEnabled(True)
        self.people = QListWidget()
        self.people.setObjectName("participants")
        chosen = set(initial.participant_ids)
        for person in persons:
            item = QListWidgetItem(person.label)
            item.setData(ID_ROLE, person.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if person.id in chosen else Qt.CheckState.Unchecked)
            self.people.addItem(item)
        self.people.setMinimumHeight(140)
        self.visitors = QListWidget()
        self.visitors.setObjectName("bookingVisitors")
        invited = set(initial.visitors)
        for name in dict.fromkeys([*initial.visitors, *visitors]):
            item = QListWidgetItem(name)
            item.setData(ID_ROLE, name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if name in invited else Qt.CheckState.Unchecked)
            self.visitors.addItem(item)
        self.visitors.setMaximumHeight(100)
        self.visitors.setToolTip("Visitors registered or expected today at this desk")
        if not self.visitors.count():
            empty = QListWidgetItem("No visitors registered at this desk today")
            empty.setFlags(Qt.ItemFlag.NoItemFlags)
            self.visitors.addItem(empty)
        self.services = QListWidget()
        picked = set(initial.service_ids)
        for service in services:
            item = QListWidgetItem(service.name)
            item.setData(ID_ROLE, service.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if service.id in picked else Qt.CheckState.Unchecked)
            self.services.addItem(item)
        self.services.setMaximumHeight(90)
        self.content = QPlainTextEdit(initial.content)
        self.content.setMaximumHeight(70)
        self.problems = plain_label()
        self.problems.setObjectName("bookingProblems")
        self.problems.setProperty("state", "alarm")
        self.problems.hide()

        form = QFormLayout()
        form.addRow("Space", self.space)
        form.addRow("Subject", self.subject)
        form.addRow("Starts", self.start)
        form.addRow("Ends", self.end)
        form.addRow("Host", self.host)
        form.addRow("Participants", self.people_filter)
        form.addRow("", self.people)
        form.addRow("Visitors", self.visitors)
        form.addRow("Services", self.services)
        form.addRow("Notes", self.content)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Save changes" if initial.id else "Book")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.problems)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.people_filter.textChanged.connect(self._filter_people)
        self.resize(520, 640)

    def _filter_people(self, text: str) -> None:
        needle = text.strip().casefold()
        for row in range(self.people.count()):
            item = self.people.item(row)
            item.setHidden(bool(needle) and needle not in item.text().casefold())

    def host_pin(self) -> str:
        index = self.host.currentIndex()
        text = self.host.currentText().strip()
        if index >= 0 and self.host.itemText(index) == text:
            return str(self.host.itemData(index))
        match = self.host.findText(text)
        return str(self.host.itemData(match)) if match >= 0 else text

    def set_participants(self, ids: Sequence[str]) -> None:
        wanted = set(ids)
        for row in range(self.people.count()):
            item = self.people.item(row)
            item.setCheckState(Qt.CheckState.Checked if item.data(ID_ROLE) in wanted else Qt.CheckState.Unchecked)

    def set_visitors(self, names: Sequence[str]) -> None:
        wanted = set(names)
        for row in range(self.visitors.count()):
            item = self.visitors.item(row)
            if item.data(ID_ROLE):
                item.setCheckState(Qt.CheckState.Checked if item.data(ID_ROLE) in wanted else Qt.CheckState.Unchecked)

    def request(self) -> BookingRequest:
        people = tuple(str(self.people.item(r).data(ID_ROLE)) for r in range(self.people.count())
                       if self.people.item(r).checkState() == Qt.CheckState.Checked)
        services = tuple(str(self.services.item(r).data(ID_ROLE)) for r in range(self.services.count())
                         if self.services.item(r).checkState() == Qt.CheckState.Checked)
        guests = tuple(str(self.visitors.item(r).data(ID_ROLE)) for r in range(self.visitors.count())
                       if self.visitors.item(r).data(ID_ROLE)
                       and self.visitors.item(r).checkState() == Qt.CheckState.Checked)
        return BookingRequest(
            space_id=str(self.space.currentData() or ""), subject=self.subject.text().strip(),
            start=_py(self.start.dateTime()), end=_py(self.end.dateTime()), host_pin=self.host_pin(),
            participant_ids=people, service_ids=services, content=self.content.toPlainText().strip(),
            id=self.initial.id, host_email=self.initial.host_email, extra=self.initial.extra, visitors=guests,
        )

    def show_problems(self, problems: Mapping[str, str], message: str = "") -> None:
        text = "\n".join(f"• {v}" for v in problems.values()) or message
        self.problems.setText(text)
        self.problems.setVisible(bool(text))
