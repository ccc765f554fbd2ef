"""A console that never misstates its state (issue 13): stale tiles say what was last seen and when, a
command's note never hides staleness nor outlives the state it produced, and the guard's own remote openings
are in the door's recent events with the operator's name. Against the simulator over HTTP on 127.0.0.1."""

from __future__ import annotations

from console.services.doors import Kind
from console.services.session import Health
from console.ui.doors.model import Role
from console.ui.doors.style import describe, full_text
from tests.helpers import until
from tests.ui import test_doors_panel as _doors
from tests.ui.test_doors_panel import door_states, settled, tiles

make_env, simthread = _doors.make_env, _doors.simthread  # the door panel tests' fixtures


def test_stale_tiles_say_what_was_last_seen_and_recover_with_fresh_data(make_env, run) -> None:
    env = make_env(interval=0.2)
    panel = env.panel

    async def scenario() -> None:
        try:
            await env.services.start_doors()
            await panel.start()
            await until(lambda: panel.board.polls >= 2 and env.session.health is Health.ONLINE)
            door = next(i for i in tiles(panel) if i.is_door and i.connect.code == "1")
            assert describe(door)[0].startswith("Online · ")
            env.sim.call(lambda s: s.set_faults(down_seconds=600))
            await until(lambda: panel.summary.stale == len(panel.board) and env.session.health is Health.OFFLINE)
            stale = panel.board.item(door.key)
            assert stale is not None
            assert stale.updated_at is not None
            first, second = describe(stale)
            assert first.startswith("Last seen ")
            assert first.endswith(f" at {stale.updated_at:%H:%M}")
            assert "Online" not in first + second
            assert second.startswith("Then: ")
            assert "Last seen" in full_text(stale)
            env.sim.call(lambda s: s.set_faults(reset=True))
            await until(lambda: panel.summary.stale == 0 and env.session.health is Health.ONLINE, timeout=15)
            assert not any(i.stale for i in tiles(panel))
            assert all(not describe(i)[0].startswith("Last seen") for i in tiles(panel))
        finally:
            await panel.stop()
            await env.services.stop()

    run(scenario())


def test_an_opened_note_lasts_while_the_relay_is_open_and_the_opening_names_the_operator(make_env, run) -> None:
    env = make_env(interval=0.2)
    panel = env.panel

    async def scenario() -> None:
        try:
            await env.services.start_doors()
            await panel.start()
            await until(lambda: panel.board.polls >= 1)
            doors = door_states(env)
            door_id = next(i for i, (_, st) in doors.items() if st["connect"] == "1" and st["relay"] == "off")
            key = (Kind.DOOR, door_id)
            panel.select(key)
            await settled(panel)
            result = await panel.open_selected_door(2)
            assert result is not None
            assert result.ok
            assert result.seen
            assert panel.index_of(key).data(Role.NOTE) == ("opened 2 s", True)
            item = panel.board.item(key)
            assert item is not None
            # the relay closes after 2 s: the note goes with it (never "opened 2 s" on a closed relay)
            await until(lambda: panel.board.item(key).relay.words != "relay open", timeout=10)
            await until(lambda: panel.index_of(key).data(Role.NOTE) is None, timeout=5)
            # the door's recent events: the opening, by the operator on duty at this console
            panel._show_details(fetch_events=True)  # the guard looks at the door again
            await settled(panel)
            texts = [panel.details.events.topLevelItem(i).text(1)
                     for i in range(panel.details.events.topLevelItemCount())]
            assert any("Remote" in t and "by ann (this console)" in t for t in texts), texts
        finally:
            await panel.stop()
            await env.services.stop()

    run(scenario())


def test_a_passing_message_never_covers_the_connection_state(qtbot) -> None:
    from console.ui.statusbar import StatusBar

    bar = StatusBar()
    qtbot.addWidget(bar)
    bar.health_badge.setText("Offline since 10:52")
    bar.resize(1366, 30)
    bar.show()
    qtbot.waitExposed(bar)
    assert bar.health_badge.isVisible()
    bar.showMessage("No door or gate named 'x' on the board", 5000)
    assert bar.health_badge.isVisible()
    assert bar.health_badge.text() == "Offline since 10:52"
    assert bar.currentMessage() == "No door or gate named 'x' on the board"
    assert bar.message.isVisible()
    bar.clearMessage()
    assert bar.health_badge.isVisible()
    assert not bar.message.isVisible()


class _Session:
    """The session's health as the notices read it."""

    def __init__(self) -> None:
        from datetime import datetime

        self.health = Health.ONLINE
        self.failures: dict[str, int] = {}
        self.last_ok = datetime(2026, 12, 2, 10, 52).astimezone()

    def channel_failures(self, channel: str) -> int:
        return self.failures.get(channel, 0)


def test_visitors_parking_spaces_and_people_panels_say_they_are_not_receiving(qtbot) -> None:
    from PySide6.QtWidgets import QVBoxLayout, QWidget

    from console.ui.feed_notice import attach

    session = _Session()
    notices = {}
    panels = []
    for channel in ("outbox", "parking", "spaces", None):
        panel = QWidget()
        panels.append(panel)
        qtbot.addWidget(panel)
        QVBoxLayout(panel)
        notices[channel] = attach(panel, session, channel, "updates")  # type: ignore[arg-type]
        panel.show()
    assert all(n is not None and not n.isVisible() for n in notices.values())
    session.failures["parking"] = 2  # the parking poll fails while the rest answers
    for n in notices.values():
        n.check()
    assert notices["parking"].isVisible()
    assert "Not receiving updates since 10:52" in notices["parking"].text()
    assert not notices["outbox"].isVisible()
    assert not notices[None].isVisible()
    session.health = Health.OFFLINE  # the whole connection: the people panel (no poller of its own) says so
    session.failures.update(outbox=3, spaces=3)
    for n in notices.values():
        n.check()
    assert all(n.isVisible() for n in notices.values())
    session.health, session.failures = Health.ONLINE, {}  # fresh data: nothing stays marked
    for n in notices.values():
        n.check()
    assert not any(n.isVisible() for n in notices.values())
