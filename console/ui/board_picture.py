"""The picture of the last board, in the window's first paint (issue 15, "a window in a blink").

When the board's snapshot is written (``console.services.board_snapshot``) at the connection's first good poll
and as the connection closes, while the doors dock shows the connection's board live and whole (a good poll, no
tile stale), the console keeps a picture of it as the next start will show it:
``data/profiles/<profile>/board_picture.bin``, the preview's "not live" banner over the board as it was painted,
dimmed and hatched. The GUI thread takes the board's and the banner's pixels (:func:`banner_image`); a worker
thread composes and writes them (:func:`save_picture`). At the next start of the same profile,
:func:`console.ui.shell.build_window` puts a :class:`BoardPicture` in the doors dock: the operator sees the last
board in the window's very first frame. It is only a picture: nothing in it can be clicked. Tens of milliseconds
later the preview of the snapshot (``console.ui.board_preview``: every tile stale, "Last seen ... at 14:02")
takes its place at the same spot, then the doors panel.

The file holds the pixels as they are, after a line of JSON (size, scale, theme, the banner's words): the start
reads them without decoding anything (a PNG's decoding and Qt's image plug-ins were ~4 ms of the first frame;
the file is ~2 MB for a desk's board and is written twice per connection, not at every snapshot). It is shown
only when it is not older than the snapshot (a console that crashed after a later snapshot leaves an older
picture, which is ignored), was taken in the theme now in use, and its size, header and length agree (capped
before it is read): a file that is not one is ignored (logged), never fatal.
This module stays light (it is imported before the first paint when there is a picture): Qt's GUI classes.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeGuard

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from console.services.files import atomic_write
from console.ui import startmarks

if TYPE_CHECKING:
    from PySide6.QtGui import QColor, QImage, QPaintEvent

    from console.services.paths import Paths
    from console.services.settings import Settings
    from console.ui.cli import Options

__all__ = ["MAX_PICTURE_BYTES", "MAX_PICTURE_SIDE", "PICTURE_FILE", "BoardPicture", "Picture", "banner_image",
           "banner_words", "load_picture", "picture_path", "read_picture", "save_picture", "saved_words"]

log = logging.getLogger(__name__)

PICTURE_FILE = "board_picture.bin"
SNAPSHOT_NAME = "board_snapshot.json"  # board_snapshot.SNAPSHOT_FILE (that module loads the API models)
MAGIC = b"CVSEC-BOARD-PICTURE 1\n"  # then one line of JSON (the header), then the pixels
MAX_HEADER = 4096
MAX_PICTURE_SIDE = 8192  # pixels, either side
MAX_PIXEL_BYTES = 64 * 1024 * 1024  # a 4K screen's whole board is ~33 MB; a bigger file is not ours
MAX_PICTURE_BYTES = len(MAGIC) + MAX_HEADER + MAX_PIXEL_BYTES
HATCH_ALPHA = 55  # the hatching over the board: visible at a glance, the tiles still readable
DIM_ALPHA = 35  # and the black over it: dimmer than a live board
MARGIN, GAP = 4, 4  # the preview's layout (its margins, and the space between its banner and its board)
MAX_WORDS = 1000


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


def banner_image(words: str, width: int) -> QImage:
    """The preview's "not live" banner saying ``words``, ``width`` pixels wide, as it would be painted (a banner
    made for it off screen, on the GUI thread; the picture carries it so that the next start's first frame needs
    no banner widget of its own)."""
    from console.ui.banner import Banner

    banner = Banner("doorsBanner", "The board is not live yet")
    try:
        banner.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)  # laid out and styled, never on a screen
        banner.show_message("warn", words, seconds=0)
        height = banner.heightForWidth(width) if banner.hasHeightForWidth() else -1
        banner.resize(width, max(height, banner.sizeHint().height()))
        return banner.grab().toImage()
    finally:
        banner.close()
        banner.deleteLater()


def save_picture(board: QImage, banner: QImage, path: Path, theme: str, words: str, background: QColor,
                 hatch: QColor) -> bool:
    """Keep the picture of the last board at ``path``, atomically: ``banner`` (:func:`banner_image`) over
    ``board`` (the doors board as it was painted: ``view.grab().toImage()``), the board dimmed and hatched in
    ``hatch`` on ``background``, as the next start shows it. Runs in a worker thread (QPainter on a QImage). True
    when written; a failure is logged, never raised."""
    from PySide6.QtCore import QPoint, QRect  # (not before the first paint: ~1 ms of classes, only
    from PySide6.QtGui import QBrush, QColor, QImage, QPainter  # needed to keep a picture)

    scale = board.devicePixelRatio()
    board, banner = QImage(board), QImage(banner)  # (shared, not copied) drawn pixel for pixel
    board.setDevicePixelRatio(1.0)
    banner.setDevicePixelRatio(1.0)
    gap = round(GAP * scale)
    width, height = max(board.width(), banner.width()), banner.height() + gap + board.height()
    if board.isNull() or max(width, height) > MAX_PICTURE_SIDE:
        return False
    picture = QImage(width, height, QImage.Format.Format_RGB32)  # opaque: 4 bytes a pixel, rows without padding
    picture.fill(background)
    painter = QPainter(picture)
    try:
        painter.drawImage(QPoint(0, 0), banner)
        shown = QRect(0, banner.height() + gap, board.width(), board.height())
        painter.drawImage(shown.topLeft(), board)
        painter.fillRect(shown, QColor(0, 0, 0, DIM_ALPHA))
        painter.fillRect(shown, QBrush(hatch, Qt.BrushStyle.BDiagPattern))
    finally:
        painter.end()
    header = {"width": width, "height": height, "scale": scale, "theme": theme, "words": words[:MAX_WORDS],
              "byteorder": sys.byteorder}
    data = MAGIC + json.dumps(header, ensure_ascii=True).encode("ascii") + b"\n" + bytes(picture.constBits())
    try:
        atomic_write(path, data)
    except OSError as exc:
        log.warning("the picture of the board could not be kept (%s): %s", path, exc)
        return False
    return True


class Picture:
    """A picture read back: the image, its profile, and what its banner says (the widget's accessible
    description)."""

    __slots__ = ("image", "profile", "words")

    def __init__(self, image: QImage, profile: str, words: str) -> None:
        self.image = image
        self.profile = profile
        self.words = words


def _header(line: bytes) -> dict[str, object] | None:
    """The picture file's header (its JSON line); None when it is not one."""
    try:
        header = json.loads(line)
    except ValueError:
        return None
    return header if isinstance(header, dict) else None


def _whole(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)  # (JSON's true is no width)


def load_picture(paths: Paths, profile: str, theme: str) -> Picture | None:
    """The picture of ``profile``'s last board, when there is one to show (see the module's docstring); None
    otherwise. Its pixels are read as they are straight into the image's memory (a stat caps the file first, its
    header says the size and the file's length must agree): no decoding, no image plug-in, ~1 ms for a desk's
    board before the first paint. Never raises: the start goes on without it."""
    path = picture_path(paths, profile)
    try:
        with path.open("rb") as handle:
            picture = os.fstat(handle.fileno())
            snapshot = path.with_name(SNAPSHOT_NAME).stat()
            if picture.st_mtime_ns < snapshot.st_mtime_ns or not 0 < picture.st_size <= MAX_PICTURE_BYTES:
                return None  # older than the last snapshot (a crash after it), or not ours
            line = handle.readline(MAX_HEADER) if handle.read(len(MAGIC)) == MAGIC else b""
            header = _header(line) if line.endswith(b"\n") else None
            width, height, scale, words = (header.get(k) for k in ("width", "height", "scale", "words")) \
                if header is not None else (None, None, None, None)
            if not (header is not None and _whole(width) and _whole(height)
                    and 0 < width <= MAX_PICTURE_SIDE and 0 < height <= MAX_PICTURE_SIDE
                    and picture.st_size - handle.tell() == width * height * 4
                    and header.get("byteorder") == sys.byteorder and isinstance(words, str)
                    and isinstance(scale, (int, float)) and not isinstance(scale, bool) and 0.5 <= scale <= 8):
                log.warning("the picture of the last board (%s) is not one this console keeps; ignored", path)
                return None
            if header.get("theme") != theme:
                return None  # taken in the other theme: the preview follows in a moment
            from PySide6.QtGui import QImage

            image = QImage(width, height, QImage.Format.Format_RGB32)  # (rows of 4 bytes a pixel, no padding)
            if image.isNull() or handle.readinto(image.bits()) != width * height * 4:
                return None
    except OSError:
        return None  # no picture, or no snapshot: nothing the preview would show after it either
    image.setDevicePixelRatio(float(scale))
    return Picture(image, profile, words[:MAX_WORDS])


def read_picture(options: Options, settings: Settings, paths: Paths) -> Picture | None:
    """The picture of the last board of the profile the start is about to connect to, when there is one to show
    (:func:`load_picture`); None when there is none, or a screenshot is being made."""
    from console.ui.cli import expected_profile

    profile = expected_profile(options, settings) if not options.screenshot else None
    return None if profile is None else load_picture(paths, profile, options.theme or settings.theme)


class BoardPicture(QLabel):
    """The doors dock's content before the preview of the snapshot: the picture (banner and board, stale), read
    only, where the preview puts its banner and board (its margins), at its own size; the rest of the dock is
    the panel's background."""

    def __init__(self, picture: Picture, parent: QWidget | None = None) -> None:
        from PySide6.QtGui import QPixmap

        super().__init__(parent)
        self.setObjectName("doorsPicture")
        self.setContentsMargins(MARGIN, MARGIN, MARGIN, MARGIN)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)  # the dock's size, not its own
        self.setPixmap(QPixmap.fromImage(picture.image))
        self.setAccessibleName(f"Doors and gates board of {picture.profile}: a picture of the last board, not live")
        self.setAccessibleDescription(picture.words)
        self.words = picture.words

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        startmarks.mark("tile")  # the last known board's tiles are on screen (a start-up benchmark listens)
