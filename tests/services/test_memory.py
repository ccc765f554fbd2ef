from __future__ import annotations

import sys

import pytest

from console.services.memory import trim_heap


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc_trim exists on Linux only")
def test_freed_heap_memory_goes_back_to_the_system() -> None:
    blocks = [bytearray(64 * 1024) for _ in range(2000)]  # ~128 MB in many small blocks, then freed
    del blocks
    assert trim_heap() is True
