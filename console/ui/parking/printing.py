"""The parking desk's paper: a receipt (80 mm roll or PDF) and the shift's cash-up (A4 PDF or printed).

Painted with ``QPainter`` in millimetres on a paged device, so the PDF and the printer get the same page.
Amounts arrive as text already formatted from :class:`~decimal.Decimal` (no arithmetic here).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, QSizeF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPagedPaintDevice, QPageLayout, QPageSize, QPainter, QPdfWriter

from console.services.parking import CashUp, CurrencyFormat, PaymentRecord

__all__ = ["Receipt", "cashup_layout", "export_cashup_pdf", "export_receipt_pdf", "paint_cashup", "paint_receipt",
           "receipt_layout"]

PDF_DPI = 300


@dataclass(frozen=True)
class Receipt:
    site: str
    number: str
    plate: str
    check_in: str
    paid_at: str
    parked: str
    amount: str  # formatted
    payment_type: str
    operator: str
    state: str


def receipt_of(payment: PaymentRecord, currency: CurrencyFormat, site: str) -> Receipt:
    state = {"done": "PAID", "uncertain": "UNCERTAIN - NOT CONFIRMED"}.get(payment.state, payment.state.upper())
    return Receipt(site, payment.receipt, payment.plate, payment.check_in, payment.settled_at or payment.taken_at,
                   payment.parked, currency.format(payment.money), payment.payment_type, payment.operator, state)


def receipt_layout() -> QPageLayout:
    return QPageLayout(QPageSize(QSizeF(80, 150), QPageSize.Unit.Millimeter, "Receipt"),
                       QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Millimeter)


def cashup_layout() -> QPageLayout:
    return QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                       QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Millimeter)


def _mm(painter: QPainter) -> Callable[[float], float]:
    device = painter.device()
    dpi = device.logicalDpiX() if device is not None else 72
    return lambda mm: mm * dpi * 10 / 254


def _line(painter: QPainter, rect: QRectF, text: str, points: int, *, bold: bool = False,
          align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft) -> None:
    font = QFont()
    font.setPointSize(points)
    font.setBold(bold)
    painter.setFont(font)
    painter.setPen(QColor("black"))
    metrics = QFontMetricsF(font, painter.device())
    elided = metrics.elidedText(" ".join(text.split()), Qt.TextElideMode.ElideRight, rect.width())
    painter.drawText(rect, int(align | Qt.AlignmentFlag.AlignVCenter), elided)


def _paint(device: QPagedPaintDevice, paint: Callable[[QPainter], object]) -> None:
    painter = QPainter()
    if not painter.begin(device):
        raise OSError("cannot paint on this device (is the file writable?)")
    try:
        paint(painter)
    finally:
        painter.end()


def paint_receipt(painter: QPainter, receipt: Receipt) -> None:
    mm = _mm(painter)
    width = mm(80)
    y = mm(6)

    def row(text: str, points: int = 9, *, bold: bool = False, height: float = 6,
            align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft) -> None:
        nonlocal y
        _line(painter, QRectF(mm(5), y, width - mm(10), mm(height)), text, points, bold=bold, align=align)
        y += mm(height)

    center = Qt.AlignmentFlag.AlignHCenter
    row(receipt.site or "Car park", 12, bold=True, height=8, align=center)
    row("Parking receipt", 10, align=center)
    row(f"No. {receipt.number}", 8, align=center)
    y += mm(3)
    for label, value in (("Plate", receipt.plate), ("Check-in", receipt.check_in), ("Paid", receipt.paid_at),
                         ("Parked", receipt.parked), ("Payment", receipt.payment_type),
                         ("Operator", receipt.operator)):
        row(f"{label}:  {value}")
    y += mm(3)
    row(receipt.amount, 16, bold=True, height=10, align=center)
    row(receipt.state, 9, bold=True, align=center)
    y += mm(4)
    row("Thank you. Keep this receipt.", 8, align=center)


def export_receipt_pdf(receipt: Receipt, path: Path) -> None:
    writer = QPdfWriter(str(path))
    writer.setResolution(PDF_DPI)
    writer.setPageLayout(receipt_layout())
    writer.setTitle(f"Parking receipt {receipt.number}")
    writer.setCreator("CVSecurity console")
    _paint(writer, lambda painter: paint_receipt(painter, receipt))


_COLUMNS: tuple[tuple[str, int], ...] = (  # heading, share of the width in percent
    ("Receipt", 20), ("Taken at", 17), ("Operator", 14), ("Plate", 15), ("Parked", 12), ("Type", 8),
    ("Amount", 14),
)


def paint_cashup(painter: QPainter, device: QPagedPaintDevice, cashup: CashUp, currency: CurrencyFormat, *,
                 site: str = "", printed_by: str = "") -> None:
    mm = _mm(painter)
    width = mm(210) - mm(30)
    left = mm(15)
    bottom = mm(297) - mm(15)
    y = mm(15)

    def text(value: str, points: int = 9, *, bold: bool = False, height: float = 6) -> None:
        nonlocal y
        _line(painter, QRectF(left, y, width, mm(height)), value, points, bold=bold)
        y += mm(height)

    def table(rows: Sequence[PaymentRecord]) -> None:
        nonlocal y
        for record in (None, *rows):
            if y + mm(6) > bottom:
                device.newPage()
                y = mm(15)
            cells = ([h for h, _ in _COLUMNS] if record is None else
                     [record.receipt, record.taken_at, record.operator, record.plate, record.parked,
                      record.payment_type, currency.format(record.money)])
            x = left
            for (heading, share), cell in zip(_COLUMNS, cells, strict=True):
                w = width * share / 100
                align = Qt.AlignmentFlag.AlignRight if heading == "Amount" else Qt.AlignmentFlag.AlignLeft
                _line(painter, QRectF(x, y, w - mm(1), mm(6)), cell, 8, bold=record is None, align=align)
                x += w
            y += mm(6)

    text(f"Cash-up{': ' + site if site else ''}", 14, bold=True, height=9)
    who = cashup.operator or "every operator"
    text(f"{cashup.since:%Y-%m-%d %H:%M} to {cashup.until:%Y-%m-%d %H:%M}, {who}; printed by {printed_by}")
    y += mm(3)
    text(f"Payments: {len(cashup.paid)}, total {currency.format(cashup.total)}", 11, bold=True, height=8)
    for operator, (count, amount) in cashup.by_operator().items():
        text(f"    {operator}: {count} payments, {currency.format(amount)}")
    y += mm(3)
    table(cashup.paid)
    if cashup.uncertain:
        y += mm(5)
        text(f"UNCERTAIN, not counted above: {len(cashup.uncertain)} payments, "
             f"{currency.format(cashup.uncertain_total)}. Settle them or check them on the server.", 10, bold=True)
        table(cashup.uncertain)


def export_cashup_pdf(cashup: CashUp, path: Path, currency: CurrencyFormat, *, site: str = "",
                      printed_by: str = "") -> None:
    writer = QPdfWriter(str(path))
    writer.setResolution(PDF_DPI)
    writer.setPageLayout(cashup_layout())
    writer.setTitle("Parking cash-up")
    writer.setCreator("CVSecurity console")
    _paint(writer, lambda painter: paint_cashup(painter, writer, cashup, currency, site=site, printed_by=printed_by))
