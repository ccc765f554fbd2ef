"""Benchmark of the events panel (a script, not a test: pytest does not collect it).

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/benchmarks/bench_event_panel.py [--history 100000]
        [--batch 1000] [--rounds 10]

With the panel shown (the table visible, ``--history`` events already in the journal), a fake server answers
each access monitor poll with ``--batch`` new records. Prints, as figures:

* ingest: events per second from the monitor's answer into the journal and the model, end to end (parse,
  classify, store in a worker thread; insert into the model, the chart, repaint);
* the model alone: ``add_events`` of one batch, and the repaint of the table after it;
* the longest stall of the Qt event loop while one batch arrives (a 1 ms precise QTimer measures the gaps
  between its ticks, from just before the poll to 100 ms after it): the target is one frame, 16 ms;
* scrolling: the longest jump to a random place in the history (the page read from the journal and the repaint).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from benchlib import Figure, add_json_option, emit, human
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from console.api.paging import RecordPage
from console.services.events import Event, EventStream, Journal, Level, Retention, Source
from console.services.gc_pauses import freeze_long_lived
from console.services.settings import Settings
from console.ui import aio, theme
from console.ui.events import EventsPanel

NAMES = ("Normal Verify Open", "Normal Verify Open", "Normal Verify Open", "Access Denied", "Door forced open",
         "card is not registered", "Exit Button Open", "Opening Timeout")
FRAME_MS = 16.0


def records(n: int, start: datetime, offset: int = 0) -> list[dict[str, Any]]:
    out = []
    for i in range(offset, offset + n):
        out.append({
            "eventTime": (start + timedelta(seconds=i // 4)).strftime("%Y-%m-%d %H:%M:%S"),
            "pin": str(i % 3000), "cardNo": str(100000 + i % 3000), "areaName": ("HQ", "Warehouse", "Lab")[i % 3],
            "devSn": f"CKN42133600{i % 40:02d}", "devName": f"10.8.14.{i % 40}", "verifyModeName": "Face",
            "eventName": NAMES[i % len(NAMES)], "eventPointName": f"10.8.14.{i % 40}-{i % 4 + 1}",
            "readerName": f"10.8.14.{i % 40}-{i % 4 + 1}-In", "logId": i,
        })
    return out


def history(n: int, end: datetime) -> list[Event]:
    start = end - timedelta(seconds=n // 2)
    return [
        Event(key=f"h{i:09d}", source=Source.ACCESS, time=start + timedelta(seconds=i // 2), name=NAMES[i % len(NAMES)],
              level=(Level.NORMAL, Level.NORMAL, Level.WARNING, Level.ALARM)[i % 4] if i % 5 == 0 else Level.NORMAL,
              pin=str(i % 3000), person=f"Person {i % 3000}", point=f"Door {i % 60}", reader=f"Door {i % 60}-In",
              device_sn=f"SN{i % 40}", device_name=f"Controller {i % 40}", verify_mode="Face",
              area=("HQ", "Warehouse", "Lab")[i % 3])
        for i in range(n)
    ]


class Answers:
    """Access monitor answers made in advance (building them is the server's work)."""

    def __init__(self, batch: int, start: datetime, rounds: int) -> None:
        self.answers = [records(batch, start, 10_000_000 + i * batch) for i in range(rounds + 2)]

    async def call(self, section: str, /, **params: Any) -> Any:
        await asyncio.sleep(0)
        if section != "2.19.6" or not self.answers:
            return []
        return self.answers.pop(0)

    async def monitor_records(self, section: str, since: Any) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = await self.call(section, timestamp=since)
        return records

    async def event_records(self, section: str, start: Any, end: Any, **params: Any) -> RecordPage:
        await asyncio.sleep(0)
        return RecordPage([], 0)  # nothing stored to back-fill


class Heartbeat:
    """A precise 1 ms Qt timer: the longest gap between two ticks is the longest the Qt loop was blocked."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(1)
        self.timer.timeout.connect(self._beat)
        self.last = 0.0
        self.worst = 0.0

    def _beat(self) -> None:
        now = time.perf_counter()
        self.worst = max(self.worst, now - self.last)
        self.last = now

    def start(self) -> None:
        self.worst = 0.0
        self.last = time.perf_counter()
        self.timer.start()

    def stop(self) -> float:
        self.timer.stop()
        return max(0.0, self.worst * 1000 - 1.0)


async def settle(seconds: float) -> None:
    """Let the Qt+asyncio loop run (paint, timers) for ``seconds``."""
    await asyncio.sleep(seconds)


async def run(args: argparse.Namespace) -> int:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    theme.apply_theme(app, "dark")
    out = human(args)

    def say(*parts: object) -> None:
        print(*parts, file=out)

    now = datetime.now().replace(microsecond=0)
    with tempfile.TemporaryDirectory() as tmp:
        journal = Journal(Path(tmp), retention=Retention(days=None, max_rows=None))
        try:
            t0 = time.perf_counter()
            events = history(args.history, now - timedelta(hours=2))
            for i in range(0, len(events), 20_000):
                journal.add(events[i : i + 20_000])
            say(f"  history: {args.history:,} events in the journal ({time.perf_counter() - t0:,.1f} s to store)")
            del events  # the benchmark's own copy: the console holds only what the model reads
            stream = EventStream(Answers(args.batch, now - timedelta(minutes=30), args.rounds), journal,
                                 sources=[Source.ACCESS])
            panel = EventsPanel(journal, stream, Settings(Path(tmp) / "settings.toml"))
            panel.resize(1500, 900)
            panel.show()
            await settle(0.3)
            await stream.poll_once()  # the first answer: warms everything up
            await settle(0.2)
            freeze_long_lived()  # as the console does once it is up (console/services/gc_pauses.py)
            beat = Heartbeat()
            polls, stalls = [], []
            for _ in range(args.rounds):
                beat.start()
                await settle(0.02)
                started = time.perf_counter()
                added = await stream.poll_once()
                polls.append(time.perf_counter() - started)
                await settle(0.1)  # the repaint after it
                stalls.append(beat.stop())
                if args.verbose:
                    say(f"    round {len(stalls)}: stall {stalls[-1]:.1f} ms, poll {polls[-1] * 1000:.0f} ms")
                assert len(added) == args.batch, len(added)
            rows = panel.model.rowCount()
            say(f"  ingest (journal + model): median {statistics.median(polls) * 1000:,.1f} ms per {args.batch:,} "
                  f"events = {args.batch / statistics.median(polls):,.0f} events/s (worst "
                  f"{max(polls) * 1000:,.1f} ms); table now {rows:,} rows")

            # the model alone, and the repaint after it
            fresh = [replace(e, key=f"live{i:09d}") for i, e in enumerate(history(args.batch, now))]
            journal.add(fresh)
            t0 = time.perf_counter()
            panel.model.add_events(fresh)
            t_model = time.perf_counter() - t0
            t0 = time.perf_counter()
            panel.view.viewport().repaint()
            t_paint = time.perf_counter() - t0
            say(f"  model.add_events({args.batch:,}): {t_model * 1000:,.2f} ms "
                  f"({args.batch / t_model:,.0f} events/s); table repaint {t_paint * 1000:,.2f} ms")
            verdict = "within" if max(stalls) <= FRAME_MS else "OVER"
            say(f"  longest Qt loop stall while {args.batch:,} events arrive: median "
                  f"{statistics.median(stalls):,.1f} ms, worst {max(stalls):,.1f} ms ({verdict} one frame, "
                  f"{FRAME_MS:.0f} ms)")

            # scrolling: random jumps into the history
            rng = random.Random(1)
            view, model = panel.view, panel.model
            jumps = []
            for _ in range(30):
                row = rng.randrange(model.rowCount())
                t0 = time.perf_counter()
                view.scrollTo(model.index(row, 0))
                view.viewport().repaint()
                jumps.append(time.perf_counter() - t0)
            if args.verbose:
                say("    jumps (ms):", " ".join(f"{j * 1000:.0f}" for j in jumps))
            say(f"  scroll jump + repaint: median {statistics.median(jumps) * 1000:,.1f} ms, worst "
                  f"{max(jumps) * 1000:,.1f} ms over {model.rowCount():,} rows")
            emit([
                Figure("events panel: ingest into journal + model (median)", 20_000,
                       args.batch / statistics.median(polls), "events/s", direction="at least",
                       note=f"batches of {args.batch:,}, {args.history:,} events of history, panel shown"),
                Figure(f"events panel: Qt loop stall while {args.batch:,} arrive (worst)", FRAME_MS, max(stalls),
                       "ms", note=f"median {statistics.median(stalls):.1f} ms of {args.rounds}"),
                Figure("events panel: scroll jump + repaint (worst)", FRAME_MS, max(jumps) * 1000, "ms",
                       note=f"median {statistics.median(jumps) * 1000:.1f} ms, {model.rowCount():,} rows"),
            ], args)
            await panel.stop()
            panel.close()
            panel.deleteLater()
            return 0
        finally:
            journal.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--history", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--verbose", action="store_true", help="print every round")
    parser.add_argument("--switch-interval", type=float, default=None,
                        help="sys.setswitchinterval (seconds) for the run, to see the GIL's share")
    parser.add_argument("--quick", action="store_true", help="20,000 events of history, 5 rounds")
    add_json_option(parser)
    args = parser.parse_args()
    if args.quick:
        args.history, args.rounds = 20_000, 5
    if args.switch_interval:
        sys.setswitchinterval(args.switch_interval)
    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    loop = aio.create_loop(app)
    print(f"events panel benchmark: batches of {args.batch:,}, Python {sys.version.split()[0]}, "
          f"Qt platform {app.platformName()}", file=human(args))
    try:
        return loop.run_until_complete(run(args))
    finally:
        loop.close()


if __name__ == "__main__":
    sys.exit(main())
