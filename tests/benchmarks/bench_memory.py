"""Benchmark of memory over a long shift (a script, not a test: pytest does not collect it).

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/benchmarks/bench_memory.py [--quick] [--polls 720]
        [--site large] [--event-rate 400] [--headless] [--heap on|off|no-sqlite-limit] [--json]

The simulator's large site (2,000 doors, 200 gates, 20,000 people) runs in its own process (its memory is
not counted), with live events flowing (``--event-rate`` per second of real time). This process runs the
console's ``SessionServices`` (the door board, the event stream writing the journal, the alarm queue,
people names, visitors, parking, spaces: every poller) on a qasync loop, with the two big Qt models of
the workspace fed by them (the doors ``BoardModel`` and the events ``EventTableModel``; ``--headless``:
plain asyncio, no Qt). The profile polls every 0.1 s (the shortest allowed), so the pollers run back to
back: an accelerated day.

**The scale.** A day is ``--polls`` door-board polls (default 720: one every 2 minutes for 24 hours;
``--quick``: 288, one every 5); the first "hour" is the first 1/24 of them. (A real day at 10 s is 8,640
polls: 40-60 minutes of this machine, too long for ``./dev.sh bench``.) Every 30 polls a device goes
offline or comes back, every 45 a door is forced open (its alarm lasts 20 s of the simulator's clock);
events arrive all along (400 a second of real time: ~65,000 in the day, a large site's volume). The heap
trim runs as the console's, after a poll at most once a minute, the minute counted in polls of the default
10 s (every 6 polls).

**The figure.** RSS is sampled 96 times over the day (every "15 minutes"). The first hour is the warm-up
(the board, caches and the journal's page caches filling); its level is the RSS at its end. The figure is
the highest RSS after it divided by that level (target 1.10: within 10%); the note gives the end's ratio,
the trims done and the longest trim.

``--heap off`` runs without the console's memory settings (no ``mallopt(M_ARENA_MAX, 2)`` nor SQLite heap
limit at start, the session's ``HeapTrimmer`` disabled): the "before" of ``console/services/memory.py``;
``--heap no-sqlite-limit`` all of them but the SQLite limit.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from benchlib import Figure, add_json_option, emit, human

from console.services import memory
from console.services.memory import HeapTrimmer

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "bench-token-5e1a"
SAMPLES = 96  # one every "15 minutes" of the day


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def sqlite_heap_mb() -> float:
    """SQLite's own heap in this process (page caches of every connection, statements), if it can be read."""
    try:
        import ctypes

        used = ctypes.CDLL("libsqlite3.so.0").sqlite3_memory_used
        used.restype = ctypes.c_int64
        return float(used()) / 2**20
    except (OSError, AttributeError):
        return float("nan")


def _die_with_parent() -> None:
    """In the simulator's process: SIGTERM when this benchmark ends, however it ends (Linux prctl)."""
    import ctypes
    import signal

    ctypes.CDLL("libc.so.6").prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def connection_memory(conn: Any) -> str:
    """Page cache, schema and statements of one sqlite3 connection, in MB (CPython's ``sqlite3 *`` follows the
    object header; a diagnosis of where SQLite's heap is, not a figure)."""
    try:
        import ctypes

        lib = ctypes.CDLL("libsqlite3.so.0")
        db = ctypes.c_void_p.from_address(id(conn) + object.__basicsize__).value
        out = []
        for name, op in (("cache", 1), ("schema", 2), ("statements", 3)):
            cur, high = ctypes.c_int(), ctypes.c_int()
            lib.sqlite3_db_status(ctypes.c_void_p(db), op, ctypes.byref(cur), ctypes.byref(high), 0)
            out.append(f"{name} {cur.value / 2**20:.1f}")
        return ", ".join(out)
    except (OSError, AttributeError, ValueError):
        return "?"


def start_simulator(site: str, event_rate: float) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        args=[sys.executable, "-m", "console.sim", "--site", site, "--port", "0", "--token", TOKEN,
         "--event-rate", str(event_rate)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    if not url.startswith("http"):
        proc.kill()
        raise SystemExit(f"the simulator did not start: {url!r}")
    return proc, url


async def scenario(args: argparse.Namespace, url: str) -> list[Figure]:
    import httpx

    from console.api import Client
    from console.services.paths import Paths
    from console.services.session import DEFAULT_POLL_INTERVAL, Profile, Session
    from console.services.session_services import SessionServices
    from console.services.settings import Settings

    out = human(args)
    base = Path(tempfile.mkdtemp(prefix="bench-memory-"))
    paths = Paths.under(base).ensure()
    session = Session(Profile("bench", url, poll_interval=0.1), Client(url, TOKEN), "bench", paths)
    services = SessionServices.build(session, Settings(paths.settings_file))
    board = services.board
    day_per_poll = 24 * 3600 / args.polls  # seconds of the day one poll stands for
    # the trimmer's "once a minute" counted as the console counts it, in polls of the default 10 s (a trim
    # every 6 polls), not on the accelerated clock (a trim every few hundred polls) nor the day's (every poll)
    services.heap = HeapTrimmer(clock=lambda: board.polls * DEFAULT_POLL_INTERVAL)
    services.heap.enabled = args.heap != "off"
    keep: list[Any] = []
    if not args.headless:  # the workspace's two big models, fed as the panels feed them
        from console.ui.doors.model import BoardModel
        from console.ui.events.model import EventTableModel

        keep.append(BoardModel(board))
        if services.events is not None:
            events_model = EventTableModel(services.events.journal)
            keep.append(events_model)
            keep.append(services.events.stream.events_added.connect(events_model.add_events))

    polls = 0
    done = asyncio.Event()
    hour = max(1, args.polls // 24)
    every = max(1, args.polls // SAMPLES)
    samples: list[tuple[int, float]] = []
    blocks: list[tuple[int, int]] = []  # Python's allocated blocks at the same points (a leak shows here)
    heap: list[tracemalloc.Snapshot] = []  # with --tracemalloc: the Python heap at the end of the first hour

    def polled(_ok: bool) -> None:
        nonlocal polls
        polls += 1
        if polls % every == 0 or polls == hour:
            samples.append((polls, rss_mb()))
            blocks.append((polls, sys.getallocatedblocks()))
        if polls == hour and tracemalloc.is_tracing():
            heap.append(tracemalloc.take_snapshot())
        if polls >= args.polls:
            done.set()

    board.polled.connect(polled)
    arrived = 0

    def added(events: list[Any]) -> None:
        nonlocal arrived
        arrived += len(events)

    if services.events is not None:
        services.events.stream.events_added.connect(added)
    control = httpx.AsyncClient(base_url=url, params={"access_token": TOKEN}, timeout=30)
    started = time.perf_counter()
    await services.start_doors()
    await services.start_rest()
    print(f"{args.polls} door polls = a day ({day_per_poll:.0f} s a poll); first hour = {hour} polls; "
          f"heap settings {args.heap}; {'headless' if args.headless else 'with the Qt models'}", file=out)

    async def changes() -> None:
        last = -1
        while not done.is_set():
            await asyncio.sleep(0.05)
            if polls == last or not board.loaded:
                continue
            last = polls
            devices = sorted({i.device_sn for i in board.items if i.device_sn})
            doors = [i.id for i in board.items if i.is_door]
            try:
                if polls % 30 == 10 and devices:
                    sn = devices[(polls // 60) % len(devices)]
                    await control.post("/_sim/device", json={"sn": sn, "online": (polls // 30) % 2 == 0})
                if polls % 45 == 20 and doors:
                    door = doors[(polls * 7) % len(doors)]
                    await control.post("/_sim/door", json={"id": door, "alarm": "be opened accidentally",
                                                           "sensor": "open", "seconds": 20})
            except httpx.HTTPError as exc:  # the simulator busy: the next change comes anyway
                print(f"change refused: {exc}", file=out)

    changer = asyncio.create_task(changes())
    last_report = time.perf_counter()
    while not done.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), 30)
        if time.perf_counter() - last_report >= 29:
            last_report = time.perf_counter()
            stored = arrived  # not journal.count(): its read would fill the GUI thread's page cache
            print(f"  {time.perf_counter() - started:5.0f} s: {polls} polls, RSS {rss_mb():.0f} MB "
                  f"(SQLite {sqlite_heap_mb():.0f} MB), {stored} events, {services.heap.trims} trims", file=out)
    elapsed = time.perf_counter() - started
    changer.cancel()
    stored = arrived
    connections = len(getattr(services.events.journal, "_connections", ())) if services.events else 0
    sqlite_mb = sqlite_heap_mb()
    if services.events is not None:
        for conn in list(getattr(services.events.journal, "_connections", ())):
            print(f"journal connection: {connection_memory(conn)} MB", file=out)
    gc.collect()
    floor = rss_mb() if memory.trim_heap() or memory.glibc() else float("nan")  # what is really in use
    await services.stop()
    await control.aclose()

    level = next(rss for n, rss in samples if n >= hour)
    later = [rss for n, rss in samples if n > hour]
    peak = max(later) if later else level
    end = samples[-1][1]
    print(f"{polls} polls in {elapsed:.0f} s ({polls / elapsed:.1f} a second); {stored} events in the journal "
          f"({connections} journal connections, SQLite heap {sqlite_mb:.0f} MB); {services.heap.trims} trims "
          f"(longest {services.heap.longest_ms:.1f} ms)", file=out)
    print("RSS (MB) every 'hour': " + " ".join(f"{rss:.0f}" for n, rss in samples if n % hour < every),
          file=out)
    print(f"first hour {level:.0f} MB; highest after it {peak:.0f} MB ({peak / level:.2f}x); "
          f"end {end:.0f} MB ({end / level:.2f}x); after a last gc + malloc_trim(0): {floor:.0f} MB", file=out)
    first_blocks = next(b for n, b in blocks if n >= hour)
    if heap:
        print("Python heap growth since the first hour (tracemalloc, largest first):", file=out)
        for stat in tracemalloc.take_snapshot().compare_to(heap[0], "traceback")[:12]:
            print(f"  {stat}", file=out)
            for line in stat.traceback.format()[-8:]:
                print(f"      {line}", file=out)
    print(f"Python allocated blocks: first hour {first_blocks:,}, end {blocks[-1][1]:,} "
          f"({(blocks[-1][1] - first_blocks) / first_blocks:+.1%})", file=out)
    mode = {"on": "memory settings on", "off": "no memory settings"}.get(args.heap, args.heap)
    return [Figure(f"memory ({args.site}): highest RSS after the first hour / first hour", 1.10, peak / level, "x",
                   note=(f"a day = {args.polls} polls, {stored} events; {level:.0f} MB -> peak {peak:.0f}, "
                         f"end {end:.0f} MB ({end / level:.2f}x); {mode}, {services.heap.trims} trims, "
                         f"longest {services.heap.longest_ms:.1f} ms"))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site", default="large", choices=("small", "medium", "large", "xl"))
    parser.add_argument("--polls", type=int, default=720, help="door polls for a day (default 720: 2 min each)")
    parser.add_argument("--event-rate", type=float, default=400.0, help="simulator's live events a second")
    parser.add_argument("--quick", action="store_true", help="a day of 288 polls (one every 5 minutes)")
    parser.add_argument("--headless", action="store_true", help="services only, plain asyncio (no Qt models)")
    parser.add_argument("--heap", choices=("on", "off", "no-sqlite-limit"), default="on",
                        help="the console's memory settings (arena cap and SQLite heap limit at start, trims after "
                             "polls), none, or all but the SQLite limit")
    parser.add_argument("--tracemalloc", action="store_true", help="print where the Python heap grew (slower)")
    add_json_option(parser)
    args = parser.parse_args()
    if args.tracemalloc:
        tracemalloc.start(12)
    if args.quick:
        args.polls = 288
    args.polls = max(48, args.polls)
    if args.heap == "on":
        memory.at_start()  # as the console does at start, before any worker thread
    elif args.heap == "no-sqlite-limit":
        memory.limit_arenas()
    proc, url = start_simulator(args.site, args.event_rate)
    try:
        if args.headless:
            figures = asyncio.run(scenario(args, url))
        else:
            from PySide6.QtWidgets import QApplication

            from console.ui import aio

            app = QApplication(sys.argv[:1])
            app.setQuitOnLastWindowClosed(False)
            loop = aio.create_loop(app)
            figures = loop.run_until_complete(scenario(args, url))
            loop.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    emit(figures, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
