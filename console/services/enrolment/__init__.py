"""Person enrolment: find, add, edit, resign, reinstate, delete people; face checks; bulk CSV import (Qt-free)."""

from __future__ import annotations

from .desk import EnrolmentDesk, EnrolResult, FaceVerdict, FindResult, PendingWrite
from .form import FIELDS, PersonForm, validate
from .refusals import FACE_GUIDANCE, Refusal, face_guidance, refusal_for

__all__ = [
    "FACE_GUIDANCE",
    "FIELDS",
    "EnrolResult",
    "EnrolmentDesk",
    "FaceVerdict",
    "FindResult",
    "PendingWrite",
    "PersonForm",
    "Refusal",
    "face_guidance",
    "refusal_for",
    "validate",
]
