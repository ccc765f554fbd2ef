"""Plate matching and money, without a server; and a test that catches money passing through float."""

from __future__ import annotations

import ast
import json
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from console.api import Client, RetryPolicy
from console.services.outcome import Outcome
from console.services.parking import (
    CurrencyFormat,
    MatchKind,
    MoneyError,
    ParkingDesk,
    match_plate,
    match_plates,
    parse_money,
    plate_problem,
    split_plate,
    write_cashup_csv,
)

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(("typed", "plate", "kind"), [
    ("Liao F4J227", "Liao F4J227", MatchKind.EXACT),
    ("liao f4j227", "Liao F4J227", MatchKind.EXACT),
    ("LIAOF4J227", "Liao F4J227", MatchKind.EXACT),
    ("liao f4j-227", "Liao F4J227", MatchKind.EXACT),
    ("Liao F4JZ27", "Liao F4J227", None),
    ("Liao B01I27", "Liao 801127", MatchKind.CONFUSED),
    ("liao 8oi127", "Liao B01I27", MatchKind.CONFUSED),
    ("F4J227", "Liao F4J227", MatchKind.CONFUSED),  # the province left out: a candidate
    ("Jing F4J227", "Liao F4J227", None),  # another province: another car
    ("辽F4J227", "辽 F4J227", MatchKind.EXACT),
    ("辽 F4JZZ7", "辽 F4J227", None),
    ("辽 F4O227", "辽 F40227", MatchKind.CONFUSED),
    ("粤 F40227", "辽 F40227", None),
    ("J22", "Liao F4J227", MatchKind.PARTIAL),
    ("22", "Liao F4J227", None),  # too short to be a useful partial read
    ("", "Liao F4J227", None),
])
def test_plate_matching(typed: str, plate: str, kind: MatchKind | None) -> None:
    assert match_plate(typed, plate) == kind


def test_the_province_is_kept_and_candidates_are_ranked() -> None:
    assert split_plate("辽 F4J227") == ("辽", "F4J227")
    assert split_plate("Liao F4J227") == ("LIAO", "F4J227")
    assert split_plate("F4J227") == ("", "F4J227")
    found = match_plates("Liao 80I227", ["Liao 80I2270", "Jing 80I227", "Liao 80I227", "Liao B01227", "Liao 80I227"])
    assert [(m.plate, m.kind) for m in found] == [("Liao 80I227", MatchKind.EXACT),
                                                  ("Liao B01227", MatchKind.CONFUSED),
                                                  ("Liao 80I2270", MatchKind.PARTIAL)]


@pytest.mark.parametrize(("plate", "ok"), [("辽 F4J227", True), ("ZH A-12345", True), ("x", False), ("", False),
                                            ("A/B123", False), ("A" * 17, False), ("AB_123", False)])
def test_plate_validation(plate: str, ok: bool) -> None:
    assert (plate_problem(plate) is None) is ok


def test_money_is_decimal_and_formatted_in_the_site_format() -> None:
    assert parse_money("5") == Decimal("5.00")
    assert parse_money("0.105") == Decimal("0.11")
    for bad in ("", "abc", "NaN", "Infinity", 1.5, None, "1" * 40):
        with pytest.raises(MoneyError):
            parse_money(bad)
    assert CurrencyFormat().format(Decimal("1234567.5")) == "¥ 1,234,567.50"
    euro = CurrencyFormat(symbol="€", symbol_after=True, decimal_separator=",", thousands_separator=".")
    assert euro.format(Decimal("1234.5")) == "1.234,50 €"
    assert CurrencyFormat(symbol="").format(Decimal("0.1")) == "0.10"


# -- money never passes through float ------------------------------------------------------------------

HUGE = "12345678901234567.89"  # a float keeps 17 significant digits: this one would come back as ...568.00


def _server(notices: list[dict[str, object]], amounts: list[str]) -> httpx.MockTransport:
    """A server that bills the amounts given in turn (each twice: the bill and its confirmation)."""
    bills = [a for a in amounts for _ in range(2)]

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/vehicleBilling"):
            plate = request.url.params.get("carNumber") or json.loads(request.content or b"{}").get("carNumber")
            data = {"carNumber": plate, "recordId": f"rec-{len(notices)}", "carAuth": "temp",
                    "finalAmount": bills.pop(0), "chargeType": "tempCharge", "checkInTime": "2026-01-01 08:00:00",
                    "parkingTime": "0 03:10:00"}
            return httpx.Response(200, json={"code": 0, "message": "success", "data": data})
        if request.url.path.endswith("/payNotify"):
            body = json.loads(request.content)
            notices.append(body)
            return httpx.Response(200, json={"code": 0, "message": "success", "data": body})
        return httpx.Response(404)

    return httpx.MockTransport(handler)


async def test_money_never_passes_through_float(tmp_path: Path) -> None:
    notices: list[dict[str, object]] = []
    amounts = [HUGE, "0.10", "0.20"]
    client = Client("http://127.0.0.1:9", "float-test-token", transport=_server(notices, amounts),
                    retry=RetryPolicy(attempts=1))
    desk = ParkingDesk(client, data_dir=tmp_path, profile="HQ", operator="ann")
    try:
        for n, amount in enumerate(amounts):
            result = await desk.bill(f"ZH A1234{n}")
            assert result.bill is not None
            assert str(result.bill.amount) == amount
            assert type(result.bill.amount) is Decimal
            paid = await desk.take_payment(result.bill)
            assert paid.outcome is Outcome.DONE, paid.message
    finally:
        await client.aclose()
    assert len(notices) == 3
    reopened = ParkingDesk(client, data_dir=tmp_path, profile="HQ", operator="ann")  # read back from the file
    cash = reopened.cash_up(datetime.now() - timedelta(hours=1))
    assert [p.amount for p in cash.paid] == amounts
    assert cash.total == Decimal(HUGE) + Decimal("0.30")  # 0.1 + 0.2 is 0.30000000000000004 in float
    out = tmp_path / "cash.csv"
    write_cashup_csv(cash, out)
    text = out.read_text("utf-8-sig")
    assert f",{HUGE}," in text
    assert "all,3,12345678901234568.19" in text


def test_no_float_in_the_parking_code() -> None:
    """No ``float(...)`` call and no float literal anywhere in the parking services and panel."""
    for folder in ("console/services/parking", "console/ui/parking"):
        for path in sorted((ROOT / folder).glob("*.py")):
            tree = ast.parse(path.read_text("utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "float":
                    pytest.fail(f"{path.name}:{node.lineno} calls float()")
                if isinstance(node, ast.Constant) and isinstance(node.value, float):
                    pytest.fail(f"{path.name}:{node.lineno} has a float literal {node.value}")
