"""A restarted console shows the last known board at once, marked stale, until the server answers.

The snapshot of the last good poll (``board_snapshot.json`` in the profile's data folder) seeds the board;
every tile says "Last seen ... at HH:MM" until a fresh poll replaces it. The console paints it before it
connects (``console.ui.board_preview``), then its doors panel keeps the same stale tiles until the first
fresh poll. Against the simulator over HTTP.
"""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import QApplication

from console.services import doors_options
from console.services.board_snapshot import SNAPSHOT_FILE
from console.services.paths import Paths
from console.services.session import Health
from console.services.session_services import SessionServices
from console.services.settings import Settings
from console.ui import app as app_module
from console.ui import board_preview
from console.ui.app import ConsoleApp, Options
from console.ui.board_preview import BoardPreview
from console.ui.doors import DoorsPanel
from console.ui.doors.style import describe, status_line
from console.ui.main_window import MainWindow
from tests.helpers import until
from tests.services.doors_helpers import TOKEN, session_for
from tests.ui.test_doors_panel import make_panel, simthread  # noqa: F401 - the fixture

LAST_SEEN = re.compile(r"^Last seen .+ at (\d\d:\d\d)$")


def _services(url: str, tmp_path) -> SessionServices:  # type: ignore[no-untyped-def]
    session = session_for(url, tmp_path, interval=10.0, profile="Head office")
    return SessionServices.build(session, Settings.load(session.paths.settings_file))


def test_a_restart_shows_the_last_board_stale_until_the_server_answers(qtbot, run, simthread, tmp_path) -> None:  # noqa: F811
    thread, url = simthread
    first = _services(url, tmp_path)
    try:
        assert run(first.board.poll_once())
        run(until(lambda: first.snapshot is not None and first.snapshot.writes >= 1, 10))
        seen_at = {item.key: item.updated_at for item in first.board.items}
        states = {item.key: describe(item) for item in first.board.items}
    finally:
        run(first.stop())
    thread.call(lambda sim: sim.set_faults(down_seconds=3600))  # the server answers 503 for now

    services = _services(url, tmp_path)
    panel = make_panel(qtbot, services)
    try:
        board = services.board
        assert len(board) == len(seen_at)  # painted from the snapshot before any poll
        for item in board.items:
            assert item.stale
            first_line = describe(item)[0]
            match = LAST_SEEN.match(first_line)
            assert match, first_line
            assert match.group(1) == f"{seen_at[item.key]:%H:%M}"
            assert status_line(item) == "STALE: NO FRESH DATA"
        assert len(panel.proxy.visible_items()) == len(seen_at)
        tile = next(iter(panel.proxy.visible_items()))
        row = panel.proxy.mapFromSource(panel.model.index_of(tile.key)).row()
        assert "Last seen" in str(panel.proxy.index(row, 0).data(Qt.ItemDataRole.AccessibleTextRole))

        assert not run(board.poll_once())  # the server is down: still the snapshot, still stale
        assert all(item.stale for item in board.items)
        assert "NO ANSWER" in panel.count.text()

        thread.call(lambda sim: sim.set_faults(reset=True))
        assert run(board.poll_once())  # fresh data: every stale mark goes
        assert not any(item.stale for item in board.items)
        assert not any(describe(item)[0].startswith("Last seen") for item in board.items)
        assert {item.key: describe(item) for item in board.items}.keys() == states.keys()
    finally:
        run(panel.stop())
        run(services.stop())
        panel.close()
        panel.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def test_a_damaged_snapshot_is_ignored_and_logged(qtbot, run, simthread, tmp_path, caplog) -> None:  # noqa: F811
    _, url = simthread
    session = session_for(url, tmp_path, profile="Head office")
    path = session.paths.profile_dir("Head office") / SNAPSHOT_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    for damage in (b"\x00\xff{not json", b'{"version": 1, "items": 7}', b"[1, 2, 3]",
                   b'{"version": 1, "items": [{"kind": "door"}, "x", {"kind": "moon", "id": "1"}]}'):
        path.write_bytes(damage)
        caplog.clear()
        services = SessionServices.build(session_for(url, tmp_path, profile="Head office"),
                                         Settings.load(session.paths.settings_file))
        try:
            assert len(services.board) == 0  # nothing shown from it, nothing raised
            assert any("snapshot" in r.getMessage() and r.levelname == "WARNING" for r in caplog.records)
            assert run(services.board.poll_once())  # and the console goes on as usual
            assert len(services.board) > 0
        finally:
            run(services.stop())
    run(session.client.aclose())


def _tiles(view: Any) -> list[str]:
    """The accessible text of every tile a board view shows (group headers left out)."""
    model = view.model()
    texts = (str(model.index(row, 0).data(Qt.ItemDataRole.AccessibleTextRole) or "") for row in range(model.rowCount()))
    return [text for text in texts if text.startswith(("Door: ", "Gate: "))]


def test_a_restarted_console_paints_the_last_board_stale_before_connecting_and_fresh_after_the_first_poll(
    qapp: QApplication, run, simthread, tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    thread, url = simthread
    monkeypatch.setenv("CVSEC_TOKEN", TOKEN)
    base = tmp_path / "base"
    snapshot = Paths.under(base).profile_dir(urlsplit(url).netloc) / SNAPSHOT_FILE

    def console() -> ConsoleApp:
        opts = Options(basedir=str(base), log_stderr=False, server=url, operator="ann", poll_interval=0.3)
        return ConsoleApp(qapp, opts, Paths.from_env_or_args(opts.basedir))

    async def first_run() -> int:
        app = console()
        task = asyncio.ensure_future(app.run())
        await until(lambda: app.session is not None and app.session.health is Health.ONLINE and snapshot.is_file(), 30)
        app.request_quit()
        return await task

    assert run(first_run(), timeout=60) == 0
    doors = thread.call(lambda sim: len(sim.world.doors))

    thread.call(lambda sim: sim.set_faults(latency_ms=1500))  # a slow server: the probe and the first poll wait
    app = console()
    before: dict[str, Any] = {}
    connect = app.connect

    async def watched_connect(*args: Any) -> None:  # what the operator sees before the console connects
        window = app.window
        assert window is not None
        preview = window.panel("doors")
        before["preview"] = isinstance(preview, BoardPreview)
        if isinstance(preview, BoardPreview):
            before["visible"] = preview.isVisible()
            before["items"] = len(preview.board)
            before["stale"] = all(item.stale for item in preview.board.items)
            before["tiles"] = _tiles(preview.view)
            before["banner"] = preview.banner.text
        await connect(*args)

    app.connect = watched_connect  # type: ignore[method-assign,assignment]

    async def second_run() -> dict[str, Any]:
        task = asyncio.ensure_future(app.run())
        await until(lambda: isinstance(app.panel, DoorsPanel), 30)
        panel = app.panel
        assert isinstance(panel, DoorsPanel)
        seen: dict[str, Any] = {"stale_after_connect": all(item.stale for item in panel.board.items),
                                "tiles_after_connect": _tiles(panel.view), "items": len(panel.board)}
        thread.call(lambda sim: sim.set_faults(reset=True))
        await until(lambda: panel.board.last_ok is not None and not any(i.stale for i in panel.board.items), 30)
        seen["tiles_fresh"] = _tiles(panel.view)
        app.request_quit()
        seen["code"] = await task
        return seen

    seen = run(second_run(), timeout=90)
    assert seen["code"] == 0
    assert before["preview"]  # the last board, on screen before connecting
    assert before["visible"]
    assert before["items"] >= doors
    assert before["stale"]
    assert len(before["tiles"]) == before["items"]
    assert all("Last seen" in text and "STALE" in text for text in before["tiles"])
    assert "stale until the server answers" in before["banner"]
    # connected, before the first poll answered: the doors panel shows the same tiles, still stale
    assert seen["items"] == before["items"]
    assert seen["stale_after_connect"]
    assert all("Last seen" in text for text in seen["tiles_after_connect"])
    # fresh data: no stale mark left
    assert len(seen["tiles_fresh"]) == before["items"]
    assert not any("Last seen" in text or "STALE" in text for text in seen["tiles_fresh"])


def test_the_board_shown_before_connecting_is_the_one_of_the_profile_about_to_connect(
    qapp: QApplication, tmp_path: Path, home: Path
) -> None:
    from console.services.session import Profile

    def expected(**options: Any) -> str | None:
        opts = Options(basedir=str(tmp_path / "base"), log_stderr=False, **options)
        app = ConsoleApp(qapp, opts, Paths.from_env_or_args(opts.basedir))
        return app._expected_profile()

    assert board_preview.SNAPSHOT_NAME == SNAPSHOT_FILE  # the file the services write is the one looked for
    assert expected(demo=True) == "Demo (simulator)"
    assert expected(server="http://127.0.0.1:8098/") == "127.0.0.1:8098"  # no saved profile: its address
    assert expected() is None  # nothing configured: the first-start dialog decides
    settings = Settings.load(Paths.under(tmp_path / "base").ensure().settings_file)
    settings.upsert_profile(Profile("Head office", "https://hq.example:8098"))
    settings.upsert_profile(Profile("Warehouse", "https://wh.example:8098"))
    settings.last_profile = "Warehouse"
    settings.save()
    assert expected(server="https://hq.example:8098/") == "Head office"  # a saved profile of that address
    assert expected(profile="Head office") == "Head office"
    assert expected(profile="Nowhere") is None  # refused at connection time: nothing shown before
    assert expected() == "Warehouse"  # the last connection, as the start connects to it


@pytest.mark.parametrize(("stored", "shown"), [("device", "device"), ("none", "none"), (["x"], "area_device"),
                                               ("no such grouping", "area_device"), (None, "area_device")])
def test_the_last_board_is_grouped_as_the_operator_left_it(qtbot, tmp_path: Path, stored: Any, shown: str) -> None:
    """The preview reads the doors panel's grouping as stored (the typed options come with the connection): the
    board looks as it did, and a damaged value falls back to the default rather than failing the start."""
    from console.api.models import ConnectState, SensorState
    from console.services.doors import DoorBoard, Item, Kind
    from console.services.options import DoorsOptions
    from console.services.polling import PollPolicy

    settings = Settings.load(tmp_path / "settings.toml")
    if stored is not None:
        settings.section(DoorsOptions.SECTION)["grouping"] = stored
    assert doors_options.SECTION == DoorsOptions.SECTION
    board = DoorBoard(board_preview._NotConnected(PollPolicy()))
    assert board.seed([Item(Kind.DOOR, "1", "Front door", connect=ConnectState.ONLINE, sensor=SensorState.CLOSED,
                            has_state=True)])
    preview = BoardPreview(board, settings, "Head office")
    qtbot.addWidget(preview)
    assert preview.model.grouping.value == shown


def test_a_first_start_paints_the_first_polls_tiles_before_the_doors_panel_and_a_slow_server_gets_the_panel_at_once(
    qapp: QApplication, run, simthread, tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    thread, url = simthread
    monkeypatch.setenv("CVSEC_TOKEN", TOKEN)
    monkeypatch.setattr(app_module, "FIRST_TILES_WAIT", 0.5)
    shown: list[tuple[str, bool | None, list[str]]] = []  # what the doors dock held, in turn
    add_panel = MainWindow.add_panel

    def watched(window: MainWindow, key: str, title: str, widget: Any, **kwargs: Any) -> Any:
        if key == "doors":
            view = getattr(widget, "view", None)
            shown.append((type(widget).__name__, getattr(widget, "live", None), _tiles(view) if view else []))
        return add_panel(window, key, title, widget, **kwargs)

    monkeypatch.setattr(MainWindow, "add_panel", watched)

    def first_start(base: Path) -> list[tuple[str, bool | None, list[str]]]:
        shown.clear()
        opts = Options(basedir=str(base), log_stderr=False, server=url, operator="ann", poll_interval=10.0)
        app = ConsoleApp(qapp, opts, Paths.from_env_or_args(opts.basedir))

        async def scenario() -> int:
            task = asyncio.ensure_future(app.run())
            await until(lambda: isinstance(app.panel, DoorsPanel) and app.panel.board.last_ok is not None, 30)
            app.request_quit()
            return await task

        assert run(scenario(), timeout=60) == 0
        return list(shown)

    doors = thread.call(lambda sim: len(sim.world.doors) + len(sim.world.gates))
    fast = first_start(tmp_path / "fast")
    assert [(name, live) for name, live, _ in fast] == [
        ("PlaceholderPanel", None), ("BoardPreview", True), ("DoorsPanel", None)]
    tiles = fast[1][2]  # the first poll's tiles, fresh, before the doors panel was built
    assert len(tiles) == doors
    assert not any("Last seen" in text or "STALE" in text for text in tiles)

    thread.call(lambda sim: sim.set_faults(latency_ms=1500))  # slower than FIRST_TILES_WAIT: no waiting for it
    slow = first_start(tmp_path / "slow")
    thread.call(lambda sim: sim.set_faults(reset=True))
    assert [name for name, _, _ in slow] == ["PlaceholderPanel", "DoorsPanel"]


def test_a_quit_while_the_first_poll_is_awaited_leaves_no_poller_or_connection_behind(
    qapp: QApplication, run, simthread, tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    thread, url = simthread
    monkeypatch.setenv("CVSEC_TOKEN", TOKEN)
    monkeypatch.setattr(app_module, "FIRST_TILES_WAIT", 30.0)
    built: list[SessionServices] = []
    connect = SessionServices.connect

    def watched(*args: Any, **kwargs: Any) -> SessionServices:
        built.append(connect(*args, **kwargs))
        return built[-1]

    monkeypatch.setattr(SessionServices, "connect", watched)
    waiting = asyncio.Event()
    first_tiles = ConsoleApp._show_first_tiles

    async def watched_wait(self: ConsoleApp, *args: Any) -> None:
        waiting.set()
        await first_tiles(self, *args)

    monkeypatch.setattr(ConsoleApp, "_show_first_tiles", watched_wait)
    opts = Options(basedir=str(tmp_path / "base"), log_stderr=False, server=url, operator="ann", poll_interval=10.0)
    app = ConsoleApp(qapp, opts, Paths.from_env_or_args(opts.basedir))

    async def scenario() -> int:
        task = asyncio.ensure_future(app.run())
        await asyncio.wait_for(waiting.wait(), 30)  # connected; its first poll (2 s late) awaited before the panel
        assert app.workspace is None
        app.request_quit()
        return await task

    thread.call(lambda sim: sim.set_faults(latency_ms=2000))  # a slow server: the probe, then the first poll
    try:
        assert run(scenario(), timeout=60) == 0
    finally:
        thread.call(lambda sim: sim.set_faults(reset=True))
    assert len(built) == 1
    assert built[0].session.client.closed  # its connections closed, its board's poller stopped
    assert app.session is None


def test_a_restart_paints_the_picture_of_the_board_as_it_was_at_the_end_in_its_first_frame(
    qapp: QApplication, run, simthread, tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch  # noqa: F811
) -> None:
    """The console that stops keeps the board as it was at the end (its snapshot, though the last one was written
    less than a minute before) and a picture of it; the next start's first frame shows that picture, dimmed under
    the "not live" banner, and only while nothing newer is on disk."""
    from console.api.models import SensorState
    from console.services.doors import Kind
    from console.ui import shell
    from console.ui.board_picture import PICTURE_FILE, BoardPicture
    from console.ui.main_window import PlaceholderPanel

    thread, url = simthread
    monkeypatch.setenv("CVSEC_TOKEN", TOKEN)
    base = tmp_path / "base"
    profile_dir = Paths.under(base).profile_dir(urlsplit(url).netloc)
    snapshot, picture = profile_dir / SNAPSHOT_FILE, profile_dir / PICTURE_FILE
    opts = Options(basedir=str(base), log_stderr=False, server=url, operator="ann", poll_interval=0.3)
    app = ConsoleApp(qapp, opts, Paths.from_env_or_args(opts.basedir))
    door = thread.call(lambda sim: next(d for d in sim.world.doors.values() if d.has_sensor).id)

    def sensor(board: Any) -> SensorState | None:
        return next((i.sensor for i in board.items if i.kind is Kind.DOOR and i.id == door), None)

    async def first_run() -> int:
        task = asyncio.ensure_future(app.run())
        await until(lambda: isinstance(app.panel, DoorsPanel) and app.panel.board.last_ok is not None
                    and app.session is not None and snapshot.is_file(), 30)
        assert isinstance(app.panel, DoorsPanel)
        board = app.panel.board
        await until(lambda: sensor(board) is SensorState.CLOSED, 10)
        thread.call(lambda sim: sim.world.open_door(sim.world.doors[door], 3600))  # after the snapshot's write
        await until(lambda: sensor(board) is SensorState.OPEN, 10)
        app.request_quit()
        return await task

    assert run(first_run(), timeout=60) == 0
    rows = json.loads(snapshot.read_text())["items"]
    assert next(r["sensor"] for r in rows if r["kind"] == "door" and r["id"] == door) == "OPEN"  # the end's board
    assert picture.stat().st_mtime_ns >= snapshot.stat().st_mtime_ns

    settings = Settings.load(Paths.under(base).settings_file)
    window = shell.build_window(qapp, opts, settings, "ann", Paths.under(base))
    try:
        shown = window.panel("doors")
        assert isinstance(shown, BoardPicture)  # in the window's first frame, before any import of the board
        assert "not live" in shown.words
        assert not shown.pixmap().isNull()
    finally:
        window.close_for_good()
        window.deleteLater()
    snapshot.write_text(snapshot.read_text())  # a later snapshot than the picture (a crash after it)
    window = shell.build_window(qapp, opts, settings, "ann", Paths.under(base))
    try:
        assert isinstance(window.panel("doors"), PlaceholderPanel)  # "Connecting…"; the stale preview follows
    finally:
        window.close_for_good()
        window.deleteLater()
