"""The parking desk (issue 11): lots, cars in the lot, plate matching, billing and payment exactly once,
barrier, lists, cash-up. No Qt here."""

from .alarms import alarm_event
from .desk import (
    CASHUP_COLUMNS,
    Bill,
    CarInLot,
    CashUp,
    ChannelInfo,
    Lot,
    ParkingAlarm,
    ParkingDesk,
    ParkingResult,
    Passage,
    write_cashup_csv,
)
from .money import CurrencyFormat, MoneyError, parse_money, to_cents_text
from .plates import Match, MatchKind, compact, fold, match_plate, match_plates, plate_problem, split_plate
from .store import ListBook, ListEntry, PaymentBook, PaymentRecord

__all__ = [
    "CASHUP_COLUMNS",
    "Bill",
    "CarInLot",
    "CashUp",
    "ChannelInfo",
    "CurrencyFormat",
    "ListBook",
    "ListEntry",
    "Lot",
    "Match",
    "MatchKind",
    "MoneyError",
    "ParkingAlarm",
    "ParkingDesk",
    "ParkingResult",
    "Passage",
    "PaymentBook",
    "PaymentRecord",
    "alarm_event",
    "compact",
    "fold",
    "match_plate",
    "match_plates",
    "parse_money",
    "plate_problem",
    "split_plate",
    "to_cents_text",
    "write_cashup_csv",
]
