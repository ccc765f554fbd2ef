"""Route handlers by manual section: one module per domain, plus table-driven views for the long tail.

A handler takes a :class:`console.sim.http.Ctx` and returns the answer's ``data`` (a value, a
:class:`~console.sim.http.Rows` listing that the framework pages and shapes, or a
:class:`~console.sim.http.Reply`), or raises :class:`~console.sim.http.SimError`. ``handlers()`` maps every
section of the catalog to its handler.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..http import Ctx

__all__ = ["Handler", "handlers", "handles"]

Handler = Callable[[Ctx], Any]
_HANDLERS: dict[str, Handler] = {}


def handles(*sections: str) -> Callable[[Handler], Handler]:
    """Register ``fn`` for each section; a section registered twice is a programming error."""

    def register(fn: Handler) -> Handler:
        for section in sections:
            if section in _HANDLERS:
                raise RuntimeError(f"section {section} has two handlers")
            _HANDLERS[section] = fn
        return fn

    return register


def handlers() -> dict[str, Handler]:
    """Every registered handler, by section (importing the domain modules registers them)."""
    from . import (  # noqa: F401  (imported for their registrations)
        devices,
        doors,
        generic,
        levels,
        misc,
        parking,
        people,
        space,
        transactions,
        visitors,
    )

    return dict(_HANDLERS)
