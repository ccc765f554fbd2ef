"""The registration form: one input per field of ``visRegistration/add``, each with its message below it.

The widget is plain: it turns inputs into a :class:`VisitForm` (``value()``), shows one (``set_value``),
shows problems field by field (``show_problems``) and announces edits. Searches (hosts, returning visitors)
are done by the panel, which feeds the suggestions back with ``set_host_suggestions`` and
``set_visitor_suggestions``; picking a suggestion fills the form.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import QDate, QDateTime, QEvent, QModelIndex, QPersistentModelIndex, Qt, QTime, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateTimeEdit,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from console.api.models.levels import VisitorLevel
from console.api.models.visitors import Visitor
from console.services.visitors import (
    CERT_TYPES,
    FIELD_LABELS,
    FIELDS,
    Host,
    VisitForm,
    default_window,
    parse_form_time,
)
from console.ui import theme
from console.ui.text import plain_label, tooltip

__all__ = ["REASONS", "RegistrationForm", "plain_label"]

REASONS = ("Meeting", "Interview", "Delivery", "Maintenance", "Audit", "Training")
_QT_FORMAT = "yyyy-MM-dd HH:mm:ss"
_HOST_ROLE = Qt.ItemDataRole.UserRole + 1
_VISITOR_ROLE = Qt.ItemDataRole.UserRole + 2
_NAME_ROLE = Qt.ItemDataRole.UserRole + 3  # what picking a returning visitor writes into each field
_CERT_ROLE = Qt.ItemDataRole.UserRole + 4


class RegistrationForm(QWidget):
    edited = Signal()  # anything changed (the panel saves the draft)
    host_search = Signal(str)  # the host field's text changed: the panel looks hosts up
    visitor_search = Signal(str)  # the name or document number changed: the panel looks for returning visitors

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._host: Host | None = None
        self._filling = False
        self._reservation_id = ""
        self._level_names: dict[str, str] = {}
        self._pending_levels: list[str] = []

        self.host_edit = QLineEdit()
        self.host_edit.setPlaceholderText("Type the host's pin or name, then pick from the list")
        self.host_info = plain_label("No host picked yet")
        self.host_info.setProperty("role", "hint")
        self.visitor_name = QLineEdit()
        self.visitor_name.setPlaceholderText("As on the document; returning visitors are suggested")
        self.visitor_name.setMaxLength(100)
        self.cert_type = QComboBox()
        for code, words in CERT_TYPES:
            self.cert_type.addItem(words, code)
        self.cert_num = QLineEdit()
        self.cert_num.setPlaceholderText("Document number")
        self.cert_num.setMaxLength(64)
        self.phone = QLineEdit()
        self.phone.setPlaceholderText("Optional")
        self.phone.setMaxLength(32)
        self.company = QLineEdit()
        self.company.setPlaceholderText("Optional")
        self.company.setMaxLength(100)
        self.reason = QComboBox()
        self.reason.setEditable(True)
        self.reason.addItems(REASONS)
        self.reason.setCurrentIndex(-1)
        reason_line = self.reason.lineEdit()
        assert reason_line is not None  # an editable combo has one
        reason_line.setPlaceholderText("Pick or type")
        reason_line.setMaxLength(200)
        self.visitor_count = QSpinBox()
        self.visitor_count.setRange(0, 999)
        self.visitor_count.setValue(1)
        self.start = QDateTimeEdit()
        self.end = QDateTimeEdit()
        for edit in (self.start, self.end):
            edit.setDisplayFormat("yyyy-MM-dd HH:mm")
            edit.setCalendarPopup(True)
        self.card_no = QLineEdit()
        self.card_no.setPlaceholderText("Optional: a visitor card handed out")
        self.card_no.setMaxLength(64)
        self.levels = QScrollArea()
        self.levels.setWidgetResizable(True)
        self.levels.setMaximumHeight(96)
        self.levels.setToolTip("Tick the areas the visitor may enter")
        self._levels_box = QWidget()
        self._levels_layout = QVBoxLayout(self._levels_box)
        self._levels_layout.setContentsMargins(4, 2, 4, 2)
        self._levels_layout.setSpacing(2)
        self._levels_empty = plain_label("No visitor levels read from the server yet")
        self._levels_empty.setProperty("role", "hint")
        self._levels_layout.addWidget(self._levels_empty)
        self._levels_layout.addStretch(1)
        self.levels.setWidget(self._levels_box)
        self._level_boxes: list[tuple[str, QCheckBox]] = []

        self.inputs: dict[str, QWidget] = {
            "host": self.host_edit, "visitor_name": self.visitor_name, "cert_type": self.cert_type,
            "cert_num": self.cert_num, "phone": self.phone, "company": self.company, "reason": self.reason,
            "visitor_count": self.visitor_count, "start": self.start, "end": self.end, "card_no": self.card_no,
            "levels": self.levels,
        }
        self.errors: dict[str, QLabel] = {}
        for name in FIELDS:
            label = plain_label()
            label.setObjectName(f"error_{name}")
            label.hide()
            self.errors[name] = label
        self._style_errors()

        # completers: the models are refilled by the panel with what the server found
        self._host_model = QStandardItemModel(self)
        self._host_completer = self._completer(self._host_model, self.host_edit)
        self._host_completer.activated[QModelIndex].connect(self._host_picked)  # type: ignore[index]  # stubs lack the overload index
        self._visitor_model = QStandardItemModel(self)
        self._name_completer = self._completer(self._visitor_model, self.visitor_name)
        self._name_completer.setCompletionRole(_NAME_ROLE)
        self._name_completer.activated[QModelIndex].connect(self._visitor_picked)  # type: ignore[index]
        self._cert_completer = self._completer(self._visitor_model, self.cert_num)
        self._cert_completer.setCompletionRole(_CERT_ROLE)
        self._cert_completer.activated[QModelIndex].connect(self._visitor_picked)  # type: ignore[index]

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)

        def row(name: str, *widgets: QWidget, stretch: tuple[int, ...] = ()) -> None:
            box = QVBoxLayout()
            box.setSpacing(2)
            line = QHBoxLayout()
            for index, widget in enumerate(widgets):
                line.addWidget(widget, stretch[index] if index < len(stretch) else 1)
            if stretch and not any(stretch):
                line.addStretch(1)
            box.addLayout(line)
            if name == "host":
                box.addWidget(self.host_info)
            box.addWidget(self.errors[name])
            if name == "cert_num":
                box.addWidget(self.errors["cert_type"])
            if name == "start":
                box.addWidget(self.errors["end"])
            label = FIELD_LABELS[name] + ("" if name in _OPTIONAL else " *")
            form.addRow(label, box)

        row("host", self.host_edit)
        row("visitor_name", self.visitor_name)
        row("cert_num", self.cert_type, self.cert_num, stretch=(0, 1))
        row("phone", self.phone)
        row("company", self.company)
        row("reason", self.reason)
        self.visitor_count.setMaximumWidth(120)
        row("visitor_count", self.visitor_count, stretch=(0,))
        until = QLabel("until")
        row("start", self.start, until, self.end, stretch=(1, 0, 1))
        row("card_no", self.card_no)
        row("levels", self.levels)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        hint = plain_label("* required. Times run from now until the end of the day unless you change them.")
        hint.setProperty("role", "hint")
        layout.addWidget(hint)

        self.host_edit.textEdited.connect(self._host_typed)
        self.visitor_name.textEdited.connect(self.visitor_search.emit)
        self.cert_num.textEdited.connect(self.visitor_search.emit)
        for line in (self.visitor_name, self.cert_num, self.phone, self.company, self.card_no):
            line.textChanged.connect(self._changed)
        self.reason.currentTextChanged.connect(self._changed)
        self.cert_type.currentIndexChanged.connect(self._changed)
        self.visitor_count.valueChanged.connect(self._changed)
        self.start.dateTimeChanged.connect(self._changed)
        self.end.dateTimeChanged.connect(self._changed)
        self.set_value(VisitForm.blank())

    # -- plumbing ------------------------------------------------------------------------------------

    def _completer(self, model: QStandardItemModel, edit: QLineEdit) -> QCompleter:
        completer = QCompleter(model, self)
        completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)  # we filter
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setMaxVisibleItems(12)
        edit.setCompleter(completer)
        return completer

    def _style_errors(self) -> None:
        colour = theme.current().alarm_text
        for label in self.errors.values():
            label.setStyleSheet(f"color: {colour}; font-weight: 600;")

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange):
            self._style_errors()
        super().changeEvent(event)

    def _changed(self, *_: object) -> None:
        if not self._filling:
            self.edited.emit()

    def _host_typed(self, text: str) -> None:
        if self._host is not None and text != self._host.label:
            self._host = None  # typing over a picked host un-picks it
            self.host_info.setText("No host picked yet")
        self.host_search.emit(text)
        self._changed()

    def _host_picked(self, index: QModelIndex | QPersistentModelIndex) -> None:
        host = index.data(_HOST_ROLE)
        if isinstance(host, Host):
            self.set_host(host)

    def _visitor_picked(self, index: QModelIndex | QPersistentModelIndex) -> None:
        visitor = index.data(_VISITOR_ROLE)
        if isinstance(visitor, Visitor):
            self.fill_from_visitor(visitor)

    # -- suggestions -----------------------------------------------------------------------------------

    def set_host_suggestions(self, hosts: Sequence[Host]) -> None:
        self._host_model.clear()
        for host in hosts:
            item = QStandardItem(host.label)
            item.setData(host, _HOST_ROLE)
            item.setToolTip(tooltip(host.label))
            self._host_model.appendRow(item)
        if hosts and self.host_edit.hasFocus():
            self._host_completer.complete()

    def set_visitor_suggestions(self, visitors: Sequence[Visitor]) -> None:
        self._visitor_model.clear()
        for visitor in visitors:
            company = f", {visitor.company}" if visitor.company else ""
            item = QStandardItem(f"{visitor.full_name} ({visitor.cert_type.words} {visitor.cert_number}{company})")
            item.setData(visitor, _VISITOR_ROLE)
            item.setData(visitor.full_name[:100], _NAME_ROLE)
            item.setData(visitor.cert_number[:64], _CERT_ROLE)
            self._visitor_model.appendRow(item)
        if visitors:
            if self.visitor_name.hasFocus():
                self._name_completer.complete()
            elif self.cert_num.hasFocus():
                self._cert_completer.complete()

    def host_suggestions(self) -> list[Host]:
        return [self._host_model.item(r).data(_HOST_ROLE) for r in range(self._host_model.rowCount())]

    def visitor_suggestions(self) -> list[Visitor]:
        return [self._visitor_model.item(r).data(_VISITOR_ROLE) for r in range(self._visitor_model.rowCount())]

    def set_host(self, host: Host | None) -> None:
        self._host = host
        filling, self._filling = self._filling, True
        try:
            self.host_edit.setText(host.label if host else "")
        finally:
            self._filling = filling
        if host is None:
            self.host_info.setText("No host picked yet")
        else:
            dept = host.dept_name or "no department on record"
            self.host_info.setText(f"Visiting {host.name or host.pin} · {dept}")
        self.show_problem("host", "")
        self._changed()

    def fill_from_visitor(self, visitor: Visitor) -> None:
        """A returning visitor: name, document, phone and company from the server's record."""
        self._filling = True
        try:
            self.visitor_name.setText(visitor.full_name[:100])
            code = visitor.cert_type.code
            index = self.cert_type.findData(code)
            if index >= 0:
                self.cert_type.setCurrentIndex(index)
            self.cert_num.setText(visitor.cert_number[:64])
            if visitor.phone:
                self.phone.setText(visitor.phone[:32])
            if visitor.company:
                self.company.setText(visitor.company[:100])
        finally:
            self._filling = False
        for name in ("visitor_name", "cert_type", "cert_num", "phone", "company"):
            self.show_problem(name, "")
        self._changed()

    def set_levels(self, levels: Sequence[VisitorLevel], checked: Sequence[str] = ()) -> None:
        keep = set(checked) | set(self.checked_levels())
        for _, box in self._level_boxes:
            self._levels_layout.removeWidget(box)
            box.deleteLater()
        self._level_boxes = []
        for index, level in enumerate(levels):
            box = QCheckBox(" ".join((level.name or level.id).split())[:80])
            box.setToolTip(tooltip(level.name or level.id))
            box.setChecked(level.id in keep)
            box.toggled.connect(self._changed)
            self._levels_layout.insertWidget(index, box)
            self._level_boxes.append((level.id, box))
            self._level_names[level.id] = level.name
        self._levels_empty.setVisible(not levels)

    def checked_levels(self) -> list[str]:
        return [level_id for level_id, box in self._level_boxes if box.isChecked()]

    def level_box(self, level_id: str) -> QCheckBox | None:
        return next((box for lid, box in self._level_boxes if lid == level_id), None)

    # -- value ----------------------------------------------------------------------------------------

    def value(self) -> VisitForm:
        host = self._host
        levels = self.checked_levels()
        return VisitForm(
            host_pin=host.pin if host else "",
            host_name=host.name if host else "",
            host_dept=host.dept_name if host else "",
            visitor_name=self.visitor_name.text(),
            cert_type=str(self.cert_type.currentData() or ""),
            cert_num=self.cert_num.text(),
            phone=self.phone.text(),
            company=self.company.text(),
            reason=self.reason.currentText(),
            visitor_count=str(self.visitor_count.value()),
            start=self.start.dateTime().toString(_QT_FORMAT),
            end=self.end.dateTime().toString(_QT_FORMAT),
            card_no=self.card_no.text(),
            levels=levels,
            level_names=[self._level_names.get(i, i) for i in levels],
            reservation_id=self._reservation_id,
        )

    def set_value(self, form: VisitForm) -> None:
        self._filling = True
        try:
            if form.host_pin:
                self.set_host(Host(pin=form.host_pin, name=form.host_name, dept_name=form.host_dept))
            else:
                self.set_host(None)
            self.visitor_name.setText(form.visitor_name)
            index = self.cert_type.findData(form.cert_type)
            self.cert_type.setCurrentIndex(index if index >= 0 else 0)
            self.cert_num.setText(form.cert_num)
            self.phone.setText(form.phone)
            self.company.setText(form.company)
            self.reason.setCurrentText(form.reason)
            try:
                self.visitor_count.setValue(int(form.visitor_count))
            except ValueError:
                self.visitor_count.setValue(1)
            default_start, default_end = default_window()
            for edit, text, fallback in ((self.start, form.start, default_start), (self.end, form.end, default_end)):
                moment = parse_form_time(text) or parse_form_time(fallback)
                if moment is not None:
                    edit.setDateTime(QDateTime(QDate(moment.year, moment.month, moment.day),
                                               QTime(moment.hour, moment.minute, moment.second)))
            self.card_no.setText(form.card_no)
            for level_id, box in self._level_boxes:
                box.setChecked(level_id in form.levels)
            for level_id, name in zip(form.levels, form.level_names, strict=False):
                self._level_names.setdefault(level_id, name)
            self._pending_levels = list(form.levels)
            self._reservation_id = form.reservation_id
        finally:
            self._filling = False
        self.clear_problems()

    @property
    def pending_levels(self) -> list[str]:
        """Levels of a restored draft, to tick once the level list has been read from the server."""
        return list(self._pending_levels)

    # -- problems -------------------------------------------------------------------------------------

    def show_problem(self, name: str, text: str) -> None:
        label = self.errors[name]
        text = text[:1].upper() + text[1:]
        label.setText(text)
        label.setVisible(bool(text))
        widget = self.inputs[name]
        target = widget.lineEdit() if isinstance(widget, QComboBox) and widget.isEditable() else widget
        if target is not None and target.property("invalid") != bool(text):
            target.setProperty("invalid", bool(text))
            target.style().unpolish(target)
            target.style().polish(target)
        widget.setAccessibleDescription(text)

    def show_problems(self, problems: Mapping[str, str]) -> None:
        for name in FIELDS:
            self.show_problem(name, problems.get(name, ""))
        first = next((name for name in FIELDS if name in problems), None)
        if first is not None:
            self.inputs[first].setFocus(Qt.FocusReason.OtherFocusReason)

    def clear_problems(self) -> None:
        for name in FIELDS:
            self.show_problem(name, "")

    def problems_shown(self) -> dict[str, str]:
        return {name: label.text() for name, label in self.errors.items() if label.text()}


_OPTIONAL = frozenset({"phone", "company", "card_no", "levels"})
