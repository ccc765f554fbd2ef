"""What a new user meets first: no display, a silent server, --help, --token, --version, About, a crash report."""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QTimer, qVersion
from PySide6.QtWidgets import QApplication, QMessageBox

import console
from console.services import crash
from console.services.paths import Paths
from console.ui.about import about_text, offer_crash_reports
from console.ui.app import DEMO_PROFILE, ConsoleApp, Options
from console.ui.firstrun import NO_DISPLAY, display_problem, program_name
from tests.helpers import until

ROOT = Path(__file__).resolve().parents[2]


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring")
    env.pop("CVSEC_TOKEN", None)
    env["CVSEC_BASEDIR"] = str(tmp_path / "base")
    env.update(extra)
    return env


def _console(args: list[str], env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "console", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=timeout, check=False)


def test_without_a_display_the_console_says_what_to_do_instead_of_the_xcb_abort(tmp_path: Path) -> None:
    env = _env(tmp_path)
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        env.pop(name, None)
    done = _console(["--demo"], env)
    assert done.returncode == 1
    assert NO_DISPLAY in done.stderr
    assert "no display found: set QT_QPA_PLATFORM=offscreen for headless use, or run it in a desktop session" in (
        done.stderr)
    assert "xcb" not in done.stderr
    assert "Traceback" not in done.stderr


def test_display_check_only_on_linux_without_a_display_or_a_chosen_platform() -> None:
    assert display_problem({}, "linux") == NO_DISPLAY
    assert display_problem({"QT_QPA_PLATFORM": ""}, "linux") == NO_DISPLAY
    assert display_problem({"DISPLAY": ":0"}, "linux") is None
    assert display_problem({"WAYLAND_DISPLAY": "wayland-0"}, "linux") is None
    assert display_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux") is None
    assert display_problem({}, "win32") is None
    assert display_problem({}, "darwin") is None


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A TCP server that accepts connections and never answers (a firewall-dropped or hung server)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.2)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join(5)
    for conn in held:
        conn.close()
    listener.close()


def test_self_test_against_a_server_that_does_not_answer_fails_within_10_s(tmp_path: Path, silent_server: str) -> None:
    started = time.monotonic()
    done = _console(["--self-test", "--server", silent_server], _env(tmp_path, CVSEC_TOKEN="not-a-real-token-1234"))
    elapsed = time.monotonic() - started
    assert done.returncode == 1
    assert f"the server at {silent_server} did not answer within 5 s" in done.stderr
    assert elapsed < 10, f"took {elapsed:.1f} s"


def test_self_test_against_a_closed_port_fails_within_10_s_with_the_reason(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again when the block ends: nothing listens there
    started = time.monotonic()
    done = _console(["--self-test", "--server", f"http://127.0.0.1:{port}"],
                    _env(tmp_path, CVSEC_TOKEN="not-a-real-token-1234"))
    assert done.returncode == 1
    assert "Server unreachable: cannot reach the server" in done.stderr
    assert time.monotonic() - started < 10


def test_help_lists_the_subcommands_and_names_the_program_as_started(tmp_path: Path) -> None:
    done = _console(["--help"], _env(tmp_path))
    assert done.returncode == 0
    assert done.stdout.startswith("usage: python -m console ")
    assert "subcommands:" in done.stdout
    for name in ("export-events", "autostart", "verify-audit"):
        assert f"python -m console {name}" in done.stdout
    assert "--kiosk" in done.stdout
    listed = {line.split()[3] for line in done.stdout.splitlines() if line.startswith("  python -m console ")}
    dispatched = set(re.findall(r'args\[:1\] == \["([a-z-]+)"\]', (ROOT / "console/ui/app.py").read_text()))
    assert dispatched <= listed, f"subcommands main() runs but --help does not list: {dispatched - listed}"
    script = Path(sys.executable).with_name("cvsecurity-console")
    if script.is_file():  # the installed entry point names itself
        run = subprocess.run([str(script), "--help"], env=_env(tmp_path), capture_output=True, text=True,
                             timeout=60, check=False)
        assert run.stdout.startswith("usage: cvsecurity-console ")
    assert program_name("/opt/cvsecurity-console/cvsecurity-console") == "cvsecurity-console"
    assert program_name("C:\\Program Files\\CVSecurity console\\cvsecurity-console.exe".replace("\\", "/")) == (
        "cvsecurity-console")


def test_token_on_the_command_line_is_refused_with_a_pointer_to_the_keyring(tmp_path: Path) -> None:
    for args in (["--demo", "--token", "s3cret-value-42"], ["--token=s3cret-value-42"]):
        done = _console(args, _env(tmp_path))
        assert done.returncode == 2
        assert "--token is not accepted" in done.stderr
        assert "keyring" in done.stderr
        assert "CVSEC_TOKEN" in done.stderr
        assert "s3cret-value-42" not in done.stderr + done.stdout


def test_version(tmp_path: Path) -> None:
    done = _console(["--version"], _env(tmp_path))
    assert done.returncode == 0
    assert done.stdout.strip() == f"python -m console {console.__version__}"


def test_about_names_the_versions_and_where_the_files_are(tmp_path: Path) -> None:
    paths = Paths.under(tmp_path / "b")
    text = about_text(paths)
    assert f"CVSecurity operator console {console.__version__}" in text
    assert "Build: not a packaged build" in text
    assert f"Qt {qVersion()}" in text
    assert f"PySide6 {pyside_version}" in text
    assert f"Python {sys.version_info.major}.{sys.version_info.minor}." in text
    assert f"Data: {paths.data_dir}" in text
    assert f"Settings: {paths.settings_file}" in text
    assert f"Logs: {paths.log_dir / 'console.log'}" in text


# -- in the application ---------------------------------------------------------------------------


def _app(qapp: QApplication, base: Path, **options: Any) -> ConsoleApp:
    opts = Options(basedir=str(base), log_stderr=False, **options)
    return ConsoleApp(qapp, opts, Paths.from_env_or_args(opts.basedir))


def _visible_box(title: str) -> QMessageBox | None:
    return next((w for w in QApplication.topLevelWidgets()
                 if isinstance(w, QMessageBox) and w.isVisible() and w.windowTitle() == title), None)


def test_help_about_opens_the_about_dialog(
    qapp: QApplication, run: Callable[..., Any], tmp_path: Path, home: Path
) -> None:
    app = _app(qapp, tmp_path / "base", demo=True, poll_interval=0.5)

    async def scenario() -> str:
        task = asyncio.ensure_future(app.run())
        await until(lambda: app.ready, 30)
        assert app.window is not None
        app.window.about_action.trigger()
        box = await until(lambda: _visible_box("About"), 10)
        text = box.text()
        box.close()
        app.request_quit()
        await task
        return text

    text = run(scenario(), timeout=60)
    assert f"Qt {qVersion()}" in text
    assert f"Data: {(tmp_path / 'base' / 'data').resolve()}" in text


def _report_of(paths: Paths, kind: str) -> Path | None:
    return next((p for p in crash.pending(paths.data_dir) if kind in p.read_text(encoding="utf-8")), None)


def test_a_crash_leaves_a_masked_report_that_the_next_start_offers(
    qapp: QApplication, run: Callable[..., Any], tmp_path: Path, home: Path
) -> None:
    base = tmp_path / "base"
    first = _app(qapp, base, demo=True, poll_interval=0.5)

    async def crash_once() -> str:
        task = asyncio.ensure_future(first.run())
        await until(lambda: first.ready and first.summaries > 0, 30)
        token = await first.tokens.get(DEMO_PROFILE)
        assert token

        def slot_fails() -> None:
            raise ZeroDivisionError(f"boom while reading access_token={token}")

        QTimer.singleShot(0, slot_fails)
        await until(lambda: _report_of(first.paths, "ZeroDivisionError"), 10)
        first.request_quit()
        await task
        return token

    token = run(crash_once(), timeout=60)
    report = _report_of(Paths.under(base), "ZeroDivisionError")
    assert report is not None
    text = report.read_text(encoding="utf-8")
    assert "ZeroDivisionError: boom while reading access_token=***" in text
    assert token not in text
    assert f"console: {console.__version__}" in text
    assert f"qt: {qVersion()}" in text
    assert "== last 80 log lines" in text
    assert "connected to" in text  # the log's last lines

    second = _app(qapp, base, demo=True, poll_interval=0.5)

    async def next_start() -> None:
        task = asyncio.ensure_future(second.run())
        box = await until(lambda: _visible_box("The console stopped unexpectedly"), 30)
        assert "Save it to send to support?" in box.text()
        await until(lambda: second.summaries > 0, 30)  # the console works while the offer is open
        box.button(QMessageBox.StandardButton.Close).click()
        second.request_quit()
        await task

    run(next_start(), timeout=90)
    assert crash.pending(Paths.under(base).data_dir) == []  # offered once
    assert list((Paths.under(base).data_dir / crash.CRASH_DIR).glob("crash-*.offered.txt"))


def test_an_unattended_start_only_logs_where_the_crash_report_is(
    qapp: QApplication, run: Callable[..., Any], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    paths = Paths.under(tmp_path / "b").ensure()
    report = crash.write_report(paths.data_dir, (ValueError, ValueError("x"), None))
    caplog.set_level("WARNING", logger="console.ui.about")
    saved = run(offer_crash_reports(None, paths, interactive=False))
    assert saved == []
    assert "the console crashed in an earlier run: 1 crash report(s) in" in caplog.text
    assert _visible_box("The console stopped unexpectedly") is None
    assert crash.pending(paths.data_dir) == [report]  # still offered to the next interactive start


def test_kiosk_starts_full_screen(qapp: QApplication, run: Callable[..., Any], tmp_path: Path, home: Path) -> None:
    app = _app(qapp, tmp_path / "base", demo=True, poll_interval=0.5, kiosk=True)

    async def scenario() -> bool:
        task = asyncio.ensure_future(app.run())
        await until(lambda: app.ready, 30)
        assert app.window is not None
        full = app.window.isFullScreen() and app.window.fullscreen_action.isChecked()
        app.request_quit()
        await task
        return full

    assert run(scenario(), timeout=60)
