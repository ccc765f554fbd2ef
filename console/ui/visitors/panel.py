"""The visitor desk panel: register (or book) a visitor, hand over a QR code or a badge, check out.

``VisitorsPanel(session, audit, settings)``; ``await start()``, ``await stop()``. Three tabs, numbered in the
order of a visit: *1 Register*, *2 Expected today*, *3 On site* (which is also the evacuation list). Above
them a banner says what just happened in words, and a line says when registrations wait for the server.

The logic lives in :class:`console.services.visitors.VisitorDesk`; each button is a thin adapter over an
``async`` method of the panel that tests await directly.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from PySide6.QtCore import QDate, QSize, QSortFilterProxyModel, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTableView,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from console.api.errors import ApiError, CVSecError
from console.services.options import VisitorsOptions
from console.services.settings import Settings
from console.services.visitors import (
    DeskResult,
    OnSiteVisit,
    Outcome,
    VisitForm,
    VisitorDesk,
    cert_type_words,
    refusal_for,
    write_evacuation_csv,
)
from console.services.visitors.store import new_id
from console.ui import files
from console.ui.panel_tasks import PanelTasks

from . import printing
from .form import RegistrationForm, plain_label
from .models import ROW_ROLE, ExpectedModel, OnSiteModel
from .qr import QrView
from .widgets import Banner, BannerKind, ElidedLabel, VisitorScreen

__all__ = ["Banner", "VisitorScreen", "VisitorsPanel"]

log = logging.getLogger(__name__)

_WRITES = frozenset({"register", "book", "arrived", "cancel_booking", "check_out", "flush_outbox"})
QR_REFRESH_SECONDS = 60  # a dynamic QR code is asked for again this often while it is shown
SEARCH_DELAY_MS = 250
DRAFT_DELAY_MS = 400


def _table(model: OnSiteModel | ExpectedModel) -> tuple[QTableView, QSortFilterProxyModel]:
    proxy = QSortFilterProxyModel()
    proxy.setSourceModel(model)
    proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
    proxy.setFilterKeyColumn(-1)
    view = QTableView()
    view.setModel(proxy)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    view.setWordWrap(False)
    view.setAlternatingRowColors(True)
    view.setSortingEnabled(True)
    view.verticalHeader().hide()
    header = view.horizontalHeader()
    header.setStretchLastSection(False)
    header.setMinimumSectionSize(60)
    for column, title in enumerate(model.COLUMNS):
        short = title in ("People", "Since", "Until", "Time", "Status")
        mode = QHeaderView.ResizeMode.ResizeToContents if short else QHeaderView.ResizeMode.Stretch
        header.setSectionResizeMode(column, mode)
    return view, proxy


class _FormScroll(QScrollArea):
    """The registration form's scroll area: it scrolls up and down, never sideways (a field cut at the
    right edge is a field the receptionist does not see), so it asks for the form's whole width."""

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        inner = self.widget()
        if inner is None:
            return hint
        width = inner.minimumSizeHint().width() + self.verticalScrollBar().sizeHint().width() + 2 * self.frameWidth()
        return QSize(max(hint.width(), width), hint.height())


class VisitorsPanel(QWidget):
    """The receptionist's panel. ``desk`` may be given (tests); else it is built from the session."""

    outbox_changed = Signal(int)  # registrations waiting for the server

    def __init__(self, desk: VisitorDesk, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("visitorsPanel")
        self.settings = settings
        self.options = settings.panel(VisitorsOptions)
        self.desk = desk
        self._draft_id = new_id()
        # one per key: a second click while a write runs is ignored; searches and QR refreshes: the latest wins
        self.tasks = PanelTasks(self, "visitors", writes=_WRITES)
        self._current: OnSiteVisit | None = None
        self._qr_issued: datetime | None = None
        self._started = False
        self._disconnects: list[Callable[[], None]] = []
        self.visitor_screen: VisitorScreen | None = None
        self._build()

    # -- building ----------------------------------------------------------------------------------------

    def _build(self) -> None:
        self.banner = Banner("visitorBanner", "What just happened", selectable=True)
        self.outbox_line = QFrame()
        self.outbox_line.setProperty("state", "warn")
        self.outbox_label = plain_label()
        self.outbox_try = QPushButton("Try now")
        self.outbox_try.setToolTip("Ask the server again now (it is also retried automatically)")
        self.outbox_menu_button = QToolButton()
        self.outbox_menu_button.setText("Details")
        self.outbox_menu_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.outbox_menu = QMenu(self.outbox_menu_button)
        self.outbox_menu_button.setMenu(self.outbox_menu)
        line = QHBoxLayout(self.outbox_line)
        line.setContentsMargins(10, 4, 6, 4)
        line.addWidget(self.outbox_label, 1)
        line.addWidget(self.outbox_try)
        line.addWidget(self.outbox_menu_button)
        self.outbox_line.hide()

        self.tabs = QTabWidget()
        self.register_page = self._build_register()
        self.tabs.addTab(self.register_page, "1 · Register a visitor")
        self.tabs.addTab(self._build_expected(), "2 · Expected")
        self.tabs.addTab(self._build_onsite(), "3 · On site / evacuation")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.banner)
        layout.addWidget(self.outbox_line)
        layout.addWidget(self.tabs, 1)

        self._search_timer = self._single_shot(SEARCH_DELAY_MS, self._run_host_search)
        self._visitor_timer = self._single_shot(SEARCH_DELAY_MS, self._run_visitor_search)
        self._draft_timer = self._single_shot(DRAFT_DELAY_MS, self.save_draft)
        self._qr_timer = QTimer(self)
        self._qr_timer.setInterval(QR_REFRESH_SECONDS * 1000)
        self._qr_timer.timeout.connect(self.tasks.action("refresh_qr", self._refresh_qr_quietly))
        self.form.edited.connect(self._draft_timer.start)
        self.form.host_search.connect(lambda _text: self._search_timer.start())
        self.form.visitor_search.connect(lambda _text: self._visitor_timer.start())
        self.outbox_try.clicked.connect(self.tasks.action("flush_outbox", self.flush_outbox))
        self.outbox_menu.aboutToShow.connect(self._fill_outbox_menu)
        self._disconnects.append(self.desk.changed.connect(self._desk_changed))
        # Ctrl+Return registers only from the Register tab: the alarm queue acknowledges with the same keys, and a
        # window-wide shortcut made both ambiguous (neither fired) or sent the form from another panel.
        self.register_shortcut = QShortcut(self.register_page)
        self.register_shortcut.setKeys([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        self.register_shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.register_shortcut.setWhatsThis("Register the visitor (from the Register tab)")  # the F1 list
        self.register_shortcut.activated.connect(self._register_clicked)

    def busy(self) -> bool:
        """Whether an action the receptionist started (a search, a QR refresh, the outbox) is still running."""
        return self.desk.flushing or self.tasks.busy(besides=("outbox",))

    def _single_shot(self, ms: int, target: Callable[[], object]) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(ms)
        timer.timeout.connect(target)
        return timer

    def _build_register(self) -> QWidget:
        self.form = RegistrationForm()
        self.register_button = QPushButton("Register visitor")
        self.register_button.setDefault(True)
        self.register_button.setToolTip("Send the registration to the server (Ctrl+Enter)")
        self.book_button = QPushButton("Book for later")
        self.book_button.setToolTip("The visitor is not here yet: book the visit for the chosen time")
        self.clear_button = QPushButton("New visitor")
        self.clear_button.setToolTip("Empty the form (the current one is kept as a draft until registered)")
        self.drafts_button = QToolButton()
        self.drafts_button.setText("Drafts")
        self.drafts_button.setToolTip("Forms that were not sent yet: open one")
        self.drafts_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.drafts_menu = QMenu(self.drafts_button)
        self.drafts_button.setMenu(self.drafts_menu)
        self.drafts_menu.aboutToShow.connect(self._fill_drafts_menu)
        buttons = QHBoxLayout()
        buttons.addWidget(self.register_button)
        buttons.addWidget(self.book_button)
        buttons.addStretch(1)
        buttons.addWidget(self.drafts_button)
        buttons.addWidget(self.clear_button)
        self.register_button.clicked.connect(self._register_clicked)
        self.book_button.clicked.connect(self.tasks.action("book", self.book))
        self.clear_button.clicked.connect(self.new_form)

        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(4, 4, 8, 4)
        title = plain_label("Who is visiting whom?")
        title.setProperty("role", "title")
        left_layout.addWidget(title)
        left_layout.addWidget(self.form)
        left_layout.addLayout(buttons)
        left_layout.addStretch(1)
        scroll = _FormScroll()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(left)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(scroll)
        splitter.addWidget(self._build_handover())
        splitter.setStretchFactor(0, 1)  # halves: fields no wider than they need, the code bigger for the phone
        splitter.setStretchFactor(1, 1)
        splitter.setChildrenCollapsible(False)
        return splitter

    def _build_handover(self) -> QWidget:
        box = QWidget()
        box.setObjectName("handOver")
        title = plain_label("Hand over")
        title.setProperty("role", "title")
        self.handover_name = ElidedLabel("Register a visitor to get their QR code")
        font = QFont(self.handover_name.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.handover_name.setFont(font)
        self.handover_detail = ElidedLabel("")
        self.handover_valid = ElidedLabel("")
        self.qr_view = QrView(min_module=6)  # 6 px a module at least (phones read 1.5 mm); larger when there is room
        self.qr_view.set_placeholder("The visitor's QR code appears here after registration")
        self.qr_status = ElidedLabel("")
        self.qr_status.setProperty("role", "hint")
        for label in (self.handover_name, self.handover_detail, self.handover_valid, self.qr_status):
            # they elide to the width they get: they must not widen the column
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.refresh_qr_button = QPushButton("Refresh QR")
        self.refresh_qr_button.setToolTip("Ask the server for the visitor's current code")
        self.screen_button = QPushButton("Visitor screen")
        self.screen_button.setCheckable(True)
        self.screen_button.setToolTip("Show the QR code big on a window for a screen turned to the visitor")
        self.badge_print_button = QPushButton("Print badge…")
        self.badge_print_button.setToolTip("Preview the badge, then print it")
        self.badge_pdf_button = QPushButton("Badge as PDF…")
        for button in (self.refresh_qr_button, self.badge_print_button, self.badge_pdf_button):
            button.setEnabled(False)
        self.refresh_qr_button.clicked.connect(self.tasks.action("refresh_qr", self.refresh_qr))
        self.screen_button.toggled.connect(self._toggle_visitor_screen)
        self.badge_print_button.clicked.connect(self.tasks.action("print_badge", self.print_badge))
        self.badge_pdf_button.clicked.connect(self.tasks.action("badge_pdf_clicked", self._badge_pdf_clicked))
        row1 = QHBoxLayout()
        row1.addWidget(self.refresh_qr_button)
        row1.addWidget(self.screen_button)
        row2 = QHBoxLayout()
        row2.addWidget(self.badge_print_button)
        row2.addWidget(self.badge_pdf_button)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(title)
        layout.addWidget(self.handover_name)
        layout.addWidget(self.handover_detail)
        layout.addWidget(self.handover_valid)
        layout.addWidget(self.qr_view, 1)
        layout.addWidget(self.qr_status)
        layout.addLayout(row1)
        layout.addLayout(row2)
        return box

    def _build_expected(self) -> QWidget:
        self.expected_model = ExpectedModel(self)
        self.expected_view, self.expected_proxy = _table(self.expected_model)
        self.expected_day = QDateEdit(QDate.currentDate())
        self.expected_day.setCalendarPopup(True)
        self.expected_day.setDisplayFormat("ddd yyyy-MM-dd")
        self.expected_day.dateChanged.connect(lambda _d: self.refresh_lists())
        self.arrived_button = QPushButton("Arrived: register now")
        self.arrived_button.setToolTip("The selected visitor is at the desk: register them with one click")
        self.cancel_booking_button = QPushButton("Cancel booking")
        self.cancel_booking_button.setProperty("role", "danger")
        self.arrived_button.clicked.connect(self.tasks.action("arrived", self._arrived_clicked))
        self.cancel_booking_button.clicked.connect(self.tasks.action("cancel_booking", self._cancel_booking_clicked))
        self.expected_view.doubleClicked.connect(lambda _i: self._arrived_clicked_now())
        self.expected_view.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        hint = plain_label("Visits booked from this desk (Register tab → \"Book for later\"). "
                           "When a visitor arrives, select them and press \"Arrived\".")
        hint.setProperty("role", "hint")
        top = QHBoxLayout()
        top.addWidget(QLabel("Day:"))
        top.addWidget(self.expected_day)
        top.addStretch(1)
        top.addWidget(self.arrived_button)
        top.addWidget(self.cancel_booking_button)
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.addLayout(top)
        layout.addWidget(self.expected_view, 1)
        layout.addWidget(hint)
        return box

    def _build_onsite(self) -> QWidget:
        self.onsite_model = OnSiteModel(self)
        self.onsite_view, self.onsite_proxy = _table(self.onsite_model)
        self.onsite_filter = QLineEdit()
        self.onsite_filter.setPlaceholderText("Find by name, company, host or document…")
        self.onsite_filter.setClearButtonEnabled(True)
        self.onsite_filter.textChanged.connect(self.onsite_proxy.setFilterFixedString)
        self.onsite_count = plain_label()
        self.checkout_button = QPushButton("Check out")
        self.checkout_button.setToolTip("The selected visitor is leaving: close the visit on the server")
        self.show_qr_button = QPushButton("QR / badge")
        self.show_qr_button.setToolTip("Show the selected visitor's QR code and badge in the Register tab")
        self.print_list_button = QPushButton("Print list…")
        self.pdf_list_button = QPushButton("Export PDF…")
        self.csv_list_button = QPushButton("Export CSV…")
        self.checkout_button.clicked.connect(self.tasks.action("check_out", self._checkout_clicked))
        self.show_qr_button.clicked.connect(self.tasks.action("show_selected_clicked", self._show_selected_clicked))
        self.print_list_button.clicked.connect(self.tasks.action("print_evacuation", self.print_evacuation))
        self.pdf_list_button.clicked.connect(self.tasks.action("evacuation_pdf_clicked", self._evacuation_pdf_clicked))
        self.csv_list_button.clicked.connect(self.tasks.action("evacuation_csv_clicked", self._evacuation_csv_clicked))
        self.onsite_view.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        top = QHBoxLayout()
        top.addWidget(self.onsite_filter, 1)
        top.addWidget(self.checkout_button)
        top.addWidget(self.show_qr_button)
        bottom = QHBoxLayout()
        bottom.addWidget(self.onsite_count, 1)
        bottom.addWidget(self.print_list_button)
        bottom.addWidget(self.pdf_list_button)
        bottom.addWidget(self.csv_list_button)
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.addLayout(top)
        layout.addWidget(self.onsite_view, 1)
        layout.addLayout(bottom)
        return box

    # -- lifecycle -------------------------------------------------------------------------------------

    async def start(self) -> None:
        """Restore the last draft, read the levels and directories (the outbox is retried by the services)."""
        if self._started:
            return
        self._started = True
        self.restore_draft()
        self.refresh_lists()
        self._update_outbox()
        await self.load_directories()

    async def stop(self) -> None:
        """Save the draft, stop every task of the panel and close the visitor screen."""
        self.save_draft()
        self._qr_timer.stop()
        for timer in (self._search_timer, self._visitor_timer, self._draft_timer):
            timer.stop()
        # a registration, booking or check-out on the wire finishes first; the whole shutdown stays within 5 s
        try:
            await self.tasks.stop(writes_within=2)  # (the workspace gives a panel's stop 3 s)
        finally:  # a stop cut off there still closes the visitor screen: no stale welcome left on the lobby's
            for disconnect in self._disconnects:
                disconnect()
            self._disconnects.clear()
            if self.visitor_screen is not None:
                self.visitor_screen.close()
                self.visitor_screen.deleteLater()
                self.visitor_screen = None
            self._started = False

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_draft()
        super().closeEvent(event)


    async def load_directories(self) -> None:
        """Visitor levels, hosts and returning visitors; a failure is said in the banner, not raised."""
        results = await asyncio.gather(self.desk.levels(), self.desk.persons(), self.desk.visitors(),
                                       return_exceptions=True)
        levels = results[0]
        if isinstance(levels, list):
            self.form.set_levels(levels, checked=self.form.pending_levels)
        failures = [r for r in results if isinstance(r, BaseException)]
        for failure in failures:
            if not isinstance(failure, CVSecError | ValueError):
                raise failure
        if failures:
            self.banner.show_message("warn", f"Some lists could not be read from the server ({failures[0]}). "
                                             "You can still register; suggestions may be missing.")

    # -- drafts ----------------------------------------------------------------------------------------

    def save_draft(self) -> None:
        """Keep the form on disk (called shortly after every edit, and on stop/close)."""
        form = self.form.value()
        try:
            if form.is_empty:
                self.desk.drafts.delete(self._draft_id)
            else:
                self.desk.drafts.save(self._draft_id, form)
        except OSError as exc:
            self.banner.show_message("alarm", f"The form could not be saved on this computer: {exc}")

    def restore_draft(self) -> None:
        drafts = self.desk.drafts.all()
        if not drafts:
            return
        draft_id, saved, form = drafts[0]
        self._draft_id = draft_id
        self.form.set_value(form)
        more = f" ({len(drafts) - 1} more under \"Drafts\")" if len(drafts) > 1 else ""
        self.banner.show_message("info", f"The unfinished form of {form.visitor_name.strip() or 'a visitor'} "
                                         f"(saved {saved[:16]}) is back{more}.")

    def open_draft(self, draft_id: str) -> None:
        self.save_draft()
        form = self.desk.drafts.load(draft_id)
        if form is not None:
            self._draft_id = draft_id
            self.form.set_value(form)
            self.tabs.setCurrentIndex(0)

    def _fill_drafts_menu(self) -> None:
        self.drafts_menu.clear()
        drafts = self.desk.drafts.all()
        if not drafts:
            self.drafts_menu.addAction("No saved drafts").setEnabled(False)
        for draft_id, saved, form in drafts[:30]:
            marker = "● " if draft_id == self._draft_id else ""
            action = self.drafts_menu.addAction(f"{marker}{form.summary()}, saved {saved[:16]}")
            action.triggered.connect(lambda _c=False, d=draft_id: self.open_draft(d))

    def new_form(self) -> None:
        """An empty form; the previous one stays a draft (unless it was empty or registered)."""
        self.save_draft()
        self._draft_id = new_id()
        self.form.set_value(VisitForm.blank())
        self.form.host_edit.setFocus()

    # -- registering -----------------------------------------------------------------------------------

    def _busy(self, busy: bool) -> None:
        for button in (self.register_button, self.book_button, self.arrived_button):
            button.setEnabled(not busy)
        if busy:
            self.banner.show_message("info", "Talking to the server…")

    def _register_clicked(self) -> None:
        if self.register_button.isEnabled():
            self.tasks.spawn("register", self.submit())

    async def submit(self) -> DeskResult:
        """Validate, register, and show the result: the QR code, the field messages or the banner."""
        self.save_draft()
        form = self.form.value()
        self._busy(True)
        try:
            outcome = await self.desk.register(form)
        finally:
            self._busy(False)
        await self._show_outcome(outcome, form)
        return outcome

    async def _show_outcome(self, outcome: DeskResult, form: VisitForm) -> None:
        name = form.visitor_name.strip()
        if outcome.kind is Outcome.INVALID:
            self.form.show_problems(outcome.problems)
            if outcome.problems:
                self.banner.show_message("warn", f"Please check {len(outcome.problems)} field(s) marked below.")
            else:
                self.banner.show_message("warn", outcome.message)
            return
        if outcome.kind is Outcome.REFUSED and outcome.refusal is not None:
            refusal = outcome.refusal
            said = f" The server said: {refusal.server_text}" if refusal.server_text else ""
            if refusal.blocked:
                self._clear_handover()  # no QR code may sit next to this warning
                self.form.show_problems({"visitor_name": "on the block list", "cert_num": "on the block list"})
                self.banner.show_message(
                    "blocked", f"BLOCK LIST: DO NOT ADMIT\n{name} ({cert_type_words(form.cert_type)} "
                               f"{form.cert_number}) is on the block list. Call security.{said}")
            elif refusal.field is not None:
                self.form.show_problems({refusal.field: refusal.text})
                self.banner.show_message("warn", f"The server refused the registration: {refusal.text}.")
            else:
                self.banner.show_message("alarm", f"The server refused the registration: {refusal.text}.{said}")
            return
        if outcome.kind is Outcome.QUEUED:
            self.desk.drafts.delete(self._draft_id)
            self._draft_id = new_id()
            self.form.set_value(VisitForm.blank())
            self.banner.show_message("warn", f"The server cannot be reached. {name}'s registration is kept on this "
                                             "computer and will be sent as soon as the server answers. Nothing to "
                                             "retype.")
            self._update_outbox()
            return
        if outcome.kind is Outcome.DONE and outcome.visit is not None:
            self.desk.drafts.delete(self._draft_id)
            self._draft_id = new_id()
            self.form.set_value(VisitForm.blank())
            self.banner.show_message("ok", f"{name} is registered. Hand over the QR code or print the badge.")
            self.refresh_lists()
            await self.show_visit(outcome.visit)
            return
        self.banner.show_message("alarm", outcome.message or "Something went wrong.")

    async def book(self) -> DeskResult:
        """Book the visit in the form for its From/Until time (the visitor is not here yet)."""
        self.save_draft()
        form = self.form.value()
        self._busy(True)
        try:
            outcome = await self.desk.reserve(form)
        finally:
            self._busy(False)
        name = form.visitor_name.strip()
        if outcome.kind is Outcome.INVALID:
            self.form.show_problems(outcome.problems)
            self.banner.show_message("warn", f"Please check {len(outcome.problems)} field(s) marked below.")
        elif outcome.kind is Outcome.REFUSED and outcome.refusal is not None:
            if outcome.refusal.blocked:
                self.form.show_problems({"visitor_name": "on the block list", "cert_num": "on the block list"})
                self.banner.show_message("blocked", f"BLOCK LIST: DO NOT ADMIT\n{name} is on the block list: "
                                                    "do not book or admit them. Call security.")
            elif outcome.refusal.field is not None:
                self.form.show_problems({outcome.refusal.field: outcome.refusal.text})
                self.banner.show_message("warn", f"The server refused the booking: {outcome.refusal.text}.")
            else:
                self.banner.show_message("alarm", f"The server refused the booking: {outcome.refusal.text}.")
        elif outcome.ok:
            self.desk.drafts.delete(self._draft_id)
            self._draft_id = new_id()
            self.form.set_value(VisitForm.blank())
            self.banner.show_message("ok", f"{outcome.message}. They are listed under \"Expected\".")
            self.refresh_lists()
        else:
            self.banner.show_message("alarm", outcome.message)
        return outcome

    # -- expected visitors -------------------------------------------------------------------------------

    def _selected(self, view: QTableView, proxy: QSortFilterProxyModel) -> str | None:
        rows = view.selectionModel().selectedRows()
        if not rows:
            return None
        value = proxy.mapToSource(rows[0]).data(ROW_ROLE)
        return str(value) if value else None

    def _arrived_clicked_now(self) -> None:
        self.tasks.spawn("arrived", self._arrived_clicked())

    async def _arrived_clicked(self) -> None:
        item_id = self._selected(self.expected_view, self.expected_proxy)
        if item_id is None:
            self.banner.show_message("info", "Select the visitor who arrived in the list first.")
            return
        await self.arrived(item_id)

    async def arrived(self, item_id: str) -> DeskResult | None:
        """One click: the booked visitor is registered from now until the booking's end."""
        item = self.desk.expected.get(item_id)
        if item is None:
            return None
        self.save_draft()
        self._draft_id = new_id()
        form = self.desk.arrival_form(item)
        self.form.set_value(form)
        self.tabs.setCurrentIndex(0)
        return await self.submit()

    async def _cancel_booking_clicked(self) -> None:
        item_id = self._selected(self.expected_view, self.expected_proxy)
        if item_id is not None:
            await self.cancel_booking(item_id)

    async def cancel_booking(self, item_id: str) -> DeskResult | None:
        item = self.desk.expected.get(item_id)
        if item is None:
            return None
        outcome = await self.desk.cancel_reservation(item)
        kind: BannerKind = "ok" if outcome.ok else ("warn" if outcome.kind is Outcome.REFUSED else "alarm")
        self.banner.show_message(kind, outcome.message)
        self.refresh_lists()
        return outcome

    # -- on site -----------------------------------------------------------------------------------------

    async def _checkout_clicked(self) -> None:
        visit_id = self._selected(self.onsite_view, self.onsite_proxy)
        if visit_id is None:
            self.banner.show_message("info", "Select the visitor who is leaving in the list first.")
            return
        await self.check_out(visit_id)

    async def check_out(self, visit_id: str) -> DeskResult | None:
        visit = self.desk.onsite.get(visit_id)
        if visit is None:
            return None
        self.checkout_button.setEnabled(False)
        try:
            outcome = await self.desk.check_out(visit)
        finally:
            self._update_buttons()
        kind: BannerKind = "ok" if outcome.ok else ("warn" if outcome.kind is Outcome.REFUSED else "alarm")
        self.banner.show_message(kind, outcome.message)
        if outcome.ok and self._current is not None and self._current.id == visit_id:
            self._clear_handover()
        self.refresh_lists()
        return outcome

    async def _show_selected_clicked(self) -> None:
        visit_id = self._selected(self.onsite_view, self.onsite_proxy)
        visit = self.desk.onsite.get(visit_id) if visit_id else None
        if visit is not None:
            self.tabs.setCurrentIndex(0)
            await self.show_visit(visit)

    def refresh_now(self) -> None:
        """F5: the lists again, and the kept registrations tried now."""
        self.refresh_lists()
        self.desk.kick()

    def focus_filter(self) -> bool:
        """Ctrl+F: the on-site list's filter (the evacuation list is what is searched in a hurry)."""
        self.tabs.setCurrentIndex(2)
        self.onsite_filter.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.onsite_filter.selectAll()
        return True

    def apply_theme(self) -> None:
        """The banner and the outbox line take their colours from the stylesheet: nothing more to do."""

    def set_operator(self, name: str) -> None:
        """The desk writes under the operator the services know: nothing to do."""

    def refresh_lists(self) -> None:
        onsite = self.desk.on_site()
        self.onsite_model.set_rows(onsite)
        people = sum(v.visit_form.people() for v in onsite)
        self.onsite_count.setText(f"{len(onsite)} registrations, {people} people in the building (registered at "
                                  "this desk and not checked out)")
        chosen = self.expected_day.date()
        day = date(chosen.year(), chosen.month(), chosen.day())
        expected = self.desk.expected.for_day(day)
        self.expected_model.set_rows(expected)
        self.tabs.setTabText(1, f"2 · Expected ({len(expected)})")
        self.tabs.setTabText(2, f"3 · On site / evacuation ({len(onsite)})")
        self._update_buttons()

    def _update_buttons(self) -> None:
        visit_id = self._selected(self.onsite_view, self.onsite_proxy)
        visit = self.desk.onsite.get(visit_id) if visit_id else None
        self.checkout_button.setEnabled(visit is not None)
        self.show_qr_button.setEnabled(visit is not None)
        name = visit.visit_form.visitor_name.strip() if visit is not None else ""
        self.checkout_button.setText(f"Check out {name[:24]}" if name else "Check out")
        expected = self._selected(self.expected_view, self.expected_proxy) is not None
        today = self.expected_day.date() == QDate.currentDate()
        self.arrived_button.setEnabled(expected and today)
        self.cancel_booking_button.setEnabled(expected)
        has_visit = self._current is not None
        for button in (self.refresh_qr_button, self.badge_print_button, self.badge_pdf_button):
            button.setEnabled(has_visit)

    def _desk_changed(self, what: str) -> None:
        if what in ("onsite", "expected"):
            self.refresh_lists()
        if what == "outbox":
            self._update_outbox()

    # -- hand-over ---------------------------------------------------------------------------------------

    async def show_visit(self, visit: OnSiteVisit) -> None:
        """Show a visitor's hand-over: name, validity, the QR code (asked for now and every minute)."""
        self._current = visit
        form = visit.visit_form
        self.handover_name.set_full_text(form.visitor_name.strip())
        host = form.host_name or form.host_pin
        if form.host_dept:
            host = f"{host} ({form.host_dept})"
        company = f"{form.company.strip()} · " if form.company.strip() else ""
        self.handover_detail.set_full_text(f"{company}visiting {host}")
        self.handover_valid.set_full_text(f"Valid until {form.end[:16]}")
        self.qr_view.clear("Asking the server for the QR code…")
        self._update_buttons()
        self._mirror()
        await self.refresh_qr()
        self._qr_timer.start()

    def _clear_handover(self) -> None:
        self._current = None
        self._qr_timer.stop()
        self.handover_name.set_full_text("Register a visitor to get their QR code")
        self.handover_detail.set_full_text("")
        self.handover_valid.set_full_text("")
        self.qr_view.clear("The visitor's QR code appears here after registration")
        self.qr_status.set_full_text("")
        self._update_buttons()
        self._mirror()

    async def _refresh_qr_quietly(self) -> None:
        if self._current is not None:
            await self.refresh_qr()

    async def refresh_qr(self) -> str:
        """Ask for the current QR value; a new one replaces the old on screen. Returns what is shown."""
        visit = self._current
        if visit is None:
            return ""
        try:
            value = await self.desk.qr_code(visit)
        except (CVSecError, ValueError) as exc:
            self.qr_status.set_full_text(f"The QR code could not be read from the server: {exc}")
            if not self.qr_view.value:
                self.qr_view.clear("No QR code: the server did not give one. Try \"Refresh QR\", or print the "
                                   "badge later.")
            return self.qr_view.value
        if self._current is not visit:
            return self.qr_view.value
        changed = value != self.qr_view.value
        if changed:
            self.qr_view.set_value(value)
            self._qr_issued = datetime.now()
            self._mirror()
        stamp = (self._qr_issued or datetime.now()).strftime("%H:%M:%S")
        self.qr_status.set_full_text(f"Code from the server, {stamp} · refreshed every minute")
        return value

    def _toggle_visitor_screen(self, on: bool) -> None:
        if on:
            if self.visitor_screen is None:
                self.visitor_screen = VisitorScreen()
            self._mirror()
            self.visitor_screen.show_on_best_screen()
        elif self.visitor_screen is not None:
            self.visitor_screen.hide()

    def _mirror(self) -> None:
        screen = self.visitor_screen
        if screen is None:
            return
        visit = self._current
        if visit is None:
            screen.show_visit("", "", "")
            return
        form = visit.visit_form
        screen.show_visit(form.visitor_name.strip(), f"Valid until {form.end[:16]}", self.qr_view.value)

    def badge(self) -> printing.Badge | None:
        visit = self._current
        if visit is None:
            return None
        form = visit.visit_form
        host = form.host_name or form.host_pin
        if form.host_dept:
            host = f"{host} ({form.host_dept})"
        valid_until = form.end[11:16] if form.end[:10] == form.start[:10] else form.end[:16]
        return printing.Badge(
            name=form.visitor_name.strip(), company=form.company.strip(), host=host,
            valid_from=form.start[:16], valid_until=valid_until, qr_value=self.qr_view.value,
            site_name=self.options.site_name, logo_path=self.options.site_logo,
            visitors=form.people(),
        )

    # -- paper -------------------------------------------------------------------------------------------

    def export_badge_pdf(self, path: Path) -> None:
        badge = self.badge()
        if badge is None:
            raise ValueError("no visitor is shown")
        printing.export_badge_pdf(badge, path)

    def export_evacuation_pdf(self, path: Path) -> None:
        printing.export_evacuation_pdf(self.desk.on_site(), path, site_name=self.options.site_name,
                                       operator=self.desk.operator)

    def export_evacuation_csv(self, path: Path) -> int:
        return write_evacuation_csv(self.desk.on_site(), path)

    async def print_badge(self) -> None:
        badge = self.badge()
        if badge is None:
            return
        await printing.preview(self, f"Badge: {badge.name}", printing.badge_layout(),
                               lambda painter, _dev: printing.paint_badge(painter, printing.page_rect(painter),
                                                                         badge))

    async def print_evacuation(self) -> None:
        visits = self.desk.on_site()
        site = self.options.site_name
        await printing.preview(self, "Evacuation list", printing.evacuation_layout(),
                               lambda painter, dev: printing.paint_evacuation(painter, dev, visits, site_name=site,
                                                                             operator=self.desk.operator))

    async def ask_save_path(self, title: str, name: str, filter_: str) -> Path | None:
        return await files.ask_save_path(self, title, name, filter_)

    async def _save_with(self, title: str, name: str, filter_: str, write: Callable[[Path], object]) -> None:
        files.write_and_tell(self.banner, await self.ask_save_path(title, name, filter_), write)

    async def _badge_pdf_clicked(self) -> None:
        badge = self.badge()
        if badge is not None:
            safe = "".join(ch if ch.isalnum() else "-" for ch in badge.name)[:40] or "visitor"
            await self._save_with("Save the badge as PDF", f"badge-{safe}.pdf", "PDF (*.pdf)", self.export_badge_pdf)

    async def _evacuation_pdf_clicked(self) -> None:
        name = f"evacuation-{datetime.now():%Y%m%d-%H%M}.pdf"
        await self._save_with("Save the evacuation list as PDF", name, "PDF (*.pdf)", self.export_evacuation_pdf)

    async def _evacuation_csv_clicked(self) -> None:
        name = f"evacuation-{datetime.now():%Y%m%d-%H%M}.csv"
        await self._save_with("Save the evacuation list as CSV", name, "CSV (*.csv)", self.export_evacuation_csv)

    # -- searches ----------------------------------------------------------------------------------------

    def _run_host_search(self) -> None:
        text = self.form.host_edit.text()
        if len(text.strip()) >= 1:
            self.tasks.spawn("host-search", self.search_hosts(text), latest_wins=True)

    async def search_hosts(self, text: str) -> None:
        try:
            hosts = await self.desk.search_hosts(text)
        except CVSecError as exc:
            self.form.host_info.setText(f"Hosts cannot be searched right now: {exc}")
            return
        if self.form.host_edit.text() == text:
            self.form.set_host_suggestions(hosts)
            if not hosts:
                self.form.host_info.setText("Nobody with this pin or name")

    def _run_visitor_search(self) -> None:
        edit = self.form.cert_num if self.form.cert_num.hasFocus() else self.form.visitor_name
        text = edit.text()
        if len(text.strip()) >= 2:
            self.tasks.spawn("visitor-search", self.search_visitors(text), latest_wins=True)

    async def search_visitors(self, text: str) -> None:
        try:
            found = await self.desk.find_visitors(text)
        except CVSecError:
            return  # suggestions are a help, not a need
        self.form.set_visitor_suggestions(found)

    # -- the outbox --------------------------------------------------------------------------------------

    async def flush_outbox(self) -> None:
        """Try the waiting registrations now and say what happened."""
        try:
            await self.desk.flush_outbox()
        except CVSecError as exc:
            self.banner.show_message("warn", f"The server still cannot be reached ({exc}). The registrations stay "
                                             "kept and are retried automatically.")
        self._update_outbox()

    def _update_outbox(self) -> None:
        entries = list(self.desk.outbox)
        waiting = [e for e in entries if e.open]
        refused = [e for e in entries if e.state == "refused"]
        for entry in [e for e in entries if e.state == "done"]:
            name = entry.visit_form.visitor_name.strip()
            self.banner.show_message("ok", f"{name}, kept while the server was away, is now registered "
                                           f"({entry.outcome}).")
            self.desk.outbox.dismiss(entry.id)
            self.refresh_lists()
        parts = []
        if waiting:
            parts.append(f"⏳ {len(waiting)} registration(s) wait for the server; they are sent automatically as "
                         "soon as it answers.")
        if refused:
            parts.append(f"✖ {len(refused)} kept registration(s) were refused by the server: open \"Details\".")
        self.outbox_label.setText(" ".join(parts))
        self.outbox_line.setProperty("state", "alarm" if refused else "warn")
        self.outbox_line.style().unpolish(self.outbox_line)
        self.outbox_line.style().polish(self.outbox_line)
        self.outbox_line.setVisible(bool(parts))
        self.outbox_try.setVisible(bool(waiting))
        self.outbox_changed.emit(len(waiting))

    def _fill_outbox_menu(self) -> None:
        self.outbox_menu.clear()
        for entry in self.desk.outbox:
            form = entry.visit_form
            if entry.open:
                state = "waiting" if entry.state == "pending" else "waiting (may have reached the server)"
                self.outbox_menu.addAction(f"{form.summary()}: {state}").setEnabled(False)
            elif entry.state == "refused":
                action = self.outbox_menu.addAction(f"{form.summary()}: refused ({entry.outcome}) — open to fix")
                action.triggered.connect(lambda _c=False, e=entry.id: self.reopen_refused(e))

    def reopen_refused(self, entry_id: str) -> None:
        """Put a refused kept registration back in the form (as a draft) so it can be fixed and sent."""
        entry = self.desk.outbox.get(entry_id)
        if entry is None:
            return
        self.save_draft()
        self._draft_id = new_id()
        self.form.set_value(entry.visit_form)
        self.save_draft()
        self.desk.outbox.dismiss(entry_id)
        self._update_outbox()
        self.tabs.setCurrentIndex(0)
        refusal = refusal_for(ApiError(entry.refusal_code)) if entry.refusal_code else None
        if refusal is not None and refusal.field is not None:
            self.form.show_problems({refusal.field: refusal.text})
        self.banner.show_message("blocked" if refusal is not None and refusal.blocked else "warn",
                                 f"The server refused this registration: {entry.outcome}. Fix it and press "
                                 "\"Register visitor\".")
