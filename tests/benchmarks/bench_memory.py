"""Benchmark of memory over a long shift (a script, not a test: pytest does not collect it).

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/benchmarks/bench_memory.py [--quick] [--polls 720]
        [--site large] [--event-rate 400] [--headless] [--heap on|off|no-sqlite-limit] [--json]
        [--census] [--tracemalloc [--trace-from 1] [--frames 6]]

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

**What grew** (diagnosis, not in the figure): ``--census`` counts the live objects by type and the entries of
the session's in-memory holdings (alarm queue, the stream's second-look wait, people names, the board, the
events model's head and pages) at the first hour's end and at the day's: nearly free. ``--tracemalloc``
traces allocations from the end of hour ``--trace-from`` and compares the day's end with an hour later, by
line and by traceback (tracing slows the loop several times over, and the events keep coming in real time:
a traced day holds many more events a poll). ``--headless`` runs plain asyncio with the console's 3 executor
workers (``console/ui/aio.py``), each with its own journal connection as in the console.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import os
import shutil
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
EXECUTOR_WORKERS = 3  # console/ui/aio.py's (not imported: --headless loads no Qt)


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


def census() -> dict[str, tuple[int, int]]:
    """Live objects tracked by the garbage collector, by type: (count, shallow bytes). Cheap enough for the
    two points the figure compares (no tracing during the run)."""
    out: dict[str, list[int]] = {}
    for obj in gc.get_objects():
        kind = type(obj)
        entry = out.setdefault(f"{kind.__module__}.{kind.__qualname__}", [0, 0])
        entry[0] += 1
        with contextlib.suppress(TypeError):  # an object without a size
            entry[1] += sys.getsizeof(obj)
    return {name: (n, size) for name, (n, size) in out.items()}


def print_census(first: dict[str, tuple[int, int]], last: dict[str, tuple[int, int]], out: Any) -> None:
    rows = []
    for name in set(first) | set(last):
        n0, b0 = first.get(name, (0, 0))
        n1, b1 = last.get(name, (0, 0))
        rows.append((b1 - b0, n1 - n0, name, n0, n1))
    rows.sort(reverse=True)
    print("Objects by type, first hour -> end (largest growth in shallow bytes first):", file=out)
    for db, dn, name, n0, n1 in rows[:15]:
        print(f"  {name}: {n0:,} -> {n1:,} ({dn:+,}; {db / 2**20:+.1f} MB shallow)", file=out)


def holdings(services: Any, keep: list[Any]) -> dict[str, int]:
    """How many entries the session's known in-memory holdings have (caches, queues, the models' rows)."""
    out: dict[str, int] = {}

    def size(name: str, obj: Any, attr: str) -> None:
        value = getattr(obj, attr, None)
        if value is not None:
            with contextlib.suppress(TypeError):
                out[name] = len(value)

    if services.events is not None:
        size("alarm queue", services.events.alarms, "_alarms")
        for source, rt in getattr(services.events.stream, "_rt", {}).items():
            size(f"stream {source.value} unconfirmed", rt, "unconfirmed")
            size(f"stream {source.value} pending gaps", rt, "pending")
        for attr in ("_queries", "_dense", "_found"):
            size(f"journal {attr}", services.events.journal, attr)
    if services.people is not None:
        size("people names known", services.people, "_known")
        size("people names not before", services.people, "_not_before")
        size("people names waiting", services.people, "_waiting")
    if services.board_alarms is not None:
        for attr in ("_raised", "_marked", "_early", "_pending"):
            size(f"board alarms {attr}", services.board_alarms, attr)
    for attr in ("_items", "_raw", "_devices", "_readers", "_listed"):
        size(f"board {attr}", services.board, attr)
    for obj in keep:
        for attr in ("_head", "_pages", "_cells", "_rows", "_cache"):
            size(f"{type(obj).__name__} {attr}", obj, attr)
    return out


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
    resets: list[int] = []
    sqlite_at_hour: list[float] = []
    if not args.headless:  # the workspace's two big models, fed as the panels feed them
        from console.ui.doors.model import BoardModel
        from console.ui.events.model import EventTableModel

        keep.append(BoardModel(board))
        if services.events is not None:
            events_model = EventTableModel(services.events.journal)
            keep.append(events_model)
            keep.append(services.events.stream.events_added.connect(events_model.add_events))
            events_model.modelReset.connect(lambda: resets.append(1))  # a recount and a first page read again

    polls = 0
    done = asyncio.Event()
    hour = max(1, args.polls // 24)
    every = max(1, args.polls // SAMPLES)
    samples: list[tuple[int, float]] = []
    blocks: list[tuple[int, int]] = []  # Python's allocated blocks at the same points (a leak shows here)
    heap: list[tracemalloc.Snapshot] = []  # with --tracemalloc: the Python heap at the end of the second hour
    counted: list[tuple[dict[str, tuple[int, int]], dict[str, int]]] = []  # with --census: at the first hour

    def polled(_ok: bool) -> None:
        nonlocal polls
        polls += 1
        if polls % every == 0 or polls == hour:
            samples.append((polls, rss_mb()))
            blocks.append((polls, sys.getallocatedblocks()))
        if polls == hour:
            sqlite_at_hour.append(sqlite_heap_mb())
        if polls == hour and args.census:
            counted.append((census(), holdings(services, keep)))
        # tracing from the start slows the day tenfold: it starts at the end of hour --trace-from (default the
        # first), the reference an hour later (what was made in between and is still alive is in both snapshots)
        if args.tracemalloc and polls == hour * args.trace_from:
            tracemalloc.start(args.frames)
        if args.tracemalloc and polls == hour * (args.trace_from + 1):
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
    last_census = census() if args.census else {}
    last_held = holdings(services, keep) if args.census else {}
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
    shutil.rmtree(base, ignore_errors=True)  # the day's journal (tens of MB)

    level = next(rss for n, rss in samples if n >= hour)
    later = [rss for n, rss in samples if n > hour]
    peak = max(later) if later else level
    end = samples[-1][1]
    print(f"{polls} polls in {elapsed:.0f} s ({polls / elapsed:.1f} a second); {stored} events in the journal "
          f"({connections} journal connections, SQLite heap {sqlite_at_hour[0] if sqlite_at_hour else 0:.0f} MB "
          f"at the first hour's end, {sqlite_mb:.0f} MB at the day's); {services.heap.trims} trims "
          f"(longest {services.heap.longest_ms:.1f} ms)", file=out)
    for model in keep:
        if hasattr(model, "_head"):
            print(f"events model: {len(resets)} resets, {len(model._head)} live rows on top, "
                  f"{len(model._pages)} pages cached", file=out)
    print("RSS (MB) every 'hour': " + " ".join(f"{rss:.0f}" for n, rss in samples if n % hour < every),
          file=out)
    print(f"first hour {level:.0f} MB; highest after it {peak:.0f} MB ({peak / level:.2f}x); "
          f"end {end:.0f} MB ({end / level:.2f}x); after a last gc + malloc_trim(0): {floor:.0f} MB", file=out)
    first_blocks = next(b for n, b in blocks if n >= hour)
    if heap:
        final = tracemalloc.take_snapshot()
        tracemalloc.stop()
        print(f"Python heap growth from hour {args.trace_from + 1} to the end (tracemalloc, by line, largest first):",
              file=out)
        for stat in final.compare_to(heap[0], "lineno")[:15]:
            print(f"  {stat}", file=out)
        print("... and by traceback:", file=out)
        for stat in final.compare_to(heap[0], "traceback")[:10]:
            print(f"  {stat}", file=out)
            for line in stat.traceback.format()[-2 * args.frames:]:
                print(f"      {line}", file=out)
    if counted:
        print_census(counted[0][0], last_census, out)
        first_held = counted[0][1]
        print("Holdings (entries), first hour -> end:", file=out)
        for name in sorted(set(first_held) | set(last_held)):
            print(f"  {name}: {first_held.get(name, 0):,} -> {last_held.get(name, 0):,}", file=out)
    print(f"Python allocated blocks: first hour {first_blocks:,}, end {blocks[-1][1]:,} "
          f"({(blocks[-1][1] - first_blocks) / first_blocks:+.1%})", file=out)
    mode = {"on": "memory settings on", "off": "no memory settings"}.get(args.heap, args.heap)
    return [Figure(f"memory ({args.site}): highest RSS after the first hour / first hour", 1.10, peak / level, "x",
                   note=(f"a day = {args.polls} polls, {stored} events; {level:.0f} MB -> peak {peak:.0f}, "
                         f"end {end:.0f} MB ({end / level:.2f}x); {mode}, {services.heap.trims} trims, "
                         f"longest {services.heap.longest_ms:.1f} ms"))]


async def headless(args: argparse.Namespace, url: str) -> list[Figure]:
    """The scenario on plain asyncio, with the console's executor size (``console/ui/aio.py``: 3 workers, each
    with its own journal connection; asyncio's default would be cores + 4)."""
    from concurrent.futures import ThreadPoolExecutor

    asyncio.get_running_loop().set_default_executor(ThreadPoolExecutor(EXECUTOR_WORKERS))
    return await scenario(args, url)


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
    parser.add_argument("--tracemalloc", action="store_true",
                        help="print where the Python heap grew from the second hour to the end (slower)")
    parser.add_argument("--frames", type=int, default=6, help="with --tracemalloc: frames kept per allocation")
    parser.add_argument("--trace-from", type=int, default=1,
                        help="with --tracemalloc: the hour tracing starts at (the reference is an hour later)")
    parser.add_argument("--census", action="store_true",
                        help="print the live objects by type and the session's caches, first hour -> end")
    add_json_option(parser)
    args = parser.parse_args()
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
            figures = asyncio.run(headless(args, url))
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
