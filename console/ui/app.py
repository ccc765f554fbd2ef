"""The composition root: builds paths, settings, logging, keyring, session, panels and the main window.

``main(argv)`` is the whole program. :class:`ConsoleApp` is the part tests drive: ``await app.run()``
starts, connects (demo, ``--server``, a saved profile, or the first-start dialog), shows the doors panel,
and returns the exit code once the operator closes the window (or SIGINT/SIGTERM arrives). Shutdown is
always the same path: save the layout, stop the panels' pollers, close the client, stop the embedded
simulator, cancel what is left, close the window.
"""

from __future__ import annotations

# isort: split
from console.ui import pyside_import_check  # noqa: F401 - first: PySide6's hook on every import taken out

# isort: split
import asyncio
import contextlib
import dataclasses
import functools
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from PySide6.QtCore import QCoreApplication, QEvent, QTimer
from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit, QMessageBox, QWidget

import console
from console.api.errors import CVSecError
from console.services import crash
from console.services.files import FolderNotWritable, SetAside, check_writable
from console.services.files import words as set_aside_words
from console.services.gc_pauses import START_PAUSE_MAX, freeze_long_lived, resume_after_start
from console.services.lock import DataDirBusy, DataDirLock, stale_words
from console.services.logs import redact, register_secret, setup_logging, shutdown_logging
from console.services.paths import Paths
from console.services.secrets import TokenStore
from console.services.session import Health, ProbeResult, Profile, Session, probe
from console.services.settings import Settings
from console.ui import aio, theme
from console.ui.about import about_text, offer_crash_reports
from console.ui.about import versions as build_versions
from console.ui.cli import DEMO_PROFILE, TOKEN_ENV, Options, build_parser, expected_profile, os_user, parse_args
from console.ui.errors import ErrorReporter
from console.ui.launch import DEMO_EVENT_RATE, launch_demo_simulator, main
from console.ui.main_window import MainWindow, PlaceholderPanel
from console.ui.panel import Panel
from console.ui.shell import DOORS, PAINT_WAIT, PaintWatch, after_paint, build_window

if TYPE_CHECKING:  # the session's services and the panels (httpx, the API models...) load after the first paint
    from console.services.session_services import SessionServices
    from console.ui.board_preview import BoardPreview
    from console.ui.doors import DoorsPanel
    from console.ui.workspace import Workspace

__all__ = ["ConsoleApp", "Options", "StartupError", "build_parser", "main", "parse_args", "run_console"]

log = logging.getLogger(__name__)

DEMO_POLL_INTERVAL = 3.0  # livelier than a real server's 10 s; the simulator does not mind
SELF_TEST_TIMEOUT = 45.0
UNATTENDED_PROBE_TIMEOUT = 5.0  # --self-test/--screenshot against a silent server: the whole run fails in < 10 s
FIRST_POLL_HEAD_START = 0.002  # seconds the first poll's request gets to leave before the doors panel is built
FIRST_TILES_WAIT = 0.5  # a first start waits this long at most for the board's first poll before building the panel
REST_AFTER_SECONDS = 5.0  # the other panels wait this long at most for the board's first poll
REST_PAINT_DELAY = 0.15  # and then this long, so that the board's first tiles are painted before


class StartupError(Exception):
    """The console cannot start as asked (shown or printed as is: it is written for the operator)."""


class _SignalHandlers:
    """SIGINT/SIGTERM call ``callback`` on the loop's thread, like closing the window.

    The qasync loop on Unix supports ``add_signal_handler`` (a wakeup fd the Qt loop watches); elsewhere,
    ``signal.signal`` plus a QTimer tick lets Python run the handler while Qt sits in its C++ loop.
    """

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self, loop: asyncio.AbstractEventLoop, callback: Callable[[], None]) -> None:
        self._loop = loop
        self._installed: list[signal.Signals] = []
        self._previous: dict[signal.Signals, Any] = {}
        self._timer: QTimer | None = None
        if threading.current_thread() is not threading.main_thread():
            return
        for sig in self.SIGNALS:
            try:
                loop.add_signal_handler(sig, callback)
                self._installed.append(sig)
            except (NotImplementedError, RuntimeError, ValueError):
                self._previous[sig] = signal.signal(sig, lambda *_: loop.call_soon_threadsafe(callback))
        if self._previous:
            self._timer = QTimer()
            self._timer.start(250)
            self._timer.timeout.connect(lambda: None)

    def remove(self) -> None:
        for sig in self._installed:
            with contextlib.suppress(Exception):
                self._loop.remove_signal_handler(sig)
        self._installed.clear()
        for sig, previous in self._previous.items():
            signal.signal(sig, previous)
        self._previous.clear()
        if self._timer is not None:
            self._timer.stop()
            self._timer = None


class ConsoleApp:
    """One run of the console. ``code = await ConsoleApp(qapp, options, paths).run()``."""

    def __init__(
        self,
        qapp: QApplication,
        options: Options,
        paths: Paths,
        *,
        tokens: TokenStore | None = None,
        configure_logging: bool = True,
        settings: Settings | None = None,
        window: MainWindow | None = None,
    ) -> None:
        self.qapp = qapp
        self.options = options
        self.paths = paths.ensure()
        self.settings = settings if settings is not None else Settings.load(paths.settings_file)
        self.tokens = tokens if tokens is not None else TokenStore()
        self.window: MainWindow | None = window  # built by console.ui.shell.build_window (here, or by the command)
        self.session: Session | None = None
        self.workspace: Workspace | None = None
        self.sim: Any = None  # demo mode: console.sim.SimulatorProcess (or SimulatorThread, Options.demo_process)
        self.training: QWidget | None = None  # the Training menu of demo mode
        self._rest: asyncio.Task[None] | None = None  # builds and starts the panels after the board
        self._preview: BoardPreview | None = None  # the last known board, shown until the doors panel is built
        self._window_finished = False  # shell.after_paint done (_finish_window)
        self._board_polled = asyncio.Event()  # set by the doors panel's first summary of a connection
        self.reporter: ErrorReporter | None = None
        self.reported_errors: list[str] = []  # what the error dialogs said (kept after shutdown for tests)
        self.summaries = 0  # summaries received from the doors panel (the self-test waits for one)
        self.last_summary: object = None
        self.exit_code = 0
        self._configure_logging = configure_logging
        self._log_path: Path | None = None
        self._quit: asyncio.Event | None = None
        self._signals: _SignalHandlers | None = None
        self._shutdown_started = False
        self._shutdown_done: asyncio.Event | None = None
        self._layout_ready = False  # the saved layout was applied: saving at exit cannot lose it
        self.ready = False  # start() has finished: connected (or not) and every panel started
        self._connect_lock = asyncio.Lock()
        self._asking_token = False
        self._operator = options.operator or self.settings.operator or os_user()
        self.data_lock: DataDirLock | None = None  # one console per data directory (taken by run())
        self._settings_aside_said = False
        self.set_aside_said: list[str] = []  # what was said about damaged files set aside (tests read it)

    @property
    def panel(self) -> DoorsPanel | None:
        """The doors panel of the current session (the status bar and the self-test stand on it)."""
        return self.workspace.doors if self.workspace is not None else None

    # -- life cycle ------------------------------------------------------------------------------

    async def run(self) -> int:
        """Start, connect, and run until the window is closed; returns the exit code.

        A quit request (window closed, Ctrl+Q, SIGINT/SIGTERM) ends the run at any point, even while the
        first-start dialog is open or a self-test is still waiting for its poll.
        """
        self._quit = asyncio.Event()
        self._shutdown_done = asyncio.Event()
        try:  # a full or read-only data folder: one clear message naming it, before anything is opened
            if self.data_lock is None:  # the command checked the folders and took it before painting the window
                check_writable(self.paths.data_dir, self.paths.config_dir, self.paths.log_dir)  # (console.ui.launch:
                self.data_lock = DataDirLock.acquire(self.paths.data_dir)  # its three fsyncs are not made twice)
        except (FolderNotWritable, DataDirBusy) as exc:  # a second console on the same data: refused before it
            # touches anything; an unwritable data folder: said before any file fails on its own
            print(f"cvsecurity-console: {exc}", file=sys.stderr)  # its logging is not set up (nor its log file)
            self.exit_code = 1
            if self.options.interactive:
                await aio.message(None, "CVSecurity console", str(exc), icon=QMessageBox.Icon.Warning)
            return self.exit_code
        work = asyncio.ensure_future(self._work())
        quit_wait = asyncio.ensure_future(self._quit.wait())
        try:
            await asyncio.wait({work, quit_wait}, return_when=asyncio.FIRST_COMPLETED)
            if not work.done():
                work.cancel()
                if not self.options.interactive:
                    self._fail("interrupted before the run was complete")
            await asyncio.gather(work, return_exceptions=True)
            if not work.cancelled():
                work.result()  # raises what ended the work
        except StartupError as exc:
            self._fail(str(exc))
        except Exception as exc:
            log.exception("the console failed")
            self.write_crash_report(exc, "the console failed")
            self._fail(f"the console failed: {type(exc).__name__}: {exc}")
        finally:
            quit_wait.cancel()
            await self.shutdown()
        return self.exit_code

    async def _work(self) -> None:
        await self.start()
        if self.options.self_test:
            self.exit_code = await self.self_test()
        elif self.options.screenshot:
            self.exit_code = await self.take_screenshot(Path(self.options.screenshot))
        else:
            assert self._quit is not None
            await self._quit.wait()

    def write_crash_report(self, exc: BaseException, context: str) -> Path | None:
        """A crash report in the data directory (offered for support at the next start); None if unwritable."""
        try:
            path = crash.write_report(self.paths.data_dir, (type(exc), exc, exc.__traceback__), context=context,
                                      versions=build_versions(), log_file=self._log_path)
        except OSError:
            log.exception("the crash report could not be written")
            return None
        log.error("crash report written: %s", path)
        return path

    def _fail(self, reason: str) -> None:
        log.error("%s", reason)
        print(f"cvsecurity-console: {redact(reason)}", file=sys.stderr)
        self.exit_code = 1

    async def start(self) -> None:
        """Everything up to a started doors panel (or the 'not connected' placeholder)."""
        if self._quit is None:  # start() without run(): tests
            self._quit = asyncio.Event()
            self._shutdown_done = asyncio.Event()
        if self._configure_logging:
            self._log_path = setup_logging(self.paths.log_dir, stderr=self.options.log_stderr)
        if self.data_lock is not None and self.data_lock.stale is not None:
            log.warning("%s", stale_words(self.data_lock.stale, self.data_lock.holder))
        log.info("console %s starting; config %s, logs %s", console.__version__, self.paths.config_dir,
                 self.paths.log_dir)
        if self.options.demo:
            self._launch_demo()  # its process boots on the other core while the window is built and imports run
        self.qapp.setQuitOnLastWindowClosed(False)
        self.qapp.aboutToQuit.connect(self.request_quit)  # may fire more than once: request_quit is idempotent
        self._signals = _SignalHandlers(asyncio.get_running_loop(), self.request_quit)
        window = self.window
        built_here = window is None
        if window is None:  # the command built and painted it already (console.ui.launch); tests start here
            self.window = window = build_window(self.qapp, self.options, self.settings, self._operator, self.paths)
        self.reporter = ErrorReporter(lambda: self.window, log_file=str(self._log_path or ""),
                                      crash_writer=self.write_crash_report)
        self.reporter.install()
        self.reported_errors = self.reporter.reported
        self._wire(window)
        _geometry, state = self.settings.window_state()
        if built_here and window.isVisible():
            await _painted(window)  # the shell on screen before the session's imports (issue 15)
        await self._show_last_board(window)  # the last known board, stale, before connecting (issue 15)
        aio.spawn(offer_crash_reports(window, self.paths, interactive=self.options.interactive), owner=window,
                  name="crash reports")

        if not (self.options.demo or self.options.server):  # a dialog may come (connections, token): menus first
            self._finish_window()
        target = await self._initial_target()
        if target is None:
            self._show_not_connected()
        else:
            await self.connect(*target)
        self._finish_window()
        rest = self._rest
        if rest is not None:  # every panel exists before the saved layout is applied to the docks
            await asyncio.wait({rest})  # (cancelled when the operator switched connections meanwhile)
            if not rest.cancelled() and rest.exception() is not None:
                raise rest.exception()  # type: ignore[misc]
        if self.sim is not None:
            self._add_training_menu(window)
        if state and not self.options.screenshot:
            window.restore_layout("", state)
        self._layout_ready = self.options.interactive  # screenshots and self-tests leave the layout alone
        self.ready = True
        if self.options.interactive and not self.options.demo and not self.options.operator and self.session:
            aio.spawn(self.ask_operator(), owner=window, name="shift start")

    def _expected_profile(self) -> str | None:
        """The name of the profile :meth:`_initial_target` will connect to, when it is known without asking
        anyone (no token read, no dialog): its snapshot is the board shown before connecting."""
        return expected_profile(self.options, self.settings)

    async def _show_last_board(self, window: MainWindow) -> None:
        """The last known board of the profile about to connect (its snapshot), every tile stale, painted before
        the connection's imports and probe (``console.ui.board_preview``); nothing when there is none."""
        from console.ui.board_preview import snapshot_exists

        profile = self._expected_profile()
        if profile is None or not snapshot_exists(self.paths, profile):
            return
        from console.ui.board_preview import BoardPreview

        try:
            preview = await BoardPreview.load(self.paths, self.settings, profile)
        except Exception:  # never fatal: the connection's board is seeded from the snapshot anyway
            log.exception("the last known board could not be shown")
            return
        if preview is None:
            return
        self._preview = preview
        window.add_panel(DOORS, "Doors and gates", preview, closable=False)
        if window.isVisible():
            await _painted(preview)  # on screen before the session's imports block the loop

    async def _show_first_tiles(self, services: SessionServices, window: MainWindow) -> None:
        """A first start's fresh tiles, painted before the doors panel is built (~40 ms of widgets), where the doors
        dock holds a placeholder ("Connecting…"; a switch of connections replaces the board at once): the board's
        first poll is waited for, at most FIRST_TILES_WAIT, and its tiles shown in a read-only board over the
        live :class:`~console.services.doors.DoorBoard` (:class:`~console.ui.board_preview.BoardPreview`, live),
        which the panel replaces. A server slower than that, or a failed poll, gets the panel at once, as before:
        its own empty state and error marks say what is going on."""
        board = services.doors.board
        polled: asyncio.Future[bool] = asyncio.get_running_loop().create_future()

        def heard(ok: bool) -> None:
            if not polled.done():
                polled.set_result(ok)

        undo = board.polled.connect(heard)
        try:
            ok = await asyncio.wait_for(polled, FIRST_TILES_WAIT)
        except TimeoutError:
            return
        finally:
            undo()
        if not ok or not len(board) or self.window is not window:
            return
        from console.ui.board_preview import BoardPreview

        try:
            preview = BoardPreview(board, self.settings, services.session.profile.name, live=True)
        except Exception:  # never fatal: the doors panel comes next and shows the same board
            log.exception("the first tiles could not be shown before the doors panel")
            return
        self._preview = preview
        window.add_panel(DOORS, "Doors and gates", preview, closable=False)
        await _painted(preview)

    def _drop_preview(self) -> None:
        preview, self._preview = self._preview, None
        if preview is not None:
            with contextlib.suppress(RuntimeError):  # its dock may be gone already
                preview.stop()

    def _add_training_menu(self, window: MainWindow) -> None:
        from console.ui.training import TrainingMenu

        self.training = TrainingMenu(self.sim, lambda text: window.status.showMessage(text, 10_000), window,
                                     on_clock=self._clock_moved)
        window.menuBar().insertMenu(window.menuBar().actions()[-1], self.training)  # before Help

    def _clock_moved(self) -> None:
        """The Training menu moved the simulated clock: every panel reads the server now."""
        if self.workspace is not None:
            self.workspace.refresh_now()

    def request_quit(self) -> None:
        """Close the console in order (window close, Ctrl+Q, SIGINT, SIGTERM, aboutToQuit)."""
        if self._quit is not None and not self._quit.is_set():
            log.info("quit requested")
            self._quit.set()

    async def shutdown(self) -> None:
        """Save the layout, stop panels, close the client and the simulator; idempotent."""
        if self._shutdown_started:
            if self._shutdown_done is not None:
                await self._shutdown_done.wait()
            return
        self._shutdown_started = True
        log.info("shutting down")
        window = self.window
        if window is not None:
            if self._layout_ready:
                with contextlib.suppress(RuntimeError):  # the C++ window may already be gone
                    self.settings.set_window_state(*window.save_layout())
            try:
                self.settings.save()
            except OSError as exc:
                log.warning("the settings could not be saved: %s", exc)
        await self._disconnect()
        await self._stop_simulator()
        current = asyncio.current_task()
        leftovers = [t for t in aio.running_tasks() if t is not current]
        for task in leftovers:
            task.cancel()
        if leftovers:
            await asyncio.wait(leftovers, timeout=5)
        if self._signals is not None:
            self._signals.remove()
            self._signals = None
        with contextlib.suppress(RuntimeError, TypeError):
            self.qapp.aboutToQuit.disconnect(self.request_quit)
        if self.reporter is not None:
            self.reporter.uninstall()  # restores the hooks and closes open error boxes
            self.reporter.deleteLater()
            self.reporter = None
        if window is not None:
            with contextlib.suppress(RuntimeError):
                window.close_for_good()
                window.deleteLater()
            self.window = None
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        if self.data_lock is not None:
            self.data_lock.release()
            self.data_lock = None
        log.info("stopped")
        if self._configure_logging:
            shutdown_logging()
        if self._shutdown_done is not None:
            self._shutdown_done.set()

    def _finish_window(self) -> None:
        """What the window's first frame did not need (``shell.after_paint``: the menus' actions and shortcuts,
        its icon), once: when the console first waits on the server (its first poll is out), or before a dialog
        may come; ~3 ms the first fresh tiles do not wait for (issue 15)."""
        if self._window_finished or self.window is None:
            return
        self._window_finished = True
        with contextlib.suppress(RuntimeError):  # the C++ window is gone already (a quit during the start)
            after_paint(self.window)

    def _board_picture(self, services: SessionServices) -> Callable[[], object] | None:
        """The board of ``services`` as the doors dock shows it now (the doors panel's, or a first start's first
        tiles), taken for the next start's first paint, and the call that keeps it (``BoardSnapshot.picture``;
        ``console.ui.board_picture``); None when that board is not on screen, not live or not whole (no good
        poll yet, a tile stale)."""
        window = self.window
        board = services.doors.board
        try:
            shown = window.panel(DOORS) if window is not None and window.isVisible() else None
            view = getattr(shown, "view", None)
            if getattr(shown, "board", None) is not board or view is None or not view.isVisible():
                return None  # a placeholder, the snapshot's stale preview, or another connection's board
            items = board.items
            if board.last_ok is None or not items or any(item.stale for item in items):
                return None
            from console.ui import board_picture

            image = view.grab().toImage()
            profile = services.session.profile.name
            newest = max((item.updated_at for item in items if item.updated_at is not None), default=None)
            words = board_picture.banner_words(profile, newest)
            banner = board_picture.banner_image(words, round(image.width() / image.devicePixelRatio()))
        except RuntimeError:  # the C++ widgets are gone already
            return None
        palette = theme.current()
        return functools.partial(board_picture.save_picture, image, banner,
                                 board_picture.picture_path(self.paths, profile), palette.name, words,
                                 palette.color("window"), palette.color("text"))

    # -- connecting ------------------------------------------------------------------------------

    async def _initial_target(self) -> tuple[Profile, str] | None:
        opts = self.options
        if opts.demo:
            return await self.start_demo()
        if opts.server:
            return await self._server_target(opts.server)
        if opts.profile:
            profile = self.settings.profile(opts.profile)
            if profile is None:
                raise StartupError(f"there is no saved connection named {opts.profile!r}")
            return await self._with_token(profile)
        profiles = self.settings.profiles
        name = self.settings.last_profile
        profile = self.settings.profile(name) if name else (profiles[0] if len(profiles) == 1 else None)
        if profile is not None:
            return await self._with_token(profile)
        if profiles and opts.interactive:
            return await self.choose_connection()
        if not opts.interactive:
            raise StartupError("no connection is configured: use --demo, --server URL or --profile NAME")
        return await self.first_start()

    def _override(self, profile: Profile) -> Profile:
        if self.options.poll_interval is not None:
            return dataclasses.replace(profile, poll_interval=self.options.poll_interval)
        return profile

    async def _server_target(self, url: str) -> tuple[Profile, str] | None:
        saved = self.settings.profile(self.options.profile) if self.options.profile else None
        saved = saved or next((p for p in self.settings.profiles if p.url.rstrip("/") == url.rstrip("/")), None)
        try:
            if saved is not None:
                profile = dataclasses.replace(saved, url=url.rstrip("/"))
            else:
                profile = Profile(name=self.options.profile or urlsplit(url).netloc or url, url=url.rstrip("/"))
        except ValueError as exc:
            raise StartupError(f"--server {url!r}: {exc}") from None
        return await self._with_token(profile)

    async def _with_token(self, profile: Profile) -> tuple[Profile, str] | None:
        """The profile (interval override applied) and its token: CVSEC_TOKEN, else the keyring, else asked.

        A token given in the environment is this run's explicit choice (an unattended desk, a test bench): it wins
        over one kept in the keyring, which is then not asked at all (nor ``keyring`` imported: ~20 ms of a start
        with its backends found through entry points)."""
        profile = self._override(profile)
        token = os.environ.get(TOKEN_ENV, "").strip()
        if token:
            self.tokens.remember(profile.name, token)
        else:
            token = await self.tokens.get(profile.name) or ""
        if token:
            return profile, token
        if not self.options.interactive:
            raise StartupError(f"no access token for {profile.name!r}: store it in the keyring (Connections "
                               f"dialog) or set {TOKEN_ENV}")
        from console.ui.connection import edit_profile  # the connection dialogs load when one is needed

        result = await edit_profile(self.window, self.settings, self.tokens, profile=profile)
        return result if isinstance(result, tuple) else None

    async def first_start(self) -> tuple[Profile, str] | None:
        from console.ui.connection import DEMO, edit_profile

        result = await edit_profile(self.window, self.settings, self.tokens, first_start=True)
        if result == DEMO:
            return await self.start_demo()
        return result if isinstance(result, tuple) else None

    async def choose_connection(self) -> tuple[Profile, str] | None:
        current = self.session.profile.name if self.session else self.settings.last_profile
        from console.ui.connection import ProfilesDialog

        dialog = ProfilesDialog(self.settings, self.tokens, current=current, parent=self.window)
        try:
            await aio.dialog_result(dialog)
            return dialog.chosen
        finally:
            dialog.deleteLater()

    def _launch_demo(self) -> Any:
        """The demo simulator's process, launched (not waited for); None when it runs in a thread instead."""
        from console.sim import process

        if isinstance(self.sim, process.SimulatorProcess):  # launched by the command before the first paint
            return self.sim
        if self.sim is not None:
            return None
        try:
            self.sim = launch_demo_simulator(self.options)  # stopped at shutdown even if the start is interrupted
        except OSError as exc:
            self.sim = None
            log.warning("the demo simulator's process could not be started (%s): it runs in a thread", exc)
        return self.sim

    async def _demo_ready(self, child: Any) -> None:
        """Until demo mode's simulator is ready; a simulator that stops on the way is reported (the board, built
        meanwhile, would only say it cannot reach it)."""
        try:
            await asyncio.to_thread(child.wait_ready)
        except RuntimeError as exc:
            aio.report(exc, "the demo simulator stopped while starting")

    async def start_demo(self) -> tuple[Profile, str]:
        """Start the simulator on an ephemeral loopback port with a random token: in its own process (it never
        competes with the console for the GIL; it ends with the console), else in a thread of this one."""
        child = self._launch_demo()
        if (child is None and self.sim is not None) or (child is not None and child.ready_line):
            raise StartupError("the demo simulator is already running")
        site = self.options.demo_site
        rate = DEMO_EVENT_RATE.get(site, 1.0)
        if child is not None:
            try:
                _import_session_parts()  # while the child boots on another core
                # its address comes before it is ready (it listens already): the board is built meanwhile, and the
                # first poll is answered once the simulator is up
                base_url = await asyncio.to_thread(child.wait_address)
            except RuntimeError as exc:
                raise StartupError(f"the demo simulator could not start: {exc}") from None
            if self.window is not None:  # one that fails after saying its address is still said so
                aio.spawn(self._demo_ready(child), owner=self.window, name="demo simulator")
            token = child.token
            register_secret(token)
            log.info("demo simulator (%s site) at %s, process %s", site, base_url, child.pid)
        else:
            import secrets as pysecrets

            from console.sim import SimConfig, SimulatorThread

            token = pysecrets.token_urlsafe(24)
            register_secret(token)
            sim = SimulatorThread(SimConfig(token=token, site=site, event_rate=rate))
            base_url = await asyncio.to_thread(sim.start)
            self.sim = sim
            log.info("demo simulator (%s site) at %s", site, base_url)
        interval = self.options.poll_interval or DEMO_POLL_INTERVAL
        profile = Profile(name=DEMO_PROFILE, url=str(base_url), poll_interval=interval)
        self.tokens.remember(profile.name, token)
        return profile, token

    async def _stop_simulator(self) -> None:
        sim, self.sim = self.sim, None
        if sim is not None:
            try:
                await asyncio.to_thread(sim.stop)
            except Exception:
                log.exception("the simulator did not stop cleanly")

    async def _probe(self, profile: Profile, token: str, client: Any) -> ProbeResult:
        """The connection check; an unattended run gives a silent server UNATTENDED_PROBE_TIMEOUT seconds."""
        if self.options.interactive:
            return await probe(profile, token, client=client)
        try:
            return await asyncio.wait_for(probe(profile, token, client=client), UNATTENDED_PROBE_TIMEOUT)
        except TimeoutError:
            await client.aclose()
            raise StartupError(f"the server at {profile.url} did not answer within {UNATTENDED_PROBE_TIMEOUT:.0f} s "
                               "(is the address right, and is the server running?)") from None

    async def connect(self, profile: Profile, token: str) -> None:
        """Replace the current session (if any) with one for ``profile`` and start the doors panel."""
        async with self._connect_lock:
            register_secret(token)
            await self._disconnect()
            window = self.window
            assert window is not None
            from console.services.session_services import SessionServices  # after the window's first paint
            from console.ui.workspace import Workspace

            try:
                client = profile.client(token)
            except CVSecError as exc:  # the connection's CA file is missing or unreadable: said, nothing sent
                if not self.options.interactive:
                    raise StartupError(f"cannot connect to {profile.name!r}: {exc}") from None
                self._show_not_connected()
                aio.spawn(aio.message(window, "Connection problem", f"Cannot connect to {profile.name!r}: {exc}.",
                                      icon=QMessageBox.Icon.Warning), owner=window, name="client")
                return
            if self.sim is None or profile.name != DEMO_PROFILE:  # our own simulator needs no check
                try:
                    check = await self._probe(profile, token, client)
                except asyncio.CancelledError:  # a quit while it probes: its connections closed, not left behind
                    await client.aclose()
                    raise
                if not check.ok and (check.kind != "unreachable" or not self.options.interactive):
                    # unreachable: start anyway, the pollers reconnect when the server comes back
                    if not self.options.interactive:
                        await client.aclose()
                        raise StartupError(check.message)
                    aio.spawn(aio.message(window, "Connection problem", check.message), owner=window, name="probe")
            try:
                services = SessionServices.connect(profile, client, operator=self._operator, paths=self.paths,
                                                   settings=self.settings, rest=False)  # the board's first
            except Exception as exc:
                await client.aclose()
                if not self.options.interactive:
                    raise StartupError(f"the connection's services could not be started: {exc}") from exc
                aio.report(exc, "the connection's services could not be started (is the data folder writable?)")
                return
            self.session = session = services.session
            if services.snapshot is not None and not self.options.screenshot:  # the next start's first paint
                services.snapshot.picture = functools.partial(self._board_picture, services)
            if services.audit.problem and self.options.interactive:  # logged already; said once per connection
                aio.spawn(aio.message(window, "The audit log needs attention", services.audit.problem,
                                      icon=QMessageBox.Icon.Warning), owner=window, name="audit problem")
            window.setWindowTitle(f"CVSecurity console: {profile.name}")
            window.status.bind_session(session)
            window.status.bind_audit(services.audit)  # a permanent mark while the audit log has a problem
            session.health_changed.connect(functools.partial(self._token_check, services))
            workspace = Workspace(services, window)
            try:
                # the board's first poll asks for the states now; the short sleep lets the request leave first.
                # A restart's last known board is on screen: the panel is built while the server answers (a big
                # site's server takes 100 ms and more). A first start shows the first poll's tiles first.
                await services.start_doors()
                await asyncio.sleep(FIRST_POLL_HEAD_START)
                self._finish_window()  # while the server answers the first poll
                if self._preview is None and window.isVisible() and isinstance(window.panel(DOORS), PlaceholderPanel):
                    await self._show_first_tiles(services, window)  # (never over another connection's board)
                panel = workspace.build_doors()
            except asyncio.CancelledError:  # a quit while the board starts: its poller and client stopped, not left
                await services.stop()  # running behind a console that shuts down (the workspace is not kept yet)
                self.session = None
                self._drop_preview()
                raise
            except Exception as exc:
                await services.stop()
                self.session = None
                self._drop_preview()
                # the window stays: the status bar still tells the connection state, the error is shown
                window.add_panel(DOORS, "Doors and gates", PlaceholderPanel(
                    f"The doors panel could not be built: {type(exc).__name__}: {exc}"), closable=False)
                if not self.options.interactive:
                    raise StartupError(f"the doors panel could not be built: {exc}") from exc
                aio.report(exc, "the doors panel could not be built")
                return
            self._drop_preview()  # the doors panel took its place (its board seeded from the same snapshot)
            self.workspace = workspace
            self._board_polled = asyncio.Event()
            panel.summary_changed.connect(self._on_summary)
            if profile.name != DEMO_PROFILE and self.settings.profile(profile.name) is not None:
                self.settings.last_profile = profile.name
                self.settings.save()
            log.info("connected to %s (%s), polling every %g s", profile.name, profile.url, profile.poll_interval)
            await workspace.start()
            # the board first; the other panels (pyqtgraph, the journal...) once it has painted
            self._rest = aio.spawn(self._start_rest(workspace, self._board_polled), owner=window, name="panels")

    async def _start_rest(self, workspace: Workspace, board_polled: asyncio.Event) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(board_polled.wait(), REST_AFTER_SECONDS)
        # building the rest blocks the loop for a moment (imports, pyqtgraph): let the tiles paint first
        await asyncio.sleep(REST_PAINT_DELAY)
        if self.workspace is workspace:
            services = workspace.services
            services.build_rest()  # the journal, the desks: after the board's first tiles
            if self.sim is not None and services.session.profile.name == DEMO_PROFILE and services.spaces is not None:
                from console.ui.training import demo_clock

                services.spaces.use_clock(demo_clock(self.sim))  # the Training menu moves it (spaces panel)
            self._report_set_aside(services.set_aside)  # damaged files the connection set aside: one message
            await workspace.start_rest(aio.report if self.options.interactive else self._optional_failed)
            freeze_long_lived()  # full collections walk only newer objects: no 100 ms pauses at 10,000 doors
            resume_after_start()  # the command paused them for its start (gc_pauses.pause_for_start)

    async def _disconnect(self) -> None:
        rest, self._rest = self._rest, None
        if rest is not None and not rest.done():
            rest.cancel()
            await asyncio.gather(rest, return_exceptions=True)
        workspace, self.workspace = self.workspace, None
        self.session = None
        if workspace is not None:
            if workspace.doors is not None:
                with contextlib.suppress(RuntimeError, TypeError):
                    workspace.doors.summary_changed.disconnect(self._on_summary)
            snapshot = workspace.services.snapshot
            if snapshot is not None:  # the last good poll on disk, and its picture, while the board is on screen
                await snapshot.flush()
                snapshot.picture = None
            await workspace.stop()  # the panels, then the services (pollers, files, the client)
        if self.window is not None:
            with contextlib.suppress(RuntimeError):
                self.window.status.bind_session(None)

    def _token_check(self, services: SessionServices, _health: object = None) -> None:
        """The server refused the token: the pollers halted; ask the operator for a new one (once at a time)."""
        if not services.session.token_refused or not self.options.interactive or self._asking_token:
            return
        if self.workspace is None or self.workspace.services is not services or self.window is None:
            return
        self._asking_token = True
        aio.spawn(self.ask_new_token(services), owner=self.window, name="new token")

    async def ask_new_token(self, services: SessionServices) -> None:
        """The "token refused" prompt: a new token goes to the keyring and every poller starts again."""
        profile = services.session.profile
        dialog = QInputDialog(self.window)
        dialog.setWindowTitle("Access token refused")
        dialog.setLabelText(f"The server of {profile.name!r} refused the access token, so the console stopped "
                            "asking it for anything.\nEnter a new token (it is kept in the system keyring):")
        dialog.setTextEchoMode(QLineEdit.EchoMode.Password)
        dialog.setInputMode(QInputDialog.InputMode.TextInput)
        try:
            accepted = await aio.dialog_result(dialog) == QInputDialog.DialogCode.Accepted
            token = dialog.textValue().strip()
        finally:
            dialog.deleteLater()
            self._asking_token = False
        if not accepted or not token or self.workspace is None or self.workspace.services is not services:
            return
        register_secret(token)
        self.tokens.remember(profile.name, token)
        services.new_token(token)
        log.info("a new access token was entered for %s", profile.name)

    def _report_set_aside(self, found: list[SetAside]) -> None:
        """Damaged files renamed with the time and started afresh: one message with their paths (issue 14).

        On the doors panel's banner (it stays until dismissed), else in the status bar; the settings file's is
        said with the first connection's (or alone, when there is none). Each was logged when it was set aside.
        """
        if self.settings.set_aside is not None and not self._settings_aside_said:
            found = [self.settings.set_aside, *found]
            self._settings_aside_said = True
        if not found or self.window is None:
            return
        text = set_aside_words(found)
        self.set_aside_said.append(text)
        panel = self.panel
        if panel is not None:
            panel.banner.show_message("warn", text, seconds=0)
        else:
            self.window.status.showMessage(f"⚠ {text}")

    def _show_not_connected(self) -> None:
        self._drop_preview()
        self._report_set_aside([])
        if self.window is not None:
            self.window.add_panel(DOORS, "Doors and gates", PlaceholderPanel(
                "Not connected.\nConsole > Connections… (Ctrl+K) to connect to a server, "
                "or start the console with --demo."), closable=False)
            self.window.status.bind_session(None)

    def _optional_failed(self, exc: BaseException, context: str) -> None:
        raise StartupError(f"{context}: {type(exc).__name__}: {exc}") from exc

    def _on_summary(self, summary: object) -> None:
        self._board_polled.set()
        self.summaries += 1
        self.last_summary = summary
        if self.window is not None:
            self.window.status.set_summary(summary)

    # -- operator actions ------------------------------------------------------------------------

    def _wire(self, window: MainWindow) -> None:
        window.close_requested.connect(self.request_quit)
        window.refresh_requested.connect(self.refresh_now)
        window.filter_requested.connect(self.focus_filter)
        window.theme_toggle_requested.connect(self.toggle_theme)
        window.connections_requested.connect(self._on_connections)
        window.shift_requested.connect(self._on_shift)
        window.shortcuts_requested.connect(self._on_shortcuts)
        window.about_requested.connect(self._on_about)
        window.audit_requested.connect(self._on_audit)
        window.handover_requested.connect(self._on_handover)

    def refresh_now(self) -> None:
        """F5: every panel and every poller of the connection asks the server now."""
        if self.workspace is not None:
            self.workspace.refresh_now()

    def _focused_panel(self) -> Panel | None:
        """The panel holding the keyboard focus, else the doors panel."""
        focus = self.qapp.focusWidget()
        for panel in self.workspace.panels if self.workspace is not None else ():
            if focus is not None and (_same(focus, panel) or panel.isAncestorOf(focus)):
                return panel
        return self.panel

    def focus_filter(self) -> None:
        """Ctrl+F: the filter of the panel that has the focus (its dock raised first)."""
        target = self._focused_panel()
        if target is None:
            return
        dock = next((d for d in self.window.docks() if _same(d.widget(), target)), None) if self.window else None
        if dock is not None:
            dock.show()
            dock.raise_()
        target.focus_filter()

    def toggle_theme(self) -> None:
        name = "light" if theme.current().name == "dark" else "dark"
        theme.apply_theme(self.qapp, name)
        self.settings.theme = name
        if self.window is not None:
            self.window.set_theme_checked(name)
        if self.workspace is not None:
            self.workspace.apply_theme()
        with contextlib.suppress(OSError):
            self.settings.save()

    def set_operator(self, name: str) -> None:
        name = " ".join(name.split())[:80]
        if not name:
            return
        self._operator = name
        if self.workspace is not None:
            self.workspace.set_operator(name)  # the services (session, audit, alarms, desk), then the panels
        if self.window is not None:
            self.window.status.set_operator(name)
        self.settings.operator = name
        with contextlib.suppress(OSError):
            self.settings.save()
        log.info("operator on duty: %s", name)

    @property
    def operator(self) -> str:
        return self._operator

    async def ask_operator(self) -> str | None:
        """The shift-start prompt: who is on duty (default: the last operator, else the OS user)."""
        dialog = QInputDialog(self.window)
        dialog.setWindowTitle("Start of shift")
        dialog.setLabelText("Operator on duty (written to the audit log with every command):")
        dialog.setTextValue(self._operator)
        dialog.setInputMode(QInputDialog.InputMode.TextInput)
        try:
            if await aio.dialog_result(dialog) != QInputDialog.DialogCode.Accepted:
                return None
            name = dialog.textValue()
        finally:
            dialog.deleteLater()
        self.set_operator(name)
        if self.workspace is not None:  # the shift log: who started a shift, when (the handover report lists it)
            from console.ui import desk_actions

            desk_actions.record_shift_start(self.workspace, self._operator)
        return self._operator

    async def connections(self) -> None:
        target = await self.choose_connection()
        if target is not None:
            await self.connect(*target)

    async def show_shortcuts(self) -> None:
        """F1: every shortcut, read from the window's actions themselves (console/ui/keys.py)."""
        from console.ui import desk_actions

        if self.window is not None:
            await desk_actions.show_shortcuts(self.window)

    async def show_audit(self) -> None:
        from console.ui import desk_actions

        if self.window is not None:
            await desk_actions.show_audit(self.window, lambda: self.workspace)

    async def show_handover(self) -> None:
        from console.ui import desk_actions

        if self.window is not None:
            await desk_actions.show_handover(self.window, lambda: self.workspace)

    async def show_about(self) -> None:
        await aio.message(self.window, "About", about_text(self.paths, self._log_path))

    _on_connections = aio.slot(connections)
    _on_shift = aio.slot(ask_operator)
    _on_shortcuts = aio.slot(show_shortcuts)
    _on_about = aio.slot(show_about)
    _on_audit = aio.slot(show_audit)
    _on_handover = aio.slot(show_handover)

    # -- unattended runs -------------------------------------------------------------------------

    async def wait_first_poll(self, timeout: float = SELF_TEST_TIMEOUT) -> None:
        """Until the doors panel has completed a poll; ``StartupError`` with the reason otherwise."""
        deadline = time.monotonic() + timeout
        while True:
            session = self.session
            if session is None or self.panel is None:
                raise StartupError("not connected: the doors panel is not running")
            if session.last_ok is not None and self.summaries > 0:
                return
            if session.token_refused:
                raise StartupError(f"the server refused the access token: {session.last_error}")
            if session.health is Health.OFFLINE and session.failures >= session.offline_after:
                raise StartupError(f"the server did not answer: {session.last_error}")
            if time.monotonic() > deadline:
                reason = session.last_error or "no poll completed"
                raise StartupError(f"no complete poll within {timeout:.0f} s ({reason})")
            await asyncio.sleep(0.05)

    async def self_test(self) -> int:
        await self.wait_first_poll()
        if not self.qapp.styleSheet():
            raise StartupError("the stylesheet is missing: the resources folder was not found")
        panel = self.panel
        assert panel is not None
        assert self.session is not None
        pixmap = panel.grab()
        if pixmap.isNull() or pixmap.width() < 10 or pixmap.height() < 10:
            raise StartupError("the doors panel did not render")
        from console.ui.bundle_check import NativePartMissing, check_native_parts

        try:
            native = check_native_parts()
        except NativePartMissing as exc:
            raise StartupError(str(exc)) from None
        parking = await self._self_test_parking()
        spaces = await self._self_test_spaces()
        people = await self._self_test_people()
        if self._rest is not None:  # the rest of the start (the other panels started, the collector back on)
            await asyncio.wait({self._rest}, timeout=SELF_TEST_TIMEOUT)
        print(f"self-test ok: {self.session.profile.url} answered; {self.last_summary}; "
              f"doors panel rendered {pixmap.width()}x{pixmap.height()}; {parking}; {spaces}; {people}; {native}")
        return 0

    async def _self_test_parking(self, timeout: float = SELF_TEST_TIMEOUT) -> str:
        """The parking panel is built (after the board) and renders; one read of the car parks (2.41.1...)."""
        deadline = time.monotonic() + timeout
        while self.workspace is not None and self.workspace.parking is None:
            if (self._rest is not None and self._rest.done()) or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.05)
        panel = self.workspace.parking if self.workspace is not None else None
        if panel is None:
            raise StartupError("the parking panel was not built")
        try:
            await panel.desk.load_base()
        except CVSecError as exc:
            raise StartupError(f"the parking lots could not be read: {exc}") from None
        panel.show_lots()
        pixmap = panel.grab()
        if pixmap.isNull() or pixmap.width() < 10:
            raise StartupError("the parking panel did not render")
        return f"parking panel rendered, {len(panel.desk.areas)} car parks read"

    async def _self_test_spaces(self, timeout: float = SELF_TEST_TIMEOUT) -> str:
        """The spaces panel is built and renders; one read of the spaces and the day's bookings (2.43.1, 2.46.1)."""
        deadline = time.monotonic() + timeout
        while self.workspace is not None and self.workspace.spaces is None:
            if (self._rest is not None and self._rest.done()) or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.05)
        panel = self.workspace.spaces if self.workspace is not None else None
        if panel is None:
            raise StartupError("the spaces panel was not built")
        try:
            await panel.desk.refresh()
        except CVSecError as exc:
            raise StartupError(f"the space bookings could not be read: {exc}") from None
        pixmap = panel.grab()
        if pixmap.isNull() or pixmap.width() < 10:
            raise StartupError("the spaces panel did not render")
        return f"spaces panel rendered, {len(panel.desk.spaces)} spaces and {len(panel.desk.bookings)} bookings read"

    async def _self_test_people(self, timeout: float = SELF_TEST_TIMEOUT) -> str:
        """The People panel is built and renders; one read of the person list (2.14.12)."""
        deadline = time.monotonic() + timeout
        while self.workspace is not None and self.workspace.people is None:
            if (self._rest is not None and self._rest.done()) or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.05)
        panel = self.workspace.people if self.workspace is not None else None
        if panel is None:
            raise StartupError("the people panel was not built")
        try:
            people, total = await panel.desk.page(page_no=1, page_size=10)
        except CVSecError as exc:
            raise StartupError(f"the person list could not be read: {exc}") from None
        pixmap = panel.grab()
        if pixmap.isNull() or pixmap.width() < 10:
            raise StartupError("the people panel did not render")
        return f"people panel rendered, {total if total is not None else len(people)} people on the server"

    async def take_screenshot(self, path: Path) -> int:
        await self.wait_first_poll()
        await asyncio.sleep(0.3)  # let the first repaint of the tiles land before grabbing
        assert self.window is not None
        path.parent.mkdir(parents=True, exist_ok=True)
        if not self.window.grab().save(str(path), "PNG"):
            raise StartupError(f"could not write the screenshot {path}")
        print(f"screenshot saved: {path}")
        return 0


def _import_session_parts() -> None:
    """Import what a connection needs (httpx, the API models, the services, the doors panel): after the window's
    first paint, and in demo mode while the simulator's process boots."""
    import console.services.session_services
    import console.ui.doors.panel
    import console.ui.workspace  # noqa: F401


async def _painted(window: QWidget, timeout: float = PAINT_WAIT) -> None:
    """Until ``window`` (or a widget in it) has painted once, at most ``timeout`` seconds (a hidden window never
    paints: minimised, another desktop)."""
    done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def painted() -> None:
        if not done.done():
            done.set_result(None)

    watch = PaintWatch(window, painted)
    try:
        await asyncio.wait_for(done, timeout)
    except TimeoutError:
        pass
    finally:
        watch.remove()


def _same(a: object, b: object) -> bool:
    """``a is b`` for a widget and a :class:`Panel` (mypy cannot see that a panel is a widget)."""
    return a is b


# -- the program ---------------------------------------------------------------------------------


def run_console(qapp: QApplication, options: Options, paths: Paths, *, settings: Settings | None = None,
                window: MainWindow | None = None, data_lock: DataDirLock | None = None, sim: Any = None) -> int:
    """The console on a qasync loop until it ends; its exit code. ``window`` (painted already), ``data_lock`` and
    ``sim`` (demo mode's simulator process, booting) are what :func:`console.ui.launch.main` did before the
    heavy imports; each is otherwise made here."""
    loop = aio.create_loop(qapp)
    app = ConsoleApp(qapp, options, paths, settings=settings, window=window)
    app.data_lock = data_lock
    app.sim = sim
    loop.call_later(START_PAUSE_MAX, resume_after_start)  # a start that never gets that far (a dialog, no server)
    try:
        code = int(loop.run_until_complete(app.run()))
    except RuntimeError as exc:  # Qt quit underneath us (session logout): still clean up
        log.warning("the event loop stopped early (%s); cleaning up", exc)
        loop.run_until_complete(app.shutdown())
        code = app.exit_code
    except KeyboardInterrupt:
        loop.run_until_complete(app.shutdown())
        code = 130
    finally:
        loop.close()
        asyncio.set_event_loop(None)
    return code
