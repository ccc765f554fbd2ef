"""Remote door and gate commands: validated before sending, sent exactly once, always audited.

::

    open a door for N seconds    2.12.8 door/remoteOpenById (doorId, interval 1..254)
    close a door                 2.12.6 door/remotecloseById (doorId)
    open a gate                  2.32.7 psgGate/remoteOpenById (gateId, openType 1 entry / 2 exit)
    close every door of a list   2.12.6 once per door, a few at a time

The client never retries a write, and neither does this module: a command whose answer is lost is reported
as *uncertain* ("it may or may not have opened"), never sent again. Every command that was sent is written to
the audit log before it is sent (result "sending") and again with its outcome (``ok`` or the server's error
text); if the audit log cannot be written the command is not sent (``NOT_SENT``, and the text says why). A value
refused before sending (:class:`CommandRefused`, e.g. 300 seconds) sends nothing and writes nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from console.api.errors import ApiError, CVSecError
from console.api.models import GateDirection, GateRelay, RelayState
from console.api.typed import MAX_INTERVAL, check_interval
from console.services.audit import AuditError, Auditor, begin
from console.services.observable import Signal
from console.services.outcome import Outcome
from console.services.session import Profile

from .doors import Item, ItemKey, Kind, clean_text

__all__ = [
    "MAX_OPEN_SECONDS",
    "MIN_OPEN_SECONDS",
    "CommandRefused",
    "CommandResult",
    "Commands",
    "Outcome",
    "Target",
    "check_open_seconds",
    "summarise",
]

log = logging.getLogger(__name__)

MIN_OPEN_SECONDS = 1
READ_BACK_SECONDS = 3.0  # how long a command's effect is looked for in the target's state
READ_BACK_STEP = 0.5
MAX_OPEN_SECONDS = MAX_INTERVAL  # the manual's limit (error -45), checked by the client
CLOSE_ALL_CONCURRENCY = 4


class CommandRefused(ValueError):
    """The command was refused before anything was sent (the text says why, for the operator)."""


def check_open_seconds(value: object) -> int:
    """``value`` (typed by an operator: "5", 5.0) as whole seconds the client accepts, else
    :class:`CommandRefused`. The range itself is :func:`console.api.typed.check_interval`'s, the one check."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise CommandRefused("the opening time must be a whole number of seconds")
    try:
        number = float(value)
    except ValueError:
        raise CommandRefused("the opening time must be a whole number of seconds") from None
    if not number.is_integer():
        raise CommandRefused("the opening time must be a whole number of seconds")
    seconds = int(number)
    try:
        return check_interval(seconds)
    except ValueError:
        raise CommandRefused(
            f"a door opens for {MIN_OPEN_SECONDS} to {MAX_OPEN_SECONDS} seconds, not {seconds}; nothing was sent"
        ) from None


@dataclass(frozen=True, slots=True)
class Target:
    kind: Kind
    id: str
    name: str

    @classmethod
    def of(cls, item: Item) -> Target:
        return cls(item.kind, item.id, item.name)

    @property
    def key(self) -> ItemKey:
        return (self.kind, self.id)

    def __str__(self) -> str:
        return f"{self.kind.value} {self.name!r} ({self.id})"


@dataclass(frozen=True, slots=True)
class CommandResult:
    action: str  # "door.open", "door.close", "gate.open"
    target: Target
    params: dict[str, Any]
    outcome: Outcome
    text: str  # what the operator reads
    server_text: str = ""  # the server's own words on failure
    audited: bool = True
    extra: dict[str, Any] = field(default_factory=dict)
    seen: bool | None = None  # the state read back after it showed the effect (None: not looked at)

    @property
    def ok(self) -> bool:
        return self.outcome is Outcome.DONE


class CommandClient(Protocol):
    """The typed writes commands send (:class:`console.api.Client`)."""

    async def open_door(self, door_id: str, interval: int = ...) -> None: ...

    async def close_door(self, door_id: str) -> None: ...

    async def open_gate(self, gate_id: str, direction: GateDirection) -> None: ...


ReadBack = Callable[[ItemKey], Awaitable["Item | None"]]


class CommandSession(Protocol):
    """What commands need of :class:`console.services.session.Session`."""

    @property
    def client(self) -> CommandClient: ...

    @property
    def operator(self) -> str: ...

    @property
    def profile(self) -> Profile: ...


_VERBS = {"door.open": "opened", "door.close": "closed", "gate.open": "opened"}


class Commands:
    """``Commands(session, audit)``; every call returns a :class:`CommandResult` (never raises for a server no).

    ``done(CommandResult)`` is emitted after each command (the panel refreshes that tile and shows the text).
    """

    def __init__(
        self,
        session: CommandSession,
        audit: Auditor,
        *,
        read_back: ReadBack | None = None,
        read_back_seconds: float = READ_BACK_SECONDS,
    ) -> None:
        self.session = session
        self.audit = audit
        self.read_back = read_back
        self.read_back_seconds = read_back_seconds
        self.done: Signal[CommandResult] = Signal()

    async def open_door(self, target: Target, seconds: object) -> CommandResult:
        if target.kind is not Kind.DOOR:
            raise CommandRefused(f"{target.name} is not a door")
        interval = check_open_seconds(seconds)
        return await self._send(
            "door.open", target, self.session.client.open_door(target.id, interval),
            {"doorId": target.id, "interval": interval}, f"for {interval} s",
        )

    async def close_door(self, target: Target) -> CommandResult:
        if target.kind is not Kind.DOOR:
            raise CommandRefused(f"{target.name} is not a door")
        return await self._send("door.close", target, self.session.client.close_door(target.id),
                                {"doorId": target.id}, "")

    async def open_gate(self, target: Target, direction: GateDirection) -> CommandResult:
        if target.kind is not Kind.GATE:
            raise CommandRefused(f"{target.name} is not a gate")
        if direction not in (GateDirection.ENTRY, GateDirection.EXIT):
            raise CommandRefused("a gate opens for entry or for exit")
        words = "for entry" if direction is GateDirection.ENTRY else "for exit"
        return await self._send(
            "gate.open", target, self.session.client.open_gate(target.id, direction),
            {"gateId": target.id, "openType": int(direction.code)}, words,
        )

    async def close_doors(
        self, targets: Iterable[Target], *, concurrency: int = CLOSE_ALL_CONCURRENCY
    ) -> list[CommandResult]:
        """Close each door of ``targets`` once (duplicates and gates dropped), a few at a time, in order."""
        seen: set[str] = set()
        doors: list[Target] = []
        for target in targets:
            if target.kind is Kind.DOOR and target.id not in seen:
                seen.add(target.id)
                doors.append(target)
        gate = asyncio.Semaphore(max(1, concurrency))

        async def one(target: Target) -> CommandResult:
            async with gate:
                return await self.close_door(target)

        return list(await asyncio.gather(*(one(t) for t in doors)))

    async def _send(
        self, action: str, target: Target, call: Coroutine[Any, Any, None], params: dict[str, Any], detail: str
    ) -> CommandResult:
        """Audit "sending", await ``call`` (the client's typed write, not yet started) once, audit its outcome.

        If the audit log cannot be written the command is not sent (``NOT_SENT``, the text says why)."""
        noun = target.kind.value.capitalize()
        name = clean_text(target.name)
        verb = _VERBS[action]
        try:
            ticket = begin(self.audit, action, str(target), {**params, "name": target.name},
                           operator=self.session.operator, profile=self.session.profile.name)
        except AuditError as exc:
            call.close()  # never started: nothing left the console
            text = f"{noun} {name} was not {verb}: {exc}"
            log.error("%s %s not sent: %s", action, target, exc)
            refused = CommandResult(action, target, params, Outcome.NOT_SENT, text, "", audited=False)
            self.done.emit(refused)
            return refused
        server_text = ""
        try:
            # the console closing or the session switched while the command is under way: it may have reached
            # the controller, so it is audited as uncertain before the cancellation goes on
            with ticket.uncertain_if_cancelled():
                await call
        except CVSecError as exc:
            outcome = Outcome.of(exc)
            server_text = clean_text(exc.text if isinstance(exc, ApiError) else str(exc), 500)
            if outcome is Outcome.UNCERTAIN:
                text = (
                    f"{noun} {name}: no answer from the server ({server_text}). It may or may not have been "
                    f"{verb}; the command was not repeated. Watch the tile."
                )
            elif outcome is Outcome.NOT_SENT:
                text = f"{noun} {name} was not {verb}: the server could not be reached ({server_text})"
            else:
                text = f"{noun} {name} was not {verb}: {server_text}"
        else:
            outcome = Outcome.DONE
            text = f"{noun} {name} {verb}" + (f" {detail}" if detail else "")
        result_words = "ok" if outcome is Outcome.DONE else f"{outcome.value}: {server_text}"
        failure = ticket.complete(result_words)
        audited = not failure
        seen: bool | None = None
        if outcome in (Outcome.DONE, Outcome.UNCERTAIN) and self.read_back is not None:
            # some servers answer "done" for a door that does not exist: look, and say what was seen
            seen, seen_words = await self._look(action, target)
            text = _with_sight(text, outcome, seen, seen_words, f"{noun} {name}", verb)
            audited = not ticket.complete(seen_words, action=f"{action}.read_back") and audited
        text += failure
        log.info("%s %s: %s", action, target, result_words)
        result = CommandResult(action, target, params, outcome, text, server_text, audited, seen=seen)
        self.done.emit(result)
        return result

    async def _look(self, action: str, target: Target) -> tuple[bool, str]:
        """Read the target's state back until the command's effect is seen or ``read_back_seconds`` pass."""
        assert self.read_back is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.read_back_seconds
        item: Item | None = None
        while True:
            item = await self.read_back(target.key)
            if item is not None and _effect_seen(action, item):
                return True, f"{_state_words(item)} seen"
            if loop.time() >= deadline:
                break
            await asyncio.sleep(min(READ_BACK_STEP, max(0.0, deadline - loop.time())))
        if item is None:
            return False, "the state could not be read back"
        return False, f"no change seen ({_state_words(item)})"


def _effect_seen(action: str, item: Item) -> bool:
    if action == "door.open":
        return item.relay is RelayState.OPEN
    if action == "door.close":
        return item.relay is RelayState.OFF
    return item.gate_relay in (GateRelay.ENTRY_OPEN, GateRelay.EXIT_OPEN)


def _state_words(item: Item) -> str:
    return item.relay_words


def _with_sight(text: str, outcome: Outcome, seen: bool, seen_words: str, who: str, verb: str) -> str:
    """The command's words with what the read-back saw ("Door Lobby opened for 5 s: relay open seen")."""
    if outcome is Outcome.UNCERTAIN:
        return text + (f" Since then: {seen_words}." if seen else f" Since then: {seen_words}: probably not {verb}.")
    if seen:
        return f"{text}: {seen_words}"
    return f"{who}: the server said {verb}, but {seen_words}. Check it."


def summarise(results: Sequence[CommandResult]) -> str:
    """One line for a batch: "Closed 12 of 14 doors; 2 failed: ..."."""
    if not results:
        return "No doors to close"
    good = sum(r.ok for r in results)
    text = f"Closed {good} of {len(results)} doors"
    failed = [r for r in results if not r.ok]
    if failed:
        names = ", ".join(clean_text(r.target.name, 40) for r in failed[:5])
        more = f" and {len(failed) - 5} more" if len(failed) > 5 else ""
        text += f"; not closed or unconfirmed: {names}{more}"
    return text
