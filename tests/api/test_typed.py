"""Typed methods against a MockTransport that answers with the manual's own response examples."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import httpx
import pytest

from console.api import ApiError, Client, CVSecError, HTTPStatusError, ModelError, RetryPolicy, endpoints
from console.api.models import (
    AccessLevel,
    AccessTransaction,
    AllowListType,
    BlackWhiteType,
    Card,
    CarType,
    CertType,
    Department,
    DepartmentInput,
    Device,
    Door,
    DoorState,
    ElevatorLevel,
    ElevatorTransaction,
    Facility,
    FirstInLastOut,
    Floor,
    Gate,
    GateDevice,
    GateDirection,
    GateLevel,
    GateReader,
    GateState,
    GateTransaction,
    ParkChannel,
    ParkingArea,
    ParkingBill,
    ParkingDiscount,
    ParkingEntrance,
    ParkingEntry,
    ParkingExit,
    ParkingSpace,
    Participant,
    PaymentNotice,
    Person,
    PersonInput,
    Reader,
    Space,
    SpaceDevice,
    SpaceReservation,
    SpaceService,
    TemperatureEvent,
    Visitor,
    VisitorLevel,
    VisitorRegistration,
)
from console.api.paging import Page
from console.api.typed import EndpointUnavailable

TOKEN = "typed-token-7788"
SUCCESS = {"code": 0, "message": "success", "data": None}


@dataclass
class Seen:
    section: str
    method: str
    path: str
    query: dict[str, str]
    body: Any


class CatalogServer:
    """Answers each request with the response example of the section whose method and path it matches.

    Paged examples are served on page 1 only (later pages are empty), so paging ends as on a real server.
    ``answers`` overrides a section's answer (an httpx.Response or a body); ``prefer`` picks between
    sections printed with the same URL (2.21.1/2.41.7).
    """

    def __init__(self, answers: dict[str, Any] | None = None, prefer: tuple[str, ...] = ()) -> None:
        self.answers = answers or {}
        self.seen: list[Seen] = []
        routes: list[tuple[int, str, re.Pattern[str], str]] = []
        for section, ep in endpoints.ENDPOINTS.items():
            pattern = re.compile("^" + re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(ep.path)) + "$")
            rank = 0 if section in prefer else (1 if "{" not in ep.path else 2)
            routes.append((rank, ep.method, pattern, section))
        self.routes = sorted(routes, key=lambda r: r[0])

    def section_of(self, request: httpx.Request) -> str:
        for _, method, pattern, section in self.routes:
            if method == request.method and pattern.match(request.url.path):
                return section
        raise AssertionError(f"no endpoint for {request.method} {request.url.path}")

    def __call__(self, request: httpx.Request) -> httpx.Response:
        section = self.section_of(request)
        query = {k: v for k, v in request.url.params.items() if k != "access_token"}
        is_json = request.headers.get("content-type", "").startswith("application/json")
        body = json.loads(request.content) if request.content and is_json else None
        self.seen.append(Seen(section, request.method, request.url.path, query, body))
        answer = self.answers.get(section)
        if isinstance(answer, httpx.Response):
            return answer
        if answer is None:
            example = endpoints.get(section).response_example
            answer = example if isinstance(example, dict) else SUCCESS
        page_no = query.get("pageNo") or (body or {}).get("pageNo") if isinstance(body, dict) else query.get("pageNo")
        if page_no not in (None, 1, "1"):
            answer = _emptied(answer)
        return httpx.Response(200, json=answer)

    @property
    def last(self) -> Seen:
        return self.seen[-1]


def _emptied(answer: dict[str, Any]) -> dict[str, Any]:
    data = answer.get("data")
    if isinstance(data, list):
        return {**answer, "data": []}
    if isinstance(data, dict) and "data" in data:
        return {**answer, "data": {**data, "data": []}}
    return answer


def client_for(server: Any) -> Client:
    return Client("http://127.0.0.1:9", TOKEN, transport=httpx.MockTransport(server), retry=RetryPolicy(backoff=0))


async def run(
    call: Callable[[Client], Awaitable[Any]], server: CatalogServer | None = None
) -> tuple[Any, CatalogServer]:
    server = server or CatalogServer()
    async with client_for(server) as client:
        return await call(client), server


# -- every read method: the section it calls and the type it returns ----------------------------------

READS: list[tuple[str, Callable[[Client], Awaitable[Any]], str, type]] = [
    ("access_devices", lambda c: c.access_devices(), "2.10.3", Device),
    ("access_device", lambda c: c.access_device("5662012052868"), "2.10.2", Device),
    ("elevator_devices", lambda c: c.elevator_devices(), "2.11.3", Device),
    ("elevator_device", lambda c: c.elevator_device("sn"), "2.11.2", Device),
    ("gate_devices", lambda c: c.gate_devices(), "2.31.3", GateDevice),
    ("gate_device", lambda c: c.gate_device("sn"), "2.31.2", GateDevice),
    ("space_devices", lambda c: c.space_devices(), "2.42.2", SpaceDevice),
    ("space_device", lambda c: c.space_device("sn"), "2.42.1", SpaceDevice),
    ("door_states", lambda c: c.door_states(), "2.12.1", DoorState),
    ("door_state", lambda c: c.door_state("d1"), "2.12.2", DoorState),
    ("device_door_states", lambda c: c.device_door_states("sn"), "2.12.3", DoorState),
    ("doors", lambda c: c.doors(), "2.12.10", Door),
    ("door", lambda c: c.door("d1"), "2.12.4", Door),
    ("gate_states", lambda c: c.gate_states(), "2.32.1", GateState),
    ("gate_state", lambda c: c.gate_state("g1"), "2.32.2", GateState),
    ("device_gate_states", lambda c: c.device_gate_states("sn"), "2.32.3", GateState),
    ("gates", lambda c: c.gates(), "2.32.6", Gate),
    ("gate", lambda c: c.gate("g1"), "2.32.4", Gate),
    ("readers", lambda c: c.readers(), "2.15.3", Reader),
    ("reader", lambda c: c.reader("r1"), "2.15.2", Reader),
    ("gate_readers", lambda c: c.gate_readers(), "2.34.2", GateReader),
    ("gate_reader", lambda c: c.gate_reader("r1"), "2.34.3", GateReader),
    ("floors", lambda c: c.floors(), "2.13.4", Floor),
    ("access_levels", lambda c: c.access_levels(), "2.1.9", AccessLevel),
    ("access_level", lambda c: c.access_level("l1"), "2.1.3", AccessLevel),
    ("elevator_levels", lambda c: c.elevator_levels(), "2.3.7", ElevatorLevel),
    ("elevator_level", lambda c: c.elevator_level("l1"), "2.3.2", ElevatorLevel),
    ("gate_levels", lambda c: c.gate_levels(), "2.33.9", GateLevel),
    ("gate_level", lambda c: c.gate_level("l1"), "2.33.3", GateLevel),
    ("visitor_levels", lambda c: c.visitor_levels(), "2.17.1", VisitorLevel),
    ("access_monitor", lambda c: c.access_monitor(1494467276539), "2.19.6", AccessTransaction),
    ("gate_monitor", lambda c: c.gate_monitor(), "2.35.6", GateTransaction),
    ("temperature_monitor", lambda c: c.temperature_monitor(), "2.27.2", TemperatureEvent),
    ("transactions", lambda c: c.transactions(), "2.19.5", AccessTransaction),
    ("person_transactions", lambda c: c.person_transactions("59"), "2.19.9", AccessTransaction),
    ("device_transactions", lambda c: c.device_transactions("7633223440032"), "2.19.3", AccessTransaction),
    ("transaction", lambda c: c.transaction("8a88"), "2.19.17", AccessTransaction),
    ("first_in_last_out", lambda c: c.first_in_last_out("50"), "2.19.12", FirstInLastOut),
    ("gate_transactions", lambda c: c.gate_transactions(), "2.35.5", GateTransaction),
    ("elevator_transactions", lambda c: c.elevator_transactions(), "2.20.2", ElevatorTransaction),
    ("temperature_transactions", lambda c: c.temperature_transactions(), "2.27.1", TemperatureEvent),
    ("person", lambda c: c.person("1"), "2.14.5", Person),
    ("persons", lambda c: c.persons(), "2.14.12", Person),
    ("person_cards", lambda c: c.person_cards("1234"), "2.5.2", Card),
    ("departments", lambda c: c.departments(), "2.6.6", Department),
    ("department", lambda c: c.department("3333"), "2.6.5", Department),
    ("visitors", lambda c: c.visitors(), "2.18.6", Visitor),
    ("parking_channels", lambda c: c.parking_channels(), "2.41.6", ParkChannel),
    ("device_channels", lambda c: c.device_channels(), "2.36.1", ParkChannel),
    ("parking_bill", lambda c: c.parking_bill("辽 A12345"), "2.47.1", ParkingBill),
    ("parking_entries", lambda c: c.parking_entries(), "2.41.7", ParkingEntry),
    ("parking_exits", lambda c: c.parking_exits(), "2.41.8", ParkingExit),
    ("parking_areas", lambda c: c.parking_areas(), "2.41.1", ParkingArea),
    ("parking_entrances", lambda c: c.parking_entrances(), "2.41.3", ParkingEntrance),
    ("parking_spaces", lambda c: c.parking_spaces("a1"), "2.41.5", ParkingSpace),
    ("car_types", lambda c: c.car_types(), "2.41.4", CarType),
    ("parking_discounts", lambda c: c.parking_discounts(), "2.41.2", ParkingDiscount),
    ("spaces", lambda c: c.spaces(), "2.43.1", Space),
    ("space", lambda c: c.space("s1"), "2.43.2", Space),
    ("facilities", lambda c: c.facilities(), "2.44.1", Facility),
    ("facility", lambda c: c.facility("f1"), "2.44.2", Facility),
    ("space_services", lambda c: c.space_services(), "2.45.1", SpaceService),
    ("space_service", lambda c: c.space_service("v1"), "2.45.2", SpaceService),
    ("space_reservations", lambda c: c.space_reservations(), "2.46.1", SpaceReservation),
    ("space_reservation", lambda c: c.space_reservation("r1"), "2.46.2", SpaceReservation),
    ("reservation_participants", lambda c: c.reservation_participants("r1"), "2.46.6", Participant),
]


@pytest.mark.parametrize(("name", "call", "section", "model"), READS, ids=[r[0] for r in READS])
async def test_read_method_calls_its_section_and_returns_models(
    name: str, call: Callable[[Client], Awaitable[Any]], section: str, model: type
) -> None:
    server = CatalogServer(prefer=(section,))
    result, _ = await run(call, server)
    assert {s.section for s in server.seen} == {section}
    items = result.items if isinstance(result, Page) else result if isinstance(result, list) else [result]
    assert items, f"{name} read nothing from the manual's example"
    assert all(isinstance(item, model) for item in items)


async def test_small_lists_are_paged_to_the_end() -> None:
    floors, server = await run(lambda c: c.floors())  # example: total 10, 3 records on page 1
    assert [f.floor_no for f in floors] == [1, 2, 3]
    assert [s.query["pageNo"] for s in server.seen] == ["1", "2"]
    assert server.seen[0].path == "/api/v2/floor/list"  # PATH_FIXES, not the printed v1 URL


async def test_events_page_carries_the_total_and_formats_the_range() -> None:
    start, end = datetime(2023, 1, 12, 8, 0), datetime(2023, 1, 12, 18, 30, 5)
    page, server = await run(lambda c: c.transactions(start=start, end=end, pin="57", page_no=2, page_size=2))
    assert isinstance(page, Page)
    assert server.last.query == {
        "personPin": "57",
        "startDate": "2023-01-12 08:00:00",
        "endDate": "2023-01-12 18:30:05",
        "pageNo": "2",
        "pageSize": "2",
    }


async def test_a_range_that_ends_before_it_starts_is_refused_before_sending() -> None:
    server = CatalogServer()
    with pytest.raises(ValueError, match="start"):
        await run(lambda c: c.transactions(start=datetime(2024, 1, 2), end=datetime(2024, 1, 1)), server)
    assert server.seen == []


async def test_device_transactions_use_the_v3_query_form() -> None:
    page, server = await run(lambda c: c.device_transactions("7633223440032"))
    assert page.total == 39
    assert (server.last.path, server.last.query["deviceSn"]) == ("/api/v3/transaction/device", "7633223440032")


# -- remote actions -----------------------------------------------------------------------------------


async def test_open_door_sends_id_and_interval_once() -> None:
    _, server = await run(lambda c: c.open_door("402856aa6c3baabb016c3bb37365000a", 8))
    assert [(s.method, s.path) for s in server.seen] == [("POST", "/api/door/remoteOpenById")]
    assert server.last.query == {"doorId": "402856aa6c3baabb016c3bb37365000a", "interval": "8"}


@pytest.mark.parametrize("interval", [0, 255, -1, 5.5, True, "5"])
@pytest.mark.parametrize("action", ["door", "door_by_name", "floor"])
async def test_opening_time_outside_1_to_254_is_refused_before_sending(interval: Any, action: str) -> None:
    server = CatalogServer()
    calls: dict[str, Callable[[Client], Awaitable[Any]]] = {
        "door": lambda c: c.open_door("d1", interval),
        "door_by_name": lambda c: c.open_door_by_name("Front", interval),
        "floor": lambda c: c.open_floor("f1", interval),
    }
    with pytest.raises(ValueError, match="254"):
        await run(calls[action], server)
    assert server.seen == []


@pytest.mark.parametrize("interval", [1, 254])
async def test_opening_time_limits_are_accepted(interval: int) -> None:
    _, server = await run(lambda c: c.open_floor("f1", interval))
    assert server.last.query == {"floorId": "f1", "interval": str(interval)}


async def test_close_door_by_name_uses_the_title_spelling_real_servers_route() -> None:
    _, server = await run(lambda c: c.close_door_by_name("192.168.214.15-1"))
    assert server.last.path == "/api/door/remoteCloseByName"
    assert server.last.query == {"doorName": "192.168.214.15-1"}


@pytest.mark.parametrize(("section", "call"), [
    ("2.12.6", lambda c: c.close_door("d1")),
    ("2.10.1", lambda c: c.call("2.10.1", pageNo=1, pageSize=10)),
])
async def test_a_server_that_only_knows_the_printed_spelling_is_tried_once_more_and_remembered(
    section: str, call: Callable[[Client], Awaitable[Any]]
) -> None:
    """A 404 proves the request was not executed: the other spelling is tried (a write too), once; the
    spelling that answered is used straight away afterwards."""
    ep = endpoints.get(section)
    printed = ep.alt_paths[0]
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        if request.url.path != printed:
            return httpx.Response(404, json={"code": -1, "message": "Not Found"})
        return httpx.Response(200, json={"code": 0, "message": "success", "data": []})

    async with client_for(handler) as client:
        await call(client)
        await call(client)
    assert seen == [ep.path, printed, printed]
    assert ep.path != printed
    assert ep.path.lower() == printed.lower()  # only the letter case differs


async def test_a_404_under_every_spelling_is_an_http_404() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, json={"code": -1, "message": "Not Found"})

    async with client_for(handler) as client:
        with pytest.raises(HTTPStatusError) as caught:
            await client.close_door("d1")
    assert caught.value.status == 404


@pytest.mark.parametrize(("direction", "code"), [(GateDirection.ENTRY, "1"), (GateDirection.EXIT, "2")])
async def test_open_gate_sends_the_direction_code(direction: GateDirection, code: str) -> None:
    _, server = await run(lambda c: c.open_gate("g1", direction))
    assert server.last.query == {"gateId": "g1", "openType": code}


async def test_open_gate_without_a_direction_is_refused() -> None:
    server = CatalogServer()
    with pytest.raises(ValueError, match="direction"):
        await run(lambda c: c.open_gate_by_name("Gate 1", GateDirection.UNKNOWN), server)
    assert server.seen == []


async def test_write_failure_is_not_retried_and_keeps_the_servers_code() -> None:
    server = CatalogServer({"2.12.8": {"code": -47, "message": "", "data": None}})
    with pytest.raises(ApiError) as info:
        await run(lambda c: c.open_door("nope", 5), server)
    assert info.value.code == -47
    assert len(server.seen) == 1


@pytest.mark.parametrize("blank", ["", "   "])
async def test_blank_ids_are_refused_before_sending(blank: str) -> None:
    server = CatalogServer()
    with pytest.raises(ValueError, match="required"):
        await run(lambda c: c.close_door(blank), server)
    assert server.seen == []


# -- optional modules ----------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [404, 405, 501])
async def test_temperature_monitor_missing_on_this_server(status: int) -> None:
    server = CatalogServer({"2.27.2": httpx.Response(status, text="Not Found")})
    with pytest.raises(EndpointUnavailable) as info:
        await run(lambda c: c.temperature_monitor(), server)
    assert isinstance(info.value, HTTPStatusError)
    assert isinstance(info.value, CVSecError)
    assert info.value.section == "2.27.2"
    assert info.value.status == status
    assert "2.27.2" in str(info.value)


async def test_temperature_list_missing_on_this_server() -> None:
    server = CatalogServer({"2.27.1": httpx.Response(404)})
    with pytest.raises(EndpointUnavailable):
        await run(lambda c: c.temperature_transactions(), server)


async def test_a_temperature_server_error_stays_a_server_error() -> None:
    server = CatalogServer({"2.27.2": httpx.Response(500)})
    with pytest.raises(HTTPStatusError) as info:
        await run(lambda c: c.temperature_monitor(), server)
    assert not isinstance(info.value, EndpointUnavailable)


async def test_other_monitors_send_their_timestamp() -> None:
    events, server = await run(lambda c: c.access_monitor(datetime.fromtimestamp(1494467276.539)))
    assert server.last.query == {"timestamp": "1494467276539"}
    assert events[0].card_no == "9606650"


# -- persons, visitors ---------------------------------------------------------------------------------


async def test_person_qr_code_sends_pin_in_query_and_body() -> None:
    qr, server = await run(lambda c: c.person_qr("123"))
    assert qr == "2#6SQLlaSLhprGhpkCgFrhHfdyZXFJxK2DLy+oLVolmol="
    assert (server.last.query, server.last.body) == ({"pin": "123"}, {"pin": "123"})


async def test_visitor_qr_codes() -> None:
    assert (await run(lambda c: c.visitor_qr("80000001")))[0].startswith("2#")
    qr, server = await run(lambda c: c.visitor_qr_by_cert("4512", cert_type=CertType.PASSPORT))
    assert qr.startswith("2#")
    assert server.last.query == {"certNumber": "4512", "certType": "3"}


async def test_a_qr_stub_instead_of_a_code_is_a_model_error() -> None:
    server = CatalogServer({"2.18.4": {"code": 0, "message": "string", "data": {}}})
    with pytest.raises(ModelError):
        await run(lambda c: c.visitor_qr("80000001"), server)


async def test_add_person_and_department_send_their_bodies() -> None:
    _, server = await run(lambda c: c.add_person(PersonInput(pin="1234", name="Ann", dept_code="1")))
    assert (server.last.section, server.last.body) == ("2.14.1", {"pin": "1234", "deptCode": "1", "name": "Ann"})
    _, server = await run(
        lambda c: c.add_department(DepartmentInput(code="456", name="department name", parent_code="123"))
    )
    assert server.last.body == endpoints.get("2.6.1").body_example


async def test_persons_by_pins_pages_in_the_body() -> None:
    page, server = await run(lambda c: c.persons(pins=["1", "2", "3"], dept_codes=["1"], page_size=10))
    assert page.total == 1
    assert page.items[0].name == "seven"
    assert server.last.body == {"pins": "1,2,3", "deptCodes": "1", "pageNo": 1, "pageSize": 10}


async def test_delete_person_and_photo_update() -> None:
    _, server = await run(lambda c: c.delete_person("1234"))
    assert (server.last.section, server.last.query) == ("2.14.3", {"pin": "1234"})
    _, server = await run(lambda c: c.update_person_photo("1234", "iVBORw0KGgo="))
    assert server.last.body == {"pin": "1234", "personPhoto": "iVBORw0KGgo="}


async def test_set_card_sends_the_card_type_code() -> None:
    _, server = await run(lambda c: c.set_card("1234", "212121"))
    assert server.last.body == endpoints.get("2.5.3").body_example


async def test_detect_face_turns_a_refused_photo_into_a_verdict() -> None:
    check, _ = await run(lambda c: c.detect_face("base64"))
    assert check.ok
    assert check.code == 0
    refused = CatalogServer({"2.14.16": {"code": -5002, "message": "", "data": None}})
    check, _ = await run(lambda c: c.detect_face("base64"), refused)
    assert (check.ok, check.code, check.reason) == (False, -5002, "No face was detected (code -5002)")
    broken = CatalogServer({"2.14.16": {"code": -1, "message": "Program error", "data": None}})
    with pytest.raises(ApiError):
        await run(lambda c: c.detect_face("base64"), broken)


async def test_register_and_check_out_a_visitor() -> None:
    registration = VisitorRegistration(
        host_pin="1",
        cert_type=CertType.OTHER,
        cert_num="456888",
        visitor_name="max",
        reason="visit",
        start_time=datetime(2018, 8, 31, 14, 40),
        end_time=datetime(2018, 8, 31, 23, 59, 59),
    )
    _, server = await run(lambda c: c.register_visitor(registration))
    assert server.last.section == "2.18.1"
    assert server.last.body["startTime"] == "2018-08-31 14:40:00"
    _, server = await run(lambda c: c.check_out_visitor(CertType.OTHER, "456888"))
    assert (server.last.section, server.last.query) == ("2.18.2", {"certType": "8", "certNum": "456888"})


async def test_delete_visitor_reservation_formats_the_visit_date() -> None:
    _, server = await run(
        lambda c: c.delete_visitor_reservation(CertType.PASSPORT, "4512", datetime(2018, 8, 31, 14, 40))
    )
    assert server.last.query == {"certType": "3", "certNum": "4512", "visitDate": "2018-08-31 14:40:00"}


async def test_visitor_list_sends_comma_lists() -> None:
    page, server = await run(lambda c: c.visitors(names=["Ann", "Bo"]))
    assert page.total is None
    assert page.items[0].pin == "800000001"
    assert server.last.query == {"names": "Ann,Bo", "pageNo": "1", "pageSize": "200"}


# -- parking and spaces ------------------------------------------------------------------------------


async def test_parking_entries_read_the_v2_page() -> None:
    page, server = await run(lambda c: c.parking_entries(car_number="Liao F4J227"), CatalogServer(prefer=("2.41.7",)))
    assert page.total == 1093
    assert page.items[0].parking_area_name == "Development Zone"
    assert server.last.query["carNumber"] == "Liao F4J227"


async def test_parking_entries_also_read_the_2_21_array() -> None:
    server = CatalogServer({"2.41.7": endpoints.get("2.21.1").response_example}, prefer=("2.41.7",))
    page, _ = await run(lambda c: c.parking_entries(), server)
    assert page.total is None
    assert page.items[0].parking_area_name == " park area"


async def test_open_parking_channel_and_payment() -> None:
    _, server = await run(lambda c: c.open_parking_channel("4028b59c81faa6120181fb2207e803bc"))
    assert server.last.query == {"channelId": "4028b59c81faa6120181fb2207e803bc"}
    notice, server = await run(lambda c: c.notify_parking_payment("辽 A12345", "string", "string"))
    assert isinstance(notice, PaymentNotice)
    assert notice.car_number == "辽 A12345"
    assert server.last.body == endpoints.get("2.47.2").body_example


async def test_allow_list_dates_are_days() -> None:
    _, server = await run(
        lambda c: c.set_allow_list(AllowListType.ALLOWED, "Min A32212", start=date(2018, 8, 17), end=date(2019, 8, 16))
    )
    assert server.last.query == {
        "type": "0",
        "carNumber": "Min A32212",
        "fromTime": "2018-08-17",
        "toTime": "2019-08-16",
    }


async def test_white_list_needs_its_dates() -> None:
    server = CatalogServer()
    with pytest.raises(ValueError, match="date"):
        await run(lambda c: c.add_black_white(BlackWhiteType.WHITE, "A32212"), server)
    await run(lambda c: c.add_black_white(BlackWhiteType.BLACK, "A32212"), server)
    assert [s.query for s in server.seen] == [{"type": "1", "carNumber": "A32212"}]


@pytest.mark.parametrize("plate", ["", "A,B", "x" * 40])
async def test_bad_plates_are_refused_before_sending(plate: str) -> None:
    server = CatalogServer()
    with pytest.raises(ValueError, match="plate"):
        await run(lambda c: c.delete_plate("1234", plate), server)
    assert server.seen == []


async def test_space_reservation_actions_send_the_id() -> None:
    for name, section in [("cancel", "2.46.4"), ("finish", "2.46.5"), ("delete", "2.46.3")]:
        _, server = await run(lambda c, n=name: getattr(c, f"{n}_space_reservation")("r1"))
        assert server.last.section == section
        assert server.last.body == {"id": "r1"}


async def test_person_lists_send_their_filters_and_paging_in_the_query_as_well_as_the_body() -> None:
    """Real servers read 2.14.6/2.14.12's parameters from the query; the manual prints them in the body."""
    _, server = await run(lambda c: c.persons(pins=["1", "2"], dept_codes=["7"], page_no=2, page_size=50))
    assert server.last.section == "2.14.12"
    assert server.last.query == {"pins": "1,2", "deptCodes": "7", "pageNo": "2", "pageSize": "50"}
    assert server.last.body == {"pins": "1,2", "deptCodes": "7", "pageNo": 2, "pageSize": 50}
