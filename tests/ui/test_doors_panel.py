from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QPoint, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QToolButton

from console.services.audit import AuditLog
from console.services.doors import Item, Kind
from console.services.session import Health, Session
from console.services.session_services import SessionServices
from console.services.settings import Settings
from console.sim import SimConfig, SimulatorThread
from console.ui import aio
from console.ui.doors import DoorsPanel
from console.ui.doors.model import Grouping, HeaderInfo, Role
from console.ui.doors.style import describe
from tests.helpers import until
from tests.services.doors_helpers import TOKEN, session_for
from tests.ui.fit import LEFT_COLUMN, assert_fit, lay_out, rows, themed

SENSOR_WORDS = {"open": "Open", "off": "Closed", "no sensor": "No sensor", "unknown": "Sensor unknown"}


@dataclass
class Env:
    sim: SimulatorThread
    services: SessionServices
    panel: DoorsPanel

    @property
    def session(self) -> Session:
        return self.services.session

    @property
    def audit(self) -> AuditLog:
        return self.services.audit

    @property
    def settings(self) -> Settings:
        return self.services.settings


@pytest.fixture
def simthread():
    thread = SimulatorThread(SimConfig(token=TOKEN, seed=1, site="small", event_rate=0.0))
    url = thread.start()
    yield thread, url
    thread.stop()


def make_panel(qtbot, services: SessionServices) -> DoorsPanel:
    panel = DoorsPanel(services.doors, services.settings)  # closed and deleted by make_env, after it is stopped
    panel.resize(1280, 800)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


@pytest.fixture
def make_env(qtbot, run, simthread, tmp_path):
    """``make_env(interval=10.0)``: a panel on the simulator; torn down on the GUI thread at the end."""
    made: list[Env] = []

    def build(interval: float = 10.0) -> Env:
        thread, url = simthread
        session = session_for(url, tmp_path, interval=interval)
        services = SessionServices.build(session, Settings.load(session.paths.settings_file))
        made.append(Env(thread, services, make_panel(qtbot, services)))
        return made[-1]

    yield build
    for e in made:
        run(e.panel.stop())
        run(e.services.stop())
        e.panel.close()
        e.panel.deleteLater()
    # delete the widgets now, on this (the GUI) thread, rather than leaving them to a garbage collection that
    # may run on the simulator's thread (Qt objects must die on their own thread)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def env(make_env) -> Env:
    return make_env()


async def settled(panel: DoorsPanel) -> None:
    """Let the details pane's event query finish (no background I/O may outlive a ``run``)."""
    await until(lambda: panel._events_task is None or panel._events_task.done())


def tiles(panel: DoorsPanel) -> list[Item]:
    return panel.proxy.visible_items()


def door_states(env: Env) -> dict[str, tuple[str, dict[str, str]]]:
    return env.sim.call(lambda s: {d.id: (d.name, s.world.door_state(d)) for d in s.world.doors.values()})


def sim_posts(env: Env) -> list[str]:
    return env.sim.call(lambda s: [r.path for r in list(s.requests) if r.method == "POST"])


def test_the_board_shows_a_tile_per_door_and_gate_with_the_simulators_states(env, run, qtmodeltester) -> None:
    seen: list[Any] = []
    env.panel.summary_changed.connect(seen.append)
    run(env.panel.board.poll_once())
    qtmodeltester.check(env.panel.model)
    qtmodeltester.check(env.panel.proxy)
    doors = door_states(env)
    gates = env.sim.call(lambda s: {g.id: g.name for g in s.world.gates.values()})
    shown = tiles(env.panel)
    assert len(shown) == len(doors) + len(gates)
    for item in shown:
        index = env.panel.index_of(item.key)
        if item.kind is Kind.DOOR:
            name, state = doors[item.id]
            assert index.data(Qt.ItemDataRole.DisplayRole) == name
            assert describe(item)[0].endswith(SENSOR_WORDS[state["sensor"].lower()])
            assert describe(item)[0].startswith({"0": "Offline", "1": "Online", "2": "Disabled"}[state["connect"]])
        else:
            assert index.data(Qt.ItemDataRole.DisplayRole) == gates[item.id]
    headers = [env.panel.proxy.index(r, 0).data(Role.HEADER) for r in range(env.panel.proxy.rowCount())]
    area_titles = [h.title for h in headers if isinstance(h, HeaderInfo) and h.level == 0]
    assert len(area_titles) >= 2
    assert len(set(area_titles)) == len(area_titles)
    assert seen
    assert seen[-1].doors == len(doors)
    assert seen[-1].gates == len(gates)


def test_a_change_in_the_simulator_reaches_its_tile_within_one_poll(env, run) -> None:
    panel = env.panel
    run(panel.board.poll_once())
    doors = door_states(env)
    door_id = next(i for i, (_, st) in doors.items() if st["connect"] == "1" and st["sensor"] == "off")
    changed_rows: set[int] = set()
    panel.proxy.dataChanged.connect(lambda a, b, *_: changed_rows.update(range(a.row(), b.row() + 1)))
    env.sim.call(lambda s: s.world.force_door(door_id, sensor="open", alarm="tampering"))
    run(panel.board.poll_once())
    index = panel.index_of((Kind.DOOR, door_id))
    item = index.data(Role.ITEM)
    assert item.is_open
    assert item.alarm
    assert "Tampering" in describe(item)[1]
    assert index.row() in changed_rows
    changed_items = {panel.proxy.index(r, 0).data(Role.KEY) for r in changed_rows} - {None}
    assert changed_items == {(Kind.DOOR, door_id)}  # only that tile (and its group headers) repaint
    assert panel.summary.alarm >= 1


def test_remote_open_from_the_panel_opens_the_door_audits_and_shows_the_result(env, run) -> None:
    panel = env.panel
    run(panel.board.poll_once())
    doors = door_states(env)
    door_id = next(i for i, (_, st) in doors.items() if st["connect"] == "1" and st["relay"] == "off")
    panel.select((Kind.DOOR, door_id))
    run(settled(panel))
    result = run(panel.open_selected_door(7))
    assert result is not None
    assert result.ok
    remaining = env.sim.call(lambda s: s.world.doors[door_id].relay_until - s.world.now())
    assert 6.0 < remaining <= 7.0
    sending, row, looked = env.audit.rows()  # recorded before it left, its outcome, what was seen after
    assert (sending.action, sending.result) == ("door.open", "sending")
    assert (row.operator, row.profile, row.action, row.params["interval"], row.result) == (
        "ann", "Test site", "door.open", 7, "ok"
    )
    assert (looked.action, looked.result) == ("door.open.read_back", "relay open seen")  # what the guard reads
    assert panel.banner.isVisible()
    assert f"{doors[door_id][0]} opened for 7 s: relay open seen" in panel.banner.text
    assert panel.index_of((Kind.DOOR, door_id)).data(Role.NOTE) == ("opened 7 s", True)
    run(until(lambda: panel.board.item((Kind.DOOR, door_id)).relay.words == "relay open"))  # refreshed at once
    panel.settings.flush()  # (written by a worker thread: Settings.save_soon)
    assert Settings.load(env.session.paths.settings_file).door_open_seconds == 7  # remembered
    assert panel.seconds.value() == 7


def test_an_invalid_interval_is_refused_before_sending(env, run) -> None:
    panel = env.panel
    run(panel.board.poll_once())
    item = next(i for i in tiles(panel) if i.is_door and i.connect.code == "1")
    assert run(panel.open_door(item, 300)) is None
    assert run(panel.open_door(item, 0)) is None
    assert "not 0" in panel.banner.text
    assert panel.banner.ok is False
    assert sim_posts(env) == []
    assert env.audit.rows() == []


def test_server_down_marks_tiles_stale_keeps_the_loop_turning_and_recovers(make_env, run) -> None:
    env = make_env(interval=0.2)
    panel = env.panel
    ticks: list[int] = []
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticks.append(1))

    async def scenario() -> None:
        # one coroutine for the whole story: the board polls in the background all along
        timer.start()
        try:
            await env.services.start_doors()  # the board polls in the services, the panel only shows it
            await panel.start()
            await until(lambda: panel.board.polls >= 2 and env.session.health is Health.ONLINE)
            env.sim.call(lambda s: s.set_faults(down_seconds=600))
            before = len(ticks)
            await until(lambda: panel.summary.stale == len(panel.board) and env.session.health is Health.OFFLINE)
            assert len(ticks) - before >= 5  # the Qt loop kept turning while polls failed
            assert all(i.stale for i in tiles(panel))
            assert "NO ANSWER" in panel.count.text()
            env.sim.call(lambda s: s.set_faults(reset=True))
            await until(lambda: panel.summary.stale == 0 and env.session.health is Health.ONLINE, timeout=15)
            assert not any(i.stale for i in tiles(panel))
        finally:
            timer.stop()
            await panel.stop()
            await env.services.stop()

    run(scenario())


def test_a_door_named_with_markup_shows_literally(env, run) -> None:
    panel = env.panel
    evil = '<b>x</b><img src="file:///etc/passwd">'
    door_id = env.sim.call(lambda s: next(iter(s.world.doors)))
    env.sim.call(lambda s: setattr(s.world.doors[door_id], "name", evil))
    run(panel.board.poll_once())
    index = panel.index_of((Kind.DOOR, door_id))
    assert index.data(Qt.ItemDataRole.DisplayRole) == evil
    assert "&lt;b&gt;x&lt;/b&gt;" in index.data(Qt.ItemDataRole.ToolTipRole)
    panel.select((Kind.DOOR, door_id))
    run(settled(panel))
    assert panel.details.title.text() == evil
    assert panel.details.title.textFormat() == Qt.TextFormat.PlainText
    assert panel.banner.label.textFormat() == Qt.TextFormat.PlainText


def test_close_all_in_view_asks_first_then_closes_each_door_once(env, run) -> None:
    panel = env.panel
    run(panel.board.poll_once())
    area = next(i.area for i in tiles(panel) if i.area and i.is_door and i.connect.code == "1")
    panel.area_combo.setCurrentIndex(panel.area_combo.findData(area))
    in_view = [i for i in tiles(panel) if i.is_door]
    assert in_view
    assert all(i.area == area for i in in_view)

    def answer(button: QMessageBox.StandardButton) -> None:
        async def click() -> None:
            box = await until(lambda: next((w for w in QApplication.topLevelWidgets()
                                            if isinstance(w, QMessageBox) and w.isVisible()), None))
            assert f"Close all {len(in_view)} doors" in box.text()
            box.button(button).click()

        aio.spawn(click())

    answer(QMessageBox.StandardButton.Cancel)
    assert run(panel.close_all_in_view()) is None
    assert sim_posts(env) == []
    answer(QMessageBox.StandardButton.Yes)
    results = run(panel.close_all_in_view())
    assert results is not None
    assert [r.target.id for r in results] == [i.id for i in in_view]
    assert len([p for p in sim_posts(env) if p.endswith("remoteCloseById")]) == len(in_view)
    assert [r.result for r in env.audit.rows(action="door.close")].count("ok") == len(in_view)
    assert panel.banner.text.startswith(("✓ Closed", "✗ Closed"))


def test_grouping_and_filters_keep_headers_only_for_visible_tiles(env, run, qtmodeltester) -> None:
    panel = env.panel
    run(panel.board.poll_once())
    total = len(panel.board)
    for grouping in Grouping:
        panel.grouping.setCurrentIndex(panel.grouping.findData(grouping.value))
        qtmodeltester.check(panel.proxy)
        assert len(tiles(panel)) == total
        headers = panel.model.headers()
        assert (len(headers) == 0) == (grouping is Grouping.NONE)
        # the choice is kept for the next start (read as stored then: console.services.doors_options)
        if grouping is not Grouping.AREA_DEVICE:  # (the one it started with: no change, nothing written)
            panel.settings.flush()  # written by a worker thread (Settings.save_soon), as the console goes on
            stored = Settings.load(env.session.paths.settings_file)
            assert stored.panel_value("doors", "grouping") == grouping.value
    panel.problems.setChecked(True)
    shown = tiles(panel)
    assert shown
    assert all(i.problem for i in shown)
    assert len(shown) == sum(i.problem for i in panel.board.items)
    visible_headers = [panel.proxy.index(r, 0).data(Role.HEADER) for r in range(panel.proxy.rowCount())]
    for header in filter(None, visible_headers):
        assert any(k in {i.key for i in shown} for k in header.members)
    panel.problems.setChecked(False)
    name = next(i.name for i in panel.board.items if i.is_door)
    panel.search.setText(name.upper())
    assert name in [i.name for i in tiles(panel)]
    assert len(tiles(panel)) < total
    panel.search.clear()
    assert len(tiles(panel)) == total


def test_the_board_menu_offers_the_actions_of_the_selected_tile(env, run) -> None:
    panel = env.panel
    run(panel.board.poll_once())
    door = next(i for i in tiles(panel) if i.is_door)
    gate = next(i for i in tiles(panel) if not i.is_door)
    door_menu = panel._menu_for([door])
    assert [a.text() for a in door_menu.actions() if a.text()][:2] == [f"Open for {panel.seconds.value()} s",
                                                                        "Close door"]
    gate_menu = panel._menu_for([gate])
    assert [a.text() for a in gate_menu.actions() if a.text()][:2] == ["Open for entry", "Open for exit"]
    panel.select(gate.key)
    run(settled(panel))
    assert panel.act_entry.isEnabled()
    assert not panel.act_open.isEnabled()
    assert panel.view.visualRect(panel.index_of(gate.key)).contains(
        panel.view.visualRect(panel.index_of(gate.key)).center()
    )
    assert panel.view.indexAt(panel.view.visualRect(panel.index_of(gate.key)).center() + QPoint(0, 0)).data(
        Role.KEY
    ) == gate.key


# -- at real screen sizes --------------------------------------------------------------------------


def test_actions_and_filters_wrap_in_a_narrow_column_and_nothing_is_cut(env, run, qapp) -> None:
    run(env.panel.board.poll_once())
    panel = env.panel
    actions = panel.toolbar.findChildren(QToolButton)
    named = {b.text() for b in actions}
    assert {"Open door", "Close door", "Gate: open for entry", "Gate: open for exit", "Close all doors in view…",
            "More"} <= named
    assert [a.text() for a in panel.more_menu.actions()] == ["Refresh now", "Reload lists"]
    filters = [panel.search, panel.area_combo, panel.device_combo, panel.problems, panel.grouping, panel.count]
    with themed(qapp):
        assert panel.minimumSizeHint().width() <= LEFT_COLUMN
        lay_out(panel, 850, 760)  # the board's column on a 1280x800 screen
        assert_fit(panel, [panel.toolbar, panel.filter_bar, panel.tabs, panel.details_scroll])  # details scroll
        assert rows(assert_fit(panel.toolbar, actions)) == 2
        assert_fit(panel.filter_bar, filters)
        assert panel.seconds.isVisibleTo(panel)
        lay_out(panel, 1180, 860)  # 1600 px wide: one row of actions, one of filters
        assert rows(assert_fit(panel.toolbar, actions)) == 1
        assert rows(assert_fit(panel.filter_bar, filters)) == 1
        plans = panel.plans_widget
        panel.tabs.setCurrentWidget(plans)
        lay_out(panel, 850, 760)
        assert_fit(panel, [panel.tabs])
        assert_fit(plans, [plans.combo, plans.add_button, plans.rename_button, plans.remove_button,
                           plans.fit_button, plans.hint])
    run(settled(panel))
