"""An HTML sheet (every server string already escaped by its maker) written as an A4 PDF or printed.

Shared by the audit viewer and the shift handover report: ``QTextDocument`` lays the HTML out, ``QPdfWriter``
writes it, ``QPrinter`` through a print preview (awaited, never ``exec()``) prints it.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMarginsF
from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument
from PySide6.QtPrintSupport import QPrinter, QPrintPreviewDialog
from PySide6.QtWidgets import QWidget

from . import aio

__all__ = ["page_layout", "print_preview", "write_pdf"]


def page_layout(landscape: bool = False) -> QPageLayout:
    orientation = QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait
    return QPageLayout(QPageSize(QPageSize.PageSizeId.A4), orientation, QMarginsF(12, 12, 12, 12),
                       QPageLayout.Unit.Millimeter)


def _document(html_text: str) -> QTextDocument:
    document = QTextDocument()
    document.setHtml(html_text)
    return document


def write_pdf(path: Path, html_text: str, *, title: str, landscape: bool = False) -> None:
    """The sheet as a PDF at ``path`` (``OSError`` when the file cannot be written)."""
    writer = QPdfWriter(str(path))
    writer.setPageLayout(page_layout(landscape))
    writer.setTitle(title)
    writer.setCreator("CVSecurity console")
    writer.setResolution(300)
    _document(html_text).print_(writer)
    del writer  # the file is finished when the writer goes
    if not path.exists() or path.stat().st_size == 0:
        raise OSError(f"{path} was not written")


async def print_preview(parent: QWidget | None, html_text: str, *, title: str, landscape: bool = False) -> int:
    """A print preview of the sheet (print from there); the dialog's result."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageLayout(page_layout(landscape))
    printer.setDocName(title)
    dialog = QPrintPreviewDialog(printer, parent)
    dialog.setWindowTitle(title)
    document = _document(html_text)
    dialog.paintRequested.connect(lambda target: document.print_(target))
    try:
        return await aio.dialog_result(dialog)
    finally:
        dialog.deleteLater()
