"""The live event stream: polls the real-time monitor endpoints, merges them, and fills every gap.

Sources and their endpoints::

    access       monitor 2.19.6 transaction/monitor         back-fill 2.19.5 api/v2/transaction/list (2.19.4)
    gate         monitor 2.35.6 psgTransaction/monitor      back-fill 2.35.5 api/v2/psgTransaction/list
    temperature  monitor 2.27.2 hep/transaction/monitor     back-fill 2.27.1 api/hep/transaction/list
    elevator     no monitor: 2.20.2 api/v2/eleTransaction/list polled by time range, back-filled from it too

An elevator (floor) event has no real-time monitor. Each poll reads the 2.20.2 list from the last good poll
(less ``margin``: events a device files late are caught by the overlap; no more than :data:`LIST_WINDOW`
back, an outage longer than that is the gap back-fill's) to now, page by page; the journal's content key
drops what an earlier poll stored. The elevator source is optional like the temperature one (a server
without the list hides it) and is polled only when asked for (``sources``; the session's stream does).

Monitor semantics: each source sends the ``timestamp`` (milliseconds) of the stream's start on every poll,
as the manual allows; a server may answer with only the events since the previous poll (the simulator does)
or with everything since that timestamp again. Either way the journal's UNIQUE content key makes each event
count once, so :attr:`EventStream.events_added` carries only events new to the journal.

Nothing lost: a source's gap opens at its last good poll when a poll fails (or, at start, at the last good
poll saved by the previous run or the journal's latest event of that source, whichever is earlier) and
closes at the next good poll. The closed gap, widened by ``margin`` on both sides, is recorded in the journal
and back-filled from the list endpoint by time range, page after page, until ``total`` (or an empty page);
those events are marked ``backfilled``. A back-fill that fails stays pending and is retried after the next
good poll (across restarts too). The temperature source is optional: a server without it (404, an API
error or an HTML page twice before its first success) marks it unavailable and it is not polled again; an
outage (transport failure, 5xx, truncated JSON) never does.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol

from console.api.errors import ApiError, AuthError, CVSecError, HTTPStatusError, ModelError, ProtocolError
from console.api.paging import Record, RecordPage
from console.services.observable import Signal
from console.services.polling import HealthReporter, Poller, PollPolicy

from .journal import Journal
from .model import MAX_PHOTO_BASE64, Event, Gap, GapReason, Level, Source, event_key, format_time, normalise
from .rules import Classifier

__all__ = [
    "SOURCES",
    "EventStream",
    "MonitorClient",
    "SourceSpec",
    "SourceState",
    "SourceStatus",
]

log = logging.getLogger(__name__)

MAX_PAGE_SIZE = 1000  # the manual's limit (error -91)
MONITOR_CLOCK_SLACK = timedelta(hours=1)  # how much older than the stream's start a monitor record may be
SECOND_LOOK_BATCH = 500  # events settled against the stored list per poll
SECOND_LOOKS = 3  # polls an event is looked for in the stored list before it is left as filed
SECOND_LOOK_BACKLOG = 4 * SECOND_LOOK_BATCH  # events waiting for it; beyond, the oldest are left as filed
MAX_GAP_ATTEMPTS = 10
MAX_CLOCK_LEAD = timedelta(hours=1)  # how far ahead of ours a server's event times may push a gap's end
ABSENT_STRIKES = 2  # "likely absent" answers in a row before an optional source is hidden
LIST_WINDOW = timedelta(hours=1)  # how far back a polled list (elevator) reads; longer outages are back-filled
LIST_PAGES = 10  # pages one poll of a list reads; more than that is left to a back-fill
# how long the worker parsing an answer keeps the GIL before it offers it to the GUI thread (time.sleep(0)).
# Python hands it over by itself after sys.getswitchinterval() (5 ms) when the GUI thread asks; offering it
# sooner keeps a frame that takes the GIL many times smooth. Every 20 records (about 1 ms) cost 40% of a
# poll on a loaded machine, where each sleep(0) gives the CPU away for a time slice (bench_event_ingest.py).
YIELD_EVERY = 0.002


class MonitorClient(Protocol):
    """What the stream needs of :class:`console.api.Client` (raw records: parsed in a worker thread)."""

    async def monitor_records(self, section: str, since: datetime | int | None) -> list[Record]: ...

    async def event_records(
        self, section: str, start: datetime, end: datetime, *, page_no: int = ..., page_size: int = ...
    ) -> RecordPage: ...


@dataclass(frozen=True, slots=True)
class SourceSpec:
    monitor: str | None  # None: no monitor endpoint; the first back-fill list is polled by time range
    backfill: tuple[str, ...]
    optional: bool = False


SOURCES: Mapping[Source, SourceSpec] = {
    Source.ACCESS: SourceSpec("2.19.6", ("2.19.5", "2.19.4")),
    Source.GATE: SourceSpec("2.35.6", ("2.35.5",)),
    Source.TEMPERATURE: SourceSpec("2.27.2", ("2.27.1",), optional=True),
    Source.ELEVATOR: SourceSpec(None, ("2.20.2",), optional=True),
}
MONITORED: tuple[Source, ...] = (Source.ACCESS, Source.GATE, Source.TEMPERATURE)  # the default sources


class SourceState(enum.StrEnum):
    STARTING = "starting"  # not polled successfully yet
    OK = "ok"
    FAILING = "failing"  # polls fail; a gap is open
    UNAVAILABLE = "unavailable"  # the server lacks this source; it is hidden and no longer polled


@dataclass(frozen=True, slots=True)
class SourceStatus:
    """What the UI shows about one source."""

    source: Source
    state: SourceState
    last_good: datetime | None = None
    failing_since: datetime | None = None
    error: str = ""


@dataclass(slots=True)
class _Runtime:
    spec: SourceSpec
    state: SourceState = SourceState.STARTING
    last_good: datetime | None = None
    last_event: datetime | None = None
    failing_since: datetime | None = None
    error: str = ""
    failure: CVSecError | None = None  # the last poll's failure (its type tells the health what happened)
    ever_ok: bool = False
    absent_strikes: int = 0
    gap_since: datetime | None = None
    gap_reason: GapReason = "outage"
    backfill_index: int = 0
    pending: list[Gap] = field(default_factory=list)
    unconfirmed: list[tuple[Event, int]] = field(default_factory=list)  # filed by name alone, looks so far


def _level_missing(record: Mapping[str, Any]) -> bool:
    """The record carries no server severity (real servers' monitor records): it was filed by its name."""
    value = record.get("eventLevel")
    return value is None or value == ""


def _meta_name(source: Source) -> str:
    return f"last_good:{source.value}"


def _fingerprint(records: Sequence[Mapping[str, Any]]) -> tuple[Any, ...]:
    """Enough of a page to tell a server that ignores ``pageNo`` (the same page again) from a real next page."""
    if not records:
        return ()
    ends = (records[0], records[-1])
    return (len(records), *((r.get("id"), r.get("logId"), r.get("eventTime"), r.get("devSn")) for r in ends))


class EventStream:
    """Polls the monitor endpoints of ``client`` into ``journal``.

    Drive it with :meth:`run` (polls every ``interval`` seconds until cancelled) or call :meth:`poll_once`
    yourself (tests do). ``clock`` returns naive local time (the server's convention).

    Signals: ``events_added(list[Event])`` (new to the journal, oldest first; back-filled ones included, marked),
    ``source_state(SourceStatus)`` on every change of a source's state, ``gap_opened(Gap)`` when a gap
    closes and is queued for back-filling, ``gap_backfilled(Gap)`` when its back-fill ends (done or failed;
    :meth:`Gap.describe` words it).
    """

    def __init__(
        self,
        client: MonitorClient,
        journal: Journal,
        *,
        classifier: Classifier | None = None,
        sources: Iterable[Source] = MONITORED,
        interval: float = 10.0,
        policy: PollPolicy | None = None,
        health: HealthReporter | None = None,
        margin: timedelta = timedelta(seconds=60),
        page_size: int = MAX_PAGE_SIZE,
        max_pages: int = 1000,
        max_photo: int = MAX_PHOTO_BASE64,
        clock: Callable[[], datetime] = datetime.now,
    ) -> None:
        self._client = client
        self._journal = journal
        self.classifier = classifier or Classifier()
        self.interval = interval
        self.margin = margin
        self.page_size = min(max(1, page_size), MAX_PAGE_SIZE)
        self.max_pages = max(1, max_pages)
        self.max_photo = max_photo
        self._clock = clock
        self._rt: dict[Source, _Runtime] = {Source(s): _Runtime(SOURCES[Source(s)]) for s in sources}
        self._cursor: int | None = None
        self._started_at: datetime | None = None
        self._lock = asyncio.Lock()
        self.events_added: Signal[list[Event]] = Signal()
        self.source_state: Signal[SourceStatus] = Signal()
        self.gap_opened: Signal[Gap] = Signal()
        self.gap_backfilled: Signal[Gap] = Signal()
        self.levels_corrected: Signal[list[Event]] = Signal()  # events raised after their first filing
        self.poller = Poller("events", self._step, policy or PollPolicy(interval), health=health)

    def __repr__(self) -> str:
        return f"<EventStream {', '.join(s.value for s in self._rt)}>"

    # -- state -----------------------------------------------------------------------------------

    @property
    def started(self) -> bool:
        return self._started_at is not None

    def status(self, source: Source) -> SourceStatus:
        rt = self._rt[source]
        return SourceStatus(source, rt.state, rt.last_good, rt.failing_since, rt.error)

    @property
    def statuses(self) -> dict[Source, SourceStatus]:
        return {source: self.status(source) for source in self._rt}

    @property
    def available_sources(self) -> list[Source]:
        """The sources the server has (or may have): what the UI offers as filter choices."""
        return [s for s, rt in self._rt.items() if rt.state != SourceState.UNAVAILABLE]

    @property
    def pending_gaps(self) -> list[Gap]:
        return [gap for rt in self._rt.values() for gap in rt.pending]

    def _set_state(self, source: Source, state: SourceState, error: str = "") -> None:
        rt = self._rt[source]
        changed = rt.state != state or rt.error != error
        rt.state, rt.error = state, error
        if changed:
            self.source_state.emit(self.status(source))

    # -- lifecycle -------------------------------------------------------------------------------

    async def start(self) -> None:
        """Load what the last run left (its last good polls, pending back-fills); called by the first poll."""
        if self._started_at is not None:
            return
        now = self._clock()
        self._started_at = now
        self._cursor = int(now.timestamp() * 1000)
        for source, rt in self._rt.items():
            saved, last_event = await asyncio.to_thread(self._saved_state, source)
            rt.last_event = last_event
            marks = [t for t in (saved, last_event) if t is not None and t <= now]
            if marks:
                rt.gap_since, rt.gap_reason = min(marks), "restart"
        pending = await asyncio.to_thread(self._journal.gaps, status="pending", limit=1000)
        for gap in sorted(pending, key=lambda g: g.id or 0):
            if gap.source in self._rt:
                self._rt[gap.source].pending.append(gap)

    def _saved_state(self, source: Source) -> tuple[datetime | None, datetime | None]:
        text = self._journal.get_meta(_meta_name(source))
        saved = None
        if text:
            try:
                saved = datetime.fromisoformat(text)
            except ValueError:
                saved = None
        return saved, self._journal.last_event_time(source)

    async def run(self) -> None:
        """Poll until cancelled under the :attr:`poller`'s policy (a failing poll never ends the loop)."""
        await self.start()
        await self.poller.run()

    async def _step(self) -> bool:
        """One poll for the poller: a failure when no source answered, or when a source that answered before
        no longer does (access events stopped while gates still answer: the health says so)."""
        await self.poll_once()
        polled = [rt for rt in self._rt.values() if rt.state != SourceState.UNAVAILABLE]
        if polled and all(rt.state == SourceState.FAILING for rt in polled):
            raise polled[0].failure or CVSecError(polled[0].error or "no event source answered")
        lost = [rt for rt in polled if rt.state == SourceState.FAILING and rt.ever_ok]
        if lost:
            raise lost[0].failure or CVSecError(lost[0].error or "an event source stopped answering")
        return True

    # -- polling ---------------------------------------------------------------------------------

    async def poll_once(self) -> list[Event]:
        """One round: every available source's monitor, then any pending back-fill of a source that answered.

        Returns the events new to the journal: the monitors' (emitted together as one ``events_added``), then
        the back-filled ones (emitted page by page).
        """
        async with self._lock:
            await self.start()
            results = await asyncio.gather(
                *(self._poll_source(s) for s, rt in self._rt.items() if rt.state != SourceState.UNAVAILABLE)
            )
            added = sorted((e for batch in results for e in batch), key=lambda e: e.time)
            if added:
                self.events_added.emit(added)
            for source, rt in self._rt.items():
                if rt.unconfirmed and rt.state == SourceState.OK:
                    corrected = await self._second_look(source)
                    if corrected:
                        self.levels_corrected.emit(corrected)
            for source, rt in self._rt.items():
                if rt.pending and rt.state == SourceState.OK:
                    added.extend(await self._backfill_pending(source))
            return added

    async def _second_look(self, source: Source) -> list[Event]:
        """Read the stored list for the events filed by their name alone; raise those the server rates higher."""
        rt = self._rt[source]
        batch, rt.unconfirmed = rt.unconfirmed[:SECOND_LOOK_BATCH], rt.unconfirmed[SECOND_LOOK_BATCH:]
        wanted = {event.key: (event, looks) for event, looks in batch}
        start = min(e.time for e, _ in batch).replace(microsecond=0)
        end = max(e.time for e, _ in batch).replace(microsecond=0) + timedelta(seconds=1)
        section = rt.spec.backfill[min(rt.backfill_index, len(rt.spec.backfill) - 1)]
        try:
            page = await self._client.event_records(section, start, end, page_size=MAX_PAGE_SIZE)
        except CVSecError as exc:
            log.info("the second look at %s events failed (%s); tried again next poll", source.value, exc)
            rt.unconfirmed = [(e, n + 1) for e, n in batch if n + 1 < SECOND_LOOKS] + rt.unconfirmed
            return []
        levels: dict[str, Level] = {}
        for record in page.records:
            key = event_key(record, source)
            found = wanted.pop(key, None)
            if found is None or _level_missing(record):
                continue
            level = self.classifier.classify(record)
            if level > found[0].level:
                levels[key] = level
        # not listed yet (the server files them a moment later): looked at again next poll, a few times
        rt.unconfirmed = [(e, n + 1) for e, n in wanted.values() if n + 1 < SECOND_LOOKS] + rt.unconfirmed
        if not levels:
            return []
        corrected: list[Event] = await asyncio.to_thread(
            self._journal.raise_levels, levels, why="raised by the server's own level (eventLevel in its list)"
        )
        for event in corrected:
            log.warning("%s event %r raised to %s by the server's own level", source.value, event.name,
                        event.level.word)
        return corrected

    async def _poll_source(self, source: Source) -> list[Event]:
        rt = self._rt[source]
        sent = self._clock()
        try:
            if rt.spec.monitor is None:
                pages = await self._list_pages(source, sent)
            else:
                pages = [await self._client.monitor_records(rt.spec.monitor, self._cursor)]
        except CVSecError as exc:
            self._poll_failed(source, exc, sent)
            return []
        received = self._clock()
        meta = {_meta_name(source): sent.isoformat()}
        gap_open = rt.gap_since is not None
        # Parsing, classifying and storing run in a worker thread: 1,000 records must not stall the GUI loop.
        # While a gap is open the new "last good poll" is saved only once the gap is: a crash in between
        # leaves the older mark, and the next start back-fills from there.
        # the monitor is asked for what happened since the stream started: an answer reaching far further back
        # (a server that ignores the timestamp, a hostile one) is cut, an hour of clock drift allowed
        since = (self._started_at or sent) - max(self.margin, MONITOR_CLOCK_SLACK)
        added: list[Event] = []
        newest: datetime | None = None
        for i, records in enumerate(pages):
            last = i == len(pages) - 1
            new, page_newest = await asyncio.to_thread(
                self._ingest, records, source, received, backfilled=False,
                meta=None if gap_open or not last else meta, since=since
            )
            added.extend(new)
            if page_newest is not None:
                newest = page_newest if newest is None else max(newest, page_newest)
        if source not in (Source.TEMPERATURE, Source.ELEVATOR):
            # a real server's monitor records carry no eventLevel, and their names may be in any language: the
            # stored list (which has eventLevel and eventNo) is read behind the monitor to settle the severity
            rt.unconfirmed.extend((e, 0) for e in added if _level_missing(e.raw))
            if len(rt.unconfirmed) > SECOND_LOOK_BACKLOG:  # more than the looks keep up with: memory stays bounded
                log.info("%s: %d events left as filed by their names, without a second look (a busy site)",
                         source.value, len(rt.unconfirmed) - SECOND_LOOK_BACKLOG)
                del rt.unconfirmed[: len(rt.unconfirmed) - SECOND_LOOK_BACKLOG]
        if rt.gap_since is not None:
            # a server clock ahead of ours widens the end; a device clock years ahead must not
            end = max(received, min(newest, received + MAX_CLOCK_LEAD)) if newest is not None else received
            await self._queue_gap(source, rt.gap_since, end, rt.gap_reason, received)
            rt.gap_since = None
            await asyncio.to_thread(self._journal.set_meta, meta)
        rt.ever_ok = True
        rt.last_good = sent
        rt.failing_since = None
        if newest is not None:
            rt.last_event = max(newest, rt.last_event) if rt.last_event else newest
        self._set_state(source, SourceState.OK)
        return added

    async def _list_pages(self, source: Source, sent: datetime) -> list[list[Record]]:
        """The records of a source without a monitor (elevator): its list from the last good poll (less the
        margin, at most :data:`LIST_WINDOW` back) to now, page by page. A window with more than
        :data:`LIST_PAGES` pages opens a gap from its start: the back-fill reads the rest."""
        rt = self._rt[source]
        section = rt.spec.backfill[0]
        start = max(rt.last_good or self._started_at or sent, sent - LIST_WINDOW) - self.margin
        end = sent + self.margin
        pages: list[list[Record]] = []
        page_no, seen, previous = 1, 0, ()
        while True:
            page = await self._client.event_records(section, start, end, page_no=page_no, page_size=self.page_size)
            keys = _fingerprint(page.records)
            if keys and keys == previous:
                break  # the server ignores pageNo
            pages.append(page.records)
            seen += len(page.records)
            if not page.records or (page.total is not None and seen >= page.total):
                break
            previous = keys
            page_no += 1
            if page_no > LIST_PAGES:
                log.warning("%s: more than %d pages of events in one poll; the rest is back-filled",
                            source.value, LIST_PAGES)
                if rt.gap_since is None:
                    rt.gap_since, rt.gap_reason = start, "outage"
                break
        return pages

    def _poll_failed(self, source: Source, exc: CVSecError, sent: datetime) -> None:
        rt = self._rt[source]
        rt.failure = exc
        if rt.spec.optional and not rt.ever_ok:
            absent = self._absence(exc)
            rt.absent_strikes = rt.absent_strikes + 1 if absent else 0
            if absent == "sure" or rt.absent_strikes >= ABSENT_STRIKES:
                log.info("the server has no %s events (%s); not polling them", source.value, exc)
                rt.gap_since = None
                self._set_state(source, SourceState.UNAVAILABLE, str(exc))
                return
        if rt.state != SourceState.FAILING:
            rt.failing_since = sent
            if rt.gap_since is None:
                marks = [t for t in (rt.last_good, rt.last_event) if t is not None]
                rt.gap_since = min(marks) if marks else (self._started_at or sent)
                rt.gap_reason = "outage"
            log.warning("polling %s events failed: %s", source.value, exc)
        self._set_state(source, SourceState.FAILING, str(exc))

    @staticmethod
    def _absence(exc: CVSecError) -> Literal["sure", "likely", ""]:
        """Does this failure say the server lacks the endpoint? 404 and the like: surely. An API error, or
        an answer that is not JSON at all (an HTML page): likely, once more and it is taken as absent. A
        transport failure, a 5xx, a refused token or a truncated JSON answer: no, that is an outage."""
        if isinstance(exc, AuthError):
            return ""
        if isinstance(exc, HTTPStatusError):
            return "sure" if exc.status in (404, 405, 410, 501) else "likely" if exc.status == 400 else ""
        if isinstance(exc, ApiError):
            return "likely"
        if isinstance(exc, ProtocolError) and "json" not in exc.content_type.lower():
            return "likely"
        return ""

    def _ingest(
        self,
        records: Sequence[Mapping[str, Any]],
        source: Source,
        received: datetime,
        *,
        backfilled: bool,
        meta: Mapping[str, str] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> tuple[list[Event], datetime | None]:
        """(events new to the journal, the latest event time among all records); runs in a worker thread.

        One answer cannot flood the journal: at most :data:`MAX_PAGE_SIZE` records are taken from it (the API
        never sends more), and records outside ``[since, until]`` (older than the poll or the gap being
        filled) are dropped; both are reported in the log."""
        if len(records) > MAX_PAGE_SIZE:
            log.warning("%s: the server sent %d records in one answer (the API sends at most %d); %d kept",
                        source.value, len(records), MAX_PAGE_SIZE, MAX_PAGE_SIZE)
            records = records[:MAX_PAGE_SIZE]
        events: list[Event] = []
        offered = time.perf_counter()
        for record in records:
            if time.perf_counter() - offered > YIELD_EVERY:
                time.sleep(0)  # let the GUI thread have the GIL now and then: no frame skipped for this
                offered = time.perf_counter()
            level = self.classifier.classify(record)
            events.append(normalise(record, source, received=received, level=level, backfilled=backfilled,
                                    max_photo=self.max_photo))
        if since is not None or until is not None:
            kept = [e for e in events if (since is None or e.time >= since) and (until is None or e.time <= until)]
            if len(kept) < len(events):
                log.warning("%s: %d records outside %s .. %s dropped (not what was asked for)", source.value,
                            len(events) - len(kept), since, until)
            events = kept
        newest = max((e.time for e in events), default=None)
        return self._journal.add(events, meta=meta), newest

    # -- gaps and back-fill ----------------------------------------------------------------------

    async def _queue_gap(self, source: Source, since: datetime, until: datetime, reason: GapReason,
                         now: datetime) -> None:
        start = since - self.margin
        floor = self._retention_floor(now)
        if floor is not None and start < floor:
            start = floor
        end = until + self.margin
        if start >= end:
            return
        gap = Gap(source=source, start=start, end=end, reason=reason, detected=now)
        gap = await asyncio.to_thread(self._journal.save_gap, gap)
        self._rt[source].pending.append(gap)
        log.info("%s events: %s gap %s .. %s queued for back-fill", source.value, reason,
                 format_time(start), format_time(end))
        self.gap_opened.emit(gap)

    def _retention_floor(self, now: datetime) -> datetime | None:
        days = self._journal.retention.days
        return None if days is None else now - timedelta(days=days)

    async def _backfill_pending(self, source: Source) -> list[Event]:
        rt = self._rt[source]
        added: list[Event] = []
        while rt.pending and rt.state == SourceState.OK:
            gap = rt.pending[0]
            gap, new = await self._backfill(source, gap)
            added.extend(new)
            if gap.status == "pending":
                rt.pending[0] = gap
                break  # retried after the next good poll
            rt.pending.pop(0)
            self.gap_backfilled.emit(gap)
        return added

    async def _backfill(self, source: Source, gap: Gap) -> tuple[Gap, list[Event]]:
        rt = self._rt[source]
        added: list[Event] = []
        count = gap.count
        gap = replace(gap, attempts=gap.attempts + 1)
        while True:
            section = rt.spec.backfill[min(rt.backfill_index, len(rt.spec.backfill) - 1)]
            try:
                page_no, seen, previous = 1, 0, ()
                while True:
                    page = await self._client.event_records(
                        section, gap.start, gap.end, page_no=page_no, page_size=self.page_size
                    )
                    records, total = page.records, page.total
                    received = self._clock()
                    new, _ = await asyncio.to_thread(self._ingest, records, source, received, backfilled=True,
                                                     since=gap.start - self.margin, until=gap.end + self.margin)
                    if new:
                        count += len(new)
                        added.extend(new)
                        self.events_added.emit(new)
                    seen += len(records)
                    keys = _fingerprint(records)
                    # The end: an empty page, or `total` reached. Without a total (2.19.4, 2.27.1) a short
                    # page is not proof (a server may cap pageSize below ours): go on to an empty page.
                    # A page equal to the previous one means the server ignores pageNo.
                    if not records or (total is not None and seen >= total) or keys == previous:
                        break
                    previous = keys
                    page_no += 1
                    if page_no > self.max_pages:
                        log.warning("%s back-fill stopped after %d pages", source.value, self.max_pages)
                        break
            except HTTPStatusError as exc:
                if exc.status == 404 and rt.backfill_index + 1 < len(rt.spec.backfill):
                    rt.backfill_index += 1  # an older server: its v1 list
                    continue
                permanent = not isinstance(exc, AuthError) and 400 <= exc.status < 500
                return await self._gap_failed(gap, count, exc, permanent), added
            except (ApiError, ProtocolError, ModelError) as exc:
                return await self._gap_failed(gap, count, exc, permanent=False), added
            except CVSecError as exc:  # transport: the server went away again
                return await self._gap_failed(gap, count, exc, permanent=False), added
            break
        done = replace(gap, status="done", count=count, finished=self._clock(), error="")
        done = await asyncio.to_thread(self._journal.save_gap, done)
        log.info("%s", done.describe())
        return done, added

    async def _gap_failed(self, gap: Gap, count: int, exc: CVSecError, permanent: bool) -> Gap:
        give_up = permanent or gap.attempts >= MAX_GAP_ATTEMPTS
        failed = replace(
            gap, count=count, error=str(exc)[:300], status="failed" if give_up else "pending",
            finished=self._clock() if give_up else None,
        )
        log.warning("back-filling %s events %s..%s failed (try %d): %s", gap.source.value,
                    format_time(gap.start), format_time(gap.end), gap.attempts, exc)
        saved: Gap = await asyncio.to_thread(self._journal.save_gap, failed)
        return saved

    # -- convenience -----------------------------------------------------------------------------

    def recent_gaps(self, limit: int = 20) -> Sequence[Gap]:
        """The latest recorded gaps (newest first), for a status line; reads the journal synchronously."""
        return self._journal.gaps(limit=limit)
