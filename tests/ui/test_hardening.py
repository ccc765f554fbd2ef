"""What an operator sees of damaged files, an unwritable data folder, the audit log's problems and bad input
(issue 14): one message with the damaged files' paths, one clear message naming an unwritable data folder, a
permanent audit mark in the status bar, and no traceback from bad ports, an empty --basedir or a missing CA."""

from __future__ import annotations

import asyncio
import errno
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from console.services import files
from console.services.audit import AUDIT_FILE, AuditError, AuditLog
from console.services.events.journal import JOURNAL_FILE
from console.services.paths import Paths
from console.services.secrets import TokenStore
from console.services.visitors.store import profile_dir
from console.ui.app import DEMO_PROFILE, ConsoleApp, Options, parse_args
from console.ui.connection import ProfileDialog
from console.ui.statusbar import AUDIT_ATTENTION, AUDIT_NOT_WRITABLE, StatusBar
from tests.helpers import until
from tests.services.test_secrets import MemoryKeyring

ENV = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring")


def _app(qapp: QApplication, base: Path, **options: Any) -> ConsoleApp:
    opts = Options(basedir=str(base), log_stderr=False, poll_interval=0.5, **options)
    return ConsoleApp(qapp, opts, Paths.under(base), configure_logging=False)


def _box(qapp: QApplication) -> QMessageBox | None:
    return next((w for w in qapp.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()), None)


def test_damaged_settings_journal_and_outbox_are_set_aside_and_named_in_one_message(
        qapp: QApplication, run: Callable[..., Any], tmp_path: Path, home: Path) -> None:
    paths = Paths.under(tmp_path).ensure()
    paths.settings_file.write_bytes(b"theme = \n[[[")
    journal = paths.profile_dir(DEMO_PROFILE) / JOURNAL_FILE
    journal.parent.mkdir(parents=True)
    journal.write_bytes(b"SQLite format 3\x00" + os.urandom(5000))
    outbox = profile_dir(paths.data_dir / "visitors", DEMO_PROFILE) / "outbox.json"
    outbox.parent.mkdir(parents=True)
    outbox.write_bytes(b"\xff\xfe not json")
    app = _app(qapp, tmp_path, demo=True, operator="ann")

    async def scenario() -> tuple[int, str, bool]:
        task = asyncio.ensure_future(app.run())
        await until(lambda: app.ready and app.workspace is not None and app.workspace.events is not None, 60)
        assert app.panel is not None
        banner = app.panel.banner
        shown = banner.isVisible() and banner.text
        events_panel = app.workspace is not None and app.workspace.events is not None
        assert app.window is not None
        app.window.close()
        return await task, shown or "", events_panel

    code, text, events_panel = run(scenario(), timeout=90)
    assert code == 0
    assert events_panel  # a damaged journal no longer turns the events and alarms off
    assert app.set_aside_said == [text[2:]]  # one message ("⚠ " + the words)
    for path in (paths.settings_file, journal, outbox):
        assert str(path) in text
        [kept] = path.parent.glob(f"{path.name}.damaged-*")
        assert kept.name in text
    assert app.reported_errors == []


def test_a_damaged_audit_log_is_a_permanent_mark_in_the_status_bar(
        qapp: QApplication, run: Callable[..., Any], tmp_path: Path, home: Path) -> None:
    paths = Paths.under(tmp_path).ensure()
    (paths.data_dir / AUDIT_FILE).write_bytes(b"this is no database" * 100)
    app = _app(qapp, tmp_path, demo=True, operator="ann", screenshot=str(tmp_path / "shot.png"))  # no dialogs

    async def scenario() -> tuple[int, str, str, bool]:
        task = asyncio.ensure_future(app.run())
        await until(lambda: app.session is not None and app.summaries > 0, 60)
        assert app.window is not None
        mark = app.window.status.audit_mark
        seen = (mark.text(), mark.toolTip(), mark.isVisible())
        return (await task, *seen)

    code, text, tip, visible = run(scenario(), timeout=90)
    assert code == 0
    assert visible
    assert text == AUDIT_ATTENTION
    assert "kept aside" in tip
    assert str(paths.data_dir / AUDIT_FILE) in tip


def test_the_audit_mark_follows_a_log_that_cannot_be_written(qtbot: QtBot, tmp_path: Path) -> None:
    bar = StatusBar()
    qtbot.addWidget(bar)
    audit = AuditLog.in_dir(tmp_path)
    bar.bind_audit(audit)
    assert not bar.audit_mark.isVisibleTo(bar)
    assert audit._db is not None
    audit._db.execute("PRAGMA query_only = 1")  # as a full or read-only disk answers
    with pytest.raises(AuditError):
        audit.record("door.open", "door 1", {}, "sending")
    bar.set_audit(audit)  # (the status bar's one-second tick does this)
    assert bar.audit_mark.isVisibleTo(bar)
    assert bar.audit_mark.text() == AUDIT_NOT_WRITABLE
    assert f"the data folder {tmp_path} is read-only" in bar.audit_mark.toolTip()
    audit._db.execute("PRAGMA query_only = 0")
    audit.record("door.open", "door 1", {}, "sending")
    bar.set_audit(audit)
    assert not bar.audit_mark.isVisibleTo(bar)
    audit.close()
    bar.set_audit(None)
    bar.set_storage(files.storage_problem(OSError(errno.EROFS, "Read-only file system"), tmp_path))
    assert bar.storage_mark.isVisibleTo(bar)
    assert bar.storage_mark.text() == "⚠ Data folder read-only"
    bar.bind_audit(None)
    assert not bar.audit_mark.isVisibleTo(bar)


def test_a_read_only_data_folder_at_start_is_one_message_naming_it(
        qapp: QApplication, run: Callable[..., Any], tmp_path: Path, home: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    def read_only(folder: Path, sync: bool = True) -> None:  # tests run as root: chmod would not stop a write
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(files, "_write_probe", read_only)
    app = _app(qapp, tmp_path, demo=True)

    async def scenario() -> tuple[int, str]:
        task = asyncio.ensure_future(app.run())
        box = await until(lambda: _box(qapp))
        assert box is not None
        text = box.text()
        box.button(QMessageBox.StandardButton.Ok).click()
        return await task, text

    code, text = run(scenario())
    assert code == 1
    assert text == f"the data folder {Paths.under(tmp_path).data_dir} is read-only"
    assert app.window is None  # nothing started


def test_a_data_folder_under_a_regular_file_ends_the_cli_with_one_message(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    done = subprocess.run([sys.executable, "-m", "console", "--basedir", str(tmp_path / "afile" / "sub"), "--demo",
                           "--self-test"], env=ENV, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert (f"the data folder {tmp_path / 'afile' / 'sub' / 'data'} cannot be made: something that is not a "
            "folder is in the way") in done.stderr


FULL_AT_SYNC = """
import errno, os, sys

def full(fd):  # a disk that takes the write and refuses the data only when it is synced
    raise OSError(errno.ENOSPC, "No space left on device")

os.fsync = full
import console.sim.process as process
import console.ui.shell as shell

built, launched = [], []
build_window = shell.build_window
shell.build_window = lambda *args, **kwargs: built.append(1) or build_window(*args, **kwargs)
launch = process.SimulatorProcess.launch
process.SimulatorProcess.launch = lambda self: launched.append(self) or launch(self)
from console.__main__ import main

code = main(["--basedir", sys.argv[1], "--demo", "--self-test"])
print("CODE", code, "WINDOWS", len(built), "SIMULATORS", len(launched), "LEFT", sum(s.running for s in launched),
      flush=True)
"""


def test_a_disk_full_only_at_the_sync_ends_the_start_with_one_message_before_any_window(tmp_path: Path) -> None:
    """The quick write check passes, the synced one (made while Qt loads) does not: no window, one message, and
    demo mode's simulator stopped."""
    done = subprocess.run([sys.executable, "-c", FULL_AT_SYNC, str(tmp_path)], env=ENV, capture_output=True,
                          text=True, timeout=60, check=False)
    # its simulator had been launched (before Qt loads) and was stopped; no window was built
    assert "CODE 1 WINDOWS 0 SIMULATORS 1 LEFT 0" in done.stdout, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    assert f"the console cannot start: the data folder {tmp_path / 'data'} is full" in done.stderr


def test_an_empty_basedir_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        parse_args(["--basedir", "", "--demo"])
    assert caught.value.code == 2
    assert "--basedir is empty" in capsys.readouterr().err  # before: the operator's own folders, silently


@pytest.mark.parametrize("url", ["http://127.0.0.1:99999", "http://127.0.0.1:0", "https://10.0.0.5:-1"])
def test_a_server_url_with_a_port_out_of_range_is_a_message_not_a_crash(
        qapp: QApplication, run: Callable[..., Any], tmp_path: Path, home: Path, url: str,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("CVSEC_TOKEN", "port-token-1234")
    app = _app(qapp, tmp_path, server=url, self_test=True)
    assert run(app.run(), timeout=60) == 1
    assert "the port in the server URL must be a number from 1 to 65535" in capsys.readouterr().err
    assert app.reported_errors == []
    assert not list((Paths.under(tmp_path).data_dir / "crash-reports").glob("*"))  # before: a crash report


def test_the_connection_dialog_refuses_a_port_out_of_range(qtbot: QtBot, run: Callable[..., Any]) -> None:
    dialog = ProfileDialog(TokenStore(MemoryKeyring()))
    qtbot.addWidget(dialog)
    dialog.name_edit.setText("Depot")
    dialog.url_edit.setText("https://cvsec.example:70000")
    dialog.token_edit.setText("token-1234")
    assert run(dialog.test_connection()) is None
    assert dialog.result_label.text() == "the port in the server URL must be a number from 1 to 65535"


def test_the_simulator_refuses_a_port_out_of_range() -> None:
    done = subprocess.run([sys.executable, "-m", "console.sim", "--port", "70000"], env=ENV, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "70000 is not a port" in done.stderr


def test_a_missing_ca_file_is_said_by_name_not_a_crash(
        qapp: QApplication, run: Callable[..., Any], tmp_path: Path, home: Path,
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from console.services.session import Profile
    from console.services.settings import Settings

    missing = tmp_path / "our-ca.pem"
    paths = Paths.under(tmp_path).ensure()
    settings = Settings.load(paths.settings_file)
    settings.upsert_profile(Profile("HQ", "https://10.0.0.5:8098", ca_file=str(missing)))
    settings.save()
    monkeypatch.setenv("CVSEC_TOKEN", "ca-token-1234")
    app = _app(qapp, tmp_path, profile="HQ", self_test=True)
    assert run(app.run(), timeout=60) == 1
    assert f"the CA file {missing} does not exist" in capsys.readouterr().err
    assert not list((paths.data_dir / "crash-reports").glob("*"))
    log = (paths.log_dir / "console.log")
    assert not log.exists() or "Traceback" not in log.read_text(encoding="utf-8")
