"""Normalising the server's records: one key for one event whatever endpoint it came from, untrusted text."""

from __future__ import annotations

import base64
from datetime import datetime

import pytest

from console.services.events import Event, EventFilter, Level, Source, event_key, normalise
from console.services.events.model import clean_photo_base64, clean_photo_path, clean_text

NOW = datetime(2024, 5, 1, 8, 0, 0)
JPEG = base64.b64encode(b"\xff\xd8\xff\xe0" + b"\x00" * 60).decode()
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\x00" * 60).decode()

# The same event as the monitor (2.19.6) and the v2 list (2.19.5) render it (manual examples, merged).
MONITOR = {
    "eventTime": "2023-01-12 15:05:56",
    "pin": "57",
    "areaName": "Area Name",
    "cardNo": "",
    "devSn": "7633223440032",
    "verifyModeName": "Face",
    "eventName": "Normal Verify Open",
    "eventPointName": "10.8.14.210-1",
    "readerName": "10.8.14.210-1-Out",
    "devName": "10.8.14.210",
}
LISTED = {
    **MONITOR,
    "id": "8a888e2385a383f80185a4ccbe870037",
    "eventTime": "2023-1-12 15:05:56.0",
    "name": "Jo",
    "lastName": "Wu",
    "deptName": "Department Name",
    "accZone": None,
    "logId": 161,
    "eventNo": 0,
    "eventLevel": 0,
    "doorName": "10.8.14.210-1",
    "capturePhotoBase64": "",
}


def test_monitor_and_list_records_of_one_event_share_a_key() -> None:
    assert event_key(MONITOR, Source.ACCESS) == event_key(LISTED, Source.ACCESS)
    assert event_key({**MONITOR, "id": None}, "access") == event_key({**MONITOR, "id": ""}, "access")
    # case and spacing of the name do not split an event in two
    assert event_key({**MONITOR, "eventName": " normal  verify OPEN"}, "access") == event_key(MONITOR, "access")


@pytest.mark.parametrize(
    "change",
    [
        {"devSn": "OTHER"},
        {"eventTime": "2023-01-12 15:05:57"},
        {"eventName": "Door Opened Correctly"},
        {"eventPointName": "10.8.14.210-2"},
        {"pin": "58"},
        {"cardNo": "9606650"},
    ],
)
def test_a_different_event_has_a_different_key(change: dict[str, str]) -> None:
    assert event_key({**MONITOR, **change}, "access") != event_key(MONITOR, "access")


def test_the_same_record_from_another_source_is_another_event() -> None:
    assert event_key(MONITOR, Source.GATE) != event_key(MONITOR, Source.ACCESS)


def test_point_falls_back_to_the_door_name() -> None:
    record = {**MONITOR, "eventPointName": "", "doorName": "Lobby"}
    assert normalise(record, "access", received=NOW).point == "Lobby"
    assert event_key(record, "access") == event_key({**MONITOR, "eventPointName": "Lobby"}, "access")


def test_normalise_reads_every_field() -> None:
    ev = normalise(LISTED, Source.ACCESS, received=NOW, level=Level.WARNING, backfilled=True)
    assert ev.time == datetime(2023, 1, 12, 15, 5, 56)
    assert (ev.name, ev.pin, ev.person, ev.department) == ("Normal Verify Open", "57", "Jo Wu", "Department Name")
    assert (ev.point, ev.reader, ev.device_sn, ev.device_name) == (
        "10.8.14.210-1", "10.8.14.210-1-Out", "7633223440032", "10.8.14.210")
    assert (ev.verify_mode, ev.area, ev.event_no) == ("Face", "Area Name", "0")
    assert ev.level is Level.WARNING
    assert ev.backfilled
    assert ev.received == NOW
    assert ev.raw["id"] == "8a888e2385a383f80185a4ccbe870037"
    assert not ev.has_photo


def test_temperature_record() -> None:
    record = {"id": "", "eventTime": "2020-07-03 16:57:16", "pin": "1", "name": "seven", "lastName": "wu",
              "devSn": "CKJF201260077", "eventName": "Normal Verify Open", "eventPointName": "192.168.218.202-1",
              "eventNumber": "315", "photoPath": "/upload/event/photo/CKJF201260077/20200703165716-1.jpg",
              "maskFlag": "1", "temperature": 36.6, "status": "Normal"}
    ev = normalise(record, "temperature", received=NOW)
    assert ev.source is Source.TEMPERATURE
    assert (ev.temperature, ev.mask, ev.event_no) == (36.6, "1", "315")
    assert ev.photo_path == "/upload/event/photo/CKJF201260077/20200703165716-1.jpg"
    assert ev.has_photo


def test_unreadable_time_falls_back_to_reception_but_keeps_a_stable_key() -> None:
    record = {**MONITOR, "eventTime": "yesterday-ish"}
    ev = normalise(record, "access", received=datetime(2024, 5, 1, 8, 0, 0, 123456))
    assert ev.time == datetime(2024, 5, 1, 8, 0, 0)
    assert ev.key == event_key(record, "access")


def test_server_text_is_cut_and_stripped_of_control_characters() -> None:
    record = {**MONITOR, "eventName": "Door\x00 forced\u202e\nopen", "devName": "x" * 10_000,
              "pin": 57, "areaName": None, "readerName": {"nested": 1}}
    ev = normalise(record, "access", received=NOW)
    assert ev.name == "Door  forced  open"
    assert len(ev.device_name) == 512
    assert (ev.pin, ev.area, ev.reader) == ("57", "", "")


def test_markup_in_names_is_kept_as_text() -> None:
    ev = normalise({**MONITOR, "eventName": "<b>Forced</b> &amp; <script>x</script>"}, "access", received=NOW)
    assert ev.name == "<b>Forced</b> &amp; <script>x</script>"


def test_a_jpeg_or_png_photo_is_kept() -> None:
    for photo in (JPEG, PNG, "data:image/jpeg;base64," + JPEG):
        ev = normalise({**LISTED, "capturePhotoBase64": photo}, "access", received=NOW)
        assert ev.has_photo
        assert ev.photo_base64 in (JPEG, PNG)
        assert ev.photo_note == ""
        assert "capturePhotoBase64" not in ev.raw or len(str(ev.raw["capturePhotoBase64"])) < 100


@pytest.mark.parametrize(
    ("photo", "reason"),
    [
        ("A" * 800_000, "larger than"),
        ("/9j/4AAQSkZJRgAB...", "not base64"),
        (base64.b64encode(b"%PDF-1.7 not an image at all").decode(), "not a JPEG or PNG"),
        (base64.b64encode(b"<svg onload=alert(1)>").decode(), "not a JPEG or PNG"),
        (12345, "not text"),
    ],
)
def test_a_photo_too_large_or_not_an_image_is_refused(photo: object, reason: str) -> None:
    ev = normalise({**LISTED, "capturePhotoBase64": photo}, "access", received=NOW)
    assert ev.photo_base64 == ""
    assert not ev.has_photo
    assert reason in ev.photo_note
    # the raw record does not smuggle the refused photo back in
    assert len(str(ev.raw.get("capturePhotoBase64", ""))) < 100


def test_the_photo_cap_is_configurable() -> None:
    assert clean_photo_base64(JPEG, limit=40)[0] == ""
    assert clean_photo_base64(JPEG, limit=4000)[0] == JPEG


@pytest.mark.parametrize("path", ["../../etc/passwd", "http://evil/x.jpg", "/a/b c.jpg", "x" * 600, "/a//b.jpg"])
def test_suspicious_photo_paths_are_refused(path: str) -> None:
    assert clean_photo_path(path)[0] == ""


def test_clean_text_keeps_line_breaks_only_when_asked() -> None:
    assert clean_text("a\nb") == "a b"
    assert clean_text("a\nb", multiline=True) == "a\nb"
    assert clean_text(float("nan")) == ""
    assert clean_text(3.0) == "3"
    assert clean_text(True) == "true"


def _event(**kw: object) -> Event:
    base = normalise(MONITOR, "access", received=NOW)
    fields = {f: getattr(base, f) for f in base.__dataclass_fields__}
    fields.update(kw)
    return Event(**fields)  # type: ignore[arg-type]


def test_filter_matches() -> None:
    ev = _event(time=datetime(2024, 5, 1, 8, 0, 0), level=Level.ALARM, person="Zoë Ünal")
    assert EventFilter().matches(ev)
    assert EventFilter(text="zoË").matches(ev)
    assert EventFilter(text="verify open").matches(ev)
    assert not EventFilter(text="nobody").matches(ev)
    assert EventFilter(levels=frozenset({Level.ALARM})).matches(ev)
    assert not EventFilter(levels=frozenset({Level.NORMAL})).matches(ev)
    assert not EventFilter(sources=frozenset({Source.GATE})).matches(ev)
    assert EventFilter(devices=frozenset({"7633223440032"})).matches(ev)
    assert EventFilter(devices=frozenset({"10.8.14.210"})).matches(ev)
    assert EventFilter(doors=frozenset({"10.8.14.210-1"}), areas=frozenset({"Area Name"})).matches(ev)
    assert EventFilter(since=datetime(2024, 5, 1, 8, 0, 0), until=datetime(2024, 5, 1, 8, 0, 1)).matches(ev)
    assert not EventFilter(until=datetime(2024, 5, 1, 8, 0, 0)).matches(ev)
    assert EventFilter(until=datetime(2024, 5, 1, 8, 0, 0, 500)).matches(ev)
