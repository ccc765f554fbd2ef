"""Shell parts without a server: error dialogs, themes, status bar words, window layout memory."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from console.services.doors import BoardSummary
from console.services.logs import forget_secret, register_secret
from console.services.paths import Paths
from console.services.session import Health, Profile, Session
from console.ui import aio, theme
from console.ui.errors import ErrorReporter
from console.ui.main_window import MainWindow, PlaceholderPanel
from console.ui.statusbar import StatusBar, describe_summary
from tests.helpers import printed_by, until

SECRET = "shell-secret-5be0c7d1"


@pytest.fixture
def reporter(qloop: Any) -> Any:
    rep = ErrorReporter(log_file="/tmp/console.log", repeat_window=60.0, max_open=2)
    rep.install()
    yield rep
    rep.uninstall()


def test_an_exception_in_a_slot_shows_a_dialog_and_the_window_survives(
    qtbot: QtBot, reporter: ErrorReporter, run: Callable[..., Any]
) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    button = QPushButton("boom")
    window.add_panel("test", "Test", button)
    window.show()

    def boom() -> None:
        raise RuntimeError(f"tile repaint failed with {SECRET}")

    button.clicked.connect(boom)
    register_secret(SECRET)
    try:
        button.click()
        boxes = reporter.open_boxes()
        assert len(boxes) == 1
        box = boxes[0]
        assert box.isVisible()
        assert not box.isModal()
        assert "RuntimeError: tile repaint failed with ***" in box.text()
        assert SECRET not in box.text() + box.detailedText() + box.informativeText()
        assert "The console keeps running" in box.informativeText()
        assert window.isVisible()

        # the same error again updates the dialog instead of stacking another one
        button.click()
        button.click()
        assert reporter.open_boxes() == [box]
        assert "happened 3 times" in box.text()

        # an async slot failing in the background reaches the operator too
        async def task_fails() -> None:
            raise ValueError("the board model lost a row")

        aio.spawn(task_fails(), name="board refresh")
        run(until(lambda: len(reporter.open_boxes()) == 2))
        assert any("the board model lost a row" in b.text() for b in reporter.open_boxes())

        # beyond max_open, errors are logged, not shown: no wall of dialogs at 3 a.m.
        QTimer.singleShot(0, lambda: (_ for _ in ()).throw(KeyError("third")))
        run(until(lambda: reporter.suppressed == 1))
        assert len(reporter.open_boxes()) == 2
        box.close()
        run(until(lambda: len(reporter.open_boxes()) == 1))
        assert window.isVisible()
    finally:
        forget_secret(SECRET)


def test_errors_from_worker_threads_reach_the_gui_thread(reporter: ErrorReporter, run: Callable[..., Any]) -> None:
    def work() -> None:
        raise OSError("disk full while writing the journal")

    thread = threading.Thread(target=work, name="journal writer")
    thread.start()
    thread.join()
    boxes = run(until(reporter.open_boxes))
    assert "an error in journal writer" in boxes[0].text().lower()
    assert "disk full" in boxes[0].text()


def _contrast(fg: str, bg: str) -> float:
    def lum(hex_color: str) -> float:
        c = QColor(hex_color)
        parts = []
        for v in (c.redF(), c.greenF(), c.blueF()):
            parts.append(v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4)
        return 0.2126 * parts[0] + 0.7152 * parts[1] + 0.0722 * parts[2]

    hi, lo = sorted((lum(fg), lum(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("name", theme.THEMES)
def test_every_word_on_screen_has_good_contrast(name: str) -> None:
    p = theme.PALETTES[name]
    pairs = [
        (p.text, p.window), (p.text, p.surface), (p.text, p.surface_alt), (p.text, p.input), (p.text, p.button),
        (p.text_muted, p.window), (p.text_muted, p.surface), (p.selection_text, p.selection),
        (p.ok_text, p.ok_bg), (p.warn_text, p.warn_bg), (p.alarm_text, p.alarm_bg), (p.on_alarm, p.alarm),
        (p.offline_text, p.offline_bg), (p.info_text, p.info_bg), (p.ok_text, p.surface), (p.warn_text, p.surface),
        (p.alarm_text, p.surface),
    ]
    weak = [(fg, bg, round(_contrast(fg, bg), 2)) for fg, bg in pairs if _contrast(fg, bg) < 4.5]
    assert not weak


def test_themes_apply_and_switch(qapp: QApplication) -> None:
    palette = qapp.palette()
    try:
        theme.apply_theme(qapp, "light")
        assert "#eef1f4" in qapp.styleSheet()
        assert "${" not in qapp.styleSheet()
        assert theme.current().name == "light"
        theme.apply_theme(qapp, "dark")
        assert theme.current().window in qapp.styleSheet()
        assert qapp.palette().window().color() == QColor(theme.PALETTES["dark"].window)
        with pytest.raises(ValueError, match="unknown theme"):
            theme.apply_theme(qapp, "neon")
    finally:
        qapp.setStyleSheet("")
        qapp.setPalette(palette)


def test_summary_in_words() -> None:
    assert describe_summary(BoardSummary(doors=12, gates=2)) == ("✓ 12 doors, 2 gates: no problems", "ok")
    text, level = describe_summary(BoardSummary(doors=12, gates=2, offline=3, alarm=1, open_too_long=1, stale=4))
    assert text == "12 doors, 2 gates: ⚠ 1 in alarm · ✕ 3 offline · ⏱ 1 open too long · 4 stale"
    assert level == "alarm"
    assert describe_summary(BoardSummary(doors=1, gates=1, stale=1)) == ("1 door, 1 gate: 1 stale", "warn")


async def test_status_bar_follows_the_session(qtbot: QtBot, tmp_path: Any) -> None:
    bar = StatusBar()
    qtbot.addWidget(bar)
    profile = Profile("HQ", "http://127.0.0.1:9", poll_interval=10)
    session = Session(profile, profile.client("tok-123456"), "ann", Paths.under(tmp_path))
    bar.bind_session(session)
    assert bar.health_badge.text() == "◌ Connecting…"
    assert bar.last_poll.text() == "no poll yet"
    assert bar.operator_label.text() == "Operator: ann"
    session.report_ok()
    assert bar.health_badge.text() == "● Online"
    assert bar.health_badge.property("health") == "online"
    assert bar.last_poll.text() == f"last poll {session.last_ok:%H:%M:%S}"  # type: ignore[str-format]
    session.report_failure(OSError("connection reset"))
    assert bar.health_badge.text() == "◐ Degraded: retrying"
    assert "connection reset" in bar.health_badge.toolTip()
    session.report_failure(OSError("x"))
    session.report_failure(OSError("x"))
    assert bar.health_badge.text() == "✕ Offline: reconnecting"
    session.last_ok = datetime.now().astimezone() - timedelta(seconds=95)
    bar.refresh()
    assert bar.last_poll.text().endswith("(95 s ago: data stale)")
    assert bar.last_poll.property("stale") == "true"
    bar.set_summary(BoardSummary(doors=3, gates=0, alarm=1))
    assert bar.problems.text() == "3 doors, 0 gates: ⚠ 1 in alarm"
    assert bar.problems.property("level") == "alarm"
    bar.bind_session(None)
    session.report_ok()  # unbound: the bar no longer listens
    assert bar.health_badge.property("health") == Health.OFFLINE.value
    await session.aclose()


@pytest.mark.parametrize(("url", "verify", "mark"), [
    ("http://10.1.2.3:8098", True, "⚠ Unencrypted (plain HTTP)"),
    ("https://10.1.2.3:8098", False, "⚠ Certificate not verified"),
    ("https://10.1.2.3:8098", True, ""),
    ("http://127.0.0.1:8098", True, ""),  # the demo's simulator on this machine
])
async def test_an_unprotected_connection_is_marked_for_as_long_as_it_lasts(
    qtbot: QtBot, tmp_path: Any, url: str, verify: bool, mark: str
) -> None:
    bar = StatusBar()
    qtbot.addWidget(bar)
    bar.show()
    profile = Profile("Site", url, verify_tls=verify)
    session = Session(profile, profile.client("tok-123456"), "ann", Paths.under(tmp_path))
    bar.bind_session(session)
    for _ in range(2):  # health changes and refreshes do not take it away
        assert bar.security.text() == mark
        assert bar.security.isVisible() is bool(mark)
        session.report_ok()
        bar.showMessage("a transient message", 5000)
    if mark:
        assert "https" in bar.security.toolTip() or "Pin" in bar.security.toolTip()
    await session.aclose()


async def test_a_refused_token_says_what_to_do_in_the_status_bar(qtbot: QtBot, tmp_path: Any) -> None:
    from console.api import AuthError

    bar = StatusBar()
    qtbot.addWidget(bar)
    profile = Profile("HQ", "https://10.1.2.3:8098")
    session = Session(profile, profile.client("tok-123456"), "ann", Paths.under(tmp_path))
    bar.bind_session(session)
    session.report_failure(AuthError(200, detail="Authorize access failure (code -40)", code=-40), "doors")
    assert session.token_refused
    assert bar.health_badge.text() == "✕ Access token refused: polling stopped, enter a new token"
    assert "-40" in bar.health_badge.toolTip()
    await session.aclose()


def test_window_layout_round_trip(qtbot: QtBot) -> None:
    first = MainWindow()
    qtbot.addWidget(first)
    first.add_panel("doors", "Doors & gates", PlaceholderPanel("a"), closable=False)
    first.add_panel("events", "Events", PlaceholderPanel("b"))
    first.show()
    qtbot.waitExposed(first)
    first.resize(760, 520)
    first.dock("events").hide()  # type: ignore[union-attr]
    geometry, state = first.save_layout()

    second = MainWindow()
    qtbot.addWidget(second)
    second.add_panel("doors", "Doors & gates", PlaceholderPanel("a"), closable=False)
    second.add_panel("events", "Events", PlaceholderPanel("b"))
    assert second.restore_layout(geometry, state)
    second.show()
    qtbot.waitExposed(second)
    assert second.size() == first.size()
    assert second.dock("events").isHidden()  # type: ignore[union-attr]
    assert not second.dock("doors").isHidden()  # type: ignore[union-attr]
    assert not second.restore_layout("not base64!", "%%%")  # damaged: ignored, not fatal


def test_closing_the_window_is_a_request(qtbot: QtBot) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.close_requested, timeout=1000):
        window.close()
    assert window.isVisible()  # the app decides, after an orderly shutdown
    window.close_for_good()
    assert not window.isVisible()


def test_shortcuts_are_bound(qtbot: QtBot) -> None:
    window = MainWindow()
    qtbot.addWidget(window)
    keys = {a.shortcut().toString(): a.text().replace("&", "") for a in window.actions() if not a.shortcut().isEmpty()}
    assert keys["F5"] == "Refresh now"
    assert keys["Ctrl+F"] == "Filter…"
    assert keys["Ctrl+Q"] == "Quit"
    assert keys["Ctrl+D"] == "Dark theme"
    with qtbot.waitSignal(window.refresh_requested, timeout=1000):
        window.refresh_action.trigger()


def test_the_first_frame_shows_the_menus_titles_and_their_actions_come_once_it_is_on_screen(
        qtbot: QtBot, tmp_path: Any) -> None:
    from console.services.settings import Settings
    from console.ui import shell
    from console.ui.cli import Options

    qapp = QApplication.instance()
    assert isinstance(qapp, QApplication)
    window = shell.build_window(qapp, Options(), Settings.load(tmp_path / "settings.toml"), "ann")
    qtbot.addWidget(window)
    menus = [a.text() for a in window.menuBar().actions()]
    assert menus == ["&Console", "&View", "&Help"]  # in the first frame, as always
    assert not [a for a in window.actions() if not a.shortcut().isEmpty()]  # their actions come after the paint
    shell.after_paint(window)  # the command does this right after the first paint
    keys = {a.shortcut().toString(): a.text().replace("&", "") for a in window.actions() if not a.shortcut().isEmpty()}
    assert keys["Ctrl+Q"] == "Quit"
    assert keys["F2"] == "Go to Doors and gates"  # the doors dock, added before the menus were filled
    assert [a.text() for a in window.panels_menu.actions()] == ["Doors and gates"]
    assert window.theme_action.isChecked() == (theme.current().name == "dark")
    assert not window.windowIcon().isNull()
    assert [a.text() for a in window.menuBar().actions()] == menus  # filled, not added again


def test_message_box_helper_is_plain_text(qtbot: QtBot, run: Callable[..., Any]) -> None:
    async def show() -> QMessageBox.StandardButton:
        task = aio.spawn(aio.message(None, "t", "<b>x</b><img src=y>"))
        box = await until(lambda: next((w for w in QApplication.topLevelWidgets()
                                        if isinstance(w, QMessageBox) and w.isVisible()), None))
        assert box.text() == "<b>x</b><img src=y>"
        box.button(QMessageBox.StandardButton.Ok).click()
        return await task

    assert run(show()) == QMessageBox.StandardButton.Ok


def test_command_line() -> None:
    from console.ui.app import parse_args

    opts = parse_args(["--server", "https://cvsec.example:8098", "--poll-interval", "15", "--operator", "ann",
                       "--theme", "light", "--basedir", "/tmp/x"])
    assert (opts.server, opts.poll_interval, opts.operator, opts.theme, opts.basedir) == (
        "https://cvsec.example:8098", 15.0, "ann", "light", "/tmp/x")
    assert opts.interactive
    assert not parse_args(["--demo", "--self-test"]).interactive
    for bad in (["--demo", "--server", "http://x"], ["--poll-interval", "0"], ["--poll-interval", "often"],
                ["--theme", "neon"], ["--token", "abc"]):
        with pytest.raises(SystemExit) as exc:
            parse_args(bad)
        assert exc.value.code == 2


def test_export_events_is_delegated(capsys: pytest.CaptureFixture[str]) -> None:
    from console.__main__ import main

    with pytest.raises(SystemExit) as exc:
        main(["export-events", "--help"])
    assert exc.value.code == 0
    assert "export-events" in capsys.readouterr().out


def test_the_connection_badge_wears_the_colour_of_its_state_from_the_first_paint_on(
    qtbot: QtBot, qapp: QApplication
) -> None:
    """The badge's colour comes from the stylesheet by its ``health`` property: right at the first paint (its
    state set before anything polished it) and after every change (the stylesheet read again for it, once per
    turn of the loop)."""
    from tests.ui.fit import themed

    def background(bar: StatusBar) -> QColor:
        badge = bar.health_badge
        return badge.grab().toImage().pixelColor(3, badge.height() // 2)  # inside the border, in the padding

    with themed(qapp, "dark") as palette:
        bar = StatusBar()
        qtbot.addWidget(bar)
        bar.resize(900, 30)
        bar.show()
        qtbot.waitExposed(bar)
        assert background(bar) == QColor(palette.info_bg)  # connecting
        for health, colour in ((Health.ONLINE, palette.ok_bg), (Health.OFFLINE, palette.alarm),
                               (Health.DEGRADED, palette.warn_bg)):
            bar.set_health(health)  # the stylesheet is read again at the next turn of the loop
            wanted = QColor(colour)
            qtbot.waitUntil(lambda: background(bar) == wanted, timeout=2000)  # noqa: B023 - waited for here


def test_the_console_makes_its_application_with_the_fusion_style(qapp: QApplication) -> None:
    """``theme.new_application`` asks Qt for Fusion on the command line (nothing asks for the style from Python
    before the first paint); an application made elsewhere gets Fusion from ``apply_theme``."""
    probe = (
        "from console.ui import theme\n"
        "app = theme.new_application('console')\n"
        "print(app.style().name())\n"
    )
    assert printed_by(probe, QT_STYLE_OVERRIDE="Windows") == ["fusion"]  # without the -style: "windows"
    with_style = qapp.style().name()
    try:
        qapp.setStyle("Windows")
        qapp.setProperty("consoleStyle", None)
        theme.apply_theme(qapp, "dark")
        qapp.setStyleSheet("")  # the stylesheet's style wraps the base style: its name is empty
        assert qapp.style().name().lower() == "fusion"
    finally:
        qapp.setStyleSheet("")
        qapp.setStyle(with_style)
