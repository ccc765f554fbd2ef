"""Fixtures of the events services' tests: a fake clock, a journal in a temporary data dir, a fake server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from console.services.events import Journal, Retention

from .fakes import FakeClock, FakeServer


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def journal(data_dir: Path, clock: FakeClock) -> Iterator[Journal]:
    jr = Journal(data_dir, clock=clock, retention=Retention(days=30, max_rows=100_000))
    yield jr
    jr.close()


@pytest.fixture
def server(clock: FakeClock) -> FakeServer:
    return FakeServer(clock)


class AuditLog:
    """Records what the alarm queue writes, as the real audit log would store it."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, str, dict[str, Any], str]] = []
        self.fail = False

    def record(self, action: str, target: str, params: dict[str, Any], result: str) -> None:
        if self.fail:
            raise OSError("audit log unavailable")
        self.rows.append((action, target, params, result))


@pytest.fixture
def audit() -> AuditLog:
    return AuditLog()
