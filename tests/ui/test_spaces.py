"""The spaces panel against the simulator: the timeline model, dragging a block, booking by dragging, keys."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtPdf import QPdfDocument
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from console.api import Client
from console.api.models.spaces import ReservationStatus
from console.services.audit import AuditLog
from console.services.outcome import Outcome
from console.services.paths import Paths
from console.services.polling import PollPolicy
from console.services.settings import Settings
from console.services.spaces import BookingRequest, SpaceDesk
from console.sim import SimConfig, SimulatorThread
from console.ui.spaces import SpacesPanel, TimelineModel
from console.ui.spaces.dialogs import BookingDialog
from tests.helpers import until

TOKEN = "spaces-panel-token-77aa"


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorThread]:
    # at 11:00: the booking in progress (begun ten minutes before) sits mid-day, with slots on either side
    # (at 23:45 it was in the day's last slot and the arrow test could not move right)
    thread = SimulatorThread(SimConfig(token=TOKEN, seed=21, site="small", event_rate=0.0, start_at="11:00"))
    thread.start()
    yield thread
    thread.stop()


@dataclass
class Rig:
    panel: SpacesPanel
    desk: SpaceDesk
    sim: SimulatorThread
    audit: AuditLog
    run: Callable[..., Any]

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.sim.sim.world.now()).replace(microsecond=0)

    def rows(self) -> dict[str, dict[str, Any]]:
        return self.sim.call(lambda s: {k: dict(v) for k, v in s.world.table("space_reservations").items()})

    def free_space_row(self, start: datetime, end: datetime) -> int:
        """A timeline row whose space is free on the server between ``start`` and ``end``."""
        rows = self.rows().values()
        for row in range(self.panel.model.rowCount()):
            space = self.panel.model.space_at(row)
            assert space is not None
            if not any(r["spaceId"] == space.id and not r["cancelled"] and r["startAt"] < end.timestamp()
                       and start.timestamp() < r["endAt"] for r in rows):
                return row
        raise AssertionError("no free space")

    async def settle(self) -> None:
        """Wait for the panel's own tasks (participants being read...): none may outlive one ``run``."""
        await until(lambda: not self.panel.busy(), 10)

    async def form(self) -> BookingDialog:
        """The booking form, once it is open."""
        def shown() -> BookingDialog | None:
            dialog = self.panel.dialog
            return dialog if dialog is not None and dialog.isVisible() else None

        found = await until(shown, 10)
        assert found is not None
        return found

    def persons(self, n: int) -> list[tuple[str, str]]:
        return self.sim.call(lambda s: [(p.id, p.pin) for p in list(s.world.persons.values())[:n]])


@pytest.fixture
def rig(qtbot: QtBot, run: Callable[..., Any], sim: SimulatorThread, tmp_path: Path) -> Iterator[Rig]:
    paths = Paths.under(tmp_path / "base").ensure()
    client = Client(sim.base_url, TOKEN)
    audit = AuditLog.in_dir(paths.data_dir, operator="rita", profile="HQ")
    desk = SpaceDesk(client, profile="HQ", operator="rita", audit=audit, policy=PollPolicy(interval=3600),
                     clock=lambda: datetime.fromtimestamp(sim.sim.world.now()))
    panel = SpacesPanel(desk, Settings(paths.settings_file), profile="HQ")
    panel.resize(1400, 800)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)

    async def start() -> None:
        await desk.refresh()
        await panel.start()

    run(start())
    yield Rig(panel, desk, sim, audit, run)
    run(panel.stop())
    run(client.aclose())
    audit.close()


def test_the_timeline_model_passes_the_model_tester(rig: Rig, qtmodeltester: Any) -> None:
    model = TimelineModel(rig.desk)
    assert model.rowCount() == len(rig.desk.spaces) > 0
    assert model.columnCount() == 48  # a day of half hours
    qtmodeltester.check(model, force_py=True)
    running = next(b for b in rig.desk.bookings.values() if b.status is ReservationStatus.IN_PROGRESS)
    row, column = model.booking_cell(running.id) or (-1, -1)
    assert model.index(row, column).data() == running.subject or model.index(row, column).data() == ""
    assert "in progress" in model.index(row, column).data(Qt.ItemDataRole.ToolTipRole)


def test_dragging_a_block_moves_the_booking_after_a_confirmation(rig: Rig) -> None:
    tomorrow = (rig.now() + timedelta(days=1)).replace(hour=10, minute=0, second=0)
    pins = rig.persons(2)

    async def scenario() -> None:
        rig.panel.show_day(tomorrow.date())
        await rig.desk.refresh()
        row = rig.free_space_row(tomorrow, tomorrow + timedelta(hours=2))
        space = rig.panel.model.space_at(row)
        assert space is not None
        booked = await rig.desk.book(BookingRequest(
            space_id=space.id, subject="Quarterly review", start=tomorrow, end=tomorrow + timedelta(hours=1),
            host_pin=pins[0][1], participant_ids=tuple(p[0] for p in pins)))
        assert booked.ok, booked.message
        view = rig.panel.view
        view.scroll_to(tomorrow - timedelta(hours=1))
        grab = view.point_of(tomorrow + timedelta(minutes=20), row)
        drop = view.point_of(tomorrow + timedelta(minutes=50), row)
        QTest.mousePress(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, grab)
        QTest.mouseMove(view.viewport(), grab + QPoint(20, 0))
        QTest.mouseMove(view.viewport(), drop)
        QTest.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, drop)
        box = await until(lambda: rig.panel.findChild(QMessageBox), 5)
        assert box is not None
        assert "10:30-11:30" in box.text()
        assert rig.rows()[booked.booking_id]["startAt"] == tomorrow.timestamp()  # nothing sent before the yes
        box.button(QMessageBox.StandardButton.Yes).click()
        await until(lambda: rig.panel.last_result is not None, 10)
        assert rig.panel.last_result is not None
        assert rig.panel.last_result.kind is Outcome.DONE, rig.panel.last_result.message
        row_after = rig.rows()[booked.booking_id]
        assert datetime.fromtimestamp(row_after["startAt"]) == tomorrow + timedelta(minutes=30)
        assert rig.desk.bookings[booked.booking_id].start == tomorrow + timedelta(minutes=30)
        assert [r.action for r in rig.audit.rows() if r.result != "sending"][-2:] == ["space.book", "space.edit"]
        assert rig.panel.banner.kind == "ok"
        await rig.settle()

    rig.run(scenario())


def test_dragging_across_a_free_stretch_books_it_through_the_form(rig: Rig) -> None:
    tomorrow = (rig.now() + timedelta(days=1)).replace(hour=14, minute=0, second=0)
    people = rig.persons(3)

    async def scenario() -> None:
        rig.panel.show_day(tomorrow.date())
        await rig.desk.refresh()
        row = rig.free_space_row(tomorrow, tomorrow + timedelta(hours=2))
        view = rig.panel.view
        view.scroll_to(tomorrow - timedelta(hours=1))
        a, b = view.point_of(tomorrow, row), view.point_of(tomorrow + timedelta(minutes=90), row)
        QTest.mousePress(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
        QTest.mouseMove(view.viewport(), b)
        QTest.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b)
        dialog = await rig.form()
        assert dialog.request().start == tomorrow
        assert dialog.request().end == tomorrow + timedelta(minutes=90)
        dialog.subject.setText("Visit of Globex")
        dialog.host.setCurrentIndex(dialog.host.findData(people[0][1]))
        dialog.set_participants([people[1][0], people[2][0]])
        dialog.accept()
        await until(lambda: rig.panel.last_result is not None, 10)
        result = rig.panel.last_result
        assert result is not None
        assert result.kind is Outcome.DONE, result.message
        booking = rig.desk.bookings[result.booking_id]
        assert (booking.subject, booking.participants) == ("Visit of Globex", 2)
        assert rig.panel.view.selected_id == result.booking_id
        await rig.settle()

    rig.run(scenario())


def test_keyboard_moves_between_slots_and_blocks_enter_opens_n_books(rig: Rig, qtbot: QtBot) -> None:
    view = rig.panel.view
    view.setFocus()
    running = next(b for b in rig.desk.bookings.values() if b.status is ReservationStatus.IN_PROGRESS)
    row, _column = rig.panel.model.booking_cell(running.id) or (-1, -1)

    async def arrows() -> None:
        view.set_cursor(row, 0)
        QTest.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
        assert view.selected_id == running.id
        assert rig.panel.booking_title.text() == running.subject
        QTest.keyClick(view, Qt.Key.Key_Right)
        assert view.cursor_column == _column + 1
        QTest.keyClick(view, Qt.Key.Key_Down)
        assert view.cursor_row == min(row + 1, rig.panel.model.rowCount() - 1)
        await rig.settle()

    rig.run(arrows())

    async def open_and_close(key: Qt.Key) -> BookingDialog:
        QTest.keyClick(view, key)
        dialog = await rig.form()
        dialog.reject()
        await until(lambda: rig.panel.dialog is None, 5)
        await rig.settle()
        return dialog

    async def select() -> None:
        view.select(running.id)
        await rig.settle()

    rig.run(select())
    opened = rig.run(open_and_close(Qt.Key.Key_Return))
    assert opened.initial.id == running.id  # Enter opens the booking under the cursor
    async def free_slot() -> None:
        view.set_cursor(0, 30)
        await rig.settle()

    rig.run(free_slot())
    new = rig.run(open_and_close(Qt.Key.Key_N))
    assert new.initial.id == ""
    assert new.initial.start == rig.panel.model.slot_start(30)


def test_the_days_sheet_is_a_pdf_with_the_bookings(rig: Rig, tmp_path: Path) -> None:
    path = tmp_path / "sheet.pdf"
    rig.panel.export_sheet(path)
    document = QPdfDocument()
    document.load(str(path))
    assert document.pageCount() >= 1
    text = document.getAllText(0).text()
    for booking in rig.panel.day_bookings():
        assert booking.subject in text


def test_filters_hide_spaces_and_other_hosts(rig: Rig) -> None:
    model = rig.panel.model
    total = model.rowCount()
    rig.panel.space_filter.setText("Meeting Room 1")
    assert 0 < model.rowCount() < total
    rig.panel.space_filter.setText("")
    rig.panel.host_filter.setText("nobody-has-this-name")
    assert all(not model.bookings_in_row(r) for r in range(model.rowCount()))
    rig.panel.host_filter.setText("")
    assert model.rowCount() == total
