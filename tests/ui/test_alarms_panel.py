"""The alarm queue panel: sound, badge count, notification, acknowledgement with a note, snooze, re-alert.

The queue is the real :class:`AlarmQueue` over a real journal and audit log; time is an injected clock that
only moves when the test says so, and the panel's own one-second tick is replaced by calling ``tick()``.
"""

from __future__ import annotations

import itertools
import logging
import struct
import wave
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics
from PySide6.QtWidgets import QMessageBox, QWidget

from console import resources
from console.services.audit import AuditLog
from console.services.events import ACK_ACTION, AlarmQueue, Event, Journal, Level, Retention, Source
from console.services.options import AlarmsOptions
from console.services.settings import Settings
from console.ui import aio, theme
from console.ui.alarms import AlarmSound, AlarmsPanel
from console.ui.alarms.dialogs import AcknowledgeDialog
from console.ui.alarms.model import SHOWN_IN_A_COLUMN, AlarmColumn, short_time
from console.ui.alarms.notify import DesktopNotifier
from console.ui.alarms.sound import tone_samples, write_tone
from tests.helpers import until
from tests.ui.fit import ALARMS_COLUMN, assert_fit, lay_out, rows, themed


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2024, 5, 1, 2, 14, 0)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


class FakePlayer:
    """Stands in for QSoundEffect."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.plays = 0
        self.volume: float | None = None
        self.loops: int | None = None
        self.stops = 0

    def play(self) -> None:
        self.plays += 1

    def stop(self) -> None:
        self.stops += 1

    def setVolume(self, value: float) -> None:
        self.volume = value

    def setLoopCount(self, value: int) -> None:
        self.loops = value


class FakeTray:
    def __init__(self) -> None:
        self.messages: list[tuple[str, str]] = []

    def showMessage(self, title: str, text: str, *args: Any) -> None:
        self.messages.append((title, text))


@dataclass
class Env:
    clock: Clock
    journal: Journal
    audit: AuditLog
    queue: AlarmQueue
    panel: AlarmsPanel
    players: list[FakePlayer]
    tray: FakeTray
    settings: Settings
    counts: list[int]

    @property
    def player(self) -> FakePlayer:
        assert len(self.players) == 1
        return self.players[0]

    def alarm(self, i: int, *, level: Level = Level.ALARM, **kw: Any) -> Event:
        fields: dict[str, Any] = {
            "key": f"alarm-{i}",
            "source": Source.ACCESS,
            "time": self.clock() - timedelta(seconds=60 - i),
            "name": "Door Opened Accidentally",
            "level": level,
            "point": f"Door {i}",
            "device_name": "10.8.14.14",
        }
        fields.update(kw)
        return Event(**fields)

    def arrive(self, *events: Event) -> None:
        """As the stream does: store, then offer to the queue."""
        self.queue.offer(self.journal.add(events))


@pytest.fixture
def make_env(qtbot, qloop, tmp_path) -> Iterator[Any]:
    made: list[Env] = []

    def build(settings: Settings | dict[str, Any] | None = None, *, player_factory: Any = None) -> Env:
        clock = Clock()
        journal = Journal(tmp_path / f"data{len(made)}", clock=clock, retention=Retention(days=None))
        audit = AuditLog.in_dir(tmp_path / f"data{len(made)}", operator="ann", profile="HQ")
        queue = AlarmQueue(journal, audit, clock=clock, realert_after=timedelta(minutes=5), operator="ann")
        players: list[FakePlayer] = []

        def factory(path: Path) -> FakePlayer:
            players.append(FakePlayer(path))
            return players[-1]

        tray = FakeTray()
        if isinstance(settings, Settings):
            options = settings
        else:  # the [panels] tables of a settings file, e.g. {"alarms": {"muted": True}}
            options = Settings(tmp_path / f"settings{len(made)}.toml", {"panels": settings or {}})
        panel = AlarmsPanel(
            queue, options, sound=AlarmSound(player_factory=player_factory or factory),
            notifier=DesktopNotifier(tray_factory=lambda: tray), clock=clock, tick_ms=3_600_000, flash_ms=15,
        )
        counts: list[int] = []
        panel.count_changed.connect(counts.append)
        panel.resize(1000, 400)
        panel.show()
        qtbot.waitExposed(panel)
        # another application's window is in front (the guard is looking at the cameras)
        front = QWidget()
        qtbot.addWidget(front)
        front.show()
        front.activateWindow()
        qtbot.waitUntil(lambda: not panel.isActiveWindow())
        made.append(Env(clock, journal, audit, queue, panel, players, tray, options, counts))
        return made[-1]

    yield build
    for e in made:
        e.panel.close()
        e.panel.deleteLater()
        e.journal.close()
        e.audit.close()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture
def env(make_env) -> Env:
    return make_env()


def test_an_alarm_rings_raises_the_badge_and_notifies(env, qtbot, qtmodeltester) -> None:
    assert env.panel.count == 0
    assert env.players == []  # nothing made before it is needed
    env.arrive(env.alarm(1), env.alarm(2), env.alarm(3, level=Level.NORMAL, name="Normal Verify Open"))
    assert env.player.plays == 1
    assert env.player.path.name == "priority-2.wav"  # forced doors: the urgent priority's own sound
    assert env.counts == [2]
    assert env.panel.count == 2
    assert env.panel.model.rowCount() == 2
    assert env.panel.headline.text() == "⚠ 2 alarms to acknowledge · 2 urgent"  # forced doors
    assert env.tray.messages  # the panel's window is not the active one
    title, text = env.tray.messages[0]
    assert title == "Alarm (+1 more)"
    assert "Forced open at Door 1" in text  # the guard's words, not the vendor's
    qtmodeltester.check(env.panel.model)
    # with the console in front, the sound and the badge are enough
    env.panel.activateWindow()
    qtbot.waitUntil(env.panel.isActiveWindow)
    env.arrive(env.alarm(4))
    assert len(env.tray.messages) == 1
    assert env.player.plays == 2


def test_normal_and_warning_events_stay_silent(env) -> None:
    env.arrive(env.alarm(1, level=Level.NORMAL), env.alarm(2, level=Level.WARNING))
    assert env.players == [] or env.player.plays == 0
    assert env.counts == []
    assert env.panel.count == 0
    assert env.panel.headline.text() == "✓ No alarm waiting"


def test_acknowledging_several_with_one_note_clears_them_and_writes_the_audit(env, run) -> None:
    held = "Door Open Timeout"  # medium priority: acknowledged together, a note optional (forced doors: one by one)
    env.arrive(env.alarm(1, name=held), env.alarm(2, name=held), env.alarm(3, name=held))
    env.panel.select_keys(["alarm-1", "alarm-3"])
    assert env.panel.ack_button.text() == "Acknowledge 2 alarms…"

    async def acknowledge() -> list[Any]:
        task = aio.spawn(env.panel.acknowledge_selected(), name="ack")
        dialog = await until(lambda: env.panel.findChild(AcknowledgeDialog))
        await until(dialog.isVisible)
        assert "Door 1" in dialog.listing.text()
        assert "Door 3" in dialog.listing.text()
        dialog.note_edit.setPlainText("  Checked on camera: <b>cleaners</b> propped it open  ")
        dialog.accept()
        return await task

    entries = run(acknowledge())
    assert [e.target for e in entries] == ["event alarm-1", "event alarm-3"]
    assert env.panel.count == 1
    assert env.counts == [3, 1]
    assert [env.panel.model.alarm_at(r).key for r in range(env.panel.model.rowCount())] == ["alarm-2"]
    rows = env.audit.rows(action=ACK_ACTION)
    assert [r.target for r in rows] == ["event alarm-1", "event alarm-3"]
    assert {r.params["note"] for r in rows} == {"Checked on camera: <b>cleaners</b> propped it open"}
    assert {r.operator for r in rows} == {"ann"}
    assert {r.profile for r in rows} == {"HQ"}
    stored = env.journal.get("alarm-1")
    assert stored is not None
    assert stored.ack is not None
    assert stored.ack.note == "Checked on camera: <b>cleaners</b> propped it open"
    # the last one, without a note, through the same path
    env.panel.select_keys(["alarm-2"])
    run(env.panel.acknowledge_selected(note=""))
    assert env.panel.count == 0
    assert env.counts[-1] == 0
    assert env.panel.headline.text() == "✓ No alarm waiting"
    assert len(env.audit.rows(action=ACK_ACTION)) == 3


def test_cancelling_the_dialog_acknowledges_nothing(env, run) -> None:
    env.arrive(env.alarm(1))
    env.panel.select_keys(["alarm-1"])

    async def cancel() -> list[Any]:
        task = aio.spawn(env.panel.acknowledge_selected(), name="ack")
        dialog = await until(lambda: env.panel.findChild(AcknowledgeDialog))
        await until(dialog.isVisible)
        dialog.reject()
        return await task

    assert run(cancel()) == []
    assert env.panel.count == 1
    assert env.audit.rows() == []


def test_an_alarm_left_unacknowledged_is_raised_again(env) -> None:
    env.arrive(env.alarm(1))
    assert env.player.plays == 1
    env.clock.advance(minutes=4, seconds=59)
    env.panel.tick()
    assert env.player.plays == 1
    env.clock.advance(seconds=1)
    env.panel.tick()
    assert env.player.plays == 2
    assert env.tray.messages[-1][0] == "Alarm still waiting"
    assert env.panel.model.index(0, AlarmColumn.ALERTS).data() == "2 times"
    assert env.panel.model.index(0, AlarmColumn.WAITING).data() == "5 min"  # since the event, 5:59 ago


def test_a_snoozed_alarm_leaves_and_comes_back_by_itself(env) -> None:
    env.arrive(env.alarm(1), env.alarm(2))
    env.panel.select_keys(["alarm-2"])
    env.panel.snooze_minutes.setValue(3)
    env.panel.snooze_selected()
    assert env.panel.count == 1
    assert env.panel.snoozed_label.text() == "1 snoozed"
    assert [r.params["minutes"] for r in env.audit.rows()] == [3]
    env.clock.advance(minutes=3)
    env.panel.tick()
    assert env.panel.count == 2
    assert env.panel.snoozed_label.text() == ""
    assert env.player.plays == 2  # it rang again when it came back
    assert env.settings.panel(AlarmsOptions).snooze_minutes == 3


def test_the_selection_survives_alarms_arriving(env) -> None:
    env.arrive(env.alarm(5), env.alarm(7))
    env.panel.select_keys(["alarm-7"])
    env.arrive(env.alarm(6), env.alarm(1))
    assert env.panel.selected_keys() == ["alarm-7"]
    keys = [env.panel.model.alarm_at(r).key for r in range(env.panel.model.rowCount())]
    assert keys == ["alarm-1", "alarm-5", "alarm-6", "alarm-7"]  # oldest first


def test_mute_and_volume_are_applied_and_remembered(env) -> None:
    env.panel.volume.setValue(30)
    env.panel.set_muted(True)
    env.arrive(env.alarm(1))
    assert env.counts == [1]
    assert env.players == []  # muted: nothing rang
    assert env.panel.mute_button.text() == "Sound muted until 07:00"  # the button mutes until the shift's end
    kept = env.settings.panel(AlarmsOptions)
    assert (kept.volume, kept.muted_until) == (30, "2024-05-01T07:00:00")
    env.panel.set_muted(False)
    env.arrive(env.alarm(2))
    assert env.player.plays == 1
    assert env.player.volume == pytest.approx(0.3)
    assert env.player.loops == 2


def test_settings_give_the_initial_sound(make_env) -> None:
    env = make_env({"alarms": {"muted_until": "2024-05-01T07:00:00", "volume": 15}})
    assert env.panel.sound.muted  # started again during the mute: muted until its end, and says so
    assert env.panel.mute_button.isChecked()
    assert env.panel.mute_button.text() == "Sound muted until 07:00"
    assert env.panel.volume.value() == 15


def test_a_mute_without_an_end_or_past_its_end_is_not_carried_into_a_new_start(make_env) -> None:
    endless = make_env({"alarms": {"muted": True}})  # written by older versions: no end
    assert not endless.panel.sound.muted
    ended = make_env({"alarms": {"muted_until": "2024-05-01T01:00:00"}})  # the clock says 02:14
    assert not ended.panel.sound.muted
    assert ended.settings.panel(AlarmsOptions).muted_until == ""  # forgotten
    assert ended.panel.mute_button.text() == "Sound on"


def test_the_mute_menu_mutes_for_a_while_and_the_sound_comes_back_by_itself(env) -> None:
    said: list[str] = []
    env.panel.mute_changed.connect(said.append)
    control = env.panel.mute_control
    assert [a.text() for a in control.menu.actions() if a.text()][:3] == [
        "Mute for 15 minutes", "Mute for 1 hour", "Mute until the end of the shift (07:00)"]
    control.for_15.trigger()
    assert said[-1] == "Sound muted until 02:29"
    env.arrive(env.alarm(1))
    assert env.players == []  # muted: nothing rang
    env.clock.advance(minutes=15)
    control.check()  # once a second on its own timer
    assert said[-1] == ""
    assert not env.panel.sound.muted
    assert env.panel.mute_button.text() == "Sound on"
    assert env.settings.panel(AlarmsOptions).muted_until == ""
    env.arrive(env.alarm(2))
    assert env.player.plays == 1
    assert control.mute_until("06:30")
    assert said[-1] == "Sound muted until 06:30"
    assert not control.mute_until("6h30")  # not a time: nothing changes
    assert said[-1] == "Sound muted until 06:30"
    control.sound_on.trigger()
    assert not env.panel.sound.muted


def test_without_audio_the_panel_stays_silent_and_says_so_once(make_env, caplog) -> None:
    def broken(path: Path) -> Any:
        raise ImportError("libpulse.so.0: cannot open shared object file")

    env = make_env(player_factory=broken)
    with caplog.at_level(logging.WARNING, logger="console.ui.alarms.sound"):
        env.arrive(env.alarm(1))
        env.arrive(env.alarm(2))
        env.clock.advance(minutes=6)
        env.panel.tick()
    assert env.panel.count == 2
    assert not env.panel.sound.available
    warnings = [r for r in caplog.records if "alarm sound is not available" in r.getMessage()]
    assert len(warnings) == 1


def test_a_failing_audit_log_keeps_the_alarm_and_says_why(env, run) -> None:
    env.arrive(env.alarm(1))
    env.panel.select_keys(["alarm-1"])
    env.audit.close()  # the audit log can no longer be written

    async def acknowledge() -> list[Any]:
        task = aio.spawn(env.panel.acknowledge_selected(note="checked"), name="ack")
        box = await until(lambda: next((w for w in env.panel.findChildren(QMessageBox) if w.isVisible()), None))
        text = box.text()
        box.accept()
        result = await task
        assert "could not be written to the audit log" in text
        return result

    assert run(acknowledge()) == []
    assert env.panel.count == 1
    stored = env.journal.get("alarm-1")
    assert stored is not None
    assert stored.ack is None


def test_alarms_left_from_last_time_come_back(make_env) -> None:
    env = make_env()
    env.journal.add([env.alarm(1)])  # stored by a previous run, never acknowledged
    env.queue.load()
    assert env.panel.count == 1
    assert env.player.plays == 1


def test_markup_in_an_alarm_shows_literally(env) -> None:
    env.arrive(env.alarm(1, person="<b>Mallory</b>", pin="7", point="<i>Lobby</i>"))
    model = env.panel.model
    assert model.index(0, AlarmColumn.PERSON).data() == "7 · <b>Mallory</b>"
    assert model.index(0, AlarmColumn.POINT).data() == "<i>Lobby</i>"
    assert "&lt;i&gt;Lobby" in model.index(0, AlarmColumn.POINT).data(Qt.ItemDataRole.ToolTipRole)


def test_no_notification_while_the_console_is_the_active_window() -> None:
    tray = FakeTray()
    notifier = DesktopNotifier(tray_factory=lambda: tray)

    class Window:
        def __init__(self, active: bool) -> None:
            self.active = active

        def isActiveWindow(self) -> bool:
            return self.active

    assert not notifier.notify("Alarm", "Door 1", Window(True))  # type: ignore[arg-type]
    assert notifier.notify("Alarm", "Door <b>1</b> & co", Window(False))  # type: ignore[arg-type]
    assert tray.messages == [("Alarm", "Door ‹b›1‹/b› + co")]  # never markup, whatever the daemon reads

    def no_tray() -> Any:
        raise RuntimeError("the desktop has no system tray")

    quiet = DesktopNotifier(tray_factory=no_tray)
    assert not quiet.notify("Alarm", "Door 1", None)
    assert not quiet.notify("Alarm", "Door 2", None)


def test_the_bundled_chime_is_short_soft_and_low(tmp_path) -> None:
    path = resources.path("sounds", "alarm.wav")
    with wave.open(str(path), "rb") as wav:
        assert (wav.getnchannels(), wav.getsampwidth()) == (1, 2)
        rate, frames = wav.getframerate(), wav.getnframes()
        raw = wav.readframes(frames)
    samples = [s / 32768 for (s,) in struct.iter_unpack("<h", raw)]
    assert 0.5 <= frames / rate <= 2.0
    assert max(abs(s) for s in samples) <= 0.6  # not at full scale
    crossings = sum(1 for a, b in itertools.pairwise(samples) if a < 0 <= b)
    assert crossings / (frames / rate) < 1000  # a fundamental well under 1 kHz: no shrill whistle
    assert samples[0] == 0.0
    assert max(abs(s) for s in samples[:20]) < 0.03  # a soft attack: no click
    # the file is what write_tone makes (it can be regenerated)
    again = write_tone(tmp_path / "alarm.wav")
    assert again.read_bytes() == path.read_bytes()
    assert len(tone_samples()) == frames


# -- the column beside the board -------------------------------------------------------------------


def test_the_panel_fits_its_column_beside_the_board(env, qapp) -> None:
    env.arrive(env.alarm(1, name="Door Opened Accidentally by a very long event name from the server" * 2,
                        point="North wing, second floor, emergency exit by the loading bay"))
    with themed(qapp):
        assert env.panel.minimumSizeHint().width() <= ALARMS_COLUMN
        lay_out(env.panel, ALARMS_COLUMN, 600)
        panel = env.panel
        controls = [panel.ack_button, panel.snooze_button, panel.snooze_minutes, panel.select_all,
                    panel.snoozed_label, panel.mute_button, panel.volume]
        rects = assert_fit(panel, [panel.headline, *controls, panel.stack])
        assert rows(rects[1:-1]) == 2  # Acknowledge and snooze; then selection and sound
        # the columns a guard reads, whole in the width: no sideways scrolling
        assert env.panel.visible_columns() == list(SHOWN_IN_A_COLUMN)
        assert panel.view.horizontalScrollBar().maximum() == 0
        assert panel.view.columnWidth(AlarmColumn.EVENT) >= 100
        bold = QFont(panel.view.horizontalHeader().font())
        bold.setBold(True)  # the header's captions are bold in both themes: each one whole in its column
        for column in SHOWN_IN_A_COLUMN:
            caption = str(panel.model.headerData(column, Qt.Orientation.Horizontal))
            assert QFontMetrics(bold).horizontalAdvance(caption) + 12 <= panel.view.columnWidth(column), caption


def test_a_column_list_saved_under_an_old_header_keeps_its_columns() -> None:
    from console.ui.alarms.panel import _columns

    assert _columns(["Severity", "Event", "Door / point"]) == [AlarmColumn.PRIORITY, AlarmColumn.EVENT,
                                                                AlarmColumn.POINT]


def test_every_cell_tells_the_whole_alarm_in_its_tooltip(env) -> None:
    env.arrive(env.alarm(1, pin="7", person="Mallory", device_name="Controller 4"))
    model = env.panel.model
    tip = model.index(0, AlarmColumn.TIME).data(Qt.ItemDataRole.ToolTipRole)
    for words in ("Urgent priority (forced door): Forced open", "State: New", "Time: 2024-05-01 02:13:01",
                  "Door / point: Door 1", "Person: 7 · Mallory", "Device: Controller 4", "Waiting: 59 s"):
        assert words in tip
    assert model.index(0, AlarmColumn.TIME).data() == "02:13:01"  # today: the time of day is enough


def test_times_before_today_carry_their_date() -> None:
    now = datetime(2024, 5, 1, 2, 14)
    assert short_time(datetime(2024, 5, 1, 0, 5, 9), now) == "00:05:09"
    assert short_time(datetime(2024, 4, 30, 23, 58, 1), now) == "04-30 23:58"
    assert short_time(datetime(2023, 12, 31, 23, 58, 1), now) == "2023-12-31"


def test_the_columns_chosen_are_remembered(make_env) -> None:
    first = make_env()
    first.panel._choose_columns([AlarmColumn.PRIORITY, AlarmColumn.EVENT, AlarmColumn.WAITING])
    assert first.settings.panel(AlarmsOptions).columns == ["Priority", "Event", "Waiting"]
    again = make_env(first.settings)
    assert again.panel.visible_columns() == [AlarmColumn.PRIORITY, AlarmColumn.EVENT, AlarmColumn.WAITING]
    broken = make_env({"alarms": {"columns": "not a list"}})
    assert broken.panel.visible_columns() == list(SHOWN_IN_A_COLUMN)


def test_the_headline_flashes_when_an_alarm_comes_then_stays_lit(env, qtbot) -> None:
    seen: list[tuple[str, bool]] = []
    env.panel._flash.timeout.connect(lambda: seen.append((env.panel.headline.text(),
                                                          bool(env.panel.headline.property("dim")))))
    env.arrive(env.alarm(1))
    assert env.panel.flashing
    qtbot.waitUntil(lambda: not env.panel.flashing, timeout=5000)
    assert {dim for _, dim in seen} == {True, False}  # it did flash
    assert {text for text, _ in seen} == {"⚠ 1 alarm to acknowledge · 1 urgent"}  # and the words never went away
    assert not env.panel.headline.property("dim")  # it ends lit
    assert f"background: {theme.current().alarm};" in env.panel.headline.styleSheet()
    env.panel.select_keys(["alarm-1"])
    env.panel.snooze_selected(5)
    env.panel.flash_headline()  # nothing waiting (snoozed): nothing to flash
    assert not env.panel.flashing


@pytest.mark.parametrize("name", theme.THEMES)
def test_acknowledge_is_the_filled_primary_button_and_reads_well(env, monkeypatch, name: str) -> None:
    monkeypatch.setattr(theme, "_active", theme.PALETTES[name])
    env.panel.apply_theme()
    css = env.panel.ack_button.styleSheet()
    first = css.split("}")[0]
    background = first.split("background: ")[1].split(";")[0]
    words = first.split(" color: ")[1].split(";")[0]
    palette = theme.PALETTES[name]
    assert background.lower() in (palette.accent.lower(), palette.selection.lower())
    assert f"border: 2px solid {palette.accent}" in first  # framed like nothing else
    assert _contrast(background, palette.button) > 1.3  # unlike the other buttons
    assert _contrast(words, background) >= 4.5
    assert env.panel.ack_button.property("role") == "primary"


def _contrast(fg: str, bg: str) -> float:
    def lum(hex_color: str) -> float:
        c = QColor(hex_color)
        parts = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in (c.redF(), c.greenF(), c.blueF())]
        return 0.2126 * parts[0] + 0.7152 * parts[1] + 0.0722 * parts[2]

    hi, lo = sorted((lum(fg), lum(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("name", theme.THEMES)
def test_while_alarms_are_not_received_the_panel_says_since_when_never_a_green_all_quiet(
    env, monkeypatch, name: str
) -> None:
    monkeypatch.setattr(theme, "_active", theme.PALETTES[name])
    palette = theme.PALETTES[name]
    panel = env.panel
    assert panel.headline.text() == "✓ No alarm waiting"
    assert panel.receiving
    since = datetime.now().replace(hour=10, minute=52, second=0, microsecond=0)
    panel.set_feed(False, since, "HTTP 503 <b>Service Unavailable</b>")
    assert not panel.receiving
    words = "Not receiving alarms since 10:52: HTTP 503 <b>Service Unavailable</b>"
    assert panel.headline.text() == f"⚠ {words}"  # in words (and literally: plain text)
    assert panel.headline.textFormat() == Qt.TextFormat.PlainText
    assert panel.headline.property("level") == "warn"
    css = panel.headline.styleSheet()
    assert palette.warn_bg in css
    assert palette.warn_text in css
    assert palette.ok_bg not in css  # never the green of "all quiet"
    assert palette.ok_text not in css
    assert panel.empty.text().startswith(f"{words}.\n")
    assert panel.empty.textFormat() == Qt.TextFormat.PlainText
    assert panel.stack.currentWidget() is panel.empty
    # an alarm (back-filled, say) while the feed is still down: the count first, the outage still said
    env.arrive(env.alarm(1))
    assert panel.headline.text().splitlines() == ["⚠ 1 alarm to acknowledge · 1 urgent", f"✗ {words}"]
    assert panel.headline.property("level") == "alarm"
    # the feed is back: the count alone
    panel.set_feed(True)
    assert panel.receiving
    assert panel.headline.text() == "⚠ 1 alarm to acknowledge · 1 urgent"
    panel.queue.acknowledge(["alarm-1"], "Checked")
    assert panel.headline.text() == "✓ No alarm waiting"
    assert panel.headline.property("level") == "ok"
    assert panel.empty.text().startswith("No alarm is waiting.")
    # no reason, no time known; a day before today carries its date
    panel.set_feed(False)
    assert panel.headline.text() == "⚠ Not receiving alarms: the server does not answer"
    panel.set_feed(False, since - timedelta(days=1))
    assert panel.headline.text() == (f"⚠ Not receiving alarms since {since - timedelta(days=1):%Y-%m-%d} 10:52: "
                                     "the server does not answer")
