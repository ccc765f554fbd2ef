"""Benchmark of the event services (a script, not a test: pytest does not collect it).

    .venv/bin/python tests/benchmarks/bench_event_ingest.py [--events 50000] [--batch 1000]

Prints, as figures:
* parse + classify: server records turned into events per second (CPU only);
* journal insert: new events per second into the SQLite journal, in batches (one transaction each);
* journal re-offer: already-stored events per second (the replayed-monitor case: all ignored);
* stream poll: one monitor answer of ``--batch`` records, end to end, and the longest stall of the asyncio
  loop meanwhile (the GUI's loop in the console: a frame is 16 ms);
* queries on the resulting journal: count, a page deep down, a filtered count, a free-text count.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from benchlib import Figure, add_json_option, emit, human

from console.api.paging import RecordPage
from console.services.events import (
    Classifier,
    EventFilter,
    EventStream,
    Journal,
    Level,
    Retention,
    Source,
    normalise,
)
from console.services.gc_pauses import freeze_long_lived

NAMES = ("Normal Verify Open", "Normal Verify Open", "Normal Verify Open", "Access Denied", "Door forced open",
         "card is not registered", "Exit Button Open", "Opening Timeout")


def records(n: int, start: datetime, offset: int = 0) -> list[dict[str, Any]]:
    out = []
    for i in range(offset, offset + n):
        out.append({
            "eventTime": (start + timedelta(seconds=i // 4)).strftime("%Y-%m-%d %H:%M:%S"),
            "pin": str(i % 3000),
            "name": f"Person {i % 3000}",
            "lastName": "",
            "areaName": ("HQ", "Warehouse", "Lab")[i % 3],
            "cardNo": str(100000 + i % 3000),
            "devSn": f"CKN42133600{i % 40:02d}",
            "devName": f"10.8.14.{i % 40}",
            "verifyModeName": "Face",
            "eventName": NAMES[i % len(NAMES)],
            "eventPointName": f"10.8.14.{i % 40}-{i % 4 + 1}",
            "readerName": f"10.8.14.{i % 40}-{i % 4 + 1}-In",
            "logId": i,
        })
    return out


def rate(n: int, seconds: float) -> str:
    return f"{n / seconds:>10,.0f} /s  ({seconds * 1000:,.0f} ms for {n:,})"


def timed(fn: Callable[[], object], repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


class OneAnswer:
    """A client whose access monitor answers ``batch`` new records per call (others: nothing).

    The answers are made in advance: building them is the server's work, not the console's.
    """

    def __init__(self, batch: int, start: datetime, rounds: int) -> None:
        self.answers = [records(batch, start, 10_000_000 + i * batch) for i in range(rounds + 1)]

    async def call(self, section: str, /, **params: Any) -> Any:
        await asyncio.sleep(0)
        if section != "2.19.6":
            return []
        return self.answers.pop(0)

    async def monitor_records(self, section: str, since: Any) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = await self.call(section, timestamp=since)
        return records

    async def event_records(self, section: str, start: Any, end: Any, **params: Any) -> RecordPage:
        await asyncio.sleep(0)
        return RecordPage([], 0)  # nothing stored to back-fill


async def stream_poll(journal: Journal, batch: int, rounds: int) -> tuple[list[float], list[float]]:
    now = datetime.now().replace(microsecond=0)
    stream = EventStream(OneAnswer(batch, now - timedelta(hours=1), rounds), journal, sources=[Source.ACCESS])
    await stream.poll_once()
    freeze_long_lived()  # as the console does once it is up (console/services/gc_pauses.py)
    polls, stalls = [], []
    for _ in range(rounds):
        stop = asyncio.Event()
        task = asyncio.create_task(_longest_stall(stop))
        await asyncio.sleep(0.005)
        started = time.perf_counter()
        added = await stream.poll_once()
        polls.append((time.perf_counter() - started) * 1000)
        stop.set()
        stalls.append(await task * 1000)
        assert len(added) == batch, len(added)
    return polls, stalls


async def _longest_stall(stop: asyncio.Event) -> float:
    """The longest the loop took beyond a 1 ms sleep until ``stop`` is set: how long the loop was blocked."""
    worst = 0.0
    last = time.perf_counter()
    while not stop.is_set():
        await asyncio.sleep(0.001)
        now = time.perf_counter()
        worst = max(worst, now - last - 0.001)
        last = now
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="20,000 events")
    add_json_option(parser)
    args = parser.parse_args()
    if args.quick:
        args.events = 20_000
    out = human(args)

    def say(*parts: object) -> None:
        print(*parts, file=out)

    figures: list[Figure] = []
    n, batch = args.events, args.batch
    start = datetime.now().replace(microsecond=0) - timedelta(days=1)
    raw = records(n, start)
    classifier = Classifier()
    received = datetime.now()

    say(f"event ingest benchmark: {n:,} events, batches of {batch:,}, Python {sys.version.split()[0]}")
    t0 = time.perf_counter()
    events = [normalise(r, Source.ACCESS, received=received, level=classifier.classify(r)) for r in raw]
    say(f"  parse + classify     {rate(n, time.perf_counter() - t0)}")
    levels = {lv.word: sum(1 for e in events if e.level is lv) for lv in Level}
    say(f"                       levels: {levels}")

    with tempfile.TemporaryDirectory() as tmp, Journal(Path(tmp), retention=Retention(days=None, max_rows=None)) as jr:
        t0 = time.perf_counter()
        for i in range(0, n, batch):
            jr.add(events[i : i + batch])
        elapsed = time.perf_counter() - t0
        say(f"  journal insert       {rate(n, elapsed)}")
        figures.append(Figure("events: journal insert (batches of 1,000)", 20_000, n / elapsed, "events/s",
                              direction="at least", note=f"{n:,} events into an empty journal"))
        t0 = time.perf_counter()
        for i in range(0, n, batch):
            assert jr.add(events[i : i + batch]) == []
        say(f"  journal re-offer     {rate(n, time.perf_counter() - t0)}")

        # the benchmark's own 50,000 records and events are not the console's: let them go, so that a full
        # collection walking them (~40 ms) is not counted as the poll's stall
        del raw, events
        polls, stalls = asyncio.run(stream_poll(jr, batch, rounds=10))
        say(f"  stream poll          median {statistics.median(polls):,.1f} ms, worst {max(polls):,.1f} ms "
              f"for {batch:,} records ({batch / statistics.median(polls) * 1000:,.0f} events/s)")
        say(f"  loop stall in poll   median {statistics.median(stalls):,.1f} ms, worst {max(stalls):,.1f} ms "
              f"(a frame is 16 ms)")
        figures.append(Figure(f"events: monitor poll of {batch:,}, end to end (median)", 20_000,
                              batch / statistics.median(polls) * 1000, "events/s", direction="at least",
                              note="parse, classify, de-duplicate, journal"))
        figures.append(Figure(f"events: asyncio loop stall during a poll of {batch:,} (worst)", 16.0, max(stalls),
                              "ms", note=f"median {statistics.median(stalls):.1f} ms of 10"))

        total = jr.count()
        alarms = EventFilter(levels=frozenset({Level.ALARM}))
        say(f"  queries on {total:,} rows (median of 5):")
        say(f"    count()                     {timed(jr.count):8.2f} ms")
        say(f"    page(offset={total - 200:,}, 100)    {timed(lambda: jr.page(None, total - 200, 100)):8.2f} ms")
        say(f"    count(alarms)               {timed(lambda: jr.count(alarms)):8.2f} ms")
        say(f"    page(alarms, 2000, 100)     {timed(lambda: jr.page(alarms, 2000, 100)):8.2f} ms")
        text = EventFilter(text="person 42")
        say(f"    count(text)                 {timed(lambda: jr.count(text)):8.2f} ms")
        say(f"    distinct(door)              {timed(lambda: jr.distinct('door')):8.2f} ms")
    emit(figures, args)


if __name__ == "__main__":
    main()
