"""Spaces, facilities and services: browse, add, change, delete (2.43-2.45), for operators allowed to.

``ManageDialog(panel_parent, admin, persons)`` over :class:`console.services.spaces.SpaceAdmin`. Three tabs,
each a list on the left (several can be chosen for a delete) and the chosen item's form on the right; *New*
empties the form, *Save* adds or changes, *Delete…* asks and deletes every chosen item. A rule broken locally
or a refusal of the server is written under its field; the banner says what happened (which were deleted and
which not). Only shown when the connection profile is in ``SpacesOptions.manage_profiles`` (the panel decides).
Every name is server text: plain labels and items only.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Mapping, Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from console.services.outcome import Outcome
from console.services.spaces import ItemForm, PersonChoice, SpaceAdmin, SpaceForm, SpaceResult
from console.ui import aio
from console.ui.banner import Banner, BannerKind
from console.ui.text import plain_label

__all__ = ["ManageDialog"]

ID_ROLE = Qt.ItemDataRole.UserRole + 1
_KINDS: dict[Outcome, BannerKind] = {
    Outcome.DONE: "ok", Outcome.INVALID: "warn", Outcome.REFUSED: "alarm", Outcome.NOT_SENT: "warn",
    Outcome.UNCERTAIN: "warn", Outcome.QUEUED: "info",
}
TITLES = {"space": "Spaces", "facility": "Facilities", "service": "Services"}


def _checklist(height: int = 110) -> QListWidget:
    widget = QListWidget()
    widget.setMaximumHeight(height)
    return widget


def _fill_checks(widget: QListWidget, items: Sequence[tuple[str, str]], chosen: Sequence[str]) -> None:
    widget.clear()
    wanted = set(chosen)
    for item_id, text in items:
        item = QListWidgetItem(text)
        item.setData(ID_ROLE, item_id)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if item_id in wanted else Qt.CheckState.Unchecked)
        widget.addItem(item)


def _checked(widget: QListWidget) -> tuple[str, ...]:
    return tuple(str(widget.item(r).data(ID_ROLE)) for r in range(widget.count())
                 if widget.item(r).checkState() == Qt.CheckState.Checked)


class _Tab(QWidget):
    """One kind: the list, the form (fields by name, a problem label under each), New / Save / Delete…."""

    def __init__(self, kind: str, fields: Sequence[tuple[str, str, QWidget]]) -> None:
        super().__init__()
        self.kind = kind
        self.setObjectName(f"manage_{kind}")
        self.current_id = ""
        self.list = QListWidget()
        self.list.setObjectName(f"manage_{kind}_list")
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setMinimumWidth(220)
        self.fields: dict[str, QWidget] = {}
        self.problems: dict[str, QLabel] = {}
        form = QFormLayout()
        for name, title, widget in fields:
            self.fields[name] = widget
            problem = plain_label()
            problem.setProperty("state", "alarm")
            problem.hide()
            self.problems[name] = problem
            column = QVBoxLayout()
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(1)
            column.addWidget(widget)
            column.addWidget(problem)
            holder = QWidget()
            holder.setLayout(column)
            form.addRow(title, holder)
        self.heading = plain_label()
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        self.new_button = QPushButton("New")
        self.save_button = QPushButton("Save")
        self.save_button.setDefault(True)
        self.delete_button = QPushButton("Delete…")
        self.delete_button.setToolTip("Delete every item chosen in the list (Ctrl+click chooses several)")
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addStretch(1)
        buttons.addWidget(self.delete_button)
        buttons.addWidget(self.save_button)
        right = QVBoxLayout()
        right.addWidget(self.heading)
        right.addLayout(form)
        right.addStretch(1)
        right.addLayout(buttons)
        layout = QHBoxLayout(self)
        layout.addWidget(self.list, 2)
        layout.addLayout(right, 3)

    def chosen_ids(self) -> list[str]:
        return [str(i.data(ID_ROLE)) for i in self.list.selectedItems()]

    def show_problems(self, problems: Mapping[str, str]) -> None:
        for name, label in self.problems.items():
            text = problems.get(name, "")
            label.setText(text)
            label.setVisible(bool(text))


class ManageDialog(QDialog):
    """Browse, add, change and delete spaces, facilities and services (see the module docstring)."""

    def __init__(self, parent: QWidget | None, admin: SpaceAdmin, persons: Sequence[PersonChoice]) -> None:
        super().__init__(parent)
        self.setObjectName("manageSpacesDialog")
        self.setWindowTitle("Spaces, facilities and services")
        self.admin = admin
        self.desk = admin.desk
        self.persons = list(persons)
        self.last_result: SpaceResult | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self.banner = Banner("manageBanner", "What just happened", selectable=True)
        self.tabs = QTabWidget()
        self.space_tab = self._space_tab()
        self.facility_tab = self._item_tab("facility")
        self.service_tab = self._item_tab("service")
        self.tab_of = {"space": self.space_tab, "facility": self.facility_tab, "service": self.service_tab}
        for kind, tab in self.tab_of.items():
            self.tabs.addTab(tab, TITLES[kind])
            tab.list.currentItemChanged.connect(lambda current, _prev, k=kind: self._load(k, current))
            tab.new_button.clicked.connect(lambda _c=False, k=kind: self.new_item(k))
            tab.save_button.clicked.connect(lambda _c=False, k=kind: self._spawn(self.save(k)))
            tab.delete_button.clicked.connect(lambda _c=False, k=kind: self._spawn(self.delete_chosen(k)))
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(close)
        self.resize(860, 560)
        self.reload()

    # -- building ------------------------------------------------------------------------------------

    def _space_tab(self) -> _Tab:
        owner = QComboBox()
        owner.setEditable(True)
        owner.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for person in self.persons:
            owner.addItem(person.label, person.pin)
        completer = owner.completer()
        if completer is not None:
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        retention = QComboBox()
        for code, words in (("", "none"), ("15", "15 minutes"), ("30", "30 minutes"), ("45", "45 minutes"),
                            ("60", "60 minutes")):
            retention.addItem(words, code)
        capacity = QLineEdit()
        capacity.setPlaceholderText("people")
        return _Tab("space", [
            ("name", "Name", QLineEdit()), ("capacity", "Capacity", capacity), ("owner", "In charge", owner),
            ("devices", "Device", _checklist(90)), ("facilities", "Facilities", _checklist()),
            ("address", "Where", QLineEdit()), ("phone", "Phone", QLineEdit()),
            ("retention", "Held unused for", retention), ("remark", "Remark", QLineEdit()),
        ])

    def _item_tab(self, kind: str) -> _Tab:
        fields: list[tuple[str, str, QWidget]] = [("name", "Name", QLineEdit())]
        if kind == "facility":
            number = QLineEdit()
            number.setPlaceholderText("a number above 20")
            fields.append(("number", "Number", number))
        fields.append(("remark", "Remark", QLineEdit()))
        return _Tab(kind, fields)

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = aio.spawn(coro, owner=self, name="spaces.manage")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def busy(self) -> bool:
        return any(not t.done() for t in self._tasks)

    async def finish_writes(self) -> None:
        """Wait for a write started here (cut off, its outcome would be unknown)."""
        running = [t for t in self._tasks if not t.done()]
        if running:
            await asyncio.wait(running)

    # -- lists and forms -----------------------------------------------------------------------------

    def reload(self) -> None:
        """The three lists from the desk's directories (read after every write)."""
        rows: dict[str, list[tuple[str, str]]] = {
            "space": [(s.id, f"{s.name} ({s.capacity_words})") for s in self.desk.spaces.values()],
            "facility": [(f.id, f"{f.name} [{f.number if f.number is not None else '?'}]"
                          + (" (built in)" if f.builtin else "")) for f in self.desk.facilities.values()],
            "service": [(s.id, s.name + (" (built in)" if s.builtin else "")) for s in self.desk.services.values()],
        }
        for kind, tab in self.tab_of.items():
            keep = tab.current_id
            tab.list.blockSignals(True)
            tab.list.clear()
            for item_id, text in sorted(rows[kind], key=lambda r: r[1].casefold()):
                item = QListWidgetItem(text)
                item.setData(ID_ROLE, item_id)
                tab.list.addItem(item)
                if item_id == keep:
                    tab.list.setCurrentItem(item)
            tab.list.blockSignals(False)
            if keep and not any(i == keep for i, _t in rows[kind]):
                keep = ""
            self._fill(kind, keep)

    def _load(self, kind: str, item: QListWidgetItem | None) -> None:
        self._fill(kind, str(item.data(ID_ROLE)) if item is not None else "")

    def new_item(self, kind: str) -> None:
        tab = self.tab_of[kind]
        tab.list.clearSelection()
        tab.list.setCurrentRow(-1)
        self._fill(kind, "")
        first = tab.fields["name"]
        first.setFocus()

    def select(self, kind: str, item_id: str) -> None:
        tab = self.tab_of[kind]
        for row in range(tab.list.count()):
            if tab.list.item(row).data(ID_ROLE) == item_id:
                tab.list.setCurrentRow(row)
                return

    def _fill(self, kind: str, item_id: str) -> None:
        tab = self.tab_of[kind]
        tab.current_id = item_id
        tab.show_problems({})
        f = tab.fields
        if kind == "space":
            space = self.desk.spaces.get(item_id)
            tab.heading.setText(f"Change {space.name}" if space else "A new space")
            self._text(f["name"], space.name if space else "")
            self._text(f["capacity"], str(space.capacity) if space and space.capacity else "")
            self._text(f["address"], space.address if space else "")
            self._text(f["remark"], space.remark if space else "")
            self._text(f["phone"], "")
            owner = f["owner"]
            assert isinstance(owner, QComboBox)
            pin = space.owner_pin if space else ""
            index = owner.findData(pin)
            owner.setCurrentIndex(index)
            if index < 0:
                owner.setEditText(pin)
            devices = f["devices"]
            assert isinstance(devices, QListWidget)
            _fill_checks(devices, [(d.id, f"{d.name or d.sn} ({d.state})") for d in self.desk.devices.values()],
                         space.device_ids if space else ())
            facilities = f["facilities"]
            assert isinstance(facilities, QListWidget)
            _fill_checks(facilities, [(x.id, x.name) for x in self.desk.facilities.values()],
                         space.facility_ids if space else ())
            retention = f["retention"]
            assert isinstance(retention, QComboBox)
            code = {"15 minutes": "15", "30 minutes": "30", "45 minutes": "45", "60 minutes": "60"}.get(
                space.retention if space else "", "")
            retention.setCurrentIndex(max(0, retention.findData(code)))
            return
        known = self.desk.facilities if kind == "facility" else self.desk.services
        item = known.get(item_id)
        tab.heading.setText(f"Change {item.name}" if item else f"A new {kind}")
        self._text(f["name"], item.name if item else "")
        self._text(f["remark"], item.remark if item else "")
        if "number" in f:
            self._text(f["number"], str(item.number) if item and item.number is not None else "")
        builtin = bool(item and item.builtin)
        tab.save_button.setEnabled(not builtin)
        tab.save_button.setToolTip("Built into the server: it cannot be changed" if builtin else "")

    @staticmethod
    def _text(widget: QWidget, value: str) -> None:
        assert isinstance(widget, QLineEdit)
        widget.setText(value)

    @staticmethod
    def _read(widget: QWidget) -> str:
        assert isinstance(widget, QLineEdit)
        return widget.text()

    def space_form(self) -> SpaceForm:
        f = self.space_tab.fields
        owner = f["owner"]
        retention = f["retention"]
        devices, facilities = f["devices"], f["facilities"]
        assert isinstance(owner, QComboBox)
        assert isinstance(retention, QComboBox)
        assert isinstance(devices, QListWidget)
        assert isinstance(facilities, QListWidget)
        text = owner.currentText().strip()
        index = owner.findText(text)
        pin = str(owner.itemData(index)) if index >= 0 else text
        return SpaceForm(name=self._read(f["name"]), capacity=self._read(f["capacity"]), owner_pin=pin,
                         device_ids=_checked(devices), facility_ids=_checked(facilities),
                         address=self._read(f["address"]), remark=self._read(f["remark"]),
                         retention=str(retention.currentData() or ""), phone=self._read(f["phone"]),
                         id=self.space_tab.current_id)

    def item_form(self, kind: str) -> ItemForm:
        tab = self.tab_of[kind]
        f = tab.fields
        return ItemForm(kind, self._read(f["name"]), remark=self._read(f["remark"]),
                        number=self._read(f["number"]) if "number" in f else "", id=tab.current_id)

    # -- writes ----------------------------------------------------------------------------------------

    def show_result(self, result: SpaceResult) -> None:
        self.last_result = result
        self.banner.show_message(_KINDS.get(result.kind, "info"), result.message, seconds=0)

    async def save(self, kind: str) -> SpaceResult:
        tab = self.tab_of[kind]
        tab.save_button.setEnabled(False)  # one write at a time: never sent twice by a double click
        try:
            if kind == "space":
                result = await self.admin.save_space(self.space_form())
            else:
                result = await self.admin.save_item(self.item_form(kind))
        finally:
            tab.save_button.setEnabled(True)
        tab.show_problems(result.problems)
        self.show_result(result)
        if result.kind is Outcome.DONE:
            new_id = result.booking_id or tab.current_id
            tab.current_id = new_id
            self.reload()
            if new_id:
                self.select(kind, new_id)
        return result

    async def delete_chosen(self, kind: str, *, confirm: Callable[[str], Coroutine[Any, Any, bool]] | None = None,
                            ) -> SpaceResult | None:
        tab = self.tab_of[kind]
        ids = tab.chosen_ids() or ([tab.current_id] if tab.current_id else [])
        if not ids:
            self.banner.show_message("warn", f"Choose the {TITLES[kind].lower()} to delete in the list.")
            return None
        names = [tab.list.item(r).text() for r in range(tab.list.count()) if tab.list.item(r).data(ID_ROLE) in ids]
        text = f"Delete {len(ids)} from the server?\n\n" + "\n".join(names[:20])
        ask = confirm or self._confirm
        if not await ask(text):
            return None
        tab.delete_button.setEnabled(False)
        try:
            result = await self.admin.delete(kind, ids)
        finally:
            tab.delete_button.setEnabled(True)
        self.show_result(result)
        self.reload()
        return result

    async def _confirm(self, text: str) -> bool:
        answer = await aio.message(self, "Delete", text, icon=QMessageBox.Icon.Question,
                                   buttons=QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes
