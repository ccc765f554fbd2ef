"""Render the console in demo mode and save the README's pictures: each main panel in both themes, and the
visitor desk with a registered visitor's QR code and the on-site list.

    .venv/bin/python tools/screenshots.py                      # into docs/screenshots (every README picture)
    .venv/bin/python tools/screenshots.py /tmp/shots --size 1280x800

Runs offscreen unless QT_QPA_PLATFORM says otherwise and needs no PYTHONPATH. Used for the README pictures (at
the default 1600x950) and for looking at what a change did to the screen: check a layout change at 1280x800
(the smallest screen the console is laid out for) and 1920x1080 too.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # the console of this checkout, without PYTHONPATH
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before Qt is imported

import argparse  # noqa: E402
import asyncio  # noqa: E402
import contextlib  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from datetime import datetime, timedelta  # noqa: E402
from typing import Any, TypeVar  # noqa: E402

from PySide6.QtWidgets import QApplication  # noqa: E402

from console.services.paths import Paths  # noqa: E402
from console.services.visitors import VisitForm, check_character  # noqa: E402
from console.ui import aio  # noqa: E402
from console.ui.app import ConsoleApp, Options  # noqa: E402

T = TypeVar("T")

PANELS = ("doors", "events", "visitors")
DEFAULT_SIZE = (1600, 950)
DEFAULT_OUT = ROOT / "docs" / "screenshots"
# the visitor desk's own pictures (dark theme): a visitor just registered, and who is on site
VISITORS = (  # (name, company); the last one is on the hand-over
    ("Grace Okafor", "Initech"),
    ("Mateo Rossi", "Umbrella Logistics"),
    ("Li Wei", "Globex"),
)


async def until(condition: Callable[[], T], timeout: float = 10.0, what: str = "") -> T:
    """Await a condition: its first truthy value, or RuntimeError after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what or 'condition'} not met within {timeout} s")
        await asyncio.sleep(0.02)


def _size(text: str) -> tuple[int, int]:
    try:
        width, height = (int(part) for part in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size like 1280x800: {text!r}") from None
    if not (640 <= width <= 7680 and 480 <= height <= 4320):
        raise argparse.ArgumentTypeError(f"size out of range: {text!r}")
    return width, height


async def shoot(qapp: QApplication, out: Path, theme_name: str, size: tuple[int, int] = DEFAULT_SIZE,
                visitors: bool = False) -> list[Path]:
    """One console in demo mode: the panels in ``theme_name`` (and the visitor desk's pictures); the files."""
    base = Path(tempfile.mkdtemp(prefix="console-shots-"))
    options = Options(demo=True, basedir=str(base), theme=theme_name, operator="Night guard", log_stderr=False)
    app = ConsoleApp(qapp, options, Paths.from_env_or_args(options.basedir))
    task = asyncio.ensure_future(app.run())
    try:
        await until(lambda: task.done() or (app.ready and app.summaries > 0), 60, "the console's first poll")
        if task.done():
            raise RuntimeError(f"the console stopped before its first poll (exit code {task.result()})")
        return await _pictures(app, out, theme_name, size, visitors)
    finally:
        app.request_quit()
        await app.shutdown()  # also when a picture failed: the simulator's and the loop's threads end
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, 30)


async def _pictures(app: ConsoleApp, out: Path, theme_name: str, size: tuple[int, int],
                    visitors: bool) -> list[Path]:
    assert app.window is not None
    assert app.workspace is not None
    saved: list[Path] = []
    app.window.resize(*size)
    sim = app.sim
    if sim is not None:  # some life on the board and in the queue
        doors = sim.call(lambda s: [d.id for d in s.world.doors.values() if s.world.door_connect(d) == 1])
        sim.call(lambda s: s.emit("forced_open", door_id=doors[1]))
        sim.call(lambda s: s.emit("duress", door_id=doors[2]))
        for _ in range(12):
            sim.call(lambda s: s.emit("verify"))
    app.refresh_now()
    await until(lambda: app.workspace is not None and app.workspace.queue_size() >= 2, 30, "two alarms in the queue")
    ws = app.workspace
    # something selected in each panel, as on a working night: an alarm in the queue (Acknowledge is live),
    # its door on the board and its event with the details beside the table
    assert ws.services.events is not None
    first = ws.services.events.alarms.alarms[0]
    ws.alarms.select_keys([first.key])
    ws.show_event(first.key)
    door = next((item.key for item in ws.doors.board.items if item.name == first.event.point), None)
    ws.doors.select(door)
    await until(lambda: not ws.events.details.busy, 10, "the event's details")
    ws.doors.tabs.setCurrentIndex(0)  # the board (selecting an alarm turned to its floor plan; there is none here)
    ws.doors.banner.dismiss()
    await asyncio.sleep(0.5)  # let the repaint land
    for key in PANELS:
        dock = app.window.dock(key)
        if dock is None:
            continue
        dock.show()
        dock.raise_()
        await asyncio.sleep(0.3)
        with contextlib.suppress(RuntimeError):  # the alarm headline lit, not caught half-way through a flash
            await until(lambda: not ws.alarms.flashing, 5)
        saved.append(_save(app.window.grab(), out / f"{key}-{theme_name}.png"))
    saved.append(await _parking_desk(app, out, theme_name))
    saved.append(await _spaces_day(app, out, theme_name))
    saved.append(await _people_capture(app, out, theme_name))
    if visitors:
        saved += await _visitor_desk(app, out)
    return saved


async def _parking_desk(app: ConsoleApp, out: Path, theme_name: str) -> Path:
    """``parking-<theme>.png``: an arriving car found by a misread plate and billed."""
    assert app.window is not None
    assert app.sim is not None
    panel: Any = getattr(app.workspace, "parking", None)
    if panel is None:
        raise RuntimeError("the workspace has no parking desk (workspace.parking)")
    dock = app.window.dock("parking")
    if dock is not None:
        dock.show()
        dock.raise_()
    def arrived_a_while_ago(s: Any) -> None:  # in the simulator's thread; the world clock is left alone
        s.emit("park_entry", carNumber="Liao B01I27")
        record = next(r for r in s.world.park_records if r.car_number == "Liao B01I27" and r.check_out is None)
        record.check_in -= 2 * 3600 + 300

    app.sim.call(arrived_a_while_ago)
    await panel.desk.poll()
    panel.find_edit.setText("liao 8oi127")
    await panel.bill_plate("Liao B01I27")
    await asyncio.sleep(0.5)
    return _save(app.window.grab(), out / f"parking-{theme_name}.png")


async def _spaces_day(app: ConsoleApp, out: Path, theme_name: str) -> Path:
    """``spaces-<theme>.png``: the day's timeline, one booking in progress selected with its participants."""
    assert app.window is not None
    panel: Any = getattr(app.workspace, "spaces", None)
    if panel is None:
        raise RuntimeError("the workspace has no spaces panel (workspace.spaces)")
    dock = app.window.dock("spaces")
    if dock is not None:
        dock.show()
        dock.raise_()
    panel.set_view("day")
    panel.today()
    await panel.desk.refresh()
    running = [b for b in panel.desk.bookings.values() if b.status.name == "IN_PROGRESS"]
    if running:
        panel.view.select(running[0].id)
        await until(lambda: not panel.busy(), 10, "the participants")
    panel.view.scroll_to(panel.desk.clock() - timedelta(hours=1, minutes=30))
    await asyncio.sleep(0.5)
    return _save(app.window.grab(), out / f"spaces-{theme_name}.png")


async def _people_capture(app: ConsoleApp, out: Path, theme_name: str) -> Path:
    """``people-<theme>.png``: a person opened, a face photo being captured (fed frames: no camera here)."""
    assert app.window is not None
    panel: Any = getattr(app.workspace, "people", None)
    if panel is None:
        raise RuntimeError("the workspace has no people panel (workspace.people)")
    from console.ui.enrolment.frames import FeedSource

    dock = app.window.dock("people")
    if dock is not None:
        dock.show()
        dock.raise_()
    await until(lambda: not panel.busy(), 30, "the person list")
    source = FeedSource()
    panel.use_source(source)
    panel.auto_box.setChecked(False)
    panel.new_person()
    panel.pin_edit.setText("E2026")
    panel.name_edit.setText("Eileen")
    panel.last_edit.setText("Collins")
    panel.dept_box.setCurrentIndex(min(1, panel.dept_box.count() - 1))
    panel.end_edit.setText("2027-12-31")
    panel.toggle_camera()
    try:  # a real face: scikit-image's public-domain sample (the test extra); else an empty frame
        from tests import face_frames

        frame = face_frames.face_frame()
    except ImportError:
        import numpy as np

        frame = np.full((480, 640, 3), 110, np.uint8)
    for _ in range(2):
        source.feed(frame)
        await until(lambda: not panel.capture.busy, 10, "the face guidance")
    await asyncio.sleep(0.5)
    return _save(app.window.grab(), out / f"people-{theme_name}.png")


async def _visitor_desk(app: ConsoleApp, out: Path) -> list[Path]:
    """``visitors.png`` (a visitor just registered: the QR code to hand over) and ``visitors-onsite.png``."""
    assert app.window is not None
    assert app.sim is not None
    panel: Any = getattr(app.workspace, "visitors", None)
    if panel is None:
        raise RuntimeError("the workspace has no visitor desk (workspace.visitors)")
    dock = app.window.dock("visitors")
    if dock is not None:
        dock.show()
        dock.raise_()
    await until(lambda: not panel.busy(), 30, "the visitor desk's directories")
    pins = app.sim.call(lambda s: [p.pin for p in s.world.persons.values()
                                   if not p.left and p.name and p.name.isascii()])
    now = datetime.now().replace(second=0, microsecond=0)
    for number, ((name, company), pin) in enumerate(zip(VISITORS, pins[1:], strict=False), start=1):
        host = (await panel.desk.search_hosts(pin))[0]  # exact pin first: the host as the desk shows it
        first17 = f"11010119870523{number:03d}"
        form = VisitForm(host_pin=host.pin, host_name=host.name, host_dept=host.dept_name, visitor_name=name,
                         cert_num=first17 + check_character(first17),
                         phone="+86 130 1564 8651", company=company, reason="Meeting",
                         start=f"{now:%Y-%m-%d %H:%M:%S}", end=f"{now + timedelta(hours=6):%Y-%m-%d %H:%M:%S}")
        panel.form.set_value(form)
        outcome = await panel.submit()
        if str(outcome.kind) not in ("done", "registered"):
            raise RuntimeError(f"registering {name} failed: {outcome}")
    await until(lambda: not panel.busy(), 30, "the hand-over")
    await asyncio.sleep(0.5)
    saved = [_save(panel.grab(), out / "visitors.png")]
    tabs = getattr(panel, "tabs", None)
    if tabs is not None:
        tabs.setCurrentIndex(tabs.count() - 1)  # the on-site / evacuation list
        await asyncio.sleep(0.5)
        saved.append(_save(panel.grab(), out / "visitors-onsite.png"))
    return saved


def _save(pixmap: Any, path: Path) -> Path:
    if pixmap.isNull() or not pixmap.save(str(path), "PNG"):
        raise RuntimeError(f"could not write {path}")
    print(f"saved {path}")
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("out", nargs="?", default=DEFAULT_OUT, type=Path,
                        help=f"folder for the PNG files (default {DEFAULT_OUT.relative_to(ROOT)})")
    parser.add_argument("--size", type=_size, default=DEFAULT_SIZE, help="window size, e.g. 1280x800")
    parser.add_argument("--theme", choices=("dark", "light"), action="append", help="only this theme (repeatable)")
    args = parser.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    qapp = QApplication(sys.argv[:1])
    qapp.setQuitOnLastWindowClosed(False)
    loop = aio.create_loop(qapp)
    themes = args.theme or ["dark", "light"]
    try:
        for theme_name in themes:
            loop.run_until_complete(shoot(qapp, out, theme_name, args.size, visitors=theme_name == themes[0]))
    except RuntimeError as exc:
        print(f"screenshots: {exc}", file=sys.stderr)
        return 1
    finally:
        loop.close()  # ends the loop's worker threads before Qt tears down ("QThread: Destroyed while ...")
        asyncio.set_event_loop(None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
