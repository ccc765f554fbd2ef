"""The enrolment tests' rig: a simulator served on 127.0.0.1, a client, a desk, an audit that keeps rows."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from console.api import Client, RetryPolicy
from console.services.enrolment import EnrolmentDesk, PersonForm
from console.sim import Simulator
from tests.sim.helpers import TOKEN, make_sim

ADD = "/api/person/add"


@dataclass
class FakeAudit:
    rows: list[dict[str, Any]] = field(default_factory=list)

    def record(self, action: str, target: str, params: Any, result: str, **kw: Any) -> None:
        self.rows.append({"action": action, "target": target, "params": dict(params), "result": result, **kw})

    def actions(self) -> list[tuple[str, str]]:
        return [(r["action"], r["result"]) for r in self.rows]


@dataclass
class Rig:
    sim: Simulator
    desk: EnrolmentDesk
    audit: FakeAudit
    data_dir: Path

    def posts(self, path: str) -> list[Any]:
        """The POSTs to ``path`` the server handled (the request log keeps only the start of long bodies)."""
        return [r for r in self.sim.requests
                if r.method == "POST" and r.path == path and r.fault not in ("down", "error")]

    def dept(self) -> str:
        return next(iter(self.sim.world.departments))

    def level(self) -> str:
        return next(lv.id for lv in self.sim.world.levels.values() if lv.kind == "acc")

    def form(self, pin: str = "N1001", **changes: Any) -> PersonForm:
        base: dict[str, Any] = {"pin": pin, "name": "Ada", "last_name": "Lovelace", "gender": "F",
                                "dept_code": self.dept(), "level_ids": (self.level(),),
                                "start": "2026-01-01 08:00", "end": "2027-01-01"}
        base.update(changes)
        return PersonForm(**base)


@pytest.fixture
async def rig(tmp_path: Path) -> AsyncIterator[Rig]:
    sim = make_sim(event_rate=0.0, seed=7)
    async with sim.serve() as base_url:
        client = Client(base_url, TOKEN, retry=RetryPolicy(attempts=1))
        audit = FakeAudit()
        desk = EnrolmentDesk(client, data_dir=tmp_path, profile="HQ", operator="rita", audit=audit)
        try:
            yield Rig(sim, desk, audit, tmp_path)
        finally:
            await client.aclose()
