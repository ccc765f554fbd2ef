"""The simulator's listening socket, bound by us (not uvicorn) and before anything heavy is imported.

A port clash then raises ``OSError`` here instead of ending the process (FIELD-NOTES). ``python -m console.sim``
binds and announces its address first, then imports the server and builds its world (~130 ms): connections
made meanwhile wait in the socket's backlog and are answered once it serves, so the console's demo mode builds
its board while its simulator boots (issue 15). Nothing here imports more than :mod:`socket`.
"""

from __future__ import annotations

import os
import socket

__all__ = ["BACKLOG", "base_url", "bind"]

BACKLOG = 128  # connections waiting for the server to start accepting them


def bind(host: str, port: int) -> socket.socket:
    """A non-blocking TCP socket bound to ``host:port`` (0: any free port) and listening."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP, not the default 0: the accepted sockets copy it, and asyncio turns Nagle off (TCP_NODELAY)
    # only on sockets whose proto says TCP. With proto 0, uvicorn's answer (head and body: two writes) met the
    # client's delayed ACK and every kept-alive answer took ~44 ms (issue 15, tests/benchmarks/bench_client.py).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        if os.name != "nt":  # on Windows SO_REUSEADDR would let two servers share a port
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(BACKLOG)  # from now on a client's connection waits here until the server accepts it
    except OSError:
        sock.close()
        raise
    sock.setblocking(False)
    return sock


def base_url(host: str, port: int, scheme: str = "http") -> str:
    """``scheme://host:port`` (an IPv6 address in brackets)."""
    shown = f"[{host}]" if ":" in host else host
    return f"{scheme}://{shown}:{port}"
