"""Managing spaces, facilities and services, and visitors as participants, against the simulator over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta

import pytest

from console.api import Client, RetryPolicy
from console.api.models.spaces import FacilityInput
from console.services.outcome import Outcome
from console.services.polling import PollPolicy
from console.services.spaces import BookingRequest, ItemForm, SpaceAdmin, SpaceDesk, SpaceForm, split_content
from tests.services.spaces.test_desk import FakeAudit, Rig
from tests.sim.helpers import TOKEN, make_sim

FACILITY_ADD = "/api/spaceFacility/add"


@pytest.fixture
async def rig() -> AsyncIterator[Rig]:
    sim = make_sim(event_rate=0.0, seed=5)
    async with sim.serve() as base_url:
        client = Client(base_url, TOKEN, retry=RetryPolicy(attempts=1))
        audit = FakeAudit()
        desk = SpaceDesk(client, profile="HQ", operator="rita", audit=audit, policy=PollPolicy(interval=3600),
                         clock=lambda: datetime.fromtimestamp(sim.world.now()))
        try:
            await desk.refresh()
            yield Rig(sim, desk, audit, client, base_url)
        finally:
            await desk.poller.stop()
            await client.aclose()


def space_form(rig: Rig, **changes: str) -> SpaceForm:
    device = next(iter(rig.desk.devices))
    fields = {"name": "Board Room 9", "capacity": "8", "owner_pin": rig.host()}
    fields.update(changes)
    return SpaceForm(device_ids=(device,), facility_ids=tuple(list(rig.desk.facilities)[:2]), **fields)


async def test_a_space_is_added_changed_and_shown_and_every_write_is_audited(rig: Rig) -> None:
    admin = SpaceAdmin(rig.desk)
    added = await admin.save_space(space_form(rig))
    assert added.kind is Outcome.DONE, added.message
    assert added.booking_id in rig.desk.spaces  # the timeline's rows are read again at once
    assert rig.desk.spaces[added.booking_id].capacity == 8
    changed = await admin.save_space(space_form(rig, name="Board Room 10", capacity="12", id=added.booking_id))
    assert changed.kind is Outcome.DONE, changed.message
    assert rig.sim.world.table("spaces")[added.booking_id]["capacity"] == "12"
    assert rig.audit.actions() == [("space.space.add", "ok"), ("space.space.edit", "ok")]


async def test_local_rules_say_which_field_and_send_nothing(rig: Rig) -> None:
    admin = SpaceAdmin(rig.desk)
    before = len(rig.sim.requests)
    bad = await admin.save_space(space_form(rig, name="", capacity="0", owner_pin=""))
    assert bad.kind is Outcome.INVALID
    assert set(bad.problems) == {"name", "capacity", "owner"}
    low = await admin.save_item(ItemForm("facility", "Whiteboard", number="20"))
    assert low.kind is Outcome.INVALID
    assert "number" in low.problems
    builtin = next(f for f in rig.desk.facilities.values() if f.builtin)
    again = await admin.save_item(ItemForm("facility", builtin.name + " 2", number="99", id=builtin.id))
    assert "built into the server" in again.problems["name"]
    assert len(rig.sim.requests) == before
    assert rig.audit.actions() == []


async def test_a_refusal_is_mapped_to_its_field(rig: Rig) -> None:
    admin = SpaceAdmin(rig.desk)
    refused = await admin.save_space(space_form(rig, owner_pin="nobody-9"))  # the server does not know the person
    assert refused.kind is Outcome.REFUSED
    assert "owner" in refused.problems
    await rig.client.save_facility(FacilityInput(name="Beamer", facility_no=77))  # another desk took 77
    taken = await admin.save_item(ItemForm("facility", "Document camera", number="77"))
    assert taken.kind is Outcome.REFUSED, taken.message
    assert "number" in taken.problems
    assert [a for a, _ in rig.audit.actions()] == ["space.space.add", "space.facility.add"]


async def test_facilities_and_services_are_added_and_deleted_saying_exactly_which(rig: Rig) -> None:
    admin = SpaceAdmin(rig.desk)
    ids = []
    for name, number in (("Whiteboard", "31"), ("Beamer", "32"), ("Speakerphone", "33")):
        result = await admin.save_item(ItemForm("facility", name, number=number))
        assert result.kind is Outcome.DONE, result.message
        ids.append(result.booking_id)
    original = rig.client.space_directory_delete

    async def racing(kind: str, given: list[str]) -> object:
        rig.sim.world.table("space_facilities")[ids[1]]["initFlag"] = True  # another desk's doing, just now
        return await original(kind, given)

    rig.client.space_directory_delete = racing  # type: ignore[method-assign,assignment]
    deleted = await admin.delete("facility", ids)  # the server: "Succeed: 2, Failed: 1."
    assert deleted.kind is Outcome.REFUSED  # never a plain "done" when one failed
    assert set(deleted.succeeded) == {ids[0], ids[2]}
    assert deleted.failed == (ids[1],)
    assert "Deleted: Whiteboard, Speakerphone" in deleted.message
    assert "Not deleted: Beamer" in deleted.message
    assert rig.audit.actions()[-1] == ("space.facility.delete", "ok (Succeed: 2, Failed: 1)")
    service = await admin.save_item(ItemForm("service", "Coffee for ten"))
    assert service.kind is Outcome.DONE
    builtin = next(s for s in rig.desk.services.values() if s.builtin)
    gone = await admin.delete("service", [service.booking_id, builtin.id])
    assert gone.succeeded == (service.booking_id,)
    assert "built into the server" in gone.message
    rig.sim.world.table("space_facilities").pop(ids[1])
    already = await admin.delete("facility", [ids[1]])
    assert already.kind is Outcome.INVALID
    assert "no longer on the server" in already.message


async def test_a_lost_answer_is_settled_by_reading_the_list(rig: Rig) -> None:
    admin = SpaceAdmin(rig.desk)
    rig.sim.set_faults(drop_rate=1.0)
    original = rig.client.save_space_service

    async def losing(body: object) -> None:
        try:
            await original(body)  # type: ignore[arg-type]
        finally:
            rig.sim.set_faults(reset=True)

    rig.client.save_space_service = losing  # type: ignore[method-assign,assignment]
    result = await admin.save_item(ItemForm("service", "Flowers"))
    assert result.kind is Outcome.DONE, result.message
    assert result.settled
    assert sum(1 for s in rig.sim.world.table("space_services").values() if s["name"] == "Flowers") == 1
    assert [a for a, _ in rig.audit.actions()] == ["space.service.add", "space.service.add.settle"]


async def test_visitors_of_the_desk_join_a_booking_by_name_with_the_host_as_participant(rig: Rig) -> None:
    rig.desk.visitor_source = lambda: ["Ann Lee (Globex)", "Bo Chen"]
    assert rig.desk.desk_visitors() == ["Ann Lee (Globex)", "Bo Chen"]
    start = (rig.now() + timedelta(days=1)).replace(hour=9, minute=0, second=0)
    rig.desk.set_window(start.date())
    index = rig.free_space(start, start + timedelta(hours=1))
    request = BookingRequest(space_id=rig.space(index), subject="Globex visit", start=start,
                             end=start + timedelta(hours=1), host_pin=rig.host(), participant_ids=(),
                             content="Bring the contract", visitors=("Ann Lee (Globex)", "Bo Chen"))
    result = await rig.desk.book(request)
    assert result.kind is Outcome.DONE, result.message
    row = rig.row(result.booking_id)
    host_id = rig.sim.world.persons[rig.host()].id
    assert row["participantIds"] == host_id
    assert split_content(row["content"]) == ("Bring the contract", ("Ann Lee (Globex)", "Bo Chen"))
    booking = rig.desk.bookings[result.booking_id]
    assert booking.visitors == ("Ann Lee (Globex)", "Bo Chen")
    assert booking.content == "Bring the contract"
    assert booking.people_words == "1 participant + 2 visitors"
    edit = await rig.desk.for_edit(result.booking_id)
    assert edit is not None
    assert (edit.visitors, edit.content) == (booking.visitors, "Bring the contract")
    moved = await rig.desk.move(result.booking_id, start + timedelta(minutes=30), start + timedelta(minutes=90))
    assert moved.ok, moved.message
    assert split_content(rig.row(result.booking_id)["content"])[1] == booking.visitors  # kept by a move
