"""The start-up marks a benchmark listens to (``console.ui.startmarks``): told once each, to every listener."""

from __future__ import annotations

import pytest

from console.ui import startmarks


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(startmarks, "_listeners", [])
    monkeypatch.setattr(startmarks, "_marked", set())
    monkeypatch.setattr(startmarks, "pending", False)


def test_nobody_listening_costs_a_flag_and_marks_nothing(fresh: None) -> None:
    startmarks.mark("shell")
    assert startmarks.pending is False
    heard: list[str] = []
    startmarks.listen(heard.append)  # a listener that comes later hears the marks still to come
    assert startmarks.pending is True
    startmarks.mark("shell")
    assert heard == ["shell"]


def test_each_mark_is_told_once_to_every_listener(fresh: None) -> None:
    first: list[str] = []
    second: list[str] = []
    startmarks.listen(first.append)
    startmarks.listen(second.append)
    for name in ("shell", "tile", "tile", "shell"):
        startmarks.mark(name)
    assert first == second == ["shell", "tile"]
