"""Soak: the console's services, headless, against the simulator with faults, for a set time.

Not a test: a script the lead runs for an hour (``./dev.sh soak --minutes 60``) and anyone for a few minutes.
The simulator runs in a subprocess (its own memory), the console's ``SessionServices`` in this one, over
HTTP on 127.0.0.1. A cycle of faults repeats (calm, slow answers, dropped answers, server down, garbled
answers and HTTP 500, a flood of events) while door commands are issued every few seconds. Every interval
and at the end it prints:

- events lost: the simulator's ground truth (``/_sim/events``: access, gate, temperature) against the
  journal, by the journal's own content key (during the run: events older than a minute not yet there);
- events doubled: journal rows of one real event beyond the first (same source, device, second, name, pin);
- commands without audit rows: door commands that reached the simulator (``/_sim/requests``) beyond the
  "sending" rows of the audit log for that door, plus tickets never completed;
- this process's RSS and the journal and audit files' sizes.

At the end the faults are lifted and the stream is given time to back-fill its gaps; the exit status is 1 when
anything was lost, doubled or unaudited, or when memory or the journal grew beyond their bounds (RSS in the
last quarter of the run more than ``--rss-growth-mb`` above the first quarter's; journal bytes per stored
event above ``--journal-bytes-per-event``).

    python tools/soak.py --minutes 3 [--cycle 60] [--every 30] [--event-rate 2] [--basedir DIR] [--keep]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import random
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Coroutine
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from console.api import Client
from console.services.audit import SENDING
from console.services.commands import Target
from console.services.doors import Kind
from console.services.events.model import Source, event_key
from console.services.events.stream import SourceState
from console.services.paths import Paths
from console.services.session import Profile, Session
from console.services.session_services import EventServices, SessionServices
from console.services.settings import Settings

STORES = {"acc": Source.ACCESS, "psg": Source.GATE, "hep": Source.TEMPERATURE}
COMMAND_PATHS = ("/api/door/remoteOpen", "/api/door/remoteClose")
NOT_ACTED = ("down", "error")  # faults that answer before the server handles the request
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
# the journal folds its WAL back every 8,000 pages (32 MB) and SQLite keeps the WAL file at its largest size
JOURNAL_WAL_ALLOWANCE = 40 * 2**20
CONSIDERED_LATE = 60.0  # during the run, an event this old that is not in the journal counts as missing

# one fault cycle, as fractions of --cycle: (start, phase name, simulator faults, flood)
PHASES: list[tuple[float, str, dict[str, Any], bool]] = [
    (0.00, "calm", {}, False),
    (0.15, "slow answers", {"latency_ms": 1500}, False),
    (0.30, "dropped answers", {"drop_rate": 0.3}, False),
    (0.45, "server down", {"down_seconds": 0.12}, False),  # down_seconds scaled by the cycle below
    (0.60, "garbled and 500", {"malformed_rate": 0.2, "error_rate": 0.1}, False),
    (0.72, "event flood", {}, True),
    (0.80, "calm", {}, False),
]


@dataclass
class Tally:
    truth_keys: dict[str, str] = field(default_factory=dict)  # content key -> event time: not seen in the journal yet
    confirmed: dict[str, str] = field(default_factory=dict)  # content key -> event time: seen in the journal
    truth_loose: Counter[tuple[str, ...]] = field(default_factory=Counter)
    truth_seq: int = 0
    truth_total: int = 0
    requests_until: float = 0.0  # the time of the newest request already counted
    command_requests: Counter[str] = field(default_factory=Counter)  # door id -> requests the server handled
    commands_issued: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    samples: list[tuple[float, int, int, int]] = field(default_factory=list)  # (t, rss, journal, audit) bytes


def rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def file_size(path: Path, suffixes: tuple[str, ...] = ("", "-wal", "-shm")) -> int:
    """A SQLite file's size on disk, with its WAL and shared-memory files."""
    total = 0
    for suffix in suffixes:
        with contextlib.suppress(OSError):
            total += (path.parent / (path.name + suffix)).stat().st_size
    return total


def loose_key(source: str, sn: Any, at: str, name: Any, pin: Any) -> tuple[str, ...]:
    return (source, str(sn or "").casefold(), at, str(name or "").casefold(), str(pin or "").casefold())


class Soak:
    def __init__(self, args: argparse.Namespace, base: Path) -> None:
        self.args = args
        self.base = base
        self.token = secrets.token_urlsafe(18)
        self.tally = Tally()
        self.sim: subprocess.Popen[bytes] | None = None
        self.url = ""
        self.control: httpx.AsyncClient | None = None
        self.services: SessionServices | None = None
        self.started_at = ""  # wall time (text) from which the ground truth is compared
        self.ended_at = "9999"  # ... and up to which (set when the faults are lifted and the gaps filled)
        self.t0 = time.monotonic()
        self.phase = "starting"
        self.heap: tracemalloc.Snapshot | None = None
        self.flooding: asyncio.Task[None] | None = None
        self.broken: list[str] = []  # loops of the soak itself that stopped (the result is then in doubt)

    @property
    def svc(self) -> SessionServices:
        if self.services is None:
            raise RuntimeError("the services are not built yet")
        return self.services

    @property
    def ev(self) -> EventServices:
        if self.svc.events is None:
            raise RuntimeError("the event services could not be built")
        return self.svc.events

    # -- the simulator ------------------------------------------------------------------------------

    def start_sim(self) -> None:
        out = open(self.base / "sim.out", "wb")  # noqa: SIM115 - held for the subprocess's life
        err = open(self.base / "sim.err", "wb")  # noqa: SIM115
        self.sim = subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
            [sys.executable, "-m", "console.sim", "--port", "0", "--token", self.token, "--seed",
             str(self.args.seed), "--event-rate", str(self.args.event_rate)],
            stdout=out, stderr=err, cwd=Path(__file__).resolve().parent.parent)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            text = (self.base / "sim.out").read_text(errors="replace")
            if "simulator ready" in text:
                self.url = text.splitlines()[0].strip()
                return
            if self.sim.poll() is not None:
                break
            time.sleep(0.1)
        self.stop_sim()
        raise SystemExit(f"the simulator did not start: {(self.base / 'sim.err').read_text(errors='replace')}")

    def stop_sim(self) -> None:
        if self.sim is not None and self.sim.poll() is None:
            self.sim.terminate()
            try:
                self.sim.wait(10)
            except subprocess.TimeoutExpired:
                self.sim.kill()
                self.sim.wait(5)

    async def sim_call(self, method: str, path: str, json: Any = None, **params: Any) -> Any:
        """A control call; a connection lost on the way (a keep-alive closed under it) is tried again."""
        assert self.control is not None
        for attempt in range(3):
            try:
                response = await self.control.request(method, path, params={**params, "access_token": self.token},
                                                      json=json)
                break
            except httpx.TransportError:
                if attempt == 2:
                    raise
                await asyncio.sleep(0.5)
        response.raise_for_status()
        return response.json()

    async def set_faults(self, faults: dict[str, Any]) -> None:
        await self.sim_call("POST", "/_sim/faults", {"reset": True, **faults})

    # -- ground truth and what reached the server ---------------------------------------------------

    async def read_truth(self) -> None:
        answer = await self.sim_call("GET", "/_sim/events", since=self.tally.truth_seq)
        answer = answer.get("data", answer) if isinstance(answer, dict) and "events" not in answer else answer
        for event in answer["events"]:
            self.tally.truth_seq = max(self.tally.truth_seq, int(event["seq"]))
            source = STORES.get(event.get("store", ""))
            if source is None or str(event.get("eventTime", "")) < self.started_at:
                continue
            self.tally.truth_total += 1
            key = event_key(event, source)
            if key not in self.tally.confirmed:
                self.tally.truth_keys[key] = str(event["eventTime"])
            self.tally.truth_loose[loose_key(source.value, event.get("devSn"), str(event["eventTime"]),
                                             event.get("eventName"), event.get("pin"))] += 1

    async def read_requests(self) -> None:
        answer = await self.sim_call("GET", "/_sim/requests")
        answer = answer.get("data", answer) if isinstance(answer, dict) and "requests" not in answer else answer
        newest = self.tally.requests_until
        for r in answer["requests"]:  # oldest first; only those after the last one read
            if r["at"] <= self.tally.requests_until:
                continue
            newest = max(newest, r["at"])
            if r["path"].startswith(COMMAND_PATHS) and r["fault"] not in NOT_ACTED:
                door = (parse_qs(r["query"]).get("doorId") or [""])[0]
                self.tally.command_requests[door] += 1
        self.tally.requests_until = newest

    # -- the journal and the audit log --------------------------------------------------------------

    def lost(self, older_than: float | None) -> int:
        """Ground-truth events not in the journal (only those older than ``older_than`` seconds, if given)."""
        journal = self.ev.journal
        cutoff = (datetime.fromtimestamp(time.time() - older_than).strftime(TIME_FORMAT)
                  if older_than is not None else self.ended_at)
        found = [key for key in self.tally.truth_keys if key in journal]  # each looked up once: then confirmed
        for key in found:
            self.tally.confirmed[key] = self.tally.truth_keys.pop(key)
        return sum(1 for at in self.tally.truth_keys.values() if at <= cutoff)

    async def lost_examples(self, limit: int = 10) -> list[str]:
        """The first lost events in words (the ground truth is read again: the soak keeps only keys)."""
        journal = self.ev.journal
        missing = {key for key, at in self.tally.truth_keys.items() if at <= self.ended_at and key not in journal}
        answer = await self.sim_call("GET", "/_sim/events", since=0)
        words = []
        for event in answer["events"]:
            source = STORES.get(event.get("store", ""))
            if source is not None and event_key(event, source) in missing:
                words.append(f"seq {event['seq']} {event['eventTime']} {source.value} {event.get('eventName')!r} "
                             f"at {event.get('eventPointName')!r} pin {event.get('pin')!r}")
        return words[:limit]

    def doubled(self) -> int:
        rows: Counter[tuple[str, ...]] = Counter()
        since = datetime.strptime(self.started_at, TIME_FORMAT)
        for e in self.ev.journal.iter_range(since, None):
            if e.source in (Source.ACCESS, Source.GATE, Source.TEMPERATURE):
                at = e.time.astimezone().strftime(TIME_FORMAT) if e.time.tzinfo else e.time.strftime(TIME_FORMAT)
                rows[loose_key(e.source.value, e.device_sn, at, e.name, e.pin)] += 1
        return sum(max(0, n - max(1, self.tally.truth_loose.get(k, 0))) for k, n in rows.items())

    def audit_check(self) -> tuple[int, int, int]:
        """(sending rows, unaudited command requests, tickets never completed)."""
        rows = [r for r in self.svc.audit.rows() if r.action in ("door.open", "door.close")]
        sending = [r for r in rows if r.result == SENDING]
        completed = {r.params.get("completes") for r in rows if r.result != SENDING}
        per_door: Counter[str] = Counter()
        for r in sending:
            door = r.target.rsplit("(", 1)[-1].rstrip(")")
            per_door[door] += 1
        unaudited = sum(max(0, n - per_door.get(door, 0)) for door, n in self.tally.command_requests.items())
        open_tickets = sum(1 for r in sending if r.seq not in completed)
        return len(sending), unaudited, open_tickets

    def sample(self) -> tuple[int, int, int]:
        journal = file_size(self.ev.journal.path)
        audit = file_size(self.svc.audit.path)
        rss = rss_bytes()
        self.tally.samples.append((time.monotonic() - self.t0, rss, journal, audit))
        return rss, journal, audit

    def report(self, final: bool = False) -> str:
        rss, journal, audit = self.sample()
        sending, unaudited, open_tickets = self.audit_check()
        lost = self.lost(None if final else CONSIDERED_LATE)
        stored = self.ev.journal.count()
        elapsed = time.monotonic() - self.t0
        when = "END" if final else f"{elapsed / 60:5.1f} min"
        return (f"{when} | {self.phase:<15} | truth {self.tally.truth_total:6d}"
                f" journal {stored:6d} | {'lost' if final else 'missing>60s'} {lost} doubled {self.doubled()} | "
                f"commands {self.tally.commands_issued} audited {sending} unaudited {unaudited} open {open_tickets} "
                f"| RSS {rss / 2**20:6.1f} MB journal {journal / 2**20:6.2f} MB audit {audit / 2**10:7.1f} KB | "
                f"{self.svc.session.health.value}")

    # -- the run ------------------------------------------------------------------------------------

    async def faults_loop(self, until: float) -> None:
        """The fault cycle, phase after phase, until ``until``; then every fault is lifted."""
        cycle = self.args.cycle
        number = 0
        while time.monotonic() < until:
            cycle_start = self.t0 + number * cycle
            number += 1
            for start, name, faults, flood in PHASES:
                at = cycle_start + start * cycle
                if at >= until:
                    break
                await asyncio.sleep(max(0.0, at - time.monotonic()))
                self.phase = name
                logging.getLogger("soak").warning("phase: %s", name)
                scaled = dict(faults)
                if "down_seconds" in scaled:
                    scaled["down_seconds"] = max(3.0, scaled["down_seconds"] * cycle)
                await self.set_faults(scaled)
                if flood and (self.flooding is None or self.flooding.done()):  # the schedule does not wait for it
                    self.flooding = asyncio.create_task(self.guarded(self.flood(self.args.flood)))
            await asyncio.sleep(max(0.0, min(until, cycle_start + cycle) - time.monotonic()))
        self.phase = "settling"
        if self.flooding is not None:
            await self.flooding
        await self.set_faults({})

    async def guarded(self, work: Coroutine[Any, Any, None]) -> None:
        """A loop of the soak failing (the simulator overloaded...) is reported, not the end of the soak."""
        name = getattr(work, "__qualname__", "a loop")
        try:
            await work
        except Exception as exc:
            print(f"soak: {name} stopped: {type(exc).__name__}: {exc}", flush=True)
            logging.getLogger("soak").exception("%s stopped", name)
            self.broken.append(name)

    async def flood(self, count: int) -> None:
        assert self.control is not None
        sem = asyncio.Semaphore(8)

        async def one() -> None:
            kind = random.choice(("verify", "verify", "gate_pass", "denied", "unknown_card"))
            async with sem:
                try:
                    await self.sim_call("POST", "/_sim/emit", {"kind": kind})
                except httpx.HTTPStatusError as exc:  # the world said no (e.g. no such device): not an event
                    logging.getLogger("soak").warning("emit %s refused: %s", kind, exc.response.text[:200])
                except httpx.TransportError as exc:
                    logging.getLogger("soak").warning("emit %s lost: %s", kind, exc)

        await asyncio.gather(*(one() for _ in range(count)))

    async def commands_loop(self, until: float) -> None:
        rng = random.Random(self.args.seed)
        opening = True
        while time.monotonic() < until:
            await asyncio.sleep(self.args.command_every)
            doors = [i for i in self.svc.board.items if i.kind is Kind.DOOR and not i.offline]
            if not doors:
                continue
            target = Target.of(rng.choice(doors))
            commands = self.svc.doors.commands
            self.tally.commands_issued += 1
            try:
                if opening:
                    result = await commands.open_door(target, 3)
                else:
                    result = await commands.close_door(target)
                self.tally.outcomes[result.outcome.value] += 1
            except Exception as exc:  # counted and shown: the soak goes on
                self.tally.outcomes[f"raised {type(exc).__name__}"] += 1
            opening = not opening

    async def watch_loop(self, until: float) -> None:
        next_report = time.monotonic() + self.args.every
        while time.monotonic() < until:
            await asyncio.sleep(min(3.0, max(0.1, until - time.monotonic())))
            with contextlib.suppress(httpx.HTTPError):
                await self.read_truth()
                await self.read_requests()
            if time.monotonic() >= next_report:
                print(self.report(), flush=True)
                next_report += self.args.every
                if self.args.tracemalloc and self.heap is None:
                    self.heap = tracemalloc.take_snapshot()

    async def settle(self) -> None:
        """Faults off: let the stream back-fill its gaps (at most ``--settle`` seconds)."""
        stream = self.ev.stream
        deadline = time.monotonic() + self.args.settle
        await asyncio.sleep(min(5.0, self.args.settle))
        while time.monotonic() < deadline:
            await self.read_truth()
            await self.read_requests()
            states = [stream.status(s).state for s in (Source.ACCESS, Source.GATE)]
            if all(s is SourceState.OK for s in states) and not stream.pending_gaps and self.lost(5.0) == 0:
                break
            await asyncio.sleep(2.0)
        # the comparison ends here: events of the last seconds are still on their way (the simulator goes on)
        self.ended_at = datetime.fromtimestamp(time.time() - 3).strftime(TIME_FORMAT)
        await self.read_truth()
        await self.read_requests()
        await asyncio.sleep(max(5.0, 3 * self.args.poll))  # a few polls for the last of them

    async def verdict(self) -> int:
        sending, unaudited, open_tickets = self.audit_check()
        lost, doubled = self.lost(None), self.doubled()
        samples = self.tally.samples
        quarter = max(1, len(samples) // 4)
        first = max(s[1] for s in samples[:quarter])
        last = max(s[1] for s in samples[-quarter:])
        growth = last - first
        stored = max(1, self.ev.journal.count())
        journal = samples[-1][2]
        per_event = journal / stored
        compared = [at for keys in (self.tally.truth_keys, self.tally.confirmed) for at in keys.values()
                    if at <= self.ended_at]
        print(f"ground truth: {len(compared)} distinct events from {self.started_at} to {self.ended_at} "
              f"({self.tally.truth_total} produced in all; monitor records carry no id, so two events alike to "
              "the second are one)", flush=True)
        print(f"commands: {self.tally.commands_issued} issued, "
              f"{sum(self.tally.command_requests.values())} reached the server, {sending} audited "
              f"({', '.join(f'{k} {v}' for k, v in sorted(self.tally.outcomes.items()))})")
        print("memory (RSS MB) over time: " + " ".join(f"{s[1] / 2**20:.0f}" for s in samples))
        print("journal (MB) over time:    " + " ".join(f"{s[2] / 2**20:.1f}" for s in samples))
        db = file_size(self.ev.journal.path, ("",))
        print(f"RSS first quarter max {first / 2**20:.1f} MB, last quarter max {last / 2**20:.1f} MB "
              f"(growth {growth / 2**20:+.1f} MB, bound {self.args.rss_growth_mb:.0f} MB); journal "
              f"{journal / 2**20:.1f} MB for {stored} events (file {db / 2**20:.1f} MB + WAL "
              f"{(journal - db) / 2**20:.1f} MB; {per_event:.0f} bytes per event; bound "
              f"{JOURNAL_WAL_ALLOWANCE / 2**20:.0f} MB of WAL + {self.args.journal_bytes_per_event:.0f} per event)")
        connections = len(getattr(self.ev.journal, "_connections", ()))
        print(f"journal connections: {connections} (one per thread that used it; each caches up to 16 MB of pages, "
              "so RSS rises with the journal until those caches are full)")
        problems = []
        if lost:
            problems.append(f"{lost} events lost")
            for words in await self.lost_examples():
                print(f"  lost: {words}")
        if doubled:
            problems.append(f"{doubled} events doubled")
        if unaudited:
            problems.append(f"{unaudited} commands without an audit row")
        if open_tickets:
            problems.append(f"{open_tickets} audit tickets never completed")
        if self.broken:
            problems.append(f"the soak's own {', '.join(self.broken)} stopped")
        if growth > self.args.rss_growth_mb * 2**20:
            problems.append(f"memory grew {growth / 2**20:.1f} MB")
        allowed = JOURNAL_WAL_ALLOWANCE + stored * self.args.journal_bytes_per_event
        if journal > allowed:
            problems.append(f"the journal takes {journal / 2**20:.1f} MB for {stored} events "
                            f"(bound {allowed / 2**20:.1f} MB)")
        if self.heap is not None:
            top = tracemalloc.take_snapshot().compare_to(self.heap, "lineno")[:12]
            print("Python heap growth since the first report (tracemalloc, largest first):")
            for stat in top:
                print(f"  {stat}")
        print(f"RESULT: lost {lost}, doubled {doubled}, unaudited {unaudited}, open tickets {open_tickets}: "
              + ("FAIL (" + "; ".join(problems) + ")" if problems else "OK"), flush=True)
        return 1 if problems else 0

    async def run(self) -> int:
        self.start_sim()
        try:
            return await self._run()
        finally:
            self.stop_sim()  # whatever happened: no simulator left behind

    async def _run(self) -> int:
        args = self.args
        self.control = httpx.AsyncClient(base_url=self.url, timeout=30)
        paths = Paths.under(self.base / "data").ensure()
        client = Client(self.url, self.token)
        session = Session(Profile("Soak", self.url, poll_interval=args.poll), client, "soak", paths)
        self.services = services = SessionServices.build(session, Settings(paths.settings_file))
        print(f"soak: {args.minutes} min against {self.url} (simulator pid {self.sim.pid if self.sim else '?'}), "
              f"fault cycle {args.cycle:.0f} s, polls every {args.poll} s, data in {self.base}", flush=True)
        try:
            if services.events is None:
                print(f"soak: the event services could not be built: {services.problems}", flush=True)
                return 2
            await services.start_doors()
            await services.start_rest()
            stream = services.events.stream
            while stream.status(Source.ACCESS).state is not SourceState.OK:  # noqa: ASYNC110 - no event to wait on
                await asyncio.sleep(0.2)
            self.started_at = datetime.fromtimestamp(time.time() + 2).strftime(TIME_FORMAT)
            self.t0 = time.monotonic()
            until = self.t0 + args.minutes * 60
            await asyncio.gather(*(self.guarded(loop(until)) for loop in (self.faults_loop, self.commands_loop,
                                                                          self.watch_loop)))
            await self.settle()
            print(self.report(final=True), flush=True)
            return await self.verdict()
        finally:
            await services.stop()
            await self.control.aclose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tools/soak.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=3.0, help="how long faults are injected (default 3)")
    parser.add_argument("--cycle", type=float, default=60.0, help="seconds of one fault cycle (default 60)")
    parser.add_argument("--every", type=float, default=30.0, help="seconds between report lines (default 30)")
    parser.add_argument("--event-rate", type=float, default=2.0, help="simulator's live events per second")
    parser.add_argument("--flood", type=int, default=400, help="events emitted at once in the flood phase")
    parser.add_argument("--poll", type=float, default=1.0, help="the console's poll interval (default 1 s)")
    parser.add_argument("--command-every", type=float, default=5.0, help="seconds between door commands")
    parser.add_argument("--settle", type=float, default=120.0, help="at most this long to back-fill at the end")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rss-growth-mb", type=float, default=64.0)
    parser.add_argument("--journal-bytes-per-event", type=float, default=16_384.0,
                        help="journal bound: 40 MB of WAL plus this per stored event (default 16384)")
    parser.add_argument("--tracemalloc", action="store_true",
                        help="trace Python allocations (slower) and print the largest growth at the end")
    parser.add_argument("--basedir", type=Path, help="data folder (default: a new temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary data folder (its path is printed)")
    args = parser.parse_args(argv)
    if args.minutes <= 0 or args.cycle < 10 or args.every <= 0:
        parser.error("--minutes must be positive, --cycle at least 10 s, --every positive")
    base = args.basedir or Path(tempfile.mkdtemp(prefix="soak-"))
    base.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(filename=base / "soak.log", level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.tracemalloc:
        tracemalloc.start(8)
    try:
        return asyncio.run(Soak(args, base).run())
    except KeyboardInterrupt:
        return 130
    finally:
        if args.basedir is None and not args.keep:
            shutil.rmtree(base, ignore_errors=True)
        elif args.keep:
            print(f"data kept in {base}")


if __name__ == "__main__":
    sys.exit(main())
