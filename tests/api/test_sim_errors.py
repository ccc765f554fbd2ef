"""The appendix error codes, each provoked on the simulator through the console's client, and the token rule."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from console.api import ApiError, AuthError, Client
from console.sim.world import World
from tests.sim.helpers import TOKEN, active_visitor, args_for, client_for, make_sim, online_door, parked, photo


def _disabled_door(w: World) -> str:
    return next(d.id for d in w.doors.values() if w.door_connect(d) == 2)


def _blocked(w: World) -> dict[str, Any]:
    v = next(v for v in w.visitors.values() if v.blocked)
    return {"certType": v.cert_type, "certNum": v.cert_number}


def _visitor_in(w: World) -> dict[str, Any]:
    v = active_visitor(w)
    return {"certType": v.cert_type, "certNum": v.cert_number}


def _visitor_out(w: World) -> dict[str, Any]:
    v = next(v for v in w.visitors.values()
             if not v.blocked and not any(r.visitor_pin == v.pin and r.checked_out_at is None for r in w.registrations))
    return {"certType": v.cert_type, "certNum": v.cert_number}


Override = dict[str, Any] | Callable[[World], dict[str, Any]]

CASES: list[tuple[str, str, Override, int]] = [
    # persons, cards, departments, levels, areas
    ("pin empty", "2.14.5", {"pin": ""}, -20),
    ("unknown person", "2.14.4", {"pin": "424242"}, -22),
    ("card used by another person", "2.5.3", {"pin": "1002", "cardNo": None}, -23),
    ("unknown level", "2.1.12", {"levelIds": "no-such-level"}, -24),
    ("photo not an image", "2.14.11", {"personPhoto": "bm90IGFuIGltYWdl"}, -27),
    ("pin with symbols", "2.14.1", {"pin": "12/34"}, -29),
    ("department name taken", "2.6.1", {"name": "Engineering", "code": "55"}, -12),
    ("unknown department", "2.6.4", {"code": "999"}, -13),
    ("department in use", "2.6.3", {"code": "1"}, -15),
    ("unknown area", "2.8.2", {"code": "99"}, -80),
    ("pins empty", "2.9.2", {"pins": []}, -81),
    ("over 500 pins", "2.9.2", {"pins": [str(i) for i in range(501)]}, -82),
    ("area code missing", "2.9.2", {"code": None}, -83),
    ("template valid type", "2.26.1", {"validType": "2"}, -32),
    ("template number", "2.26.1", {"templateNo": "12"}, -33),
    ("unknown template", "2.26.7", {"templateNo": "8"}, -34),
    ("unknown media", "2.7.3", {"name": "nothing"}, -70),
    # paging and dates
    ("pageNo 0", "2.12.5", {"pageNo": 0}, -90),
    ("negative pageSize", "2.19.5", {"pageSize": -1}, -90),
    ("pageSize over 1000", "2.14.12", {"pageSize": 1001}, -91),
    ("pageSize missing", "2.10.3", {"pageSize": None}, -92),
    ("bad date", "2.19.5", {"startDate": "yesterday", "endDate": "2025-01-01 00:00:00"}, -100),
    ("start after end", "2.35.5", {"startDate": "2025-02-01 00:00:00", "endDate": "2025-01-01 00:00:00"}, -101),
    # doors, floors, devices
    ("door id missing", "2.12.8", {"doorId": None}, -44),
    ("interval 0", "2.12.8", {"interval": 0}, -45),
    ("interval 255", "2.12.9", {"interval": 255}, -45),
    ("interval not a number", "2.12.8", {"interval": "soon"}, -45),
    ("floor interval 300", "2.13.3", {"interval": 300}, -45),
    ("door name missing", "2.12.9", {"doorName": None}, -46),
    ("unknown door", "2.12.2", {"doorId": "no-such-door"}, -47),
    ("unknown device", "2.10.2", {"sn": "NOPE123"}, -102),
    ("disabled device", "2.12.8", lambda w: {"doorId": _disabled_door(w)}, -103),
    ("floor id missing", "2.13.3", {"floorId": None}, -201),
    ("interval missing", "2.12.8", {"interval": None}, -202),
    # visitors
    ("host pin empty", "2.18.1", {"persPersonPin": ""}, -240),
    ("certificate type empty", "2.18.1", {"certType": ""}, -241),
    ("certificate number empty", "2.18.1", {"certNum": ""}, -242),
    ("visitor name empty", "2.18.1", {"visEmpName": ""}, -243),
    ("reserved twice", "2.16.1", lambda w: {"certType": w.reservations[0].cert_type,
                                            "certNum": w.reservations[0].cert_num,
                                            "visitDate": w.reservations[0].visit_date,
                                            "visitEndDate": w.reservations[0].visit_end}, -244),
    ("reservation during the visit", "2.16.1", _visitor_in, -245),
    ("visit reason empty", "2.18.1", {"visitReason": ""}, -246),
    ("visit date empty", "2.18.1", {"startTime": ""}, -247),
    ("no such reservation", "2.16.2", {"certNum": "NOPE", "visitDate": "2030-01-01 09:00:00"}, -248),
    ("visit date unreadable", "2.18.1", {"startTime": "31/08/2018"}, -249),
    ("certificate type 9", "2.18.1", {"certType": "9"}, -250),
    ("national ID check digit", "2.18.1", {"certType": "2", "certNum": "110101199003071235"}, -251),
    ("visit ends before it starts", "2.18.1", {"startTime": "2030-01-02 10:00:00",
                                               "endTime": "2030-01-01 10:00:00"}, -252),
    ("unknown host", "2.18.1", {"persPersonPin": "424242"}, -253),
    ("blocked visitor", "2.18.1", _blocked, -254),
    ("registered twice", "2.18.1", _visitor_in, -255),
    ("check-out of a visitor not inside", "2.18.2", _visitor_out, -256),
    ("unknown visitor", "2.18.2", {"certType": "3", "certNum": "NOBODY"}, -257),
    ("visitor count 0", "2.18.1", {"visitorCount": "0"}, -258),
    # gates
    ("gate id empty", "2.32.7", {"gateId": ""}, -263),
    ("unknown gate", "2.32.7", {"gateId": "no-such-gate"}, -264),
    ("open type missing", "2.32.8", {"openType": None}, -265),
    ("open type 3", "2.32.7", {"openType": 3}, -266),
    # parking
    ("billing a car that is not parked", "2.47.1", {"carNumber": "ZH NOT1N"}, -220),
    ("list type 7", "2.4.1", {"type": 7}, -221),
    ("allow list without dates", "2.4.1", {"type": 0}, -222),
    ("malformed plate", "2.4.1", {"carNumber": "<b>!"}, -223),
    ("payment for another car", "2.47.2", lambda w: {"carNumber": "ZH OTHER1", "recordId": parked(w).id}, -223),
    # face check
    ("face photo not an image", "2.14.16", {"personPhoto": "bm90IGFuIGltYWdl"}, -27),
    ("face photo too small", "2.14.16", {"personPhoto": photo(200, 200, (190, 140, 120))}, -5001),
    ("face photo in grey", "2.14.16", {"personPhoto": photo(400, 300, (128, 128, 128))}, -5006),
    ("face photo too dark", "2.14.16", {"personPhoto": photo(400, 300, (40, 20, 10))}, -5010),
    ("face photo overexposed", "2.14.16", {"personPhoto": photo(400, 300, (250, 235, 225))}, -5009),
    # the ret/msg envelope carries its code too
    ("unknown door transaction", "2.19.15", {"id": "no-such-event"}, -1),
]


@pytest.mark.parametrize(("section", "override", "code"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
async def test_error_code_reaches_the_console(section: str, override: Override, code: int) -> None:
    sim = make_sim()
    args = args_for(section, sim.world)
    if section == "2.5.3":  # someone else's card
        override = {"pin": "1002", "cardNo": sim.world.main_card("1001")}
    args.update(override(sim.world) if callable(override) else override)
    async with client_for(sim) as client:
        with pytest.raises(ApiError) as caught:
            await client.call(section, **{k: v for k, v in args.items() if v is not None})
    assert caught.value.code == code
    assert caught.value.text  # an operator-readable message, from the server or the appendix


def test_the_table_covers_every_code_the_simulator_promises() -> None:
    promised = {-20, -22, -44, -45, -47, -90, -91, -92, -100, -101, -102, -103, -240, -241, -242, -243, -246, -247,
                -249, -250, -251, -253, -254, -255, -256, -258, -263, -264, -265, -266, -220, -221, -222, -223, -27,
                -5001, -5006, -5009, -5010}
    assert promised <= {case[3] for case in CASES}


async def test_wrong_or_missing_token_is_refused_with_401() -> None:
    sim = make_sim()
    transport = httpx.ASGITransport(app=sim.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sim.test") as raw:
        for query in ("", "?access_token=wrong", "?acc_token=" + TOKEN):
            answer = await raw.get("/api/door/allDoorState" + (query + "&" if query else "?") + "timestamp=1")
            assert answer.status_code == 401
            assert answer.json() == {"code": -1, "message": "access_token is missing or invalid", "data": None}
        sn = next(iter(sim.world.devices.values())).sn
        answer = await raw.get(f"/api/transaction/device/{sn}?pageNo=1&pageSize=5&acc_token={TOKEN}")
        assert answer.status_code == 200  # 2.19.1 prints acc_token: accepted there
        answer = await raw.get("/_sim/events?access_token=wrong")
        assert answer.status_code == 401
    async with Client("http://sim.test", "not-the-token", transport=httpx.ASGITransport(app=sim.app)) as client:
        with pytest.raises(AuthError) as caught:
            await client.call("2.12.1", timestamp=1)
    assert caught.value.status == 401
    assert "not-the-token" not in str(caught.value)


async def test_a_door_on_a_disabled_device_cannot_be_opened_but_an_online_one_can() -> None:
    sim = make_sim()
    async with client_for(sim) as client:
        await client.call("2.12.8", doorId=online_door(sim.world).id, interval=3)
        with pytest.raises(ApiError) as caught:
            await client.call("2.12.8", doorId=_disabled_door(sim.world), interval=3)
    assert caught.value.code == -103
