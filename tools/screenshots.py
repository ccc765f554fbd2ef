"""Render the console in demo mode and save a PNG of each main panel, in both themes.

    QT_QPA_PLATFORM=offscreen PYTHONPATH=. .venv/bin/python tools/screenshots.py docs/screenshots
    QT_QPA_PLATFORM=offscreen PYTHONPATH=. .venv/bin/python tools/screenshots.py /tmp/shots --size 1280x800

Used for the README pictures (at the default 1600x950) and for looking at what a change did to the screen:
check a layout change at 1280x800 (the smallest screen the console is laid out for) and 1920x1080 too.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import tempfile
from pathlib import Path

from PySide6.QtWidgets import QApplication

from console.services.paths import Paths
from console.ui import aio
from console.ui.app import ConsoleApp, Options
from tests.helpers import until

PANELS = ("doors", "events", "visitors")
DEFAULT_SIZE = (1600, 950)


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size like 1280x800: {text!r}") from None
    if not (640 <= width <= 7680 and 480 <= height <= 4320):
        raise argparse.ArgumentTypeError(f"size out of range: {text!r}")
    return width, height


async def shoot(qapp: QApplication, out: Path, theme_name: str, size: tuple[int, int] = DEFAULT_SIZE) -> None:
    base = Path(tempfile.mkdtemp(prefix="console-shots-"))
    options = Options(demo=True, basedir=str(base), theme=theme_name, operator="Night guard", log_stderr=False)
    app = ConsoleApp(qapp, options, Paths.from_env_or_args(options.basedir))
    task = asyncio.ensure_future(app.run())
    await until(lambda: app.ready and app.summaries > 0, 60)
    assert app.window is not None
    assert app.workspace is not None
    app.window.resize(*size)
    sim = app.sim
    if sim is not None:  # some life on the board and in the queue
        doors = sim.call(lambda s: [d.id for d in s.world.doors.values() if s.world.door_connect(d) == 1])
        sim.call(lambda s: s.emit("forced_open", door_id=doors[1]))
        sim.call(lambda s: s.emit("duress", door_id=doors[2]))
        for _ in range(12):
            sim.call(lambda s: s.emit("verify"))
    app.refresh_now()
    await until(lambda: app.workspace is not None and len(app.workspace.queue) >= 2, 30)
    ws = app.workspace
    # something selected in each panel, as on a working night: an alarm in the queue (Acknowledge is live),
    # its door on the board and its event with the details beside the table
    first = ws.queue.alarms[0]
    ws.alarms.select_keys([first.key])
    ws.show_event(first.key)
    door = next((item.key for item in ws.doors.board.items if item.name == first.event.point), None)
    ws.doors.select(door)
    await until(lambda: not ws.events.details.busy, 10)
    await asyncio.sleep(0.5)  # let the repaint land
    for key in PANELS:
        dock = app.window.dock(key)
        if dock is None:
            continue
        dock.show()
        dock.raise_()
        await asyncio.sleep(0.3)
        with contextlib.suppress(AssertionError):  # the alarm headline lit, not caught half-way through a flash
            await until(lambda: not ws.alarms.flashing, 5)
        app.window.grab().save(str(out / f"{key}-{theme_name}.png"), "PNG")
    app.request_quit()
    await task


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("out", nargs="?", default="docs/screenshots", type=Path, help="folder for the PNG files")
    parser.add_argument("--size", type=_size, default=DEFAULT_SIZE, help="window size, e.g. 1280x800")
    parser.add_argument("--theme", choices=("dark", "light"), action="append", help="only this theme (repeatable)")
    args = parser.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    qapp = QApplication(sys.argv[:1])
    qapp.setQuitOnLastWindowClosed(False)
    loop = aio.create_loop(qapp)
    for theme_name in args.theme or ("dark", "light"):
        loop.run_until_complete(shoot(qapp, out, theme_name, args.size))
    return 0


if __name__ == "__main__":
    sys.exit(main())
