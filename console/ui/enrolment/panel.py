"""The People panel: find people, add and edit them, take and check a face photo, import a CSV.

``EnrolmentPanel(desk, settings)`` over :class:`console.services.enrolment.EnrolmentDesk`; implements
:class:`console.ui.panel.Panel`. Left: the search (PIN, name or card; department) and the list, page by page.
Middle: the form, each field with its own message line, and the person's actions (save, resign, reinstate,
delete, QR code, check a lost answer). Right: the face photo (camera with live guidance, or a file by drag and
drop or a dialog), checked by the server before it is kept for the upload.

The photo is kept in this widget's memory only, until it is sent or discarded: never in a file, a draft or a
log. The half-filled form is saved as a draft on every change (without the photo and the personal password)
and offered again after a crash. Every write goes through the desk, once; a lost answer is settled by "Check
with the server", never by sending again. The logic is in ``async`` methods tests await directly.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent, QImage, QKeySequence, QPainter, QPen, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.api.errors import CVSecError
from console.api.models.persons import Person
from console.services.enrolment import EnrolmentDesk, EnrolResult, PendingWrite, PersonForm
from console.services.enrolment.bulk import BulkImport, BulkReport, CsvRow, read_csv, write_report_csv
from console.services.enrolment.face import Guidance, crop_portrait, detector_available, encode_jpeg_b64
from console.services.enrolment.ledger import ImportLedger
from console.services.options import EnrolmentOptions
from console.services.outcome import Outcome
from console.services.settings import Settings
from console.ui import aio, files
from console.ui.banner import Banner, BannerKind
from console.ui.events.photo import decode_photo
from console.ui.panel_tasks import PanelTasks
from console.ui.text import plain_label

from .bulk_dialog import ImportDialog
from .capture import FaceCapture
from .frames import CameraSource, CameraState, FeedSource, FrameSource, bgr_to_image, cameras, image_to_bgr
from .wedge import CardWedge

__all__ = ["MAX_IMPORT_BYTES", "EnrolmentPanel"]

log = logging.getLogger(__name__)

MAX_IMPORT_BYTES = 4 * 1024 * 1024  # a photo file taken for import (the safe image rules cap pixels too)
PRIVACY = ("The face photo is biometric data: it stays in this window's memory only (no file, no log, no draft) "
           "until it is sent to the server, which passes it to the face readers, or discarded.")
_KINDS: dict[Outcome, BannerKind] = {
    Outcome.DONE: "ok", Outcome.INVALID: "warn", Outcome.REFUSED: "alarm", Outcome.NOT_SENT: "warn",
    Outcome.UNCERTAIN: "warn", Outcome.QUEUED: "info",
}
_WRITES = frozenset({"save", "resign", "reinstate", "delete", "photo", "bulk", "settle"})
_LATEST_WINS = frozenset({"find", "open", "check", "csv", "file", "qr", "report"})  # (a new one replaces the old)
LABELS = {
    "pin": "PIN", "name": "First name", "last_name": "Last name", "gender": "Gender", "dept_code": "Department",
    "card_no": "Card number", "level_ids": "Access levels", "start": "Valid from", "end": "Valid until",
    "mobile": "Mobile", "email": "E-mail", "password": "Personal password",
}


class EnrolmentPanel(QWidget):
    def __init__(self, desk: EnrolmentDesk, settings: Settings, *, source: FrameSource | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("enrolmentPanel")
        self.setAcceptDrops(True)
        self.desk = desk
        self.settings = settings
        self.options = settings.panel(EnrolmentOptions)
        # one task per key: a write already running is not started twice (never sent twice); a newer search,
        # person or photo check replaces the one running
        self.tasks = PanelTasks(self, "enrolment", writes=_WRITES, latest_wins=_LATEST_WINS)
        self._started = False
        self.page_no = 1
        self.total: int | None = None
        self.current: Person | None = None  # the person opened (None: a new one)
        self.pending: PendingWrite | None = None  # a write whose answer was lost
        self.portrait: Any = None  # the photo taken (numpy BGR), in memory only
        self.photo_b64: str | None = None  # the photo the server accepted, to send
        self.draft_id = self.desk.drafts.new_id()
        self._loading = False
        self.bulk: BulkImport | None = None
        self._import_dialog: ImportDialog | None = None
        self.last_result: EnrolResult | None = None
        self.source: FrameSource = source or CameraSource(self.options.camera_id, self)
        self.capture = FaceCapture(self.source, auto_capture=self.options.auto_capture, parent=self)
        self.wedge = CardWedge(self)
        self._build()

    # -- building ----------------------------------------------------------------------------------------

    def _build(self) -> None:
        self.search = QLineEdit()
        self.search.setPlaceholderText("PIN, name or card number")
        self.search.setClearButtonEnabled(True)
        self.dept_filter = QComboBox()
        self.dept_filter.addItem("Any department", "")
        self.find_button = QPushButton("Find")
        self.new_button = QPushButton("New person")
        self.csv_button = QPushButton("Import CSV…")
        self.csv_button.setToolTip("Add many people at once from a CSV file (previewed and checked first)")
        bar = QHBoxLayout()
        bar.addWidget(self.search, 3)
        bar.addWidget(self.dept_filter, 2)
        bar.addWidget(self.find_button)
        bar.addStretch(1)
        bar.addWidget(self.new_button)
        bar.addWidget(self.csv_button)
        self.banner = Banner("enrolmentBanner", "What just happened", selectable=True)

        self.table = QTableWidget(0, 4)
        self.table.setObjectName("peopleList")
        self.table.setHorizontalHeaderLabels(["PIN", "Name", "Department", "Card"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.page_label = plain_label(shrink=True)
        self.prev_button = QPushButton("◀")
        self.next_button = QPushButton("▶")
        paging = QHBoxLayout()
        paging.addWidget(self.prev_button)
        paging.addWidget(self.page_label, 1)
        paging.addWidget(self.next_button)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.table, 1)
        left_layout.addLayout(paging)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(self._build_form())
        splitter.addWidget(self._build_photo())
        splitter.setSizes([470, 420, 380])
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 1)
        splitter.setStretchFactor(2, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(bar)
        layout.addWidget(self.banner)
        layout.addWidget(splitter, 1)

        self.search.returnPressed.connect(self.tasks.action("find", lambda: self.find_people()))
        self.find_button.clicked.connect(self.tasks.action("find", lambda: self.find_people()))
        self.dept_filter.currentIndexChanged.connect(self._dept_picked)
        self.prev_button.clicked.connect(lambda: self.tasks.spawn("find", self.load_page(self.page_no - 1)))
        self.next_button.clicked.connect(lambda: self.tasks.spawn("find", self.load_page(self.page_no + 1)))
        self.table.itemSelectionChanged.connect(self._row_selected)
        self.new_button.clicked.connect(self.new_person)
        self.csv_button.clicked.connect(self.tasks.action("csv", self.choose_csv))
        for keys, slot, words in (("Ctrl+N", self.new_person, "New person"),
                                  ("Ctrl+S", lambda: self.tasks.spawn("save", self.save()), "Save the person")):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.setWhatsThis(words)  # the F1 list reads it
            shortcut.activated.connect(slot)
        self.capture.guided.connect(self._guided)
        self.capture.captured.connect(self._captured)
        self.source.state_changed.connect(self._camera_state)
        self.wedge.card_read.connect(self._card_read)
        self.wedge.armed_changed.connect(self._wedge_armed)
        self._update_actions()
        for box in (self.dept_filter, self.dept_box, self.gender_box, self.camera_box):
            # the server's long department names must not widen the panel past its dock
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(10)

    def _build_form(self) -> QWidget:
        pane = QFrame()
        pane.setObjectName("enrolmentForm")
        self.title = plain_label("New person")
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.title.setFont(font)
        self.fields: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        form = QFormLayout()
        self.pin_edit = QLineEdit()
        self.pin_edit.setMaxLength(24)
        self.name_edit = QLineEdit()
        self.last_edit = QLineEdit()
        self.gender_box = QComboBox()
        for code, words in (("", "not given"), ("M", "male"), ("F", "female")):
            self.gender_box.addItem(words, code)
        self.dept_box = QComboBox()
        self.card_edit = QLineEdit()
        self.scan_button = QPushButton("Scan card")
        self.scan_button.setToolTip("Press, then present the card to the desk's USB reader")
        card_row = QHBoxLayout()
        card_row.addWidget(self.card_edit, 1)
        card_row.addWidget(self.scan_button)
        card = QWidget()
        card.setLayout(card_row)
        card_row.setContentsMargins(0, 0, 0, 0)
        self.levels_list = QListWidget()
        self.levels_list.setObjectName("accessLevels")
        self.levels_list.setMaximumHeight(110)
        self.levels_list.setStyleSheet(  # the indicators must show in both themes
            "QListView::indicator { width: 13px; height: 13px; border: 1px solid palette(mid); border-radius: 2px; }"
            "QListView::indicator:checked { background: palette(highlight); border-color: palette(highlight); }")
        self.start_edit = QLineEdit()
        self.start_edit.setPlaceholderText("2026-12-31 08:00")
        self.end_edit = QLineEdit()
        self.end_edit.setPlaceholderText("2027-12-31")
        self.mobile_edit = QLineEdit()
        self.email_edit = QLineEdit()
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setMaxLength(8)
        widgets: dict[str, QWidget] = {
            "pin": self.pin_edit, "name": self.name_edit, "last_name": self.last_edit, "gender": self.gender_box,
            "dept_code": self.dept_box, "card_no": card, "level_ids": self.levels_list, "start": self.start_edit,
            "end": self.end_edit, "mobile": self.mobile_edit, "email": self.email_edit,
            "password": self.password_edit,
        }
        for key, widget in widgets.items():
            error = plain_label()
            error.setObjectName(f"error_{key}")
            error.setStyleSheet("color: #c62828;")
            error.hide()
            box = QVBoxLayout()
            box.setSpacing(1)
            box.addWidget(widget)
            box.addWidget(error)
            form.addRow(LABELS[key], box)
            self.fields[key] = widget
            self.errors[key] = error
        for edit in (self.pin_edit, self.name_edit, self.last_edit, self.card_edit, self.start_edit, self.end_edit,
                     self.mobile_edit, self.email_edit):
            edit.textChanged.connect(self._form_changed)
        self.gender_box.currentIndexChanged.connect(self._form_changed)
        self.dept_box.currentIndexChanged.connect(self._form_changed)
        self.levels_list.itemChanged.connect(self._form_changed)
        self.scan_button.clicked.connect(self.wedge.arm)

        self.save_button = QPushButton("Save")
        self.save_button.setDefault(True)
        self.resign_button = QPushButton("Resign…")
        self.reinstate_button = QPushButton("Reinstate")
        self.delete_button = QPushButton("Delete…")
        self.qr_button = QPushButton("QR code")
        self.settle_button = QPushButton("Check with the server")
        self.settle_button.setToolTip("The last answer was lost: ask the server whether it happened")
        self.settle_button.hide()
        self.save_button.clicked.connect(self.tasks.action("save", self.save))
        self.resign_button.clicked.connect(self.tasks.action("resign", self.resign))
        self.reinstate_button.clicked.connect(self.tasks.action("reinstate", self.reinstate))
        self.delete_button.clicked.connect(self.tasks.action("delete", self.delete))
        self.qr_button.clicked.connect(self.tasks.action("qr", self.show_qr))
        self.settle_button.clicked.connect(self.tasks.action("settle", self.settle))
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.qr_button)
        buttons.addStretch(1)
        buttons2 = QHBoxLayout()
        for button in (self.resign_button, self.reinstate_button, self.delete_button):
            buttons2.addWidget(button)
        buttons2.addStretch(1)
        self.details = plain_label(selectable=True)
        self.details.setObjectName("personDetails")
        self.pin_edit.textChanged.connect(lambda _t: self._update_actions())
        layout = QVBoxLayout(pane)
        layout.addWidget(self.title)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addLayout(buttons2)
        layout.addWidget(self.settle_button)
        layout.addWidget(self.details)
        layout.addStretch(1)
        return pane

    def _build_photo(self) -> QWidget:
        pane = QFrame()
        pane.setObjectName("enrolmentPhoto")
        self.preview = QLabel()
        self.preview.setObjectName("facePreview")
        self.preview.setMinimumSize(200, 220)
        self.preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.preview.setFrameShape(QFrame.Shape.StyledPanel)
        self.preview.setText("No photo")
        self.guidance = plain_label("Start the camera, or drop a photo here")
        self.guidance.setObjectName("faceGuidance")
        gfont = self.guidance.font()
        gfont.setBold(True)
        gfont.setPointSizeF(gfont.pointSizeF() * 1.15)
        self.guidance.setFont(gfont)
        self.camera_state = plain_label("")
        self.camera_box = QComboBox()
        self.camera_box.setObjectName("cameraChoice")
        self.camera_button = QPushButton("Start camera")
        self.camera_button.setMinimumWidth(self.camera_button.sizeHint().width())
        self.capture_button = QPushButton("Capture")
        self.capture_button.setEnabled(False)
        self.auto_box = QCheckBox("Auto-capture when good")
        self.auto_box.setToolTip("Take the photo by itself once the frame has stayed good for a moment")
        self.auto_box.setChecked(self.options.auto_capture)
        self.file_button = QPushButton("From file…")
        self.file_button.setToolTip("A JPEG or PNG photo (or drop the file on the panel)")
        self.check_button = QPushButton("Check photo")
        self.check_button.setToolTip("Ask the server whether it can use this face (2.14.16)")
        self.check_button.setEnabled(False)
        self.discard_button = QPushButton("Discard photo")
        self.discard_button.setEnabled(False)
        self.upload_button = QPushButton("Send now")
        self.upload_button.setToolTip("Send the accepted photo for the person opened (Save sends it too)")
        self.upload_button.setEnabled(False)
        self.privacy = plain_label(PRIVACY)
        self.privacy.setObjectName("photoPrivacy")
        row1 = QHBoxLayout()
        row1.addWidget(self.camera_box, 1)
        row1.addWidget(self.camera_button)
        row2 = QHBoxLayout()
        row2.addWidget(self.capture_button)
        row2.addWidget(self.file_button)
        row3 = QHBoxLayout()
        row3.addWidget(self.check_button)
        row3.addWidget(self.upload_button)
        row4 = QHBoxLayout()
        row4.addStretch(1)
        row4.addWidget(self.discard_button)
        layout = QVBoxLayout(pane)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.guidance)
        layout.addWidget(self.camera_state)
        layout.addLayout(row1)
        layout.addWidget(self.auto_box)
        layout.addLayout(row2)
        layout.addLayout(row3)
        layout.addLayout(row4)
        layout.addWidget(self.privacy)
        self.camera_button.clicked.connect(self.toggle_camera)
        self.capture_button.clicked.connect(self.capture_now)
        self.auto_box.toggled.connect(self._auto_toggled)
        self.file_button.clicked.connect(self.tasks.action("file", self.choose_photo))
        self.check_button.clicked.connect(self.tasks.action("check", self.check_photo))
        self.discard_button.clicked.connect(self.discard_photo)
        self.upload_button.clicked.connect(self.tasks.action("photo", self.upload_photo))
        self.camera_box.currentIndexChanged.connect(self._camera_chosen)
        self._list_cameras()
        if not detector_available():
            self.guidance.setText("Live guidance is unavailable (OpenCV is missing): the server still checks")
        return pane

    # -- tasks -------------------------------------------------------------------------------------------

    def busy(self) -> bool:
        return self.tasks.busy()

    async def confirm(self, title: str, text: str) -> bool:
        """Yes or no from the operator (No is the default); tests replace it."""
        answer = await aio.message(self, title, text, icon=QMessageBox.Icon.Question,
                                   buttons=QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                   default=QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def _say(self, kind: BannerKind, text: str) -> None:
        self.banner.show_message(kind, text)

    # -- Panel -------------------------------------------------------------------------------------------

    async def start(self) -> None:
        self._started = True
        await self.load_lists()
        await self.load_page(1)
        drafts = self.desk.drafts.all()
        if drafts:
            draft_id, saved, form = drafts[0]
            self.draft_id = draft_id
            self.set_form(form)
            self._say("info", f"A form left half-filled ({saved}) was brought back. The photo and the personal "
                              "password are never kept: take them again.")

    async def stop(self) -> None:
        self.wedge.disarm()
        self.source.stop()
        try:  # a save or an upload on the wire finishes (cut off, its outcome would be unknown); the rest stops
            await self.tasks.stop(writes_within=2)  # (the workspace gives a panel's stop 3 s)
        finally:
            self.portrait = None  # the photo is forgotten (widgets may already be gone: none is touched here)
            self.photo_b64 = None
            self.options.auto_capture = self.capture.auto_capture
            self.settings.set_panel(self.options)

    def refresh_now(self) -> None:
        self.tasks.spawn("find", self.load_page(self.page_no))

    def focus_filter(self) -> bool:
        self.search.setFocus()
        self.search.selectAll()
        return True

    def apply_theme(self) -> None:
        self.banner.apply_theme()

    def set_operator(self, name: str) -> None:
        pass  # the desk already knows

    # -- lists and search --------------------------------------------------------------------------------

    async def load_lists(self) -> None:
        try:
            departments = await self.desk.departments(refresh=True)
            levels = await self.desk.levels(refresh=True)
        except CVSecError as exc:
            self._say("warn", f"The department and level lists could not be read: {str(exc)[:200]}")
            return
        keep = self.dept_filter.currentData()
        self._loading = True
        try:
            self.dept_filter.clear()
            self.dept_filter.addItem("Any department", "")
            self.dept_box.clear()
            self.dept_box.addItem("— pick a department —", "")
            for dept in departments:
                label = f"{dept.name} ({dept.code})" if dept.name else dept.code
                self.dept_filter.addItem(label, dept.code)
                self.dept_box.addItem(label, dept.code)
            index = self.dept_filter.findData(keep)
            self.dept_filter.setCurrentIndex(max(0, index))
            self.levels_list.clear()
            for level in levels:
                item = QListWidgetItem(level.name or level.id)
                item.setData(Qt.ItemDataRole.UserRole, level.id)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Unchecked)
                self.levels_list.addItem(item)
        finally:
            self._loading = False

    def _show_people(self, people: list[Person]) -> None:
        self.table.setRowCount(len(people))
        for row, person in enumerate(people):
            for column, value in enumerate((person.pin, person.full_name, person.dept_name or person.dept_code,
                                            person.card_no)):
                item = QTableWidgetItem(value[:120])
                item.setData(Qt.ItemDataRole.UserRole, person.pin)
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()

    async def load_page(self, page_no: int) -> None:
        """One page of the server's list (optionally of the department picked)."""
        page_no = max(1, page_no)
        try:
            people, total = await self.desk.page(page_no=page_no, page_size=self.options.page_size,
                                                 dept_code=str(self.dept_filter.currentData() or ""))
        except CVSecError as exc:
            self._say("warn", f"The list of people could not be read: {str(exc)[:200]}")
            return
        if not people and page_no > 1:
            return
        self.page_no, self.total = page_no, total
        self._show_people(people)
        pages = f" of {max(1, -(-total // self.options.page_size))}" if total is not None else ""
        self.page_label.setText(f"Page {page_no}{pages}" + (f" — {total} people" if total is not None else ""))
        self.prev_button.setEnabled(page_no > 1)
        self.next_button.setEnabled(total is None or page_no * self.options.page_size < total)

    async def find_people(self) -> None:
        text = self.search.text().strip()
        dept = str(self.dept_filter.currentData() or "")
        if not text:
            await self.load_page(1)
            return
        try:
            found = await self.desk.find(text, dept_code=dept)
        except CVSecError as exc:
            self._say("warn", f"The search could not be done: {str(exc)[:200]}")
            return
        self._show_people(found.persons)
        more = "" if found.complete else f" (the first {found.scanned} people searched)"
        self.page_label.setText(f"{len(found.persons)} found{more}")
        self.prev_button.setEnabled(False)
        self.next_button.setEnabled(False)
        if len(found.persons) == 1:
            self.table.selectRow(0)

    def _dept_picked(self, _index: int) -> None:
        if not self._loading:
            self.tasks.spawn("find", self.find_people())

    def _row_selected(self) -> None:
        items = self.table.selectedItems()
        if items:
            pin = str(items[0].data(Qt.ItemDataRole.UserRole))
            self.tasks.spawn("open", self.open_person(pin))

    async def open_person(self, pin: str) -> None:
        try:
            person = await self.desk.full_person(pin)
        except CVSecError as exc:
            self._say("warn", f"{pin} could not be read: {str(exc)[:200]}")
            return
        if person is None:
            self._say("warn", f"The server has no active person {pin} (unknown, or resigned).")
            return
        self.current = person
        self.discard_photo()
        self.set_form(PersonForm(
            pin=person.pin, name=person.name, last_name=person.last_name,
            gender=person.gender.code if person.gender.code in ("M", "F") else "", dept_code=person.dept_code,
            card_no=person.card_no, level_ids=tuple(person.acc_level_ids),
            start=f"{person.acc_start_time:%Y-%m-%d %H:%M}" if person.acc_start_time else "",
            end=f"{person.acc_end_time:%Y-%m-%d %H:%M}" if person.acc_end_time else "",
            mobile=person.mobile_phone, email=person.email))
        self.pin_edit.setReadOnly(True)
        self._update_actions()
        self.title.setText(person.full_name or person.pin)
        lines = [f"Department: {person.dept_name or person.dept_code}"]
        if person.supply_cards:
            lines.append("Other cards: " + ", ".join(person.supply_cards))
        self.details.setText("\n".join(lines))
        if person.person_photo:
            shown = decode_photo(person.person_photo)
            if shown.image is not None:
                self._show_image(shown.image, "The photo on the server")
        try:
            events = await self.desk.last_events(pin)
        except CVSecError:
            events = []
        if events:
            self.details.setText("\n".join([*lines, "Last events:", *events]))

    # -- the form ----------------------------------------------------------------------------------------

    def set_form(self, form: PersonForm) -> None:
        self._loading = True
        try:
            self.pin_edit.setText(form.pin)
            self.name_edit.setText(form.name)
            self.last_edit.setText(form.last_name)
            self.gender_box.setCurrentIndex(max(0, self.gender_box.findData(form.gender)))
            index = self.dept_box.findData(form.dept_code)
            if index < 0 and form.dept_code:
                self.dept_box.addItem(form.dept_code, form.dept_code)
                index = self.dept_box.count() - 1
            self.dept_box.setCurrentIndex(max(0, index))
            self.card_edit.setText(form.card_no)
            for i in range(self.levels_list.count()):
                item = self.levels_list.item(i)
                wanted = item.data(Qt.ItemDataRole.UserRole) in form.level_ids
                item.setCheckState(Qt.CheckState.Checked if wanted else Qt.CheckState.Unchecked)
            self.start_edit.setText(form.start)
            self.end_edit.setText(form.end)
            self.mobile_edit.setText(form.mobile)
            self.email_edit.setText(form.email)
            self.password_edit.clear()
        finally:
            self._loading = False
        self.show_problems({})

    def form(self) -> PersonForm:
        levels = tuple(str(self.levels_list.item(i).data(Qt.ItemDataRole.UserRole))
                       for i in range(self.levels_list.count())
                       if self.levels_list.item(i).checkState() == Qt.CheckState.Checked)
        return PersonForm(
            pin=self.pin_edit.text(), name=self.name_edit.text(), last_name=self.last_edit.text(),
            gender=str(self.gender_box.currentData() or ""), dept_code=str(self.dept_box.currentData() or ""),
            card_no=self.card_edit.text(), level_ids=levels, start=self.start_edit.text(), end=self.end_edit.text(),
            mobile=self.mobile_edit.text(), email=self.email_edit.text(), password=self.password_edit.text())

    def _form_changed(self, *_: object) -> None:
        if self._loading:
            return
        try:
            self.desk.drafts.save(self.draft_id, self.form())
        except OSError:
            log.exception("the draft could not be saved")

    def show_problems(self, problems: dict[str, str]) -> None:
        for key, label in self.errors.items():
            text = problems.get(key, "")
            label.setText(text)
            label.setVisible(bool(text))

    def new_person(self) -> None:
        self.current = None
        self.pending = None
        self.settle_button.hide()
        self.discard_photo()
        self.desk.drafts.delete(self.draft_id)
        self.draft_id = self.desk.drafts.new_id()
        self.set_form(PersonForm())
        self.pin_edit.setReadOnly(False)
        self._update_actions()
        self.title.setText("New person")
        self.details.clear()
        self.pin_edit.setFocus()

    def _update_actions(self) -> None:
        """Resign, delete and the QR code need a person opened; reinstate needs a PIN."""
        opened = self.current is not None
        for button in (self.resign_button, self.delete_button, self.qr_button):
            button.setEnabled(opened)
        self.reinstate_button.setEnabled(bool(self.pin_edit.text().strip()))

    def _report(self, result: EnrolResult) -> None:
        self.last_result = result
        self.show_problems(dict(result.problems))
        self._say(_KINDS.get(result.kind, "info"), result.message)
        self.pending = result.pending if result.kind is Outcome.UNCERTAIN else None
        self.settle_button.setVisible(self.pending is not None)

    async def save(self) -> EnrolResult:
        if self.pending is not None:
            result = EnrolResult(Outcome.UNCERTAIN, "The last answer was lost: press \"Check with the server\" "
                                 "before sending anything again.", pending=self.pending)
            self._report(result)
            return result
        new = self.current is None
        result = await self.desk.save(self.form(), photo_b64=self.photo_b64, new=new)
        self._report(result)
        if result.ok:
            self.desk.drafts.delete(self.draft_id)
            self.draft_id = self.desk.drafts.new_id()
            if self.photo_b64 is not None:
                self.discard_photo(keep_preview=True)
                self.guidance.setText("The photo was sent with the person.")
            await self.open_person(self.form().pin)
            await self.load_page(self.page_no)
        return result

    async def resign(self) -> None:
        if self.current is None:
            return
        pin = self.current.pin
        if not await self.confirm("Resign", f"Resign {self.current.full_name or pin} ({pin})? Their cards "
                                 "and face stop opening doors today."):
            return
        self._report(await self.desk.resign(pin))

    async def reinstate(self) -> None:
        pin = self.pin_edit.text().strip()
        if pin:
            self._report(await self.desk.reinstate(pin))

    async def delete(self) -> None:
        if self.current is None:
            return
        pin = self.current.pin
        if not await self.confirm("Delete", f"Delete {self.current.full_name or pin} ({pin}) with their "
                                 "cards and biometric templates? This cannot be undone."):
            return
        result = await self.desk.delete(pin)
        self._report(result)
        if result.ok:
            self.new_person()
            await self.load_page(self.page_no)

    async def settle(self) -> None:
        if self.pending is not None:
            self._report(await self.desk.settle(self.pending))

    async def show_qr(self) -> None:
        if self.current is None:
            return
        try:
            payload = await self.desk.qr(self.current.pin)
        except CVSecError as exc:
            self._say("warn", f"The QR code could not be read: {str(exc)[:200]}")
            return
        import segno

        buffer = segno.make(payload, error="m").png_data_uri(scale=6)
        image = QImage.fromData(base64.b64decode(buffer.split(",", 1)[1]))
        self._show_image(image, "The person's QR code (it changes every few minutes)")

    # -- card scanning -------------------------------------------------------------------------------------

    def _card_read(self, number: str) -> None:
        self.card_edit.setText(number)
        self._say("ok", "Card read.")

    def _wedge_armed(self, armed: bool) -> None:
        self.scan_button.setText("Present the card… (Esc)" if armed else "Scan card")

    # -- the photo -----------------------------------------------------------------------------------------

    def _list_cameras(self) -> None:
        self.camera_box.blockSignals(True)
        self.camera_box.clear()
        if isinstance(self.source, FeedSource):
            self.camera_box.addItem("Test frames", "")
        else:
            for cam in cameras():
                self.camera_box.addItem(cam.description[:80], cam.id)
            if self.camera_box.count() == 0:
                self.camera_box.addItem("No camera", "")
                self.camera_state.setText(CameraState.NO_CAMERA.value)
        index = self.camera_box.findData(self.options.camera_id)
        self.camera_box.setCurrentIndex(max(0, index))
        self.camera_box.blockSignals(False)

    def _camera_chosen(self, _index: int) -> None:
        ident = str(self.camera_box.currentData() or "")
        self.options.camera_id = ident
        self.settings.set_panel(self.options)
        if isinstance(self.source, CameraSource):
            self.source.camera_id = ident
            if self.source.state is CameraState.RUNNING:
                self.source.start()

    def use_source(self, source: FrameSource) -> None:
        """Take frames from ``source`` from now on (the screenshot tool's fed frames, another camera)."""
        self.source.stop()
        self.source.state_changed.disconnect(self._camera_state)
        self.source = source
        source.state_changed.connect(self._camera_state)
        self.capture.set_source(source)
        self._list_cameras()

    def toggle_camera(self) -> None:
        if self.source.state is CameraState.RUNNING:
            self.source.stop()
        else:
            self.capture.reset()
            self.source.start()

    def _camera_state(self, state: CameraState, words: str) -> None:
        self.camera_state.setText(words)
        running = state is CameraState.RUNNING
        self.camera_button.setText("Stop camera" if running else "Start camera")
        if not running:
            self.capture_button.setEnabled(False)

    def _auto_toggled(self, on: bool) -> None:
        self.capture.auto_capture = on

    def _guided(self, frame: Any, guidance: Guidance) -> None:
        if self.source.state is not CameraState.RUNNING:  # a frame judged after the camera stopped (the photo was
            return  # taken, or the camera closed): it must not cover the photo nor its server check's words
        image = bgr_to_image(frame)
        if guidance.boxes:
            painter = QPainter(image)
            pen = QPen(QColor("#2e7d32") if guidance.good else QColor("#f9a825"))
            pen.setWidth(max(2, image.width() // 160))
            painter.setPen(pen)
            for x, y, w, h in guidance.boxes:
                painter.drawRect(QRect(QPoint(x, y), QPoint(x + w, y + h)))
            painter.end()
        self._show_image(image, "")
        self.guidance.setText(guidance.words)
        self.capture_button.setEnabled(guidance.good)

    def capture_now(self) -> None:
        self.capture.capture()

    def _captured(self, portrait: Any) -> None:
        self.source.stop()
        self.set_portrait(portrait, "Photo taken: checking it with the server…")
        self.tasks.spawn("check", self.check_photo())

    def set_portrait(self, portrait: Any, words: str) -> None:
        self.portrait = portrait
        self.photo_b64 = None
        self.check_button.setEnabled(True)
        self.discard_button.setEnabled(True)
        self.upload_button.setEnabled(False)
        self._show_image(bgr_to_image(portrait), "")
        self.guidance.setText(words)

    def _show_image(self, image: QImage, words: str) -> None:
        pixmap = QPixmap.fromImage(image).scaled(self.preview.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                                 Qt.TransformationMode.SmoothTransformation)
        self.preview.setPixmap(pixmap)
        if words:
            self.guidance.setText(words)

    def discard_photo(self, *, keep_preview: bool = False) -> None:
        """Forget the photo (memory only: nothing else to delete)."""
        self.portrait = None
        self.photo_b64 = None
        self.check_button.setEnabled(False)
        self.discard_button.setEnabled(False)
        self.upload_button.setEnabled(False)
        if not keep_preview:
            self.preview.clear()
            self.preview.setText("No photo")

    async def check_photo(self) -> None:
        """Ask the server whether it can use the photo; keep it either way for another try."""
        if self.portrait is None:
            return
        b64 = encode_jpeg_b64(self.portrait)
        verdict = await self.desk.check_face(b64)
        self.guidance.setText(verdict.guidance)
        if verdict.ok:
            self.photo_b64 = b64
            self.upload_button.setEnabled(self.current is not None)
            self.guidance.setText("The server can use this face. Save sends it" +
                                  (", or send it now." if self.current is not None else " with the new person."))
            self._say("ok", "The server accepted the face photo.")
        else:
            self._say("warn" if verdict.kind is not Outcome.REFUSED else "alarm", verdict.guidance)

    async def upload_photo(self) -> None:
        if self.current is None or self.photo_b64 is None:
            return
        result = await self.desk.upload_photo(self.current.pin, self.photo_b64)
        self._report(result)
        if result.ok:
            self.discard_photo(keep_preview=True)

    def import_photo(self, raw: bytes) -> str:
        """A photo file's bytes, read by the safe image rules, cropped to the face when one is found; "" when
        taken, else why not."""
        if len(raw) > MAX_IMPORT_BYTES:
            return f"The file is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB: use a smaller photo."
        result = decode_photo(base64.b64encode(raw).decode("ascii"), max_bytes=MAX_IMPORT_BYTES)
        if result.image is None:
            return result.reason
        frame = image_to_bgr(result.image)
        faces = self.capture.guide.faces(frame) if self.capture.guide.available else ()
        if len(faces) > 1:
            return "Several faces in this photo: use a photo of one person."
        portrait = crop_portrait(frame, faces[0]) if len(faces) == 1 else frame
        self.source.stop()
        self.set_portrait(portrait, "Photo from the file: checking it with the server…")
        self.tasks.spawn("check", self.check_photo())
        return ""

    def _import_file(self, path: Path) -> None:
        try:
            with path.open("rb") as handle:
                raw = handle.read(MAX_IMPORT_BYTES + 1)
        except OSError as exc:
            self._say("warn", f"The file could not be read: {exc.strerror or exc}")
            return
        reason = self.import_photo(raw)
        if reason:
            self._say("warn", reason)

    async def choose_photo(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "A face photo", "", "Photos (*.jpg *.jpeg *.png)")
        if path:
            self._import_file(Path(path))

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        urls = event.mimeData().urls()
        if len(urls) == 1 and urls[0].isLocalFile():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        urls = event.mimeData().urls()
        if len(urls) == 1 and urls[0].isLocalFile():
            event.acceptProposedAction()
            self._import_file(Path(urls[0].toLocalFile()))

    # -- bulk import ---------------------------------------------------------------------------------------

    async def choose_csv(self) -> None:
        chooser = QFileDialog(self, "People to import", "", "CSV files (*.csv *.txt)")
        chooser.setFileMode(QFileDialog.FileMode.ExistingFile)
        try:
            if await aio.dialog_result(chooser) != QFileDialog.DialogCode.Accepted or not chooser.selectedFiles():
                return
            path = Path(chooser.selectedFiles()[0])
        finally:
            chooser.deleteLater()
        try:
            text = await asyncio.to_thread(path.read_text, encoding="utf-8-sig", errors="replace")
        except OSError as exc:
            self._say("warn", f"The file could not be read: {exc.strerror or exc}")
            return
        self.preview_csv(text, source=str(path))

    def preview_csv(self, text: str, *, source: str = "") -> list[CsvRow]:
        """Check every row of a CSV and show them in the import dialog (nothing is sent yet)."""
        try:
            departments = {str(self.dept_box.itemData(i)) for i in range(1, self.dept_box.count())}
            rows = read_csv(text, departments=departments or None)
        except ValueError as exc:
            self._say("warn", f"This file cannot be imported: {exc}")
            return []
        ledger = ImportLedger.for_text(self.desk.imports_dir, text)
        self.bulk = BulkImport(self.desk, rows, ledger=ledger)
        summary = self.csv_summary(rows)
        earlier = self.bulk.earlier()
        if any(earlier.values()):  # this very file was imported before (the ledger on disk says how far)
            bad = sum(1 for r in rows if r.state == "invalid")
            left = sum(1 for r in rows if r.state == "ready")
            since = f" ({ledger.started})" if ledger.started else ""
            first = (f"{len(rows)} people in the file, {bad} with errors. Imported before{since}: "
                     f"{earlier['done']} accepted, {earlier['refused']} refused, {earlier['uncertain']} whose "
                     f"answer was lost (read back from the server before anything is sent); {left} left to send.")
            if ledger.damaged:
                first = (f"{len(rows)} people in the file, {bad} with errors. The record of an earlier import of "
                         "this file was damaged: every row is read back from the server before anything is sent.")
            summary = "\n".join([first, *summary.splitlines()[1:]])
        self._say("info", summary)
        dialog = self.import_dialog()
        dialog.show_rows(self.bulk.rows, source=source, summary=summary.splitlines()[0])
        dialog.show()
        dialog.raise_()
        return rows

    def import_dialog(self) -> ImportDialog:
        """The import dialog of this panel (made on first use; one at a time)."""
        if self._import_dialog is None:
            self._import_dialog = ImportDialog(self)
            self._import_dialog.import_requested.connect(self.tasks.action("bulk", self.run_bulk))
            self._import_dialog.save_requested.connect(self.tasks.action("report", self.save_import_report))
        return self._import_dialog

    async def save_import_report(self) -> None:
        """The import's rows and what became of each, saved as CSV where the operator says."""
        if self.bulk is None:
            return
        dialog = self.import_dialog()
        rows = self.bulk.rows
        path = await files.ask_save_path(dialog, "Save the import report", "import-report.csv", "CSV (*.csv)")
        files.write_and_tell(dialog.banner, path, lambda target: write_report_csv(rows, target))

    @staticmethod
    def csv_summary(rows: list[CsvRow]) -> str:
        bad = [r for r in rows if r.state == "invalid"]
        lines = [f"{len(rows)} people in the file, {len(rows) - len(bad)} ready, {len(bad)} with errors."]
        lines += [f"line {r.line}: {r.reason}" for r in bad[:8]]
        if len(bad) > 8:
            lines.append(f"… and {len(bad) - 8} more")
        return "\n".join(lines)

    async def run_bulk(self) -> BulkReport | None:
        if self.bulk is None:
            return None
        dialog = self.import_dialog()
        if dialog.model.rows is not self.bulk.rows:
            dialog.show_rows(self.bulk.rows)
        dialog.started()
        try:
            report = await self.bulk.run(progress=dialog.rows_changed)
        except BaseException:
            dialog.running = False
            dialog.rows_changed()
            raise
        dialog.show_report(report)
        refused = [r for r in self.bulk.rows if r.state == "refused"]
        lines = [report.message] + [f"line {r.line} ({r.pin}): {r.reason}" for r in refused[:8]]
        self._say(_KINDS.get(report.kind, "info") if not refused else "warn", "\n".join(lines))
        await self.load_page(self.page_no)
        return report
