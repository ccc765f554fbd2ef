"""The simulator behaves like one consistent server: what a write changes, the reads show."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from console.api import ApiError, HTTPStatusError
from console.sim.rules import QR_ROTATE_SECONDS
from tests.sim.helpers import TOKEN, client_for, make_sim, now_text, online_door


async def test_a_person_added_is_found_by_get_and_list_and_gone_after_delete() -> None:
    sim = make_sim()
    async with client_for(sim) as client:
        await client.call("2.14.1", pin="7001", name="Zoë", lastName="Ng", deptCode="2", cardNo="99887766")
        person = await client.call("2.14.4", pin="7001")
        assert (person["name"], person["lastName"], person["cardNo"], person["deptCode"]) == ("Zoë", "Ng",
                                                                                               "99887766", "2")
        page = await client.call("2.14.12", pins="7001,1001", pageNo=1, pageSize=10)
        assert sorted(p["pin"] for p in page["data"]) == ["1001", "7001"]
        cards = await client.call("2.5.2", pin="7001")
        assert cards == [{"pin": "7001", "cardNo": "99887766", "cardType": "0"}]
        await client.call("2.14.2", pin="7001")
        with pytest.raises(ApiError) as caught:
            await client.call("2.14.4", pin="7001")
    assert caught.value.code == -22


async def test_remote_open_opens_relay_and_sensor_for_the_interval_then_closes() -> None:
    sim = make_sim()
    door = online_door(sim.world)
    async with client_for(sim) as client:
        before = await client.call("2.12.2", doorId=door.id, timestamp=1)
        assert (before["relay"], before["sensor"]) == ("off", "off")
        await client.call("2.12.8", doorId=door.id, interval=4)
        during = await client.call("2.12.2", doorId=door.id, timestamp=1)
        assert (during["relay"], during["sensor"]) == ("open", "open")
        events = (await client.call("2.19.5", pageNo=1, pageSize=1))["data"]
        assert (events[0]["eventNo"], events[0]["eventName"], events[0]["eventPointName"]) == (
            8, "Remote Opening", door.name)
        sim.world.clock.advance(4.1)
        after = await client.call("2.12.2", doorId=door.id, timestamp=1)
        assert (after["relay"], after["sensor"]) == ("off", "off")
        await client.call("2.12.8", doorId=door.id, interval=200)
        await client.call("2.12.6", doorId=door.id)
        closed = await client.call("2.12.2", doorId=door.id, timestamp=1)
        assert closed["relay"] == "off"
        assert (await client.call("2.19.5", pageNo=1, pageSize=1))["data"][0]["eventNo"] == 9


async def test_gate_remote_open_sets_entry_or_exit_relay_for_a_few_seconds() -> None:
    sim = make_sim()
    gate = next(iter(sim.world.gates.values()))
    async with client_for(sim) as client:
        await client.call("2.32.7", gateId=gate.id, openType=1)
        assert (await client.call("2.32.2", gateId=gate.id))[0]["relay"] == "2"  # entry open
        await client.call("2.32.8", gateName=gate.name, openType=2)
        assert (await client.call("2.32.2", gateId=gate.id))[0]["relay"] == "1"  # exit open
        sim.world.clock.advance(6)
        assert (await client.call("2.32.2", gateId=gate.id))[0]["relay"] == "0"
        passes = (await client.call("2.35.5", pageNo=1, pageSize=2))["data"]
        assert [p["eventName"] for p in passes] == ["Remote Opening", "Remote Opening"]


async def test_forced_open_door_shows_the_alarm_until_it_closes() -> None:
    sim = make_sim()
    door = next(d for d in sim.world.doors.values() if d.has_sensor and sim.world.door_connect(d) == 1)
    sim.emit("forced_open", door_id=door.id, seconds=20)
    async with client_for(sim) as client:
        state = await client.call("2.12.2", doorId=door.id, timestamp=1)
        assert (state["sensor"], state["alarm"], state["relay"]) == ("open", "be opened accidentally", "off")
        sim.world.clock.advance(21)
        state = await client.call("2.12.2", doorId=door.id, timestamp=1)
        assert state["sensor"] == "off"
        assert state["alarm"].lower() == "none"
        alarms = await client.call("2.19.13", type="alarm", pageNo=1, pageSize=5)
        assert alarms[0]["eventName"] == "Door Opened Accidentally"
        assert alarms[0]["eventLevel"] == "2"


async def test_device_offline_takes_its_doors_offline_and_back_with_events() -> None:
    sim = make_sim()
    door = online_door(sim.world)
    sn = sim.world.devices[door.device_id].sn
    async with client_for(sim) as client:
        sim.world.set_device_online(sn, False)
        assert (await client.call("2.12.2", doorId=door.id, timestamp=1))["connect"] == "0"
        with pytest.raises(ApiError) as caught:
            await client.call("2.12.8", doorId=door.id, interval=3)
        assert caught.value.code == -103
        sim.emit("device_online", sn=sn)
        assert (await client.call("2.12.2", doorId=door.id, timestamp=1))["connect"] == "1"
        names = [e["eventName"] for e in (await client.call("2.19.2", deviceSn=sn, pageNo=1, pageSize=2))["data"]]
    assert names == ["Device Connected", "Device Disconnected"]


async def test_device_offline_for_a_while_comes_back_by_itself() -> None:
    sim = make_sim()
    sn = next(d.sn for d in sim.world.devices.values() if d.module == "psg")
    sim.emit("device_offline", sn=sn, seconds=30)
    async with client_for(sim) as client:
        assert {g["connect"] for g in await client.call("2.32.3", deviceSn=sn)} == {"0"}
        sim.world.clock.advance(31)
        assert {g["connect"] for g in await client.call("2.32.3", deviceSn=sn)} == {"1"}


async def test_visitor_registration_qr_code_and_check_out() -> None:
    sim = make_sim()
    visit: dict[str, Any] = {"persPersonPin": "1001", "certType": "3", "certNum": "E7654321", "visEmpName": "Max",
             "visitEmpPhone": "13800000000", "visitReason": "Audit", "visitorCount": "2",
             "startTime": now_text(), "endTime": now_text(7200)}
    async with client_for(sim) as client:
        await client.call("2.18.1", **visit)
        (visitor,) = await client.call("2.18.6", certNumbers="E7654321", pageNo=1, pageSize=10)
        pin = visitor["pin"]
        assert pin.startswith("8")
        qr = await client.call("2.18.4", pin=pin)
        assert qr.startswith("2#")
        assert await client.call("2.18.3", pin=pin) == qr
        assert await client.call("2.18.5", certNumber="E7654321", certType="3", phone="13800000000") == qr
        sim.world.clock.advance(QR_ROTATE_SECONDS)
        rotated = await client.call("2.18.4", pin=pin)
        assert rotated != qr
        with pytest.raises(ApiError) as twice:
            await client.call("2.18.1", **visit)
        assert twice.value.code == -255
        await client.call("2.18.2", certType="3", certNum="E7654321")
        with pytest.raises(ApiError) as gone:
            await client.call("2.18.4", pin=pin)
        assert gone.value.code == -256
        await client.call("2.18.1", **visit)  # a new visit of the same visitor
        (again,) = await client.call("2.18.6", certNumbers="E7654321", pageNo=1, pageSize=10)
    assert again["pin"] == pin


async def test_parking_entry_billing_and_payment() -> None:
    sim = make_sim()
    entry = sim.emit("park_entry", carNumber="粤 B12345")
    async with client_for(sim) as client:
        admitted = (await client.call("2.41.7", carNumber="粤 B12345", pageNo=1, pageSize=5))["data"]
        assert [r["id"] for r in admitted] == [entry["id"]]
        bill = await client.call("2.47.1", carNumber="粤 B12345")
        assert (bill["finalAmount"], bill["recordId"]) == ("0.00", entry["id"])  # first 30 minutes free
        sim.world.clock.advance(2 * 3600 + 60)
        bill = await client.call("2.47.1", carNumber="粤 B12345")
        assert bill["finalAmount"] == "15.00"  # 3 started hours at 5.00
        assert bill["parkingTime"] == "0 02:01:00"
        paid = await client.call("2.47.2", carNumber="粤 B12345", recordId=bill["recordId"], paymentType="card")
        assert paid == {"carNumber": "粤 B12345", "recordId": bill["recordId"], "paymentType": "card"}
        assert (await client.call("2.47.1", carNumber="粤 B12345"))["finalAmount"] == "0.00"
        with pytest.raises(ApiError) as again:
            await client.call("2.47.2", carNumber="粤 B12345", recordId=bill["recordId"], paymentType="card")
        assert again.value.code == -220
        sim.emit("park_exit", carNumber="粤 B12345")
        left = (await client.call("2.41.8", carNumber="粤 B12345", pageNo=1, pageSize=5))["data"]
        assert left[0]["parkingTime"] == "0 02:01:00"
        with pytest.raises(ApiError) as gone:
            await client.call("2.47.1", carNumber="粤 B12345")
    assert gone.value.code == -220


async def test_space_reservation_moves_through_its_statuses() -> None:
    sim = make_sim()
    space_id = next(iter(sim.world.table("spaces")))
    start = time.time() + 3600
    async with client_for(sim) as client:

        async def status(subject: str) -> int:
            rows = (await client.call("2.46.1", subject=subject, pageNo=1, pageSize=5))["data"]
            return int(rows[0]["reservationStatus"])

        for subject in ("Planning", "Standup"):
            await client.call("2.46.7", id="", subject=subject, applyPersonPin="1001",
                              participantIds=sim.world.persons["1002"].id, spaceId=space_id,
                              startTime=now_text(3600 if subject == "Planning" else 3 * 3600),
                              endTime=now_text(7200 if subject == "Planning" else 4 * 3600))
        assert await status("Planning") == 0
        planning = (await client.call("2.46.1", subject="Planning", pageNo=1, pageSize=5))["data"][0]["id"]
        standup = (await client.call("2.46.1", subject="Standup", pageNo=1, pageSize=5))["data"][0]["id"]
        sim.world.clock.advance(start - time.time() + 1)
        assert await status("Planning") == 1
        assert (await client.call("2.43.2", id=space_id))["status"] == "1"  # in use
        answer = await client.call_envelope("2.46.5", id=planning)
        assert answer.message == "Succeed: 1, Failed: 0."
        assert await status("Planning") == 2
        await client.call("2.46.4", id=standup)
        assert await status("Standup") == 3
        again = await client.call_envelope("2.46.4", id=standup)
    assert again.message == "Succeed: 0, Failed: 1."


async def test_hep_endpoints_can_be_absent() -> None:
    sim = make_sim(hep=False)
    async with client_for(sim) as client:
        with pytest.raises(HTTPStatusError) as caught:
            await client.call("2.27.1", pageNo=1, pageSize=5)
        assert caught.value.status == 404
        assert await client.call("2.19.4", pageNo=1, pageSize=5)  # the rest is there


async def test_printed_and_misspelt_urls_are_answered_too() -> None:
    sim = make_sim()
    door = online_door(sim.world)
    t = f"access_token={TOKEN}"
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sim.app), base_url="http://sim.test") as raw:
        assert (await raw.post(f"/api/door/remoteCloseById?doorId={door.id}&{t}")).json()["code"] == 0
        assert (await raw.post(f"/api/door/remotecloseById?doorId={door.id}&{t}")).json()["code"] == 0
        assert (await raw.get(f"/api/psgdDevice/list?pageNo=1&pageSize=5&{t}")).json()["data"]
        image = (await raw.post(f"/api/attApply/uploadLeaveImage?{t}",
                                json={"base64Image": sim.world.persons["1001"].photo})).json()
        assert image["data"].startswith("/fileresource/")
        assert (await raw.post(f"/api/visRegistration/add?&{t}", json={})).json()["code"] == -240  # "?&"
        billing = await raw.post(f"/api/v1/parkCost/vehicleBilling&{t}", json={"carNumber": "ZH NONE1"})
        assert billing.json()["code"] == -220  # "&access_token" straight after the path
        assert (await raw.post(f"/api/person/delete/10010?{t}")).json()["code"] == 0  # {pin}{templateNo}
        assert ("1001", "0") not in sim.world.templates
        v1 = (await raw.get(f"/api/device/acclist?pageNo=1&pageSize=50&{t}")).json()["data"]
        v2 = (await raw.get(f"/api/v2/device/list?pageNo=1&pageSize=50&{t}")).json()["data"]
    assert isinstance(v1, list)
    assert "state" in v1[0]
    assert v2["total"] == len(v1)
    assert "status" in v2["data"][0]


async def test_events_are_unique_by_content_key_even_in_the_same_second() -> None:
    sim = make_sim()
    door = online_door(sim.world)
    emitted = [sim.emit("verify", door_id=door.id, pin="1001", mode="face", direction="in") for _ in range(5)]
    keys = {(e["devSn"], e["eventTime"], e["eventName"], e["eventPointName"], e["pin"], e["cardNo"]) for e in emitted}
    assert len(keys) == 5
    assert len({e["id"] for e in emitted}) == 5


async def test_ground_truth_lists_every_emitted_event_once() -> None:
    sim = make_sim()
    assert sim.emitted == []  # the generated history is not "emitted"
    made = [sim.emit(kind) for kind in ("verify", "gate_pass", "temperature", "floor", "unknown_card")]
    assert [e["id"] for e in sim.emitted] == [e["id"] for e in made]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sim.app), base_url="http://sim.test") as raw:
        since = made[1]["seq"]
        truth = (await raw.get(f"/_sim/events?since={since}&access_token={TOKEN}")).json()
    assert [e["id"] for e in truth["events"]] == [e["id"] for e in made[2:]]
    assert truth["last"] == made[-1]["seq"]
