"""Test helpers shared by every area."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[1]


def printed_by(code: str, **env: str) -> list[str]:
    """The words ``code`` prints in a fresh interpreter (offscreen Qt, ``env`` added): a probe of what a start
    does, run where nothing of this test process is loaded. Fails with its stderr when it fails."""
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          check=False, env=dict(os.environ, QT_QPA_PLATFORM="offscreen", **env))
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.split()


def loaded_after(code: str, modules: Iterable[str]) -> list[str]:
    """Which of ``modules`` a fresh interpreter has imported after running ``code`` (what a start would load)."""
    wanted = sorted(modules)
    probe = f"{code}\nimport json, sys\nprint(json.dumps([m for m in {wanted!r} if m in sys.modules]))\n"
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          check=True)
    loaded: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return loaded


async def until(condition: Callable[[], T], timeout: float = 10.0, interval: float = 0.01) -> T:
    """Await a condition (not a fixed delay): return its first truthy value, or fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s: {condition}")
        await asyncio.sleep(interval)
