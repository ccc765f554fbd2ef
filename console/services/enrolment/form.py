"""The enrolment form: one person's details as typed at the desk, its rules, and the bodies it becomes.

Nothing here talks to the server. :func:`validate` says, field by field, what is wrong in words a
receptionist understands; a form with problems is never sent. The form never holds a photo (a face photo is
biometric data and stays in the panel's memory only) and its drafts never hold the personal password.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import datetime
from typing import Any, Final

__all__ = [
    "FIELDS",
    "GENDERS",
    "PersonForm",
    "basic_body",
    "main_body",
    "parse_form_time",
    "validate",
]

PIN_RULE: Final = re.compile(r"[0-9A-Za-z]{1,24}")
CARD_RULE: Final = re.compile(r"[0-9A-Za-z]{1,64}")
MOBILE_RULE: Final = re.compile(r"\+?[0-9][0-9 ()-]{3,30}")
EMAIL_RULE: Final = re.compile(r"[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s.]{1,63}")
PASSWORD_RULE: Final = re.compile(r"[0-9]{1,8}")
TIME_FORMATS: Final = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d")
GENDERS: Final = {"": "not given", "M": "male", "F": "female"}
NAME_LIMIT: Final = 100

FIELDS: Final = ("pin", "name", "last_name", "gender", "dept_code", "card_no", "level_ids", "start", "end",
                 "mobile", "email", "password")


@dataclass(frozen=True)
class PersonForm:
    """What the operator typed. Times are text (``yyyy-MM-dd HH:mm``), as typed; empty means "not given"."""

    pin: str = ""
    name: str = ""
    last_name: str = ""
    gender: str = ""
    dept_code: str = ""
    card_no: str = ""
    level_ids: tuple[str, ...] = ()
    start: str = ""
    end: str = ""
    mobile: str = ""
    email: str = ""
    password: str = field(default="", repr=False)

    def cleaned(self) -> PersonForm:
        """Surrounding spaces removed (what is checked and sent)."""
        return replace(
            self, pin=self.pin.strip(), name=self.name.strip(), last_name=self.last_name.strip(),
            gender=self.gender.strip().upper()[:1], dept_code=self.dept_code.strip(), card_no=self.card_no.strip(),
            level_ids=tuple(dict.fromkeys(x.strip() for x in self.level_ids if x.strip())),
            start=self.start.strip(), end=self.end.strip(), mobile=self.mobile.strip(), email=self.email.strip(),
            password=self.password.strip(),
        )

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.name.strip(), self.last_name.strip()) if part)

    def to_draft(self) -> dict[str, Any]:
        """The form for a draft file: everything but the personal password (and there is never a photo)."""
        data = asdict(self)
        data.pop("password", None)
        data["level_ids"] = list(self.level_ids)
        return data

    @classmethod
    def from_draft(cls, data: Mapping[str, Any]) -> PersonForm:
        """A form from a draft file; unknown keys and values of the wrong type are dropped."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = data.get(f.name)
            if f.name == "password":
                continue
            if f.name == "level_ids":
                if isinstance(raw, list):
                    values[f.name] = tuple(str(x)[:64] for x in raw if isinstance(x, str))[:200]
            elif isinstance(raw, str):
                values[f.name] = raw[:256]
        return cls(**values)


def parse_form_time(text: str) -> datetime | None:
    """``yyyy-MM-dd HH:mm[:ss]`` or ``yyyy-MM-dd``; None when unreadable."""
    for fmt in TIME_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt)
        except ValueError:
            continue
    return None


def validate(
    form: PersonForm,
    *,
    departments: Collection[str] | None = None,
    levels: Collection[str] | None = None,
) -> dict[str, str]:
    """Field -> what is wrong (empty when the form may be sent). ``departments``/``levels``: the server's codes
    and ids when known (None: not checked here; the server will say)."""
    f = form.cleaned()
    problems: dict[str, str] = {}
    if not f.pin:
        problems["pin"] = "the personnel number (PIN) is required"
    elif not PIN_RULE.fullmatch(f.pin):
        problems["pin"] = "the PIN is 1 to 24 letters or digits, no spaces or signs"
    if not f.name and not f.last_name:
        problems["name"] = "type the person's first or last name"
    for key, value in (("name", f.name), ("last_name", f.last_name)):
        if len(value) > NAME_LIMIT:
            problems[key] = f"a name is at most {NAME_LIMIT} characters"
        elif any(ord(ch) < 32 for ch in value):
            problems[key] = "a name cannot contain control characters"
    if f.gender not in GENDERS:
        problems["gender"] = "pick male, female or not given"
    if not f.dept_code:
        problems["dept_code"] = "pick the person's department"
    elif departments is not None and f.dept_code not in departments:
        problems["dept_code"] = "this department is not on the server: pick one from the list"
    if f.card_no and not CARD_RULE.fullmatch(f.card_no):
        problems["card_no"] = "a card number is letters and digits only (present the card again)"
    if levels is not None:
        unknown = [x for x in f.level_ids if x not in levels]
        if unknown:
            problems["level_ids"] = "an access level is not on the server any more: pick the levels again"
    start = parse_form_time(f.start) if f.start else None
    end = parse_form_time(f.end) if f.end else None
    if f.start and start is None:
        problems["start"] = "type the date as 2026-12-31 or 2026-12-31 08:00"
    if f.end and end is None:
        problems["end"] = "type the date as 2026-12-31 or 2026-12-31 18:00"
    if start is not None and end is not None and end < start:
        problems["end"] = "access ends before it starts"
    if f.mobile and not MOBILE_RULE.fullmatch(f.mobile):
        problems["mobile"] = "a mobile number is digits (a leading + and spaces are fine)"
    if f.email and not EMAIL_RULE.fullmatch(f.email):
        problems["email"] = "this does not look like an e-mail address (name@example.com)"
    if f.password and not PASSWORD_RULE.fullmatch(f.password):
        problems["password"] = "the personal password is 1 to 8 digits"  # noqa: S105
    return problems


def _time(text: str, *, end: bool) -> str | None:
    if not text:
        return None
    moment = parse_form_time(text)
    if moment is None:
        return None
    if len(text.strip()) == 10 and end:  # a date alone: the whole day
        moment = moment.replace(hour=23, minute=59, second=59)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def main_body(form: PersonForm, *, photo_b64: str | None = None) -> dict[str, Any]:
    """The 2.14.1 body (add or edit, keyed by pin): identity, department, card, levels, validity, photo."""
    f = form.cleaned()
    body: dict[str, Any] = {"pin": f.pin, "deptCode": f.dept_code, "name": f.name, "lastName": f.last_name}
    if f.gender:
        body["gender"] = f.gender
    if f.card_no:
        body["cardNo"] = f.card_no
    body["accLevelIds"] = ",".join(f.level_ids)
    for key, text, is_end in (("accStartTime", f.start, False), ("accEndTime", f.end, True)):
        value = _time(text, end=is_end)
        if value is not None:
            body[key] = value
    if photo_b64:
        body["personPhoto"] = photo_b64
    return body


def basic_body(form: PersonForm) -> dict[str, Any] | None:
    """The 2.14.10 body for what 2.14.1 does not carry (mobile, e-mail, personal password); None if none."""
    f = form.cleaned()
    extra = {k: v for k, v in (("mobilePhone", f.mobile), ("email", f.email), ("personPwd", f.password)) if v}
    if not extra:
        return None
    return {"pin": f.pin, "deptCode": f.dept_code, **extra}
