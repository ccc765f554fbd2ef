"""Bulk CSV onboarding against the simulator over HTTP: preview, per-row reasons, batches, nothing sent twice."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.services.enrolment import EnrolmentDesk
from console.services.enrolment.bulk import BulkImport, read_csv, row_status
from console.services.enrolment.ledger import ImportLedger
from console.services.outcome import Outcome
from tests.services.enrolment.conftest import FakeAudit, Rig

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
    assert ("person.bulk.settled", "settled: 10 on the server, 0 not") in rig.audit.actions()  # recorded


def ledger_for(desk: EnrolmentDesk, text: str) -> ImportLedger:
    return ImportLedger.for_text(desk.imports_dir, text)


async def test_500_with_a_lost_batch_then_a_restart_each_person_once(rig: Rig) -> None:
    """Import 500, the answer of the third batch is lost, the desk restarts, the operator retries: the server has
    each person once, the report names the rows settled by re-reading, every batch has its audit row."""
    text = people_csv(rig, 500)
    departments = set(rig.sim.world.departments)
    before = set(rig.sim.world.persons)
    job = BulkImport(rig.desk, read_csv(text, departments=departments), batch=100,
                     ledger=ledger_for(rig.desk, text))
    sent: list[int] = []

    def after_batch() -> None:  # the simulator handles the next batch, then closes without an answer
        sent.append(1)
        if len(sent) == 2:
            rig.sim.set_faults(drop_rate=1.0)

    report = await job.run(progress=after_batch)
    assert report.kind is Outcome.UNCERTAIN
    assert job.counts()["done"] == 200
    assert job.counts()["uncertain"] == 100
    assert len(rig.posts(BULK)) == 3
    rig.sim.set_faults(reset=True)
    assert "Person1" not in ledger_for(rig.desk, text).path.read_text()  # PINs, states, digests: no names

    # the console restarts: a new desk (same data folder), the same file read again
    audit = FakeAudit()
    desk = EnrolmentDesk(rig.desk.client, data_dir=rig.data_dir, profile="HQ", operator="rita", audit=audit)
    rows = read_csv(text, departments=departments)
    again = BulkImport(desk, rows, batch=100, ledger=ledger_for(desk, text))
    assert again.earlier() == {"done": 200, "refused": 0, "uncertain": 100}
    report = await again.run()
    assert report.kind is Outcome.DONE
    assert report.settled == tuple(range(202, 302))  # lines 202-301: the third batch, found on the server
    assert report.missing == ()
    assert "settled by re-reading" in report.message
    assert "202-301" in report.message
    assert again.counts()["done"] == 500
    assert sum(1 for r in rows if r.settled) == 100
    assert "settled by re-reading" in row_status(rows[250])
    posts = rig.posts(BULK)
    assert len(posts) == 5  # 3 before the restart, the last two batches after: nothing sent twice
    added = set(rig.sim.world.persons) - before
    assert added == {f"B{i:05d}" for i in range(500)}
    # audit: a row before and after each batch sent (before and after the restart) and for the read-back
    results = [r for a, r in rig.audit.actions() if a == "person.bulk" and r != "sending"]
    assert results[:2] == ["ok", "ok"]
    assert results[2].startswith("uncertain: ")
    assert [a for a in audit.actions() if a[1] != "sending"] == [
        ("person.bulk.settled", "settled: 100 on the server, 0 not"), ("person.bulk", "ok"), ("person.bulk", "ok")]
    # a third try after another restart sends nothing
    third = BulkImport(desk, read_csv(text, departments=departments), ledger=ledger_for(desk, text))
    assert third.counts()["done"] == 500
    assert (await third.run()).kind is Outcome.DONE
    assert len(rig.posts(BULK)) == 5


async def test_a_lost_answer_the_server_never_acted_on_is_offered_not_resent(rig: Rig) -> None:
    """A crash while a batch was out (the ledger says uncertain) for people the server does not have: the
    retry reads them back and offers them; only the operator's next import sends them."""
    text = people_csv(rig, 12)
    departments = set(rig.sim.world.departments)
    ledger = ledger_for(rig.desk, text)
    ledger.mark([f"B{i:05d}" for i in range(5)], "accepted")  # as if accepted earlier (the server disagrees)
    ledger.mark([f"B{i:05d}" for i in range(5, 10)], "uncertain")  # written before a send that never left
    job = BulkImport(rig.desk, read_csv(text, departments=departments), batch=100, ledger=ledger_for(rig.desk, text))
    assert job.counts() == {"ready": 2, "invalid": 0, "done": 5, "refused": 0, "uncertain": 5}
    report = await job.run()
    assert report.missing == tuple(range(7, 12))
    assert "not on the server" in report.message
    assert "import again to send them" in report.message
    assert {r.pin for r in job.rows if r.state == "ready"} == {f"B{i:05d}" for i in range(5, 10)}
    assert set(rig.sim.world.persons) >= {"B00010", "B00011"}  # the two fresh rows went
    assert not set(rig.sim.world.persons) & {f"B{i:05d}" for i in range(5, 10)}  # not sent automatically
    report = await job.run()  # the operator imports again: now they go
    assert report.kind is Outcome.DONE
    assert set(rig.sim.world.persons) >= {f"B{i:05d}" for i in range(5, 12)}
    entry = ledger_for(rig.desk, text).get("B00007")
    assert entry is not None
    assert (entry.state, entry.settled) == ("accepted", False)
    assert len(entry.digest) == 64


async def test_a_damaged_ledger_reads_everyone_back_first(rig: Rig) -> None:
    text = people_csv(rig, 20)
    departments = set(rig.sim.world.departments)
    first = BulkImport(rig.desk, read_csv(text, departments=departments), batch=10, ledger=ledger_for(rig.desk, text))
    assert (await first.run()).kind is Outcome.DONE
    path = ledger_for(rig.desk, text).path
    path.write_text("{not json")
    ledger = ledger_for(rig.desk, text)
    assert ledger.damaged
    assert list(path.parent.glob("*.damaged-*"))
    job = BulkImport(rig.desk, read_csv(text, departments=departments), batch=10, ledger=ledger)
    assert job.counts()["uncertain"] == 20
    report = await job.run()
    assert report.kind is Outcome.DONE
    assert len(report.settled) == 20
    assert len(rig.posts(BULK)) == 2  # read back, not sent again


async def test_the_ledger_cannot_be_written_nothing_is_sent(rig: Rig, tmp_path: Path) -> None:
    text = people_csv(rig, 5)
    ledger = ImportLedger.for_text(tmp_path / "imports", text)
    (tmp_path / "imports").write_text("a file where the folder should be")
    job = BulkImport(rig.desk, read_csv(text, departments=set(rig.sim.world.departments)), ledger=ledger)
    report = await job.run()
    assert report.kind is Outcome.NOT_SENT
    assert rig.posts(BULK) == []
    assert "could not be saved" in job.rows[0].reason


async def test_a_corrected_file_sends_only_the_rows_that_changed(rig: Rig) -> None:
    """The operator fixes one row and imports the corrected copy (another file, another SHA-256): the rows
    accepted from the first file, unchanged, are not sent again; the changed row is."""
    departments = set(rig.sim.world.departments)
    first = people_csv(rig, 20)
    job = BulkImport(rig.desk, read_csv(first, departments=departments), batch=10, ledger=ledger_for(rig.desk, first))
    assert (await job.run()).kind is Outcome.DONE
    sent = len(rig.posts(BULK))
    corrected = first.replace("Person7;Bulk", "Person7;Bulk-Smith")
    rows = read_csv(corrected, departments=departments)
    again = BulkImport(rig.desk, rows, batch=10, ledger=ledger_for(rig.desk, corrected))
    assert again.counts()["ready"] == 1
    assert "another file" in row_status(rows[0])
    assert (await again.run()).kind is Outcome.DONE
    assert len(rig.posts(BULK)) == sent + 1
    assert rig.sim.world.persons["B00007"].last_name == "Bulk-Smith"
    assert "Bulk-Smith" not in ledger_for(rig.desk, corrected).path.read_text()
