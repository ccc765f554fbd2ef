"""The picture of the last board: kept beside the snapshot, shown in the next start's first paint, dimmed and
hatched under the "not live" banner, and only when it can be trusted to show the last board (not older than the
snapshot, taken in the theme in use, its size, header and length in agreement). Its files are untrusted like any
other: a damaged or hostile one is ignored, never fatal."""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

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


def _save(paths: Paths, theme: str = "dark", words: str = "Last known board of Head office: not live") -> bool:
    return save_picture(_board_image(), board_picture.banner_image(words, 300), picture_path(paths, PROFILE), theme,
                        words, QColor("#101010"), QColor("#e0e0e0"))


def _snapshot(paths: Paths) -> Path:
    snapshot = paths.profile_dir(PROFILE) / board_picture.SNAPSHOT_NAME
    snapshot.parent.mkdir(parents=True, exist_ok=True)
    snapshot.write_text('{"version": 1, "items": []}')
    return snapshot


def _age(path: Path, seconds: float) -> None:
    """``path`` made ``seconds`` older than now."""
    stamp = path.stat().st_mtime_ns - int(seconds * 1e9)
    os.utime(path, ns=(stamp, stamp))


def test_a_kept_picture_comes_back_with_its_banner_over_the_board(qapp: QApplication, tmp_path: Path) -> None:
    paths = Paths.under(tmp_path)
    _age(_snapshot(paths), 1)
    newest = datetime(2026, 11, 30, 14, 2)  # not today: the banner says the day
    words = board_picture.banner_words(PROFILE, newest)
    assert "states as of 2026-11-30 14:02" in words
    banner = board_picture.banner_image(words, 300)
    assert banner.width() == 300
    assert banner.height() > 20  # the banner's words, laid out as the preview lays them out
    assert _save(paths, words=words)
    assert oct(picture_path(paths, PROFILE).stat().st_mode & 0o777) == "0o600"  # the board is nobody else's business
    picture = load_picture(paths, PROFILE, "dark")
    assert picture is not None
    assert (picture.image.width(), picture.image.height()) == (300, banner.height() + board_picture.GAP + 120)
    assert picture.words == words


def test_a_picture_older_than_the_snapshot_or_of_the_other_theme_is_not_shown(qapp: QApplication,
                                                                              tmp_path: Path) -> None:
    paths = Paths.under(tmp_path)
    snapshot = _snapshot(paths)
    _age(snapshot, 1)
    assert _save(paths)
    assert load_picture(paths, PROFILE, "light") is None  # the preview follows in a moment: no flash of the other
    assert load_picture(paths, PROFILE, "dark") is not None
    snapshot.write_text('{"version": 1, "items": []}')  # a later snapshot (the console crashed after it)
    assert load_picture(paths, PROFILE, "dark") is None
    snapshot.unlink()  # no snapshot: no preview after it either
    assert load_picture(paths, PROFILE, "dark") is None


def _file(header: dict[str, object], pixels: int) -> bytes:
    return board_picture.MAGIC + json.dumps(header).encode() + b"\n" + b"\xff" * pixels


GOOD = {"width": 3, "height": 2, "scale": 1, "theme": "dark", "words": "not live", "byteorder": sys.byteorder}


@pytest.mark.parametrize("content", [
    b"", b"not a picture at all", board_picture.MAGIC + b"{not json\n" + b"\xff" * 24,
    _file({**GOOD, "width": 60_000, "height": 60_000}, 24),  # 14 GB of pixels claimed: refused from its header
    _file(GOOD, 23), _file(GOOD, 25),  # a pixel short, a byte too many: not the file this console wrote
    _file({**GOOD, "width": -3}, 24), _file({**GOOD, "width": "3"}, 24), _file({**GOOD, "scale": 100}, 24),
    _file({**GOOD, "width": True, "height": True}, 4), _file({**GOOD, "scale": True}, 24),
    _file({**GOOD, "words": ["x"]}, 24), _file({**GOOD, "byteorder": "middle"}, 24),
    board_picture.MAGIC + b"x" * 5000 + b"\n",  # a header without end
])
def test_a_damaged_or_hostile_picture_is_ignored(qapp: QApplication, tmp_path: Path, content: bytes) -> None:
    paths = Paths.under(tmp_path)
    _age(_snapshot(paths), 1)
    path = picture_path(paths, PROFILE)
    path.write_bytes(_file(GOOD, 24))
    assert load_picture(paths, PROFILE, "dark") is not None  # the good one is shown...
    path.write_bytes(content)
    assert load_picture(paths, PROFILE, "dark") is None  # ...and none of these


def test_a_picture_file_too_big_to_be_ours_is_not_read(qapp: QApplication, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    paths = Paths.under(tmp_path)
    _age(_snapshot(paths), 1)
    picture_path(paths, PROFILE).write_bytes(_file(GOOD, 24))
    monkeypatch.setattr(board_picture, "MAX_PICTURE_BYTES", 64)
    read: list[str] = []
    real_open = Path.open

    class Watched:
        def __init__(self, handle: Any) -> None:
            self.handle = handle

        def __enter__(self) -> Watched:
            return self

        def __exit__(self, *exc: object) -> None:
            self.handle.close()

        def fileno(self) -> int:
            return int(self.handle.fileno())

        def __getattr__(self, name: str) -> Any:  # read, readline, readinto...
            read.append(name)
            return getattr(self.handle, name)

    monkeypatch.setattr(Path, "open", lambda self, *args, **kwargs: Watched(real_open(self, *args, **kwargs)))
    assert load_picture(paths, PROFILE, "dark") is None
    assert read == []  # refused from its size, before a byte of it is read
    monkeypatch.setattr(board_picture, "MAX_PICTURE_BYTES", 10_000)
    assert load_picture(paths, PROFILE, "dark") is not None  # (the watch sees the reads of one it takes)
    assert "readinto" in read


def test_the_picture_is_shown_dimmed_and_hatched_under_the_not_live_banner(qtbot, tmp_path: Path) -> None:
    paths = Paths.under(tmp_path)
    _age(_snapshot(paths), 1)
    words = "Last known board of <b>Head office</b>: not live"  # a profile's name is never markup
    assert _save(paths, words=words)
    picture = load_picture(paths, PROFILE, "dark")
    assert picture is not None
    widget = BoardPicture(picture)
    qtbot.addWidget(widget)
    widget.resize(500, 400)
    widget.show()
    qtbot.waitExposed(widget)
    assert widget.accessibleDescription() == words
    assert widget.textFormat() == Qt.TextFormat.AutoText  # (it shows a picture, no text at all)
    assert widget.text() == ""
    shown = widget.grab().toImage()
    banner_height = picture.image.height() - 120 - board_picture.GAP
    top = board_picture.MARGIN + banner_height + board_picture.GAP
    # where the board was white, the operator sees it darker and crossed by the hatching: not a live board
    lightness = [QColor(shown.pixel(x, top + 60)).lightness() for x in range(200, 240)]
    assert max(lightness) < 255
    assert len(set(lightness)) > 1  # hatched: lines across the tiles, not a flat tint
    # the banner is not hatched: its words stay readable (one colour across a blank stretch of it)
    banner_row = {QColor(shown.pixel(x, board_picture.MARGIN + banner_height // 2)).name() for x in range(290, 300)}
    assert len(banner_row) <= 2
    # beyond the picture, the panel's own background: nothing stretched
    assert QColor(shown.pixel(450, top + 60)) == widget.palette().window().color()
