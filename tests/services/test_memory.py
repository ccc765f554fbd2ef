"""Memory over a long shift (console/services/memory.py): freed heap handed back after polls, at most once a
minute; nothing happens where glibc is absent. How flat RSS stays is measured by
``tests/benchmarks/bench_memory.py``, not here."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from console.services import memory
from console.services.memory import HeapTrimmer, limit_arenas, trim_heap
from console.services.session import Profile, Session
from console.services.session_services import SessionServices
from console.services.settings import Settings
from console.sim import SimConfig, SimulatorThread
from tests.helpers import until

linux_glibc = pytest.mark.skipif(not (sys.platform.startswith("linux") and memory.glibc()),
                                 reason="glibc's malloc_trim and mallopt exist on Linux/glibc only")


@linux_glibc
def test_freed_heap_memory_goes_back_to_the_system() -> None:
    blocks = [bytearray(64 * 1024) for _ in range(2000)]  # ~128 MB in many small blocks, then freed
    del blocks
    assert trim_heap() is True


@linux_glibc
def test_the_arena_cap_is_accepted() -> None:
    assert limit_arenas() is True


@linux_glibc
def test_big_blocks_are_mapped_apart_whatever_was_freed_before() -> None:
    """glibc raises its mmap threshold each time a big mapped block is freed; fixed, an answer's body of a
    few hundred KB is unmapped when freed instead of settling in the heap."""
    for _ in range(3):
        block = bytearray(4 * 2**20)  # freed: glibc's own threshold would now be 4 MB
        del block
    assert memory.fix_mmap_threshold() is True
    assert memory.fix_mmap_threshold(memory.MMAP_THRESHOLD) is True  # again: the same setting, accepted


def test_sqlite_caches_of_the_whole_process_are_bounded() -> None:
    try:
        assert memory.limit_sqlite_heap() == memory.SQLITE_HEAP  # every connection, journal's included
    finally:
        memory.limit_sqlite_heap(0)  # 0: no limit, as before (other tests in this process)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Trims(list[float]):
    """A stand-in for malloc_trim: remembers when it was called (on ``clock``)."""

    def __init__(self, clock: Clock) -> None:
        super().__init__()
        self.clock = clock

    def __call__(self) -> bool:
        self.append(self.clock.now)
        return True


def test_trims_after_a_poll_at_most_once_a_minute() -> None:
    clock = Clock()
    trims = Trims(clock)
    trimmer = HeapTrimmer(60, trim=trims, clock=clock, available=lambda: True)
    assert trimmer.after_poll(True) is True  # the first poll trims
    for _ in range(5):  # polls every 10 s: nothing until a minute has gone by
        clock.now += 10
        assert trimmer.after_poll(True) is False
    clock.now += 10
    assert trimmer.after_poll(False) is True  # a failed poll counts too
    assert trims == [1000.0, 1060.0]
    assert trimmer.trims == 2


def test_nothing_happens_without_glibc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    memory._libc.cache_clear()
    try:
        assert memory.glibc() is False
        assert trim_heap() is False
        assert limit_arenas() is False
        assert memory.fix_mmap_threshold() is False
        trimmer = HeapTrimmer()
        assert trimmer.after_poll(True) is False
        assert trimmer.trims == 0
    finally:
        memory._libc.cache_clear()


def test_a_disabled_trimmer_does_nothing() -> None:
    trims = Trims(Clock())
    trimmer = HeapTrimmer(0, trim=trims, available=lambda: True)
    trimmer.enabled = False
    assert trimmer.after_poll() is False
    assert trims == []


async def test_the_session_trims_after_the_board_polls(tmp_path: Path) -> None:
    sim = SimulatorThread(SimConfig(token="T", site="small", event_rate=0.0))
    url = sim.start()
    try:
        from console.api import Client
        from console.services.paths import Paths

        paths = Paths.under(tmp_path).ensure()
        session = Session(Profile("trim", url, poll_interval=0.1), Client(url, "T"), "ann", paths)
        services = SessionServices.build(session, Settings(paths.settings_file))
        clock = Clock()
        trims = Trims(clock)
        services.heap = HeapTrimmer(60, trim=trims, clock=clock, available=lambda: True)
        try:
            await services.start_doors()
            await until(lambda: services.board.polls >= 4)
            assert trims == [1000.0]  # several polls within the same minute: one trim
            clock.now += 61
            await until(lambda: len(trims) == 2)
            assert trims == [1000.0, 1061.0]  # the first poll after a minute trims again
        finally:
            await services.stop()
    finally:
        sim.stop()
