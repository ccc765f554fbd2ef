"""The visitors of this desk a booking can name (the visitor desk's own lists: on site now, expected today).

Visitors are not persons on the server and 2.46.7 takes person ids only, so a booking carries them by name in
its content (:func:`~.model.compose_content`). The names come from the visitor desk's local files (the API
cannot list the visits registered at a desk): those on site now, then those expected today and not yet here.
"""

from __future__ import annotations

from console.services.text import clean_text
from console.services.visitors import VisitorDesk
from console.services.visitors.form import VisitForm

__all__ = ["desk_visitor_names", "visitor_label"]


def visitor_label(form: VisitForm) -> str:
    """``Ann Lee (Globex)``: the visitor's name and company, one line, no ``;`` (the content's separator)."""
    name = clean_text(form.visitor_name, 80).replace(";", ",")
    company = clean_text(form.company, 60).replace(";", ",")
    return f"{name} ({company})" if name and company else name


def desk_visitor_names(visitors: VisitorDesk) -> list[str]:
    """This desk's visitors of today, on site first, without repeats."""
    names = [visitor_label(v.visit_form) for v in visitors.on_site()]
    names += [visitor_label(e.visit_form) for e in visitors.expected_today() if e.status == "expected"]
    return list(dict.fromkeys(n for n in names if n))
