"""The ``cvsecurity-console`` command: the window painted first, the rest imported after it (issue 15).

``main(argv)`` is the whole program. It parses the command line, takes the data folder's lock and, in demo mode,
launches the simulator's process before PySide6 is even imported: the simulator's boot (~250 ms on its own
core) is what demo mode's first fresh tile waits for, so it starts as early as the lock allows. Then it loads
what the window needs (PySide6, the theme and :mod:`console.ui.shell`), builds it and paints it. Then
:func:`console.ui.app.run_console` imports the rest (asyncio, qasync, the session, httpx, the models) and runs
the console on the window already on screen. The subcommands (``export-events``, ``autostart``,
``verify-audit``) never build a window.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import console
from console.services.files import FolderNotWritable, WriteCheck, check_writable
from console.services.gc_pauses import resume_after_start
from console.services.lock import DataDirBusy, DataDirLock
from console.services.paths import Paths
from console.services.settings import Settings
from console.ui import firstrun
from console.ui.cli import TOKEN_ENV, Options, os_user, parse_args

if TYPE_CHECKING:  # Qt is imported once the lock is held and demo mode's simulator launched (see the docstring)
    from PySide6.QtWidgets import QApplication

__all__ = ["DEMO_EVENT_RATE", "launch_demo_simulator", "main"]

DEMO_EVENT_RATE = {"small": 1.0, "large": 5.0, "xl": 5.0}  # simulated events per second: doors open, alarms, offline


def launch_demo_simulator(options: Options) -> Any:
    """Demo mode's simulator process, launched, not waited for (``console.sim.process.SimulatorProcess``); None
    when it runs in a thread instead (a frozen build, or ``Options.demo_process`` off). Raises OSError when the
    process cannot be started."""
    from console.sim import process

    if not options.demo or not options.demo_process or not process.available():
        return None
    site = options.demo_site
    child = process.SimulatorProcess(site=site, event_rate=DEMO_EVENT_RATE.get(site, 1.0))
    child.launch()
    return child


def _export_events(argv: list[str]) -> int:
    try:
        from console.services.events import export
    except ImportError as exc:
        print(f"cvsecurity-console: export-events is not available in this build ({exc})", file=sys.stderr)
        return 2
    return int(export.main(argv) or 0)


def _autostart(argv: list[str]) -> int:
    from console.services import autostart

    return autostart.main(argv, prog=f"{firstrun.program_name()} autostart")


def _import_qt() -> None:
    """PySide6, with its hook on every import taken out first (:mod:`console.ui.pyside_import_check`), and Qt's
    messages that concern no operator silenced before Qt can say any."""
    from console.ui import pyside_import_check  # noqa: F401
    from console.ui.qtmessages import silence_irrelevant_qt_messages

    silence_irrelevant_qt_messages()


def _existing_qapp() -> QApplication | None:
    """The application of this process when one exists (tests make theirs), without importing Qt otherwise."""
    if "PySide6.QtWidgets" not in sys.modules:
        return None
    from PySide6.QtWidgets import QApplication

    existing = QApplication.instance()
    return existing if isinstance(existing, QApplication) else None


def _qapp() -> QApplication:
    _import_qt()
    from console.ui.theme import new_application

    return _existing_qapp() or new_application(sys.argv[0] if sys.argv else "console")


def _startup_dialog(text: str) -> None:
    """A message box before the console's loop exists (no coroutine runs yet, so a modal ``exec`` is safe)."""
    qapp = _qapp()
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Critical, "CVSecurity console", text)
    box.exec()
    del qapp


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    prog = firstrun.program_name()
    if args[:1] in (["export-events"], ["autostart"], ["verify-audit"]):
        resume_after_start()  # a tool of the command line, not the console's start: collections as usual
    if args[:1] == ["export-events"]:
        return _export_events(args[1:])
    if args[:1] == ["autostart"]:
        return _autostart(args[1:])
    if args[:1] == ["verify-audit"]:
        from console.services.audit import main as verify_audit

        return verify_audit(args[1:])
    refused = firstrun.token_refused(args, TOKEN_ENV)
    if refused:
        print(f"{prog}: {refused}", file=sys.stderr)
        return 2
    options = parse_args(args, prog)
    no_display = firstrun.display_problem() if _existing_qapp() is None else None
    if no_display:  # before Qt: its xcb plugin would abort the process with a message no operator can act on
        print(f"{prog}: {no_display}", file=sys.stderr)
        return 1
    paths = Paths.from_env_or_args(options.basedir)
    folders = (paths.data_dir, paths.config_dir, paths.log_dir, paths.cache_dir)
    try:  # one clear message naming the folder: full, read-only, not ours, or a file in the way
        check_writable(*folders, sync=False)  # (synced below, while Qt loads)
        paths.ensure()
        lock = DataDirLock.acquire(paths.data_dir)  # one console per data folder: a second one is refused here
    except (OSError, FolderNotWritable, DataDirBusy) as exc:
        busy = isinstance(exc, DataDirBusy)
        print(f"{prog}: {exc}" if busy else f"{prog}: the console cannot start: {exc}", file=sys.stderr)
        if options.interactive:
            _startup_dialog(str(exc) if busy else f"The console cannot start: {exc}.")
        return 1
    synced = WriteCheck(*folders)  # the same, synced (a full disk some file systems tell only there)
    try:
        return _run(options, paths, lock, prog, synced)
    finally:
        lock.release()  # idempotent: the console released it at its shutdown already


def _run(options: Options, paths: Paths, lock: DataDirLock, prog: str, synced: WriteCheck) -> int:
    sim: Any = None
    try:  # before PySide6 is imported: it boots on the other core while the window is built and painted
        sim = launch_demo_simulator(options)
    except OSError as exc:
        print(f"{prog}: the demo simulator's process could not be started ({exc}): it runs in a thread",
              file=sys.stderr)
    try:
        _import_qt()
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QApplication

        from console.ui import shell

        QApplication.setHighDpiScaleFactorRoundingPolicy(Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
        qapp = _qapp()
        qapp.setApplicationName("cvsecurity-console")
        qapp.setApplicationDisplayName("CVSecurity console")
        qapp.setApplicationVersion(console.__version__)
        qapp.setDesktopFileName("cvsecurity-console")
        qapp.setQuitOnLastWindowClosed(False)
        refused = synced.result()
        if refused is not None:  # as the quick check before the lock says it: before any window
            print(f"{prog}: the console cannot start: {refused}", file=sys.stderr)
            if options.interactive:
                _startup_dialog(f"The console cannot start: {refused}.")
            if sim is not None:
                sim.stop()
            return 1
        settings = Settings.load(paths.settings_file)
        window = shell.build_window(qapp, options, settings, options.operator or settings.operator or os_user(), paths)
        shell.wait_painted(window)  # on screen before asyncio, qasync, httpx and the models are imported
        # (its menus' actions and icon come once the console waits on the server: ConsoleApp._finish_window)
        from console.services.memory import at_start as memory_at_start

        # before the console's worker threads (asyncio's executor, the journal's): a long shift's memory stays
        # flat (console/services/memory.py); after the first paint: ctypes and glibc's loading are ~1 ms
        memory_at_start()

        from console.ui.app import run_console

        return run_console(qapp, options, paths, settings=settings, window=window, data_lock=lock, sim=sim)
    except BaseException:
        if sim is not None:  # the console never took it over: no simulator left behind
            sim.stop()
        raise
