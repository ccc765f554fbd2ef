"""Every code set the manual documents is a CodedEnum with UNKNOWN, and reads every documented code."""

from __future__ import annotations

import pytest

from console.api import endpoints
from console.api.models import CODE_SETS, OVERRULED, CodedEnum, code_set

DOCUMENTED = sorted(
    (section, name, code, meaning)
    for section, ep in endpoints.ENDPOINTS.items()
    for name, codes in ep.enums.items()
    for code, meaning in codes.items()
)


def test_the_catalog_has_code_sets_to_check() -> None:
    assert len({(s, n) for s, n, _, _ in DOCUMENTED}) > 100


@pytest.mark.parametrize(("section", "field", "code", "meaning"), DOCUMENTED)
def test_documented_code_is_read(section: str, field: str, code: str, meaning: str) -> None:
    enum = code_set(section, field)
    assert enum is not None, f"no enum reads {field} of {section}"
    assert issubclass(enum, CodedEnum)
    member = enum.parse(code)
    if (section, field) in OVERRULED or meaning.lower().startswith("unknown") or code in ("None",):
        return  # a table ERRATA overrules, or a code that itself means "unknown"
    assert member is not enum["UNKNOWN"], f"{section} {field}={code!r} ({meaning}) reads as unknown"
    assert enum.parse(code.upper()) is member  # compared case-insensitively


def test_every_registered_enum_has_unknown_and_sends_its_codes_back() -> None:
    for fields in CODE_SETS.values():
        for enum in fields.values():
            assert enum.parse("certainly not a code") is enum["UNKNOWN"]
            assert enum.parse([1, 2]) is enum["UNKNOWN"]
            for member in enum.documented():
                assert enum.parse(member.code) is member
                assert member.words


def test_the_overruled_table_really_differs() -> None:
    # 2.14.10 prints 1 = ID card and 2 = passport; we read 2 as ID card (2.14.12/2.14.13, visitor tables)
    enum = code_set("2.14.10", "certType")
    assert enum is not None
    assert enum.parse("2").words == "ID card"
    assert enum.parse("1") is enum["UNKNOWN"]
