"""The last known board, painted at start before any connection exists (issue 15, "a window in a blink").

A console restarted at the worst moment shows the board of its last good poll at once: the composition root
(:mod:`console.ui.app`) puts a :class:`BoardPreview` in the doors dock right after the window's first paint,
before it probes the server or imports the session's services (httpx, the panels). The tiles are the real
board's (:class:`~console.ui.doors.model.BoardModel`, :class:`~console.ui.doors.delegate.TileDelegate`, a
:class:`~console.services.doors.DoorBoard` seeded from the snapshot), every one stale ("Last seen closed at
14:02", hatched, "STALE since ..."), under a banner saying that nothing here is live yet. The preview is read
only: no action, no selection. When the connection's doors panel is built it replaces the preview; its board
is seeded from the same items (:func:`console.services.board_snapshot.hand_over`), so the stale marks stay
until the first fresh poll replaces them.

Only :func:`snapshot_exists` runs before the file is known to be there: a start without a snapshot imports
nothing of the board.

A first start (no snapshot) uses the same widget, ``live=True``, over the connection's own board once its first
poll is in: the fresh tiles are painted before the doors panel's ~40 ms of widgets are built, and the panel
replaces it a moment later (``ConsoleApp._show_first_tiles``). No banner there: nothing in it is stale.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QVBoxLayout, QWidget

from console.services import doors_options
from console.services.paths import Paths
from console.ui.board_picture import banner_words

if TYPE_CHECKING:
    from console.services.doors import BoardClient, DoorBoard, Item
    from console.services.polling import PollPolicy
    from console.services.settings import Settings

__all__ = ["SNAPSHOT_NAME", "BoardPreview", "snapshot_exists", "snapshot_path"]

log = logging.getLogger(__name__)

SNAPSHOT_NAME = "board_snapshot.json"  # board_snapshot.SNAPSHOT_FILE, not imported here: it loads the API models


def snapshot_path(paths: Paths, profile: str) -> Path:
    """Where the services of ``profile`` keep the last good poll (``SessionServices``, ``BoardSnapshot``)."""
    from console.services.board_snapshot import SNAPSHOT_FILE

    return paths.profile_dir(profile) / SNAPSHOT_FILE


def snapshot_exists(paths: Paths, profile: str) -> bool:
    """Whether ``profile`` has a snapshot to preview (a stat; nothing is imported or read)."""
    try:
        return (paths.profile_dir(profile) / SNAPSHOT_NAME).stat().st_size > 0
    except OSError:
        return False


class _NotConnected:
    """The board session of the preview: never polled, it has no client (the connection does not exist yet)."""

    def __init__(self, policy: PollPolicy) -> None:
        self.policy = policy
        self.poll_interval = policy.interval

    @property
    def client(self) -> BoardClient:
        raise RuntimeError("the preview of the last board has no connection")

    def report_ok(self, channel: str = "") -> None:
        """Never called: the preview's board never polls."""

    def report_failure(self, exc: BaseException, channel: str = "") -> None:
        """Never called: the preview's board never polls."""


def _newest(items: list[Item]) -> datetime | None:
    return max((item.updated_at for item in items if item.updated_at is not None), default=None)


class BoardPreview(QWidget):
    """The snapshot's tiles, all stale, read only, under a banner: ``BoardPreview.load(...)`` or None. With
    ``live``, the tiles of a connected board (its first poll), read only, without the banner."""

    def __init__(self, board: DoorBoard, settings: Settings, profile: str, parent: QWidget | None = None, *,
                 live: bool = False) -> None:
        from console.ui.banner import Banner
        from console.ui.doors.delegate import TileDelegate, board_view
        from console.ui.doors.model import BoardModel, Grouping

        super().__init__(parent)
        self.setObjectName("doorsPreview")
        self.board = board
        try:  # as stored: the typed options (pydantic) come with the connection (DoorsOptions.grouping)
            grouping = Grouping(doors_options.grouping(settings))
        except (ValueError, TypeError):
            grouping = Grouping.AREA_DEVICE
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        self.live = live
        self.banner: Banner | None = None
        if not live:
            self.banner = Banner("doorsBanner", "The board is not live yet")
            self.banner.show_message("warn", banner_words(profile, _newest(board.items)), seconds=0)
            layout.addWidget(self.banner)
        self.model = BoardModel(board, grouping, self)
        # the doors panel's board (console/ui/doors/panel.py), read only
        self.view = view = board_view("Doors and gates board" if live else
                                      "Doors and gates board (last known, not live)", batch=400)
        view.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        view.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.delegate = TileDelegate(view)
        view.setItemDelegate(self.delegate)
        view.setModel(self.model)
        layout.addWidget(view, 1)

    @classmethod
    async def load(cls, paths: Paths, settings: Settings, profile: str,
                   parent: QWidget | None = None) -> BoardPreview | None:
        """The preview of ``profile``'s snapshot; None when there is none (or it is damaged: logged). The file is
        read in a worker thread (11,000 doors and gates: ~0.5 s of JSON and cleaning; the window stays alive)."""
        from console.services.board_snapshot import hand_over, read_snapshot
        from console.services.doors import DoorBoard
        from console.services.polling import PollPolicy

        path = snapshot_path(paths, profile)
        items = await asyncio.to_thread(read_snapshot, path)
        if not items:
            return None
        board = DoorBoard(_NotConnected(PollPolicy()))
        if not board.seed(items):  # every item stale, as the connection's board will show them
            return None
        hand_over(path, items)  # the connection's board takes the same items, without a second read
        log.info("the last known board (%d doors and gates) shown before connecting", len(board))
        return cls(board, settings, profile, parent)

    def stop(self) -> None:
        """The connection's doors panel replaces the preview: let go of the board."""
        self.model.detach()
