"""What became of a write to the server (door, gate, visitor, and the next panels' writes): one type for all.

Every service that writes (door and gate commands, the visitor desk, and the enrolment, parking and booking
services to come) reports with :class:`Outcome`, derived from the client's own classification of failures
(:attr:`console.api.CVSecError.delivery`), so that "was it sent?" is decided in one place::

    DONE       the server said yes
    REFUSED    the server said no (an API code, a refused token): nothing happened
    NOT_SENT   the request never reached the server: nothing happened, it may be sent again
    UNCERTAIN  sent, but the answer was lost: it may or may not have happened; never repeated automatically
    QUEUED     kept here and sent when the server answers again (the visitor outbox)
    INVALID    refused by the console before sending (a rule of the form): nothing was sent
"""

from __future__ import annotations

import enum

from console.api.errors import CVSecError, Delivery

__all__ = ["Outcome"]


class Outcome(enum.StrEnum):
    DONE = "done"
    REFUSED = "refused"
    NOT_SENT = "not sent"
    UNCERTAIN = "uncertain"
    QUEUED = "queued"
    INVALID = "invalid"

    @classmethod
    def of(cls, exc: CVSecError) -> Outcome:
        """The outcome of a write that failed with ``exc``."""
        return {
            Delivery.NOT_SENT: cls.NOT_SENT,
            Delivery.UNCERTAIN: cls.UNCERTAIN,
            Delivery.REFUSED: cls.REFUSED,
        }[exc.delivery]

    @property
    def ok(self) -> bool:
        return self is Outcome.DONE
