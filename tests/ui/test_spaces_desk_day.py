"""The spaces panel's "Done when", walked against the simulator over HTTP, and the rest of the desk's day:
several bookings at once, managing spaces/facilities/services, the operators allowed to."""

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
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from console.api import Client
from console.api.models.spaces import ReservationStatus
from console.services.audit import AuditLog
from console.services.options import SpacesOptions
from console.services.outcome import Outcome
from console.services.paths import Paths
from console.services.polling import PollPolicy
from console.services.settings import Settings
from console.services.spaces import BookingRequest, SpaceDesk, SpaceResult
from console.services.spaces.guests import desk_visitor_names
from console.services.visitors import VisitorDesk
from console.services.visitors.form import VisitForm
from console.sim import SimConfig, SimulatorThread
from console.ui.spaces import SpacesPanel
from console.ui.spaces.dialogs import BookingDialog
from console.ui.training import TrainingMenu, demo_clock
from tests.helpers import until

TOKEN = "spaces-day-token-5150"


@pytest.fixture
def sim() -> Iterator[SimulatorThread]:
    thread = SimulatorThread(SimConfig(token=TOKEN, seed=33, site="small", event_rate=0.0))
    thread.start()
    now = datetime.fromtimestamp(thread.sim.world.now())
    if not 7 <= now.hour < 19:  # the walk books within the next hours of the same day: start the day at 09:10
        morning = (now + timedelta(days=1 if now.hour >= 19 else 0)).replace(hour=9, minute=10)
        thread.call(lambda s: s.world.clock.advance((morning - now).total_seconds()))
    yield thread
    thread.stop()


@dataclass
class Rig:
    panel: SpacesPanel
    desk: SpaceDesk
    visitors: VisitorDesk
    sim: SimulatorThread
    audit: AuditLog
    run: Callable[..., Any]

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.sim.sim.world.now()).replace(microsecond=0)

    def rows(self) -> dict[str, dict[str, Any]]:
        return self.sim.call(lambda s: {k: dict(v) for k, v in s.world.table("space_reservations").items()})

    def free_row(self, start: datetime, end: datetime) -> int:
        rows = self.rows().values()
        for row in range(self.panel.model.rowCount()):
            space = self.panel.model.space_at(row)
            assert space is not None
            if not space.disabled and (space.capacity or 0) >= 3 and not any(
                    r["spaceId"] == space.id and not r["cancelled"] and r["startAt"] < end.timestamp()
                    and start.timestamp() < r["endAt"] for r in rows):
                return row
        raise AssertionError("no free space")

    def persons(self, n: int) -> list[tuple[str, str]]:
        return self.sim.call(lambda s: [(p.id, p.pin) for p in list(s.world.persons.values())[:n]])

    async def box(self) -> QMessageBox:
        found = await until(lambda: next((b for b in self.panel.findChildren(QMessageBox) if b.isVisible()), None), 5)
        assert found is not None
        return found

    async def settle(self) -> None:
        await until(lambda: not self.panel.busy(), 10)

    def forget(self) -> None:
        self.panel.last_result = None

    async def outcome(self) -> SpaceResult:
        """The panel's next result (after :meth:`forget`)."""
        found = await until(lambda: self.panel.last_result, 10)
        assert found is not None
        return found


def make_rig(qtbot: QtBot, run: Callable[..., Any], sim: SimulatorThread, tmp_path: Path, *,
             manage: list[str] | None = None, profile: str = "HQ") -> tuple[Rig, Client]:
    paths = Paths.under(tmp_path / "base").ensure()
    client = Client(sim.base_url, TOKEN)
    audit = AuditLog.in_dir(paths.data_dir, operator="rita", profile=profile)
    desk = SpaceDesk(client, profile=profile, operator="rita", audit=audit, policy=PollPolicy(interval=3600))
    desk.use_clock(demo_clock(sim))  # as the app does in demo mode: the simulator's clock
    visitors = VisitorDesk(client, data_dir=paths.data_dir, profile=profile, operator="rita", audit=audit,
                           clock=demo_clock(sim))
    desk.visitor_source = lambda: desk_visitor_names(visitors)
    settings = Settings(paths.settings_file)
    if manage is not None:
        settings.set_panel(SpacesOptions(manage_profiles=manage))
    panel = SpacesPanel(desk, settings, profile=profile)
    panel.resize(1400, 800)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    run(desk.refresh())
    run(panel.start())
    return Rig(panel, desk, visitors, sim, audit, run), client


@pytest.fixture
def rig(qtbot: QtBot, run: Callable[..., Any], sim: SimulatorThread, tmp_path: Path) -> Iterator[Rig]:
    made, client = make_rig(qtbot, run, sim, tmp_path, manage=["HQ"])
    yield made
    run(made.panel.stop())
    run(client.aclose())
    made.audit.close()


def drag(view: QWidget, a: QPoint, b: QPoint) -> None:
    QTest.mousePress(view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a)
    QTest.mouseMove(view, a + QPoint(8, 0))
    QTest.mouseMove(view, b)
    QTest.mouseRelease(view, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b)


def test_done_when_book_by_dragging_for_a_host_and_two_visitors_move_run_finish_print(
        rig: Rig, tmp_path: Path) -> None:
    """Book a room for a host and two visitors by dragging, move it half an hour, see it turn "in progress"
    when the simulated clock (Training menu) reaches it, finish it early, print the day's sheet."""
    (host_id, host_pin), = rig.persons(1)
    said: list[str] = []
    menu = TrainingMenu(rig.sim, said.append, on_clock=rig.panel.refresh_now)
    view = rig.panel.view
    pdf = tmp_path / f"bookings-{rig.desk.window_start:%Y-%m-%d}.pdf"

    async def walk() -> None:
        rig.desk.poller.start()  # statuses follow the server's clock without F5 (stopped below, same loop)
        try:
            for name, number in (("Ann Lee", "E1234501"), ("Bo Chen", "E1234502")):  # registered at this desk
                form = VisitForm.blank(rig.now())
                form.visitor_name, form.cert_type, form.cert_num, form.company = name, "3", number, "Globex"
                form.host_pin, form.reason = host_pin, "Contract"
                registered = await rig.visitors.register(form)
                assert registered.ok, registered.message
            now = rig.now()
            start = now.replace(minute=0, second=0) + timedelta(minutes=60 if now.minute < 30 else 90)
            row = rig.free_row(start, start + timedelta(hours=2))
            space = rig.panel.model.space_at(row)
            assert space is not None
            view.scroll_to(start - timedelta(hours=1))
            drag(view.viewport(), view.point_of(start, row), view.point_of(start + timedelta(hours=1), row))
            dialog = await until(lambda: rig.panel.dialog if rig.panel.dialog and rig.panel.dialog.isVisible()
                                 else None, 10)
            assert isinstance(dialog, BookingDialog)
            assert (dialog.request().start, dialog.request().end) == (start, start + timedelta(hours=1))
            offered = [dialog.visitors.item(i).text() for i in range(dialog.visitors.count())]
            assert offered == ["Ann Lee (Globex)", "Bo Chen (Globex)"]
            dialog.subject.setText("Globex contract")
            dialog.host.setCurrentIndex(dialog.host.findData(host_pin))
            dialog.set_visitors(offered)
            rig.forget()
            dialog.accept()
            booked = await rig.outcome()
            assert booked.kind is Outcome.DONE, booked.message
            booking_id = booked.booking_id
            server = rig.rows()[booking_id]
            assert server["participantIds"] == host_id  # the host takes part; the visitors ride in the content
            assert "Visitors: Ann Lee (Globex); Bo Chen (Globex)" in server["content"]
            assert rig.desk.bookings[booking_id].people_words == "1 participant + 2 visitors"
            await until(lambda: rig.panel.participants_model.rowCount() == 3, 10)

            # move it half an hour later, by dragging the block, confirmed
            rig.forget()
            grab = view.point_of(start + timedelta(minutes=20), row)
            drag(view.viewport(), grab, grab + QPoint(round(30 * view.minute_px), 0))
            box = await rig.box()
            assert f"{start + timedelta(minutes=30):%H:%M}-" in box.text()
            box.button(QMessageBox.StandardButton.Yes).click()
            moved = await rig.outcome()
            assert moved.kind is Outcome.DONE, moved.message
            assert datetime.fromtimestamp(rig.rows()[booking_id]["startAt"]) == start + timedelta(minutes=30)
            assert rig.panel.view.selected_id == booking_id
            assert "to be started" in rig.panel.booking_info.text()

            # the trainer moves the simulated clock on: the booking turns "in progress" by itself
            before = rig.now()
            menu.clock_actions[1].trigger()  # "Clock: 2 hours later"
            assert "2 hours" in menu.clock_actions[1].text()
            assert "moved on 120 minutes" in said[-1]
            await until(lambda: rig.desk.bookings[booking_id].status is ReservationStatus.IN_PROGRESS, 10)
            await until(lambda: "in progress" in rig.panel.booking_info.text(), 5)
            assert view.now() >= before + timedelta(hours=2)  # the now-line follows the simulator's clock
            assert rig.panel.finish_button.isEnabled()

            # finish it early
            rig.forget()
            rig.panel.finish_button.click()
            box = await rig.box()
            box.button(QMessageBox.StandardButton.Yes).click()
            finished = await rig.outcome()
            assert finished.kind is Outcome.DONE, finished.message
            assert finished.succeeded == (booking_id,)
            assert rig.desk.bookings[booking_id].status is ReservationStatus.ENDED

            # the day's sheet, through the More menu and the save dialog
            assert rig.panel.sheet_action in rig.panel.more_button.menu().actions()
            rig.panel.sheet_action.trigger()
            chooser = await until(lambda: next((d for d in rig.panel.findChildren(QFileDialog) if d.isVisible()),
                                               None), 5)
            assert chooser is not None
            assert chooser.selectedFiles()[0].endswith(f"bookings-{rig.desk.window_start:%Y-%m-%d}.pdf")
            chooser.setDirectory(str(tmp_path))  # the proposed name, in this folder
            chooser.accept()
            await until(lambda: "Saved" in rig.panel.banner.text or "could not" in rig.panel.banner.text, 10)
            assert pdf.exists(), rig.panel.banner.text
            await rig.settle()
        finally:
            await rig.desk.poller.stop()

    rig.run(walk(), timeout=60)
    document = QPdfDocument()
    document.load(str(pdf))
    text = " ".join(document.getAllText(i).text() for i in range(document.pageCount()))
    assert "Globex contract" in text
    assert "Ann Lee (Globex)" in text
    assert "Bo Chen (Globex)" in text
    assert "ended" in text
    actions = [r.action for r in rig.audit.rows() if r.result != "sending"]
    assert actions[-3:] == ["space.book", "space.edit", "space.finish"]


def test_several_bookings_are_cancelled_at_once_saying_exactly_which(rig: Rig) -> None:
    people = rig.persons(2)
    day = (rig.now() + timedelta(days=1)).replace(hour=10, minute=0, second=0)
    view = rig.panel.view

    async def scenario() -> None:
        rig.panel.show_day(day.date())
        await rig.desk.refresh()
        ids = []
        for hour, subject in ((10, "Alpha"), (12, "Beta"), (14, "Gamma")):
            start = day.replace(hour=hour)
            row = rig.free_row(start, start + timedelta(hours=1))
            space = rig.panel.model.space_at(row)
            assert space is not None
            result = await rig.desk.book(BookingRequest(space_id=space.id, subject=subject, start=start,
                                                        end=start + timedelta(hours=1), host_pin=people[0][1],
                                                        participant_ids=(people[1][0],)))
            assert result.ok, result.message
            ids.append(result.booking_id)
        rig.panel.model.reload()
        for booking_id in ids:  # Ctrl+click marks each block
            row, _column = rig.panel.model.booking_cell(booking_id) or (-1, -1)
            booking = rig.desk.bookings[booking_id]
            view.scroll_to(booking.start - timedelta(hours=1))
            QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ControlModifier,
                             view.point_of(booking.start + timedelta(minutes=20), row))
        assert sorted(view.selected_ids()) == sorted(ids)
        assert rig.panel.booking_title.text() == "3 bookings marked"
        assert rig.panel.cancel_button.text() == "Cancel 3"
        rig.sim.call(lambda s: s.world.table("space_reservations")[ids[1]].update(cancelled=True))  # elsewhere
        rig.panel.cancel_button.click()
        box = await rig.box()
        assert "Alpha" in box.text()
        assert "Gamma" in box.text()
        box.button(QMessageBox.StandardButton.Yes).click()
        result = await rig.outcome()
        assert set(result.succeeded) == {ids[0], ids[2]}
        assert result.failed == (ids[1],)
        assert result.kind is Outcome.REFUSED  # never a plain "done" when one did not go
        words = rig.panel.banner.text
        assert "Cancelled: Alpha" in words
        assert "Gamma" in words
        assert "Not cancelled: Beta" in words
        assert view.marked == set()
        await rig.settle()

    rig.run(scenario())


def test_managing_spaces_is_offered_only_to_allowed_profiles_and_maps_refusals(
        rig: Rig, qtbot: QtBot, run: Callable[..., Any], sim: SimulatorThread, tmp_path: Path) -> None:
    assert rig.panel.manage_action.isVisible()
    assert rig.panel.manage_action in rig.panel.more_button.menu().actions()
    other, client = make_rig(qtbot, run, sim, tmp_path / "other", manage=["HQ"], profile="Branch")
    try:
        assert not other.panel.manage_action.isVisible()
    finally:
        run(other.panel.stop())
        run(client.aclose())
        other.audit.close()

    async def scenario() -> None:
        rig.panel.manage_action.trigger()
        dialog = await until(lambda: rig.panel.manage_dialog if rig.panel.manage_dialog is not None
                             and rig.panel.manage_dialog.isVisible() else None, 10)
        assert dialog is not None
        dialog.tabs.setCurrentWidget(dialog.facility_tab)
        tab = dialog.facility_tab
        dialog.new_item("facility")
        name, number = tab.fields["name"], tab.fields["number"]
        name.setText("Whiteboard")  # type: ignore[attr-defined]
        number.setText("20")  # type: ignore[attr-defined]
        sent = len(rig.sim.sim.requests)
        invalid = await dialog.save("facility")
        assert invalid.kind is Outcome.INVALID
        assert tab.problems["number"].isVisibleTo(dialog)
        assert "above 20" in tab.problems["number"].text()
        assert len(rig.sim.sim.requests) == sent
        made = []
        for label, no in (("Whiteboard", "41"), ("Beamer", "42")):
            dialog.new_item("facility")
            name.setText(label)  # type: ignore[attr-defined]
            number.setText(no)  # type: ignore[attr-defined]
            result = await dialog.save("facility")
            assert result.kind is Outcome.DONE, result.message
            made.append(result.booking_id)
        texts = [tab.list.item(i).text() for i in range(tab.list.count())]
        assert "Whiteboard [41]" in texts
        assert "Beamer [42]" in texts
        assert rig.panel.facility_filter.findText("Beamer") >= 0  # the panel's filters follow at once
        # a space: the server refuses an unknown person in charge, written under that field
        dialog.tabs.setCurrentWidget(dialog.space_tab)
        dialog.new_item("space")
        space = dialog.space_tab.fields
        space["name"].setText("Board Room 9")  # type: ignore[attr-defined]
        space["capacity"].setText("10")  # type: ignore[attr-defined]
        space["owner"].setEditText("nobody-7")  # type: ignore[attr-defined]
        space["devices"].item(0).setCheckState(Qt.CheckState.Checked)  # type: ignore[attr-defined]
        refused = await dialog.save("space")
        assert refused.kind is Outcome.REFUSED
        assert dialog.space_tab.problems["owner"].isVisibleTo(dialog)
        (_pid, pin), = rig.persons(1)
        owner = space["owner"]
        owner.setCurrentIndex(owner.findData(pin))  # type: ignore[attr-defined]
        added = await dialog.save("space")
        assert added.kind is Outcome.DONE, added.message
        assert rig.panel.model.row_of(added.booking_id) >= 0  # a new row on the timeline
        # delete both facilities at once
        for row in range(tab.list.count()):
            tab.list.item(row).setSelected(tab.list.item(row).data(Qt.ItemDataRole.UserRole + 1) in made)

        async def yes(_text: str) -> bool:
            return True

        deleted = await dialog.delete_chosen("facility", confirm=yes)
        assert deleted is not None
        assert deleted.kind is Outcome.DONE, deleted.message
        assert set(deleted.succeeded) == set(made)
        assert "Deleted: " in dialog.banner.text
        dialog.reject()
        await until(lambda: rig.panel.manage_dialog is None, 5)
        await rig.settle()

    rig.run(scenario())
    actions = [r.action for r in rig.audit.rows() if r.result != "sending"]
    assert actions == ["space.facility.add", "space.facility.add", "space.space.add", "space.space.add",
                       "space.facility.delete"]
