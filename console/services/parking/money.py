"""Money at the parking desk: :class:`~decimal.Decimal` from the server's text to the receipt, never float.

``parse_money("5.00")`` gives ``Decimal("5.00")``; anything that is not a finite decimal number (or is a
float, by mistake) raises :class:`MoneyError`. :class:`CurrencyFormat` shows an amount in the site's format
("¥ 1,234.50", "1.234,50 €").
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

__all__ = ["CENT", "CurrencyFormat", "MoneyError", "parse_money", "to_cents_text"]

CENT = Decimal("0.01")
MAX_DIGITS = 30


class MoneyError(ValueError):
    """Not an amount of money."""


def parse_money(value: object) -> Decimal:
    """``value`` (text or Decimal, never float) as a Decimal rounded to the cent."""
    if isinstance(value, float):
        raise MoneyError("money is never a float")
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, int) and not isinstance(value, bool):
        amount = Decimal(value)
    elif isinstance(value, str):
        text = value.strip()
        if not text or len(text) > MAX_DIGITS + 2:
            raise MoneyError(f"not an amount: {value[:40]!r}")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise MoneyError(f"not an amount: {value[:40]!r}") from None
    else:
        raise MoneyError(f"not an amount: {type(value).__name__}")
    if not amount.is_finite():
        raise MoneyError("not a finite amount")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def to_cents_text(amount: Decimal) -> str:
    """The amount as plain text with two decimals ("12.50"): what files and the audit log keep."""
    return str(parse_money(amount))


@dataclass(frozen=True, slots=True)
class CurrencyFormat:
    """The site's way of writing money."""

    symbol: str = "¥"
    symbol_after: bool = False
    decimal_separator: str = "."
    thousands_separator: str = ","

    def format(self, amount: Decimal) -> str:
        value = parse_money(amount)
        sign = "-" if value < 0 else ""
        whole, _, cents = f"{abs(value):f}".partition(".")
        groups: list[str] = []
        while len(whole) > 3:
            groups.insert(0, whole[-3:])
            whole = whole[:-3]
        groups.insert(0, whole)
        number = f"{sign}{self.thousands_separator.join(groups)}{self.decimal_separator}{(cents + '00')[:2]}"
        if not self.symbol:
            return number
        return f"{number} {self.symbol}" if self.symbol_after else f"{self.symbol} {number}"
