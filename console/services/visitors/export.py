"""The evacuation list as CSV: who is in the building, for the fire warden's spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path
from typing import Final

from console.services.events.export import safe_cell
from console.services.settings import atomic_write

from .form import cert_type_words
from .store import OnSiteVisit

__all__ = ["EVACUATION_COLUMNS", "evacuation_rows", "write_evacuation_csv"]

EVACUATION_COLUMNS: Final = (
    "visitor", "company", "visitors", "host", "host department", "document", "document number", "phone",
    "registered at", "until",
)


def evacuation_rows(visits: Iterable[OnSiteVisit]) -> list[list[str]]:
    rows: list[list[str]] = []
    for visit in visits:
        form = visit.visit_form
        rows.append([
            form.visitor_name.strip(), form.company.strip(), form.visitor_count.strip() or "1",
            f"{form.host_name} [{form.host_pin}]" if form.host_name else form.host_pin, form.host_dept,
            cert_type_words(form.cert_type), form.cert_number, form.phone.strip(), visit.registered_at[:16],
            form.end[:16],
        ])
    return rows


def write_evacuation_csv(visits: Iterable[OnSiteVisit], path: Path) -> int:
    """Write the list to ``path`` (UTF-8 with BOM, formula-safe cells, atomically); returns the row count."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EVACUATION_COLUMNS)
    rows = evacuation_rows(visits)
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    atomic_write(path, ("\ufeff" + out.getvalue()).encode("utf-8"), mode=0o600)
    return len(rows)
