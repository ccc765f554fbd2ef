"""Demo mode with its simulator in its own process (issue 15, "a window in a blink"): the window paints before
the heavy imports, the simulator never loads into the console, the Training menu works over HTTP, and the
simulator's process ends with the console."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from console.services.paths import Paths
from console.services.session import Health
from console.sim.process import SimulatorProcess
from console.ui.app import ConsoleApp, Options
from tests.helpers import printed_by, until

ROOT = Path(__file__).resolve().parents[2]

HEAVY = ("asyncio", "qasync", "pyqtgraph", "httpx", "pydantic", "keyring", "console.api.models",
         "console.api.models.base", "console.services.options", "console.api.client",
         "console.services.session_services", "console.ui.workspace", "console.ui.events", "console.sim.simulator",
         "starlette", "uvicorn", "console.ui.doors.floorplan", "ssl",
         # and what the shell's modules import only where used: SQLite, OpenSSL's hashes, the log file's handler,
         # the F1 list's dialog, the settings' TOML writer, importlib's resource readers
         "sqlite3", "hashlib", "logging.handlers", "console.ui.shortcuts", "uuid", "platform", "tomli_w",
         "importlib.resources", "html", "console.services.session", "ctypes", "console.services.memory")

PROBE = textwrap.dedent(
    """
    import json, sys
    import console.ui.launch as launch  # the command: the window first, the rest after its first paint

    HEAVY = %r
    seen = {}
    launch_simulator = launch.launch_demo_simulator

    def launched(options):
        sim = launch_simulator(options)
        seen["qt_at_simulator_launch"] = "PySide6" in sys.modules  # its boot is what the first tile waits for
        import console.ui.shell as shell  # what the command imports next: its first paint watched

        global shell_painted
        shell_painted = shell.wait_painted
        shell.wait_painted = watched_shell
        return sim

    def record(window):
        seen.setdefault("after_paint", [m for m in HEAVY if m in sys.modules])
        # PySide6 builds a class (and its enums) when first used: the QStyle's (~10 ms) is not needed to paint
        seen.setdefault("style_class_built", "QStyle" in vars(sys.modules["PySide6.QtWidgets"]))
        seen.setdefault("visible", window.isVisible())
        from PySide6.QtWidgets import QWidget  # loaded already: the window is on screen

        inside = [type(w).__name__ for w in window.window().findChildren(QWidget)]
        seen.setdefault("paints", []).append([type(window).__name__, [m for m in HEAVY if m in sys.modules],
                                              getattr(window, "live", None), "DoorsPanel" in inside,
                                              "BoardPicture" in inside])

    def watched_shell(window, *args, **kwargs):
        painted = shell_painted(window, *args, **kwargs)
        record(window)
        import console.ui.app as app  # what the command imports next; its later paints (the last board) watched

        painted_async = app._painted

        async def watched(widget, *args, **kwargs):
            await painted_async(widget, *args, **kwargs)
            record(widget)

        app._painted = watched
        return painted

    launch.launch_demo_simulator = launched
    code = launch.main(["--demo", "--self-test", "--basedir", sys.argv[1]])
    seen["at_end"] = [m for m in HEAVY if m in sys.modules]
    seen["code"] = code
    print("PROBE " + json.dumps(seen), flush=True)
    """
)


def _probe(script: str, base: Path) -> tuple[dict[str, Any], subprocess.CompletedProcess[str]]:
    """Run a probe script (``PROBE``, ``TILE_PROBE``) on the data folder ``base``: what it saw, and the run."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring")
    done = subprocess.run([sys.executable, "-c", script % (HEAVY,), str(base)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=180, check=False)
    line = next((x for x in done.stdout.splitlines() if x.startswith("PROBE ")), None)
    assert line is not None, done.stderr[-3000:]
    seen: dict[str, Any] = json.loads(line.removeprefix("PROBE "))
    assert seen["code"] == 0, done.stderr[-3000:]
    return seen, done


def test_the_window_paints_before_the_heavy_imports_and_the_simulator_stays_out_of_the_console(
    tmp_path: Path,
) -> None:
    seen, done = _probe(PROBE, tmp_path / "base")
    assert "self-test ok" in done.stdout
    assert seen["qt_at_simulator_launch"] is False  # the simulator boots while PySide6 loads and the window paints
    assert seen["visible"]
    assert seen["after_paint"] == []  # the shell painted before any of them was imported
    assert seen["style_class_built"] is False  # nothing asked for the style from Python before the paint
    # the connection, the board and the other panels came after; the simulator never came into this process
    assert {"httpx", "console.services.session_services", "pyqtgraph"} <= set(seen["at_end"])
    assert not {"console.sim.simulator", "starlette", "uvicorn"} & set(seen["at_end"])


def test_a_second_start_paints_the_last_board_before_the_connection_and_its_imports(tmp_path: Path) -> None:
    def start() -> dict[str, Any]:
        return _probe(PROBE, tmp_path / "base")[0]

    first = start()  # a fresh data folder: no snapshot; the first poll's tiles before the doors panel is built
    assert [(name, live, panel, picture) for name, _, live, panel, picture in first["paints"]] == [
        ("MainWindow", None, False, False), ("BoardPreview", True, False, False)]
    assert "httpx" in first["paints"][1][1]  # fresh tiles: the connection polled them
    second = start()  # the same folder: the snapshot of the first start's good poll, and the picture of its board
    assert [(name, live, picture) for name, _, live, _, picture in second["paints"]] == [
        ("MainWindow", None, True), ("BoardPreview", False, False)]
    assert second["paints"][0][1] == []  # the shell first, as always: with the picture of the last board in it
    before_connecting = set(second["paints"][1][1])
    assert "console.api.models" in before_connecting  # the board's coded states (console.api.models.door_codes)
    # and nothing heavy: the API's records (pydantic), the typed options, the HTTP stack, the other panels
    assert "asyncio" in before_connecting  # the shell painted, the loop runs: the preview is painted on it
    assert not {"pydantic", "console.api.models.base", "console.services.options", "httpx", "console.api.client",
                "console.services.session_services", "console.ui.workspace", "console.ui.events", "pyqtgraph",
                "console.sim.simulator"} & before_connecting


TILE_PROBE = textwrap.dedent(
    """
    import gc, json, sys
    from console.ui import startmarks

    HEAVY = %r
    seen = {"marks": []}

    def heard(name):  # the console's own marks: its main window's first paint, its first painted door tile
        seen["marks"].append(name)
        if name == "tile":  # a first start: fresh tiles
            seen["tile"] = [m for m in HEAVY if m in sys.modules]
            seen["collecting_at_tile"] = gc.isenabled()

    startmarks.listen(heard)
    from console.__main__ import main  # the command (it makes its own QApplication)

    seen["code"] = main(["--demo", "--self-test", "--basedir", sys.argv[1]])
    seen["at_end"] = [m for m in HEAVY if m in sys.modules]
    seen["collecting_at_end"] = gc.isenabled()
    print("PROBE " + json.dumps(seen), flush=True)
    """
)


def test_the_first_fresh_tiles_are_painted_before_pydantic_and_the_apis_records(tmp_path: Path) -> None:
    """A first start (no snapshot): the board's first poll is read without pydantic, the API's records and the
    typed options (~100 ms of imports); they come after the tiles, with the board's lists and the other panels.
    The garbage collector, paused by the command for its start, runs again once the console is up."""
    seen, _ = _probe(TILE_PROBE, tmp_path / "base")
    assert seen["marks"] == ["shell", "tile"]  # what a start-up benchmark times, told once each, in this order
    assert {"httpx", "console.api.client", "console.services.session_services"} <= set(seen["tile"])
    assert not {"pydantic", "console.api.models.base", "console.services.options", "pyqtgraph",
                "console.ui.events", "console.ui.doors.floorplan"} & set(seen["tile"])  # (the plans tab: later)
    assert not {"uuid", "platform"} & set(seen["tile"])  # new ids and a crash report's versions: when needed
    assert {"pydantic", "console.api.models.base", "pyqtgraph"} <= set(seen["at_end"])
    assert (seen["collecting_at_tile"], seen["collecting_at_end"]) == (False, True)


def test_demo_runs_its_simulator_in_a_process_the_training_menu_drives_it_and_it_ends_with_the_console(
    qapp: QApplication, run: Callable[..., Any], tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from console.services.session_services import SessionServices
    from console.ui.training import TrainingMenu

    built_rest: list[bool] = []  # whether the board had polled when the other services were built
    build_rest = SessionServices.build_rest

    def watched(services: SessionServices) -> None:
        if not built_rest:
            built_rest.append(app._board_polled.is_set() and services.events is None)
        build_rest(services)

    monkeypatch.setattr(SessionServices, "build_rest", watched)
    opts = Options(basedir=str(tmp_path / "base"), log_stderr=False, demo=True, demo_process=True,
                   poll_interval=0.3, operator="Trainer")
    app = ConsoleApp(qapp, opts, Paths.from_env_or_args(opts.basedir))

    async def scenario() -> tuple[int, SimulatorProcess]:
        task = asyncio.ensure_future(app.run())
        await until(lambda: app.ready and app.session is not None and app.session.health is Health.ONLINE, 60)
        sim = app.sim
        assert isinstance(sim, SimulatorProcess)
        assert sim.running
        assert app.window is not None
        menu = app.training
        assert isinstance(menu, TrainingMenu)
        titles = [a.text() for a in menu.actions()]
        menu.actions()[titles.index("Force a door open")].trigger()
        assert "was forced open" in app.window.status.currentMessage()
        await until(lambda: app.last_summary is not None and "1 in alarm" in str(app.last_summary), 20)
        menu.real_server.trigger()  # over HTTP; the menu reads the simulator's state back
        assert "real one" in app.window.status.currentMessage()
        assert sim.state()[0] == "real"
        menu.real_server.trigger()
        assert sim.state()[0] == "manual"
        spaces = app.workspace.services.spaces if app.workspace is not None else None
        assert spaces is not None
        before = spaces.clock()
        menu.clock_actions[1].trigger()  # "Clock: 2 hours later": the spaces desk follows the simulated clock
        assert (spaces.clock() - before).total_seconds() > 7000
        app.request_quit()
        return await task, sim

    code, sim = run(scenario(), timeout=120)
    assert code == 0
    assert built_rest == [True]  # the board's first poll, then the journal and the desks
    assert not sim.running  # stopped with the console


def test_a_demo_simulator_that_stops_after_saying_its_address_is_reported(
    qapp: QApplication, run: Callable[..., Any], tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The console connects as soon as its simulator says where it listens; one that then fails to get ready (a
    world it cannot build) is said so, not left to look like a server that does not answer."""

    def never_ready(self: SimulatorProcess, timeout: float = 0.0) -> str:
        raise RuntimeError("the simulator process ended before it was ready (exit code 1)")

    monkeypatch.setattr(SimulatorProcess, "wait_ready", never_ready)
    opts = Options(basedir=str(tmp_path / "base"), log_stderr=False, demo=True, demo_process=True, poll_interval=0.3)
    app = ConsoleApp(qapp, opts, Paths.from_env_or_args(opts.basedir))

    async def scenario() -> int:
        task = asyncio.ensure_future(app.run())
        await until(lambda: any("demo simulator stopped while starting" in e for e in app.reported_errors), 60)
        app.request_quit()
        return await task

    assert run(scenario(), timeout=120) == 0


def test_pyside6s_import_hook_is_out_qt_classes_still_load_and_the_fallback_check_agrees() -> None:
    """The console takes PySide6's hook on every import out (it serves ``__feature__``, which the console never
    uses); Qt's classes still load when first named. Where the hook could not be taken out, the faster check
    that stands in gives PySide6's own answers."""
    import builtins
    import inspect

    import console.services.paths
    import console.ui.app
    import console.ui.main_window
    from console.ui import pyside_import_check

    assert pyside_import_check.install()
    assert builtins.__import__ is builtins.__orig_import__  # type: ignore[attr-defined]  # PySide6's lazy import
    probe = ("import builtins\n"
             "from console.ui import pyside_import_check\n"
             "assert getattr(builtins.__import__, '__name__', '') == '__lazy_import__'\n"
             "from PySide6.QtWidgets import QCalendarWidget  # a class nothing named yet: loaded on first use\n"
             "print(QCalendarWidget.__name__)\n")
    assert printed_by(probe) == ["QCalendarWidget"]
    users = [p for p in (ROOT / "console").rglob("*.py") if "__feature__" in p.read_text(encoding="utf-8")
             and p.name != "pyside_import_check.py"]
    assert users == []  # nothing selects a feature: with the hook out it would silently select nothing

    def pyside6s_own(module: Any) -> bool:  # what PySide6 itself does: the whole source, through inspect
        try:
            return "PySide6" in inspect.getsource(module)
        except (TypeError, OSError):
            return False

    modules = [console.ui.app, console.ui.main_window, console.services.paths, json, os, sys, subprocess]
    answers = [pyside_import_check.uses_pyside(module, pyside6s_own) for module in modules]
    assert answers == [pyside6s_own(module) for module in modules]
    assert answers[:3] == [True, True, False]
