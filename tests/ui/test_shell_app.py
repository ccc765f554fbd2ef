"""The console as a whole, against the simulator: demo start, unattended start, outage, shutdown, secrets."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import shiboken6
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QInputDialog
from pytestqt.qtbot import QtBot

from console.services.paths import Paths
from console.services.secrets import SERVICE, TokenStore
from console.services.session import Health
from console.services.settings import Settings
from console.sim import SimConfig, SimulatorThread
from console.ui import aio
from console.ui.app import DEMO_PROFILE, ConsoleApp, Options
from console.ui.connection import ProfileDialog
from console.ui.doors import DoorsPanel
from tests.helpers import until

TOKEN = "shell-app-token-91c4d2a7"


@pytest.fixture
def sim() -> Iterator[SimulatorThread]:
    thread = SimulatorThread(SimConfig(token=TOKEN, seed=5, site="small", event_rate=0.0))
    thread.start()
    yield thread
    thread.stop()


def _app(qapp: QApplication, base: Path, **options: Any) -> ConsoleApp:
    opts = Options(basedir=str(base), log_stderr=False, **options)
    return ConsoleApp(qapp, opts, Paths.from_env_or_args(opts.basedir))


def _online(app: ConsoleApp) -> bool:
    return app.session is not None and app.session.health is Health.ONLINE and app.summaries > 0


def _files_text(base: Path) -> str:
    return "\n".join(p.read_bytes().decode("utf-8", "replace") for p in base.rglob("*") if p.is_file())


def test_demo_starts_shows_the_board_and_closes_cleanly(
    qapp: QApplication, run: Callable[..., Any], tmp_path: Path, home: Path
) -> None:
    base = tmp_path / "base"
    app = _app(qapp, base, demo=True, poll_interval=0.5)

    async def scenario() -> tuple[int, dict[str, Any]]:
        task = asyncio.ensure_future(app.run())
        # online, and the doors panel in its dock (shown at the loop's next turn after it replaced the first tiles)
        await until(lambda: _online(app) and app.window is not None and app.window.panel("doors").isVisible(), 30)
        window = app.window
        assert window is not None
        assert window.isVisible()
        panel = window.panel("doors")
        assert isinstance(panel, DoorsPanel)
        assert panel.isVisible()
        assert window.windowTitle() == f"CVSecurity console: {DEMO_PROFILE}"
        assert not window.windowIcon().isNull()  # the console's own icon in the title and task bars
        sim = app.sim
        doors = sim.call(lambda s: len(s.world.doors))
        await until(lambda: app.last_summary is not None and app.last_summary.doors == doors)
        status = window.status
        assert status.health_badge.text() == "● Online"
        assert status.last_poll.text().startswith("last poll ")
        assert status.problems.text().startswith(f"{doors} doors, ")
        seen = {"sim": sim, "client": app.session.client, "token": await app.tokens.get(DEMO_PROFILE)}  # type: ignore[union-attr]
        window.close()  # the operator closes the window: an orderly shutdown follows
        return await task, seen

    code, seen = run(scenario(), timeout=60)
    assert code == 0
    assert not seen["sim"].running
    assert seen["client"].closed
    assert not aio.running_tasks()
    assert app.window is None
    assert app.session is None
    assert app.reported_errors == []
    # --basedir holds everything, the user's own folders nothing
    assert (base / "config" / "settings.toml").is_file()
    assert "connected to" in (base / "logs" / "console.log").read_text(encoding="utf-8")
    assert (base / "data" / "audit.sqlite3").is_file()
    assert not home.exists() or not [p for p in home.rglob("*") if p.is_file()]
    # the token was never written anywhere
    assert seen["token"]
    assert seen["token"] not in _files_text(base)


def test_an_error_with_the_token_in_it_is_shown_masked_and_the_console_goes_on(
    qapp: QApplication, run: Callable[..., Any], tmp_path: Path, home: Path
) -> None:
    base = tmp_path / "base"
    app = _app(qapp, base, demo=True, poll_interval=0.3)

    async def scenario() -> int:
        task = asyncio.ensure_future(app.run())
        await until(lambda: _online(app), 30)
        token = await app.tokens.get(DEMO_PROFILE)
        assert token

        def slot_fails() -> None:
            raise RuntimeError(f"request to /api/door?access_token={token} went wrong; raw {token}")

        QTimer.singleShot(0, slot_fails)
        assert app.reporter is not None
        boxes = await until(app.reporter.open_boxes)
        shown = boxes[0].text() + boxes[0].informativeText() + boxes[0].detailedText()
        assert "RuntimeError: request to /api/door?access_token=*** went wrong; raw ***" in shown
        assert token not in shown
        # the window survives and keeps polling
        polled = app.session.last_ok  # type: ignore[union-attr]
        await until(lambda: app.session.last_ok != polled, 10)  # type: ignore[union-attr]
        assert app.window is not None
        assert app.window.isVisible()
        app.request_quit()
        code = await task
        assert token not in _files_text(base)
        assert "went wrong" in (base / "logs" / "console.log").read_text(encoding="utf-8")  # logged, masked
        return code

    assert run(scenario(), timeout=60) == 0


def test_window_geometry_and_docks_are_restored(
    qapp: QApplication, run: Callable[..., Any], tmp_path: Path, home: Path
) -> None:
    base = tmp_path / "base"

    async def first() -> None:
        app = _app(qapp, base, demo=True)
        task = asyncio.ensure_future(app.run())
        await until(lambda: app.ready, 30)
        assert app.window is not None
        app.window.resize(733, 511)
        app.window.move(20, 30)
        app.toggle_theme()
        app.request_quit()
        assert await task == 0

    async def second() -> tuple[int, int, str]:
        app = _app(qapp, base, demo=True)
        task = asyncio.ensure_future(app.run())
        await until(lambda: app.ready, 30)
        assert app.window is not None
        size = app.window.size()
        theme_name = str(qapp.property("consoleTheme"))
        app.request_quit()
        await task
        return size.width(), size.height(), theme_name

    run(first(), timeout=60)
    assert Settings.load(base / "config" / "settings.toml").window_state()[0]
    assert run(second(), timeout=60) == (733, 511, "light")


def test_unattended_start_takes_the_token_from_the_environment(
    qapp: QApplication, run: Callable[..., Any], tmp_path: Path, home: Path, sim: SimulatorThread,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CVSEC_TOKEN", TOKEN)
    app = _app(qapp, tmp_path / "a", server=sim.base_url, self_test=True, poll_interval=1.0)
    assert run(app.run(), timeout=60) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"self-test ok: {sim.base_url} answered; ")
    assert "doors panel rendered" in out
    assert "people panel rendered" in out
    assert app.reported_errors == []

    monkeypatch.setenv("CVSEC_TOKEN", "wrong-token-123")
    app = _app(qapp, tmp_path / "b", server=sim.base_url, self_test=True)
    assert run(app.run(), timeout=60) == 1
    err = capsys.readouterr().err
    assert "Wrong access token" in err
    assert "wrong-token-123" not in err

    monkeypatch.delenv("CVSEC_TOKEN")
    app = _app(qapp, tmp_path / "c", server=sim.base_url, self_test=True)
    assert run(app.run(), timeout=60) == 1
    assert "no access token" in capsys.readouterr().err


def test_a_token_in_the_environment_wins_over_the_keyrings_and_the_keyring_is_not_asked(
    qapp: QApplication, run: Callable[..., Any], tmp_path: Path, home: Path, sim: SimulatorThread,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """CVSEC_TOKEN is this run's explicit choice: an older token kept in the keyring for the same server does not
    replace it. Without the variable, the keyring's token is the one sent."""
    from tests.services.test_secrets import MemoryKeyring

    keyring = MemoryKeyring()
    profile = urlsplit(sim.base_url).netloc  # the name --server gives an unsaved connection
    keyring.store[(SERVICE, profile)] = "old-keyring-token-1234"
    monkeypatch.setenv("CVSEC_TOKEN", TOKEN)
    opts = Options(basedir=str(tmp_path / "a"), log_stderr=False, server=sim.base_url, self_test=True)
    app = ConsoleApp(qapp, opts, Paths.from_env_or_args(opts.basedir), tokens=TokenStore(keyring))
    assert run(app.run(), timeout=60) == 0
    assert capsys.readouterr().out.startswith("self-test ok")
    assert keyring.threads == set()  # never asked

    monkeypatch.delenv("CVSEC_TOKEN")
    opts = Options(basedir=str(tmp_path / "b"), log_stderr=False, server=sim.base_url, self_test=True)
    app = ConsoleApp(qapp, opts, Paths.from_env_or_args(opts.basedir), tokens=TokenStore(keyring))
    assert run(app.run(), timeout=60) == 1  # the keyring's (old) token was sent and refused
    assert "Wrong access token" in capsys.readouterr().err
    assert keyring.threads


def test_the_first_poll_asks_for_the_states_before_the_doors_panel_is_built(
    qapp: QApplication, run: Callable[..., Any], tmp_path: Path, home: Path, sim: SimulatorThread,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    """A big site's server takes 100 ms and more to answer the door states: the console asks first and builds the
    doors panel meanwhile (issue 15), and the panel still shows every door of that first answer."""
    from console.api.typed import TypedCalls
    from console.ui.workspace import Workspace

    order: list[str] = []
    states, build = TypedCalls.door_state_records, Workspace.build_doors

    async def asked(self: TypedCalls) -> Any:
        order.append("states asked")
        return await states(self)  # type: ignore[arg-type]

    def built(self: Workspace) -> DoorsPanel:
        order.append("panel built")
        return build(self)

    monkeypatch.setattr(TypedCalls, "door_state_records", asked)
    monkeypatch.setattr(Workspace, "build_doors", built)
    monkeypatch.setenv("CVSEC_TOKEN", TOKEN)
    app = _app(qapp, tmp_path / "base", server=sim.base_url, self_test=True, poll_interval=30.0)
    assert run(app.run(), timeout=60) == 0
    assert order[:2] == ["states asked", "panel built"]
    assert app.last_summary is not None
    assert app.last_summary.doors == sim.call(lambda s: len(s.world.doors))


def test_server_outage_shows_offline_stays_responsive_and_recovers(
    qapp: QApplication, run: Callable[..., Any], tmp_path: Path, home: Path, sim: SimulatorThread,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CVSEC_TOKEN", TOKEN)
    app = _app(qapp, tmp_path / "base", server=sim.base_url, operator="ann", poll_interval=0.3)

    async def scenario() -> int:
        task = asyncio.ensure_future(app.run())
        await until(lambda: _online(app), 30)
        assert app.window is not None
        status = app.window.status
        sim.call(lambda s: s.set_faults(down_seconds=600))
        ticks: list[float] = []
        timer = QTimer()
        timer.timeout.connect(lambda: ticks.append(time.monotonic()))
        timer.start(20)
        await until(lambda: status.health_badge.text() == "✕ Offline: reconnecting", 30)
        await until(lambda: "data stale" in status.last_poll.text(), 10)
        timer.stop()
        gaps = [b - a for a, b in itertools.pairwise(ticks)]
        assert len(ticks) > 20
        assert max(gaps) < 1.0  # a blocking call would freeze it for seconds (connect timeout 5 s)
        assert "HTTP 503" in status.health_badge.toolTip()
        sim.call(lambda s: s.set_faults(reset=True))
        await until(lambda: status.health_badge.text() == "● Online", 30)
        assert "data stale" not in status.last_poll.text()
        app.request_quit()
        return await task

    assert run(scenario(), timeout=90) == 0


def _visible(cls: type) -> Any:
    return next((w for w in QApplication.topLevelWidgets() if isinstance(w, cls) and w.isVisible()), None)


def test_first_start_offers_the_demo_and_connects_to_it(
    qapp: QApplication, run: Callable[..., Any], tmp_path: Path, home: Path
) -> None:
    app = _app(qapp, tmp_path / "base", poll_interval=0.5)

    async def scenario() -> int:
        task = asyncio.ensure_future(app.run())
        dialog = await until(lambda: _visible(ProfileDialog), 30)
        assert dialog.windowTitle() == "Welcome: connect to CVSecurity"
        dialog.demo_button.click()
        await until(lambda: _online(app), 30)
        app.request_quit()
        return await task

    assert run(scenario(), timeout=60) == 0


def test_shift_start_asks_for_the_operator(
    qapp: QApplication, run: Callable[..., Any], tmp_path: Path, home: Path, sim: SimulatorThread,
    monkeypatch: pytest.MonkeyPatch, qtbot: QtBot
) -> None:
    monkeypatch.setenv("CVSEC_TOKEN", TOKEN)
    base = tmp_path / "base"
    app = _app(qapp, base, server=sim.base_url)

    async def scenario() -> int:
        task = asyncio.ensure_future(app.run())
        prompt = await until(lambda: _visible(QInputDialog), 30)
        assert prompt.textValue()  # the OS user (or the last operator) is offered
        prompt.setTextValue("  Night   Guard ")
        prompt.accept()
        await until(lambda: app.operator == "Night Guard")
        assert app.window is not None
        assert app.window.status.operator_label.text() == "Operator: Night Guard"
        assert app.session is not None
        assert app.session.operator == "Night Guard"
        assert app.workspace is not None
        services = app.workspace.services
        assert services.audit.operator == "Night Guard"  # every service that writes it down knows
        assert services.events is not None
        assert services.events.alarms.operator == "Night Guard"
        assert services.visitors is not None
        assert services.visitors.operator == "Night Guard"
        app.request_quit()
        return await task

    assert run(scenario(), timeout=60) == 0
    assert Settings.load(base / "config" / "settings.toml").operator == "Night Guard"


def test_quit_while_the_first_start_dialog_is_open(
    qapp: QApplication, run: Callable[..., Any], tmp_path: Path, home: Path
) -> None:
    app = _app(qapp, tmp_path / "base")

    async def scenario() -> int:
        task = asyncio.ensure_future(app.run())
        dialog = await until(lambda: _visible(ProfileDialog), 30)
        app.request_quit()  # SIGTERM, Ctrl+Q: the dialog must not hold the shutdown hostage
        code = await task
        assert not shiboken6.isValid(dialog)  # closed and deleted with the window
        return code

    assert run(scenario(), timeout=30) == 0
    assert not aio.running_tasks()


def test_switching_connections_closes_the_old_session(
    qapp: QApplication, run: Callable[..., Any], tmp_path: Path, home: Path, sim: SimulatorThread,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    from console.services.session import Profile
    from console.ui.main_window import MainWindow

    app = _app(qapp, tmp_path / "base", demo=True, poll_interval=0.5)
    docked: list[str] = []  # what the doors dock was given, in turn
    add_panel = MainWindow.add_panel

    def watched(window: MainWindow, key: str, title: str, widget: Any, **kwargs: Any) -> Any:
        if key == "doors":
            docked.append(type(widget).__name__)
        return add_panel(window, key, title, widget, **kwargs)

    monkeypatch.setattr(MainWindow, "add_panel", watched)

    async def scenario() -> int:
        task = asyncio.ensure_future(app.run())
        await until(lambda: _online(app), 30)
        old_session, old_panel = app.session, app.panel
        assert old_session is not None
        docked.clear()
        await app.connect(Profile("Second site", sim.base_url, poll_interval=0.5), TOKEN)
        assert docked == ["DoorsPanel"]  # the new board at once: never the old site's tiles under the new name
        assert old_session.client.closed
        assert app.panel is not old_panel
        await until(lambda: app.session is not None and app.session.health is Health.ONLINE, 30)
        assert app.window is not None
        assert app.window.panel("doors") is app.panel
        assert app.window.status.profile_label.text() == f"Second site ({sim.base_url})"
        app.request_quit()
        return await task

    assert run(scenario(), timeout=60) == 0


def test_all_panels_work_together_an_alarm_reaches_queue_status_bar_and_its_door(
    qapp: QApplication, run: Callable[..., Any], tmp_path: Path, home: Path, sim: SimulatorThread,
    monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CVSEC_TOKEN", TOKEN)
    app = _app(qapp, tmp_path / "a", server=sim.base_url, operator="Night guard", poll_interval=0.5)
    door_id, door_name = sim.call(lambda s: next((d.id, d.name) for d in s.world.doors.values()
                                                  if s.world.door_connect(d) == 1 and d.has_sensor))

    async def scenario() -> tuple[str, str | None, str | None]:
        task = asyncio.ensure_future(app.run())
        await until(lambda: app.ready, 30)
        ws = app.workspace
        assert ws is not None
        assert ws.events is not None
        assert ws.alarms is not None
        assert ws.visitors is not None
        assert app.window is not None
        assert {d.objectName() for d in app.window.docks()} >= {
            "dock-doors", "dock-events", "dock-alarms", "dock-visitors"}
        await until(lambda: _online(app) and ws.doors.board.items, 30)
        sim.call(lambda s: s.emit("forced_open", door_id=door_id))
        await until(lambda: ws.queue_size() == 1, 20)
        status = app.window.status.alarms.text()
        alarm_title = app.window.dock("alarms").windowTitle()
        ws.show_door(door_name)
        selected = ws.doors.selected_items()
        app.request_quit()
        assert await task == 0
        return status + " | " + alarm_title, selected[0].id if selected else None, door_id

    status, selected, expected = run(scenario(), timeout=90)
    assert status == "1 alarm to acknowledge | Alarms (1)"
    assert selected == expected


def test_training_outage_takes_the_console_offline_and_it_recovers_by_itself(
    qapp: QApplication, run: Callable[..., Any], tmp_path: Path, home: Path
) -> None:
    from console.ui.training import TrainingMenu

    app = _app(qapp, tmp_path / "t", demo=True, poll_interval=0.3)

    async def scenario() -> list[Health]:
        task = asyncio.ensure_future(app.run())
        await until(lambda: app.ready and _online(app), 30)
        menu = app.training
        assert isinstance(menu, TrainingMenu)
        titles = [a.text() for a in menu.actions()]
        seen: list[Health] = []
        assert app.session is not None
        app.session.health_changed.connect(seen.append)
        menu.actions()[titles.index("Server outage (60 s)")].trigger()
        assert "refuses every request" in app.window.status.currentMessage()
        await until(lambda: app.session is not None and app.session.health is not Health.ONLINE, 20)
        services = app.workspace.services if app.workspace is not None else None
        assert services is not None
        good_after_reset: set[str] = set()
        reset_at: list[float] = []
        for poller in services._pollers():  # each poller's steps run one after another: a step begun after the
            # reset that did not fail means none of its steps begun during the outage can still report a failure
            def watched(poller: Any = poller, once: Any = poller.once) -> Any:
                async def step() -> bool | None:
                    began = time.monotonic()
                    result = await once()
                    if result is not False and reset_at and began >= reset_at[0]:
                        good_after_reset.add(poller.name)
                    return result  # type: ignore[no-any-return]
                return step
            poller.once = watched()
        reset_at.append(time.monotonic())
        app.sim.call(lambda s: s.set_faults(reset=True))  # the trainer ends the outage early

        def recovered() -> bool:  # online, and every poller has had a good step begun after the outage's end
            return (app.session is not None and app.session.health is Health.ONLINE
                    and good_after_reset >= {p.name for p in services._pollers()})

        await until(recovered, 30)
        app.request_quit()
        assert await task == 0
        return seen

    seen = run(scenario(), timeout=90)
    assert seen[0] in (Health.DEGRADED, Health.OFFLINE)
    assert seen[-1] is Health.ONLINE
