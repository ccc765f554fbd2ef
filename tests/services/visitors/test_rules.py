"""The registration form's rules, the national ID checksum and the mapping of server refusals."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from console.api.errors import ApiError
from console.api.models.persons import CertType
from console.services.visitors import (
    CERT_TYPES,
    FIELDS,
    REGISTRATION_KEYS,
    VisitForm,
    check_character,
    id_number_problem,
    refusal_for,
    registration_body,
    reservation,
    validate,
)

NOW = datetime(2024, 5, 6, 10, 15, 0)


def good_form(**changes: str) -> VisitForm:
    form = VisitForm(
        host_pin="1001", host_name="Anna Smith", host_dept="Finance", visitor_name="Li Wei",
        cert_type="2", cert_num="110101199003071233", phone="+86 130 1564 8651", company="ZKTeco",
        reason="Meeting", visitor_count="2", start="2024-05-06 10:15:00", end="2024-05-06 23:59:59",
        card_no="", levels=["lvl1", "lvl2"],
    )
    for key, value in changes.items():
        setattr(form, key, value)
    return form


def with_check(first17: str) -> str:
    return first17 + check_character(first17)


def test_the_published_example_id_passes_and_one_wrong_digit_fails() -> None:
    # 11010519491231002X is the standard's own example number
    assert id_number_problem("11010519491231002X") is None
    assert id_number_problem("110105194912310021") is not None
    assert id_number_problem("11010519491231002x") is None  # people type a small x


@given(st.integers(0, 999), st.integers(1, 9), st.integers(0, 17))
def test_any_single_digit_slip_is_caught(serial: int, delta: int, where: int) -> None:
    number = with_check(f"11010119850612{serial:03d}")
    assert id_number_problem(number, today=date(2024, 1, 1)) is None
    if number[where] == "X":
        return
    slipped = number[:where] + str((int(number[where]) + delta) % 10) + number[where + 1:]
    assert id_number_problem(slipped, today=date(2024, 1, 1)) is not None


@pytest.mark.parametrize(
    ("number", "words"),
    [
        ("1101011990030712", "18 characters"),
        ("11010119900307123A", "17 digits"),
        ("110101199002301231", "does not exist"),
        (with_check("11010121990307123"), "not plausible"),
    ],
)
def test_id_number_problems_are_worded_for_the_receptionist(number: str, words: str) -> None:
    problem = id_number_problem(number, today=date(2024, 1, 1))
    assert problem is not None
    assert words in problem


def test_a_complete_form_passes_and_builds_the_documented_body() -> None:
    form = good_form()
    assert validate(form, now=NOW) == {}
    body = registration_body(form)
    assert set(body) <= set(REGISTRATION_KEYS)
    assert body == {
        "persPersonPin": "1001", "certType": "2", "certNum": "110101199003071233", "visEmpName": "Li Wei",
        "visitEmpPhone": "+86 130 1564 8651", "company": "ZKTeco", "visitReason": "Meeting", "visitorCount": "2",
        "startTime": "2024-05-06 10:15:00", "endTime": "2024-05-06 23:59:59", "visLevels": "lvl1,lvl2",
    }


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"host_pin": ""}, "host"),
        ({"host_pin": "1,2"}, "host"),
        ({"visitor_name": "  "}, "visitor_name"),
        ({"visitor_name": "<b>x</b>"}, "visitor_name"),
        ({"visitor_name": "x" * 101}, "visitor_name"),
        ({"visitor_name": "Li\x00Wei"}, "visitor_name"),
        ({"cert_type": ""}, "cert_type"),
        ({"cert_type": "1"}, "cert_type"),
        ({"cert_num": ""}, "cert_num"),
        ({"cert_num": "11010119900307123"}, "cert_num"),
        ({"cert_num": "110101199003071234"}, "cert_num"),
        ({"cert_type": "3", "cert_num": "E12;DROP"}, "cert_num"),
        ({"phone": "call me"}, "phone"),
        ({"company": "A&B"}, "company"),
        ({"reason": ""}, "reason"),
        ({"visitor_count": "0"}, "visitor_count"),
        ({"visitor_count": "-3"}, "visitor_count"),
        ({"visitor_count": "two"}, "visitor_count"),
        ({"start": "2024-05-06 mm:hh:ss"}, "start"),
        ({"start": "06/05/2024 10:00"}, "start"),
        ({"end": ""}, "end"),
        ({"end": "2024-05-06 09:00:00"}, "end"),
        ({"start": "2024-05-05 08:00:00", "end": "2024-05-05 18:00:00"}, "end"),
        ({"card_no": "12 34"}, "card_no"),
    ],
)
def test_each_rule_names_its_field(changes: dict[str, str], field: str) -> None:
    problems = validate(good_form(**changes), now=NOW)
    assert field in problems, problems
    assert set(problems) == {field}
    assert field in FIELDS


def test_another_document_type_skips_the_national_id_checksum() -> None:
    assert validate(good_form(cert_type="3", cert_num="E12345678"), now=NOW) == {}


def test_the_certificate_table_is_the_manuals_visitor_table() -> None:
    assert [code for code, _ in CERT_TYPES] == ["2", "3", "4", "5", "6", "7", "8"]
    for code, _ in CERT_TYPES:
        assert CertType.parse(code).name != "UNKNOWN"


def test_a_booking_ahead_must_start_in_the_future() -> None:
    ahead = good_form(start="2024-05-07 09:00:00", end="2024-05-07 17:00:00")
    assert validate(ahead, now=NOW, reservation=True) == {}
    assert "start" in validate(good_form(start="2024-05-06 08:00:00"), now=NOW, reservation=True)
    wire = reservation(ahead).to_wire()
    assert wire["visitEmpName"] == "Li Wei"
    assert wire["visitDate"] == "2024-05-07 09:00:00"


def test_a_form_survives_a_round_trip_through_json_and_ignores_garbage() -> None:
    form = good_form()
    assert VisitForm.from_dict(form.to_dict()) == form
    odd = VisitForm.from_dict({"visitor_name": 5, "levels": "not a list", "cert_num": None, "surprise": 1})
    assert odd.visitor_name == "5"
    assert odd.levels == []
    assert odd.cert_num == ""


@pytest.mark.parametrize(
    ("code", "field"),
    [
        (-240, "host"), (-241, "cert_type"), (-242, "cert_num"), (-243, "visitor_name"), (-246, "reason"),
        (-247, "start"), (-249, "start"), (-250, "cert_type"), (-251, "cert_num"), (-252, "end"), (-253, "host"),
        (-258, "visitor_count"), (-260, "host"),
        (-244, None), (-245, None), (-248, None), (-254, None), (-255, None), (-256, None), (-257, None),
        (-259, None), (-261, None), (-262, None), (-9999, None),
    ],
)
def test_every_refusal_code_has_a_field_or_the_banner(code: int, field: str | None) -> None:
    refusal = refusal_for(ApiError(code, "server words"))
    assert refusal.field == field
    assert refusal.text
    assert refusal.blocked is (code == -254)
