"""Bulk onboarding: a CSV of people, previewed and checked row by row, sent in batches with 2.14.14.

:func:`read_csv` turns the text into rows, each with its :class:`PersonForm` and its problems (the same rules
as the form, plus a PIN twice in the file). :class:`BulkImport` then sends the valid rows in batches:

* a batch the server accepts: its rows are ``done``;
* a batch the server refuses: the server refuses a whole batch for one bad row (the simulator adds nothing
  then), so the batch is split in halves until the refused rows are alone, each ``refused`` with the reason;
* a batch that could not reach the server: its rows stay ``ready``; the run stops (retry later);
* a batch whose answer was lost: its rows are ``uncertain`` and the run stops. The next run first reads those
  people back (2.14.12 filtered by their PINs, 200 a call) and marks each ``done`` (the server has the person
  as sent: ``settled``) or ``ready`` (it does not): a row found missing is *offered* again (the run that read it
  back does not send it; the operator's next "Import" does). Nothing is ever sent twice, nor automatically.

With an :class:`~console.services.enrolment.ledger.ImportLedger` (the panel always gives one), what became of
each row is also on disk, keyed by the file's SHA-256 and the row's PIN, so that the same holds after a restart:
rows accepted earlier are not sent again, refused ones keep their reason, and a batch that was on its way when
the answer was lost (or the console stopped) is ``uncertain`` (written before it is sent) and read back first.

Every batch is audited (its PINs, the result; never passwords), and so is every read-back.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Literal

from console.api.errors import ApiError, CVSecError
from console.services.audit import AuditError, Auditor, AuditTicket, begin
from console.services.events.export import safe_cell
from console.services.outcome import Outcome
from console.services.settings import atomic_write
from console.services.text import clean_text

from .desk import EnrolmentDesk, _same
from .form import PersonForm, basic_body, main_body, validate
from .ledger import ImportLedger, accepted_elsewhere
from .refusals import refusal_for

__all__ = ["BATCH", "BulkImport", "BulkReport", "CsvRow", "read_csv", "row_status", "write_report_csv"]

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
    settled: bool = False  # its batch's answer was lost; a re-read of the server found it (``done``) or not
    earlier: bool = False  # its state comes from an earlier import of the same file (the ledger)
    elsewhere: bool = False  # the same row, accepted from another file (a corrected copy): not sent again

    @property
    def pin(self) -> str:
        return self.form.pin


@dataclass(frozen=True)
class BulkReport:
    kind: Outcome  # DONE: every valid row was sent; NOT_SENT / UNCERTAIN: the run stopped, run again later
    counts: dict[str, int]
    message: str
    settled: tuple[int, ...] = ()  # lines whose lost answer this run settled by re-reading: found on the server
    missing: tuple[int, ...] = ()  # lines whose lost answer this run settled: not on the server, offered again


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


def row_status(row: CsvRow) -> str:
    """What became of ``row``, in words (the import dialog's status column and the report's)."""
    if row.state == "ready":
        return f"valid, not sent yet ({row.reason})" if row.reason else "valid, not sent yet"
    if row.state == "invalid":
        return f"invalid: {row.reason}"
    if row.state == "done":
        if row.settled:
            return "answer lost; the server has this person (settled by re-reading, not sent again)"
        if row.elsewhere:
            return "accepted in an earlier import of another file (the same row): not sent again"
        return "accepted in an earlier import of this file" if row.earlier else "sent, added"
    if row.state == "refused":
        return f"refused: {row.reason}" + (" (an earlier import of this file)" if row.earlier else "")
    return "answer lost: checked with the server on the next import (never sent twice)"


REPORT_COLUMNS: Final = ("line", "pin", "name", "state", "status")


def write_report_csv(rows: Sequence[CsvRow], path: Path) -> int:
    """The import's rows and what became of each, as CSV (UTF-8 with BOM, formula-safe cells); the number of
    rows written."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(REPORT_COLUMNS)
    for row in rows:
        name = " ".join(p for p in (row.form.name, row.form.last_name) if p)
        writer.writerow([safe_cell(c) for c in (str(row.line), row.pin, name, row.state, row_status(row))])
    atomic_write(path, ("\ufeff" + out.getvalue()).encode("utf-8"), mode=0o600)
    return len(rows)


def _wire(form: PersonForm) -> dict[str, Any]:
    body = main_body(form)
    extra = basic_body(form) or {}
    return {**body, **extra}


_UNDIGESTED: Final = frozenset({"personPwd", "personPhoto", "photo", "password"})


def row_digest(form: PersonForm) -> str:
    """SHA-256 of what is sent for ``form``, without the personal password or a photo (kept in the ledger)."""
    body = {k: v for k, v in _wire(form).items() if k not in _UNDIGESTED}
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode("utf-8")).hexdigest()


class BulkImport:
    """One CSV's rows and what became of each; :meth:`run` may be called again after a stop."""

    def __init__(self, desk: EnrolmentDesk, rows: Sequence[CsvRow], *, batch: int = BATCH,
                 audit: Auditor | None = None, ledger: ImportLedger | None = None) -> None:
        self.desk = desk
        self.rows = list(rows)
        self.batch = max(1, min(batch, 500))
        self.audit = audit if audit is not None else desk.audit
        self.ledger = ledger
        if ledger is not None:
            self._restore(ledger)

    def _restore(self, ledger: ImportLedger) -> None:
        """The states of an earlier import of this file (after a restart, or another dialog)."""
        others: set[tuple[str, str]] | None = None
        for row in self.rows:
            if row.state != "ready":
                continue
            if ledger.damaged:  # nothing can be known: read everyone back before sending anything
                row.state, row.earlier = "uncertain", True
                continue
            entry = ledger.get(row.pin)
            if entry is None:
                if others is None:
                    others = accepted_elsewhere(ledger.path.parent, exclude=ledger.key)
                if others and (row.pin, row_digest(row.form)) in others:
                    row.state, row.earlier, row.elsewhere = "done", True, True
                continue
            row.earlier = True
            row.settled = entry.settled
            if entry.state == "accepted":
                row.state, row.reason = "done", ""
            elif entry.state == "refused":
                row.state, row.reason = "refused", entry.reason
            else:
                row.state = "uncertain"

    def earlier(self) -> dict[str, int]:
        """How many rows an earlier import of this file already settled, by state."""
        out = Counter(r.state for r in self.rows if r.earlier)
        return {state: out.get(state, 0) for state in ("done", "refused", "uncertain")}

    def _note(self, rows: Sequence[CsvRow], state: Any, reason: str = "", *, settled: bool = False) -> bool:
        """Write ``rows``' state to the ledger; False (logged) when it cannot be written."""
        if self.ledger is None:
            return True
        try:
            self.ledger.mark([r.pin for r in rows], state, reason, settled=settled,
                             digests={r.pin: row_digest(r.form) for r in rows} if state == "accepted" else None)
        except OSError as exc:
            log.error("the import ledger %s could not be written: %s", self.ledger.path, exc)
            return False
        return True

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

    async def _settle(self) -> tuple[list[CsvRow], list[CsvRow]] | None:
        """Read back the rows whose answer was lost: ``(found, missing)``; None when the server cannot be
        asked (the rows stay ``uncertain``)."""
        waiting = [r for r in self.rows if r.state == "uncertain"]
        found: list[CsvRow] = []
        missing: list[CsvRow] = []
        for start in range(0, len(waiting), 200):
            chunk = waiting[start : start + 200]
            try:
                page = await self.desk.client.persons(pins=[r.pin for r in chunk], page_size=len(chunk))
            except CVSecError:
                return None
            known = {p.pin: p for p in page.items}
            here = [r for r in chunk if (p := known.get(r.pin)) is not None and _same(p, r.form, "2.14.1")]
            gone = [r for r in chunk if r not in here]
            for row in here:
                row.state, row.reason, row.settled = "done", "", True
            for row in gone:
                row.state, row.settled = "ready", True
                row.reason = ("its answer was lost and the server does not have it as in the file: "
                              "import again to send it")
            self._note(here, "accepted", settled=True)
            self._note(gone, None)
            self._record(chunk, f"settled: {len(here)} on the server, {len(gone)} not")
            found += here
            missing += gone
        return found, missing

    async def _send(self, rows: list[CsvRow]) -> Outcome:
        if not self._note(rows, "uncertain"):  # written before it leaves: a crash mid-batch is read back later
            for row in rows:
                row.reason = "not sent: the import's progress could not be saved in the data folder"
            return Outcome.NOT_SENT
        try:
            ticket = self._begin(rows)
        except AuditError as exc:  # no record, no send
            for row in rows:
                row.reason = f"not sent: {exc}"
            self._note(rows, None)
            return Outcome.NOT_SENT
        try:  # (cancelled while out: the rows stay "uncertain" in the ledger, read back at the next run)
            with ticket.uncertain_if_cancelled():
                await self.desk.client.call("2.14.14", body=[_wire(r.form) for r in rows])
        except ApiError as exc:
            ticket.complete(f"refused {exc.code}")
            if len(rows) == 1:
                refusal = refusal_for(exc)
                rows[0].state = "refused"
                rows[0].reason = refusal.text
                self._note(rows, "refused", refusal.text)
                return Outcome.REFUSED
            self._note(rows, None)  # nothing of a refused batch happened: its halves are sent on their own
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
                    row.state = "uncertain"  # the ledger says so already
            else:  # not sent, or a refused token: nothing of this batch happened
                self._note(rows, None)
                if outcome is Outcome.REFUSED:
                    for row in rows:
                        row.reason = clean_text(str(exc), limit=200)
            ticket.complete(f"{outcome.value}: {clean_text(str(exc), limit=200)}")
            return outcome if outcome is not Outcome.REFUSED else Outcome.NOT_SENT
        for row in rows:
            row.state = "done"
            row.reason = ""
            row.settled = row.earlier = row.elsewhere = False
        ticket.complete("ok")
        self._note(rows, "accepted")
        return Outcome.DONE

    async def run(self, progress: Callable[[], None] | None = None) -> BulkReport:
        """Send every ``ready`` row, in batches; rows already ``done`` are never sent again. ``progress`` is
        called after each batch (the rows' states have changed).

        Rows whose answer was lost are read back first; those the server does not have are not sent by this
        run (they are offered: the next run sends them)."""
        settled = await self._settle()
        if settled is None:
            return BulkReport(Outcome.UNCERTAIN, self.counts(),
                              "The server cannot be asked about the rows whose answer was lost: nothing was "
                              "sent. Try again in a moment.")
        found, missing = settled
        lines = (tuple(r.line for r in found), tuple(r.line for r in missing))
        if progress is not None and (found or missing):
            progress()
        held = {id(r) for r in missing}
        ready = [r for r in self.rows if r.state == "ready" and id(r) not in held]
        for start in range(0, len(ready), self.batch):
            outcome = await self._send(ready[start : start + self.batch])
            if progress is not None:
                progress()
            if outcome is Outcome.NOT_SENT:
                return BulkReport(outcome, self.counts(), self._settled_words(*lines) + "The server could not be "
                                  "reached: the rest was not sent. Import again later: rows already done will "
                                  "not be sent again.", *lines)
            if outcome is Outcome.UNCERTAIN:
                return BulkReport(outcome, self.counts(), self._settled_words(*lines) + "A batch's answer was "
                                  "lost: import again to check those people with the server (they will not be "
                                  "sent twice).", *lines)
        counts = self.counts()
        words = (f"{counts['done']} people imported, {counts['refused']} refused by the server, "
                 f"{counts['invalid']} not sent (errors in the file).")
        if missing:
            noun = "row" if len(missing) == 1 else "rows"
            words += f" {len(missing)} {noun} not on the server after a lost answer: import again to send them."
        return BulkReport(Outcome.DONE, counts, self._settled_words(*lines) + words, *lines)

    @staticmethod
    def _settled_words(found: Sequence[int], missing: Sequence[int]) -> str:
        if not found and not missing:
            return ""
        parts = []
        if found:
            parts.append(f"{len(found)} found on the server (lines {_spans(found)}), not sent again")
        if missing:
            parts.append(f"{len(missing)} not on the server (lines {_spans(missing)})")
        return "Rows whose answer was lost, settled by re-reading: " + "; ".join(parts) + ". "


def _spans(lines: Sequence[int]) -> str:
    """``2-101, 205`` for the sorted line numbers (at most 6 spans, then "…")."""
    spans: list[str] = []
    ordered = sorted(lines)
    start = prev = ordered[0]
    for n in [*ordered[1:], None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        spans.append(f"{start}" if start == prev else f"{start}-{prev}")
        if n is not None:
            start = prev = n
    return ", ".join(spans[:6]) + (", …" if len(spans) > 6 else "")
