"""A restarted console shows the last known board at once, marked stale, until the server answers.

The snapshot of the last good poll (``board_snapshot.json`` in the profile's data folder) seeds the board;
every tile says "Last seen ... at HH:MM" until a fresh poll replaces it. Against the simulator over HTTP.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QCoreApplication, QEvent, Qt

from console.services.board_snapshot import SNAPSHOT_FILE
from console.services.session_services import SessionServices
from console.services.settings import Settings
from console.ui.doors.style import describe, status_line
from tests.helpers import until
from tests.services.doors_helpers import session_for
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
