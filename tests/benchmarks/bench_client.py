"""Benchmark of one small request on a kept-alive connection (a script, not a test: pytest does not collect it).

    .venv/bin/python tests/benchmarks/bench_client.py [--requests 300] [--json]

The simulator runs in its own process (as a real server would). The same small GET (the v1 door list, one
row: ``/api/door/list?pageNo=1&pageSize=1``, about 150 bytes of answer) is sent ``--requests`` times by

* a plain socket (blocking, TCP_NODELAY, the request in one ``sendall``, the answer read by Content-Length),
* a raw ``httpx.AsyncClient`` with the connection settings of ``Client`` (the same transport: retries 0,
  the same limits and headers),
* ``Client.call("2.12.5", pageNo=1, pageSize=1)`` (building, sending, reading with the size cap, parsing the
  envelope),

each on one connection kept alive, in rotation (a round sends one of each, so a busy moment of this shared
machine falls on all three alike), after a warm-up. It prints median, 95th percentile and best of each, and
the figures of issue 15: the kept-alive answer under 5 ms; ``Client`` within 1.2x of raw httpx and within
2 ms of the plain socket. Then the same kept-alive answer from a simulator served in a thread of this process
(``SimulatorThread``, how the demo mode and the tests run it: they share this process's GIL).

The ~44 ms floor this measures the absence of: the simulator's listening socket was made with protocol 0, so
the sockets it accepted had Nagle on (asyncio sets TCP_NODELAY only on sockets whose ``proto`` is TCP) and
uvicorn's answer, written as head then body, waited for the client's delayed ACK (40 ms) every time.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from benchlib import Figure, add_json_option, emit, human, median, p95

from console.api import Client

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "bench-token-client"
PATH = "/api/door/list"
PARAMS = {"pageNo": "1", "pageSize": "1"}


def start_simulator() -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "console.sim", "--site", "small", "--port", "0", "--token", TOKEN,
         "--event-rate", "0"],
        cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    if not url.startswith("http"):
        proc.kill()
        raise SystemExit(f"the simulator did not start: {url!r}")
    return proc, url


class PlainSocket:
    """One kept-alive HTTP/1.1 connection on a blocking socket: the floor anything above it is measured from."""

    def __init__(self, url: str) -> None:
        host, port = httpx.URL(url).host, httpx.URL(url).port
        assert port is not None
        self.sock = socket.create_connection((host, port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        query = "&".join(f"{k}={v}" for k, v in {**PARAMS, "access_token": TOKEN}.items())
        self.request = (f"GET {PATH}?{query} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: application/json\r\n"
                        "User-Agent: bench\r\n\r\n").encode("ascii")

    def get(self) -> bytes:
        self.sock.sendall(self.request)
        buf = b""
        while b"\r\n\r\n" not in buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("the server closed the connection")
            buf += chunk
        head, _, body = buf.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        while len(body) < length:
            body += self.sock.recv(65536)
        return body

    def close(self) -> None:
        self.sock.close()


def raw_httpx(url: str) -> httpx.AsyncClient:
    """An httpx client with ``Client``'s connection settings (console/api/client.py)."""
    transport = httpx.AsyncHTTPTransport(retries=0, limits=httpx.Limits(max_connections=8,
                                                                        max_keepalive_connections=8))
    return httpx.AsyncClient(base_url=url, transport=transport, follow_redirects=False, timeout=10.0,
                             headers={"Accept": "application/json", "User-Agent": "cvsecurity-console"})


async def measure(url: str, requests: int) -> dict[str, list[float]]:
    plain = PlainSocket(url)
    times: dict[str, list[float]] = {"plain socket": [], "raw httpx": [], "Client.call": []}
    async with raw_httpx(url) as http, Client(url, TOKEN) as client:

        def sock() -> None:
            plain.get()

        async def raw() -> None:
            response = await http.get(PATH, params={**PARAMS, "access_token": TOKEN})
            response.raise_for_status()
            response.json()

        async def typed() -> None:
            await client.call("2.12.5", pageNo=1, pageSize=1)

        for _ in range(20):  # warm-up: connections made, code paths hot
            sock()
            await raw()
            await typed()
        for _ in range(requests):
            t0 = time.perf_counter()
            sock()
            t1 = time.perf_counter()
            await raw()
            t2 = time.perf_counter()
            await typed()
            t3 = time.perf_counter()
            times["plain socket"].append((t1 - t0) * 1000)
            times["raw httpx"].append((t2 - t1) * 1000)
            times["Client.call"].append((t3 - t2) * 1000)
    plain.close()
    return times


async def measure_thread(requests: int) -> list[float]:
    """The same request through httpx to a simulator served in a thread of this process (demo mode, tests)."""
    from console.sim import SimConfig, SimulatorThread

    thread = SimulatorThread(SimConfig(token=TOKEN, seed=1, site="small", event_rate=0.0))
    url = thread.start()
    try:
        times: list[float] = []
        async with raw_httpx(url) as http:
            for i in range(requests + 20):
                t0 = time.perf_counter()
                (await http.get(PATH, params={**PARAMS, "access_token": TOKEN})).raise_for_status()
                if i >= 20:
                    times.append((time.perf_counter() - t0) * 1000)
        return times
    finally:
        thread.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=300, help="requests of each kind (default 300)")
    parser.add_argument("--quick", action="store_true", help="100 requests of each kind")
    add_json_option(parser)
    args = parser.parse_args()
    n = 100 if args.quick else args.requests
    out = human(args)
    proc, url = start_simulator()
    try:
        times = asyncio.run(measure(url, n))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    in_thread = asyncio.run(measure_thread(n))
    print(f"one small kept-alive GET ({PATH}, 1 row), {n} of each, simulator in its own process:", file=out)
    for name, values in [*times.items(), ("httpx, simulator in a thread", in_thread)]:
        print(f"  {name:30} median {median(values):6.2f} ms   p95 {p95(values):6.2f} ms   "
              f"best {min(values):6.2f} ms", file=out)
    sock_med, raw_med, client_med = (median(times[k]) for k in ("plain socket", "raw httpx", "Client.call"))
    figures = [
        Figure("client: kept-alive answer, plain socket (median)", 5.0, sock_med, "ms",
               note=f"p95 {p95(times['plain socket']):.2f} ms; simulator in its own process"),
        Figure("client: kept-alive answer, simulator thread (median)", 5.0, median(in_thread), "ms",
               note=f"p95 {p95(in_thread):.2f} ms; httpx, the simulator shares this process (demo, tests)"),
        Figure("client: Client.call / raw httpx (medians)", 1.2, client_med / raw_med, "x",
               note=f"{client_med:.2f} ms / {raw_med:.2f} ms; p95 {p95(times['Client.call']):.2f} / "
                    f"{p95(times['raw httpx']):.2f} ms"),
        Figure("client: Client.call - plain socket (medians)", 2.0, client_med - sock_med, "ms",
               note=f"{client_med:.2f} ms - {sock_med:.2f} ms"),
    ]
    emit(figures, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
