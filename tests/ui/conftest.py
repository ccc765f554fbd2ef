"""Qt fixtures: a qasync loop per test, driven from synchronous tests with ``run(coro)``."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
import qasync
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication

from console.ui import aio

T = TypeVar("T")


@pytest.fixture
def qloop(qapp: QApplication) -> Iterator[qasync.QEventLoop]:
    qapp.setQuitOnLastWindowClosed(False)  # as the app does: closing a dialog must not stop the loop
    loop = aio.create_loop(qapp)
    errors: list[tuple[BaseException, str]] = []
    aio.set_error_handler(lambda exc, ctx: errors.append((exc, ctx)))
    yield loop
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    aio.set_error_handler(None)
    loop.close()
    asyncio.set_event_loop(None)
    # A closed qasync loop's timer object (and its thread workers) sit in reference cycles; collected later,
    # in the middle of another test's timer dispatch, they crash Qt (SIGSEGV). Collect them here, at rest.
    gc.collect()
    assert not errors, f"unreported task failures: {errors}"


@pytest.fixture
def run(qloop: qasync.QEventLoop) -> Callable[..., Any]:
    """``run(coro, timeout=30)``: drive the Qt+asyncio loop until ``coro`` finishes."""

    def runner(coro: Coroutine[Any, Any, T], timeout: float = 30.0) -> T:
        return qloop.run_until_complete(asyncio.wait_for(coro, timeout))

    return runner


@pytest.fixture(autouse=True)
def _plain_style_afterwards(qapp: QApplication) -> Iterator[None]:
    """The console themes the whole application; later tests get it back unthemed."""
    palette = qapp.palette()
    yield
    qapp.setStyleSheet("")
    qapp.setPalette(palette)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user's platform dirs point here: nothing may land in them when --basedir is given."""
    home = tmp_path / "home"
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(var, str(home / var.lower()))
    monkeypatch.delenv("CVSEC_BASEDIR", raising=False)
    monkeypatch.delenv("CVSEC_TOKEN", raising=False)
    return home


@pytest.fixture
def plan_site_url() -> Iterator[str]:
    """The URL of a small simulated site (seed 2, no live events) served from a thread: the floor plan tests'."""
    from console.sim import SimConfig, SimulatorThread
    from tests.services.doors_helpers import TOKEN

    thread = SimulatorThread(SimConfig(token=TOKEN, seed=2, site="small", event_rate=0.0))
    url = thread.start()
    yield url
    thread.stop()


@pytest.fixture
def open_panel(qtbot, run, plan_site_url, tmp_path):
    """``open_panel()``: a doors panel shown over the plan site's services (a new session, audit log and
    settings objects each time, on the same data dir); stopped and deleted after the test."""
    made = []

    from console.services.session_services import SessionServices
    from console.services.settings import Settings
    from console.ui.doors import DoorsPanel
    from tests.services.doors_helpers import session_for

    def build() -> DoorsPanel:
        session = session_for(plan_site_url, tmp_path)
        services = SessionServices.build(session, Settings.load(session.paths.settings_file))
        panel = DoorsPanel(services.doors, services.settings)
        panel.resize(1100, 700)
        panel.show()
        qtbot.waitExposed(panel)
        made.append((panel, services))
        return panel

    yield build
    for panel, services in made:
        run(panel.stop())
        run(services.stop())
        panel.close()
        panel.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # on the GUI thread, now
