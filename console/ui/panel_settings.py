"""A panel's own table of settings, and saving them, in one place for every panel.

Panels take the shell's :class:`console.services.settings.Settings` (``section(name)`` is the panel's
``[panels.NAME]`` table) or, in tests, a plain dict (``settings[name]``).
"""

from __future__ import annotations

import logging
from collections.abc import MutableMapping
from typing import Any

__all__ = ["panel_options", "save_settings"]

log = logging.getLogger(__name__)


def panel_options(settings: Any, name: str) -> MutableMapping[str, Any]:
    """The mutable table of options of panel ``name`` (an empty throwaway one if there is none)."""
    section = getattr(settings, "section", None)
    if callable(section):
        table = section(name)
        if isinstance(table, MutableMapping):
            return table
    if isinstance(settings, MutableMapping):
        table = settings.setdefault(name, {})
        if isinstance(table, MutableMapping):
            return table
    return {}


def save_settings(settings: Any) -> None:
    """Write the settings file; a failure is logged, never raised into the operator's action."""
    save = getattr(settings, "save", None)
    if callable(save):
        try:
            save()
        except (OSError, ValueError) as exc:
            log.warning("settings not saved: %s", exc)
