"""The day's bookings as a printable sheet (PDF) for the front desk: one line per booking, by space and time.

Built as an HTML table for ``QTextDocument`` with every server string escaped, written with ``QPdfWriter``.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QMarginsF
from PySide6.QtGui import QPageLayout, QPageSize, QPdfWriter, QTextDocument

from console.services.spaces import Booking, SpaceInfo

__all__ = ["day_sheet_html", "export_day_sheet"]


def day_sheet_html(day: datetime, spaces: Sequence[SpaceInfo], bookings: Sequence[Booking], *,
                   site: str = "", printed: datetime | None = None) -> str:
    e = html.escape
    names = {s.id: s.name for s in spaces}
    rows = []
    for b in sorted(bookings, key=lambda b: (names.get(b.space_id, b.space_name).casefold(), b.start)):
        guests = f"<br/><i>Visitors: {e('; '.join(b.visitors))}</i>" if b.visitors else ""
        rows.append(
            "<tr>"
            f"<td>{e(names.get(b.space_id, b.space_name))}</td><td>{b.start:%H:%M}-{b.end:%H:%M}</td>"
            f"<td>{e(b.subject)}{guests}</td><td>{e(b.host_label)}</td>"
            f"<td align='right'>{'' if b.participants is None else b.participants + len(b.visitors)}</td>"
            f"<td>{e(b.status_words)}</td><td></td>"
            "</tr>"
        )
    body = "".join(rows) or "<tr><td colspan='7'>No bookings.</td></tr>"
    title = f"Space bookings, {day:%A %d %B %Y}" + (f" — {e(site)}" if site else "")
    stamp = f"Printed {(printed or datetime.now()):%Y-%m-%d %H:%M}. {len(bookings)} bookings."
    return (
        "<html><body style='font-family: sans-serif; font-size: 9pt'>"
        f"<h2>{title}</h2><p>{e(stamp)}</p>"
        "<table border='1' cellspacing='0' cellpadding='3' width='100%'>"
        "<tr><th align='left'>Space</th><th align='left'>Time</th><th align='left'>Subject</th>"
        "<th align='left'>Host</th><th>People</th><th align='left'>Status</th><th align='left'>Arrived</th></tr>"
        f"{body}</table></body></html>"
    )


def export_day_sheet(path: Path, day: datetime, spaces: Sequence[SpaceInfo], bookings: Sequence[Booking], *,
                     site: str = "", printed: datetime | None = None) -> None:
    writer = QPdfWriter(str(path))
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Landscape,
                                     QMarginsF(12, 12, 12, 12), QPageLayout.Unit.Millimeter))
    writer.setTitle(f"Space bookings {day:%Y-%m-%d}")
    writer.setResolution(300)
    document = QTextDocument()
    document.setHtml(day_sheet_html(day, spaces, bookings, site=site, printed=printed))
    document.print_(writer)
