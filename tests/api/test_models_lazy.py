"""``console.api.models`` imports its names on first use (issue 15): every exported name resolves, and one
family of records does not load the others."""

from __future__ import annotations

import console.api.models as models
from tests.helpers import loaded_after


def test_every_exported_name_resolves_to_its_module() -> None:
    for name in models.__all__:
        value = getattr(models, name)
        assert value is not None
    assert set(models.__all__) == set(models._WHERE)


def test_the_simulator_and_the_client_package_load_only_what_they_use() -> None:
    code = ("import console.api, console.api.errors, console.api.redact\n"
            "import console.sim.training, console.sim.process\n"
            "from console.api.models.base import parse_time\n")
    assert loaded_after(code, ("httpx", "console.api.client", "console.api.models.spaces", "console.api.models.doors",
                               "console.sim.simulator", "starlette", "uvicorn")) == []
