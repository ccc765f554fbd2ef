"""The doors options read at start without pydantic (``console.services.doors_options``) are what the typed options
(``DoorsOptions``) read, whatever a hand-edited settings file holds (issue 15)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from console.services import doors_options
from console.services.options import DoorsOptions
from console.services.settings import Settings


@pytest.mark.parametrize("stored", [None, 45, 45.5, 1, 86_400, 0, 0.5, 86_401, -3, float("nan"), float("inf"), "45",
                                    "soon", True, [30], {"s": 30}])
def test_the_open_too_long_threshold_is_read_as_the_typed_options_read_it(tmp_path: Path, stored: Any) -> None:
    settings = Settings.load(tmp_path / "settings.toml")
    if stored is not None:
        settings.section(DoorsOptions.SECTION)["open_too_long_seconds"] = stored
    assert doors_options.open_too_long_seconds(settings) == settings.panel(DoorsOptions).open_too_long_seconds


@pytest.mark.parametrize("stored", [None, "device", "none", "no such grouping", "", 3, ["device"], False])
def test_the_grouping_is_read_as_the_typed_options_read_it(tmp_path: Path, stored: Any) -> None:
    settings = Settings.load(tmp_path / "settings.toml")
    if stored is not None:
        settings.section(DoorsOptions.SECTION)["grouping"] = stored
    assert doors_options.grouping(settings) == settings.panel(DoorsOptions).grouping


def test_the_typed_options_declare_the_same_defaults_and_limits() -> None:
    assert DoorsOptions.SECTION == doors_options.SECTION
    assert DoorsOptions().grouping == doors_options.GROUPING
    assert DoorsOptions().open_too_long_seconds == doors_options.OPEN_TOO_LONG
    assert DoorsOptions(open_too_long_seconds=doors_options.OPEN_TOO_LONG_MIN).open_too_long_seconds == 1.0
    with pytest.raises(ValueError, match="less than or equal to 86400"):
        DoorsOptions(open_too_long_seconds=doors_options.OPEN_TOO_LONG_MAX + 1)
