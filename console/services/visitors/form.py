"""The registration form as plain data, its rules, and the request bodies built from it.

:class:`VisitForm` holds what the receptionist typed, as typed (text), so that a half-filled form can be
saved as a draft and restored exactly. :func:`validate` applies every rule field by field and returns the
message to show next to each field; :func:`registration_body` builds the body of ``visRegistration/add``
(2.18.1) with exactly the twelve keys the manual documents, times as ``yyyy-MM-dd HH:mm:ss``.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any, Final

from console.api.models.persons import CertType
from console.api.models.visitors import VisitorRegistration, VisitorReservation
from console.services.text import whole_number

from .idcard import id_number_problem, normalise_id_number

__all__ = [
    "CERT_TYPES",
    "FIELDS",
    "FIELD_LABELS",
    "REGISTRATION_KEYS",
    "TIME_FORMAT",
    "VisitForm",
    "cert_type_words",
    "default_window",
    "format_time",
    "parse_form_time",
    "registration",
    "registration_body",
    "reservation",
    "validate",
]

TIME_FORMAT: Final = "%Y-%m-%d %H:%M:%S"  # what the server takes (ERRATA: never the printed mm:hh)

# The visitor certificate types of 2.16/2.18, in the manual's order and words.
CERT_TYPES: Final[tuple[tuple[str, str], ...]] = (
    ("2", "National ID card"),
    ("3", "Passport"),
    ("4", "Driver's license"),
    ("5", "Work permit"),
    ("6", "Real-name card"),
    ("7", "Driving license"),
    ("8", "Other"),
)
_CERT_CODES: Final = frozenset(code for code, _ in CERT_TYPES)
NATIONAL_ID: Final = "2"

# The form's fields, in screen order; validation messages and server refusals are keyed by these names.
FIELDS: Final = (
    "host", "visitor_name", "cert_type", "cert_num", "phone", "company", "reason", "visitor_count",
    "start", "end", "card_no", "levels",
)
FIELD_LABELS: Final[Mapping[str, str]] = {
    "host": "Host",
    "visitor_name": "Visitor name",
    "cert_type": "Document type",
    "cert_num": "Document number",
    "phone": "Phone",
    "company": "Company",
    "reason": "Reason for the visit",
    "visitor_count": "Number of visitors",
    "start": "From",
    "end": "Until",
    "card_no": "Card number",
    "levels": "Visitor levels",
}

# 2.18.1's body, key for key, in the manual's order.
REGISTRATION_KEYS: Final = (
    "persPersonPin", "certType", "certNum", "visEmpName", "visitEmpPhone", "company", "visitReason",
    "visitorCount", "startTime", "endTime", "cardNo", "visLevels",
)

MAX_NAME = 100
MAX_REASON = 200
MAX_COUNT = 999
MAX_STARTED_BEFORE = timedelta(days=1)  # a visit registered now started at most this long ago
MAX_AHEAD = timedelta(days=366)  # a visit (or a booking) ends at most this far ahead: not in the year 9999
# Characters the server refuses in names (-261) and that have no business in a name or a company anyway.
_SPECIAL = frozenset('<>"\\;%&|`$={}[]^~#*')


def cert_type_words(code: str) -> str:
    return next((words for c, words in CERT_TYPES if c == code), f"type {code}" if code else "")


def format_time(value: datetime) -> str:
    return value.strftime(TIME_FORMAT)


def parse_form_time(text: str) -> datetime | None:
    """The form's time text in the server's format, or None when it is not exactly that."""
    try:
        return datetime.strptime(text.strip(), TIME_FORMAT)
    except ValueError:
        return None


def default_window(now: datetime | None = None) -> tuple[str, str]:
    """From now (to the minute) until the end of the day: the usual visit."""
    now = (now or datetime.now()).replace(second=0, microsecond=0)
    return format_time(now), format_time(datetime.combine(now.date(), time(23, 59, 59)))


@dataclass
class VisitForm:
    """What the receptionist typed. Every value is text so that a draft restores exactly what was on screen."""

    host_pin: str = ""
    host_name: str = ""  # shown only (the server is told the pin)
    host_dept: str = ""  # shown only
    visitor_name: str = ""
    cert_type: str = NATIONAL_ID
    cert_num: str = ""
    phone: str = ""
    company: str = ""
    reason: str = ""
    visitor_count: str = "1"
    start: str = ""
    end: str = ""
    card_no: str = ""
    levels: list[str] = field(default_factory=list)  # visitor level ids
    level_names: list[str] = field(default_factory=list)  # shown only
    reservation_id: str = ""  # the expected visit this form came from, if any

    @classmethod
    def blank(cls, now: datetime | None = None) -> VisitForm:
        start, end = default_window(now)
        return cls(start=start, end=end)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> VisitForm:
        """A form from saved JSON; unknown keys are ignored and values of the wrong type become defaults."""
        out = cls()
        for f in dataclasses.fields(cls):
            value = data.get(f.name)
            if isinstance(getattr(out, f.name), list):
                if isinstance(value, list):
                    setattr(out, f.name, [str(v)[:200] for v in value if isinstance(v, (str, int))][:200])
            elif isinstance(value, str):
                setattr(out, f.name, value[:1000])
            elif isinstance(value, int) and not isinstance(value, bool):
                setattr(out, f.name, str(value))
        return out

    def people(self) -> int:
        """How many people the registration is for (1 when the count is not a number: a damaged file)."""
        return whole_number(self.visitor_count, 4) or 1

    @property
    def is_empty(self) -> bool:
        """Nothing worth keeping was typed (times and the default type do not count)."""
        return not any(
            (self.host_pin, self.visitor_name, self.cert_num.strip(), self.phone, self.company, self.reason,
             self.card_no)
        )

    @property
    def cert_number(self) -> str:
        """The certificate number as sent (an ID number normalised; others trimmed)."""
        if self.cert_type == NATIONAL_ID:
            return normalise_id_number(self.cert_num)
        return self.cert_num.strip()

    def summary(self) -> str:
        name = self.visitor_name.strip() or "unnamed visitor"
        return f"{name} ({cert_type_words(self.cert_type)} {self.cert_number})"


def _text_problem(value: str, *, label: str, required: bool, limit: int, names: bool = False) -> str | None:
    text = value.strip()
    if not text:
        return f"{label} is required" if required else None
    if len(text) > limit:
        return f"{label} is at most {limit} characters (this one has {len(text)})"
    if any(unicodedata.category(ch).startswith("C") for ch in text):
        return f"{label} contains invisible control characters"
    if names and any(ch in _SPECIAL for ch in text):
        bad = "".join(sorted({ch for ch in text if ch in _SPECIAL}))
        return f"{label} contains characters the server refuses: {bad}"
    return None


def _cert_number_problem(form: VisitForm) -> str | None:
    raw = form.cert_num.strip()
    if not raw:
        return "the document number is required"
    if form.cert_type == NATIONAL_ID:
        return id_number_problem(raw)
    if len(raw) > 64:
        return "a document number is at most 64 characters"
    if not all(ch.isascii() and (ch.isalnum() or ch in "-/ .") for ch in raw):
        return "a document number has letters, digits and - / . only"
    return None


def _phone_problem(value: str) -> str | None:
    text = value.strip()
    if not text:
        return None
    digits = sum(ch.isdigit() for ch in text)
    if len(text) > 32 or not all(ch.isascii() and (ch.isdigit() or ch in "+-() ") for ch in text):
        return "a phone number has digits, spaces and + - ( ) only"
    if digits < 3:
        return "this phone number is too short"
    return None


def _count_problem(value: str) -> str | None:
    # int() also reads "١٢" (Arabic-Indic digits), "1_0" and "+3": the form takes the digits 0-9 only
    count = whole_number(value, 6)
    if count is None:
        return "the number of visitors is a whole number (digits 0-9)"
    if count < 1:
        return "at least one visitor"
    if count > MAX_COUNT:
        return f"at most {MAX_COUNT} visitors on one registration"
    return None


def _levels_problem(levels: Sequence[str]) -> str | None:
    """Level ids travel comma-joined (``visLevels``): one holding a comma (or nothing) would become other ids."""
    for level in levels:
        if not level.strip() or "," in level or any(unicodedata.category(ch).startswith("C") for ch in level):
            return f"the visitor level id {level[:40]!r} cannot be sent (a comma or control character in it)"
    return None


def validate(form: VisitForm, *, now: datetime | None = None, reservation: bool = False) -> dict[str, str]:
    """Every rule, field by field: ``{field: message}`` (empty when the form may be sent).

    ``reservation`` checks a booking ahead (2.16.1), which has no visitor count, card or levels.
    """
    problems: dict[str, str | None] = {}
    problems["host"] = None if form.host_pin.strip() else "pick the person being visited"
    if form.host_pin.strip() and (len(form.host_pin) > 64 or any(ch in form.host_pin for ch in ",/\\?#&\r\n\t")):
        problems["host"] = "this host's pin cannot be sent; pick the host again"
    problems["visitor_name"] = _text_problem(form.visitor_name, label="The visitor's name", required=True,
                                             limit=MAX_NAME, names=True)
    problems["cert_type"] = None if form.cert_type in _CERT_CODES else "choose the type of document shown"
    problems["cert_num"] = _cert_number_problem(form) if problems["cert_type"] is None else None
    problems["phone"] = _phone_problem(form.phone)
    problems["company"] = _text_problem(form.company, label="The company", required=False, limit=MAX_NAME,
                                        names=True)
    problems["reason"] = _text_problem(form.reason, label="The reason", required=True, limit=MAX_REASON)
    if not reservation:
        problems["visitor_count"] = _count_problem(form.visitor_count)
        card = form.card_no.strip()
        if card and (len(card) > 64 or not card.isascii() or not card.isalnum()):
            problems["card_no"] = "a card number has letters and digits only"
        problems["levels"] = _levels_problem(form.levels)
    start, end = parse_form_time(form.start), parse_form_time(form.end)
    problems["start"] = None if start else "a start time like 2024-05-01 09:30:00 is required"
    problems["end"] = None if end else "an end time like 2024-05-01 18:00:00 is required"
    if start and end:
        moment = (now or datetime.now()).replace(microsecond=0)
        if end <= start:
            problems["end"] = "the visit must end after it starts"
        elif end < moment:
            problems["end"] = "this end time has already passed"
        elif end > moment + MAX_AHEAD:
            problems["end"] = f"the visit must end within {MAX_AHEAD.days} days from now"
        if reservation and start < moment - timedelta(minutes=5):
            problems["start"] = "a booking ahead starts in the future (register visitors who are here)"
        elif not reservation and start < moment - MAX_STARTED_BEFORE and not problems["end"]:
            problems["start"] = "a visit registered now cannot have started more than a day ago"
        elif start > moment + MAX_AHEAD and not problems["end"]:
            problems["start"] = f"the visit must start within {MAX_AHEAD.days} days from now"
    return {name: text for name, text in problems.items() if text}


def _window(form: VisitForm) -> tuple[datetime, datetime]:
    start, end = parse_form_time(form.start), parse_form_time(form.end)
    if start is None or end is None:
        raise ValueError("validate the form before building its body")
    return start, end


def registration(form: VisitForm) -> VisitorRegistration:
    """The typed body of 2.18.1 (``ValueError`` for a form that :func:`validate` would refuse)."""
    start, end = _window(form)
    return VisitorRegistration(
        host_pin=form.host_pin.strip(),
        cert_type=CertType.parse(form.cert_type),
        cert_num=form.cert_number,
        visitor_name=form.visitor_name.strip(),
        phone=form.phone.strip() or None,
        company=form.company.strip() or None,
        reason=form.reason.strip(),
        visitor_count=int(form.visitor_count.strip()),
        start_time=start,
        end_time=end,
        card_no=form.card_no.strip() or None,
        level_ids=tuple(form.levels) or None,
    )


def registration_body(form: VisitForm) -> dict[str, str]:
    """What 2.18.1 sends for this form (the documented keys; empty optional ones left out)."""
    return {key: str(value) for key, value in registration(form).to_wire().items()}


def reservation(form: VisitForm) -> VisitorReservation:
    """The typed body of 2.16.1 (the visitor's name goes in ``visitEmpName``, as the model documents)."""
    start, end = _window(form)
    return VisitorReservation(
        host_pin=form.host_pin.strip(),
        cert_type=CertType.parse(form.cert_type),
        cert_num=form.cert_number,
        visitor_name=form.visitor_name.strip(),
        phone=form.phone.strip() or None,
        company=form.company.strip() or None,
        reason=form.reason.strip(),
        visit_date=start,
        visit_end_date=end,
    )
