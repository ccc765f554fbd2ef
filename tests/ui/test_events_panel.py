"""The live event monitor panel against the simulator (in-process, its world clock driven by the test).

Polls are driven with ``stream.poll_once()``; nothing sleeps for a fixed time. The journal is real (SQLite in
a temporary data directory), and so are the model, the view and the details pane.
"""

from __future__ import annotations

import base64
import csv
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from PySide6.QtCore import QBuffer, QByteArray, QCoreApplication, QEvent, QIODevice, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit, QScrollArea

from console.api import Client
from console.api.client import RetryPolicy
from console.services.events import Event, EventFilter, EventStream, Journal, Level, Retention, Source, event_key
from console.services.events.words import guard_words
from console.services.options import EventsOptions
from console.services.paths import Paths
from console.services.session import Profile, Session
from console.services.settings import Settings
from console.sim import SimConfig, Simulator
from console.ui import aio, theme
from console.ui.events import EventsPanel
from console.ui.events.details import DetailsPane
from console.ui.events.model import Column, EventTableModel, Role
from console.ui.events.photo import decode_photo
from tests.helpers import until
from tests.ui.fit import LEFT_COLUMN, assert_fit, lay_out, rows, themed

TOKEN = "events-ui-token"
STORES = {"acc": Source.ACCESS, "psg": Source.GATE, "hep": Source.TEMPERATURE}
MIX = ("verify", "verify", "gate_pass", "unknown_card", "denied", "temperature", "forced_open", "door_timeout",
       "verify", "duress")


@dataclass
class Env:
    sim: Simulator
    session: Session
    journal: Journal
    stream: EventStream
    panel: EventsPanel

    def produce(self, n: int, step: float = 2.0, kinds: tuple[str, ...] = MIX, **fields: Any) -> list[dict[str, Any]]:
        out = []
        for i in range(n):
            self.sim.world.clock.advance(step)
            record = self.sim.emit(kinds[i % len(kinds)], **fields)
            if record and record["store"] in STORES:
                out.append(record)
        return out

    async def poll(self, seconds: float = 10.0) -> list[Event]:
        self.sim.world.clock.advance(seconds)
        return await self.stream.poll_once()

    def truth(self) -> set[str]:
        return {event_key(r, STORES[r["store"]]) for r in self.sim.emitted if r["store"] in STORES}

    def shown_keys(self) -> list[str]:
        model = self.panel.model
        return [model.key_at(row) or "" for row in range(model.rowCount())]


def sim_clock(sim: Simulator) -> Callable[[], datetime]:
    return lambda: datetime.fromtimestamp(sim.world.now())


@pytest.fixture
def make_env(qtbot, run, tmp_path) -> Iterator[Callable[..., Env]]:
    made: list[Env] = []

    def build(*, seed: int = 7, hep: bool = True) -> Env:
        sim = Simulator(SimConfig(token=TOKEN, seed=seed, site="small", event_rate=0.0, hep=hep))
        clock = sim_clock(sim)
        paths = Paths.under(tmp_path / f"base{len(made)}").ensure()
        client = Client("http://127.0.0.1", TOKEN, transport=httpx.ASGITransport(app=sim.app),
                        retry=RetryPolicy(attempts=1))
        session = Session(Profile("sim", "http://127.0.0.1"), client, "ann", paths)
        journal = Journal(paths.data_dir, clock=clock, retention=Retention(days=30))
        stream = EventStream(client, journal, clock=clock)
        panel = EventsPanel(journal, stream, Settings(paths.settings_file), client=client, clock=clock)
        panel.resize(1400, 860)
        panel.show()
        qtbot.waitExposed(panel)
        made.append(Env(sim, session, journal, stream, panel))
        return made[-1]

    yield build
    for e in made:
        run(e.panel.stop())
        run(e.session.aclose())
        e.journal.close()
        e.panel.close()
        e.panel.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def env(make_env) -> Env:
    return make_env()


async def quiet(panel: EventsPanel) -> None:
    """Let the details pane's lookups (person, photo) finish: no request may outlive the test."""
    await until(lambda: not panel.details.busy)


def png_base64(width: int = 32, height: int = 24, colour: str = "#3366cc") -> str:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor(colour))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return base64.b64encode(bytes(data.data())).decode("ascii")


def event(i: int, **kw: Any) -> Event:
    fields: dict[str, Any] = {
        "key": f"k{i:09d}",
        "source": (Source.ACCESS, Source.ACCESS, Source.GATE, Source.TEMPERATURE)[i % 4],
        "time": datetime(2024, 5, 1) + timedelta(seconds=i),
        "name": ("Normal Verify Open", "Access Denied", "Door forced open")[0 if i % 10 else (1 if i % 20 else 2)],
        "level": Level.NORMAL if i % 10 else (Level.WARNING if i % 20 else Level.ALARM),
        "pin": str(i % 500),
        "person": f"Person {i % 500}",
        "point": f"Door {i % 7}",
        "reader": f"Door {i % 7}-In",
        "device_sn": f"SN{i % 5}",
        "device_name": f"Controller {i % 5}",
        "verify_mode": "Face",
        "area": ("HQ", "Warehouse", "Lab")[i % 3],
    }
    fields.update(kw)
    return Event(**fields)


# -- streaming -------------------------------------------------------------------------------------


def test_events_stream_into_the_table_newest_first_exactly_once(env, run, qtmodeltester) -> None:
    run(env.poll())
    assert env.panel.model.rowCount() == 0
    produced = env.produce(30)
    run(env.poll())
    truth = env.truth()
    assert len(truth) == len(produced) > 20
    shown = env.shown_keys()
    assert sorted(shown) == sorted(truth)  # every event, none twice
    times = [env.panel.model.event_at(r).time for r in range(len(shown))]
    assert times == sorted(times, reverse=True)
    run(env.poll())  # a poll with nothing new changes nothing
    assert env.shown_keys() == shown
    assert env.panel.count_label.text() == f"{len(truth)} events in the journal"
    first = env.panel.model.index(0, Column.SEVERITY)
    assert first.data(Qt.ItemDataRole.DisplayRole) in ("Normal", "Warning", "Alarm")
    assert first.data(Qt.ItemDataRole.DecorationRole) is not None  # the icon, besides the word and colour
    qtmodeltester.check(env.panel.model)
    more = env.produce(12)
    run(env.poll())
    assert env.shown_keys()[: len(more)] != shown[: len(more)]
    assert sorted(env.shown_keys()) == sorted(env.truth())
    assert "● Access: live" in env.panel.sources_label.text()


def test_alarm_rows_carry_the_word_the_icon_and_the_colour(env, run) -> None:
    run(env.poll())
    env.produce(1, kinds=("forced_open",))
    env.produce(1, kinds=("verify",))
    run(env.poll())
    model = env.panel.model
    rows = {model.event_at(r).level: r for r in range(model.rowCount())}
    alarm, normal = rows[Level.ALARM], rows[Level.NORMAL]
    assert model.index(alarm, Column.SEVERITY).data() == "Alarm"
    assert model.index(alarm, Column.EVENT).data(Qt.ItemDataRole.BackgroundRole) == QColor(theme.current().alarm_bg)
    assert model.index(normal, Column.EVENT).data(Qt.ItemDataRole.BackgroundRole) is None
    icons = {model.index(r, Column.SEVERITY).data(Qt.ItemDataRole.DecorationRole).cacheKey() for r in (alarm, normal)}
    assert len(icons) == 2


def test_a_filter_applies_to_history_and_to_live_rows(env, run) -> None:
    run(env.poll())
    env.produce(40)
    run(env.poll())
    bar = env.panel.filters
    bar.level_buttons[Level.NORMAL].setChecked(False)
    bar.level_buttons[Level.WARNING].setChecked(False)
    model = env.panel.model
    wanted = EventFilter(levels=frozenset({Level.ALARM}))
    assert model.filter == wanted
    history = model.rowCount()
    assert 0 < history == env.journal.count(wanted) < env.journal.count()
    assert all(model.event_at(r).level is Level.ALARM for r in range(history))
    env.produce(20)
    run(env.poll())
    assert model.rowCount() == env.journal.count(wanted) > history
    assert all(model.event_at(r).level is Level.ALARM for r in range(model.rowCount()))
    # free text, on top: one door's alarms, old and new
    door = model.event_at(0).point
    bar.set_text(door)
    run(env.panel.searched())  # a free-text filter is read in a worker thread
    text_filter = EventFilter(text=door, levels=frozenset({Level.ALARM}))
    assert model.filter == text_filter
    n = model.rowCount()
    assert n == env.journal.count(text_filter) > 0
    env.produce(10, kinds=("forced_open", "verify"))
    run(env.poll())
    assert model.rowCount() == env.journal.count(text_filter)
    assert all(door.casefold() in (model.event_at(r).point.casefold() + model.event_at(r).reader.casefold())
               for r in range(model.rowCount()))
    assert "match the filter" in env.panel.count_label.text()
    bar.set_text("lobyy-no-such-door")
    run(env.panel.searched())
    assert model.rowCount() == 0
    assert env.panel.count_label.text() == "No event matches the filter: press Clear to see every event"
    bar.clear()
    assert model.rowCount() == env.journal.count()


def test_a_time_range_applies_to_history_and_live_rows(env, run) -> None:
    run(env.poll())
    env.produce(20, step=30)  # ten minutes of events
    run(env.poll())
    now = sim_clock(env.sim)()
    since = (now - timedelta(minutes=7)).replace(second=0, microsecond=0)
    until_ = (now + timedelta(minutes=5)).replace(second=0, microsecond=0)
    env.panel.filters.set_custom_range(since, until_)
    flt = env.panel.model.filter
    assert (flt.since, flt.until) == (since, until_)
    n = env.panel.model.rowCount()
    assert 0 < n == env.journal.count(flt) < env.journal.count()
    assert all(since <= env.panel.model.event_at(r).time < until_ for r in range(n))
    env.produce(2, step=10)  # inside the range
    run(env.poll(10))
    assert env.panel.model.rowCount() == n + 2
    env.sim.world.clock.advance(600)
    env.produce(2)  # after it
    run(env.poll())
    assert env.panel.model.rowCount() == n + 2
    env.panel.filters.set_range("Last 15 minutes")
    flt = env.panel.model.filter
    assert flt.until is None
    assert flt.since is not None
    assert env.panel.model.rowCount() == env.journal.count(flt)


def test_an_alarm_can_be_shown_in_the_table_by_its_key(env, run) -> None:
    run(env.poll())
    env.produce(30)
    run(env.poll())
    bar = env.panel.filters
    bar.level_buttons[Level.ALARM].setChecked(False)
    hidden = next(e for e in env.journal.iter_range(None, None) if e.level is Level.ALARM)
    assert env.panel.select_event(hidden.key)
    assert env.panel.view.currentIndex().data(Role.KEY) == hidden.key
    assert env.panel.model.filter.is_empty  # the filter that hid it was cleared
    assert env.panel.details.current is not None
    assert env.panel.details.current.key == hidden.key
    assert not env.panel.select_event("no-such-key")
    run(quiet(env.panel))


def test_source_and_door_filters_offer_what_the_journal_holds(env, run) -> None:
    run(env.poll())
    env.produce(30)
    run(env.poll())
    bar = env.panel.filters
    bar.door.reload()
    doors = [bar.door.itemData(i) for i in range(1, bar.door.count())]
    assert doors == env.journal.distinct("door")
    bar.door.setCurrentIndex(1)
    assert env.panel.model.rowCount() == env.journal.count(EventFilter(doors=frozenset({doors[0]})))
    bar.source.setCurrentIndex(bar.source.findData("gate"))
    assert all(env.panel.model.event_at(r).source is Source.GATE for r in range(env.panel.model.rowCount()))


def test_a_server_without_temperature_hides_the_source(make_env, run) -> None:
    env = make_env(hep=False, seed=3)
    run(env.poll())
    run(env.poll())
    sources = [env.panel.filters.source.itemData(i) for i in range(env.panel.filters.source.count())]
    assert sources == [None, "access", "gate"]
    assert "Temperature: not on this server" in env.panel.sources_label.text()


def test_start_polls_in_the_background_and_stop_ends_it(env, run) -> None:
    async def scenario() -> None:  # one run: the polling task never outlives it
        await env.panel.start()
        await env.stream.start()
        env.stream.poller.start()  # as SessionServices.start_rest does: the stream polls, the panel shows
        assert env.panel.running
        await until(lambda: env.stream.started and "● Access: live" in env.panel.sources_label.text())
        await env.panel.stop()
        await env.stream.poller.stop()

    run(scenario())
    assert not env.panel.running
    assert env.panel.settings.panel(EventsOptions).columns  # the table's column layout is remembered


# -- gaps --------------------------------------------------------------------------------------------


def test_lost_answers_are_back_filled_marked_and_announced(env, run) -> None:
    run(env.poll())
    env.produce(6)
    run(env.poll())
    env.sim.set_faults(drop_rate=1.0)  # the server answers but the answers never arrive: a real gap
    lost = []
    for _ in range(4):
        lost += env.produce(5, kinds=("verify", "forced_open", "gate_pass"), mode="face")
        run(env.poll())
    assert "no answer" in env.panel.sources_label.text()
    env.sim.set_faults(reset=True)
    run(env.poll())
    shown = env.shown_keys()
    assert sorted(shown) == sorted(env.truth())  # no hole, no double
    lost_keys = {event_key(r, STORES[r["store"]]) for r in lost}
    model = env.panel.model
    marked = {model.key_at(r) for r in range(model.rowCount()) if model.index(r, 0).data(Role.BACKFILLED)}
    assert marked == lost_keys
    row = shown.index(next(iter(lost_keys)))
    assert model.index(row, Column.EVENT).data(Qt.ItemDataRole.FontRole).italic()
    assert "Back-filled" in model.index(row, Column.TIME).data(Qt.ItemDataRole.ToolTipRole)
    assert model.index(row, Column.TIME).data(Qt.ItemDataRole.DecorationRole) is not None
    banner = env.panel.banner
    assert banner.isVisible()
    n_access = sum(1 for r in lost if r["store"] == "acc")
    assert f"Back-filled {n_access} access events from " in banner.text
    # the back-filled face captures carry their photo (the live monitor never does)
    with_photo = next(r for r in range(model.rowCount()) if model.event_at(r).has_photo)
    env.panel.select_row(with_photo)
    assert env.panel.details.photo.shown
    run(quiet(env.panel))


def test_late_old_events_keep_the_view_in_place_and_the_selection(env, run, qtbot) -> None:
    """A device that was offline uploads its stored events late, with their old times: they belong in the
    middle of history (the model resets), and the operator's place and selection survive."""
    run(env.poll())
    env.produce(80, step=1)
    run(env.poll())
    panel, model = env.panel, env.panel.model
    panel.filters.set_text("no such thing")
    run(panel.searched())
    panel.filters.clear()  # the operator filtered and came back: the rows are the journal's now
    panel.select_row(30)
    selected = model.key_at(30)
    run(quiet(panel))
    panel.view.verticalScrollBar().setValue(20)
    top = model.key_at(panel.view.rowAt(0))
    assert not panel.following
    env.sim.world.clock.advance(-60)
    late = env.produce(2, step=1, kinds=("verify",))
    env.sim.world.clock.advance(60)
    with qtbot.waitSignal(model.modelReset):
        run(env.poll())
    assert sorted(env.shown_keys()) == sorted(env.truth())
    times = [model.event_at(r).time for r in range(model.rowCount())]
    assert times == sorted(times, reverse=True)
    assert {event_key(r, Source.ACCESS) for r in late} <= set(env.shown_keys())
    assert panel.view.currentIndex().data(Role.KEY) == selected
    assert panel.details.current is not None
    assert panel.details.current.key == selected
    assert model.key_at(panel.view.rowAt(0)) == top


# -- scrolling -----------------------------------------------------------------------------------------


def test_auto_scroll_pauses_away_from_the_top_and_jump_to_latest_returns(env, run, qtbot) -> None:
    run(env.poll())
    env.produce(120, step=1)
    run(env.poll())
    panel = env.panel
    bar = panel.view.verticalScrollBar()
    assert panel.following
    assert not panel.jump_button.isVisible()
    bar.setValue(40)
    assert not panel.following
    top_key = panel.model.key_at(panel.view.rowAt(0))
    fresh = env.produce(10, kinds=("verify", "gate_pass"))
    run(env.poll())
    assert panel.model.key_at(panel.view.rowAt(0)) == top_key  # the rows in view stayed put
    assert panel.jump_button.isVisible()
    assert f"({len(fresh)} new)" in panel.jump_button.text()
    qtbot.mouseClick(panel.jump_button, Qt.MouseButton.LeftButton)
    assert panel.following
    assert bar.value() == 0
    assert not panel.jump_button.isVisible()
    newest = max(fresh, key=lambda r: r["eventTime"])
    assert panel.model.event_at(panel.view.rowAt(0)).time.strftime("%Y-%m-%d %H:%M:%S") == newest["eventTime"]
    # following: new events appear at the top by themselves
    env.produce(3, kinds=("verify",))
    run(env.poll())
    assert panel.view.rowAt(0) == 0
    assert bar.value() == 0


# -- 100,000 events ------------------------------------------------------------------------------------


class NoServer:
    async def call(self, section: str, /, **params: Any) -> Any:
        return []


def test_the_model_with_100000_events_filters_and_scrolls(qtbot, run, tmp_path) -> None:
    clock = lambda: datetime(2024, 5, 3)  # noqa: E731
    journal = Journal(tmp_path / "data", clock=clock, retention=Retention(days=30, max_rows=200_000))
    try:
        for start in range(0, 100_000, 20_000):
            journal.add(event(i) for i in range(start, start + 20_000))
        stream = EventStream(NoServer(), journal, clock=clock)
        panel = EventsPanel(journal, stream, Settings(tmp_path / "settings.toml"), clock=clock)
        panel.resize(1200, 800)
        panel.show()
        qtbot.waitExposed(panel)
        model, view = panel.model, panel.view
        assert model.rowCount() == 100_000
        assert model.event_at(0).key == "k000099999"
        view.scrollToBottom()
        QApplication.processEvents()
        last = view.rowAt(view.viewport().height() - 2)
        assert last == 99_999
        assert model.index(last, Column.TIME).data() == "2024-05-01 00:00:00"
        for row in range(0, 100_000, 7_919):  # jump around: every page read on demand
            view.scrollTo(model.index(row, 0))
            QApplication.processEvents()
            assert model.index(row, Column.EVENT).data() == guard_words(event(99_999 - row).name)
        assert len(model._pages) <= model.max_pages
        # filters: severity, then text, then a door: counts agree with the journal
        panel.filters.set_levels({Level.ALARM})
        assert model.rowCount() == 5_000
        assert {model.event_at(r).level for r in (0, 2_500, 4_999)} == {Level.ALARM}
        panel.filters.set_text("Person 40")
        run(panel.searched())
        flt = model.filter
        assert model.rowCount() == journal.count(flt) > 0
        panel.filters.clear()
        panel.filters.set_door("Door 3")
        assert model.rowCount() == journal.count(EventFilter(doors=frozenset({"Door 3"})))
        view.scrollToBottom()
        QApplication.processEvents()
        panel.filters.clear()
        # a big live batch on top of it all
        live = [event(i) for i in range(100_000, 101_000)]
        journal.add(live)
        model.add_events(live)
        assert model.rowCount() == 101_000
        assert model.event_at(0).key == "k000100999"
        assert model.event_at(1_000).key == "k000099999"
        run(panel.stop())
        panel.close()
        panel.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    finally:
        journal.close()


def test_the_model_alone_passes_the_model_tester(qtmodeltester, tmp_path) -> None:
    journal = Journal(tmp_path / "data", clock=lambda: datetime(2024, 5, 1, 1), retention=Retention(days=None))
    try:
        journal.add(event(i) for i in range(450))
        model = EventTableModel(journal, page_size=50, max_pages=3)
        qtmodeltester.check(model)
        newer = [event(i) for i in range(450, 480)]
        journal.add(newer)
        model.add_events(newer)
        qtmodeltester.check(model)
        assert [model.key_at(r) for r in range(3)] == ["k000000479", "k000000478", "k000000477"]
        assert model.key_at(30) == "k000000449"
        assert model.key_at(479) == "k000000000"
        # an old event (a back-fill) lands in its place
        old = event(10_000, time=datetime(2024, 5, 1, 0, 1, 40), key="late")
        journal.add([old])
        model.add_events([old])
        assert model.rowCount() == 481
        # newer rows first (events 101..479), then its second: the later arrival first
        assert model.row_of(old) == 379
        assert model.key_at(380) == "k000000100"
        qtmodeltester.check(model)
    finally:
        journal.close()


# -- details -----------------------------------------------------------------------------------------


def test_details_show_every_field_the_person_and_the_door_link(env, run, qtbot) -> None:
    run(env.poll())
    world = env.sim.world
    pin = next(iter(world.persons))
    person = world.persons[pin]
    person.name = "<b>Eve</b> <img src=x>"
    env.produce(1, kinds=("verify",), pin=pin, mode="card")
    run(env.poll())
    panel = env.panel
    panel.select_row(0)
    details = panel.details
    shown = details.current
    assert shown is not None
    assert shown.pin == pin
    assert details.fields["pin"].text() == pin
    assert details.fields["point"].text() == shown.point
    assert details.fields["device"].text() == shown.device_name
    run(until(lambda: details.person_status.text() == f"Pin {pin}"))
    run(quiet(panel))  # the photo lookup too: nothing may run outside the loop (below)
    assert details.person_fields["name"].text().startswith("<b>Eve</b> <img src=x>")
    assert details.person_fields["name"].textFormat() == Qt.TextFormat.PlainText
    with qtbot.waitSignal(panel.door_requested) as blocker:
        qtbot.mouseClick(details.door_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [shown.point]
    run(quiet(panel))


def test_a_live_face_capture_fetches_its_photo_from_the_stored_record(env, run) -> None:
    run(env.poll())
    env.produce(1, kinds=("verify",), mode="face")
    run(env.poll())
    env.panel.select_row(0)
    details = env.panel.details
    assert not details.current.has_photo  # the monitor's record has none
    run(quiet(env.panel))
    assert details.photo.shown
    assert details.photo.result.format == "png"


def test_a_name_with_markup_shows_literally(env, run) -> None:
    hostile = event(1, person="<b>Mallory</b><img src='http://x/y.png'>", name="<i>Forced</i> &amp; open",
                    point="<a href='x'>Lobby</a>", time=sim_clock(env.sim)().replace(microsecond=0))
    env.journal.add([hostile])
    env.panel.model.add_events([hostile])
    model = env.panel.model
    row = env.shown_keys().index(hostile.key)
    assert model.index(row, Column.PERSON).data() == "1 · <b>Mallory</b><img src='http://x/y.png'>"
    assert model.index(row, Column.EVENT).data() == "<i>Forced</i> &amp; open"
    tip = model.index(row, Column.PERSON).data(Qt.ItemDataRole.ToolTipRole)
    assert "&lt;b&gt;Mallory&lt;/b&gt;" in tip
    assert "<b>" not in tip
    env.panel.select_row(row)
    details = env.panel.details
    assert details.title.text() == "<i>Forced</i> &amp; open"
    assert details.title.textFormat() == Qt.TextFormat.PlainText
    assert details.fields["person"].text() == "<b>Mallory</b><img src='http://x/y.png'>"
    assert all(label.textFormat() == Qt.TextFormat.PlainText for label in details.fields.values())
    assert details.door_button.text() == "Show this door on the board"
    door_tip = details.door_button.toolTip()  # the door's name, literally: escaped, never a link
    assert "“&lt;a href=&#x27;x&#x27;&gt;Lobby&lt;/a&gt;”" in door_tip
    assert "<a " not in door_tip
    run(quiet(env.panel))


@pytest.mark.parametrize(
    ("photo", "reason"),
    [
        (base64.b64encode(b"%PDF-1.7\n" + b"x" * 200).decode(), "not a JPEG or PNG image"),
        (base64.b64encode(b"GIF89a" + b"\0" * 64).decode(), "not a JPEG or PNG image"),
        ("this is not base64 at all!", "not valid base64"),
        (base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 700_000).decode(), "more than 512 KiB"),
        ("A" * 5_000_000, "more than 512 KiB"),
    ],
)
def test_a_photo_too_large_or_not_an_image_is_refused_with_a_reason(qtbot, photo: str, reason: str) -> None:
    result = decode_photo(photo)
    assert result.image is None
    assert reason in result.reason
    pane = DetailsPane(None)
    qtbot.addWidget(pane)
    pane.show_event(event(3, photo_base64=photo, has_photo=True))
    assert not pane.photo.shown
    assert pane.photo.image.pixmap().isNull()
    assert reason in pane.photo.reason.text()


def test_a_png_claiming_a_huge_size_is_refused_from_its_header() -> None:
    small = base64.b64decode(png_base64(4, 4))
    # a 4x4 PNG whose header claims 20000 x 20000 pixels (1.6 GB to decode)
    ihdr = (20000).to_bytes(4, "big") * 2 + small[24:29]
    huge = small[:16] + ihdr + zlib.crc32(b"IHDR" + ihdr).to_bytes(4, "big") + small[33:]
    result = decode_photo(base64.b64encode(huge).decode())
    assert result.image is None
    assert "20000×20000 pixels" in result.reason
    good = decode_photo(png_base64(32, 24))
    assert good.image is not None
    assert (good.image.width(), good.image.height(), good.format) == (32, 24, "png")
    assert decode_photo("data:image/png;base64," + png_base64()).ok


# -- export, chart, nuisance doors ---------------------------------------------------------------------


def test_csv_export_of_the_filtered_view_holds_exactly_its_rows(env, run, tmp_path) -> None:
    run(env.poll())
    env.produce(50)
    run(env.poll())
    env.panel.filters.source.setCurrentIndex(env.panel.filters.source.findData("access"))
    env.panel.filters.level_buttons[Level.NORMAL].setChecked(False)
    shown = set(env.shown_keys())
    assert 0 < len(shown) < env.journal.count()
    target = tmp_path / "out" / "shift.csv"
    target.parent.mkdir()

    async def export() -> int | None:
        task = aio.spawn(env.panel.export_csv(), name="export")
        dialog = await until(lambda: env.panel.findChild(QFileDialog, "exportDialog"))
        await until(dialog.isVisible)
        # what the operator types (selectFile() leaves a focused name field alone)
        dialog.findChild(QLineEdit, "fileNameEdit").setText(str(target))
        dialog.accept()
        return await task

    assert run(export()) == len(shown)
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert {r["key"] for r in rows} == shown
    assert len(rows) == len(shown)
    assert {r["source"] for r in rows} == {"access"}
    assert "normal" not in {r["severity"] for r in rows}
    assert f"Exported {len(shown)} events to {target}" in env.panel.banner.text


def test_export_cancelled_writes_nothing(env, run, tmp_path) -> None:
    async def cancel() -> int | None:
        task = aio.spawn(env.panel.export_csv(), name="export")
        dialog = await until(lambda: env.panel.findChild(QFileDialog, "exportDialog"))
        await until(dialog.isVisible)
        dialog.reject()
        return await task

    assert run(cancel()) is None
    assert env.panel.exported == []


def test_chart_counts_per_minute_and_the_nuisance_doors(env, run) -> None:
    run(env.poll())
    world = env.sim.world
    sensor_doors = [d for d in world.doors.values() if d.has_sensor and world.door_connect(d) == 1]
    chronic, other = sensor_doors[0], sensor_doors[1]
    env.produce(6, kinds=("forced_open",), door_id=chronic.id)
    env.produce(2, kinds=("forced_open",), door_id=other.id)
    env.produce(10, kinds=("verify", "unknown_card"))
    run(env.poll())
    run(env.panel.refresh_stats())
    doors = env.panel.nuisance.doors
    assert doors[0].door == chronic.name
    assert doors[0].alarms == 6
    assert doors[1].alarms == 2
    totals = env.panel.chart.totals()
    levels = [env.panel.model.event_at(r).level for r in range(env.panel.model.rowCount())]
    assert totals == {level: levels.count(level) for level in Level}
    # live events move the chart without re-reading the journal
    env.produce(3, kinds=("duress",))
    run(env.poll())
    assert env.panel.chart.totals()[Level.ALARM] == totals[Level.ALARM] + 3
    # activating a nuisance door filters the table on it
    env.panel.nuisance.show_doors(doors)
    item = env.panel.nuisance.tree.topLevelItem(0)
    env.panel.nuisance.tree.itemActivated.emit(item, 0)
    assert env.panel.model.filter.doors == frozenset({chronic.name})


# -- themes --------------------------------------------------------------------------------------------


def test_the_panel_renders_in_light_and_dark(env, run, qapp, monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(theme, "_active", theme.current())
    old_sheet, old_palette, old_prop = qapp.styleSheet(), qapp.palette(), qapp.property("consoleTheme")
    run(env.poll())
    env.produce(1, kinds=("forced_open",))
    env.produce(4, kinds=("verify",))
    run(env.poll())
    try:
        for name in ("light", "dark"):
            palette = theme.apply_theme(qapp, name)
            QApplication.processEvents()
            plot, surface = env.panel.chart.plot, QColor(palette.surface)
            run(until(lambda p=plot, c=surface: p.backgroundBrush().color() == c))  # the chart follows the theme
            model = env.panel.model
            row = next(r for r in range(model.rowCount()) if model.event_at(r).level is Level.ALARM)
            rect = env.panel.view.visualRect(model.index(row, Column.EVENT))
            image = env.panel.view.viewport().grab().toImage()
            assert QColor(image.pixel(rect.right() - 3, rect.center().y())) == QColor(palette.alarm_bg)
            shot = env.panel.grab()
            assert not shot.isNull()
            assert shot.save(str(tmp_path / f"events-{name}.png"))
    finally:
        qapp.setStyleSheet(old_sheet)
        qapp.setPalette(old_palette)
        qapp.setProperty("consoleTheme", old_prop)




# -- at real screen sizes --------------------------------------------------------------------------


def test_the_panel_fits_the_left_column_and_its_bars_wrap(env, qapp) -> None:
    panel, bar = env.panel, env.panel.filters
    filters = [bar.search, *bar.level_buttons.values(), bar.clear_button, bar.source, bar.area, bar.device,
               bar.door, bar.range]
    status = [panel.sources_label, panel.count_label, panel.export_button, panel.details_button]
    with themed(qapp):
        assert panel.minimumSizeHint().width() <= LEFT_COLUMN
        lay_out(panel, 850, 760)  # the left column of a 1280x800 screen
        assert_fit(panel, [bar, panel.status_bar, panel.split])
        narrow = assert_fit(bar, filters)
        assert_fit(panel.status_bar, status)
        assert rows(narrow) == 2  # words and severity; then where and when
        assert bar.door.width() >= bar.door.fontMetrics().horizontalAdvance("All doors / points")
        lay_out(panel, 560, 760)  # squeezed further (a floating window): still nothing cut or overlapping
        assert rows(assert_fit(bar, filters)) > 2
        assert_fit(panel.status_bar, status)
        lay_out(panel, 1500, 900)
        assert rows(assert_fit(bar, filters)) == 2


def test_the_details_fold_away_and_come_back_and_it_is_remembered(env, run) -> None:
    panel = env.panel
    lay_out(panel, 1200, 800)
    table = panel.view.width()
    assert panel.details_visible
    assert panel.details_button.text() == "Hide details ▸"
    panel.details_button.click()
    lay_out(panel, 1200, 800)
    assert not panel.details_visible
    assert panel.split.sizes()[1] == 0
    assert panel.view.width() > table + 200  # the table got the room
    assert panel.details_button.text() == "◂ Show details"
    run(panel.stop())
    assert panel.settings.panel(EventsOptions).details_hidden is True
    again = EventsPanel(env.journal, env.stream, panel.settings, client=env.session.client)
    try:
        lay_out(again, 1200, 800)
        assert not again.details_visible
        again.details_button.click()
        lay_out(again, 1200, 800)
        assert again.details_visible
        assert again.details.width() >= 260
    finally:
        again.deleteLater()
    panel.details_button.click()
    lay_out(panel, 1200, 800)
    assert panel.details.width() >= 260  # back at a useful width, not a sliver


def test_the_details_show_no_empty_captions_and_never_scroll_sideways(env, run) -> None:
    run(env.poll())
    env.produce(10)
    run(env.poll())
    details = env.panel.details
    assert not details.event_box.isVisibleTo(details)  # "No event selected": no column of blank fields
    env.panel.select_row(0)
    lay_out(env.panel, 850, 760)
    assert details.event_box.isVisibleTo(details)
    scroll = details.findChild(QScrollArea)
    assert scroll.horizontalScrollBar().maximum() == 0
    body = scroll.widget()
    assert body.width() <= scroll.viewport().width()
    run(quiet(env.panel))
