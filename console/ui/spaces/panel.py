"""The spaces panel: the day's (or week's) bookings of every room, booked, moved, cancelled and finished here.

``SpacesPanel(desk, settings, profile=...)`` over :class:`console.services.spaces.SpaceDesk`; implements
:class:`console.ui.panel.Panel`. Across the top, in a bar that wraps when the column is narrow
(:class:`~console.ui.flow.FlowLayout`): day/week, previous/today/next, filters (space, facility, host), *Book…*
and *More*: *Day sheet (PDF)…* and, for operators whose connection profile is in
``SpacesOptions.manage_profiles``, *Manage spaces…* (:class:`~.manage.ManageDialog`); a banner says what just
happened; below, the timeline (:class:`~.view.TimelineView`) and a details pane (the space's capacity,
facilities and device state, the booking's host, status, participants and visitors, and its actions).

Cancel, Finish and Delete act on every marked booking at once (Ctrl+click or Space on the timeline): one
request, and the banner says exactly which succeeded (the desk reads each booking again when the server
answers only its counts). The now-line follows the desk's clock: in demo mode the simulator's, which the
Training menu moves on; statuses always come from the server.

Every write goes through the desk (checked, sent once, audited) and its :class:`SpaceResult` is shown in the
banner in words. Moving a block is confirmed first. The logic is in ``async`` methods tests await directly.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Coroutine
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QListView,
    QMenu,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from console.api.errors import CVSecError
from console.api.models.spaces import ReservationStatus
from console.services.options import SpacesOptions
from console.services.outcome import Outcome
from console.services.settings import Settings
from console.services.spaces import Booking, BookingRequest, SpaceAdmin, SpaceDesk, SpaceResult
from console.ui import aio
from console.ui.banner import Banner, BannerKind
from console.ui.files import ask_save_path, write_and_tell
from console.ui.flow import FlowLayout, flow_group, shrinkable_combo
from console.ui.panel_tasks import PanelTasks
from console.ui.text import plain_label

from .dialogs import BookingDialog
from .manage import ManageDialog
from .model import Filters, TimelineModel
from .sheet import export_day_sheet
from .view import STATUS_SYMBOLS, TimelineView

__all__ = ["SpacesPanel"]


log = logging.getLogger(__name__)

_KINDS: dict[Outcome, BannerKind] = {
    Outcome.DONE: "ok", Outcome.INVALID: "warn", Outcome.REFUSED: "alarm", Outcome.NOT_SENT: "warn",
    Outcome.UNCERTAIN: "warn", Outcome.QUEUED: "info",
}
_WRITES = frozenset({"book", "move", "cancel", "finish", "delete"})
_VERBS = {"cancel": ("Cancel", "cancel"), "finish": ("Finish now", "end now"), "delete": ("Delete", "delete")}
DAY_SCALE = (3.0, 15)  # px per minute, drag snap in minutes
WEEK_SCALE = (0.2, 60)


class SpacesPanel(QWidget):
    def __init__(self, desk: SpaceDesk, settings: Settings, *, profile: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("spacesPanel")
        self.desk = desk
        self.settings = settings
        self.options = settings.panel(SpacesOptions)
        self.profile = profile
        # one task per key: a write (or a dialog) already running is not started twice; a newer participants
        # list replaces the one being read
        self.tasks = PanelTasks(self, "spaces", writes=_WRITES, latest_wins=("participants",))
        self._disconnects: list[Callable[[], None]] = []
        self._started = False
        self.last_result: SpaceResult | None = None
        self.dialog: BookingDialog | None = None  # the booking form while it is open
        self.manage_dialog: ManageDialog | None = None  # the spaces/facilities/services dialog while open
        self.admin = SpaceAdmin(desk)
        self._build()

    # -- building ----------------------------------------------------------------------------------------

    def _build(self) -> None:
        self.day_button = QPushButton("Day")
        self.week_button = QPushButton("Week")
        group = QButtonGroup(self)
        for button in (self.day_button, self.week_button):
            button.setCheckable(True)
            group.addButton(button)
        self.day_button.setChecked(self.options.view != "week")
        self.week_button.setChecked(self.options.view == "week")
        self.prev_button = QPushButton("◀")
        self.prev_button.setToolTip("The previous day (week)")
        self.today_button = QPushButton("Today")
        self.next_button = QPushButton("▶")
        self.next_button.setToolTip("The next day (week)")
        self.space_filter = QLineEdit()
        self.space_filter.setPlaceholderText("Filter spaces")
        self.space_filter.setClearButtonEnabled(True)
        self.facility_filter = QComboBox()
        self.facility_filter.addItem("Any facility", "")
        self.host_filter = QLineEdit()
        self.host_filter.setPlaceholderText("Host name or number")
        self.host_filter.setClearButtonEnabled(True)
        self.book_button = QPushButton("Book…")
        self.book_button.setToolTip("Book a space (N in the timeline; or drag across a free stretch)")
        # the day's sheet and managing the spaces are not needed every hour: under "More", so the bar fits a
        # 1280 px screen next to the alarm column (and wraps, rather than overflow, when narrower still)
        self.sheet_action = QAction("Day sheet (PDF)…", self)
        self.sheet_action.setToolTip("The day's bookings on a printable sheet for the front desk")
        self.manage_action = QAction("Manage spaces…", self)
        self.manage_action.setObjectName("manageSpaces")
        self.manage_action.setToolTip("Add, change or delete spaces, facilities and services")
        self.manage_action.setVisible(self.may_manage)
        self.more_menu = QMenu(self)
        self.more_menu.setToolTipsVisible(True)
        self.more_menu.addAction(self.sheet_action)
        self.more_menu.addAction(self.manage_action)
        self.more_button = QToolButton()
        self.more_button.setObjectName("spacesMore")
        self.more_button.setText("More")
        self.more_button.setToolTip("The day's sheet (PDF)" + (", managing the spaces" if self.may_manage else ""))
        self.more_button.setMenu(self.more_menu)
        self.more_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        for edit in (self.space_filter, self.host_filter):
            edit.setMinimumWidth(110)
            edit.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        shrinkable_combo(self.facility_filter, 12)
        self.toolbar = QWidget()
        self.toolbar.setObjectName("spacesBar")
        bar = FlowLayout(self.toolbar, spacing=6, row_spacing=4)
        bar.addWidget(flow_group(self.day_button, self.week_button))
        bar.addWidget(flow_group(self.prev_button, self.today_button, self.next_button))
        bar.addWidget(flow_group(self.book_button, self.more_button))
        # the filters wrap as one: a row of their own on a 1280 px screen, after the actions on a wide one
        bar.addWidget(flow_group(self.space_filter, self.facility_filter, self.host_filter, spacing=6))

        self.banner = Banner("spacesBanner", "What just happened", selectable=True)
        self.model = TimelineModel(self.desk, slot_minutes=self.options.slot_minutes)
        self.view = TimelineView(self.model, clock=lambda: self.desk.clock())  # the desk may change clocks
        self.details = self._build_details()
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.view)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 0)
        splitter.setSizes([900, 300])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.toolbar)
        layout.addWidget(self.banner)
        layout.addWidget(splitter, 1)

        self.day_button.clicked.connect(lambda: self.set_view("day"))
        self.week_button.clicked.connect(lambda: self.set_view("week"))
        self.prev_button.clicked.connect(lambda: self.step(-1))
        self.next_button.clicked.connect(lambda: self.step(1))
        self.today_button.clicked.connect(self.today)
        self.space_filter.textChanged.connect(lambda _t: self._apply_filters())
        self.host_filter.textChanged.connect(lambda _t: self._apply_filters())
        self.facility_filter.currentIndexChanged.connect(lambda _i: self._apply_filters())
        self.book_button.clicked.connect(self._book_clicked)
        self.sheet_action.triggered.connect(self.tasks.action("sheet", self.save_sheet))
        self.manage_action.triggered.connect(self.tasks.action("manage", self.open_manage))
        self.view.book_requested.connect(
            lambda space, start, end: self.tasks.spawn("book", self.open_booking_form(space, start, end)))
        self.view.move_requested.connect(
            lambda bid, start, end, space: self.tasks.spawn("move", self.confirm_move(bid, start, end, space)))
        self.view.open_requested.connect(lambda bid: self.tasks.spawn("open", self.edit_booking(bid)))
        self.view.selection_changed.connect(self._selection_changed)
        self._disconnects.append(self.desk.changed.connect(self._desk_changed))
        self._disconnects.append(self.desk.reminder.connect(self._reminder))
        self._apply_scale()

    def _build_details(self) -> QWidget:
        pane = QFrame()
        pane.setObjectName("spacesDetails")
        pane.setMinimumWidth(260)
        self.space_title = plain_label(selectable=True)
        self.space_title.setObjectName("spaceTitle")
        font = self.space_title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.space_title.setFont(font)
        self.space_info = plain_label(selectable=True)
        self.booking_title = plain_label(selectable=True)
        self.booking_title.setFont(font)
        self.booking_info = plain_label(selectable=True)
        self.participants_model = QStandardItemModel(self)
        self.participants = QListView()
        self.participants.setModel(self.participants_model)
        self.participants.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        self.participants.setObjectName("bookingParticipants")
        self.participants.setMaximumHeight(160)
        self.edit_button = QPushButton("Open / change…")
        self.cancel_button = QPushButton("Cancel booking")
        self.finish_button = QPushButton("Finish now")
        self.delete_button = QPushButton("Delete")
        self.edit_button.clicked.connect(lambda: self._with_selected("open", self.edit_booking))
        self.cancel_button.clicked.connect(lambda: self._act_on_selected("cancel"))
        self.finish_button.clicked.connect(lambda: self._act_on_selected("finish"))
        self.delete_button.clicked.connect(lambda: self._act_on_selected("delete"))
        layout = QVBoxLayout(pane)
        layout.addWidget(self.space_title)
        layout.addWidget(self.space_info)
        layout.addSpacing(10)
        layout.addWidget(self.booking_title)
        layout.addWidget(self.booking_info)
        layout.addWidget(self.participants)
        buttons = QHBoxLayout()
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.cancel_button)
        layout.addLayout(buttons)
        buttons2 = QHBoxLayout()
        buttons2.addWidget(self.finish_button)
        buttons2.addWidget(self.delete_button)
        layout.addLayout(buttons2)
        layout.addStretch(1)
        return pane

    # -- tasks -------------------------------------------------------------------------------------------

    def busy(self) -> bool:
        return self.tasks.busy()

    @property
    def may_manage(self) -> bool:
        """Whether this connection's operators add, change and delete spaces (``manage_profiles``)."""
        return bool(self.profile) and self.profile in self.options.manage_profiles

    def _with_selected(self, key: str, method: Callable[[str], Coroutine[Any, Any, Any]]) -> None:
        booking = self.view.selected_booking()
        if booking is not None:
            self.tasks.spawn(key, method(booking.id))

    def _act_on_selected(self, kind: str) -> None:
        ids = self.view.selected_ids()
        if ids:
            self.tasks.spawn(kind, self.act(kind, ids))

    def _book_clicked(self) -> None:
        space = self.model.space_at(self.view.cursor_row)
        start = self._default_start()
        self.tasks.spawn("book", self.open_booking_form(space.id if space else "", start, start + timedelta(hours=1)))

    def _default_start(self) -> datetime:
        now = self.desk.clock()
        slot = self.model.slot_start(self.view.cursor_column)
        if slot >= now:
            return slot
        minutes = (now.minute // 30 + 1) * 30
        return now.replace(minute=0, second=0, microsecond=0) + timedelta(minutes=minutes)

    # -- the window ----------------------------------------------------------------------------------------

    def set_view(self, view: str) -> None:
        self.options.view = "week" if view == "week" else "day"
        self.day_button.setChecked(self.options.view == "day")
        self.week_button.setChecked(self.options.view == "week")
        start = self.desk.window_start
        if self.options.view == "week":
            start = start - timedelta(days=start.weekday())
        self._apply_scale()
        self.desk.set_window(start, 7 if self.options.view == "week" else 1)

    def _apply_scale(self) -> None:
        week = self.options.view == "week"
        px, snap = WEEK_SCALE if week else DAY_SCALE
        self.model.slot = timedelta(minutes=60 if week else self.options.slot_minutes)
        self.view.set_scale(px, snap)
        self.model.reload()

    def show_day(self, day: date) -> None:
        if self.options.view == "week":
            day = day - timedelta(days=day.weekday())
        self.desk.set_window(day, 7 if self.options.view == "week" else 1)

    def step(self, direction: int) -> None:
        days = 7 if self.options.view == "week" else 1
        self.show_day((self.desk.window_start + timedelta(days=direction * days)).date())

    def today(self) -> None:
        self.show_day(self.desk.clock().date())
        self.view.scroll_to(max(self.desk.window_start, self.desk.clock() - timedelta(hours=1)))

    def _apply_filters(self) -> None:
        self.model.set_filters(Filters(self.space_filter.text(), str(self.facility_filter.currentData() or ""),
                                       self.host_filter.text()))

    def _desk_changed(self, what: str) -> None:
        if what == "spaces":
            current = self.facility_filter.currentData()
            self.facility_filter.blockSignals(True)
            self.facility_filter.clear()
            self.facility_filter.addItem("Any facility", "")
            for facility in sorted(self.desk.facilities.values(), key=lambda f: f.name.casefold()):
                self.facility_filter.addItem(facility.name, facility.id)
            self.facility_filter.setCurrentIndex(max(0, self.facility_filter.findData(current)))
            self.facility_filter.blockSignals(False)
        if self.manage_dialog is not None and what == "spaces":
            self.manage_dialog.reload()
        self.model.reload()
        self._selection_changed()

    def _reminder(self, booking: Booking) -> None:
        minutes = max(0, int((booking.start - self.desk.clock()).total_seconds() // 60))
        self.banner.show_message("info", f"In {minutes} minutes: {booking.subject} in "
                                         f"{booking.space_name or self.desk.space_name(booking.space_id)} "
                                         f"({booking.start:%H:%M}), host {booking.host_label}", seconds=0)

    # -- details ---------------------------------------------------------------------------------------------

    def _selection_changed(self) -> None:
        space = self.model.space_at(self.view.cursor_row)
        if space is None:
            self.space_title.setText("No space")
            self.space_info.setText("")
        else:
            facilities = ", ".join(self.desk.facilities[f].name for f in space.facility_ids
                                   if f in self.desk.facilities) or "none listed"
            devices = [self.desk.devices[d] for d in space.device_ids if d in self.desk.devices]
            device_text = "; ".join(f"{d.name or d.sn}: {d.state}" for d in devices) or "no device installed"
            lines = [f"Capacity: {space.capacity_words}", f"Facilities: {facilities}", f"Device: {device_text}",
                     f"Now: {space.status.words}"]
            if space.address:
                lines.append(f"Where: {space.address}")
            self.space_title.setText(space.name)
            self.space_info.setText("\n".join(lines))
        chosen = self.view.selected_bookings()
        if len(chosen) > 1:
            self._show_several(chosen)
            return
        self.participants.show()
        self.cancel_button.setText("Cancel booking")
        self.finish_button.setText("Finish now")
        self.delete_button.setText("Delete")
        booking = self.view.selected_booking()
        for button in (self.edit_button, self.cancel_button, self.finish_button, self.delete_button):
            button.setEnabled(booking is not None)
        if booking is None:
            self.booking_title.setText("")
            self.booking_info.setText("Select a booking, or drag across a free stretch to book one.")
            self.participants_model.clear()
            return
        self.booking_title.setText(booking.subject)
        self.booking_info.setText(
            f"{booking.start:%a %d %b %H:%M}-{booking.end:%H:%M}\n"
            f"{STATUS_SYMBOLS.get(booking.status, '?')} {booking.status_words}\nHost: {booking.host_label}\n"
            f"{booking.people_words}" + (f"\n{booking.content}" if booking.content else "")
            + "\n(Ctrl+click or Space marks several bookings to act on together)")
        self.edit_button.setEnabled(booking.status is ReservationStatus.PENDING)
        self.cancel_button.setEnabled(booking.status in (ReservationStatus.PENDING, ReservationStatus.IN_PROGRESS))
        self.finish_button.setEnabled(booking.status is ReservationStatus.IN_PROGRESS)
        self.tasks.spawn("participants", self.load_participants(booking.id))

    def _show_several(self, chosen: list[Booking]) -> None:
        self.booking_title.setText(f"{len(chosen)} bookings marked")
        lines = [f"{STATUS_SYMBOLS.get(b.status, '?')} {b.start:%H:%M} {b.subject} "
                 f"({b.space_name or self.desk.space_name(b.space_id)}, {b.status_words})" for b in chosen[:12]]
        if len(chosen) > 12:
            lines.append(f"… and {len(chosen) - 12} more")
        self.booking_info.setText("\n".join(lines) + "\n(Escape clears the marks)")
        self.participants_model.clear()
        self.participants.hide()
        self.edit_button.setEnabled(False)
        cancellable = sum(1 for b in chosen if b.status in (ReservationStatus.PENDING, ReservationStatus.IN_PROGRESS))
        finishable = sum(1 for b in chosen if b.status is ReservationStatus.IN_PROGRESS)
        self.cancel_button.setText(f"Cancel {cancellable}")
        self.finish_button.setText(f"Finish {finishable} now")
        self.delete_button.setText(f"Delete {len(chosen)}")
        self.cancel_button.setEnabled(cancellable > 0)
        self.finish_button.setEnabled(finishable > 0)
        self.delete_button.setEnabled(True)

    async def load_participants(self, booking_id: str) -> None:
        try:
            people = await self.desk.participants(booking_id)
        except CVSecError as exc:
            self.participants_model.clear()
            self.participants_model.appendRow(QStandardItem(f"Participants could not be read: {exc}"))
            return
        if self.view.selected_id != booking_id:
            return
        self.participants_model.clear()
        for person in people:
            self.participants_model.appendRow(QStandardItem(person.label))
        booking = self.desk.bookings.get(booking_id)
        for name in booking.visitors if booking is not None else ():
            self.participants_model.appendRow(QStandardItem(f"visitor: {name}"))

    # -- writes ----------------------------------------------------------------------------------------------

    def show_result(self, result: SpaceResult) -> None:
        self.last_result = result
        self.banner.show_message(_KINDS.get(result.kind, "info"), result.message, seconds=0)

    async def open_booking_form(self, space_id: str, start: datetime, end: datetime) -> SpaceResult | None:
        """The booking form, filled with ``space_id`` and the times; sent when the desk's checks pass."""
        host = ""
        initial = BookingRequest(space_id=space_id, subject="", start=start, end=end, host_pin=host,
                                 participant_ids=())
        return await self._form(initial)

    async def edit_booking(self, booking_id: str) -> SpaceResult | None:
        """Open a booking: its whole record in the form (a booking to be started can be changed)."""
        self.view.select(booking_id)
        try:
            request = await self.desk.for_edit(booking_id)
        except CVSecError as exc:
            self.banner.show_message("warn", f"The booking could not be read: {exc}")
            return None
        if request is None:
            self.banner.show_message("warn", "This booking has no readable times.")
            return None
        return await self._form(request)

    async def _form(self, initial: BookingRequest) -> SpaceResult | None:
        try:
            persons = await self.desk.persons()
        except CVSecError as exc:
            self.banner.show_message("warn", f"The persons could not be read ({exc}); type the host's number.")
            persons = []
        dialog = BookingDialog(self, spaces=list(self.desk.spaces.values()), persons=persons,
                               services=list(self.desk.services.values()), initial=initial,
                               visitors=self.desk.desk_visitors())
        self.dialog = dialog
        try:
            while True:
                if await aio.dialog_result(dialog) != BookingDialog.DialogCode.Accepted:
                    return None
                result = await self.desk.book(dialog.request())
                if result.kind in (Outcome.INVALID, Outcome.REFUSED) and result.problems:
                    dialog.show_problems(result.problems, result.message)
                    self.show_result(result)
                    continue
                self.show_result(result)
                if result.booking_id:
                    self.model.reload()
                    self.view.select(result.booking_id)
                return result
        finally:
            self.dialog = None
            dialog.deleteLater()

    async def confirm_move(self, booking_id: str, start: datetime, end: datetime, space_id: str) -> SpaceResult | None:
        """A block was dragged: ask, then change the booking (sent once)."""
        booking = self.desk.bookings.get(booking_id)
        if booking is None:
            return None
        where = self.desk.space_name(space_id or booking.space_id)
        moved_space = bool(space_id) and space_id != booking.space_id
        text = (f"Move “{booking.subject}” from {booking.start:%H:%M}-{booking.end:%H:%M} to "
                f"{start:%H:%M}-{end:%H:%M}" + (f" in {where}" if moved_space else "") + "?")
        answer = await aio.message(self, "Move the booking", text, icon=QMessageBox.Icon.Question,
                                   buttons=QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                   default=QMessageBox.StandardButton.Yes)
        if answer != QMessageBox.StandardButton.Yes:
            self.model.reload()
            return None
        result = await self.desk.move(booking_id, start, end, space_id if moved_space else "")
        self.show_result(result)
        self.view.select(booking_id)
        return result

    async def _confirmed(self, title: str, text: str) -> bool:
        answer = await aio.message(self, title, text, icon=QMessageBox.Icon.Question,
                                   buttons=QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    async def act(self, kind: str, ids: list[str]) -> SpaceResult | None:
        """Cancel, finish or delete every booking in ``ids`` in one request, after a confirmation; the banner
        says exactly which succeeded."""
        if len(ids) == 1:
            single = {"cancel": self.cancel_booking, "finish": self.finish_booking, "delete": self.delete_booking}
            return await single[kind](ids[0])
        chosen = [self.desk.bookings[i] for i in ids if i in self.desk.bookings]
        if not chosen:
            return None
        title, verb = _VERBS[kind]
        names = "\n".join(f"{b.start:%H:%M} {b.subject} ({b.space_name or self.desk.space_name(b.space_id)}, "
                          f"{b.status_words})" for b in chosen[:20])
        if not await self._confirmed(title, f"{verb.capitalize()} these {len(chosen)} bookings?\n\n{names}"):
            return None
        method = {"cancel": self.desk.cancel, "finish": self.desk.finish, "delete": self.desk.delete}[kind]
        result = await method([b.id for b in chosen])
        self.show_result(result)
        self.view.clear_marks()
        return result

    async def open_manage(self) -> None:
        """The spaces, facilities and services dialog (only offered when the profile allows it)."""
        if not self.may_manage:
            return
        try:
            persons = await self.desk.persons()
        except CVSecError as exc:
            self.banner.show_message("warn", f"The persons could not be read ({exc}); type the owner's number.")
            persons = []
        dialog = ManageDialog(self, self.admin, persons)
        self.manage_dialog = dialog
        try:
            await aio.dialog_result(dialog)
            await dialog.finish_writes()
        finally:
            self.manage_dialog = None
            dialog.deleteLater()

    async def cancel_booking(self, booking_id: str) -> SpaceResult | None:
        booking = self.desk.bookings.get(booking_id)
        if booking is None or not await self._confirmed("Cancel the booking", f"Cancel “{booking.subject}”?"):
            return None
        result = await self.desk.cancel([booking_id])
        self.show_result(result)
        return result

    async def finish_booking(self, booking_id: str) -> SpaceResult | None:
        booking = self.desk.bookings.get(booking_id)
        if booking is None or not await self._confirmed("Finish now", f"End “{booking.subject}” now?"):
            return None
        result = await self.desk.finish([booking_id])
        self.show_result(result)
        return result

    async def delete_booking(self, booking_id: str) -> SpaceResult | None:
        booking = self.desk.bookings.get(booking_id)
        if booking is None or not await self._confirmed("Delete the booking",
                                                        f"Delete “{booking.subject}” from the server?"):
            return None
        result = await self.desk.delete([booking_id])
        self.show_result(result)
        return result

    # -- the day's sheet -------------------------------------------------------------------------------------

    def day_bookings(self) -> list[Booking]:
        day = self.desk.window_start
        end = day + timedelta(days=1)
        return [b for b in self.desk.bookings.values() if b.overlaps(day, end)]

    def export_sheet(self, path: Path) -> None:
        export_day_sheet(path, self.desk.window_start, list(self.desk.spaces.values()), self.day_bookings(),
                         printed=self.desk.clock())

    async def save_sheet(self) -> Path | None:
        """The day's sheet where the operator says (``console/ui/files.py``): the banner says how it went."""
        path = await ask_save_path(self, "Save the day's sheet", f"bookings-{self.desk.window_start:%Y-%m-%d}.pdf",
                                   "PDF (*.pdf)")
        write_and_tell(self.banner, path, self.export_sheet, seconds=8)
        return path

    # -- Panel -------------------------------------------------------------------------------------------------

    async def start(self) -> None:
        if self._started:
            return
        self._started = True
        self._desk_changed("spaces")
        self.desk.poller.wake()
        self.view.scroll_to(max(self.desk.window_start, self.desk.clock() - timedelta(hours=1)))

    async def stop(self) -> None:
        for disconnect in self._disconnects:
            with contextlib.suppress(Exception):
                disconnect()
        self._disconnects.clear()
        try:  # a write under way finishes (cut off, its outcome would be unknown); the rest stops
            await self.tasks.stop(writes_within=2)  # (the workspace gives a panel's stop 3 s)
        finally:
            self.settings.set_panel(self.options)

    def refresh_now(self) -> None:
        self.desk.poller.wake()

    def focus_filter(self) -> bool:
        self.space_filter.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.space_filter.selectAll()
        return True

    def apply_theme(self) -> None:
        self.view.viewport().update()

    def set_operator(self, name: str) -> None:
        """The desk writes under the operator the services know: nothing to do."""
