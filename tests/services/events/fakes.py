"""A small in-memory stand-in for the server's event endpoints, for the unit tests of the events services.

It keeps the simulator's monitor semantics (the ``timestamp`` names a cursor: the first request returns the
events at or after it, each later one only what was stored since the previous answer), pages the v2 lists
by ``pageNo``/``pageSize`` with ``total``, and can be taken down, replay its monitor answers, or lack the
temperature endpoints.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from console.api.errors import HTTPStatusError, TransportError
from console.api.typed import TypedCalls

MONITOR = {"2.19.6": "access", "2.35.6": "gate", "2.27.2": "temperature"}
LISTS = {"2.19.5": "access", "2.35.5": "gate", "2.27.1": "temperature", "2.19.4": "access"}
PAGED = {"2.19.5", "2.35.5"}
FMT = "%Y-%m-%d %H:%M:%S"


class FakeClock:
    """Naive local time that only moves when a test says so."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2024, 5, 1, 8, 0, 0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


@dataclass
class FakeServer(TypedCalls):  # the client's typed methods over this fake's call()
    clock: FakeClock
    hep: bool = True
    down: bool = False
    drop_answers: bool = False  # the server answers the monitor (its cursor moves) but the answer is lost
    missing: set[str] = field(default_factory=set)  # sections this server does not have (HTTP 404)
    replay: bool = False  # the monitor answers everything since the timestamp, every time
    monitor_ids: bool = False  # the monitor records carry an id (most servers send none)
    list_status: int | None = None  # answer the list endpoints with this HTTP status
    max_page_size: int = 1000
    events: dict[str, list[dict[str, Any]]] = field(
        default_factory=lambda: {"access": [], "gate": [], "temperature": []}
    )
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    _cursors: dict[tuple[str, Any], int] = field(default_factory=dict)
    _seq: int = 0

    # -- producing ---------------------------------------------------------------------------------

    def emit(self, source: str = "access", *, at: datetime | None = None, **fields: Any) -> dict[str, Any]:
        self._seq += 1
        when = at or self.clock()
        record: dict[str, Any] = {
            "id": f"id{self._seq:08d}",
            "eventTime": when.strftime(FMT),
            "pin": str(1000 + self._seq),
            "name": "Ann",
            "lastName": "Lee",
            "deptName": "Ops",
            "areaName": "HQ",
            "cardNo": "",
            "devSn": "SN-A" if source == "access" else ("SN-G" if source == "gate" else "SN-T"),
            "devName": "Front desk",
            "verifyModeName": "Face",
            "eventName": "Normal Verify Open",
            "eventPointName": "Door 1",
            "readerName": "Door 1-In",
            "logId": self._seq,
            "eventNo": 0,
            "eventLevel": 0,
            "doorName": "Door 1",
            "capturePhotoBase64": "",
            "_seq": self._seq,
        }
        if source == "temperature":
            record.update(temperature=36.5, maskFlag="1", status="Normal", eventNumber="511")
            record.pop("eventLevel")
        record.update(fields)
        self.events[source].append(record)
        return record

    # -- the client's side --------------------------------------------------------------------------

    async def call(self, section: str, /, **params: Any) -> Any:
        self.calls.append((section, dict(params)))
        if self.down:
            raise TransportError("cannot reach the server: connection refused", url="http://127.0.0.1/x")
        source = MONITOR.get(section) or LISTS.get(section)
        if source is None:
            raise AssertionError(f"unexpected call {section}")
        if source == "temperature" and not self.hep:
            raise HTTPStatusError(404, url="http://127.0.0.1/api/hep/transaction/monitor")
        if section in self.missing:
            raise HTTPStatusError(404, url="http://127.0.0.1/api/missing")
        if section in MONITOR:
            answer = [self._render(r, monitor=True) for r in self._monitor(source, params["timestamp"])]
            if self.drop_answers:
                raise TransportError("the connection failed: peer closed connection", url="http://127.0.0.1/x")
            return answer
        if self.list_status is not None:
            raise HTTPStatusError(self.list_status, url="http://127.0.0.1/api/list")
        return self._list(section, source, params)

    def _monitor(self, source: str, timestamp: Any) -> list[dict[str, Any]]:
        records = self.events[source]
        key = (source, timestamp)
        since = datetime.fromtimestamp(int(timestamp) / 1000)
        if self.replay or key not in self._cursors:
            out = [r for r in records if datetime.strptime(r["eventTime"], FMT) >= since.replace(microsecond=0)]
        else:
            out = [r for r in records if r["_seq"] > self._cursors[key]]
        self._cursors[key] = records[-1]["_seq"] if records else 0
        return out

    def _list(self, section: str, source: str, params: Mapping[str, Any]) -> Any:
        start = datetime.strptime(params["startDate"], FMT)
        end = datetime.strptime(params["endDate"], FMT)
        page_no, size = int(params["pageNo"]), min(int(params["pageSize"]), self.max_page_size)
        assert page_no >= 1
        assert 1 <= int(params["pageSize"]) <= 1000
        matching = [r for r in self.events[source] if start <= datetime.strptime(r["eventTime"], FMT) <= end]
        matching.reverse()  # newest first, as the server's examples are
        chunk = [self._render(r, monitor=False) for r in matching[(page_no - 1) * size : page_no * size]]
        if section not in PAGED:
            return chunk
        return {"page": page_no - 1, "size": size, "total": len(matching), "data": chunk,
                "lastPage": page_no * size >= len(matching)}

    def _render(self, record: dict[str, Any], *, monitor: bool) -> dict[str, Any]:
        out = {k: v for k, v in record.items() if not k.startswith("_")}
        if monitor:
            out["id"] = out["id"] if self.monitor_ids else None
            for name in ("logId", "eventLevel", "doorName", "name", "lastName", "deptName"):
                out.pop(name, None)
        return out

    def monitor_calls(self) -> int:
        return sum(1 for section, _ in self.calls if section in MONITOR)

    def list_calls(self, section: str | None = None) -> list[dict[str, Any]]:
        return [p for s, p in self.calls if s in LISTS and (section is None or s == section)]


def make_event(i: int, *, start: datetime = datetime(2024, 5, 1, 0, 0, 0), step: float = 1.0, **kw: Any) -> Any:
    """A varied, valid Event without going through the server's record shape (fast: 100,000 in a second)."""
    from console.services.events import Event, Level, Source

    sources = (Source.ACCESS, Source.ACCESS, Source.GATE, Source.TEMPERATURE)
    fields: dict[str, Any] = {
        "key": f"k{i:09d}",
        "source": sources[i % 4],
        "time": start + timedelta(seconds=int(i * step)),
        "name": ("Normal Verify Open", "Access Denied", "Door forced open")[0 if i % 10 else (1 if i % 20 else 2)],
        "level": Level.NORMAL if i % 10 else (Level.WARNING if i % 20 else Level.ALARM),
        "pin": str(i % 500),
        "person": f"Person {i % 500}",
        "point": f"Door {i % 7}",
        "reader": f"Door {i % 7}-In",
        "device_sn": f"SN{i % 5}",
        "device_name": f"Controller {i % 5}",
        "verify_mode": "Face",
        "area": ("HQ", "Warehouse", "Lab")[i % 3],
        "card": "",
    }
    fields.update(kw)
    return Event(**fields)
