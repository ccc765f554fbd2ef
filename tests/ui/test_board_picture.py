"""The picture of the last board: kept beside the snapshot, shown in the next start's first paint, dimmed and
hatched under the "not live" banner, and only when it can be trusted to show the last board (not older than the
snapshot, taken in the theme in use, a PNG of sane size). Its files are untrusted like any other: a damaged or
hostile one is ignored, never fatal."""

from __future__ import annotations

import os
import struct
import zlib
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QLabel

from console.services.paths import Paths
from console.ui import board_picture
from console.ui.board_picture import BoardPicture, load_picture, picture_path, save_picture

PROFILE = "Head office"


def _board_image() -> QImage:
    label = QLabel("Front door · Closed")
    label.setAutoFillBackground(True)
    label.setStyleSheet("background: white; color: black")
    label.resize(300, 120)
    return label.grab().toImage()


def _snapshot(paths: Paths) -> Path:
    snapshot = paths.profile_dir(PROFILE) / board_picture.SNAPSHOT_NAME
    snapshot.parent.mkdir(parents=True, exist_ok=True)
    snapshot.write_text('{"version": 1, "items": []}')
    return snapshot


def _age(path: Path, seconds: float) -> None:
    """``path`` made ``seconds`` older than now."""
    stamp = path.stat().st_mtime_ns - int(seconds * 1e9)
    os.utime(path, ns=(stamp, stamp))


def test_the_window_looks_for_the_picture_where_it_is_kept() -> None:
    from console.ui import shell

    assert shell.PICTURE_NAME == board_picture.PICTURE_FILE


def test_a_kept_picture_comes_back_with_the_time_of_its_newest_state(qapp: QApplication, tmp_path: Path) -> None:
    paths = Paths.under(tmp_path)
    _age(_snapshot(paths), 1)
    newest = datetime(2026, 11, 30, 14, 2)  # not today: the banner says the day
    assert save_picture(_board_image(), picture_path(paths, PROFILE), "dark", newest)
    assert oct(picture_path(paths, PROFILE).stat().st_mode & 0o777) == "0o600"  # the board is nobody else's business
    picture = load_picture(paths, PROFILE, "dark")
    assert picture is not None
    assert (picture.image.width(), picture.image.height()) == (300, 120)
    assert picture.newest == newest
    assert "states as of 2026-11-30 14:02" in board_picture.banner_words(PROFILE, picture.newest)


def test_a_picture_older_than_the_snapshot_or_of_the_other_theme_is_not_shown(qapp: QApplication,
                                                                              tmp_path: Path) -> None:
    paths = Paths.under(tmp_path)
    snapshot = _snapshot(paths)
    _age(snapshot, 1)
    assert save_picture(_board_image(), picture_path(paths, PROFILE), "dark", None)
    assert load_picture(paths, PROFILE, "light") is None  # the preview follows in a moment: no flash of the other
    assert load_picture(paths, PROFILE, "dark") is not None
    snapshot.write_text('{"version": 1, "items": []}')  # a later snapshot (the console crashed after it)
    assert load_picture(paths, PROFILE, "dark") is None
    snapshot.unlink()  # no snapshot: no preview after it either
    assert load_picture(paths, PROFILE, "dark") is None


def _png_header(width: int, height: int) -> bytes:
    """A PNG that claims ``width`` x ``height`` and holds one row of nothing."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00")) + chunk(b"IEND", b"")


@pytest.mark.parametrize("content", [b"", b"not a picture at all", b"\x89PNG\r\n\x1a\n" + b"\xff" * 64,
                                     _png_header(60_000, 60_000), _png_header(300, 120)])
def test_a_damaged_or_hostile_picture_is_ignored(qapp: QApplication, tmp_path: Path, content: bytes) -> None:
    paths = Paths.under(tmp_path)
    _age(_snapshot(paths), 1)
    path = picture_path(paths, PROFILE)
    path.write_bytes(content)  # (60,000 x 60,000 would be 14 GB decoded: refused from its header)
    assert load_picture(paths, PROFILE, "dark") is None


def test_the_picture_is_shown_dimmed_and_hatched_under_the_not_live_banner(qtbot, tmp_path: Path) -> None:
    paths = Paths.under(tmp_path)
    _age(_snapshot(paths), 1)
    assert save_picture(_board_image(), picture_path(paths, PROFILE), "dark", datetime(2026, 12, 4, 14, 2))
    picture = load_picture(paths, PROFILE, "dark")
    assert picture is not None
    widget = BoardPicture(picture, PROFILE)
    qtbot.addWidget(widget)
    widget.resize(500, 300)
    widget.show()
    qtbot.waitExposed(widget)
    assert widget.banner.isVisible()
    assert "not live" in widget.banner.text
    assert "Head office" in widget.banner.text
    assert widget.banner.label.textFormat() == Qt.TextFormat.PlainText  # a profile's name is never markup
    shown = widget.canvas.grab().toImage()
    # where the picture was white, the operator sees it darker and crossed by the hatching: not a live board
    lightness = [QColor(shown.pixel(x, 100)).lightness() for x in range(250, 290)]
    assert max(lightness) < 255
    assert len(set(lightness)) > 1  # hatched: lines across the tiles, not a flat tint
    # beyond the picture, the panel's own background: nothing stretched
    assert QColor(shown.pixel(400, 100)) == widget.canvas.palette().window().color()
