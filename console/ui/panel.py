"""What the shell asks of every panel: one small typed interface instead of ``getattr`` dispatch.

Every panel of the main window (doors, events, alarms, visitors, and the next ones) implements all of it;
:class:`console.ui.workspace.Workspace` keeps them as ``Panel`` and the shell calls these and nothing else::

    await start()         after it is built and docked: first reads, restore drafts (services poll on their own)
    await stop()          before the connection's services stop: cancel the panel's own tasks, save its options
    refresh_now()         F5: ask the server now (usually through the services: their pollers wake)
    focus_filter()        Ctrl+F: focus the panel's filter; False when it has none
    apply_theme()         the colour theme changed: re-style what a stylesheet cannot reach
    set_operator(name)    the operator on duty changed (the services already know)

A panel's settings are a typed model in :mod:`console.services.options`, read with ``settings.panel(...)``.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtWidgets import QWidget

__all__ = ["Panel"]


class Panel(Protocol):
    def isAncestorOf(self, child: QWidget) -> bool: ...  # Qt's name: the panel is a QWidget

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    def refresh_now(self) -> None: ...

    def focus_filter(self) -> bool: ...

    def apply_theme(self) -> None: ...

    def set_operator(self, name: str) -> None: ...
