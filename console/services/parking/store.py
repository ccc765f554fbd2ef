"""What the parking desk keeps on disk, per connection profile: the payments taken here, and the list entries
and fixed vehicles added here (the API can add and remove them but not list them).

Both files are JSON written atomically and owner-only; amounts are kept as text ("12.50") and read back as
:class:`~decimal.Decimal`. A damaged file is set aside as ``<name>.bad`` and the desk starts empty.

Layout: ``data/profiles/<profile>/parking/payments.json`` and ``.../parking/lists.json``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import uuid
from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Final, Literal

from console.services.settings import atomic_write

from .money import MoneyError, parse_money, to_cents_text

__all__ = ["ListBook", "ListEntry", "PaymentBook", "PaymentRecord", "PaymentState"]

log = logging.getLogger(__name__)

MAX_RECORDS: Final = 20_000
PaymentState = Literal["sending", "done", "uncertain", "not_arrived", "refused", "not_sent"]
OPEN_STATES: Final = frozenset({"sending", "done", "uncertain"})  # a record with one of these is not paid again


def _now() -> str:
    return datetime.now().replace(microsecond=0).isoformat(sep=" ")


def _read(path: Path) -> Any:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        bad = path.with_name(path.name + ".bad")
        log.warning("%s is damaged; set aside as %s", path, bad.name)
        with contextlib.suppress(OSError):
            os.replace(path, bad)
        return None


def _write(path: Path, data: Any) -> None:
    atomic_write(path, json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))


def _strings(cls: type[Any], raw: Any) -> dict[str, str] | None:
    if not isinstance(raw, dict):
        return None
    return {f.name: str(raw.get(f.name, ""))[:500] for f in fields(cls)}


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


class PaymentBook:
    """The payments of one profile, oldest first. A ``sending`` record found at start becomes ``uncertain``
    (the console stopped while the notice was on the wire)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._records: list[PaymentRecord] = []
        raw = _read(path)
        counter = 0
        if isinstance(raw, dict):
            counter = raw.get("counter", 0) if isinstance(raw.get("counter"), int) else 0
            for item in raw.get("payments", []) if isinstance(raw.get("payments"), list) else []:
                values = _strings(PaymentRecord, item)
                if values is None:
                    continue
                try:
                    values["amount"] = to_cents_text(parse_money(values["amount"]))
                except MoneyError:
                    continue
                record = PaymentRecord(**values)
                if record.state == "sending":
                    record = replace(record, state="uncertain", note="the console stopped before the answer came")
                self._records.append(record)
        self._counter = max(counter, len(self._records))

    def _save(self) -> None:
        records = self._records[-MAX_RECORDS:]
        _write(self.path, {"counter": self._counter, "payments": [asdict(r) for r in records]})

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
        """A new payment in state ``sending``, saved before the notice goes out."""
        self._counter += 1
        stamp = datetime.now()
        receipt = f"P{stamp:%Y%m%d}-{self._counter:05d}-{uuid.uuid4().hex[:4].upper()}"
        values.setdefault("taken_at", _now())
        record = PaymentRecord(receipt=receipt, state="sending", **values)
        self._records.append(record)
        self._save()
        return record

    def update(self, receipt: str, **changes: str) -> PaymentRecord:
        for i, record in enumerate(self._records):
            if record.receipt == receipt:
                self._records[i] = replace(record, **changes)
                self._save()
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
        self._entries: list[ListEntry] = []
        raw = _read(path)
        if isinstance(raw, list):
            for item in raw:
                values = _strings(ListEntry, item)
                if values is not None and values["kind"] and values["plate"]:
                    self._entries.append(ListEntry(**values))

    def all(self, kind: str | None = None) -> list[ListEntry]:
        return [e for e in self._entries if kind is None or e.kind == kind]

    def put(self, entry: ListEntry) -> None:
        self._entries = [e for e in self._entries if not (e.kind == entry.kind and e.plate == entry.plate)]
        self._entries.append(replace(entry, added_at=entry.added_at or _now()))
        _write(self.path, [asdict(e) for e in self._entries])

    def remove(self, kind: str, plate: str) -> None:
        self._entries = [e for e in self._entries if not (e.kind == kind and e.plate == plate)]
        _write(self.path, [asdict(e) for e in self._entries])
