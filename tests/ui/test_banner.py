"""The panels' one banner: kinds in words and colour, plain text, dismissible, optional auto-hide, themed."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QToolButton, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from console.ui import theme
from console.ui.banner import KINDS, SYMBOLS, Banner


@pytest.fixture
def host(qtbot: QtBot) -> QWidget:
    """A shown window for the banners under test."""
    widget = QWidget()
    QVBoxLayout(widget)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def _shown(host: QWidget, *banners: Banner) -> None:
    for banner in banners:
        host.layout().addWidget(banner)


def test_doors_and_visitors_use_the_one_banner() -> None:
    from console.ui.doors import panel as doors_panel
    from console.ui.visitors import panel as visitors_panel
    from console.ui.visitors import widgets

    assert doors_panel.Banner is Banner
    assert visitors_panel.Banner is Banner
    assert widgets.Banner is Banner


def test_each_kind_is_said_in_words_and_colour_and_server_text_stays_plain(
    host: QWidget, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(theme, "_active", theme.PALETTES["dark"])
    p = theme.PALETTES["dark"]
    banner = Banner("testBanner", "Result")
    _shown(host, banner)
    assert banner.isHidden()
    assert set(KINDS) == {"info", "ok", "warn", "alarm", "blocked"}
    expected = {"info": (p.info_bg, None), "ok": (p.ok_bg, True), "warn": (p.warn_bg, None),
                "alarm": (p.alarm_bg, False), "blocked": (p.alarm, False)}
    for kind, (background, ok) in expected.items():
        banner.show_message(kind, "Door <b>x</b><img src=x> opened")
        assert not banner.isHidden()
        assert banner.kind == kind
        assert banner.ok is ok
        assert banner.text == f"{SYMBOLS[kind]} Door <b>x</b><img src=x> opened"  # a symbol and the words
        assert banner.label.textFormat() == Qt.TextFormat.PlainText
        assert f"background: {background};" in banner.styleSheet()
    assert "font-weight: 700" in banner.styleSheet()  # blocked: the loudest
    with pytest.raises(ValueError, match="unknown banner kind"):
        banner.show_message("green", "x")  # type: ignore[arg-type]


def test_dismissed_by_its_button_and_cleared(qtbot: QtBot, host: QWidget) -> None:
    banner = Banner(selectable=True)
    _shown(host, banner)
    banner.show_message("warn", "Select one door to open")
    assert banner.label.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse
    close = banner.findChild(QToolButton)
    qtbot.mouseClick(close, Qt.MouseButton.LeftButton)
    assert banner.isHidden()
    assert banner.kind == "warn"  # the last message is still known
    banner.clear()
    assert (banner.kind, banner.text, banner.ok) == (None, "", None)


def test_it_hides_itself_after_its_seconds_unless_told_to_stay(qtbot: QtBot, host: QWidget) -> None:
    fleeting = Banner(seconds=0.05)
    staying = Banner(seconds=0.05)
    _shown(host, fleeting, staying)
    fleeting.show_message("ok", "Door 3 opened for 5 s")
    staying.show_message("info", "Closing 12 doors…", seconds=0)  # 0: until dismissed
    qtbot.waitUntil(fleeting.isHidden, timeout=5000)
    assert not staying.isHidden()
    assert fleeting.text == "✓ Door 3 opened for 5 s"


def test_it_follows_the_theme(qtbot: QtBot, qapp: QApplication, host: QWidget) -> None:
    theme.apply_theme(qapp, "dark")
    banner = Banner()
    _shown(host, banner)
    banner.show_message("ok", "Registered")
    assert f"background: {theme.PALETTES['dark'].ok_bg};" in banner.styleSheet()
    theme.apply_theme(qapp, "light")
    qtbot.waitUntil(lambda: f"background: {theme.PALETTES['light'].ok_bg};" in banner.styleSheet(), timeout=5000)
    theme.apply_theme(qapp, "dark")
