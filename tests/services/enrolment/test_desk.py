"""The enrolment desk against the simulator over HTTP (127.0.0.1): find, add, edit, refusals mapped to fields,
lost answers settled by reading again, resign/reinstate/delete, the face check, drafts without photo."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from console.services.enrolment import PersonForm, validate
from console.services.outcome import Outcome
from tests.services.enrolment.conftest import ADD, Rig
from tests.sim.helpers import GOOD_FACE, photo


def test_the_form_rules_speak_to_a_receptionist() -> None:
    problems = validate(PersonForm(pin="a b", name="", dept_code="", email="nope", mobile="call me",
                                   password="12ab", start="31/12/2026", card_no="12-34"),
                        departments={"1"})
    assert set(problems) == {"pin", "name", "dept_code", "email", "mobile", "password", "start", "card_no"}
    assert "1 to 24 letters or digits" in problems["pin"]
    assert validate(PersonForm(pin="X" * 25, name="A", dept_code="1"))["pin"]
    assert validate(PersonForm(pin="A1", name="A", dept_code="9"), departments={"1"})["dept_code"]
    reversed_dates = validate(PersonForm(pin="A1", name="A", dept_code="1", start="2027-01-01", end="2026-01-01"))
    assert reversed_dates == {"end": "access ends before it starts"}
    assert validate(PersonForm(pin="A1", name="A", dept_code="1", level_ids=("zz",)), levels={"x"})["level_ids"]


async def test_a_new_person_is_added_once_and_audited_without_photo_or_password(rig: Rig) -> None:
    form = rig.form(mobile="+44 7700 900123", email="ada@example.com", password="4711", card_no="99887766")
    result = await rig.desk.save(form, photo_b64=GOOD_FACE, new=True)
    assert result.kind is Outcome.DONE, result.message
    person = rig.sim.world.persons["N1001"]
    assert (person.name, person.last_name, person.mobile, person.email) == ("Ada", "Lovelace", "+44 7700 900123",
                                                                             "ada@example.com")
    assert person.photo == GOOD_FACE
    assert rig.sim.world.cards["99887766"].pin == "N1001"
    assert "N1001" in rig.sim.world.levels[rig.level()].pins
    assert len(rig.posts(ADD)) == 1
    assert person.acc_end == "2027-01-01 23:59:59"
    # each write audited before it leaves ("sending"), then completed with its outcome
    assert rig.audit.actions() == [("person.add", "sending"), ("person.add", "ok"),
                                   ("person.details", "sending"), ("person.details", "ok")]
    text = json.dumps(rig.audit.rows)
    assert GOOD_FACE[:40] not in text
    assert "4711" not in re.sub(r"[0-9a-f]{16,}", "", text)  # not the rows' ids and hashes: random hex
    found = await rig.desk.find("lovelace")
    assert [p.pin for p in found.persons] == ["N1001"]
    assert found.complete
    by_card = await rig.desk.find("99887766")
    assert [p.pin for p in by_card.persons] == ["N1001"]


async def test_an_invalid_form_sends_nothing(rig: Rig) -> None:
    result = await rig.desk.save(rig.form(pin="bad pin!", dept_code="nowhere"), new=True)
    assert result.kind is Outcome.INVALID
    assert set(result.problems) == {"pin", "dept_code"}
    assert rig.posts(ADD) == []
    assert rig.audit.rows == []


async def test_a_taken_pin_is_refused_before_sending_a_new_person(rig: Rig) -> None:
    taken = next(iter(rig.sim.world.persons))
    result = await rig.desk.save(rig.form(pin=taken), new=True)
    assert result.kind is Outcome.INVALID
    assert "already belongs" in result.problems["pin"]
    assert rig.posts(ADD) == []


@pytest.mark.parametrize(
    ("code", "field_name"),
    [(-23, "card_no"), (-24, "level_ids"), (-26, "password"), (-27, None), (-22, "pin")],
)
async def test_every_refusal_lands_on_its_field(rig: Rig, code: int, field_name: str | None) -> None:
    world = rig.sim.world
    other = next(iter(world.persons.values()))
    if code == -23:
        card = next(c for c in world.cards.values() if c.pin != "N1001")
        result = await rig.desk.save(rig.form(card_no=card.card_no), new=True)
    elif code == -24:
        rig.desk._levels = None
        lv = rig.level()
        result = await rig.desk.save(rig.form(level_ids=(lv,)), new=True)  # fine first: fetches the list
        assert result.ok
        del world.levels[lv]  # the level went away after the list was read
        result = await rig.desk.save(rig.form(level_ids=(lv,)))
    elif code == -26:
        other.person_pwd = "1234"
        result = await rig.desk.save(rig.form(password="1234"), new=True)
        assert result.kind is Outcome.REFUSED
        assert "person.add" in [a for a, _ in rig.audit.actions()]  # the first step was done
    elif code == -27:
        result = await rig.desk.save(rig.form(), photo_b64="bm90IGEgcGhvdG8=", new=True)
    else:
        result = await rig.desk.resign("NOBODY1")
    assert result.kind is Outcome.REFUSED, result.message
    assert result.refusal is not None
    assert result.refusal.code == code
    if field_name is None:
        assert result.problems == {}
        assert "PNG or JPEG" in result.message
    else:
        assert field_name in result.problems
    assert rig.audit.rows[-1]["result"] == f"refused {code}"


async def test_a_refused_pin_is_shown_on_the_pin_field(rig: Rig) -> None:
    """-29: a form that skipped the console's rule (a CSV row, another client) is still refused by the server."""
    from console.api.errors import ApiError
    from console.services.enrolment import refusal_for

    try:
        await rig.desk.client.call("2.14.1", body={"pin": "bad-pin", "name": "x"})
    except ApiError as exc:
        refusal = refusal_for(exc)
        assert (refusal.code, refusal.field) == (-29, "pin")
    else:
        raise AssertionError("the server accepted a bad pin")
    try:  # -20: the console never sends an empty PIN (its own rule says so first); the server's answer
        await rig.desk.client.call("2.14.1", body={"pin": "", "name": "x"})
    except ApiError as exc:
        refusal = refusal_for(exc)
        assert (refusal.code, refusal.field) == (-20, "pin")
        assert "PIN" in refusal.text
    else:
        raise AssertionError("the server accepted an empty pin")
    assert "pin" in (await rig.desk.save(rig.form(pin=""), new=True)).problems


async def test_a_lost_answer_is_uncertain_then_settled_by_reading_the_person(rig: Rig) -> None:
    rig.sim.set_faults(drop_rate=1.0)
    result = await rig.desk.save(rig.form(), new=True)
    assert result.kind is Outcome.UNCERTAIN
    assert result.pending is not None
    assert len(rig.posts(ADD)) == 1
    rig.sim.set_faults(reset=True)
    settled = await rig.desk.settle(result.pending)
    assert settled.kind is Outcome.DONE, settled.message
    assert len(rig.posts(ADD)) == 1  # never sent again
    assert any(a == "person.add" and r.startswith("uncertain") for a, r in rig.audit.actions())
    assert ("person.save.settled", "done") in rig.audit.actions()


async def test_an_unreachable_server_is_not_sent_and_nothing_happened(rig: Rig) -> None:
    rig.sim.set_faults(down_seconds=60)
    result = await rig.desk.save(rig.form(), new=True)
    assert result.kind is Outcome.NOT_SENT
    assert "N1001" not in rig.sim.world.persons
    rig.sim.set_faults(reset=True)
    pending = rig.desk.settle  # a lost answer is settled; a NOT_SENT one may just be sent again
    assert (await rig.desk.save(rig.form(), new=True)).ok
    assert pending


async def test_resign_reinstate_and_delete(rig: Rig) -> None:
    assert (await rig.desk.save(rig.form(), new=True)).ok
    assert (await rig.desk.resign("N1001")).ok
    assert await rig.desk.person("N1001") is None
    assert "N1001" not in [p.pin for p in (await rig.desk.find("Lovelace")).persons]
    assert (await rig.desk.reinstate("N1001")).ok
    assert (await rig.desk.person("N1001")) is not None
    qr = await rig.desk.qr("N1001")
    assert qr.startswith("2#")
    assert (await rig.desk.delete("N1001")).ok
    assert "N1001" not in rig.sim.world.persons
    again = await rig.desk.delete("N1001")
    assert again.kind is Outcome.REFUSED
    assert "pin" in again.problems
    sent = [a for a, r in rig.audit.actions() if r == "sending"]  # every write audited before it left
    assert sent == ["person.add", "person.resign", "person.reinstate", "person.delete", "person.delete"]
    assert [r for a, r in rig.audit.actions() if a == "person.delete"][-1].startswith("refused")


async def test_a_lost_resign_is_settled_as_done(rig: Rig) -> None:
    pin = next(iter(rig.sim.world.persons))
    rig.sim.set_faults(drop_rate=1.0)
    result = await rig.desk.resign(pin)
    assert result.kind is Outcome.UNCERTAIN
    assert result.pending is not None
    rig.sim.set_faults(reset=True)
    assert (await rig.desk.settle(result.pending)).kind is Outcome.DONE


async def test_the_face_check_gives_words_the_operator_can_act_on(rig: Rig) -> None:
    assert (await rig.desk.check_face(GOOD_FACE)).ok
    cases = {
        -5001: photo(100, 100, (190, 140, 120)),
        -5006: photo(400, 300, (128, 128, 128)),
        -5009: photo(400, 300, (250, 245, 240)),
        -5010: photo(400, 300, (20, 15, 10)),
        -27: "bm90IGEgcGhvdG8=",
    }
    words = {}
    for code, picture in cases.items():
        verdict = await rig.desk.check_face(picture)
        assert (verdict.kind, verdict.code) == (Outcome.REFUSED, code)
        words[code] = verdict.guidance
    assert "too small" in words[-5001]
    assert "colour" in words[-5006]
    assert "too bright" in words[-5009]
    assert "too dark" in words[-5010]
    assert "PNG or JPEG" in words[-27]
    assert rig.audit.rows == []  # a check is not a write


async def test_a_photo_upload_is_audited_without_its_bytes(rig: Rig) -> None:
    assert (await rig.desk.save(rig.form(), new=True)).ok
    result = await rig.desk.upload_photo("N1001", GOOD_FACE)
    assert result.ok
    assert rig.sim.world.persons["N1001"].photo == GOOD_FACE
    row = rig.audit.rows[-1]
    assert row["action"] == "person.photo"
    assert row["params"]["with_photo"] is True
    assert GOOD_FACE[:40] not in json.dumps(rig.audit.rows)


async def test_a_department_page_and_the_lists(rig: Rig) -> None:
    dept = rig.dept()
    people, total = await rig.desk.page(page_no=1, page_size=5, dept_code=dept)
    expected = [p for p in rig.sim.world.persons.values() if p.dept_code == dept and not p.left]
    assert total == len(expected)
    assert len(people) == min(5, len(expected))
    assert {d.code for d in await rig.desk.departments()} == set(rig.sim.world.departments)
    assert rig.level() in {lv.id for lv in await rig.desk.levels()}


async def test_find_by_card_number_department_and_across_pages(rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    """A card number finds its holder; a name within a department; a search reads page after page."""
    from console.services.enrolment import desk as desk_module

    world = rig.sim.world
    card = next(c for c in world.cards.values() if c.pin in world.persons and not world.persons[c.pin].left)
    holder = world.persons[card.pin]
    found = await rig.desk.find(card.card_no)
    assert holder.pin in [p.pin for p in found.persons]
    assert all(card.card_no in (p.card_no, *p.supply_cards) for p in found.persons)
    monkeypatch.setattr(desk_module, "PAGE_SIZE", 5)  # the small site fits one page of 1000: make it several
    asked = len(rig.sim.requests)
    found = await rig.desk.find(holder.name[:3], dept_code=holder.dept_code)
    assert holder.pin in [p.pin for p in found.persons]
    assert all(p.dept_code == holder.dept_code for p in found.persons)
    in_dept = [p for p in world.persons.values() if p.dept_code == holder.dept_code and not p.left]
    assert found.scanned == len(in_dept)
    assert found.complete
    assert len(rig.sim.requests) - asked >= len(in_dept) // 5  # page after page
    everyone = [p for p in world.persons.values() if not p.left]
    last = everyone[-1]
    found = await rig.desk.find(f"{last.name} {last.last_name}".strip())
    assert last.pin in [p.pin for p in found.persons]  # found on the last page
    assert found.scanned == len(everyone)


def test_drafts_survive_a_restart_without_password_or_photo(tmp_path: Path) -> None:
    from console.services.enrolment.desk import DraftStore

    store = DraftStore(tmp_path / "drafts")
    draft_id = store.new_id()
    store.save(draft_id, PersonForm(pin="D1", name="Half", password="9999", level_ids=("a", "b")))
    again = DraftStore(tmp_path / "drafts").all()
    assert [(i, f.pin, f.name, f.level_ids, f.password) for i, _, f in again] == [
        (draft_id, "D1", "Half", ("a", "b"), "")]
    raw = next((tmp_path / "drafts").glob("*.json")).read_text()
    assert "9999" not in raw.replace(draft_id, "")  # the draft's id is random hex
    assert "photo" not in raw.lower()
    (tmp_path / "drafts" / "junk.json").write_text("{not json")
    assert len(DraftStore(tmp_path / "drafts").all()) == 1


@pytest.mark.parametrize(
    ("code", "field_name", "words"),
    [(-20, "pin", "PIN"), (-22, "pin", "no active person"), (-23, "card_no", "another person"),
     (-24, "level_ids", "access level"), (-26, "password", "password"), (-27, None, "PNG or JPEG"),
     (-29, "pin", "1 to 24 letters or digits"), (-999, None, "the server refused")],
)
def test_every_person_code_has_words_and_a_field(code: int, field_name: str | None, words: str) -> None:
    from console.api.errors import ApiError
    from console.services.enrolment import refusal_for

    refusal = refusal_for(ApiError(code, "<b>server words</b>"))
    assert refusal.field == field_name
    assert words in refusal.text
    assert refusal.server_text == f"<b>server words</b> (code {code})"


async def test_last_events_come_from_the_journal_and_the_server_once_each(rig: Rig, tmp_path: Path) -> None:
    from datetime import datetime

    from console.services.events import Event, Journal, Source

    assert (await rig.desk.save(rig.form("J1001"), new=True)).ok
    door = next(iter(rig.sim.world.doors.values()))
    rig.sim.emit("verify", door_id=door.id, pin="J1001", mode="card")  # on the server's list (2.19.9)
    stored = rig.sim.emitted[-1]
    journal = Journal(tmp_path / "journal")
    try:
        seen_live = Event(key="live-1", source=Source.ACCESS, time=datetime(2030, 1, 2, 3, 4, 5),
                          name="Normal Verify Open", pin="J1001", point="Front door")
        same = Event(key="live-2", source=Source.ACCESS,
                     time=datetime.strptime(stored["eventTime"], "%Y-%m-%d %H:%M:%S"), name=stored["eventName"],
                     pin="J1001", point=stored["eventPointName"])
        other = Event(key="live-3", source=Source.ACCESS, time=datetime(2030, 1, 2, 3, 5, 0), name="x", pin="J10011")
        journal.add([seen_live, same, other])
        rig.desk.journal = journal
        lines = await rig.desk.last_events("J1001")
    finally:
        journal.close()
    assert lines[0] == "2030-01-02 03:04 Normal Verify Open — Front door"  # seen here, newest first
    assert len(lines) == 2  # the server's copy of the same event is not listed twice; another pin's is not listed
    assert stored["eventPointName"] in lines[1]
