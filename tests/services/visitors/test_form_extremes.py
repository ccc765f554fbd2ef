"""Bad input on the visitor form is refused field by field, never sent and never a traceback (issue 14): dates
far in the past or in the year 9999, counts in other digits than 0-9, a level id holding a comma."""

from __future__ import annotations

import pytest

from console.services.visitors import validate
from console.services.visitors.form import registration_body
from tests.services.visitors.test_rules import NOW, good_form


@pytest.mark.parametrize("start", ["1900-01-01 08:00:00", "2024-05-01 09:00:00", "0001-01-01 00:00:00"])
def test_a_visit_that_started_long_ago_is_refused(start: str) -> None:
    problems = validate(good_form(start=start), now=NOW)
    assert set(problems) == {"start"}
    assert "more than a day ago" in problems["start"]


@pytest.mark.parametrize(("start", "end"), [
    ("2024-05-06 10:15:00", "9999-12-31 23:59:59"),
    ("9999-01-01 10:00:00", "9999-01-01 18:00:00"),
])
def test_a_visit_in_the_year_9999_is_refused(start: str, end: str) -> None:
    problems = validate(good_form(start=start, end=end), now=NOW)
    assert set(problems) == {"end"}
    assert "within 366 days" in problems["end"]
    booking = validate(good_form(start=start, end=end), now=NOW, reservation=True)
    assert "end" in booking


@pytest.mark.parametrize("count", ["١٢", "²", "1_0", "+3", " 12 3", "１２", "99999999999999999999"])
def test_the_number_of_visitors_takes_the_digits_0_to_9_only(count: str) -> None:
    problems = validate(good_form(visitor_count=count), now=NOW)
    assert set(problems) == {"visitor_count"}


def test_plain_digits_still_pass() -> None:
    assert validate(good_form(visitor_count=" 12 "), now=NOW) == {}
    assert registration_body(good_form(visitor_count="12"))["visitorCount"] == "12"


@pytest.mark.parametrize("levels", [["lvl1", "a,b"], [","], ["lvl1", ""], ["lvl\n1"]])
def test_a_level_id_that_would_split_or_vanish_on_the_wire_is_refused(levels: list[str]) -> None:
    form = good_form()
    form.levels = levels
    problems = validate(form, now=NOW)
    assert set(problems) == {"levels"}


@pytest.mark.parametrize(("count", "people"),
                         [("3", 3), (" 12 ", 12), ("²", 1), ("③", 1), ("١٢", 1), ("", 1), ("x", 1)])
def test_a_stored_registration_with_a_count_that_is_no_number_counts_as_one_person(count: str, people: int) -> None:
    """The on-site count and the printed list read counts from the desk's files: a damaged one ("²" is a digit
    to ``str.isdigit`` and raised in ``int()``) counts one person instead of breaking the panel."""
    assert good_form(visitor_count=count).people() == people
