"""One polling policy for every loop that asks the server again and again.

The door board, the event stream and the visitor outbox all poll: each gives :class:`Poller` one *step* (an
``async`` function that raises :class:`~console.api.CVSecError` when the server failed it) and the poller
does the rest the same way for all of them::

    step ok      -> health.report_ok(channel);            wait the interval
    step failed  -> health.report_failure(exc, channel);  wait the interval doubled per failure, capped,
                                                          with jitter (many desks do not retry in step)
    token refused-> health.report_failure(...) once, then the loop halts: no retry in a loop against a
                    server that refuses the token (every try would be refused and logged on its side);
                    resume() (a new token) starts it again
    wake()       -> the wait ends now (F5, the server is back, a new registration is queued)
    stop()       -> the loop ends; a step under way is cancelled

A step may return ``False`` for "nothing to do, report nothing" (the outbox when it is empty). A bug in a
step (any other exception) is logged and counted as a failure, never the end of the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from console.api.errors import AuthError, CVSecError

__all__ = ["HealthReporter", "PollPolicy", "Poller"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PollPolicy:
    """How often to poll, and how to back off while the server fails."""

    interval: float = 10.0
    max_backoff: float = 60.0  # the longest wait between two tries while failing
    jitter: float = 0.1  # +/- this fraction of each wait after a failure

    def delay(self, failures: int, *, rand: Callable[[], float] = random.random) -> float:
        """Seconds before the next try: the interval, doubled per consecutive failure, capped.

        The cap is the smaller of ``max_backoff`` and eight intervals, never below one interval: polling every
        10 s, a failing server is tried after 10, 20, 40, 60, 60... seconds (each +/- the jitter).
        """
        if failures <= 0:
            return self.interval
        cap = max(self.interval, min(self.max_backoff, self.interval * 8))
        base = min(cap, self.interval * 2 ** min(failures - 1, 30))
        return float(base * (1 + self.jitter * (2 * rand() - 1)))


class HealthReporter(Protocol):
    """Where a poller tells how the server answered (:class:`console.services.session.Session`)."""

    def report_ok(self, channel: str = ...) -> None: ...

    def report_failure(self, exc: BaseException, channel: str = ...) -> None: ...


Step = Callable[[], Awaitable[bool | None]]
Wait = Callable[[float, asyncio.Event], Awaitable[None]]


async def _plain_wait(delay: float, wake: asyncio.Event) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(wake.wait(), delay)


class Poller:
    """Runs ``step`` under a :class:`PollPolicy`, reporting to ``health`` as ``channel``.

    ``wait(delay, wake_event)`` replaces the plain sleep when a service has work to do while it waits (the
    door board keeps its "stale" and "open too long" flags current).
    """

    def __init__(
        self,
        name: str,
        step: Step,
        policy: PollPolicy,
        *,
        health: HealthReporter | None = None,
        wait: Wait | None = None,
    ) -> None:
        self.name = name
        self.policy = policy
        self.failures = 0
        self.halted = False  # the server refused the token: no more polls until resume()
        self._step = step
        self._health = health
        self._wait = wait or _plain_wait
        self._wake = asyncio.Event()
        self._resumed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def __repr__(self) -> str:
        return f"<Poller {self.name} {'running' if self.running else 'stopped'}, {self.failures} failures>"

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def start(self) -> None:
        """Start the loop as a task (again after :meth:`stop`); a running poller is left alone."""
        if not self.running:
            self._task = asyncio.get_running_loop().create_task(self.run(), name=f"poll.{self.name}")

    def wake(self) -> None:
        """End the current wait: poll now."""
        self._wake.set()

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def resume(self) -> None:
        """Poll again after a halt (a new token was given)."""
        self.halted = False
        self._resumed.set()
        self._wake.set()

    async def run(self) -> None:
        """Poll until cancelled."""
        while True:
            self._wake.clear()
            await self.once()
            if self.halted:
                log.warning("%s: the server refused the access token; polling stops until a new token", self.name)
                self._resumed.clear()
                await self._resumed.wait()
                continue
            await self._wait(self.policy.delay(self.failures), self._wake)

    async def once(self) -> bool | None:
        """One step with its reporting: True ok, False failed, None nothing to do."""
        try:
            done = await self._step()
        except CVSecError as exc:
            self._failed(exc)
            if isinstance(exc, AuthError):
                self.halted = True
            log.info("%s: the server failed the poll: %s", self.name, exc)
            return False
        except Exception as exc:  # a bug in one poll must not end the loop
            log.exception("%s: the poll failed", self.name)
            self._failed(exc)
            return False
        if done is False:
            return None
        self.failures = 0
        if self._health is not None:
            self._health.report_ok(self.name)
        return True

    def _failed(self, exc: BaseException) -> None:
        self.failures += 1
        if self._health is not None:
            self._health.report_failure(exc, self.name)
