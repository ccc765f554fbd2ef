"""Helpers shared by the doors, commands and floor-plan tests (services and UI): a session on a simulator."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import httpx

from console.api import Client, RetryPolicy
from console.services.paths import Paths
from console.services.session import Profile, Session
from console.sim import Simulator

TOKEN = "door-test-token-5b1e"
ASGI_URL = "http://sim.test"


def session_for(
    base_url: str,
    base: Path,
    *,
    app: object | None = None,
    interval: float = 10.0,
    profile: str = "Test site",
    operator: str = "ann",
) -> Session:
    """A session on ``base_url`` (or on the simulator ``app`` in-process); reads are tried once (fast tests)."""
    transport = httpx.ASGITransport(app=app) if app is not None else None  # type: ignore[arg-type]
    client = Client(base_url, TOKEN, transport=transport, retry=RetryPolicy(attempts=1))
    return Session(Profile(profile, base_url, poll_interval=interval), client, operator, Paths.under(base).ensure())


def posts(sim: Simulator, path_end: str) -> list[str]:
    """Query strings of the POSTs to a path ending with ``path_end`` that reached the simulator."""
    return [r.query for r in list(sim.requests) if r.method == "POST" and r.path.endswith(path_end)]


def png_bytes(width: int = 4, height: int = 3) -> bytes:
    """A valid PNG of the given size (grey), built without Qt."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")
