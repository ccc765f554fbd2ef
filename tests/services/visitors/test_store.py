"""Drafts, outbox, expected visits and the on-site list survive a restart; damaged files do not stop the desk."""

from __future__ import annotations

import json
import stat
from datetime import date, timedelta
from pathlib import Path

from console.services.visitors import DraftStore, ExpectedVisits, OnSiteList, Outbox, VisitForm
from console.services.visitors.store import new_id, profile_dir


def form(name: str = "Li Wei", **changes: str) -> VisitForm:
    out = VisitForm(visitor_name=name, cert_type="3", cert_num="E1234567", host_pin="1", reason="Meeting",
                    start="2024-05-06 10:00:00", end="2024-05-06 18:00:00")
    for key, value in changes.items():
        setattr(out, key, value)
    return out


def test_a_draft_survives_a_restart_and_is_private(tmp_path: Path) -> None:
    drafts = DraftStore(tmp_path / "drafts")
    draft_id = new_id()
    half = VisitForm(visitor_name="Half Typed", cert_num="E99", phone="130")
    drafts.save(draft_id, half)
    again = DraftStore(tmp_path / "drafts")  # a new process
    [(found_id, saved, restored)] = again.all()
    assert (found_id, restored) == (draft_id, half)
    assert saved
    path = tmp_path / "drafts" / f"{draft_id}.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left behind
    again.delete(draft_id)
    assert DraftStore(tmp_path / "drafts").all() == []


def test_the_latest_draft_comes_first(tmp_path: Path) -> None:
    drafts = DraftStore(tmp_path)
    first, second = new_id(), new_id()
    drafts.save(first, form("First"))
    (tmp_path / f"{first}.json").write_text(
        json.dumps({"saved": "2000-01-01 00:00:00", "form": form("First").to_dict()}), encoding="utf-8")
    drafts.save(second, form("Second"))
    assert [f.visitor_name for _, _, f in drafts.all()] == ["Second", "First"]


def test_a_damaged_file_is_set_aside_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "outbox.json"
    path.write_bytes(b"{ this is not json")
    box = Outbox(path)
    assert len(box) == 0
    [kept] = tmp_path.glob("outbox.json.damaged-*")  # renamed with the time (console.services.files.set_aside)
    assert kept.read_bytes() == b"{ this is not json"
    assert [record.aside for record in box.set_aside] == [kept]
    box.add(operator="desk", form=form(), body={"certNum": "E1234567"}, state="pending", error="down")
    assert len(Outbox(path)) == 1


def test_outbox_entries_keep_their_state_across_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "outbox.json"
    box = Outbox(path)
    entry = box.add(operator="desk", form=form(), body={"certNum": "E1234567"}, state="uncertain", error="timeout",
                    known_before="no")
    again = Outbox(path)
    [restored] = again.open_entries()
    assert (restored.id, restored.state, restored.known_before, restored.visit_form) == (
        entry.id, "uncertain", "no", form())
    again.update(restored, state="done", outcome="registered")
    final = Outbox(path)
    assert final.open_entries() == []
    [done] = list(final)
    assert done.finished
    assert done.outcome == "registered"
    final.dismiss(done.id)
    assert len(Outbox(path)) == 0


def test_expected_visits_are_listed_by_day(tmp_path: Path) -> None:
    book = ExpectedVisits(tmp_path / "expected.json")
    tomorrow = date.today() + timedelta(days=1)
    day = tomorrow.isoformat()
    a = book.add(form("Early", start=f"{day} 09:00:00", end=f"{day} 10:00:00"), booked_by="desk")
    book.add(form("Late", start=f"{day} 15:00:00", end=f"{day} 16:00:00"), booked_by="desk")
    book.add(form("Other day", start=f"{date.today()} 15:00:00", end=f"{date.today()} 16:00:00"),
             booked_by="desk")
    again = ExpectedVisits(tmp_path / "expected.json")
    assert [i.visit_form.visitor_name for i in again.for_day(tomorrow)] == ["Early", "Late"]
    assert again.get(a.id) is not None
    assert again.get(a.id).visit_form.reservation_id == a.id
    again.set_status(a.id, "arrived")
    assert [i.visit_form.visitor_name for i in ExpectedVisits(tmp_path / "expected.json").for_day(tomorrow)] == [
        "Late"]


def test_on_site_means_registered_today_or_still_visiting_and_not_checked_out(tmp_path: Path) -> None:
    onsite = OnSiteList(tmp_path / "onsite.json")
    today = date.today()
    yesterday = today - timedelta(days=1)
    here = onsite.add(form("Here"), operator="desk")
    gone = onsite.add(form("Gone", cert_num="E7654321"), operator="desk")
    onsite.check_out(gone.id, operator="desk")
    old = onsite.add(form("Yesterday", cert_num="E1111111", end=f"{yesterday} 18:00:00"), operator="desk")
    night = onsite.add(form("Night shift", cert_num="E2222222", end=f"{today} 02:00:00"), operator="desk")
    for visit in (old, night):
        visit.registered_at = f"{yesterday} 22:00:00"
    onsite.save()
    again = OnSiteList(tmp_path / "onsite.json")
    assert [v.visit_form.visitor_name for v in again.present(today)] == ["Here", "Night shift"]
    found = again.find("3", "E1234567")
    assert found is not None
    assert found.id == here.id
    assert again.find("3", "E7654321") is None


def test_profiles_get_separate_folders(tmp_path: Path) -> None:
    a, b = profile_dir(tmp_path, "Head office"), profile_dir(tmp_path, "Head/office")
    assert a != b
    assert a.parent == b.parent == tmp_path
    assert "/" not in a.name
    assert a.name.startswith("Head_office-")
