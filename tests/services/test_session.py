"""Session health (what the status bar says), backoff (how pollers wait), and the connection probe."""

from __future__ import annotations

import json
import socket

import httpx

from console.api import AuthError, Client, ProtocolError, RetryPolicy, TLSError, TransportError
from console.services.paths import Paths
from console.services.session import Health, Profile, Session, probe

TOKEN = "sess-4c1d8e2f90"


def _session(tmp_path: object, interval: float = 10.0, **kw: object) -> Session:
    profile = Profile("HQ", "http://127.0.0.1:9", poll_interval=interval)
    return Session(profile, profile.client(TOKEN), "ann", Paths.under(str(tmp_path)), **kw)  # type: ignore[arg-type]


async def test_health_follows_polls(tmp_path: object) -> None:
    session = _session(tmp_path)
    seen: list[Health] = []
    session.health_changed.connect(seen.append)
    assert session.health is Health.CONNECTING
    assert session.last_ok is None

    session.report_ok()
    assert session.health is Health.ONLINE
    assert session.last_ok is not None
    session.report_failure(TransportError("cannot reach the server"))
    assert session.health is Health.DEGRADED
    assert session.last_error == "cannot reach the server"
    session.report_failure(TransportError("cannot reach the server"))
    session.report_failure(TransportError("cannot reach the server"))
    assert session.health is Health.OFFLINE
    session.report_ok()
    assert session.health is Health.ONLINE
    assert session.last_error == ""
    session.report_ok()  # no change, no signal
    assert seen == [Health.ONLINE, Health.DEGRADED, Health.OFFLINE, Health.ONLINE]
    await session.aclose()


async def test_a_proxy_page_on_one_path_while_the_doors_answer_is_degraded_not_offline(tmp_path: object) -> None:
    """A proxy answers the events path with its HTML page while the doors' polls come back: the status bar
    must not say "offline" over a board whose tiles are fresh. Once nothing answers, it is offline."""
    session = _session(tmp_path)
    session.report_ok("doors")
    session.report_ok("events")
    session.report_failure(ProtocolError("the server answered with text/html, not the API's JSON"), "events")
    assert session.health is Health.DEGRADED
    session.report_ok("doors")  # the board goes on
    assert session.health is Health.DEGRADED
    assert "text/html" in session.last_error
    session.report_failure(TLSError("the server's certificate changed"), "doors")  # now nothing answers
    assert session.health is Health.OFFLINE
    session.report_ok("doors")
    session.report_ok("events")
    assert session.health is Health.ONLINE
    session.report_failure(AuthError(401), "events")  # a refused token stops every poller: offline at once
    assert session.health is Health.OFFLINE
    await session.aclose()


async def test_polls_failing_while_the_connection_closes_leave_the_health_alone(tmp_path: object) -> None:
    session = _session(tmp_path)
    seen: list[Health] = []
    session.report_ok()
    session.health_changed.connect(seen.append)
    session.close_health()
    session.report_failure(TransportError("the simulator stopped first"))
    session.report_failure(AuthError(401))
    assert (session.health, session.last_error, seen) == (Health.ONLINE, "", [])
    await session.aclose()


async def test_a_refused_token_is_offline_at_once(tmp_path: object) -> None:
    session = _session(tmp_path)
    session.report_ok()
    session.report_failure(AuthError(401))
    assert session.health is Health.OFFLINE
    await session.aclose()


async def test_failure_before_any_success_is_offline(tmp_path: object) -> None:
    session = _session(tmp_path)
    session.report_failure(TransportError("refused"))
    assert session.health is Health.OFFLINE
    await session.aclose()


async def test_backoff_doubles_and_is_capped(tmp_path: object) -> None:
    session = _session(tmp_path, interval=10.0)
    delays = [session.backoff_delay()]
    for _ in range(6):
        session.report_failure(TransportError("down"))
        delays.append(session.backoff_delay())
    assert delays == [10.0, 10.0, 20.0, 40.0, 60.0, 60.0, 60.0]
    session.report_ok()
    assert session.backoff_delay() == 10.0
    fast = _session(tmp_path, interval=0.2)
    for _ in range(50):
        fast.report_failure(TransportError("down"))
    assert fast.backoff_delay() == 1.6  # eight intervals at most: a short test interval recovers quickly
    await session.aclose()
    await fast.aclose()


async def test_aclose_closes_the_client_once(tmp_path: object) -> None:
    session = _session(tmp_path)
    await session.aclose()
    await session.aclose()
    assert session.client.closed
    assert session.closed
    assert TOKEN not in repr(session)


def _client(handler: object) -> Client:
    return Client("http://cvsec.test", TOKEN, transport=httpx.MockTransport(handler),  # type: ignore[arg-type]
                  retry=RetryPolicy(attempts=1))


PROFILE = Profile("T", "http://cvsec.test")


async def test_probe_reports_the_servers_answer() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/api/v2/door/list"
        assert request.url.params["pageSize"] == "1"
        data = {"page": 0, "size": 1, "total": 42, "data": [{"id": "d1", "name": "Lobby"}]}
        return httpx.Response(200, json={"code": 0, "message": "success", "data": data})

    result = await probe(PROFILE, TOKEN, client=_client(handler))
    assert result.ok
    assert result.kind == "ok"
    assert "reports 42 doors" in result.message


async def test_probe_falls_back_to_the_old_door_list() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/v2/door/list":
            return httpx.Response(404, text="not found")
        return httpx.Response(200, json={"code": 0, "message": "success", "data": []})

    result = await probe(PROFILE, TOKEN, client=_client(handler))
    assert result.ok


async def test_probe_says_wrong_token() -> None:
    result = await probe(PROFILE, TOKEN, client=_client(lambda r: httpx.Response(401, json={"message": "bad"})))
    assert (result.ok, result.kind) == (False, "auth")
    assert result.message.startswith("Wrong access token")
    envelope = {"code": -1, "message": "access_token is invalid"}
    result = await probe(PROFILE, TOKEN, client=_client(lambda r: httpx.Response(200, json=envelope)))
    assert result.kind == "auth"
    assert "access_token is invalid" in result.message


async def test_probe_says_not_the_api() -> None:
    page = "<html><body>Login</body></html>"
    result = await probe(PROFILE, TOKEN, client=_client(
        lambda r: httpx.Response(200, text=page, headers={"content-type": "text/html"})))
    assert result.kind == "protocol"
    assert "Not the CVSecurity API" in result.message
    assert "text/html" in result.message


async def test_probe_says_unreachable_and_never_shows_the_token() -> None:
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = await probe(Profile("T", f"http://127.0.0.1:{port}"), TOKEN)
    assert (result.ok, result.kind) == (False, "unreachable")
    assert result.message.startswith("Server unreachable")
    assert TOKEN not in result.message
    assert TOKEN not in json.dumps(result.__dict__)
