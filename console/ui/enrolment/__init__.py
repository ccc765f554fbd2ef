"""The People panel: person enrolment with a face photo (see :mod:`.panel`)."""

from __future__ import annotations

from .panel import EnrolmentPanel

__all__ = ["EnrolmentPanel"]
