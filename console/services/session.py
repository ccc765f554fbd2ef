"""One connected profile: its client, its operator, and the health every poller reports into.

Every poller (:class:`console.services.polling.Poller`: door board, event stream, visitor outbox) reports
each poll to :meth:`Session.report_ok` or :meth:`Session.report_failure` under its own *channel* name, and
waits as :attr:`Session.policy` says. The status bar listens to ``health_changed``. The health is a small
state machine over all channels (one channel failing while another answers is DEGRADED)::

    CONNECTING --ok--> ONLINE --failure--> DEGRADED --more failures--> OFFLINE
         |                ^                    |                          |
         +---failure------+--------ok----------+------------ok------------+--> ONLINE
         v
      OFFLINE

A refused token or an answer that is not the API (AuthError, ProtocolError, TLSError) goes OFFLINE at once:
waiting will not fix it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from console.api.errors import (  # not console.api's Client here: httpx loads on the first connection (start-up)
    ApiError,
    AuthError,
    CVSecError,
    HTTPStatusError,
    ProtocolError,
    TLSError,
    TransportError,
)

from .health import Health
from .observable import Signal
from .paths import Paths
from .profile import DEFAULT_POLL_INTERVAL, Profile

if TYPE_CHECKING:
    from console.api import Client

    from .polling import PollPolicy  # (asyncio: imported after the first paint, with the pollers)

__all__ = ["DEFAULT_POLL_INTERVAL", "Health", "ProbeResult", "Profile", "Session", "probe"]

log = logging.getLogger(__name__)

DEFAULT_CHANNEL = "server"


_FATAL = (AuthError, ProtocolError, TLSError)


@dataclass(eq=False)
class Session:
    """A connected profile. Build it with the client for that profile; :meth:`aclose` closes the client."""

    profile: Profile
    client: Client
    operator: str
    paths: Paths
    offline_after: int = 3  # consecutive failures before DEGRADED turns OFFLINE
    max_backoff: float = 60.0
    health: Health = Health.CONNECTING
    last_ok: datetime | None = None
    last_error: str = ""  # operator-safe text of the latest failure (the client's errors carry no token)
    health_changed: Signal[Health] = field(default_factory=Signal)
    closed: bool = False
    closing: bool = False  # shutting down: polls cut short now say nothing of the server (see :meth:`close_health`)
    _failures: dict[str, int] = field(default_factory=dict)  # consecutive failures per polling channel
    _fatal: set[str] = field(default_factory=set)  # channels whose last failure was a refusal
    _refused: set[str] = field(default_factory=set)  # channels whose last failure was a refused token

    def __repr__(self) -> str:
        return f"<Session {self.profile.name!r} {self.profile.url} {self.health.value}>"

    @property
    def poll_interval(self) -> float:
        return self.profile.poll_interval

    def _set_health(self, health: Health) -> None:
        if health is not self.health:
            log.info("connection %s: %s -> %s", self.profile.name, self.health.value, health.value)
            self.health = health
            self.health_changed.emit(health)

    @property
    def policy(self) -> PollPolicy:
        """The polling policy of this connection (every poller of the session uses it)."""
        from .polling import PollPolicy

        return PollPolicy(self.profile.poll_interval, self.max_backoff)

    def close_health(self) -> None:
        """The console is closing this connection: the health stays as the last real polls left it (a poll
        failing while its neighbours are stopped, or the demo's simulator going first, is no outage)."""
        self.closing = True

    def report_ok(self, channel: str = DEFAULT_CHANNEL) -> None:
        """A poll of ``channel`` (doors, events, outbox...) succeeded."""
        if self.closing:
            return
        self._failures[channel] = 0
        self._fatal.discard(channel)
        self._refused.discard(channel)
        self.last_ok = datetime.now().astimezone()
        if not any(self._failures.values()):
            self.last_error = ""
        self._update()

    def report_failure(self, exc: BaseException, channel: str = DEFAULT_CHANNEL) -> None:
        """A poll of ``channel`` failed (a transport error, HTTP 5xx, a refused token...)."""
        if self.closing:
            return
        self._failures[channel] = self._failures.get(channel, 0) + 1
        self.last_error = str(exc) or type(exc).__name__
        if isinstance(exc, _FATAL):
            self._fatal.add(channel)
        if isinstance(exc, AuthError):
            self._refused.add(channel)
        self._update()

    @property
    def token_refused(self) -> bool:
        """The server refused the access token (pollers halt until :meth:`new_token`)."""
        return bool(self._refused)

    def new_token(self, token: str) -> None:
        """Use ``token`` from now on (the old one was refused); the pollers are resumed by their owner."""
        self.client.set_token(token)
        self._refused.clear()
        self._fatal.clear()
        self._update()

    @property
    def failures(self) -> int:
        """Consecutive failures of the worst channel."""
        return max(self._failures.values(), default=0)

    def channel_failures(self, channel: str) -> int:
        return self._failures.get(channel, 0)

    def _update(self) -> None:
        """ONLINE when every channel's last poll was good; OFFLINE when the token was refused, when nothing ever
        answered, or when every channel is down (failed ``offline_after`` times in a row, or at once with an
        answer waiting will not fix: not the API, a certificate); DEGRADED in between (some failures, or one
        channel down while another answers: a proxy's HTML page on the events path while the doors answer)."""
        failing = {name: count for name, count in self._failures.items() if count}
        down = {name for name, count in failing.items() if count >= self.offline_after or name in self._fatal}
        every_channel_down = bool(failing) and len(down) == len(self._failures)
        if not failing:
            self._set_health(Health.ONLINE)
        elif self._refused or self.last_ok is None or every_channel_down:
            self._set_health(Health.OFFLINE)
        else:
            self._set_health(Health.DEGRADED)

    def backoff_delay(self, channel: str | None = None) -> float:
        """Seconds a poller waits before its next try (:meth:`PollPolicy.delay`, without jitter)."""
        failures = self.failures if channel is None else self.channel_failures(channel)
        from .polling import PollPolicy

        return PollPolicy(self.profile.poll_interval, self.max_backoff, jitter=0.0).delay(failures)

    async def aclose(self) -> None:
        """Close the client; calling it again does nothing."""
        if self.closed:
            return
        self.closed = True
        await self.client.aclose()


@dataclass(frozen=True)
class ProbeResult:
    """The answer to "Test connection": ``kind`` is ok, auth, tls, tls-changed, unreachable, protocol, api, http."""

    ok: bool
    kind: str
    message: str


async def probe(profile: Profile, token: str, *, client: Client | None = None) -> ProbeResult:
    """Check ``profile`` with ``token`` by one cheap read (a one-row page of the door list).

    Returns the server's answer or a reason a person can act on; never raises for a connection problem.
    """
    own = client is None
    try:
        api = client if client is not None else profile.client(token)
    except CVSecError as exc:  # the CA file is missing or unreadable: nothing was sent
        return ProbeResult(False, "tls", f"Certificate problem: {exc}.")
    try:
        total = await api.door_count()
        doors = f" and reports {total} door{'s' if total != 1 else ''}" if isinstance(total, int) else ""
        return ProbeResult(True, "ok", f"Connected: {api.base_url} answers as the CVSecurity API{doors}.")
    except AuthError as exc:
        return ProbeResult(False, "auth", f"Wrong access token: the server refused it ({exc}).")
    except TLSError as exc:
        if exc.changed:
            return ProbeResult(False, "tls-changed", f"The server's certificate has changed: {exc}.")
        return ProbeResult(False, "tls", f"Certificate problem: {exc}. If this server uses its own (self-signed) "
                                         "certificate, compare its fingerprint and trust it.")
    except TransportError as exc:
        return ProbeResult(False, "unreachable", f"Server unreachable: {exc}.")
    except ProtocolError as exc:
        return ProbeResult(False, "protocol", f"Not the CVSecurity API: {exc}.")
    except ApiError as exc:
        reason = "Wrong access token" if _token_refused(exc) else "The server answered with an error"
        return ProbeResult(False, "auth" if _token_refused(exc) else "api", f"{reason}: {exc.text}.")
    except HTTPStatusError as exc:
        return ProbeResult(False, "http", f"The server answered with an error: {exc}.")
    except CVSecError as exc:
        return ProbeResult(False, "api", f"The server's answer was not understood: {exc}.")
    finally:
        if own:
            await api.aclose()


def _token_refused(exc: ApiError) -> bool:
    words = f"{exc.server_message} {exc.appendix or ''}".lower()
    return "token" in words and any(w in words for w in ("invalid", "illegal", "expired", "wrong", "error"))
