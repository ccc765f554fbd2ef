"""``console.api.models`` imports its names on first use (issue 15): every exported name resolves, and one
family of records does not load the others."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import console.api.models as models

ROOT = Path(__file__).resolve().parents[2]


def test_every_exported_name_resolves_to_its_module() -> None:
    for name in models.__all__:
        value = getattr(models, name)
        assert value is not None
    assert set(models.__all__) == set(models._WHERE)


def test_the_simulator_and_the_client_package_load_only_what_they_use() -> None:
    probe = ("import sys\n"
             "import console.api, console.api.errors, console.api.redact\n"
             "import console.sim.training, console.sim.process\n"
             "from console.api.models.base import parse_time\n"
             "print(sorted(m for m in ('httpx', 'console.api.client', 'console.api.models.spaces',\n"
             "    'console.api.models.doors', 'console.sim.simulator', 'starlette', 'uvicorn') if m in sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          check=True)
    assert done.stdout.strip() == "[]"
