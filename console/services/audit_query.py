"""Reading the audit log at the desk: filter rows by operator, action, target and time; write them as CSV.

Plain Python over :meth:`console.services.audit.AuditLog.rows` (no Qt): the audit viewer
(:mod:`console.ui.audit_viewer`) shows what :func:`select` returns and saves it with :func:`write_csv`. Every
field is cleaned for display (:func:`console.services.text.clean_text`: the target or the result may quote the
server); CSV cells are formula-safe.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .audit import AuditRow
from .events.export import safe_cell
from .settings import atomic_write
from .text import clean_text

__all__ = ["COLUMNS", "AuditFilter", "cells", "select", "write_csv"]

COLUMNS = ("Time", "Operator", "Profile", "Action", "Target", "Result", "Parameters")


@dataclass(frozen=True, slots=True)
class AuditFilter:
    """Words to look for (case-insensitive, anywhere in the field; empty: any) and a time range (inclusive)."""

    operator: str = ""
    action: str = ""
    target: str = ""
    since: datetime | None = None
    until: datetime | None = None

    def matches(self, row: AuditRow) -> bool:
        for wanted, value in ((self.operator, row.operator), (self.action, row.action), (self.target, row.target)):
            if wanted.strip() and wanted.strip().casefold() not in value.casefold():
                return False
        at = row.at
        if self.since is not None and at < _aware(self.since, at):
            return False
        return not (self.until is not None and at > _aware(self.until, at))

    @property
    def empty(self) -> bool:
        return not (self.operator.strip() or self.action.strip() or self.target.strip() or self.since or self.until)

    def words(self) -> str:
        """What the filter asks for, in words ("operator 'ann', since 2026-05-01 19:00")."""
        parts = [f"{name} {value.strip()!r}" for name, value in
                 (("operator", self.operator), ("action", self.action), ("target", self.target)) if value.strip()]
        if self.since is not None:
            parts.append(f"since {self.since:%Y-%m-%d %H:%M}")
        if self.until is not None:
            parts.append(f"until {self.until:%Y-%m-%d %H:%M}")
        return ", ".join(parts)


def _aware(moment: datetime, like: datetime) -> datetime:
    if moment.tzinfo is None and like.tzinfo is not None:
        return moment.astimezone()  # naive: the desk's local time
    return moment


def select(rows: Iterable[AuditRow], wanted: AuditFilter) -> list[AuditRow]:
    """The rows ``wanted`` matches, newest first."""
    return sorted((r for r in rows if wanted.matches(r)), key=lambda r: r.seq, reverse=True)


def cells(row: AuditRow) -> tuple[str, ...]:
    """One row as the viewer and the CSV show it (plain text, cut to a sane length)."""
    params = {k: v for k, v in row.params.items() if k != "operator"}
    return (
        row.at.strftime("%Y-%m-%d %H:%M:%S"),
        clean_text(row.operator, 80),
        clean_text(row.profile, 80),
        clean_text(row.action, 80),
        clean_text(row.target, 300),
        clean_text(row.result, 500),
        clean_text(json.dumps(params, ensure_ascii=False, sort_keys=True, default=str), 1000) if params else "",
    )


def write_csv(rows: Sequence[AuditRow], path: Path) -> int:
    """``rows`` as CSV (UTF-8 with BOM for spreadsheets, formula-safe cells); the number of rows written."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([safe_cell(c) for c in cells(row)])
    atomic_write(path, ("\ufeff" + out.getvalue()).encode("utf-8"), mode=0o600)
    return len(rows)
