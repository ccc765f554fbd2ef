"""Server refusals of the visitor calls (appendix codes -240 to -262) mapped to the form field they concern.

A refusal with a ``field`` is shown next to that field; one without is shown in the panel's banner. The
block list (-254) is its own kind: the panel shows it unmistakably and the visitor is not let in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from console.api.errors import ApiError

__all__ = ["ALREADY_REGISTERED", "BLOCKED", "NOT_REGISTERED", "Refusal", "refusal_for"]

BLOCKED: Final = -254
ALREADY_REGISTERED: Final = -255
NOT_REGISTERED: Final = -256

# code -> (form field or None for the banner, what the receptionist reads)
_TABLE: Final[dict[int, tuple[str | None, str]]] = {
    -240: ("host", "the server needs the host: pick the person being visited"),
    -241: ("cert_type", "the server needs the document type"),
    -242: ("cert_num", "the server needs the document number"),
    -243: ("visitor_name", "the server needs the visitor's name"),
    -244: (None, "this visitor already has a booking for that time"),
    -245: (None, "the visitor is already here: register the visit instead of booking it"),
    -246: ("reason", "the server needs a reason for the visit"),
    -247: ("start", "the server needs the visit date"),
    -248: (None, "the server has no matching booking for this visitor"),
    -249: ("start", "the server did not accept the date format"),
    -250: ("cert_type", "the server does not accept this document type"),
    -251: ("cert_num", "the server says this is not a valid national ID number"),
    -252: ("end", "the server did not accept these dates"),
    -253: ("host", "the server has no employee with this pin: pick the host again"),
    -254: (None, "THIS VISITOR IS ON THE BLOCK LIST. Do not admit them; call security."),
    -255: (None, "this visitor is already registered and has not checked out"),
    -256: (None, "the server has no open visit for this visitor (not registered, or already checked out)"),
    -257: (None, "the server does not know this visitor"),
    -258: ("visitor_count", "the server needs at least one visitor"),
    -259: (None, "the server says nothing was selected"),
    -260: ("host", "the host's department does not exist on the server"),
    -261: (None, "the server refused special characters in the name, company or reason"),
    -262: (None, "the server refused the visitor's photo"),
}


@dataclass(frozen=True, slots=True)
class Refusal:
    code: int
    field: str | None  # a form field (see form.FIELDS), or None for the banner
    text: str  # what the receptionist reads
    server_text: str = ""  # the server's own words (plain text, untrusted)

    @property
    def blocked(self) -> bool:
        return self.code == BLOCKED

    @property
    def already_registered(self) -> bool:
        return self.code == ALREADY_REGISTERED


def refusal_for(error: ApiError) -> Refusal:
    """The field (or banner) and words for a refusal; codes outside the table go to the banner."""
    field, text = _TABLE.get(error.code, (None, ""))
    if not text:
        text = f"the server refused: {error.text}"
    return Refusal(code=error.code, field=field, text=text, server_text=error.server_message[:300])
