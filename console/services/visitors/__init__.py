"""The visitor desk (issue 5): rules of the registration form, drafts, the outbox, the day's lists. No Qt here."""

from .desk import AuditSink, DeskResult, HealthSink, Host, Outcome, VisitorDesk, mask_number
from .export import EVACUATION_COLUMNS, evacuation_rows, write_evacuation_csv
from .form import (
    CERT_TYPES,
    FIELD_LABELS,
    FIELDS,
    REGISTRATION_KEYS,
    TIME_FORMAT,
    VisitForm,
    cert_type_words,
    default_window,
    format_time,
    parse_form_time,
    registration,
    registration_body,
    reservation,
    validate,
)
from .idcard import check_character, id_number_problem, normalise_id_number
from .refusals import BLOCKED, Refusal, refusal_for
from .store import DraftStore, ExpectedVisit, ExpectedVisits, OnSiteList, OnSiteVisit, Outbox, OutboxEntry

__all__ = [
    "BLOCKED",
    "CERT_TYPES",
    "EVACUATION_COLUMNS",
    "FIELDS",
    "FIELD_LABELS",
    "REGISTRATION_KEYS",
    "TIME_FORMAT",
    "AuditSink",
    "DeskResult",
    "DraftStore",
    "ExpectedVisit",
    "ExpectedVisits",
    "HealthSink",
    "Host",
    "OnSiteList",
    "OnSiteVisit",
    "Outbox",
    "OutboxEntry",
    "Outcome",
    "Refusal",
    "VisitForm",
    "VisitorDesk",
    "cert_type_words",
    "check_character",
    "default_window",
    "evacuation_rows",
    "format_time",
    "id_number_problem",
    "mask_number",
    "normalise_id_number",
    "parse_form_time",
    "refusal_for",
    "registration",
    "registration_body",
    "reservation",
    "validate",
    "write_evacuation_csv",
]
