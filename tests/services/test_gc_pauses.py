"""The collector paused for the start (``console.services.gc_pauses``): off while the console starts, on again
once it is up, and never turned on by the console when someone else had turned it off."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from console.services import gc_pauses


@pytest.fixture(autouse=True)
def _collector_restored() -> Iterator[None]:
    was = gc.isenabled()
    yield
    gc_pauses._paused = False
    (gc.enable if was else gc.disable)()


def test_the_start_pauses_collections_and_the_console_resumes_them_once() -> None:
    gc.enable()
    gc_pauses.pause_for_start()
    assert not gc.isenabled()
    gc_pauses.resume_after_start()
    assert gc.isenabled()
    gc.disable()  # someone else's choice later on (a benchmark): the timer's late resume leaves it
    gc_pauses.resume_after_start()
    assert not gc.isenabled()


def test_a_collector_already_off_stays_off() -> None:
    gc.disable()
    gc_pauses.pause_for_start()
    gc_pauses.resume_after_start()
    assert not gc.isenabled()

