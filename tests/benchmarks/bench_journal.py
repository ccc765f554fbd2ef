"""Benchmark of the event journal at a million events (a script, not a test: pytest does not collect it).

    .venv/bin/python tests/benchmarks/bench_journal.py [--events 1000000] [--keep DIR] [--json]

Builds a journal of ``--events`` events in a temporary folder (``--keep DIR``: in DIR, and reused when it is
already there), in batches of 1,000 like the event stream stores them: 3,000 people, 400 doors on 100
devices, eight event names, a second apart, keys made as the stream's are (``event_key``: the time, then a
hash). Prints, as figures:

* ingest: events per second into the journal while it grows to the full size (the search index included),
  and appending batches of 1,000 to the full journal;
* the free-text filter as the events panel runs it (``count`` of the matches, then the newest page of 200):
  for a person's name, a door, a PIN, a word of an event name and a word found nowhere, each the median of 5;
  the figure is the worst of them. Needles of one or two letters (no trigram of their own: the index's
  vocabulary finds the trigrams that start with them, ``search_index.short_query``) are a figure of their
  own: two letters found nowhere, a surname of two letters, one digit.

The journal keeps everything (no retention) while it is built.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from benchlib import Figure, add_json_option, emit, human

from console.services.events import Event, EventFilter, Journal, Level, Retention, Source
from console.services.events.model import key_prefix

NAMES = ("Normal Verify Open", "Normal Verify Open", "Normal Verify Open", "Access Denied", "Door forced open",
         "card is not registered", "Exit Button Open", "Opening Timeout")
FIRST = ("Ana", "Bruno", "Chen", "Dana", "Emeka", "Fatima", "Goran", "Hana", "Ivan", "Jun", "Kofi", "Lena",
         "Mateo", "Nadia", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tariq")
LAST = ("Almeida", "Becker", "Costa", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad", "Ito", "Jensen",
        "Kowalski", "Larsen", "Moreau", "Novak", "Okafor", "Petrov", "Quispe", "Rossi", "Silva", "Tanaka",
        "Ueda", "Varga", "Weber", "Xu", "Yilmaz", "Zhang")
PEOPLE = 3000
DOORS = 400
BATCH = 1000


def person(i: int) -> str:
    return f"{FIRST[i % len(FIRST)]} {LAST[(i // len(FIRST)) % len(LAST)]}-{i // (len(FIRST) * len(LAST))}"


def door(i: int) -> str:
    return f"Building {i // 40 + 1} door {i % 40 + 1:02d}"


def batch_of(start: int, n: int, origin: datetime, rng: random.Random) -> list[Event]:
    out = []
    for i in range(start, start + n):
        who = rng.randrange(PEOPLE)
        where = rng.randrange(DOORS)
        name = NAMES[rng.randrange(len(NAMES))]
        at = origin + timedelta(seconds=i)
        out.append(Event(
            key=key_prefix(at) + hashlib.blake2b(str(i).encode(), digest_size=16).hexdigest(), source=Source.ACCESS,
            time=at, name=name,
            level=Level.ALARM if name == "Door forced open" else Level.NORMAL,
            pin=str(10000 + who), person=person(who), point=door(where), reader=f"{door(where)}-In",
            device_sn=f"CKN4213{where // 4:05d}", device_name=f"10.8.{where // 4 // 250}.{where // 4 % 250}",
            area=("HQ", "Warehouse", "Lab", "Car park")[where % 4], card=str(700000 + who), verify_mode="Face",
        ))
    return out


def timed(fn: Callable[[], object], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


COUNT_CAP = 1000  # the events panel counts a free-text filter's matches up to this (console.ui.events.model)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, default=None, help="build the journal in DIR (reused when there)")
    parser.add_argument("--quick", action="store_true", help="200,000 events")
    add_json_option(parser)
    args = parser.parse_args()
    if args.quick:
        args.events = 200_000
    out = human(args)
    n = args.events
    origin = datetime(2026, 1, 1)
    rng = random.Random(15)
    figures: list[Figure] = []
    with tempfile.TemporaryDirectory(prefix="bench-journal-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        journal = Journal(folder, retention=Retention(days=None, max_rows=None))
        try:
            have = journal.count()
            if have < n:
                spent = 0.0
                for start in range(have, n, BATCH):
                    events = batch_of(start, min(BATCH, n - start), origin, rng)
                    t0 = time.perf_counter()
                    journal.add(events)
                    spent += time.perf_counter() - t0
                built = n - have
                print(f"built {built:,} events in {spent:.1f} s of journal time: {built / spent:,.0f} events/s",
                      file=out)
                figures.append(Figure(f"journal: ingest while growing to {n:,} events", 20_000, built / spent,
                                      "events/s", direction="at least",
                                      note=f"batches of {BATCH:,}, search index included"))
            total = journal.count()
            appended = []
            for k in range(5):
                events = batch_of(total + k * BATCH, BATCH, origin, rng)
                t0 = time.perf_counter()
                journal.add(events)
                appended.append(time.perf_counter() - t0)
            rate = BATCH / statistics.median(appended)
            print(f"append {BATCH:,} to {total:,}: median {statistics.median(appended) * 1000:.1f} ms "
                  f"({rate:,.0f} events/s)", file=out)
            figures.append(Figure(f"journal: append batches of {BATCH:,} to {total:,} events", 20_000, rate,
                                  "events/s", direction="at least", note="median of 5"))
            total = journal.count()
            needles = {
                "a person's name": person(1234).casefold(),
                "a door": door(123),
                "a PIN": str(10000 + 2345),
                "a word of an event name": "forced",
                "found nowhere": "zebra crossing",
                "two letters, nowhere": "zq",
                "two letters, a surname": "xu",
                "one digit": "7",
            }
            worst, short_needle = 0.0, 0.0
            print(f"free-text filter on {total:,} events (count up to {COUNT_CAP:,} + newest 200, as the panel "
                  f"runs it; median of 5; the exact count alone for comparison):", file=out)
            for what, needle in needles.items():
                flt = EventFilter(text=needle)
                matches = journal.count(flt)

                def query(flt: EventFilter = flt) -> None:
                    journal._found.clear()  # as a newly typed filter: its candidates not yet read
                    if journal.count(flt, cap=COUNT_CAP):  # the panel reads no page when nothing matches
                        journal.page(flt, 0, 200, newest_first=True)

                ms = timed(query)
                exact = timed(lambda flt=flt: (journal._found.clear(), journal.count(flt)))
                if len(needle) < 3:
                    short_needle = max(short_needle, ms)
                else:
                    worst = max(worst, ms)
                print(f"  {what:26} {needle!r:26} {matches:>9,} matches  {ms:8.1f} ms   "
                      f"(exact count {exact:6.1f} ms)", file=out)
            figures.append(Figure(f"journal: free-text filter on {total:,} events (worst)", 100.0, worst, "ms",
                                  note=f"count up to {COUNT_CAP:,} + newest page of 200; a name, door, PIN, "
                                  "event word, nowhere"))
            figures.append(Figure(f"journal: one- or two-letter filter on {total:,} events (worst)", 100.0,
                                  short_needle, "ms", note=f"count up to {COUNT_CAP:,} (+ newest page of 200 if any); "
                                  "'zq', 'xu', '7'"))
        finally:
            journal.close()
    emit(figures, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
