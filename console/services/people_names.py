"""Who a pin is: the person's name and department for event and alarm rows, looked up once per connection.

The access monitor (2.19.6) sends the pin only. :class:`PeopleNames` answers ``get(pin)`` from its cache at
once and, for a pin it does not know, queues a look-up; the queue is sent in batches (the 2.14.12 person list
with ``pins=``; one pin per 2.14.5 call on a server without it), at most one request per ``min_gap``
seconds, so a flood of events cannot flood the server. ``names_changed`` says which pins became known.

Bounded: at most ``size`` pins are kept (the least recently used go first) and at most ``max_waiting`` wait
for a look-up (a pin beyond that is asked again the next time a row shows it). A pin the server does not
know is remembered as such for ``miss_ttl`` only (the person may be enrolled a minute later); a failed
look-up (server away) is not remembered as an answer, the pin is only not asked again for ``miss_ttl``.
Names the events themselves carry (gate monitor, stored lists) are learnt without asking (:meth:`learn`).
Plain asyncio, no Qt: the UI reads ``get`` in its models and repaints on ``names_changed``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from console.api.errors import ApiError, CVSecError, HTTPStatusError

from .observable import Signal
from .text import clean_text

__all__ = ["PeopleNames", "PersonName", "PersonsClient"]

log = logging.getLogger(__name__)

BATCH = 25  # pins per list request (its records carry photos: kept small)
MIN_GAP = 1.0  # seconds between two look-up requests
SIZE = 5000  # pins kept
MAX_WAITING = 500  # pins waiting for a look-up
HIT_TTL = 8 * 3600.0  # a known person is asked again after a shift (a renamed department shows up)
MISS_TTL = 60.0  # an unknown pin, or one whose look-up failed, is asked again after a minute


class PersonsClient(Protocol):
    async def persons(self, *, pins: Sequence[str] | None = ..., page_no: int = ..., page_size: int = ...) -> Any: ...

    async def person(self, pin: str) -> Any: ...


@dataclass(frozen=True, slots=True)
class PersonName:
    """A pin's answer: ``found`` False when the server has no person with it."""

    pin: str
    name: str = ""
    department: str = ""
    found: bool = True


def _full_name(person: Any) -> str:
    parts = (str(getattr(person, "name", "") or ""), str(getattr(person, "last_name", "") or ""))
    return clean_text(" ".join(p for p in parts if p.strip()), 120)


class PeopleNames:
    """The per-connection cache of pins to names (see the module docstring)."""

    def __init__(
        self,
        client: PersonsClient,
        *,
        size: int = SIZE,
        batch: int = BATCH,
        min_gap: float = MIN_GAP,
        max_waiting: int = MAX_WAITING,
        hit_ttl: float = HIT_TTL,
        miss_ttl: float = MISS_TTL,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self.size, self.batch, self.min_gap = max(1, size), max(1, batch), min_gap
        self.max_waiting, self.hit_ttl, self.miss_ttl = max(1, max_waiting), hit_ttl, miss_ttl
        self._clock = clock
        self._known: OrderedDict[str, tuple[PersonName, float]] = OrderedDict()  # pin -> (answer, expires)
        self._not_before: dict[str, float] = {}  # pins whose look-up failed: not asked again before this
        self._waiting: dict[str, None] = {}  # insertion-ordered set
        self._task: asyncio.Task[None] | None = None
        self._last_request = float("-inf")
        self._single = False  # the server lacks the list: one pin per request
        self._stopped = False
        self.requests = 0  # look-up requests sent (tests, the log)
        self.names_changed: Signal[set[str]] = Signal()

    def __repr__(self) -> str:
        return f"<PeopleNames {len(self._known)} known, {len(self._waiting)} waiting>"

    # -- reading ---------------------------------------------------------------------------------

    def peek(self, pin: str) -> PersonName | None:
        """The cached answer for ``pin`` (expired ones are not answers), asking nothing."""
        entry = self._known.get(pin)
        if entry is None:
            return None
        if entry[1] <= self._clock():
            del self._known[pin]
            return None
        self._known.move_to_end(pin)
        return entry[0]

    def get(self, pin: str) -> PersonName | None:
        """The cached answer for ``pin``; None while unknown, and then a look-up is queued."""
        if not pin:
            return None
        found = self.peek(pin)
        if found is None:
            self.want((pin,))
        return found

    def want(self, pins: Iterable[str]) -> None:
        """Queue look-ups for the pins not known yet (an event loop must be running for them to be sent)."""
        if self._stopped:
            return
        now = self._clock()
        added = False
        for pin in pins:
            if not pin or pin in self._waiting or self.peek(pin) is not None:
                continue
            if self._not_before.get(pin, 0.0) > now:
                continue
            if len(self._waiting) >= self.max_waiting:
                break
            self._waiting[pin] = None
            added = True
        if added:
            self._schedule()

    def learn(self, people: Iterable[tuple[str, str, str]]) -> None:
        """(pin, name, department) that events carried themselves: known without asking."""
        now = self._clock()
        changed: set[str] = set()
        for pin, name, department in people:
            if not pin or not name:
                continue
            answer = PersonName(pin, clean_text(name, 120), clean_text(department, 120))
            entry = self._known.get(pin)
            if entry is None or entry[0] != answer:
                changed.add(pin)
            self._put(answer, now + self.hit_ttl)
            self._waiting.pop(pin, None)
        if changed:
            self.names_changed.emit(changed)

    # -- asking ----------------------------------------------------------------------------------

    def _put(self, answer: PersonName, expires: float) -> None:
        self._known[answer.pin] = (answer, expires)
        self._known.move_to_end(answer.pin)
        self._not_before.pop(answer.pin, None)
        while len(self._known) > self.size:
            self._known.popitem(last=False)

    def _schedule(self) -> None:
        if self._task is not None and not self._task.done():
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no loop (a model read outside one): asked the next time a loop wants a pin
        self._task = loop.create_task(self._drain(), name="people-names")

    async def _drain(self) -> None:
        while self._waiting and not self._stopped:
            wait = self._last_request + self.min_gap - self._clock()
            if wait > 0:
                await asyncio.sleep(wait)
            await self.flush()

    async def flush(self) -> set[str]:
        """Send one look-up for the next waiting pins; returns the pins answered (found or not)."""
        pins = list(self._waiting)[: 1 if self._single else self.batch]
        if not pins:
            return set()
        for pin in pins:
            self._waiting.pop(pin, None)
        self._last_request = self._clock()
        self.requests += 1
        try:
            people, pins = await self._ask(pins)
        except CVSecError as exc:
            log.info("looking up %d person(s) failed: %s; asked again later", len(pins), exc)
            until = self._clock() + self.miss_ttl
            self._not_before.update((pin, until) for pin in pins)
            while len(self._not_before) > self.size:
                self._not_before.pop(next(iter(self._not_before)))
            return set()
        now = self._clock()
        wanted = set(pins)
        answered: set[str] = set()
        for person in people:
            pin = clean_text(str(getattr(person, "pin", "") or ""), 64)
            if pin not in wanted:
                continue  # the server sent someone not asked for: not trusted for another pin
            self._put(PersonName(pin, _full_name(person), clean_text(str(person.dept_name or ""), 120)),
                      now + self.hit_ttl)
            answered.add(pin)
        for pin in wanted - answered:
            self._put(PersonName(pin, found=False), now + self.miss_ttl)
        self.names_changed.emit(wanted)
        return wanted

    async def _ask(self, pins: list[str]) -> tuple[list[Any], list[str]]:
        """(the persons found, the pins asked for)."""
        if not self._single:
            try:
                page = await self._client.persons(pins=pins, page_size=max(len(pins), 1))
                return list(page.items), pins
            except HTTPStatusError as exc:
                if exc.status not in (404, 405, 501):
                    raise
                log.info("the server has no person list (%s): one pin per request from now on", exc)
                self._single = True
                for pin in pins[1:]:  # back in the queue, asked one by one
                    self._waiting[pin] = None
                pins = pins[:1]
        try:
            return [await self._client.person(pins[0])], pins
        except ApiError:
            return [], pins  # "no such person"
        except ValueError:
            return [], pins  # a pin the API refuses, or a record that does not fit

    async def stop(self) -> None:
        """Nothing more is asked; a look-up on its way is cancelled."""
        self._stopped = True
        self._waiting.clear()
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
