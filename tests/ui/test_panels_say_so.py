"""The whole window during an outage and with nothing to show: the visitors, parking, spaces and people panels
each say they are not receiving (and stop saying it once the server answers), and their empty lists say what
to do. Against the simulator over HTTP on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from console.ui.empty_states import EmptyHint
from console.ui.feed_notice import FeedNotice
from tests.helpers import until
from tests.ui import test_whole_window as _window
from tests.ui.test_whole_window import _all_panels, _app

small_sim = _window.small_sim  # the whole-window tests' fixture


def test_outage_and_empty_lists_are_said_in_each_panel(
    qapp: QApplication, run: Callable[..., Any], tmp_path: Path, home: Path, small_sim: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sim = small_sim
    app = _app(qapp, tmp_path / "base", sim, monkeypatch)

    async def scenario() -> None:
        task = asyncio.ensure_future(app.run())
        window, _doors, _events, _alarms, visitors = await _all_panels(app)
        panels = await until(lambda: [window.panel(k) for k in ("visitors", "parking", "spaces", "people")]
                             if all(window.panel(k) is not None for k in ("visitors", "parking", "spaces", "people"))
                             else None, 30)
        found = [p.findChild(FeedNotice) for p in panels]
        notices = [n for n in found if n is not None]
        assert len(notices) == len(panels)
        assert not any(n.isVisibleTo(n.parentWidget()) for n in notices)
        # the on-site list is empty: it says how visitors get there; a filter that matches nothing says so
        hint = visitors.onsite_view.viewport().findChild(EmptyHint)
        assert hint is not None
        assert "register" in hint.label.text()
        visitors.onsite_filter.setText("lobyy")
        assert hint.label.text() == "No visitor on site matches 'lobyy': clear the filter."
        assert all(p.property("emptyHints") for p in panels)
        sim.call(lambda s: s.set_faults(down_seconds=600))
        await until(lambda: all(n.isVisibleTo(n.parentWidget()) for n in notices), 60)
        assert all(n.text().startswith("Not receiving ") for n in notices)
        sim.call(lambda s: s.set_faults(reset=True))
        await until(lambda: not any(n.isVisibleTo(n.parentWidget()) for n in notices), 60)
        app.request_quit()
        assert await task == 0

    run(scenario())
