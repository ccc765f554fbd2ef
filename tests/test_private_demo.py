"""The console in demo mode leaves only owner-only files and folders in its base directory (umask 022)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_a_demo_self_test_writes_nothing_others_can_read(tmp_path: Path) -> None:
    base = tmp_path / "base"
    env = {k: v for k, v in os.environ.items() if k not in ("CVSEC_BASEDIR", "CVSEC_TOKEN")}
    env.update(QT_QPA_PLATFORM="offscreen", PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring")
    done = subprocess.run(
        [sys.executable, "-m", "console", "--demo", "--self-test", "--basedir", str(base)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, umask=0o022,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    written = sorted(p.relative_to(base).as_posix() for p in base.rglob("*") if p.is_file())
    assert "config/settings.toml" in written
    assert any(name.endswith(".sqlite3") for name in written), written
    exposed = [f"{p.relative_to(base)} {stat.filemode(p.stat().st_mode)}"
               for p in base.rglob("*") if p.stat().st_mode & 0o077]
    assert exposed == []
