"""The doors panel's options as the start reads them, before pydantic is imported (issue 15: a window in a blink).

:class:`console.services.options.DoorsOptions` declares them (with these defaults and limits) and writes them; the
last known board, the board's first poll and the doors panel read them here as stored, so the first fresh tiles
are painted before pydantic is imported. A value the typed options would read differently than a plain check
(a number written as text, say) is left to them: same answers (``tests/services/test_doors_options.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from console.services.settings import Settings

__all__ = ["GROUPING", "OPEN_TOO_LONG", "OPEN_TOO_LONG_MAX", "OPEN_TOO_LONG_MIN", "SECTION", "grouping",
           "open_too_long_seconds"]

SECTION = "doors"  # DoorsOptions.SECTION: [panels.doors] in the settings file
GROUPING = "area_device"  # the default grouping (console.ui.doors.model.Grouping's values)
OPEN_TOO_LONG = 30.0  # seconds a door may stand open before its tile says so, by default
OPEN_TOO_LONG_MIN = 1.0
OPEN_TOO_LONG_MAX = 86_400.0


def grouping(settings: Settings) -> str:
    """The stored grouping (the default when it is not text); the caller checks it is one it knows."""
    value = settings.panel_value(SECTION, "grouping")
    return value if isinstance(value, str) else GROUPING


def open_too_long_seconds(settings: Settings) -> float:
    """The stored "open too long" threshold, as :class:`~console.services.options.DoorsOptions` reads it."""
    value = settings.panel_value(SECTION, "open_too_long_seconds")
    if value is None:
        return OPEN_TOO_LONG
    if type(value) in (int, float) and OPEN_TOO_LONG_MIN <= value <= OPEN_TOO_LONG_MAX:
        return float(value)
    from console.services.options import DoorsOptions  # anything else: the typed options decide

    return settings.panel(DoorsOptions).open_too_long_seconds
