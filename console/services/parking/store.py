"""What the parking desk keeps on disk, per connection profile: the payments taken here, and the list entries
and fixed vehicles added here (the API can add and remove them but not list them).

Both files are JSON kept by ``console.services.json_store`` (written atomically, owner-only; a write that fails
raises ``StoreWriteError`` in plain words); amounts are kept as text ("12.50") and read back as
:class:`~decimal.Decimal`. A damaged file is set aside with the time (``<name>.damaged-<time>``), the desk starts
empty, and the book's ``set_aside`` says so, for the operator.

Layout: ``data/profiles/<profile>/parking/payments.json`` and ``.../parking/lists.json``.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Final, Literal

from console.services.files import SetAside
from console.services.json_store import JsonFile, StoreWriteError
from console.services.json_store import record as json_record

from .money import MoneyError, parse_money, to_cents_text

__all__ = ["ListBook", "ListEntry", "PaymentBook", "PaymentRecord", "PaymentState"]

log = logging.getLogger(__name__)

MAX_RECORDS: Final = 20_000
MAX_TEXT: Final = 500  # longest text kept in one field of a record read back
PaymentState = Literal["sending", "done", "uncertain", "not_arrived", "refused", "not_sent"]
OPEN_STATES: Final = frozenset({"sending", "done", "uncertain"})  # a record with one of these is not paid again


def _now() -> str:
    return datetime.now().replace(microsecond=0).isoformat(sep=" ")


@dataclass(frozen=True, slots=True)
class PaymentRecord:
    """One payment taken at this desk. ``receipt`` is its number; ``amount`` the text of a Decimal."""

    receipt: str = ""
    record_id: str = ""
    plate: str = ""
    amount: str = "0.00"
    payment_type: str = ""
    operator: str = ""
    check_in: str = ""
    parked: str = ""
    parked_seconds: str = ""  # the server's time parked when it was billed (settling compares with it)
    car_type: str = ""
    area: str = ""
    taken_at: str = ""
    state: str = "sending"
    settled_at: str = ""
    note: str = ""

    @property
    def money(self) -> Decimal:
        try:
            return parse_money(self.amount)
        except MoneyError:
            return Decimal("0.00")

    @property
    def paid(self) -> bool:
        return self.state == "done"


def _payment(item: object) -> PaymentRecord | None:
    """A payment read back: None without a readable amount; one still ``sending`` becomes ``uncertain``."""
    payment = json_record(PaymentRecord, item, limit=MAX_TEXT)
    if payment is None or not isinstance(item, dict) or "amount" not in item:
        return None
    try:
        payment = replace(payment, amount=to_cents_text(parse_money(payment.amount)))
    except MoneyError:
        return None
    if payment.state == "sending":
        payment = replace(payment, state="uncertain", note="the console stopped before the answer came")
    return payment


class PaymentBook:
    """The payments of one profile, oldest first. A ``sending`` record found at start becomes ``uncertain``
    (the console stopped while the notice was on the wire)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file = JsonFile(path, "parking payments file")
        self.set_aside: list[SetAside] = self._file.set_aside  # a damaged file found at start (for the operator)
        self._records: list[PaymentRecord] = []
        raw = self._file.load()
        counter = 0
        if isinstance(raw, dict):
            counter = raw.get("counter", 0) if isinstance(raw.get("counter"), int) else 0
            for item in raw.get("payments", []) if isinstance(raw.get("payments"), list) else []:
                payment = _payment(item)
                if payment is not None:
                    self._records.append(payment)
        self._counter = max(counter, len(self._records))
        self.unsaved = ""  # why the last change could not be written ("" when it was)

    def _save(self) -> None:
        records = self._records[-MAX_RECORDS:]
        self._file.save({"counter": self._counter, "payments": [asdict(r) for r in records]})

    def all(self) -> list[PaymentRecord]:
        return list(self._records)

    def for_record(self, record_id: str) -> list[PaymentRecord]:
        return [r for r in self._records if r.record_id == record_id]

    def blocking(self, record_id: str) -> PaymentRecord | None:
        """A payment of ``record_id`` that forbids another notice (paid, uncertain, or on the wire)."""
        return next((r for r in reversed(self._records) if r.record_id == record_id and r.state in OPEN_STATES),
                    None)

    def uncertain(self) -> list[PaymentRecord]:
        return [r for r in self._records if r.state == "uncertain"]

    def new(self, **values: str) -> PaymentRecord:
        """A new payment in state ``sending``, saved before the notice goes out (:class:`StoreWriteError` when it
        cannot be: then the notice must not go out, and the payment is not kept)."""
        self._counter += 1
        stamp = datetime.now()
        receipt = f"P{stamp:%Y%m%d}-{self._counter:05d}-{uuid.uuid4().hex[:4].upper()}"
        values.setdefault("taken_at", _now())
        record = PaymentRecord(receipt=receipt, state="sending", **values)
        self._records.append(record)
        try:
            self._save()
        except StoreWriteError:
            self._records.pop()
            raise
        return record

    def update(self, receipt: str, **changes: str) -> PaymentRecord:
        """Change a payment after its notice left. A file that cannot be written does not raise (the server's
        answer must still be audited and shown): the change holds in memory, :attr:`unsaved` says why, and the
        file keeps the earlier state (``sending`` is read back as ``uncertain``, settled by billing again)."""
        for i, record in enumerate(self._records):
            if record.receipt == receipt:
                self._records[i] = replace(record, **changes)
                try:
                    self._save()
                    self.unsaved = ""
                except StoreWriteError as exc:
                    self.unsaved = str(exc)
                    log.error("payment %s (%s) is not saved: %s", receipt, changes.get("state", ""), exc)
                return self._records[i]
        raise KeyError(receipt)

    def get(self, receipt: str) -> PaymentRecord | None:
        return next((r for r in self._records if r.receipt == receipt), None)


ListKind = Literal["allowed", "denied", "fixed", "person"]


@dataclass(frozen=True, slots=True)
class ListEntry:
    """A plate put on a list from this desk: ``kind`` allowed/denied (2.41.9), fixed (2.41.10), person (2.36.3)."""

    kind: str = ""
    plate: str = ""
    start: str = ""
    end: str = ""
    pin: str = ""
    area: str = ""
    added_by: str = ""
    added_at: str = ""


class ListBook:
    """The list entries and fixed vehicles added from this desk, by (kind, compact plate)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file = JsonFile(path, "parking lists file")
        self.set_aside: list[SetAside] = self._file.set_aside  # a damaged file found at start (for the operator)
        self._entries: list[ListEntry] = []
        raw = self._file.load()
        for item in raw if isinstance(raw, list) else []:
            entry = json_record(ListEntry, item, limit=MAX_TEXT)
            if entry is not None and entry.kind and entry.plate:
                self._entries.append(entry)

    def all(self, kind: str | None = None) -> list[ListEntry]:
        return [e for e in self._entries if kind is None or e.kind == kind]

    def put(self, entry: ListEntry) -> None:
        self._entries = [e for e in self._entries if not (e.kind == entry.kind and e.plate == entry.plate)]
        self._entries.append(replace(entry, added_at=entry.added_at or _now()))
        self._file.save([asdict(e) for e in self._entries])

    def remove(self, kind: str, plate: str) -> None:
        self._entries = [e for e in self._entries if not (e.kind == kind and e.plate == plate)]
        self._file.save([asdict(e) for e in self._entries])
