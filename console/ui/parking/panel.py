"""The parking desk panel: the lots live, the cars in the lot, find a car by plate, bill it, take payment once,
print the receipt, open a barrier with a reason, the lists, the shift's cash-up. The car parks on the left; the
cars and the bill's tabs side by side on a wide screen, the tabs under the list of cars on a narrow column (a
1280 px screen beside the alarm queue: :class:`console.ui.folding.FoldingSplitter`).

``ParkingPanel(desk, settings)``; the logic is :class:`console.services.parking.ParkingDesk`'s, each button a
thin adapter over an ``async`` method of the panel that tests await directly. Server text is plain text
everywhere (table items, :func:`console.ui.text.plain_label`); no global shortcut is added here.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Literal

from PySide6.QtCore import QDate, QDateTime, Qt, QTimer, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from console.services.options import ParkingOptions
from console.services.outcome import Outcome
from console.services.parking import (
    Bill,
    CarInLot,
    CashUp,
    CurrencyFormat,
    ListEntry,
    Lot,
    MatchKind,
    ParkingDesk,
    ParkingResult,
    PaymentRecord,
    write_cashup_csv,
)
from console.services.settings import Settings
from console.ui import files, theme
from console.ui.banner import Banner, BannerKind
from console.ui.folding import FoldingSplitter
from console.ui.panel_tasks import PanelTasks
from console.ui.text import plain_label, tooltip

from . import printing

__all__ = ["ParkingPanel"]

log = logging.getLogger(__name__)

DURATION_REFRESH_MS = 30_000
CARS_AND_BILL_SIDE_BY_SIDE = 800  # px: narrower, the bill goes under the list of cars
REASONS = ("Paid at the desk", "Ticket machine out of order", "Emergency vehicle", "Delivery expected",
           "Driver lost the ticket", "Staff car")
_KIND_WORDS = {MatchKind.EXACT: "same plate", MatchKind.CONFUSED: "similar (misread?)", MatchKind.PARTIAL: "partial"}
_LIST_KINDS: tuple[tuple[str, str], ...] = (("denied", "Deny list"), ("allowed", "Allow list"),
                                            ("fixed", "Fixed vehicle"), ("person", "Person's plate"))
_WRITES = frozenset({"pay", "settle", "barrier", "list_add", "list_remove"})


def _table(headings: tuple[str, ...], stretch: int) -> QTableWidget:
    table = QTableWidget(0, len(headings))
    table.setHorizontalHeaderLabels(list(headings))
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    header = table.horizontalHeader()
    for column in range(len(headings)):
        mode = QHeaderView.ResizeMode.Stretch if column == stretch else QHeaderView.ResizeMode.ResizeToContents
        header.setSectionResizeMode(column, mode)
    return table


def _item(text: str, data: object = None) -> QTableWidgetItem:
    item = QTableWidgetItem(text)  # an item's text is never rich text
    if data is not None:
        item.setData(Qt.ItemDataRole.UserRole, data)
    return item


def _title(text: str) -> QLabel:
    label = plain_label(text, wrap=False)
    label.setProperty("role", "title")
    return label


def _hint(text: str) -> QLabel:
    label = plain_label(text)
    label.setProperty("role", "hint")
    return label


def _scrolling(page: QWidget) -> QScrollArea:
    """``page`` in a frameless scroll area: as tall as it likes, however short its place."""
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setWidget(page)
    return scroll


class LotCard(QFrame):
    """One car park: its numbers in words and a bar (never colour alone), its entrances and channels."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("parkingLot")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.name = plain_label(wrap=False)
        font = QFont(self.name.font())
        font.setBold(True)
        self.name.setFont(font)
        self.numbers = plain_label(wrap=False)
        self.bar = QProgressBar()
        self.bar.setTextVisible(False)
        self.bar.setMaximumHeight(10)
        self.detail = plain_label()
        self.detail.setProperty("role", "hint")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(3)
        top = QHBoxLayout()
        top.addWidget(self.name)
        top.addStretch(1)
        top.addWidget(self.numbers)
        layout.addLayout(top)
        layout.addWidget(self.bar)
        layout.addWidget(self.detail)

    def show_lot(self, lot: Lot) -> None:
        self.name.setText(lot.name or "(no name)")
        state = "FULL" if lot.full else f"{lot.free} free"
        self.numbers.setText(f"{lot.occupied} of {lot.capacity} spaces taken · {state}")
        self.bar.setRange(0, max(1, lot.capacity))
        self.bar.setValue(min(lot.occupied, max(1, lot.capacity)))
        self.setProperty("state", "alarm" if lot.full else "")
        theme.restyle(self)
        parts = []
        if lot.entrances:
            parts.append("Entrances: " + ", ".join(lot.entrances))
        if lot.channels:
            parts.append("Lanes:")
            parts.extend(f"  {c.name}: {c.state}" for c in lot.channels)
        self.detail.setText("\n".join(parts))


class ParkingPanel(QWidget):
    """The parking attendant's panel over one :class:`ParkingDesk`."""

    alarm_count = Signal(int)  # unused by the shell today; kept for a tab badge

    def __init__(self, desk: ParkingDesk, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("parkingPanel")
        self.desk = desk
        self.settings = settings
        self.options = settings.panel(ParkingOptions)
        self.currency = CurrencyFormat(self.options.currency_symbol, self.options.symbol_after,
                                       self.options.decimal_separator, self.options.thousands_separator)
        self.bill: Bill | None = None
        self.last_payment: PaymentRecord | None = None
        self.tasks = PanelTasks(self, "parking", writes=_WRITES)  # one per key: a write is never sent twice
        self._disconnects: list[Callable[[], None]] = []
        self._cards: list[LotCard] = []
        self._started = False
        self._built = False
        self._build()
        self._built = True
        self._update_buttons()

    # -- building ----------------------------------------------------------------------------------------

    def _build(self) -> None:
        self.banner = Banner("parkingBanner", "What just happened", selectable=True)
        self.tabs = QTabWidget()
        self.tabs.addTab(self._build_bill(), "Bill and pay")
        lists = _scrolling(self._build_lists())  # its form scrolls when the tabs are under the list of cars
        lists.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to its fields, which scroll into view
        self.tabs.addTab(lists, "Lists")
        self.tabs.addTab(self._build_cashup(), "Cash-up")
        # the cars and the bill side by side on a wide screen; on a 1280 px one (next to the alarm column) the
        # bill goes under the list of cars instead of under the alarms
        self.work = FoldingSplitter(CARS_AND_BILL_SIDE_BY_SIDE)
        self.work.setObjectName("parkingCarsAndBill")
        self.work.addWidget(self._build_cars())
        self.work.addWidget(self.tabs)
        self.work.setStretchFactor(0, 5)
        self.work.setStretchFactor(1, 4)
        self.work.set_default_sizes(Qt.Orientation.Horizontal, [560, 440])
        self.work.set_default_sizes(Qt.Orientation.Vertical, [300, 420])
        self.work.setChildrenCollapsible(False)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self._build_lots())
        splitter.addWidget(self.work)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 9)
        splitter.setSizes([330, 1000])
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.banner)
        layout.addWidget(splitter, 1)
        self._clock = QTimer(self)
        self._clock.setInterval(DURATION_REFRESH_MS)
        self._clock.timeout.connect(self.show_cars)

    def _build_lots(self) -> QWidget:
        self.lots_box = QVBoxLayout()
        self.lots_box.setSpacing(6)
        lots = QWidget()
        lots_layout = QVBoxLayout(lots)
        lots_layout.setContentsMargins(0, 0, 0, 0)
        lots_layout.addLayout(self.lots_box)
        lots_layout.addStretch(1)
        scroll = _scrolling(lots)
        self.lots_status = _hint("Reading the car parks…")

        self.channel_combo = QComboBox()
        self.channel_combo.setAccessibleName("Lane")
        self.reason_combo = QComboBox()
        self.reason_combo.setEditable(True)
        self.reason_combo.addItems(REASONS)
        self.reason_combo.setCurrentIndex(-1)
        self.reason_combo.setAccessibleName("Reason")
        line = self.reason_combo.lineEdit()
        if line is not None:
            line.setPlaceholderText("Why? (written to the audit log)")
        self.barrier_button = QPushButton("Open barrier")
        self.barrier_button.setToolTip("Raise the lane's barrier once; the reason goes to the audit log")
        self.barrier_button.clicked.connect(self.tasks.action("barrier", self._barrier_clicked))
        barrier = QFormLayout()
        barrier.addRow("Lane", self.channel_combo)
        barrier.addRow("Reason", self.reason_combo)
        barrier.addRow("", self.barrier_button)

        self.passages = _table(("Time", "", "Plate", "Lane"), 3)
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 4, 0)
        layout.addWidget(_title("Car parks"))
        layout.addWidget(scroll, 1)
        layout.addWidget(self.lots_status)
        layout.addWidget(_title("Barrier"))
        layout.addLayout(barrier)
        layout.addWidget(_title("Entries and exits"))
        layout.addWidget(self.passages, 3)
        return box

    def _build_cars(self) -> QWidget:
        self.find_edit = QLineEdit()
        self.find_edit.setPlaceholderText("Find by plate: spaces, case and O/0, I/1, B/8 do not matter")
        self.find_edit.setClearButtonEnabled(True)
        self.find_edit.setAccessibleName("Find a car by plate")
        self.find_edit.textChanged.connect(lambda _t: self.show_cars())
        self.find_edit.returnPressed.connect(self._bill_first_candidate)
        self.cars = _table(("Plate", "Car park", "Car type", "Since", "Parked", "Match / note"), 5)
        self.cars.doubleClicked.connect(lambda _i: self._bill_selected())
        self.cars.itemSelectionChanged.connect(self._update_buttons)
        self.cars_count = plain_label(wrap=False)
        self.bill_selected_button = QPushButton("Bill selected car")
        self.bill_selected_button.clicked.connect(self._bill_selected)
        bottom = QHBoxLayout()
        bottom.addWidget(self.cars_count, 1)
        bottom.addWidget(self.bill_selected_button)
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(4, 0, 4, 0)
        layout.addWidget(_title("Cars in the car park"))
        layout.addWidget(self.find_edit)
        layout.addWidget(self.cars, 1)
        layout.addLayout(bottom)
        return box

    def _build_bill(self) -> QWidget:
        self.plate_edit = QLineEdit()
        self.plate_edit.setPlaceholderText("Plate, e.g. Liao F4J227")
        self.plate_edit.setAccessibleName("Plate to bill")
        self.plate_edit.returnPressed.connect(self._bill_typed)
        self.bill_button = QPushButton("Bill")
        self.bill_button.setToolTip("Ask the server what this car owes now")
        self.bill_button.clicked.connect(self._bill_typed)
        top = QHBoxLayout()
        top.addWidget(self.plate_edit, 1)
        top.addWidget(self.bill_button)

        self.fields: dict[str, QLabel] = {}
        grid = QGridLayout()
        for row, (key, label) in enumerate((("plate", "Plate"), ("check_in", "Checked in"), ("parked", "Parked"),
                                            ("car_type", "Car type"), ("area", "Car park"),
                                            ("charge", "Charge"))):
            grid.addWidget(QLabel(label + ":"), row, 0)
            value = plain_label(selectable=True, shrink=True)
            self.fields[key] = value
            grid.addWidget(value, row, 1)
        grid.setColumnStretch(1, 1)
        self.amount_label = plain_label(wrap=False)
        self.amount_label.setObjectName("parkingAmount")
        self.amount_label.setStyleSheet("font-size: 26pt; font-weight: bold;")  # the theme sizes labels otherwise
        self.amount_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.amount_note = plain_label()
        self.amount_note.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.discounts_label = _hint("")

        self.pay_button = QPushButton("Take payment")
        self.pay_button.setToolTip("Record the payment on the server, once")
        self.pay_button.clicked.connect(self.tasks.action("pay", self.take_payment))
        self.print_button = QPushButton("Print receipt…")
        self.print_button.clicked.connect(self.tasks.action("print_receipt", self.print_receipt))
        self.pdf_button = QPushButton("Receipt PDF…")
        self.pdf_button.clicked.connect(self.tasks.action("receipt_pdf", self._receipt_pdf_clicked))
        pay_row = QHBoxLayout()
        pay_row.addWidget(self.pay_button, 1)
        receipt_row = QHBoxLayout()
        receipt_row.addWidget(self.print_button)
        receipt_row.addWidget(self.pdf_button)

        self.uncertain_line = QFrame()
        self.uncertain_line.setProperty("state", "warn")
        self.uncertain_label = plain_label()
        self.settle_button = QPushButton("Settle now")
        self.settle_button.setToolTip("Read the car's parking record and bill it again to see whether the payment "
                                      "arrived (the notice is never sent again)")
        self.settle_button.clicked.connect(self.tasks.action("settle", self.settle))
        self.arrived_button = QPushButton("It arrived")
        self.arrived_button.setToolTip("After checking the payment on the server: it was recorded there (audited)")
        self.arrived_button.clicked.connect(self.tasks.action("settle", lambda: self.resolve(arrived=True)))
        self.not_arrived_button = QPushButton("It did not arrive")
        self.not_arrived_button.setToolTip("After checking the payment on the server: it is not there; the payment "
                                           "can then be taken again (audited)")
        self.not_arrived_button.clicked.connect(self.tasks.action("settle", lambda: self.resolve(arrived=False)))
        line = QVBoxLayout(self.uncertain_line)
        line.setContentsMargins(8, 4, 6, 4)
        line.addWidget(self.uncertain_label)
        settle_row = QHBoxLayout()
        settle_row.addStretch(1)
        settle_row.addWidget(self.settle_button)
        settle_row.addWidget(self.arrived_button)
        settle_row.addWidget(self.not_arrived_button)
        line.addLayout(settle_row)
        self.arrived_button.hide()
        self.not_arrived_button.hide()
        self.uncertain_line.hide()

        box = QWidget()
        layout = QVBoxLayout(box)
        layout.addLayout(top)
        layout.addLayout(grid)
        layout.addWidget(self.amount_label)
        layout.addWidget(self.amount_note)
        layout.addWidget(self.discounts_label)
        layout.addWidget(self.uncertain_line)
        layout.addLayout(pay_row)
        layout.addLayout(receipt_row)
        layout.addStretch(1)
        self.show_bill(None)
        return box

    def _build_lists(self) -> QWidget:
        self.list_kind = QComboBox()
        for key, words in _LIST_KINDS:
            self.list_kind.addItem(words, key)
        self.list_kind.currentIndexChanged.connect(lambda _i: self._list_form_changed())
        self.list_plate = QLineEdit()
        self.list_plate.setPlaceholderText("Plate")
        self.list_from = QDateEdit(QDate.currentDate())
        self.list_to = QDateEdit(QDate.currentDate().addMonths(1))
        for edit in (self.list_from, self.list_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.list_pin = QLineEdit()
        self.list_pin.setPlaceholderText("Person number (fixed vehicles, person's plates)")
        self.list_area = QComboBox()
        self.list_car_type = QComboBox()
        self.list_amount = QLineEdit("0.00")
        self.list_problems = plain_label()
        self.list_problems.setProperty("role", "error")
        self.list_add_button = QPushButton("Add")
        self.list_add_button.clicked.connect(self.tasks.action("list_add", self.add_to_list))
        form = QFormLayout()
        form.addRow("List", self.list_kind)
        form.addRow("Plate", self.list_plate)
        form.addRow("From", self.list_from)
        form.addRow("Until", self.list_to)
        form.addRow("Person", self.list_pin)
        form.addRow("Car park", self.list_area)
        form.addRow("Car type", self.list_car_type)
        form.addRow("Amount", self.list_amount)
        self.list_table = _table(("List", "Plate", "From", "Until", "Person / car park", "Added by"), 1)
        self.list_table.itemSelectionChanged.connect(self._update_buttons)
        self.list_remove_button = QPushButton("Remove selected")
        self.list_remove_button.clicked.connect(self.tasks.action("list_remove", self.remove_selected_entry))
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.addLayout(form)
        layout.addWidget(self.list_problems)
        layout.addWidget(self.list_add_button)
        layout.addWidget(_hint("Entries added from this desk (the server cannot list them)."))
        layout.addWidget(self.list_table, 1)
        layout.addWidget(self.list_remove_button)
        self._list_form_changed()
        return box

    def _build_cashup(self) -> QWidget:
        self.cash_since = QDateTimeEdit(QDateTime.currentDateTime().addSecs(-12 * 3600))
        self.cash_since.setCalendarPopup(True)
        self.cash_since.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.cash_since.dateTimeChanged.connect(lambda _d: self.show_cashup())
        self.cash_operator = QComboBox()
        self.cash_operator.currentIndexChanged.connect(lambda _i: self.show_cashup())
        self.cash_summary = plain_label()
        self.cash_table = _table(("Receipt", "Taken at", "Operator", "Plate", "Amount", "State"), 3)
        self.cash_csv_button = QPushButton("Export CSV…")
        self.cash_pdf_button = QPushButton("Export PDF…")
        self.cash_print_button = QPushButton("Print…")
        self.cash_csv_button.clicked.connect(self.tasks.action("cash_csv", self._cashup_csv_clicked))
        self.cash_pdf_button.clicked.connect(self.tasks.action("cash_pdf", self._cashup_pdf_clicked))
        self.cash_print_button.clicked.connect(self.tasks.action("cash_print", self.print_cashup))
        top = QFormLayout()
        top.addRow("Shift since", self.cash_since)
        top.addRow("Operator", self.cash_operator)
        buttons = QHBoxLayout()
        buttons.addWidget(self.cash_csv_button)
        buttons.addWidget(self.cash_pdf_button)
        buttons.addWidget(self.cash_print_button)
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.addLayout(top)
        layout.addWidget(self.cash_summary)
        layout.addWidget(self.cash_table, 1)
        layout.addLayout(buttons)
        return box

    # -- tasks -------------------------------------------------------------------------------------------

    def busy(self) -> bool:
        return self.tasks.busy()

    # -- Panel -------------------------------------------------------------------------------------------

    async def start(self) -> None:
        if self._started:
            return
        self._started = True
        self._disconnects.append(self.desk.changed.connect(self._desk_changed))
        self._clock.start()
        self.show_all()
        self.set_operator(self.desk.operator)

    async def stop(self) -> None:
        self._clock.stop()
        try:  # a payment or a barrier on the wire finishes first (the workspace gives a panel's stop 3 s)
            await self.tasks.stop(writes_within=2)
        finally:  # (and a stop cut off there still lets go of the desk)
            for disconnect in self._disconnects:
                disconnect()
            self._disconnects.clear()
            self._started = False

    def refresh_now(self) -> None:
        self.desk.poller.wake()

    def focus_filter(self) -> bool:
        self.find_edit.setFocus()
        self.find_edit.selectAll()
        return True

    def apply_theme(self) -> None:
        self.show_lots()

    def set_operator(self, name: str) -> None:
        self.show_cashup()

    # -- showing -----------------------------------------------------------------------------------------

    def _desk_changed(self, what: str) -> None:
        if what == "lots":
            self.show_lots()
        elif what in ("cars", "passages"):
            self.show_cars()
            self.show_passages()
        elif what == "payments":
            self.show_cashup()
            self.show_uncertain()
        elif what == "lists":
            self.show_lists()

    def show_all(self) -> None:
        self.show_lots()
        self.show_cars()
        self.show_passages()
        self.show_lists()
        self.show_cashup()
        self.show_uncertain()

    def show_lots(self) -> None:
        lots = self.desk.lots()
        while len(self._cards) < len(lots):
            card = LotCard()
            self._cards.append(card)
            self.lots_box.addWidget(card)
        for card, lot in zip(self._cards, lots, strict=False):
            card.show_lot(lot)
            card.show()
        for card in self._cards[len(lots):]:
            card.hide()
        if lots:
            total = sum(lot.capacity for lot in lots)
            taken = sum(lot.occupied for lot in lots)
            self.lots_status.setText(f"{len(lots)} car parks · {taken} of {total} spaces taken")
        current = self.channel_combo.currentData()
        self.channel_combo.blockSignals(True)
        self.channel_combo.clear()
        for channel in self.desk.channel_infos():
            self.channel_combo.addItem(channel.name, channel.id)
            self.channel_combo.setItemData(self.channel_combo.count() - 1, tooltip(channel.state),
                                           Qt.ItemDataRole.ToolTipRole)
        index = self.channel_combo.findData(current)
        self.channel_combo.setCurrentIndex(max(0, index))
        self.channel_combo.blockSignals(False)
        for combo, values in ((self.list_area, [(a.name, a.id) for a in self.desk.areas]),
                              (self.list_car_type, [(t.name, t.id) for t in self.desk.car_types])):
            chosen = combo.currentData()
            combo.clear()
            for name, key in values:
                combo.addItem(name, key)
            combo.setCurrentIndex(max(0, combo.findData(chosen)))
        discounts = [d.discount_name for d in self.desk.discounts if d.discount_name]
        self.discounts_label.setText(("Discounts on this site: " + ", ".join(discounts)) if discounts else "")
        self._update_buttons()

    def shown_cars(self) -> list[tuple[CarInLot, str]]:
        """The cars the table shows: all of them, or the candidates for what is typed, best first."""
        typed = self.find_edit.text().strip()
        if not typed:
            return [(car, "") for car in self.desk.cars()]
        return [(car, _KIND_WORDS[match.kind]) for match, car in self.desk.find(typed)]

    def show_cars(self) -> None:
        now = self.desk.clock()
        rows = self.shown_cars()
        selected = self._selected_car()
        self.cars.setRowCount(len(rows))
        for row, (car, match) in enumerate(rows):
            over = self.desk.overstayed(car)
            note = "; ".join(x for x in (match, f"⚠ over {self.options.overstay_hours:g} h" if over else "") if x)
            since = ""
            if car.check_in is not None:
                since = car.check_in.strftime("%H:%M" if car.check_in.date() == now.date() else "%m-%d %H:%M")
            cells = (car.plate, car.area, car.car_type, since, car.parked_words(now), note)
            for column, text in enumerate(cells):
                item = _item(text, car.record_id if column == 0 else None)
                if over:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.cars.setItem(row, column, item)
            if selected is not None and car.record_id == selected.record_id:
                self.cars.selectRow(row)
        total = len(self.desk.cars())
        over_count = sum(1 for car in self.desk.cars() if self.desk.overstayed(car))
        shown = f"{len(rows)} of {total} cars" if self.find_edit.text().strip() else f"{total} cars"
        overstays = f" · {over_count} over {self.options.overstay_hours:g} h" if over_count else ""
        self.cars_count.setText(shown + overstays)
        self._update_buttons()

    def show_passages(self) -> None:
        rows = self.desk.passages[:200]
        self.passages.setRowCount(len(rows))
        for row, p in enumerate(rows):
            arrow = "→ in" if p.direction == "in" else "← out"
            when = p.at.strftime("%H:%M:%S") if p.at else ""
            cells = (when + (" (back-filled)" if p.backfilled else ""), arrow, p.plate, p.channel or p.area)
            for column, text in enumerate(cells):
                item = _item(text)
                item.setToolTip(tooltip(" · ".join(x for x in (p.plate, p.area, p.channel, p.car_type, p.parked,
                                                              p.record_type) if x)))
                self.passages.setItem(row, column, item)

    def show_bill(self, bill: Bill | None) -> None:
        self.bill = bill
        if bill is None:
            for label in self.fields.values():
                label.setText("")
            self.amount_label.setText("—")
            self.amount_note.setText("Find a car and bill it")
        else:
            self.fields["plate"].setText(bill.plate)
            self.fields["check_in"].setText(bill.check_in.strftime("%Y-%m-%d %H:%M:%S") if bill.check_in else "")
            self.fields["parked"].setText(bill.parked_words)
            self.fields["car_type"].setText(bill.car_type)
            self.fields["area"].setText(bill.area)
            self.fields["charge"].setText(", ".join(x for x in (bill.car_auth, bill.charge_type) if x))
            self.amount_label.setText(self.currency.format(bill.amount))
            if bill.free:
                note = "Free: a fixed vehicle or a registered person's car"
            elif bill.amount <= 0:
                note = "Nothing due (first 30 minutes, or already paid)"
            else:
                note = f"Due now (billed {bill.billed_at:%H:%M:%S})"
            self.amount_note.setText(note)
        self._update_buttons()

    def show_uncertain(self) -> None:
        uncertain = self.desk.payments.uncertain()
        if not uncertain:
            self.uncertain_line.hide()
        else:
            first = uncertain[0]
            more = f" (and {len(uncertain) - 1} more)" if len(uncertain) > 1 else ""
            self.uncertain_label.setText(
                f"⚠ The payment of {first.plate} ({self.currency.format(first.money)}, {first.taken_at[11:16]}) is "
                f"uncertain{more}: settle it before taking it again.")
            self.uncertain_line.show()
        self._update_buttons()

    def show_lists(self) -> None:
        entries = self.desk.lists.all()
        words = dict(_LIST_KINDS)
        self.list_table.setRowCount(len(entries))
        for row, entry in enumerate(entries):
            who = " / ".join(x for x in (entry.pin, entry.area) if x)
            cells = (words.get(entry.kind, entry.kind), entry.plate, entry.start, entry.end, who, entry.added_by)
            for column, text in enumerate(cells):
                self.list_table.setItem(row, column, _item(text, row if column == 0 else None))
        self._update_buttons()

    def current_cashup(self) -> CashUp:
        since = self.cash_since.dateTime().toPython()
        operator = self.cash_operator.currentData()
        assert isinstance(since, datetime)
        return self.desk.cash_up(since, operator=operator if isinstance(operator, str) and operator else None)

    def show_cashup(self) -> None:
        operators = sorted({p.operator for p in self.desk.payments.all()} | {self.desk.operator})
        chosen = self.cash_operator.currentData()
        self.cash_operator.blockSignals(True)
        self.cash_operator.clear()
        self.cash_operator.addItem("Everyone", "")
        for name in operators:
            self.cash_operator.addItem(name, name)
        self.cash_operator.setCurrentIndex(max(0, self.cash_operator.findData(chosen)))
        self.cash_operator.blockSignals(False)
        cash = self.current_cashup()
        rows = [(p, "paid") for p in cash.paid] + [(p, "UNCERTAIN") for p in cash.uncertain]
        self.cash_table.setRowCount(len(rows))
        for row, (p, state) in enumerate(rows):
            for column, text in enumerate((p.receipt, p.taken_at, p.operator, p.plate,
                                           self.currency.format(p.money), state)):
                item = _item(text)
                if column == 4:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.cash_table.setItem(row, column, item)
        text = f"{len(cash.paid)} payments, total {self.currency.format(cash.total)}"
        if cash.uncertain:
            text += (f". Uncertain, not counted: {len(cash.uncertain)} "
                     f"({self.currency.format(cash.uncertain_total)})")
        self.cash_summary.setText(text)

    def _selected_car(self) -> CarInLot | None:
        rows = self.cars.selectionModel().selectedRows() if self.cars.selectionModel() else []
        if not rows:
            return None
        item = self.cars.item(rows[0].row(), 0)
        record_id = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return self.desk.car(record_id) if isinstance(record_id, str) else None

    def _update_buttons(self) -> None:
        if not self._built:
            return
        bill = self.bill
        blocking = self.desk.payments.blocking(bill.record_id) if bill is not None else None
        self.pay_button.setEnabled(bill is not None and bill.amount > 0 and blocking is None
                                   and not self.desk.payments.uncertain())
        has_receipt = self.last_payment is not None
        self.print_button.setEnabled(has_receipt)
        self.pdf_button.setEnabled(has_receipt)
        self.bill_selected_button.setEnabled(self.cars.rowCount() > 0)
        self.barrier_button.setEnabled(self.channel_combo.count() > 0)
        self.list_remove_button.setEnabled(bool(self.list_table.selectionModel().selectedRows()))

    def _show(self, result: ParkingResult) -> None:
        kinds: dict[Outcome, BannerKind] = {Outcome.DONE: "ok", Outcome.INVALID: "warn", Outcome.UNCERTAIN: "warn",
                                            Outcome.NOT_SENT: "alarm", Outcome.REFUSED: "alarm"}
        kind = kinds.get(result.outcome, "info")
        text = result.message[:1].upper() + result.message[1:]
        self.banner.show_message(kind, text, seconds=0 if result.outcome is Outcome.UNCERTAIN else None)

    # -- billing and payment ---------------------------------------------------------------------------

    def _bill_typed(self) -> None:
        self.tasks.spawn("bill", self.bill_plate(self.plate_edit.text()))

    def _bill_selected(self) -> None:
        car = self._selected_car()
        if car is None and self.cars.rowCount():
            item = self.cars.item(0, 0)
            car = self.desk.car(str(item.data(Qt.ItemDataRole.UserRole))) if item is not None else None
        if car is not None:
            self.tasks.spawn("bill", self.bill_plate(car.plate))

    def _bill_first_candidate(self) -> None:
        rows = self.shown_cars()
        if rows:
            self.tasks.spawn("bill", self.bill_plate(rows[0][0].plate))

    async def bill_plate(self, plate: str) -> ParkingResult:
        """Bill ``plate`` and show what is due."""
        self.plate_edit.setText(plate.strip())
        self.tabs.setCurrentIndex(0)
        result = await self.desk.bill(plate)
        if result.bill is not None:
            self.show_bill(result.bill)
            self.banner.dismiss()
        else:
            self.show_bill(None)
            self._show(result)
        return result

    async def take_payment(self) -> ParkingResult | None:
        """Record the payment of the bill shown, once."""
        bill = self.bill
        if bill is None:
            return None
        self.pay_button.setEnabled(False)
        try:
            result = await self.desk.take_payment(bill)
        finally:
            self._update_buttons()
        if result.payment is not None and result.outcome in (Outcome.DONE, Outcome.UNCERTAIN):
            self.last_payment = result.payment
        if result.bill is not None and result.bill is not bill:
            self.show_bill(result.bill)  # the amount changed: the new one, for the driver
        self._show(result)
        self.show_uncertain()
        return result

    async def settle(self) -> ParkingResult | None:
        """Settle the oldest uncertain payment by billing again."""
        uncertain = self.desk.payments.uncertain()
        if not uncertain:
            return None
        result = await self.desk.settle(uncertain[0])
        if result.payment is not None and result.outcome is Outcome.DONE:
            self.last_payment = result.payment
        if result.bill is not None:
            self.show_bill(result.bill)
        self._show(result)
        self.show_uncertain()
        # the server's answers could not tell: the operator checks on the server and says which
        undecided = result.outcome is Outcome.UNCERTAIN and "check it on the server" in result.message
        self.arrived_button.setVisible(undecided)
        self.not_arrived_button.setVisible(undecided)
        return result

    async def resolve(self, *, arrived: bool) -> ParkingResult | None:
        """The operator checked the oldest uncertain payment on the server: it arrived, or it did not."""
        uncertain = self.desk.payments.uncertain()
        if not uncertain:
            return None
        result = await self.desk.resolve(uncertain[0], arrived=arrived, note="checked on the server")
        if result.payment is not None and result.outcome is Outcome.DONE:
            self.last_payment = result.payment
        self._show(result)
        self.show_uncertain()
        self.arrived_button.hide()
        self.not_arrived_button.hide()
        return result

    def receipt(self) -> printing.Receipt | None:
        payment = self.last_payment
        if payment is None:
            return None
        current = self.desk.payments.get(payment.receipt) or payment
        return printing.receipt_of(current, self.currency, self.options.site_name)

    def export_receipt_pdf(self, path: Path) -> None:
        receipt = self.receipt()
        if receipt is None:
            raise ValueError("no payment to print a receipt for")
        printing.export_receipt_pdf(receipt, path)

    async def print_receipt(self) -> None:
        receipt = self.receipt()
        if receipt is None:
            return
        from console.ui.visitors.printing import preview

        await preview(self, f"Receipt {receipt.number}", printing.receipt_layout(),
                      lambda painter, _device: printing.paint_receipt(painter, receipt))

    async def _receipt_pdf_clicked(self) -> None:
        receipt = self.receipt()
        if receipt is not None:
            await self._save_with("Save the receipt as PDF", f"receipt-{receipt.number}.pdf", "PDF (*.pdf)",
                                  self.export_receipt_pdf)

    # -- barrier -----------------------------------------------------------------------------------------

    async def _barrier_clicked(self) -> None:
        channel_id = self.channel_combo.currentData()
        if isinstance(channel_id, str):
            await self.open_barrier(channel_id, self.reason_combo.currentText())

    async def open_barrier(self, channel_id: str, reason: str) -> ParkingResult:
        self.barrier_button.setEnabled(False)
        try:
            result = await self.desk.open_barrier(channel_id, reason)
        finally:
            self.barrier_button.setEnabled(self.channel_combo.count() > 0)
        if result.outcome is Outcome.INVALID:
            self.reason_combo.setFocus()
        self._show(result)
        return result

    # -- lists -------------------------------------------------------------------------------------------

    def _list_form_changed(self) -> None:
        kind = self.list_kind.currentData()
        dated = kind in ("allowed", "fixed")
        self.list_from.setEnabled(dated or kind == "denied")
        self.list_to.setEnabled(dated or kind == "denied")
        self.list_pin.setEnabled(kind in ("fixed", "person"))
        for widget in (self.list_area, self.list_car_type, self.list_amount):
            widget.setEnabled(kind == "fixed")
        self.list_problems.setText("")

    async def add_to_list(self) -> ParkingResult:
        kind = str(self.list_kind.currentData())
        plate = self.list_plate.text()
        start, end = self.list_from.date().toPython(), self.list_to.date().toPython()
        assert isinstance(start, date)
        assert isinstance(end, date)
        result: ParkingResult
        if kind in ("allowed", "denied"):
            chosen: Literal["allowed", "denied"] = "allowed" if kind == "allowed" else "denied"
            dated = chosen == "allowed"
            result = await self.desk.set_list(chosen, plate, start=start if dated else None, end=end if dated else None)
        elif kind == "fixed":
            result = await self.desk.add_fixed_vehicle(
                plate=plate, pin=self.list_pin.text().strip(), area_id=str(self.list_area.currentData() or ""),
                car_type_id=str(self.list_car_type.currentData() or ""), start=start, end=end,
                amount=self.list_amount.text())
        else:
            result = await self.desk.add_person_plate(self.list_pin.text(), plate)
        labels = {"plate": "Plate", "dates": "Dates", "pin": "Person", "area": "Car park", "amount": "Amount",
                  "kind": "List", "record": "Record"}
        self.list_problems.setText("\n".join(f"{labels.get(k, k)}: {v}" for k, v in result.problems.items()))
        if result.ok:
            self.list_plate.clear()
        self._show(result)
        return result

    async def remove_selected_entry(self) -> ParkingResult | None:
        rows = self.list_table.selectionModel().selectedRows()
        entries = self.desk.lists.all()
        if not rows or rows[0].row() >= len(entries):
            return None
        entry: ListEntry = entries[rows[0].row()]
        if entry.kind == "fixed":
            result = await self.desk.remove_fixed_vehicle(entry)
        elif entry.kind == "person":
            result = await self.desk.remove_person_plate(entry)
        else:
            result = await self.desk.remove_from_list(entry)
        self._show(result)
        return result

    # -- cash-up -----------------------------------------------------------------------------------------

    def export_cashup_csv(self, path: Path) -> int:
        return write_cashup_csv(self.current_cashup(), path, self.currency)

    def export_cashup_pdf(self, path: Path) -> None:
        printing.export_cashup_pdf(self.current_cashup(), path, self.currency, site=self.options.site_name,
                                   printed_by=self.desk.operator)

    async def print_cashup(self) -> None:
        from console.ui.visitors.printing import preview

        cash = self.current_cashup()
        await preview(self, "Parking cash-up", printing.cashup_layout(),
                      lambda painter, device: printing.paint_cashup(painter, device, cash, self.currency,
                                                                   site=self.options.site_name,
                                                                   printed_by=self.desk.operator))

    async def _cashup_csv_clicked(self) -> None:
        await self._save_with("Export the cash-up as CSV", f"cash-up-{datetime.now():%Y%m%d-%H%M}.csv",
                              "CSV (*.csv)", self.export_cashup_csv)

    async def _cashup_pdf_clicked(self) -> None:
        await self._save_with("Export the cash-up as PDF", f"cash-up-{datetime.now():%Y%m%d-%H%M}.pdf",
                              "PDF (*.pdf)", self.export_cashup_pdf)

    async def ask_save_path(self, title: str, name: str, filter_: str) -> Path | None:
        return await files.ask_save_path(self, title, name, filter_)

    async def _save_with(self, title: str, name: str, filter_: str, write: Callable[[Path], object]) -> None:
        files.write_and_tell(self.banner, await self.ask_save_path(title, name, filter_), write, seconds=8)

