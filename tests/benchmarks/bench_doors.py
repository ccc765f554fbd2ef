"""Benchmark of the doors & gates board (a script, not a test: pytest does not collect it).

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/benchmarks/bench_doors.py [--site large|xl] [--polls 360]

Runs the simulator's site in a separate process (so that its JSON rendering does not compete for this
process's GIL, as a real server would not), shows the doors panel (1360x860) on a qasync loop, and prints:

* the first load: lists and states fetched, the board filled, and the longest event-loop stall meanwhile;
* a steady poll (nothing changed): time and longest stall;
* a full refresh landing (every tile changes: all stale, then fresh again): longest stall of each step;
* repainting the visible board (a viewport grab);
* the "only problems" filter on and off, a grouping change (area and device -> device -> back), and
  scrolling the board top to bottom in 20 steps (each step painted);
* memory over ``--polls`` polls (an hour at the default 10 s, compressed), with changes on the way: the
  highest RSS after a warm-up (the first tenth of the polls) over the RSS at the warm-up's end, as
  ``bench_memory.py`` measures a day (target within 10%).

The stall is measured with a 2 ms QTimer heartbeat: the longest gap between two ticks, minus the 2 ms. The
issue's target is one frame (16 ms). It asserts nothing about time. The connection is opened before the first
load (the console probes the server before its pollers start); "every tile turns stale" is the board's own
sliced re-flagging (``DoorBoard.reflag``, what its wait between polls runs). ``./dev.sh bench`` runs it with
``--site xl`` (10,000 doors, 1,000 gates: the issue's target).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from benchlib import Figure, add_json_option, emit, human
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from console.api import Client
from console.services.audit import AuditLog
from console.services.commands import Commands
from console.services.doors import DoorBoard, import_records
from console.services.floorplans import FloorPlans
from console.services.gc_pauses import freeze_long_lived
from console.services.memory import HeapTrimmer, at_start
from console.services.paths import Paths
from console.services.session import Profile, Session
from console.services.session_services import DoorServices
from console.services.settings import Settings
from console.ui import aio
from console.ui.doors import DoorsPanel
from console.ui.doors.model import Grouping

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "bench-token-2f9c"
HEARTBEAT_MS = 2
T = TypeVar("T")


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def malloc_trim() -> float | None:
    """RSS after handing free heap back to the system (glibc only; None elsewhere)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        return None
    return rss_mb()


class Heartbeat:
    """A 2 ms QTimer; ``measure(coro)`` returns (result, seconds, longest stall in ms) of a coroutine."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setInterval(HEARTBEAT_MS)
        self.last = time.perf_counter()
        self.worst = 0.0
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.worst = max(self.worst, now - self.last)
        self.last = now

    async def measure(self, work: Callable[[], Awaitable[T]]) -> tuple[T, float, float]:
        await asyncio.sleep(0.05)  # let the heartbeat settle
        self.last = time.perf_counter()
        self.worst = 0.0
        started = time.perf_counter()
        result = await work()
        elapsed = time.perf_counter() - started
        await asyncio.sleep(0.03)  # a stall right at the end shows in the next tick
        return result, elapsed, max(0.0, self.worst * 1000 - HEARTBEAT_MS)


def start_simulator(site: str) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "console.sim", "--site", site, "--port", "0", "--token", TOKEN,
         "--event-rate", "0"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    if not url.startswith("http"):
        proc.kill()
        raise SystemExit(f"the simulator did not start: {url!r}")
    return proc, url


async def scenario(args: argparse.Namespace, url: str) -> None:
    base = Path(tempfile.mkdtemp(prefix="bench-doors-"))
    paths = Paths.under(base).ensure()
    client = Client(url, TOKEN)
    session = Session(Profile("bench", url, poll_interval=10.0), client, "bench", paths)
    audit = AuditLog(paths.data_dir / "audit.sqlite3")
    import_records()  # as the console's connection does (SessionServices.build): not in the first poll
    import console.services.options  # noqa: F401 - the panels' typed options, loaded by the console's other panels
    # (events, alarms...) long before an operator changes the grouping: not timed in that step here either
    board = DoorBoard(session)
    doors = DoorServices(board, Commands(session, audit, read_back=board.refresh_item),
                         FloorPlans(paths.data_dir, "bench"))
    panel = DoorsPanel(doors, Settings(paths.settings_file))
    panel.resize(1360, 860)
    panel.show()
    beat = Heartbeat()
    out = human(args)
    figures: list[Figure] = []

    def say(*parts: object) -> None:
        print(*parts, file=out)

    label = f"doors ({args.site})"  # with the site's size once it is loaded: "doors (xl: 10,000 doors, 1,000 gates)"

    def frame(figure: str, stall: float, note: str = "") -> None:
        figures.append(Figure(f"{label}: {figure}", 16.0, stall, "ms", note=note))

    board = panel.board
    row = "{:<44} {:>9} {:>12}"
    say(row.format("step", "time", "worst stall"))

    if args.why:
        import long_turns

        long_turns.install()

    def show(step: str, elapsed: float, stall: float) -> None:
        say(row.format(step, f"{elapsed * 1000:.0f} ms", f"{stall:.1f} ms"))
        if args.why:
            long_turns.report(out, step)

    async def settled() -> None:
        """Until the board's rows and the filtered rows have landed (a big board's: over several turns)."""
        while panel.model.rebuilding or panel.proxy.computing:  # noqa: ASYNC110 - no signal for "both done"
            await asyncio.sleep(0.005)

    async def first_load() -> bool:
        ok = await board.poll_once()
        await settled()
        return ok

    await client.door_count()  # the console probes the server before its pollers start (session.probe)
    _, elapsed, stall = await beat.measure(first_load)
    say(f"site: {board.summary.doors} doors, {board.summary.gates} gates, {len(panel.model.headers())} group "
          f"headers; RSS {rss_mb():.0f} MB")
    show("first load (lists + states + board)", elapsed, stall)
    label = f"doors ({args.site}: {board.summary.doors:,} doors, {board.summary.gates:,} gates)"
    freeze_long_lived()  # as the console does once it is up (console/services/gc_pauses.py)
    frame("first load, longest loop stall", stall,
          f"{board.summary.doors} doors, {board.summary.gates} gates; load took {elapsed * 1000:.0f} ms")

    steady = []
    for _ in range(5):
        _, elapsed, stall = await beat.measure(board.poll_once)
        steady.append((elapsed, stall))
    show("steady poll, nothing changed (median of 5)", statistics.median(e for e, _ in steady),
         statistics.median(s for _, s in steady))
    show("steady poll, nothing changed (worst of 5)", max(e for e, _ in steady), max(s for _, s in steady))
    frame("steady poll, longest stall (worst of 5)", max(s for _, s in steady))

    async def all_stale() -> None:  # as the board's own wait between polls does it (DoorBoard._wait)
        await board.reflag(time.monotonic() + 3 * board.interval)

    _, elapsed, stall = await beat.measure(all_stale)
    show(f"every tile turns stale ({board.summary.stale})", elapsed, stall)
    stale_stall = stall
    _, elapsed, stall = await beat.measure(board.poll_once)
    show("full refresh lands: every tile fresh again", elapsed, stall)
    frame("full refresh, longest stall", max(stale_stall, stall),
          f"all stale {stale_stall:.1f} ms, all fresh again {stall:.1f} ms")

    async def repaint() -> Any:
        return panel.view.viewport().grab()

    _, elapsed, stall = await beat.measure(repaint)
    show("repaint the visible board (grab)", elapsed, stall)

    async def filter_problems() -> None:
        panel.problems.setChecked(True)
        await settled()

    _, elapsed, stall = await beat.measure(filter_problems)
    show(f"filter: only problems ({len(panel.proxy.visible_items())} shown)", elapsed, stall)
    frame("filter 'only problems' on, stall", stall)

    async def filter_off() -> None:
        panel.problems.setChecked(False)
        await settled()

    _, elapsed, stall = await beat.measure(filter_off)
    show("filter off again", elapsed, stall)
    frame("filter off again, stall", stall)

    async def regroup(grouping: Grouping) -> None:
        panel.grouping.setCurrentIndex(panel.grouping.findData(grouping.value))
        await settled()

    _, elapsed, stall = await beat.measure(lambda: regroup(Grouping.DEVICE))
    show("grouping: by device", elapsed, stall)
    regroup_stall = stall
    _, elapsed, stall = await beat.measure(lambda: regroup(Grouping.AREA_DEVICE))
    show("grouping: back to area and device", elapsed, stall)
    frame("grouping change, longest stall", max(regroup_stall, stall),
          f"to device {regroup_stall:.1f} ms, back {stall:.1f} ms")

    async def scroll() -> None:
        bar = panel.view.verticalScrollBar()
        for step in range(1, 21):
            bar.setValue(bar.maximum() * step // 20)
            await asyncio.sleep(0.01)  # the view paints the new rows
        bar.setValue(0)
        await asyncio.sleep(0.01)

    _, elapsed, stall = await beat.measure(scroll)
    show("scroll the board top to bottom (20 steps)", elapsed, stall)
    frame("scrolling the board, longest stall", stall)

    # memory: an hour of polls at 10 s, compressed; some devices go offline and back on the way
    devices = sorted({i.device_sn for i in board.items if i.device_sn})
    # the heap trimmed after polls at most once a minute, as SessionServices does (console/services/memory.py),
    # the minute counted in polls of 10 s: tests/benchmarks/bench_memory.py measures a whole day of it
    heap = HeapTrimmer(clock=lambda: board.polls * 10.0)
    board.polled.connect(heap.after_poll)
    # the figure, as tests/benchmarks/bench_memory.py measures a day: the first tenth of the polls is the warm-up
    # (the allocator's arenas, the client's buffers, the models' caches filling); its level is the RSS at its
    # end; the figure is the highest RSS sampled after it (every 10 polls) over that level
    gc.collect()
    start, objects_before = rss_mb(), len(gc.get_objects())
    warm_up = max(1, args.polls // 10)
    level = start
    samples: list[float] = []
    worst = 0.0
    started = time.perf_counter()
    for n in range(args.polls):
        if n % 30 == 10 and devices:  # a device drops off, or comes back, every 30 polls (5 minutes)
            await _sim_device(url, devices[(n // 60) % len(devices)], online=(n // 30) % 2 == 0)
        if n % 60 == 0:
            _, _, stall = await beat.measure(board.poll_once)
            worst = max(worst, stall)
        else:
            await board.poll_once()
        if n + 1 == warm_up:
            level = rss_mb()
        elif n + 1 > warm_up and ((n + 1) % 10 == 0 or n + 1 == args.polls):
            samples.append(rss_mb())
    gc.collect()
    after, objects_after = rss_mb(), len(gc.get_objects())
    peak = max([*samples, after])
    trimmed = malloc_trim()
    say(f"{args.polls} polls in {time.perf_counter() - started:.1f} s; worst sampled stall {worst:.1f} ms")
    say(f"memory: RSS {start:.0f} MB at the start, {level:.0f} MB after the warm-up ({warm_up} polls), highest "
        f"after it {peak:.0f} MB, {after:.0f} MB at the end; Python objects {objects_before} -> {objects_after} "
        f"({objects_after - objects_before:+d})")
    if trimmed is not None:
        say(f"        RSS after malloc_trim(0): {trimmed:.0f} MB (the rest of the growth is free heap glibc kept)")
    figures.append(Figure(f"{label}: RSS growth over {args.polls} polls after warm-up", 10.0,
                          (peak - level) / level * 100, "%",
                          note=f"{level:.0f} MB after {warm_up} polls -> highest {peak:.0f} MB, end {after:.0f} MB"
                          + (f", {trimmed:.0f} MB after malloc_trim(0)" if trimmed is not None else "")))
    emit(figures, args)

    beat.timer.stop()
    await panel.stop()
    await session.aclose()
    audit.close()
    panel.close()
    panel.deleteLater()


async def _sim_device(url: str, sn: str, *, online: bool) -> None:
    import httpx

    async with httpx.AsyncClient() as http:
        await http.post(f"{url}/_sim/device", params={"access_token": TOKEN}, json={"sn": sn, "online": online})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site", default="large", choices=("small", "medium", "large", "xl"))
    parser.add_argument("--polls", type=int, default=360, help="polls for the memory figure (default 360: an hour)")
    parser.add_argument("--quick", action="store_true", help="60 polls for the memory figure")
    parser.add_argument("--why", action="store_true", help="after each step, the callbacks that made its long turns "
                        "(tests/benchmarks/long_turns.py; the figures are then not the benchmark's)")
    add_json_option(parser)
    args = parser.parse_args()
    if args.quick:
        args.polls = 60
    at_start()  # the console's allocator settings, before any thread (console/services/memory.py)
    proc, url = start_simulator(args.site)
    try:
        app = QApplication(sys.argv[:1])
        app.setQuitOnLastWindowClosed(False)
        loop = aio.create_loop(app)
        loop.run_until_complete(scenario(args, url))
        loop.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
