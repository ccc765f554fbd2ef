"""Bulk onboarding: a CSV of people, previewed and checked row by row, sent in batches with 2.14.14.

:func:`read_csv` turns the text into rows, each with its :class:`PersonForm` and its problems (the same rules
as the form, plus a PIN twice in the file). :class:`BulkImport` then sends the valid rows in batches:

* a batch the server accepts: its rows are ``done``;
* a batch the server refuses: the server refuses a whole batch for one bad row (the simulator adds nothing
  then), so the batch is split in halves until the refused rows are alone, each ``refused`` with the reason;
* a batch that could not reach the server: its rows stay ``ready``; the run stops (retry later);
* a batch whose answer was lost: its rows are ``uncertain`` and the run stops. The next run first reads those
  people back (2.14.12 by pins) and marks each ``done`` or ``ready``: nothing is ever sent twice.

Every batch is audited (its PINs, the result; never passwords).
"""

from __future__ import annotations

import csv
import io
import logging
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from console.api.errors import ApiError, CVSecError
from console.services.audit import AuditError, Auditor, AuditTicket, begin
from console.services.outcome import Outcome
from console.services.text import clean_text

from .desk import EnrolmentDesk, _same
from .form import PersonForm, basic_body, main_body, validate
from .refusals import refusal_for

__all__ = ["BATCH", "BulkImport", "BulkReport", "CsvRow", "read_csv"]

log = logging.getLogger(__name__)

BATCH: Final = 100
MAX_ROWS: Final = 20_000
MAX_BYTES: Final = 16 * 1024 * 1024
RowState = Literal["ready", "invalid", "done", "refused", "uncertain"]

_HEADERS: Final = {
    "pin": "pin", "personnel number": "pin", "name": "name", "first name": "name", "firstname": "name",
    "last name": "last_name", "lastname": "last_name", "last_name": "last_name", "gender": "gender",
    "department": "dept_code", "dept": "dept_code", "deptcode": "dept_code", "dept_code": "dept_code",
    "card": "card_no", "card number": "card_no", "cardno": "card_no", "card_no": "card_no",
    "levels": "level_ids", "access levels": "level_ids", "acclevelids": "level_ids", "level_ids": "level_ids",
    "start": "start", "valid from": "start", "end": "end", "valid until": "end", "mobile": "mobile",
    "mobilephone": "mobile", "email": "email", "e-mail": "email",
}


@dataclass
class CsvRow:
    line: int  # the line in the file (1 is the header)
    form: PersonForm
    problems: dict[str, str] = field(default_factory=dict)
    state: RowState = "ready"
    reason: str = ""

    @property
    def pin(self) -> str:
        return self.form.pin


@dataclass(frozen=True)
class BulkReport:
    kind: Outcome  # DONE: every valid row was sent; NOT_SENT / UNCERTAIN: the run stopped, run again later
    counts: dict[str, int]
    message: str


def read_csv(
    text: str,
    *,
    departments: Collection[str] | None = None,
    levels: Collection[str] | None = None,
) -> list[CsvRow]:
    """The rows of a CSV (a header line first; ``,`` or ``;``), each checked. Raises ValueError for a file that
    is not a people CSV (no PIN column, too large)."""
    if len(text) > MAX_BYTES:
        raise ValueError("the file is larger than 16 MB: split it")
    sample = text[:4096]
    dialect = csv.excel
    if sample.count(";") > sample.count(","):
        dialect = csv.excel
        reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";")
    else:
        reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), dialect)
    try:
        header = next(reader)
    except StopIteration:
        raise ValueError("the file is empty") from None
    columns = [_HEADERS.get(h.strip().casefold()) for h in header]
    if "pin" not in columns:
        raise ValueError("the first line must name the columns, with one called PIN")
    rows: list[CsvRow] = []
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise ValueError(f"more than {MAX_ROWS:,} people: split the file")
        values: dict[str, Any] = {}
        for column, cell in zip(columns, cells, strict=False):
            if column == "level_ids":
                values[column] = tuple(x.strip() for x in cell.replace("|", ";").split(";") if x.strip())
            elif column is not None:
                values[column] = cell.strip()[:256]
        form = PersonForm(**values).cleaned()
        rows.append(CsvRow(number, form, validate(form, departments=departments, levels=levels)))
    twice = Counter(r.pin for r in rows if r.pin)
    for row in rows:
        if row.pin and twice[row.pin] > 1:
            row.problems["pin"] = "this PIN is in the file more than once"
        if row.problems:
            row.state = "invalid"
            row.reason = "; ".join(row.problems.values())
    return rows


def _wire(form: PersonForm) -> dict[str, Any]:
    body = main_body(form)
    extra = basic_body(form) or {}
    return {**body, **extra}


class BulkImport:
    """One CSV's rows and what became of each; :meth:`run` may be called again after a stop."""

    def __init__(self, desk: EnrolmentDesk, rows: Sequence[CsvRow], *, batch: int = BATCH,
                 audit: Auditor | None = None) -> None:
        self.desk = desk
        self.rows = list(rows)
        self.batch = max(1, min(batch, 500))
        self.audit = audit if audit is not None else desk.audit

    def counts(self) -> dict[str, int]:
        out = Counter(r.state for r in self.rows)
        return {state: out.get(state, 0) for state in ("ready", "invalid", "done", "refused", "uncertain")}

    def _begin(self, rows: Sequence[CsvRow], action: str = "person.bulk") -> AuditTicket:
        """The batch's audit row, written before it is sent (``AuditError``: do not send)."""
        pins = [r.pin for r in rows]
        return begin(self.audit, action, f"{len(pins)} people", {"pins": ",".join(pins)[:4000]},
                     operator=self.desk.operator, profile=self.desk.profile)

    def _record(self, rows: Sequence[CsvRow], result: str) -> None:
        """A row for what the console found (settling a lost answer): nothing is sent."""
        try:
            self._begin(rows, "person.bulk.settled").complete(result)
        except AuditError:
            log.exception("the audit log could not record a bulk batch")

    async def _settle(self) -> bool:
        """Read back the rows whose answer was lost; False when the server cannot be asked."""
        waiting = [r for r in self.rows if r.state == "uncertain"]
        for start in range(0, len(waiting), 200):
            chunk = waiting[start : start + 200]
            try:
                page = await self.desk.client.persons(pins=[r.pin for r in chunk], page_size=len(chunk))
            except CVSecError:
                return False
            known = {p.pin: p for p in page.items}
            for row in chunk:
                person = known.get(row.pin)
                row.state = "done" if person is not None and _same(person, row.form, "2.14.1") else "ready"
            self._record(chunk, "settled")
        return True

    async def _send(self, rows: list[CsvRow]) -> Outcome:
        try:
            ticket = self._begin(rows)
        except AuditError as exc:  # no record, no send
            for row in rows:
                row.reason = f"not sent: {exc}"
            return Outcome.NOT_SENT
        try:
            await self.desk.client.call("2.14.14", body=[_wire(r.form) for r in rows])
        except ApiError as exc:
            ticket.complete(f"refused {exc.code}")
            if len(rows) == 1:
                refusal = refusal_for(exc)
                rows[0].state = "refused"
                rows[0].reason = refusal.text
                return Outcome.REFUSED
            half = len(rows) // 2
            for part in (rows[:half], rows[half:]):
                outcome = await self._send(part)
                if outcome in (Outcome.NOT_SENT, Outcome.UNCERTAIN):
                    return outcome
            return Outcome.REFUSED
        except CVSecError as exc:
            outcome = Outcome.of(exc)
            if outcome is Outcome.UNCERTAIN:
                for row in rows:
                    row.state = "uncertain"
            elif outcome is Outcome.REFUSED:  # a refused token: nothing of this batch happened
                for row in rows:
                    row.reason = clean_text(str(exc), limit=200)
            ticket.complete(f"{outcome.value}: {clean_text(str(exc), limit=200)}")
            return outcome if outcome is not Outcome.REFUSED else Outcome.NOT_SENT
        for row in rows:
            row.state = "done"
            row.reason = ""
        ticket.complete("ok")
        return Outcome.DONE

    async def run(self) -> BulkReport:
        """Send every ``ready`` row, in batches; rows already ``done`` are never sent again."""
        if not await self._settle():
            return BulkReport(Outcome.UNCERTAIN, self.counts(),
                              "The server cannot be asked about the last batch yet: try again in a moment.")
        ready = [r for r in self.rows if r.state == "ready"]
        for start in range(0, len(ready), self.batch):
            outcome = await self._send(ready[start : start + self.batch])
            if outcome is Outcome.NOT_SENT:
                return BulkReport(outcome, self.counts(), "The server could not be reached: the rest was not "
                                  "sent. Import again later: rows already done will not be sent again.")
            if outcome is Outcome.UNCERTAIN:
                return BulkReport(outcome, self.counts(), "A batch's answer was lost: import again to check "
                                  "those people with the server (they will not be sent twice).")
        counts = self.counts()
        return BulkReport(Outcome.DONE, counts, f"{counts['done']} people imported, {counts['refused']} refused by "
                          f"the server, {counts['invalid']} not sent (errors in the file).")
