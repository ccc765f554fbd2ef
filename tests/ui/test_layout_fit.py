"""The assembled console at real screen sizes: every panel fits its dock, the alarm column keeps its width.

Each panel's own test checks its bars at the widths of its column; here the whole window, themed, in demo
mode: at 1280x800 (the smallest screen the console is laid out for) nothing overflows its dock (the parking
panel stacks its bill under the list of cars there, the spaces bar wraps), and on a wider screen the width goes
to the board, not to the alarm queue.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QDockWidget, QLabel

from console.services.paths import Paths
from console.ui.app import ConsoleApp, Options
from console.ui.main_window import MainWindow
from console.ui.workspace import ALARMS_WIDTH, PinnedColumn
from tests.helpers import until
from tests.ui.fit import ALARMS_COLUMN, LEFT_COLUMN, lay_out, rect_in


def _settle(window: MainWindow) -> None:
    lay_out(window, window.width(), window.height())


async def settled(window: MainWindow) -> None:
    """Until the docks stop moving (inside a coroutine the Qt loop is running: no processEvents here)."""
    last: list[object] = [None]

    def still() -> bool:
        now = (window.size().toTuple(), *(d.geometry().getRect() for d in window.docks()),
               *(d.widget().geometry().getRect() for d in window.docks()))
        same = now == last[0]
        last[0] = now
        return same

    await until(still, 10, interval=0.05)


def test_every_panel_fits_its_dock_at_1280x800_and_a_wider_screen_goes_to_the_board(
    qapp: QApplication, run: Callable[..., Any], tmp_path: Path, home: Path
) -> None:
    options = Options(demo=True, basedir=str(tmp_path / "base"), theme="dark", operator="Night guard",
                      log_stderr=False)
    app = ConsoleApp(qapp, options, Paths.from_env_or_args(options.basedir))

    async def scenario() -> tuple[dict[str, Any], dict[int, bool]]:
        task = asyncio.ensure_future(app.run())
        await until(lambda: app.ready and app.summaries > 0, 60)
        window, ws = app.window, app.workspace
        assert window is not None
        assert ws is not None
        seen: dict[str, Any] = {}
        folded: dict[int, bool] = {}
        for size in ((1280, 800), (1920, 1080)):
            window.resize(*size)
            await settled(window)
            for key in ("doors", "events", "visitors", "people", "parking", "spaces"):
                dock = window.dock(key)
                assert dock is not None
                dock.raise_()
                await until(lambda d=dock: d.widget().isVisible())
                await settled(window)
                panel = dock.widget()
                seen[f"{key}@{size[0]}"] = (panel.minimumSizeHint().width(), panel.width(), dock.width(),
                                            rect_in(panel, window).right() < rect_in(window.dock("alarms"),
                                                                                     window).left())
                if key == "parking":  # the bill under the list of cars on the narrow column, beside it on the wide
                    folded[size[0]] = panel.work.folded
            alarms = window.dock("alarms")
            assert alarms is not None
            seen[f"alarms@{size[0]}"] = (alarms.widget().minimumSizeHint().width(), alarms.widget().width(),
                                         alarms.width(), True)
        app.request_quit()
        assert await task == 0
        return seen, folded

    seen, folded = run(scenario(), timeout=90)
    assert folded == {1280: True, 1920: False}
    for name, (minimum, width, dock, apart) in seen.items():
        assert minimum <= width, f"{name}: the panel needs {minimum} px and has {width}: it would overflow"
        assert width <= dock, f"{name}: the panel is wider than its dock"
        assert apart, f"{name}: the panel reaches into the alarm column"
        assert minimum <= (ALARMS_COLUMN if name.startswith("alarms") else LEFT_COLUMN), name
    assert seen["alarms@1920"][2] <= ALARMS_WIDTH  # the queue stays a column...
    assert seen["doors@1920"][2] >= 1920 - ALARMS_WIDTH - 20  # ...and the board gets the room


def drag(window: MainWindow, *xs: int) -> None:
    """Press at the first x, move through the others, release at the last (half-way down the window)."""
    y = window.height() // 2
    steps = [(QEvent.Type.MouseButtonPress, xs[0])] + [(QEvent.Type.MouseMove, x) for x in xs[1:]]
    for kind, x in [*steps, (QEvent.Type.MouseButtonRelease, xs[-1])]:
        pos = QPointF(x, y)
        button = Qt.MouseButton.NoButton if kind == QEvent.Type.MouseMove else Qt.MouseButton.LeftButton
        held = Qt.MouseButton.NoButton if kind == QEvent.Type.MouseButtonRelease else Qt.MouseButton.LeftButton
        event = QMouseEvent(kind, pos, window.mapToGlobal(pos), button, held, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(window, event)
        QCoreApplication.processEvents()


def _window(qtbot: Any) -> tuple[MainWindow, QDockWidget]:
    window = MainWindow()
    qtbot.addWidget(window)
    window.add_panel("board", "Board", QLabel("board"))
    dock = window.add_panel("queue", "Queue", QLabel("queue"), area=Qt.DockWidgetArea.RightDockWidgetArea)
    return window, dock


def test_the_pinned_column_keeps_its_width_when_the_window_grows(qtbot: Any) -> None:
    window, dock = _window(qtbot)
    pin = PinnedColumn(window, dock, 430)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    _settle(window)
    assert dock.width() <= 430
    window.resize(1920, 1080)
    _settle(window)
    assert dock.width() <= 430
    assert window.dock("board").width() >= 1920 - 430 - 20  # type: ignore[union-attr]
    dock.setFloating(True)  # on a second monitor it may be as wide as the operator likes
    assert dock.maximumWidth() > 10_000
    dock.setFloating(False)
    assert dock.maximumWidth() == 430
    pin.detach()
    assert dock.maximumWidth() > 10_000


def test_the_operator_can_still_drag_the_column_wider_and_it_stays_so(qtbot: Any) -> None:
    window, dock = _window(qtbot)
    PinnedColumn(window, dock, 430)
    window.resize(1600, 900)
    window.show()
    qtbot.waitExposed(window)
    _settle(window)
    before = dock.width()
    x = rect_in(dock, window).left() - 2  # on the separator between the two dock areas
    drag(window, x, x - 60, x - 150)
    _settle(window)
    assert dock.width() >= before + 100
    dragged = dock.width()
    window.resize(1900, 1000)
    _settle(window)
    assert dock.width() == dragged  # the operator's width, kept as the window grows
