"""The one JSON store (``console.services.json_store``) and the stores on it: the files the console wrote before
it existed still load (parking payments and lists, visitor outbox and lists, floor plans, drafts), a damaged or
oversized file is set aside with the time and reported with the others, a full or read-only folder is said in
plain words, and a payment that cannot be recorded is not sent."""

from __future__ import annotations

import errno
import json
import stat
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from console.api import Client, RetryPolicy
from console.services import files, json_store
from console.services.enrolment.desk import DraftStore as PersonDrafts
from console.services.enrolment.form import PersonForm
from console.services.floorplans import FloorPlans
from console.services.json_store import JsonFile, StoreWriteError, read_json, record, write_json
from console.services.outcome import Outcome
from console.services.parking.store import ListBook, ListEntry, PaymentBook
from console.services.paths import Paths
from console.services.session import Profile, Session
from console.services.session_services import SessionServices
from console.services.settings import Settings
from console.services.visitors import DraftStore as VisitDrafts
from console.services.visitors import ExpectedVisits, OnSiteList, Outbox, VisitForm
from tests.services.parking.test_desk import PLATE, Rig, billed, rig  # noqa: F401 (rig: the fixture)
from tests.services.test_floorplans import png_bytes
from tests.sim.helpers import TOKEN, make_sim


@pytest.fixture(autouse=True)
def _no_storage_trouble_left() -> None:
    files.clear_storage_trouble()


def _old(path: Path, data: Any, *, indent: int | None = 1) -> Path:
    """A file as the stores wrote it before the shared store (``json.dumps(..., ensure_ascii=False, indent=1)``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=indent), encoding="utf-8")
    return path


def _payment(**values: str) -> dict[str, str]:
    row = {"receipt": "", "record_id": "", "plate": "", "amount": "0.00", "payment_type": "cash", "operator": "ann",
           "check_in": "2026-12-01 08:00:00", "parked": "3 h", "parked_seconds": "10800", "car_type": "Car",
           "area": "North", "taken_at": "2026-12-01 11:00:00", "state": "done", "settled_at": "", "note": ""}
    row.update(values)
    return row


# -- files written before the shared store still load, and are written back the same way -------------------


def test_an_existing_parking_payments_file_loads_and_keeps_its_format(tmp_path: Path) -> None:
    path = _old(tmp_path / "parking" / "payments.json", {"counter": 7, "payments": [
        _payment(receipt="P20261201-00006-AB12", record_id="r6", plate="粤 B12345", amount="12.50"),
        _payment(receipt="P20261201-00007-CD34", record_id="r7", plate="ZH W1", amount="5", state="sending"),
        {"receipt": "no amount"},  # never written by the console: left out, as before
        "not a record",
    ]})
    book = PaymentBook(path)
    paid, cut_off = book.all()
    assert (paid.plate, paid.money, paid.paid) == ("粤 B12345", Decimal("12.50"), True)
    assert (cut_off.amount, cut_off.state) == ("5.00", "uncertain")  # stopped while on the wire
    assert book.blocking("r7") == cut_off
    assert book.uncertain() == [cut_off]
    assert book.set_aside == []

    fresh = book.new(record_id="r8", plate="ZH W2", amount="3.00")
    assert fresh.receipt.startswith(f"P{datetime.now():%Y%m%d}-00008-")  # the counter carries on
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["counter"] == 8
    assert [p["receipt"] for p in data["payments"]] == [paid.receipt, cut_off.receipt, fresh.receipt]
    assert set(data["payments"][0]) == set(_payment())  # every field, as text
    assert path.read_text(encoding="utf-8").startswith('{\n "counter": 8,\n "payments": [\n  {\n   "receipt"')
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert PaymentBook(path).all()[0] == paid  # and back again


def test_an_existing_parking_lists_file_loads_and_keeps_its_format(tmp_path: Path) -> None:
    entry = {"kind": "denied", "plate": "粤 B12345", "start": "", "end": "", "pin": "", "area": "",
             "added_by": "ann", "added_at": "2026-12-01 09:00:00"}
    path = _old(tmp_path / "lists.json", [entry, {"kind": "fixed", "plate": "ZH W1", "pin": "7", "area": "North"},
                                          {"kind": "", "plate": "no kind"}, 12])
    book = ListBook(path)
    assert [(e.kind, e.plate) for e in book.all()] == [("denied", "粤 B12345"), ("fixed", "ZH W1")]
    assert book.all("fixed")[0].pin == "7"
    book.put(ListEntry("allowed", "ZH W2", added_by="bob"))
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved[0] == entry
    assert [e["plate"] for e in saved] == ["粤 B12345", "ZH W1", "ZH W2"]
    assert ListBook(path).all() == book.all()


def test_existing_visitor_files_load(tmp_path: Path) -> None:
    form = VisitForm(visitor_name="Li Wei", cert_type="3", cert_num="E1234567", host_pin="1",
                     start="2026-12-02 10:00:00", end="2026-12-02 18:00:00", levels=["1", "2"]).to_dict()
    outbox = _old(tmp_path / "outbox.json", [{
        "id": "a" * 32, "created": "2026-12-02 09:00:00", "operator": "ann", "form": form,
        "body": {"certNum": "E1234567", "visitorCount": 1}, "state": "uncertain", "attempts": 2,
        "last_error": "the answer was lost", "outcome": "", "finished": "", "visitor_pin": "",
        "refusal_code": 0, "known_before": "no"}])
    box = Outbox(outbox)
    [entry] = box.open_entries()
    assert (entry.state, entry.attempts, entry.known_before) == ("uncertain", 2, "no")
    assert entry.body == {"certNum": "E1234567", "visitorCount": "1"}  # text, as it is sent
    assert entry.visit_form.levels == ["1", "2"]
    assert entry.visit_form.visitor_name == "Li Wei"
    box.update(entry, state="done", outcome="registered")
    assert json.loads(outbox.read_text(encoding="utf-8"))[0]["finished"]

    today = date.today().isoformat()
    expected = _old(tmp_path / "expected.json", [{
        "id": "b" * 32, "form": form, "visit_date": f"{today} 10:00:00", "visit_end": f"{today} 18:00:00",
        "status": "expected", "booked_by": "ann", "booked_at": "2026-12-01 16:00:00"}])
    [visit] = ExpectedVisits(expected).for_day(date.today())
    assert (visit.id, visit.booked_by) == ("b" * 32, "ann")

    onsite = _old(tmp_path / "onsite.json", [{
        "id": "c" * 32, "form": form, "visitor_pin": "V17", "registered_at": datetime.now().isoformat(sep=" "),
        "registered_by": "ann", "checked_out_at": "", "checked_out_by": ""}])
    [here] = OnSiteList(onsite).present()
    assert (here.visitor_pin, here.visit_form.cert_num) == ("V17", "E1234567")


def test_existing_drafts_load(tmp_path: Path) -> None:
    visit = VisitForm(visitor_name="Half Typed", cert_num="E99", levels=["3"])
    _old(tmp_path / "visits" / f"{'d' * 32}.json", {"id": "d" * 32, "saved": "2026-12-01 10:00:00",
                                                     "form": visit.to_dict()})
    assert VisitDrafts(tmp_path / "visits").all() == [("d" * 32, "2026-12-01 10:00:00", visit)]
    assert VisitDrafts(tmp_path / "visits").load("d" * 32) == visit

    person = PersonForm(pin="17", name="Ann", level_ids=("1",), password="secret")
    _old(tmp_path / "people" / f"{'e' * 32}.json", {"id": "e" * 32, "saved": "2026-12-01 10:00:00",
                                                     "form": person.to_draft()}, indent=None)
    drafts = PersonDrafts(tmp_path / "people")
    [(draft_id, saved, restored)] = drafts.all()
    assert (draft_id, saved, restored.pin, restored.level_ids, restored.password) == ("e" * 32, "2026-12-01 10:00:00",
                                                                                     "17", ("1",), "")
    fresh = drafts.new_id()
    drafts.save(fresh, person)
    assert "secret" not in (tmp_path / "people" / f"{fresh}.json").read_text(encoding="utf-8")  # never a password
    assert len(drafts.all()) == 2
    drafts.delete("not an id")  # refused quietly, nothing removed
    assert len(drafts.all()) == 2


def test_an_existing_floor_plans_file_loads(tmp_path: Path) -> None:
    plans = FloorPlans(tmp_path, "HQ")
    plans.folder.mkdir(parents=True)
    (plans.folder / "0123456789ab.png").write_bytes(png_bytes())
    _old(plans.folder / "plans.json", {"version": 1, "plans": [{
        "id": "0123456789ab", "name": "Ground floor", "image": "0123456789ab.png",
        "markers": [{"kind": "door", "id": "d1", "x": 10.5, "y": 20}]}]})
    [plan] = FloorPlans(tmp_path, "HQ").plans
    assert (plan.name, [(m.item_id, m.x, m.y) for m in plan.markers]) == ("Ground floor", [("d1", 10.5, 20.0)])


# -- damaged, oversized, unwritable ------------------------------------------------------------------------


@pytest.mark.parametrize("content", [b"{ not json", b"\xff\xfe not text", b"[" * 100_000])
def test_a_damaged_parking_file_is_set_aside_with_the_time(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "payments.json"
    path.write_bytes(content)
    book = PaymentBook(path)
    assert book.all() == []
    [aside] = book.set_aside
    assert aside.aside.name.startswith("payments.json.damaged-")
    assert aside.aside.read_bytes() == content
    assert "parking payments file" in aside.text
    assert str(path) in aside.text
    assert not list(tmp_path.glob("*.bad"))
    book.new(record_id="r1", plate="ZH W1", amount="1.00")  # a fresh one is started
    assert len(PaymentBook(path).all()) == 1


def test_a_file_larger_than_the_cap_is_not_read_but_set_aside(tmp_path: Path) -> None:
    path = tmp_path / "lists.json"
    path.write_text(json.dumps([{"kind": "denied", "plate": "X" * 400}] * 40), encoding="utf-8")
    found: list[files.SetAside] = []
    assert read_json(path, what="parking lists file", found=found, max_bytes=1024) is None
    [aside] = found
    assert "larger than" in aside.reason
    assert aside.aside.exists()
    assert not path.exists()


def test_a_full_or_read_only_folder_is_said_in_plain_words(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def read_only(path: Path, data: bytes, mode: int = 0o600) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(json_store, "atomic_write", read_only)
    book = ListBook(tmp_path / "lists.json")
    with pytest.raises(StoreWriteError) as caught:
        book.put(ListEntry("denied", "ZH W1"))
    written = tmp_path / "lists.json"
    assert str(caught.value) == f"{written} could not be written: the data folder {tmp_path} is read-only"
    assert files.storage_trouble() == f"the data folder {tmp_path} is read-only"  # the status bar's mark
    plans = FloorPlans(tmp_path, "HQ")
    source = tmp_path / "p.png"
    source.write_bytes(png_bytes())
    with pytest.raises(Exception, match=r"the floor plans could not be saved: .* is read-only"):
        plans.add("Ground", source)


def test_a_write_leaves_no_temporary_file_and_replaces_whole(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "store.json"
    store = JsonFile(path, "test file")
    store.save({"a": [1, 2]})
    store.save({"a": [3]})
    assert store.load() == {"a": [3]}
    assert [p.name for p in path.parent.iterdir()] == ["store.json"]
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    write_json(path, ["ü"], indent=None)
    assert path.read_bytes() == '["ü"]'.encode()


# -- typed records -----------------------------------------------------------------------------------------


@dataclass
class _Row:
    name: str = "?"
    count: int = 0
    flag: bool = False
    tags: dict[str, str] = field(default_factory=dict)
    form: dict[str, Any] = field(default_factory=dict)


def test_a_record_keeps_only_known_keys_of_the_right_kind() -> None:
    row = record(_Row, {"name": "x" * 50, "count": True, "flag": 1, "tags": {"a": 1}, "form": {"levels": ["1"]},
                        "extra": "ignored"}, limit=10)
    assert row == _Row(name="x" * 10, count=0, flag=False, tags={"a": "1"}, form={"levels": ["1"]})
    assert record(_Row, {"name": 12.5, "count": 3}) == _Row(name="12.5", count=3)
    assert record(_Row, ["not", "an", "object"]) is None
    assert record(_Row, {}) == _Row()


def test_a_payment_amount_is_read_back_as_money(tmp_path: Path) -> None:
    path = _old(tmp_path / "payments.json", {"counter": 1, "payments": [_payment(receipt="P1", amount="7.5"),
                                                                         _payment(receipt="P2", amount="lots")]})
    [only] = PaymentBook(path).all()
    assert (only.receipt, only.amount, only.money) == ("P1", "7.50", Decimal("7.50"))
    assert only.money + Decimal("0.50") == Decimal("8.00")


# -- the desks over the stores -------------------------------------------------------------------------------


async def test_a_payment_that_cannot_be_recorded_is_not_sent(rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    rig.enter(PLATE)
    rig.advance(45 * 60)
    bill = await billed(rig, PLATE)

    def full(path: Path, data: bytes, mode: int = 0o600) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(json_store, "atomic_write", full)
    result = await rig.desk.take_payment(bill)
    assert result.outcome is Outcome.NOT_SENT
    assert "could not be recorded, so nothing was sent" in result.message
    assert f"the data folder {rig.desk.payments.path.parent} is full" in result.message
    assert rig.notices() == []
    assert rig.audit.rows(action="parking.payment") == []  # nothing began: not even a "sending" row

    listed = await rig.desk.set_list("denied", "粤 B12345")  # the server takes it; this desk's copy cannot be kept
    assert listed.outcome is Outcome.DONE
    assert "粤 B12345" in rig.sim.world.park_lists
    assert "this desk's list could not be saved" in listed.message
    assert "is full" in listed.message
    assert [e.plate for e in rig.desk.lists.all("denied")] == ["粤 B12345"]  # shown until the console stops


async def test_damaged_parking_and_floor_plan_files_are_reported_with_the_others(tmp_path: Path) -> None:
    sim = make_sim(event_rate=0.0)
    async with sim.serve() as base_url:
        paths = Paths.under(tmp_path).ensure()
        parking = paths.profile_dir("HQ") / "parking"
        _old(parking / "lists.json", []).write_bytes(b"[{broken")
        plans = FloorPlans(paths.data_dir, "HQ").folder
        _old(plans / "plans.json", {}).write_bytes(b"\x00\x01")
        client = Client(base_url, TOKEN, retry=RetryPolicy(attempts=1))
        services = SessionServices.build(Session(Profile("HQ", base_url), client, "ann", paths),
                                         Settings(paths.settings_file))
        try:
            found = services.set_aside
            assert sorted(a.what for a in found) == ["floor plans file", "parking lists file"]
            said = files.words(found)  # what the doors banner shows
            assert said.startswith("2 damaged files were set aside")
            assert str(parking / "lists.json") in said
            assert all(a.aside.exists() and ".damaged-" in a.aside.name for a in found)
        finally:
            await services.stop()


async def test_a_payment_whose_answer_cannot_be_saved_is_still_done_and_audited(
        rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    rig.enter(PLATE)
    rig.advance(45 * 60)
    bill = await billed(rig, PLATE)
    original = json_store.atomic_write
    writes: list[Path] = []

    def full_after_the_first(path: Path, data: bytes, mode: int = 0o600) -> None:
        writes.append(path)
        if len(writes) > 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        original(path, data, mode)

    monkeypatch.setattr(json_store, "atomic_write", full_after_the_first)
    result = await rig.desk.take_payment(bill)
    assert result.outcome is Outcome.DONE  # the server took it: said, and audited, whatever the disk
    assert "could not be saved on this computer" in result.message
    assert len(rig.notices()) == 1
    assert rig.audited("parking.payment") == ["ok"]
    monkeypatch.setattr(json_store, "atomic_write", original)
    [kept] = PaymentBook(rig.desk.payments.path).all()  # saved as "sending" before the notice left
    assert kept.state == "uncertain"
    assert (await rig.desk.take_payment(bill)).outcome is Outcome.INVALID  # never paid twice from this desk
