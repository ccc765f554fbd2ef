"""The models read the manual's own examples (real shapes) and its inconsistencies the way ERRATA decided."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from console.api import endpoints
from console.api.errors import ModelError
from console.api.models import (
    MAX_PHOTO,
    MAX_TEXT,
    AccessLevel,
    AccessTransaction,
    CardType,
    CarType,
    CertType,
    ChannelState,
    ConnectState,
    Department,
    Device,
    DeviceModule,
    DeviceState,
    Door,
    ElevatorTransaction,
    EventLevel,
    Facility,
    FacilityInput,
    FirstInLastOut,
    FixedVehicle,
    Floor,
    GateDevice,
    GateReader,
    GateTransaction,
    GateType,
    Gender,
    MaskFlag,
    ParkChannel,
    ParkEventType,
    ParkingBill,
    ParkingDiscount,
    ParkingEntrance,
    ParkingEntry,
    ParkingExit,
    ParkingSpace,
    Participant,
    Person,
    PersonInput,
    Reader,
    ReaderState,
    RemindTime,
    ReservationStatus,
    RetentionTime,
    SignInLead,
    Space,
    SpaceDevice,
    SpaceInput,
    SpaceReservation,
    SpaceReservationInput,
    SpaceStatus,
    TemperatureEvent,
    TemperatureStatus,
    VerifyMode,
    Visitor,
    VisitorRegistration,
    VisitorReservation,
    parse_list,
    parse_model,
    parse_one,
    parse_text,
    parse_time,
    wire_time,
)
from console.api.models.persons import Card
from console.api.paging import parse_page


def example(section: str) -> Any:
    """The ``data`` of the manual's response example for ``section``."""
    return endpoints.get(section).response_example["data"]


def records(section: str) -> list[dict[str, Any]]:
    data = example(section)
    return data["data"] if isinstance(data, dict) and "data" in data else data


# -- devices ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("section", ["2.10.1", "2.10.3", "2.11.1", "2.11.3", "2.30.1", "2.30.2"])
def test_device_enabled_flag_is_read_from_state_or_status(section: str) -> None:
    devices = parse_list(Device, records(section), skip_bad=False)
    assert devices
    assert all(d.state is DeviceState.ENABLED and d.enabled for d in devices)
    assert all(d.module is not DeviceModule.UNKNOWN for d in devices)


def test_disabled_device_by_sn() -> None:
    device = parse_model(Device, example("2.10.2"))
    assert (device.sn, device.type, device.state, device.module) == (
        "5662012052868",
        "inibo460",
        DeviceState.DISABLED,
        DeviceModule.ACCESS,
    )


@pytest.mark.parametrize("section", ["2.31.1", "2.31.2"])
def test_entrance_control_device_has_a_gate_type(section: str) -> None:
    device = parse_one(GateDevice, example(section))
    assert device.gate_type is GateType.NOT_CONNECTED
    assert device.module is DeviceModule.ENTRANCE
    assert device.state is DeviceState.ENABLED


def test_space_device_status_means_online_state_not_enabled() -> None:
    device = parse_model(SpaceDevice, example("2.42.1"))
    assert device.status is ConnectState.OFFLINE
    assert device.module is DeviceModule.SPACE
    assert parse_model(SpaceDevice, {"id": "x", "state": 2}).status is ConnectState.DISABLED


# -- doors, readers, floors, levels -------------------------------------------------------------------


def test_doors_and_floors_from_examples() -> None:
    doors = parse_list(Door, example("2.12.5"), skip_bad=False)
    assert [d.name for d in doors] == [f"192.168.214.15-{i}" for i in (1, 2, 3, 4)]
    floors = parse_list(Floor, records("2.13.4"), skip_bad=False)
    assert [f.floor_no for f in floors] == [1, 2, 3]
    assert floors[0].device_id == "8a888e238478c3a6018478ea9cdc0b9c"


def test_readers_know_their_side() -> None:
    readers = parse_list(Reader, example("2.15.1"), skip_bad=False)
    assert [(r.reader_no, r.reader_state) for r in readers] == [(1, ReaderState.IN), (2, ReaderState.OUT)]
    gate_readers = parse_list(GateReader, example("2.34.1"), skip_bad=False)
    assert gate_readers[0].name == "10.8.14.234-1-入"
    assert gate_readers[1].gate_id == "8a888e8f820060eb018200e488650abb"


def test_levels() -> None:
    assert parse_list(AccessLevel, records("2.1.9"), skip_bad=False)[0].name == "General"


# -- events -------------------------------------------------------------------------------------------


def test_access_transactions_v2_page() -> None:
    page = parse_page(AccessTransaction, example("2.19.5"), page_no=1, page_size=2)
    assert page.total == 39
    first = page.items[0]
    assert first.event_time == datetime(2023, 1, 12, 15, 5, 56)
    assert first.event_level is EventLevel.NORMAL
    assert first.log_id == 161
    assert first.event_no == 0
    assert first.acc_zone is None
    assert first.verify_mode_name == "Face"
    assert not first.is_alarm


def test_v3_transactions_carry_reader_side_and_door_number() -> None:
    second = parse_list(AccessTransaction, records("2.19.3"), skip_bad=False)[1]
    assert second.reader_state is ReaderState.OUT
    assert second.door_number == 1


def test_door_transactions_use_person_prefixed_names() -> None:
    body = endpoints.get("2.19.13").response_example
    events = parse_list(AccessTransaction, body["data"], skip_bad=False)
    assert events[0].event_no == 8
    assert events[0].event_level is EventLevel.NORMAL  # sent as the string "0"
    detail = parse_model(AccessTransaction, endpoints.get("2.19.15").response_example["data"])
    assert detail.pin == ""
    assert detail.door_name == ""
    assert detail.area_name == "Area 1"
    named = parse_model(AccessTransaction, {"personPin": "7", "personName": "Ann", "personLastName": "Lee"})
    assert (named.pin, named.person) == ("7", "Ann Lee")


@pytest.mark.parametrize(("raw", "level"), [(0, "NORMAL"), ("1", "WARNING"), ("abnormal", "WARNING"), (2, "ALARM")])
def test_event_level_is_one_code_set(raw: Any, level: str) -> None:
    event = parse_model(AccessTransaction, {"eventLevel": raw})
    assert event.event_level is EventLevel[level]
    assert event.is_alarm == (level == "ALARM")


def test_event_by_id_keeps_its_photo_as_text_but_not_in_repr() -> None:
    event = parse_model(AccessTransaction, example("2.19.17"))
    assert event.capture_photo_base64 == "/9j/4AAQSkZJRgAB..."
    assert event.verify_mode is VerifyMode.UNKNOWN  # only the name is sent
    assert "/9j/" not in repr(event)


def test_an_oversized_photo_is_dropped_whole_not_cut() -> None:
    fits = "A" * MAX_PHOTO
    assert parse_model(AccessTransaction, {"capturePhotoBase64": fits}).capture_photo_base64 == fits
    huge = parse_model(AccessTransaction, {"capturePhotoBase64": fits + "A", "eventName": "x"})
    assert huge.capture_photo_base64 == ""
    assert huge.event_name == "x"


def test_verify_mode_codes() -> None:
    assert parse_model(AccessTransaction, {"verifyMode": "15"}).verify_mode is VerifyMode.FACE
    assert VerifyMode.parse(20) is not VerifyMode.parse(19)
    assert VerifyMode.parse(99) is VerifyMode.UNKNOWN


def test_temperature_events() -> None:
    event = parse_list(TemperatureEvent, example("2.27.1"), skip_bad=False)[0]
    assert event.temperature == pytest.approx(36.56)
    assert event.mask_flag is MaskFlag.MASK
    assert event.temperature_status is TemperatureStatus.NORMAL  # sent as "Normal"
    assert event.event_no == 511  # eventNumber, as a string
    live = parse_list(TemperatureEvent, example("2.27.2"), skip_bad=False)[0]
    assert live.id == ""
    assert live.person == "seven wu"
    unmasked = parse_model(TemperatureEvent, {"maskFlag": None, "status": "ABNORMAL", "temperature": "38.1"})
    assert unmasked.mask_flag is MaskFlag.NOT_DETECTED
    assert unmasked.is_alarm
    assert unmasked.temperature == pytest.approx(38.1)


def test_entrance_control_monitor_event_has_null_id() -> None:
    event = parse_list(GateTransaction, example("2.35.6"), skip_bad=False)[0]
    assert event.id == ""
    assert event.gate_type is GateType.NOT_CONNECTED
    assert event.event_no == 110


def test_elevator_and_first_in_last_out() -> None:
    page = parse_page(ElevatorTransaction, example("2.20.2"), page_no=1, page_size=2)
    assert page.total == 2
    assert page.items[1].event_name == "Connect to Server"
    row = parse_list(FirstInLastOut, records("2.19.11"), skip_bad=False)[0]
    assert row.first_in_time == datetime(2012, 11, 4, 0, 5, 58)
    assert row.last_out_time == datetime(2012, 11, 4, 3, 11, 52)


# -- persons and visitors -----------------------------------------------------------------------------


def test_person_from_v2_list_keeps_secrets_out_of_repr() -> None:
    person = parse_list(Person, records("2.14.12"), skip_bad=False)[0]
    assert person.gender is Gender.FEMALE
    assert person.birthday == datetime(2022, 11, 18)
    assert person.acc_level_ids == ("8a888e2384847238018484748507065a",)
    assert person.is_send_mail is False
    assert person.is_disabled is False
    assert person.cert_type is CertType.UNKNOWN  # sent as ""
    assert person.car_plate == ()
    assert "e10adc3949ba59abbe56e057f20f883e" not in repr(person)  # selfPwd


def test_placeholder_prose_in_an_example_does_not_break_the_record() -> None:
    person = parse_model(Person, example("2.14.4"))
    assert person.gender is Gender.UNKNOWN  # the example says "gender"
    assert person.pin == "pin"


def test_cards_and_departments() -> None:
    card = parse_list(Card, example("2.5.1"), skip_bad=False)[0]
    assert (card.card_no, card.card_type) == ("111", CardType.MASTER)
    departments = parse_list(Department, records("2.6.6"), skip_bad=False)
    assert departments[0].parent_code is None
    assert departments[1].parent_code == "1"
    assert departments[1].sort_no == 99999


@pytest.mark.parametrize(
    ("code", "member"),
    [
        ("2", "ID_CARD"),
        ("3", "PASSPORT"),
        ("4", "DRIVERS_LICENCE"),
        ("5", "WORK_PERMIT"),
        ("6", "CITIZEN_CARD"),
        ("7", "DRIVING_LICENCE"),
        ("8", "OTHER"),
        (1001, "HK_MACAO_PERMIT"),
        ("1", "UNKNOWN"),
    ],
)
def test_cert_type_table_is_the_one_errata_chose(code: Any, member: str) -> None:
    assert CertType.parse(code) is CertType[member]


def test_visitor_list() -> None:
    visitor = parse_list(Visitor, example("2.18.6"), skip_bad=False)[0]
    assert (visitor.pin, visitor.cert_type, visitor.enabled) == ("800000001", CertType.OTHER, True)
    assert visitor.last_name == ""


def test_visitor_registration_body() -> None:
    form = VisitorRegistration(
        host_pin="1",
        cert_type="8",
        cert_num="456888",
        visitor_name="max",
        reason="visit",
        start_time=datetime(2018, 8, 31, 14, 40),
        end_time=datetime(2018, 8, 31, 23, 59, 59),
        level_ids=("a", "b"),
    )
    assert form.to_wire() == {
        "persPersonPin": "1",
        "certType": "8",
        "certNum": "456888",
        "visEmpName": "max",
        "visitReason": "visit",
        "visitorCount": "1",
        "startTime": "2018-08-31 14:40:00",
        "endTime": "2018-08-31 23:59:59",
        "visLevels": "a,b",
    }


@pytest.mark.parametrize(
    "change",
    [
        {"cert_type": CertType.UNKNOWN},
        {"cert_type": "1"},
        {"end_time": datetime(2018, 8, 31, 9, 0)},
        {"host_pin": "1,2"},
        {"host_pin": ""},
        {"visitor_count": 0},
        {"cert_num": ""},
    ],
)
def test_visitor_registration_refuses_bad_input_before_sending(change: dict[str, Any]) -> None:
    good: dict[str, Any] = {
        "host_pin": "1",
        "cert_type": CertType.PASSPORT,
        "cert_num": "X1",
        "visitor_name": "Ann",
        "reason": "visit",
        "start_time": datetime(2018, 8, 31, 14, 40),
        "end_time": datetime(2018, 8, 31, 18, 0),
    }
    VisitorRegistration(**good)
    with pytest.raises(ValueError):  # noqa: PT011 - pydantic's ValidationError is the ValueError we promise
        VisitorRegistration(**{**good, **change})


def test_visitor_reservation_body_uses_its_own_key_names() -> None:
    body = VisitorReservation(
        host_pin="5",
        cert_type=CertType.PASSPORT,
        cert_num="4512",
        visitor_name="Mary",
        phone="13015648651",
        company="ZKTeco",
        reason="visit",
        visit_date=datetime(2018, 8, 31, 14, 40),
        visit_end_date=datetime(2018, 8, 31, 23, 59, 59),
    ).to_wire()
    assert body == {
        k: v for k, v in endpoints.get("2.16.1").body_example.items()
    }  # the manual's own example, key for key


def test_person_input_body() -> None:
    body = PersonInput(
        pin="1234",
        name="Ann",
        gender="F",
        acc_level_ids=["l1", "l2"],
        acc_start_time=datetime(2017, 8, 4, 15, 45),
        acc_end_time=datetime(2017, 8, 4, 23, 59, 59),
    ).to_wire()
    assert body == {
        "pin": "1234",
        "name": "Ann",
        "gender": "F",
        "accLevelIds": "l1,l2",
        "accStartTime": "2017-08-04 15:45:00",
        "accEndTime": "2017-08-04 23:59:59",
    }
    with pytest.raises(ValueError, match="gender"):
        PersonInput(pin="1", gender="X")


# -- parking ------------------------------------------------------------------------------------------


def test_parking_entry_v2_and_its_v1_twin() -> None:
    entry = parse_list(ParkingEntry, records("2.41.7"), skip_bad=False)[0]
    assert entry.parking_area_name == "Development Zone"
    assert entry.check_in_time == datetime(2024, 8, 27, 13, 53, 30)  # "....30.0"
    assert entry.channel_state is ChannelState.LARGE_ENTRY
    assert entry.event_type is ParkEventType.GENERAL
    twin = parse_list(ParkingEntry, example("2.21.1"), skip_bad=False)[0]
    assert twin.parking_area_name == " park area"  # parkAreaName, as 2.21 prints it
    assert twin.channel_state is ChannelState.UNKNOWN  # placeholder prose in the example


def test_parking_exit_duration() -> None:
    exit_ = parse_list(ParkingExit, records("2.41.8"), skip_bad=False)[0]
    assert exit_.parking_time == "-"
    assert exit_.parked is None
    assert exit_.channel_state is ChannelState.LARGE_EXIT
    assert parse_model(ParkingExit, {"parkingTime": "2 00:05:00"}).parked == timedelta(days=2, minutes=5)


def test_parking_lookups_read_the_printed_key_slips() -> None:
    assert parse_list(ParkingEntrance, records("2.41.3"))[0].area_id == "4028b59c89bf49dd0189bf50ceb7004e"
    assert parse_list(ParkingSpace, records("2.41.5"))[0].area_id == "4028b59a788258f501788262e5d209ed"
    assert parse_list(CarType, records("2.41.4"))[0].name == "Small car A"  # printed "Name"
    discounts = parse_list(ParkingDiscount, records("2.41.2"), skip_bad=False)
    assert [(d.discount_type, d.content) for d in discounts] == [(3, "120"), (2, "10.0"), (1, "0")]
    channels = parse_list(ParkChannel, records("2.36.1"), skip_bad=False)
    assert [c.channel_name for c in channels] == ["Exit", "Entrance"]


def test_parking_bill() -> None:
    bill = parse_model(ParkingBill, example("2.47.1"))
    assert bill.car_number == "辽 A12345"
    assert bill.amount == Decimal("233.8")
    assert bill.parked == timedelta(days=1, hours=2, minutes=43, seconds=42)
    assert bill.check_in_time == datetime(2025, 3, 31, 15, 32, 58)
    assert parse_model(ParkingBill, {"finalAmount": "NaN"}).amount is None


def test_fixed_vehicle_body() -> None:
    body = FixedVehicle(
        car_number="Liao A12345",
        pin="7",
        area_id="a1",
        car_type_id="t1",
        entrance_ids=["1", "2", "3"],
        start_time=date(2025, 1, 1),
        end_time=date(2025, 12, 31),
    ).to_wire()
    assert body == {
        "carNumber": "Liao A12345",
        "pin": "7",
        "areaId": "a1",
        "carTypeId": "t1",
        "entranceIds": "1,2,3",
        "startTime": "2025-01-01",
        "endTime": "2025-12-31",
        "amount": "0",
    }


# -- spaces -------------------------------------------------------------------------------------------


def test_space_record() -> None:
    space = parse_list(Space, records("2.43.1"), skip_bad=False)[0]
    assert space.status is SpaceStatus.FREE
    assert space.capacity == 21
    assert space.space_facility_ids == ("8a8890e192b76ffd0192b771806537a6", "8a8890e192b76ffd0192b771806637aa")
    assert space.retention_time is RetentionTime.MIN_15
    assert space.smart_space is True
    assert space.address == "D09 七楼 1011"


def test_space_reservation_record() -> None:
    booking = parse_list(SpaceReservation, records("2.46.1"), skip_bad=False)[0]
    assert booking.reservation_status is ReservationStatus.CANCELLED
    assert booking.remind_time is RemindTime.MIN_5
    assert booking.start_sign_in_time is SignInLead.MIN_0
    assert booking.service_ids == ()
    assert booking.start_time == datetime(2024, 11, 29, 15, 44)
    one = parse_model(SpaceReservation, example("2.46.2"))
    assert one.participant_ids == ()  # null
    assert parse_model(SpaceReservation, {"servicelds": "a,b", "spcaeld": "s"}).service_ids == ("a", "b")


def test_facilities_and_participants() -> None:
    facilities = parse_list(Facility, records("2.44.1"), skip_bad=False)
    assert [(f.facility_no, f.init_flag) for f in facilities] == [(22, False), (1, True), (2, True)]
    people = parse_list(Participant, example("2.46.6"), skip_bad=False)
    assert [p.pin for p in people] == ["317009", "5"]


def test_space_inputs() -> None:
    with pytest.raises(ValueError, match="facility"):
        FacilityInput(name="Board", facility_no=20)
    assert FacilityInput(name="Board", facility_no=21).to_wire() == {"id": "", "name": "Board", "facilityNo": 21}
    space = SpaceInput(name="Room", capacity=20, person_pin="1234567", space_device_ids=["d1"])
    assert space.to_wire()["retentionTime"] == ""
    assert SpaceInput(**{**space.model_dump(), "retention_time": "30"}).to_wire()["retentionTime"] == 30
    booking = SpaceReservationInput(
        subject="Sync",
        space_id="s",
        apply_person_pin="1234567",
        participant_ids=["p1", "p2"],
        start_time=datetime(2024, 12, 6, 17, 50, 19),
        end_time=datetime(2024, 12, 6, 18, 50, 19),
        remind_time="15m",
        start_sign_in_time=15,
    ).to_wire()
    assert booking["participantIds"] == "p1,p2"
    assert booking["remindTime"] == "15m"
    assert booking["startSignInTime"] == 15
    assert booking["startTime"] == "2024-12-06 17:50:19"


# -- lenient scalars and dates -------------------------------------------------------------------------


def test_numbers_as_strings_and_back_ids_either_extras_kept() -> None:
    floor = parse_model(Floor, {"id": 5, "floorNo": "3", "name": 12, "deviceId": None, "brandNew": [1]})
    assert (floor.id, floor.floor_no, floor.name, floor.device_id) == ("5", 3, "12", "")
    assert floor.model_extra == {"brandNew": [1]}
    assert parse_model(Floor, {"floorNo": "3.0"}).floor_no == 3
    assert parse_model(Floor, {"floorNo": "three"}).floor_no is None
    assert parse_model(Floor, {"floorNo": 2.5}).floor_no is None


def test_long_text_is_cut() -> None:
    assert len(parse_model(Door, {"id": "1", "name": "x" * (MAX_TEXT * 3)}).name) == MAX_TEXT


def test_null_where_a_list_was_expected() -> None:
    assert parse_list(Door, None) == []
    assert parse_model(Person, {"pin": "1", "accLevelIds": None, "carPlate": ["A1", 5, None]}).car_plate == ("A1", "5")


def test_one_record_where_an_array_came_and_the_reverse() -> None:
    assert parse_one(Door, [{"id": "1"}, {"id": "2"}]).id == "1"
    assert [d.id for d in parse_list(Door, {"id": "9"})] == ["9"]
    with pytest.raises(ModelError):
        parse_one(Door, [])


def test_a_bad_record_is_skipped_or_refused() -> None:
    data = [{"id": "1"}, {"id": {"nested": True}}, "junk", {"id": "3"}]
    assert [d.id for d in parse_list(Door, data)] == ["1", "3"]
    with pytest.raises(ModelError):
        parse_list(Door, data, skip_bad=False)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2023-01-12 15:05:56", datetime(2023, 1, 12, 15, 5, 56)),
        ("2024-08-27 13:53:30.0", datetime(2024, 8, 27, 13, 53, 30)),
        ("2023-1-13 18:00:00", datetime(2023, 1, 13, 18, 0, 0)),
        ("2021-1-5 8:3:9", datetime(2021, 1, 5, 8, 3, 9)),
        (" 2019-06-10", datetime(2019, 6, 10)),
        ("2018/08/31 14:40:00", datetime(2018, 8, 31, 14, 40)),
        ("2023-01-12T15:05:56", datetime(2023, 1, 12, 15, 5, 56)),
        ("2023-01-12T15:05:56+08:00", datetime(2023, 1, 12, 15, 5, 56)),
        ("1494467276539", datetime.fromtimestamp(1494467276.539)),
        (1494467276, datetime.fromtimestamp(1494467276)),
        ("", None),
        ("-", None),
        ("2021-13-45 99:99:99", None),
        ("2021-1-5 inf:0:0", None),
        (float("nan"), None),
        (1e300, None),
        (["2021-01-01"], None),
    ],
)
def test_every_date_form(raw: Any, expected: datetime | None) -> None:
    assert parse_time(raw) == expected


def test_times_are_sent_hours_first() -> None:
    assert wire_time(datetime(2018, 8, 31, 14, 5, 9)) == "2018-08-31 14:05:09"


def test_text_answers() -> None:
    assert parse_text("2#6SQL", "QR") == "2#6SQL"
    for bad in ({}, None, "", "   ", ["x"]):
        with pytest.raises(ModelError):
            parse_text(bad, "QR")
