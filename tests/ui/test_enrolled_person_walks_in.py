"""Issue 10's "done when", in demo mode: a receptionist enrols a new person with a face photo in the People
panel, the simulator's Training action lets that person walk through a door, and the events panel's details
show the person's name and the photo enrolled a moment ago (looked up by PIN through the session's client)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import cv2
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from console.services.outcome import Outcome
from console.services.paths import Paths
from console.ui.app import ConsoleApp, Options
from tests import face_frames
from tests.helpers import until


def test_a_new_person_s_name_and_photo_appear_on_their_next_access_event(
    qapp: QApplication, run: Callable[..., Any], tmp_path: Path, home: Path,
) -> None:
    opts = Options(demo=True, basedir=str(tmp_path / "base"), log_stderr=False, operator="Reception Rita",
                   poll_interval=0.5)
    app = ConsoleApp(qapp, opts, Paths.from_env_or_args(opts.basedir))
    ok, jpeg = cv2.imencode(".jpg", face_frames.head_and_shoulders())
    assert ok

    async def scenario() -> tuple[str, str, bool, str]:
        task = asyncio.ensure_future(app.run())
        await until(lambda: app.ready and app.window is not None, 60)
        window = app.window
        assert window is not None
        people, events = await until(lambda: (window.panel("people"), window.panel("events"))
                                     if window.panel("people") is not None and window.panel("events") is not None
                                     else None, 60)
        await until(lambda: people.dept_box.count() > 1 and people.levels_list.count() > 0, 30)
        people.new_person()
        people.pin_edit.setText("77001")
        people.name_edit.setText("Ada")
        people.last_edit.setText("Lovelace")
        people.dept_box.setCurrentIndex(1)
        people.levels_list.item(0).setCheckState(Qt.CheckState.Checked)
        assert people.import_photo(jpeg.tobytes()) == ""
        await until(lambda: not people.busy() and "server can use this face" in people.guidance.text(), 30)
        saved = await people.save()
        assert saved.kind is Outcome.DONE, saved.message
        enrolled = app.sim.call(lambda s: s.world.persons["77001"].photo)
        assert enrolled

        assert app.training is not None  # demo mode: the Training menu makes the new person walk in
        walk = next(a for a in app.training.actions() if a.text() == "The newest enrolled person walks in")
        walk.trigger()
        said = window.status.currentMessage()
        assert "Ada Lovelace" in said
        event = await until(lambda: next((e for e in events.journal.page(limit=50, newest_first=True)
                                          if e.pin == "77001"), None), 60)
        await until(lambda: events.select_event(event.key), 30)  # in the table once the model has it
        details = events.details
        await until(lambda: details.person_fields["name"].text() != "" and details.person_photo.isVisible(), 30)
        name = details.person_fields["name"].text()
        status = details.person_status.text()
        shown = details.person_photo.shown
        app.request_quit()
        assert await task == 0
        return name, status, shown, said

    name, status, shown, _said = run(scenario(), timeout=180)
    assert name == "Ada Lovelace"
    assert status == "Pin 77001"
    assert shown


def test_a_pin_unknown_a_minute_ago_is_asked_again(qapp: QApplication, run: Callable[..., Any]) -> None:
    """The details pane does not remember "no such person": the person may be enrolled at the desk meanwhile."""
    from datetime import datetime

    import httpx

    from console.api import Client
    from console.services.events import Event, Source
    from console.sim import SimConfig, Simulator
    from console.ui.events.details import DetailsPane

    sim = Simulator(SimConfig(token="details-token-1", seed=3, site="small", event_rate=0.0))
    client = Client("http://127.0.0.1", "details-token-1", transport=httpx.ASGITransport(app=sim.app))
    pane = DetailsPane(client)
    event = Event(key="k1", source=Source.ACCESS, time=datetime(2030, 1, 1, 8, 0), name="Normal Verify Open",
                  pin="88001")

    async def scenario() -> tuple[str, str]:
        pane.show_event(event)
        await pane.lookup_person("88001")
        before = pane.person_status.text()
        sim.world.persons["88001"] = type(next(iter(sim.world.persons.values())))(
            pin="88001", id="p-88001", name="Grace", last_name="Hopper")
        pane.show_event(event)
        await pane.lookup_person("88001")
        after = pane.person_fields["name"].text()
        pane.show_event(None)  # no deferred lookup outlives the test
        await client.aclose()
        return before, after

    before, after = run(scenario())
    assert before.startswith("No person record for pin 88001")
    assert after == "Grace Hopper"
