"""The picture of the last board, in the window's first paint (issue 15, "a window in a blink").

When the console stops in order with a live board (its last poll good, no tile stale), it keeps a picture of the
doors board as it was on screen: ``data/profiles/<profile>/board_picture.png``, written after the board's last
snapshot (``console.services.board_snapshot``). At the next start of the same profile, :func:`build_window`
(``console.ui.shell``) puts a :class:`BoardPicture` in the doors dock: the picture, hatched and dimmed, under the
same "not live" banner as the last board's preview, so the operator sees the last board in the very first frame.
It is only a picture: nothing in it can be clicked. Tens of milliseconds later the preview of the snapshot
(``console.ui.board_preview``: every tile stale, "Last seen ... at 14:02") takes its place, then the doors panel.

The picture is shown only when it is not older than the snapshot (a console that crashed after a later snapshot
leaves an older picture, which is ignored), was taken in the theme now in use, and is a PNG of sane size: it is
read with an allocation limit, like every image, and a file that is not one is ignored (logged), never fatal.
This module stays light (it is imported before the first paint): Qt's GUI classes and the banner, nothing else.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPoint, QRect, Qt
from PySide6.QtGui import QBrush, QColor, QImage, QImageReader, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QVBoxLayout, QWidget

from console.services.files import write_atomically
from console.ui import startmarks
from console.ui.banner import Banner

if TYPE_CHECKING:
    from console.services.paths import Paths

__all__ = ["MAX_PICTURE_BYTES", "MAX_PICTURE_SIDE", "PICTURE_FILE", "BoardPicture", "load_picture",
           "picture_path", "save_picture", "saved_words"]

log = logging.getLogger(__name__)

PICTURE_FILE = "board_picture.png"
SNAPSHOT_NAME = "board_snapshot.json"  # board_snapshot.SNAPSHOT_FILE (that module loads the API models)
MAX_PICTURE_BYTES = 32 * 1024 * 1024  # a 4K screen's board is ~1-3 MB of PNG; a bigger file is not ours
MAX_PICTURE_SIDE = 8192  # pixels, either side
ALLOCATION_LIMIT_MB = 256  # QImageReader's limit for the decoded picture (8192 x 8192 x 4 bytes fits)
TAG = "cvsecurity-console board picture 1"  # the picture's PNG text "kind": one this console wrote
HATCH_ALPHA = 70  # the hatching over the picture: visible at a glance, the tiles still readable


def picture_path(paths: Paths, profile: str) -> Path:
    """Where the picture of ``profile``'s last board is kept (beside its snapshot)."""
    return paths.profile_dir(profile) / PICTURE_FILE


def saved_words(newest: datetime | None) -> str:
    """", states as of 14:02" (with the date when it is not today) for the banner; empty when unknown."""
    if newest is None:
        return ""
    day = "" if newest.date() == datetime.now().date() else f"{newest:%Y-%m-%d} "
    return f", states as of {day}{newest:%H:%M}"


def banner_words(profile: str, newest: datetime | None) -> str:
    """What the banner over the last known board says (the picture's and the preview's)."""
    return (f"Last known board of {profile}{saved_words(newest)}: not live, every tile is stale until the server "
            "answers. Connecting…")


def save_picture(image: QImage, path: Path, theme: str, newest: datetime | None) -> bool:
    """Keep ``image`` (the doors panel's board as it was painted: ``view.grab().toImage()``) at ``path``,
    atomically; ``newest`` is the newest state's time on it (for the banner). True when written; a failure is
    logged, never raised."""
    if image.isNull() or max(image.width(), image.height()) > MAX_PICTURE_SIDE:
        return False
    image.setText("kind", TAG)
    image.setText("theme", theme)
    image.setText("states", newest.isoformat() if newest is not None else "")
    image.setText("scale", f"{image.devicePixelRatio():g}")  # PNG keeps no pixel ratio (HiDPI)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    # fastest compression (the start reads it; a board is mostly flat colour). PySide6 takes the format as str
    if not image.save(buffer, "PNG", 1):  # type: ignore[call-overload]  # (its stub says bytes, which it refuses)
        return False
    buffer.close()
    try:
        write_atomically(path, lambda out: out.write(data.data()))
    except OSError as exc:
        log.warning("the picture of the board could not be kept (%s): %s", path, exc)
        return False
    return True


class Picture:
    """A picture read back: the image and the newest state's time the banner tells."""

    __slots__ = ("image", "newest")

    def __init__(self, image: QImage, newest: datetime | None) -> None:
        self.image = image
        self.newest = newest


def load_picture(paths: Paths, profile: str, theme: str) -> Picture | None:
    """The picture of ``profile``'s last board, when there is one to show (see the module's docstring); None
    otherwise. Never raises: the start goes on without it."""
    path = picture_path(paths, profile)
    try:
        picture = path.stat()
        snapshot = path.with_name(SNAPSHOT_NAME).stat()
    except OSError:
        return None  # no picture, or no snapshot: nothing the preview would show after it either
    if picture.st_mtime_ns < snapshot.st_mtime_ns or not 0 < picture.st_size <= MAX_PICTURE_BYTES:
        return None  # older than the last snapshot (a crash after it), or not ours
    reader = QImageReader(str(path), QByteArray(b"png"))
    reader.setAllocationLimit(ALLOCATION_LIMIT_MB)
    size = reader.size()
    if not (0 < size.width() <= MAX_PICTURE_SIDE and 0 < size.height() <= MAX_PICTURE_SIDE):
        log.warning("the picture of the last board (%s) is not one this console keeps; ignored", path)
        return None
    if reader.text("kind") != TAG or reader.text("theme") != theme:
        return None  # another kind of file, or taken in the other theme: the preview follows in a moment
    image = reader.read()
    if image.isNull():
        log.warning("the picture of the last board (%s) could not be read: %s", path, reader.errorString())
        return None
    try:
        newest = datetime.fromisoformat(image.text("states")) if image.text("states") else None
    except ValueError:
        newest = None
    try:
        scale = float(image.text("scale") or 1)
    except ValueError:
        scale = 1.0
    image.setDevicePixelRatio(scale if 0.5 <= scale <= 8 else 1.0)
    return Picture(image, newest)


class _Canvas(QWidget):
    """The picture at its own size in the top left corner, hatched and dimmed: nothing in it is live."""

    def __init__(self, image: QImage, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image = image
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)  # the dock's size, not the image's
        self.setAccessibleName("Doors and gates board (picture of the last board, not live)")

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            area = self.rect()
            painter.fillRect(area, self.palette().window())
            painter.drawImage(QPoint(0, 0), self.image)
            shown = QRect(QPoint(0, 0), self.image.deviceIndependentSize().toSize()).intersected(area)
            painter.fillRect(shown, QColor(0, 0, 0, HATCH_ALPHA // 2))
            hatch = QColor(self.palette().text().color())
            hatch.setAlpha(HATCH_ALPHA)
            painter.fillRect(shown, QBrush(hatch, Qt.BrushStyle.BDiagPattern))
        finally:
            painter.end()
        startmarks.mark("tile")  # the last known board's tiles are on screen (a start-up benchmark listens)


class BoardPicture(QWidget):
    """The doors dock's content before the preview of the snapshot: the banner and the picture, read only."""

    def __init__(self, picture: Picture, profile: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("doorsPicture")
        layout = QVBoxLayout(self)  # the preview's layout: the banner stays where it is when the preview comes
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        self.banner = Banner("doorsBanner", "The board is not live yet")
        self.banner.show_message("warn", banner_words(profile, picture.newest), seconds=0)
        layout.addWidget(self.banner)
        self.canvas = _Canvas(picture.image)
        layout.addWidget(self.canvas, 1)
