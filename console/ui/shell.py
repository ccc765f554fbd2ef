"""The window before the session: themed, laid out as it was left, painted before the heavy imports (issue 15).

:func:`build_window` is the part of the start-up an operator sees first: the main window with its menus, the
status bar (operator, "Connecting…") and the doors dock's placeholder, at the saved size. The command
(:mod:`console.ui.launch`) builds and paints it before asyncio, qasync, httpx, the API models and the services
are imported; :class:`console.ui.app.ConsoleApp` then takes it over (or builds it itself when a test starts it
without the command). This module stays light: PySide6, the theme, the window and the settings, nothing else.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from console import resources
from console.ui import startmarks, theme
from console.ui.main_window import MainWindow, PlaceholderPanel

if TYPE_CHECKING:
    from console.services.paths import Paths
    from console.services.settings import Settings
    from console.ui.board_picture import Picture
    from console.ui.cli import Options

__all__ = ["DOORS", "PAINT_WAIT", "PaintWatch", "after_paint", "build_window", "wait_painted"]

DOORS = "doors"
PAINT_WAIT = 1.0  # start-up waits at most this long for the window's first paint before importing the rest


def build_window(qapp: QApplication, options: Options, settings: Settings, operator: str,
                 paths: Paths | None = None) -> MainWindow:
    """The main window, themed, at its saved geometry, shown (full screen in kiosk mode). The doors dock holds the
    picture of the last board of the profile about to connect when there is one (with ``paths``:
    :mod:`console.ui.board_picture`), else a "Connecting…" placeholder. The saved dock layout
    (``settings.window_state()[1]``) is applied later, once every panel exists.
    """
    picture = None
    if paths is not None:
        from console.ui.board_picture import read_picture

        picture = read_picture(options, settings, paths)
    theme.apply_theme(qapp, options.theme or settings.theme)
    window = MainWindow(menus=bool(options.kiosk))  # (their actions once it is on screen: after_paint)
    window.set_theme_checked(theme.current().name)
    window.status.set_operator(operator)
    window.add_panel(DOORS, "Doors and gates", _first_board(picture), closable=False)
    geometry, _state = settings.window_state()
    if options.screenshot:
        window.resize(1440, 900)
    elif geometry:
        window.restore_layout(geometry, "")
    else:  # first start: most of the screen, the board needs the room
        screen = qapp.primaryScreen()
        if screen is not None:
            area = screen.availableGeometry()
            window.resize(int(area.width() * 0.9), int(area.height() * 0.9))
            window.move(area.center() - window.rect().center())
    if options.kiosk and not options.screenshot:
        window.fullscreen_action.setChecked(True)  # full screen, F11 leaves it
    else:
        window.show()
    return window


def _first_board(picture: Picture | None) -> QWidget:
    """The picture of the last board, or the "Connecting…" placeholder."""
    if picture is None:
        return PlaceholderPanel("Connecting…")
    from console.ui.board_picture import BoardPicture

    return BoardPicture(picture)


def after_paint(window: MainWindow) -> None:
    """What the window's first frame does not show, done once it is on screen: the menus' actions and shortcuts
    (their titles are in the first frame) and the window's icon (the title bar's and the task bar's): ~3 ms of
    PySide6 classes (QAction, QKeySequence, QIcon and their enums) before the first paint otherwise."""
    from PySide6.QtGui import QIcon

    window.build_menus()
    with contextlib.suppress(FileNotFoundError):
        window.set_icon(QIcon(str(resources.path("icons", "app.svg"))))


class PaintWatch(QObject):
    """Calls ``on_paint`` at the first paint of ``window`` or of a widget in it; :meth:`remove` when done.
    :func:`wait_painted` waits with it before the asyncio loop exists, ``console.ui.app._painted`` on it."""

    def __init__(self, window: QWidget, on_paint: Callable[[], None], parts: Sequence[QWidget] | None = None) -> None:
        """``parts``: the widgets watched besides ``window`` (every widget in it by default: each gets a Python
        wrapper, and PySide6 builds the class of each kind met, ~2 ms for the main window's internals)."""
        super().__init__(window)
        self._on_paint: Callable[[], None] | None = on_paint
        self._targets = [window, *(window.findChildren(QWidget) if parts is None else parts)]
        for widget in self._targets:
            widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and self._on_paint is not None:
            on_paint, self._on_paint = self._on_paint, None
            on_paint()
        return False

    @property
    def painted(self) -> bool:
        return self._on_paint is None

    def remove(self) -> None:
        for widget in self._targets:
            with contextlib.suppress(RuntimeError):  # a widget deleted meanwhile
                widget.removeEventFilter(self)
        self._targets.clear()
        self.deleteLater()


def wait_painted(window: QWidget, timeout: float = PAINT_WAIT) -> bool:
    """Run Qt's loop until ``window`` (or a widget in it) has painted once, at most ``timeout`` seconds (a
    hidden window never paints: minimised, another desktop); True if it painted. No coroutine runs here (the
    asyncio loop does not exist yet): only before :func:`console.ui.aio.create_loop`."""
    if not window.isVisible():
        return False
    loop = QEventLoop()

    def painted() -> None:
        startmarks.mark("shell")  # the main window's first paint (a start-up benchmark listens)
        loop.quit()

    # the main window paints first (its styled background), then its menu bar, status bar and docks: watched
    parts = [window.menuBar(), window.status, *(d.widget() for d in window.docks() if d.widget() is not None)] \
        if isinstance(window, MainWindow) else None
    watch = PaintWatch(window, painted, parts)
    deadline = QTimer()
    deadline.setSingleShot(True)
    deadline.timeout.connect(loop.quit)
    started = time.monotonic()
    try:
        deadline.start(int(timeout * 1000))
        while not watch.painted and time.monotonic() - started < timeout:
            loop.exec()
        return watch.painted
    finally:
        deadline.stop()
        watch.remove()
