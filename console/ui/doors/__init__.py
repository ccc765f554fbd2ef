"""The doors & gates panel: a live tile board, a floor-plan map, actions and a details pane.

``DoorsPanel`` is imported on first use (PEP 562): the board's model, delegate and style load without the
panel (which brings the session's services and httpx), so the last known board can be painted at start before
the connection exists (``console.ui.board_preview``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .panel import DoorsPanel

__all__ = ["DoorsPanel"]


def __getattr__(name: str) -> Any:
    if name == "DoorsPanel":
        from .panel import DoorsPanel

        return DoorsPanel
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
