"""Paper: the visitor badge and the evacuation list, to a PDF file or a printer (with a preview).

Everything is painted with ``QPainter`` on a paged device, in millimetres, so the PDF (``QPdfWriter``), the
preview and the printer show the same page. Text from the server is drawn as plain text (``drawText`` never
interprets markup) and elided to its box. The preview is a ``QPrintPreviewDialog`` shown with ``open()`` and
awaited: no nested event loop inside a coroutine (FIELD-NOTES).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QMarginsF, QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QImageReader,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
)
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QWidget

from console.services.visitors import OnSiteVisit
from console.ui import aio

from .qr import qr_image

__all__ = [
    "BADGE_SIZE_MM",
    "Badge",
    "badge_layout",
    "evacuation_layout",
    "export_badge_pdf",
    "export_evacuation_pdf",
    "load_logo",
    "page_rect",
    "paint_badge",
    "paint_evacuation",
    "preview",
]

log = logging.getLogger(__name__)

BADGE_SIZE_MM = QSizeF(54.0, 85.6)  # an ID-1 (CR80) card, portrait: fits every badge holder and card printer
PDF_DPI = 300
MAX_LOGO_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Badge:
    name: str
    company: str
    host: str
    valid_from: str
    valid_until: str
    qr_value: str
    site_name: str = ""
    logo_path: str = ""
    visitors: int = 1


def badge_layout() -> QPageLayout:
    size = QPageSize(BADGE_SIZE_MM, QPageSize.Unit.Millimeter, "Visitor badge (CR80)")
    return QPageLayout(size, QPageLayout.Orientation.Portrait, QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Millimeter)


def evacuation_layout() -> QPageLayout:
    return QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
                       QMarginsF(12, 12, 12, 12), QPageLayout.Unit.Millimeter)


def load_logo(path: str) -> QImage | None:
    """The site's logo (PNG or JPEG only, at most 2 MB and 4000 px a side), or None."""
    if not path:
        return None
    file = Path(path).expanduser()
    try:
        if not file.is_file() or file.stat().st_size > MAX_LOGO_BYTES:
            return None
    except OSError:
        return None
    reader = QImageReader(str(file))
    reader.setAllocationLimit(64)  # MB
    if bytes(reader.format().data()).lower() not in (b"png", b"jpeg", b"jpg"):
        return None
    size = reader.size()
    if not size.isValid() or size.width() > 4000 or size.height() > 4000:
        return None
    image = reader.read()
    return None if image.isNull() else image


class _Mm:
    """Millimetres to device pixels for one paint device."""

    def __init__(self, device: QPagedPaintDevice | QPainter) -> None:
        dev = device.device() if isinstance(device, QPainter) else device
        self.dpi = float(dev.logicalDpiX()) if dev is not None else 72.0

    def __call__(self, mm: float) -> float:
        return mm * self.dpi / 25.4


def _font(points: float, *, bold: bool = False) -> QFont:
    font = QFont()
    font.setPointSizeF(points)
    font.setBold(bold)
    return font


def _text(painter: QPainter, rect: QRectF, text: str, font: QFont, *,
          align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft, color: QColor | None = None) -> None:
    """One line of plain text, elided to ``rect``'s width."""
    painter.setFont(font)
    painter.setPen(color or QColor("black"))
    metrics = QFontMetricsF(font, painter.device())
    line = " ".join(text.split())
    elided = metrics.elidedText(line, Qt.TextElideMode.ElideRight, rect.width())
    painter.drawText(rect, int(align | Qt.AlignmentFlag.AlignVCenter), elided)


def paint_badge(painter: QPainter, page: QRectF, badge: Badge) -> None:
    """Paint one badge filling ``page`` (device pixels of a 54 x 85.6 mm page)."""
    mm = _Mm(painter)
    margin = mm(3)
    x, width = page.x() + margin, page.width() - 2 * margin
    y = page.y() + margin
    painter.fillRect(page, QColor("white"))
    # header: logo left, VISITOR right, on a dark band so that it reads at a glance
    band = QRectF(page.x(), page.y(), page.width(), mm(13))
    painter.fillRect(band, QColor("#1d3557"))
    logo = load_logo(badge.logo_path)
    text_left = x
    if logo is not None:
        box = QRectF(x, band.y() + mm(1.5), mm(16), band.height() - mm(3))
        scaled = logo.scaled(int(box.width()), int(box.height()), Qt.AspectRatioMode.KeepAspectRatio,
                             Qt.TransformationMode.SmoothTransformation)
        painter.drawImage(QPointF(box.x(), box.y() + (box.height() - scaled.height()) / 2), scaled)
        text_left = box.right() + mm(2)
    head = QRectF(text_left, band.y() + mm(1), page.right() - margin - text_left, mm(7))
    _text(painter, head, "VISITOR", _font(13, bold=True), align=Qt.AlignmentFlag.AlignRight, color=QColor("white"))
    if badge.site_name:
        _text(painter, QRectF(text_left, head.bottom(), head.width(), mm(4)), badge.site_name, _font(6),
              align=Qt.AlignmentFlag.AlignRight, color=QColor("white"))
    y = band.bottom() + mm(2)
    _text(painter, QRectF(x, y, width, mm(7)), badge.name, _font(12, bold=True))
    y += mm(7)
    if badge.company:
        _text(painter, QRectF(x, y, width, mm(4.5)), badge.company, _font(8))
        y += mm(4.5)
    if badge.visitors > 1:
        _text(painter, QRectF(x, y, width, mm(4)), f"Group of {badge.visitors}", _font(7))
        y += mm(4)
    _text(painter, QRectF(x, y, width, mm(4)), f"Host: {badge.host}", _font(7))
    y += mm(4)
    _text(painter, QRectF(x, y, width, mm(4)), f"Valid {badge.valid_from} until {badge.valid_until}", _font(7))
    y += mm(5)
    # the QR code takes the rest, square, centred
    rest = QRectF(x, y, width, page.bottom() - margin - y)
    if badge.qr_value:
        image = qr_image(badge.qr_value)
        side = min(rest.width(), rest.height())
        modules = image.width()
        side = modules * max(1.0, float(int(side / modules)))  # whole device pixels per module
        target = QRectF(rest.center().x() - side / 2, rest.center().y() - side / 2, side, side)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        painter.drawImage(target, image)
        painter.restore()
    else:
        _text(painter, rest, "(no QR code: ask at the desk)", _font(7), align=Qt.AlignmentFlag.AlignCenter)


def _paint_pages(device: QPagedPaintDevice, paint: Callable[[QPainter, QPagedPaintDevice], object]) -> None:
    painter = QPainter()
    if not painter.begin(device):
        raise OSError("cannot paint on this device (is the file writable?)")
    try:
        paint(painter, device)
    finally:
        painter.end()


def page_rect(painter: QPainter) -> QRectF:
    """The printable area of the painter's page, in device pixels."""
    device = painter.device()
    return QRectF(0, 0, device.width(), device.height())


def export_badge_pdf(badge: Badge, path: Path) -> None:
    """Write the badge as a one-page PDF at ``path``."""
    writer = QPdfWriter(str(path))
    writer.setResolution(PDF_DPI)
    writer.setPageLayout(badge_layout())
    writer.setTitle(f"Visitor badge: {badge.name}")
    writer.setCreator("CVSecurity console")
    _paint_pages(writer, lambda painter, _dev: paint_badge(painter, page_rect(painter), badge))


# -- the evacuation list ----------------------------------------------------------------------------

_COLUMNS: tuple[tuple[str, float], ...] = (  # heading, share of the width
    ("✓", 0.04), ("Visitor", 0.20), ("Company", 0.15), ("People", 0.07), ("Host", 0.21), ("Phone", 0.13),
    ("Since", 0.08), ("Until", 0.12),
)


def _row_cells(visit: OnSiteVisit) -> list[str]:
    form = visit.visit_form
    host = form.host_name or form.host_pin
    if form.host_dept:
        host = f"{host} ({form.host_dept})"
    until = form.end[11:16] if form.end[:10] == visit.registered_at[:10] else form.end[5:16]
    return ["☐", form.visitor_name, form.company, form.visitor_count or "1", host, form.phone,
            visit.registered_at[11:16], until]


def paint_evacuation(painter: QPainter, device: QPagedPaintDevice, visits: Sequence[OnSiteVisit], *,
                     site_name: str = "", operator: str = "", now: datetime | None = None) -> int:
    """Paint the list over as many pages as it needs; returns the number of pages."""
    mm = _Mm(painter)
    page = page_rect(painter)
    people = sum(v.visit_form.people() for v in visits)
    stamp = (now or datetime.now()).strftime("%Y-%m-%d %H:%M")
    row_h = mm(7)
    widths = [page.width() * share for _, share in _COLUMNS]
    pages = 1

    def header(first: bool) -> float:
        y = page.y()
        if first:
            _text(painter, QRectF(page.x(), y, page.width(), mm(10)), "Evacuation list: visitors on site",
                  _font(16, bold=True))
            y += mm(10)
            line = f"{site_name + ' · ' if site_name else ''}printed {stamp}"
            line += f" by {operator}" if operator else ""
            line += f" · {len(visits)} registrations, {people} people"
            _text(painter, QRectF(page.x(), y, page.width(), mm(6)), line, _font(9))
            y += mm(8)
        x = page.x()
        painter.fillRect(QRectF(page.x(), y, page.width(), row_h), QColor("#e6e6e6"))
        for (title, _), w in zip(_COLUMNS, widths, strict=True):
            _text(painter, QRectF(x + mm(1), y, w - mm(2), row_h), title, _font(8, bold=True))
            x += w
        return y + row_h

    def footer() -> None:
        _text(painter, QRectF(page.x(), page.bottom() - mm(6), page.width(), mm(6)),
              f"Page {pages} · evacuation list {stamp}", _font(7), align=Qt.AlignmentFlag.AlignRight)

    y = header(True)
    if not visits:
        _text(painter, QRectF(page.x(), y + mm(2), page.width(), row_h), "No visitor is registered as on site.",
              _font(10))
    pen = QPen(QColor("#999999"))
    pen.setWidthF(mm(0.2))
    for index, visit in enumerate(visits):
        if y + row_h > page.bottom() - mm(8):
            footer()
            device.newPage()
            pages += 1
            y = header(False)
        x = page.x()
        if index % 2:
            painter.fillRect(QRectF(page.x(), y, page.width(), row_h), QColor("#f5f5f5"))
        for cell, w in zip(_row_cells(visit), widths, strict=True):
            _text(painter, QRectF(x + mm(1), y, w - mm(2), row_h), cell, _font(9))
            x += w
        painter.setPen(pen)
        painter.drawLine(QPointF(page.x(), y + row_h), QPointF(page.right(), y + row_h))
        y += row_h
    footer()
    return pages


def export_evacuation_pdf(visits: Sequence[OnSiteVisit], path: Path, *, site_name: str = "",
                          operator: str = "") -> None:
    writer = QPdfWriter(str(path))
    writer.setResolution(PDF_DPI)
    writer.setPageLayout(evacuation_layout())
    writer.setTitle("Evacuation list: visitors on site")
    writer.setCreator("CVSecurity console")
    _paint_pages(writer, lambda painter, dev: paint_evacuation(painter, dev, visits, site_name=site_name,
                                                              operator=operator))


# -- printing -------------------------------------------------------------------------------------


async def preview(parent: QWidget | None, title: str, layout: QPageLayout,
                  paint: Callable[[QPainter, QPagedPaintDevice], object]) -> int:
    """A print preview (print from there) shown with ``open()`` and awaited; returns the dialog's result."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageLayout(layout)
    printer.setDocName(title)
    dialog = QPrintPreviewDialog(printer, parent)
    dialog.setWindowTitle(title)

    def render(target: QPrinter) -> None:
        try:
            _paint_pages(target, paint)
        except OSError as exc:
            log.warning("printing %s failed: %s", title, exc)

    dialog.paintRequested.connect(render)
    try:
        return await aio.dialog_result(dialog)
    finally:
        dialog.deleteLater()
