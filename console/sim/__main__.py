"""``python -m console.sim`` (``cvsecurity-sim``): run the simulator until Ctrl-C or SIGTERM.

Prints the base URL, then (without ``--token``) the generated token, then with ``--tls`` the certificate's
SHA-256 fingerprint and the certificate itself (PEM), then a line saying it is ready (``simulator ready: ...``).
Without ``--tls`` the address and the token come as soon as it listens, before it builds its server and world
(~130 ms): a connection made meanwhile waits and is answered once it is ready (``console.sim.listen``).
With ``--exit-with-stdin`` it also stops when its standard input closes: the console's demo mode starts it so
(console/sim/process.py), and a console that dies, even by SIGKILL, closes the pipe and so stops its simulator.
Binds 127.0.0.1 unless ``--host`` says otherwise. Exits 0 after a clean stop, 2 on bad arguments, 1 when
the server cannot start (a port in use).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import secrets
import signal
import sys
import threading
from collections.abc import Sequence
from types import FrameType
from typing import TYPE_CHECKING, Any

from .config import Faults, SimConfig, start_offset
from .generate import SITES
from .profiles import EVENT_LANGUAGES, SERVER_PROFILES, STATE_CODE_TABLES

if TYPE_CHECKING:
    import socket

    from .simulator import Simulator

__all__ = ["main"]


def _port(text: str) -> int:
    """A port number, 0 (any free port) to 65535; anything else is refused by argparse (exit 2), not a traceback."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port: use 0 (any free port) to 65535")
    return port


def _time_of_day(text: str) -> str:
    """``HH:MM`` for ``--start-at``; anything else is refused by argparse (exit 2)."""
    try:
        start_offset(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cvsecurity-sim", description="ZKBio CVSecurity API simulator")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=_port, default=8088, help="port (0: any free port; default 8088)")
    parser.add_argument("--token", help="access token to accept (default: a new random one, printed)")
    parser.add_argument("--seed", type=int, default=1, help="world seed (default 1)")
    parser.add_argument("--site", choices=sorted(SITES), default="small", help="site size (default small)")
    parser.add_argument("--event-rate", type=float, default=1.0, help="live events per second (default 1; 0 none)")
    parser.add_argument("--faults", help='initial faults as JSON, e.g. \'{"drop_rate": 0.05}\'')
    parser.add_argument("--no-hep", action="store_true", help="no temperature (hep) endpoints: they answer 404")
    parser.add_argument("--server-profile", choices=SERVER_PROFILES, default="manual",
                        help="behave as the manual documents (manual, the default) or like a real server (real)")
    parser.add_argument("--event-language", choices=EVENT_LANGUAGES, default="en",
                        help="language of event names (default en)")
    parser.add_argument("--state-codes", choices=STATE_CODE_TABLES, default="api",
                        help="numeric door-state codes of --server-profile real: api (default) or controller")
    parser.add_argument("--tls", action="store_true",
                        help="serve HTTPS with a self-signed certificate generated at start (printed)")
    parser.add_argument("--start-at", type=_time_of_day, default="", metavar="HH:MM",
                        help="the simulator's clock starts at this time of day, today (rehearse a night shift)")
    parser.add_argument("--exit-with-stdin", action="store_true",
                        help="stop when standard input closes (the parent process ended)")
    return parser


def _watch_stdin(loop: asyncio.AbstractEventLoop, stop: asyncio.Event) -> None:
    """Stop once standard input reaches its end (the parent closed the pipe or died)."""

    def watch() -> None:
        with contextlib.suppress(Exception):
            while os.read(sys.stdin.fileno(), 4096):
                pass
        with contextlib.suppress(RuntimeError):  # the loop is closed already
            loop.call_soon_threadsafe(stop.set)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _faults(parser: argparse.ArgumentParser, text: str | None) -> dict[str, object] | None:
    if not text:
        return None
    try:
        faults = json.loads(text)
        if not isinstance(faults, dict):
            raise ValueError("a JSON object is expected")
        Faults().update(faults, 0.0)
    except ValueError as exc:
        parser.error(f"--faults: {exc}")
    return faults


async def _run(sim: Simulator, host: str, port: int, announce: Sequence[str], *, exit_with_stdin: bool = False,
               sock: socket.socket | None = None) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    if exit_with_stdin:
        _watch_stdin(loop, stop)

    def on_signal(signum: int, frame: FrameType | None) -> None:
        loop.call_soon_threadsafe(stop.set)

    # uvicorn swaps its own handlers in while it serves and re-raises the signal into these afterwards.
    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        async with sim.serve(host, port, sock=sock) as url:
            if sock is None:  # (with a socket bound before, its address was said then)
                print(url, flush=True)
            for line in announce:
                print(line, flush=True)
            print(f"simulator ready: site={sim.config.site} seed={sim.config.seed} "
                  f"event_rate={sim.config.event_rate} profile={sim.server_profile} "
                  f"language={sim.event_language} tls={'on' if sim.certificate else 'off'}", flush=True)
            stopper: asyncio.Task[object] = asyncio.ensure_future(stop.wait())
            waiting: set[asyncio.Future[Any]] = {stopper}
            if sim.server_task is not None:  # ends by itself when uvicorn takes the signal
                waiting.add(sim.server_task)
            await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
            stopper.cancel()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.event_rate < 0:
        parser.error("--event-rate must be 0 or more")
    faults = _faults(parser, args.faults)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    announce = []
    token = args.token
    if not token:
        token = secrets.token_urlsafe(24)
        announce.append(f"token: {token}")
    sock = None
    if not args.tls:  # the address first (with --tls it comes with the certificate, once made): see console.sim.listen
        from .listen import base_url, bind

        try:
            sock = bind(args.host, args.port)
        except OSError as exc:
            print(f"cvsecurity-sim: cannot serve on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
            return 1
        print(base_url(args.host, sock.getsockname()[1]), flush=True)
        for line in announce:
            print(line, flush=True)
        announce = []
    from .simulator import Simulator  # the server and the world: after the address is out

    config = SimConfig(token=token, seed=args.seed, site=args.site, event_rate=args.event_rate,
                       hep=not args.no_hep, faults=faults, server_profile=args.server_profile,
                       event_language=args.event_language, tls=args.tls, state_codes=args.state_codes,
                       start_at=args.start_at)
    sim = Simulator(config)
    if sim.certificate_pem is not None:
        announce.append(f"certificate sha256: {sim.certificate_sha256}")
        announce.extend(sim.certificate_pem.strip().splitlines())
    try:
        asyncio.run(_run(sim, args.host, args.port, announce, exit_with_stdin=args.exit_with_stdin, sock=sock))
    except OSError as exc:
        print(f"cvsecurity-sim: cannot serve on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    with contextlib.suppress(Exception):
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
