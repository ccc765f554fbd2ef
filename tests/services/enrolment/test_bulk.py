"""Bulk CSV onboarding against the simulator over HTTP: preview, per-row reasons, batches, nothing sent twice."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.services.enrolment.bulk import BulkImport, read_csv
from console.services.outcome import Outcome
from tests.services.enrolment.conftest import Rig

BULK = "/api/v2/person/addPersons"


def people_csv(rig: Rig, n: int, *, bad: dict[int, str] | None = None) -> str:
    dept, level = rig.dept(), rig.level()
    lines = ["PIN;First name;Last name;Department;Card;Levels;Valid until;E-mail"]
    for i in range(n):
        card = (bad or {}).get(i, f"77{i:06d}")
        lines.append(f"B{i:05d};Person{i};Bulk;{dept};{card};{level};2027-06-30;p{i}@example.com")
    return "\n".join(lines) + "\n"


def test_the_preview_checks_every_row() -> None:
    text = "pin,name,department,email\nA1,Ann,1,a@example.com\nbad pin,Bob,1,\nA1,Ann again,1,\nC3,,9,nope\n"
    rows = read_csv(text, departments={"1"})
    assert [(r.line, r.state) for r in rows] == [(2, "invalid"), (3, "invalid"), (4, "invalid"), (5, "invalid")]
    assert "more than once" in rows[0].reason
    assert "letters or digits" in rows[1].reason
    assert {"name", "dept_code", "email"} <= set(rows[3].problems)
    with pytest.raises(ValueError, match="PIN"):
        read_csv("name,email\nx,y\n")


async def test_500_people_in_batches_with_the_refused_rows_and_their_reasons(rig: Rig) -> None:
    taken = next(c.card_no for c in rig.sim.world.cards.values())
    rows = read_csv(people_csv(rig, 500, bad={7: taken, 321: taken}),
                    departments=set(rig.sim.world.departments))
    assert all(r.state == "ready" for r in rows)
    job = BulkImport(rig.desk, rows, batch=100)
    report = await job.run()
    assert report.kind is Outcome.DONE
    assert report.counts["done"] == 498
    assert report.counts["refused"] == 2
    refused = [r for r in rows if r.state == "refused"]
    assert [r.pin for r in refused] == ["B00007", "B00321"]
    assert "another person" in refused[0].reason
    assert sum(1 for p in rig.sim.world.persons if p.startswith("B")) == 498
    sent = len(rig.posts(BULK))
    again = await job.run()  # a retry sends nothing already done
    assert again.kind is Outcome.DONE
    assert len(rig.posts(BULK)) == sent


async def test_a_lost_batch_is_read_back_not_sent_again(rig: Rig, tmp_path: Path) -> None:
    rows = read_csv(people_csv(rig, 30), departments=set(rig.sim.world.departments))
    job = BulkImport(rig.desk, rows, batch=10)
    rig.sim.set_faults(drop_rate=1.0)
    report = await job.run()
    assert report.kind is Outcome.UNCERTAIN
    assert job.counts()["uncertain"] == 10
    assert len(rig.posts(BULK)) == 1
    rig.sim.set_faults(reset=True)
    report = await job.run()
    assert report.kind is Outcome.DONE
    assert job.counts()["done"] == 30
    assert len(rig.posts(BULK)) == 3  # the lost batch happened: read back, not sent again
    assert ("person.bulk.settled", "settled") in rig.audit.actions()  # read back, recorded, nothing re-sent
