"""The People panel against the simulator over HTTP: find, enrol with a guided face photo, refusals on their
fields, a card from a keyboard-wedge reader, drafts without the photo, camera states, CSV import."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import cv2
import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit
from pytestqt.qtbot import QtBot

from console.api import Client
from console.services.audit import AuditLog
from console.services.enrolment import EnrolmentDesk
from console.services.enrolment.face import Hint
from console.services.outcome import Outcome
from console.services.paths import Paths
from console.services.settings import Settings
from console.sim import SimConfig, SimulatorThread
from console.ui.enrolment import EnrolmentPanel
from console.ui.enrolment.frames import CameraState, FeedSource
from tests import face_frames
from tests.helpers import until

TOKEN = "enrolment-panel-token-5511"


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorThread]:
    thread = SimulatorThread(SimConfig(token=TOKEN, seed=12, site="small", event_rate=0.0))
    thread.start()
    yield thread
    thread.stop()


@dataclass
class Rig:
    panel: EnrolmentPanel
    desk: EnrolmentDesk
    source: FeedSource
    sim: SimulatorThread
    audit: AuditLog
    run: Callable[..., Any]
    paths: Paths

    def person(self, pin: str) -> Any:
        return self.sim.call(lambda s: s.world.persons.get(pin))

    async def idle(self) -> None:
        await until(lambda: not self.panel.busy() and not self.panel.capture.busy, 15)

    def fill(self, pin: str) -> None:
        p = self.panel
        p.new_person()
        p.pin_edit.setText(pin)
        p.name_edit.setText("Grace")
        p.last_edit.setText("Hopper")
        p.dept_box.setCurrentIndex(1)
        p.levels_list.item(0).setCheckState(Qt.CheckState.Checked)
        p.end_edit.setText("2027-12-31")


@pytest.fixture
def rig(qtbot: QtBot, run: Callable[..., Any], sim: SimulatorThread, tmp_path: Path) -> Iterator[Rig]:
    paths = Paths.under(tmp_path / "base").ensure()
    client = Client(sim.base_url, TOKEN)
    audit = AuditLog.in_dir(paths.data_dir, operator="rita", profile="HQ")
    desk = EnrolmentDesk(client, data_dir=paths.data_dir, profile="HQ", operator="rita", audit=audit)
    source = FeedSource()
    panel = EnrolmentPanel(desk, Settings(paths.settings_file), source=source)
    panel.capture.hold_seconds = 0.0
    panel.resize(1400, 860)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    rig = Rig(panel, desk, source, sim, audit, run, paths)

    async def start() -> None:
        await panel.start()
        await rig.idle()

    run(start())
    yield rig
    run(rig.idle())
    run(panel.stop())
    run(client.aclose())
    audit.close()


def test_finding_people_by_pin_name_and_department(rig: Rig) -> None:
    first = rig.sim.call(lambda s: next(iter(s.world.persons.values())))
    assert rig.panel.table.rowCount() > 0

    async def scenario() -> None:
        rig.panel.search.setText(first.pin)
        await rig.panel.find_people()
        assert rig.panel.table.item(0, 0).text() == first.pin
        await rig.idle()
        assert rig.panel.current is not None
        assert rig.panel.current.pin == first.pin
        assert rig.panel.name_edit.text() == first.name
        rig.panel.search.setText(first.name[:4].lower())
        await rig.panel.find_people()
        pins = [rig.panel.table.item(r, 0).text() for r in range(rig.panel.table.rowCount())]
        assert first.pin in pins
        await rig.idle()

    rig.run(scenario())


def test_the_guidance_words_follow_the_frames(rig: Rig) -> None:
    p = rig.panel
    p.auto_box.setChecked(False)

    async def scenario() -> None:
        p.toggle_camera()
        assert rig.source.state is CameraState.RUNNING
        for frame, hint in ((face_frames.blank(), Hint.NO_FACE), (face_frames.two_faces(), Hint.SEVERAL),
                            (face_frames.dark(), Hint.TOO_DARK), (face_frames.face_frame(left=300), Hint.CENTRE)):
            p.capture.reset()
            rig.source.feed(frame)
            await rig.idle()
            assert p.capture.last is not None
            assert p.capture.last.hint is hint
            assert p.guidance.text() == hint.value
            assert not p.capture_button.isEnabled()
        p.capture.reset()
        rig.source.feed(face_frames.face_frame())
        await rig.idle()
        assert p.guidance.text() == Hint.GOOD.value
        assert p.capture_button.isEnabled()

    rig.run(scenario())


def test_a_new_person_enrolled_with_a_captured_photo(rig: Rig, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    p = rig.panel

    async def scenario() -> None:
        rig.fill("G7001")
        p.toggle_camera()
        rig.source.feed(face_frames.face_frame())
        rig.source.feed(face_frames.face_frame())  # good for a moment: captured automatically
        await until(lambda: p.photo_b64 is not None, 15)
        await rig.idle()
        assert "server can use this face" in p.guidance.text()
        assert rig.source.state is CameraState.OFF  # the camera stops once the photo is taken
        result = await p.save()
        assert result.kind is Outcome.DONE, result.message
        await rig.idle()

    rig.run(scenario())
    person = rig.person("G7001")
    assert person is not None
    assert (person.name, person.last_name) == ("Grace", "Hopper")
    assert person.photo  # the portrait reached the server
    assert p.photo_b64 is None  # and left the panel's memory
    rows = rig.audit.rows()
    assert any(r.action == "person.add" and r.result == "ok" for r in rows)  # completed after "sending"
    assert all(person.photo[:40] not in str(r) for r in rows)
    assert not any(rig.paths.data_dir.rglob("*.jpg"))
    assert not any(rig.paths.data_dir.rglob("*.png"))
    assert person.photo[:40] not in caplog.text  # nor in the log
    assert not any(person.photo[:40] in f.read_text(errors="replace")
                   for f in rig.paths.data_dir.rglob("*") if f.is_file() and f.suffix in (".json", ".log", ".txt"))


def test_a_frame_judged_after_the_photo_was_taken_leaves_the_photo_and_the_servers_words(rig: Rig) -> None:
    """The camera queues a frame while the one before is judged; when that one captures the photo, the queued
    frame's guidance arrives after the camera stopped (and, on a busy PC, after the server's check): it must not
    put the live picture and "Good: hold it there" back over the photo the server accepted."""
    p = rig.panel

    async def scenario() -> None:
        rig.fill("G7002")
        p.toggle_camera()
        rig.source.feed(face_frames.face_frame())
        rig.source.feed(face_frames.face_frame())
        await until(lambda: p.photo_b64 is not None, 15)
        await rig.idle()
        words, photo = p.guidance.text(), p.preview.pixmap().toImage()
        assert "server can use this face" in words
        late = p.capture.last_frame
        assert late is not None
        assert p.capture.last is not None
        assert p.capture.last.good
        p.capture.guided.emit(late, p.capture.last)  # a late judged frame, as the race delivers it
        assert p.guidance.text() == words
        assert p.preview.pixmap().toImage() == photo
        assert p.photo_b64 is not None

    rig.run(scenario())


def test_a_refusal_lands_on_its_field(rig: Rig) -> None:
    p = rig.panel
    taken = rig.sim.call(lambda s: next(iter(s.world.cards)))

    async def scenario() -> None:
        rig.fill("G7002")
        p.card_edit.setText(taken)
        result = await p.save()
        assert result.kind is Outcome.REFUSED
        assert p.errors["card_no"].isVisible()
        assert "another person" in p.errors["card_no"].text()
        p.pin_edit.setText("bad pin")
        result = await p.save()
        assert result.kind is Outcome.INVALID
        assert "letters or digits" in p.errors["pin"].text()

    rig.run(scenario())
    assert rig.person("G7002") is None


def test_a_photo_the_server_refuses_gives_guidance_and_is_kept(rig: Rig) -> None:
    p = rig.panel
    grey = cv2.cvtColor(cv2.cvtColor(face_frames.face_frame(), cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
    ok, data = cv2.imencode(".png", grey)
    assert ok

    async def scenario() -> None:
        assert p.import_photo(data.tobytes()) == ""
        await rig.idle()
        assert "no colour" in p.guidance.text()
        assert p.portrait is not None  # kept for another try
        assert p.photo_b64 is None
        assert p.import_photo(b"%PDF-1.4 not a photo") != ""

    rig.run(scenario())


def test_a_card_reader_fills_the_card_field_without_stealing_typing(rig: Rig, qtbot: QtBot) -> None:
    p = rig.panel
    times = iter([0.0, 0.01, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09])
    p.wedge.clock = lambda: next(times)
    p.new_person()
    p.name_edit.setFocus()
    qtbot.waitUntil(p.name_edit.hasFocus)
    p.scan_button.click()
    p.name_edit.setFocus()
    qtbot.waitUntil(p.name_edit.hasFocus)
    assert p.wedge.armed
    QTest.keyClicks(p.name_edit, "12345678")
    QTest.keyClick(p.name_edit, Qt.Key.Key_Return)
    assert p.card_edit.text() == "12345678"
    assert p.name_edit.text() == ""  # the reader's keys did not land in the name
    assert not p.wedge.armed

    slow = iter([0.0, 1.0, 2.0, 3.0])
    p.wedge.clock = lambda: next(slow)
    p.scan_button.click()
    p.name_edit.setFocus()
    qtbot.waitUntil(p.name_edit.hasFocus)
    QTest.keyClicks(p.name_edit, "Ann")  # a person typing, slowly
    p.wedge.clock = lambda: 10.0
    p.wedge.flush_if_idle()
    assert p.name_edit.text() == "Ann"
    QTest.keyClick(p.name_edit, Qt.Key.Key_Escape)
    assert not p.wedge.armed


def test_a_draft_survives_without_photo_or_password(rig: Rig, qtbot: QtBot) -> None:
    p = rig.panel
    rig.fill("G7003")
    p.password_edit.setText("4321")
    p.name_edit.setText("Half filled")
    p.portrait = face_frames.face_frame()
    drafts = list((rig.paths.data_dir / "enrolment").rglob("*.json"))
    assert drafts
    # without the draft's own id: random hex, which may hold any four digits (it once held "4321")
    text = "".join(d.read_text().replace(json.loads(d.read_text())["id"], "") for d in drafts)
    assert "Half filled" in text
    assert "4321" not in text
    assert "photo" not in text.lower()
    settings = Settings(rig.paths.settings_file)
    again = EnrolmentPanel(rig.desk, settings, source=FeedSource())
    qtbot.addWidget(again)
    rig.run(again.start())
    assert again.name_edit.text() == "Half filled"
    assert again.portrait is None
    assert "brought back" in again.banner.text
    rig.run(again.stop())


def test_camera_states_leave_file_import_working(rig: Rig) -> None:
    p = rig.panel
    p.toggle_camera()
    rig.source.fail(CameraState.UNPLUGGED)
    assert "unplugged" in p.camera_state.text()
    assert not p.capture_button.isEnabled()
    assert p.file_button.isEnabled()
    rig.source.fail(CameraState.NO_BACKEND)
    assert "QtMultimedia" in p.camera_state.text()
    rig.source.fail(CameraState.REFUSED)
    assert "refused access to the camera" in p.camera_state.text()
    assert not p.capture_button.isEnabled()
    assert p.file_button.isEnabled()
    ok, data = cv2.imencode(".jpg", face_frames.face_frame())
    assert ok

    async def scenario() -> None:
        assert p.import_photo(data.tobytes()) == ""
        await rig.idle()
        assert p.photo_b64 is not None

    rig.run(scenario())
    assert base64.b64decode(p.photo_b64 or "")[:3] == b"\xff\xd8\xff"


def test_a_csv_import_reports_refused_rows(rig: Rig) -> None:
    p = rig.panel
    dept = rig.sim.call(lambda s: next(iter(s.world.departments)))
    taken = rig.sim.call(lambda s: next(iter(s.world.cards)))
    lines = ["pin,name,department,card"] + [f"C{i:03d},Csv {i},{dept},{taken if i == 3 else f'55{i:05d}'}"
                                             for i in range(12)] + ["bad pin,x,1,"]
    rows = p.preview_csv("\n".join(lines))
    assert len(rows) == 13
    assert "1 with errors" in p.banner.text

    async def scenario() -> None:
        report = await p.run_bulk()
        assert report is not None
        assert report.counts["done"] == 11
        assert report.counts["refused"] == 1

    rig.run(scenario())
    assert "C003" in p.banner.text
    assert rig.person("C005") is not None
    table = p.import_dialog().model  # every row, with what became of it
    statuses = {table.rows[r].pin or f"line {table.rows[r].line}": table.data(table.index(r, 3))
                for r in range(table.rowCount())}
    assert statuses["C005"] == "sent, added"
    assert statuses["C003"].startswith("refused: ")
    assert "card" in statuses["C003"]
    assert statuses["bad pin"].startswith("invalid: ")


def test_five_hundred_people_import_with_a_row_table_and_a_report(
    rig: Rig, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = rig.panel
    dept = rig.sim.call(lambda s: next(iter(s.world.departments)))
    taken = rig.sim.call(lambda s: next(iter(s.world.cards)))
    lines = ["PIN,First name,Last name,Department,Card"]
    for i in range(500):
        card = taken if i == 250 else f"66{i:06d}"
        pin = "bad pin" if i == 499 else f"B{i:04d}"
        lines.append(f"{pin},Bulk,Person {i},{dept},{card}")
    rows = p.preview_csv("\n".join(lines))
    assert len(rows) == 500
    dialog = p.import_dialog()
    assert dialog.isVisible()
    assert dialog.model.rowCount() == 500
    assert dialog.model.data(dialog.model.index(0, 3)) == "valid, not sent yet"
    assert dialog.model.data(dialog.model.index(0, 2)) == "Bulk Person 0"
    assert dialog.import_button.text() == "Import 499 valid rows"
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)  # the dialog asks the panel to run it
    rig.run(until(lambda: not p.busy() and not dialog.running and dialog.banner.kind is not None
                  and dialog.banner.kind != "info", 120))
    assert dialog.banner.text.endswith("498 people imported, 1 refused by the server, 1 not sent (errors in the file).")
    assert dialog.progress.value() == 499
    assert not dialog.import_button.isEnabled()  # nothing left to send: never twice
    dialog.only_problems.setChecked(True)
    shown = [dialog.proxy.data(dialog.proxy.index(r, 1)) for r in range(dialog.proxy.rowCount())]
    assert shown == ["B0250", "bad pin"]
    assert rig.sim.call(lambda s: sum(1 for pin in s.world.persons if pin.startswith("B0"))) == 498
    assert sum(1 for r in rig.audit.rows(action="person.bulk") if r.result == "ok") >= 5

    report = rig.paths.data_dir.parent / "import-report.csv"

    async def chosen(*_args: Any) -> Path:
        return report

    monkeypatch.setattr("console.ui.files.ask_save_path", chosen)
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)  # the report, every row
    rig.run(until(lambda: not p.busy() and report.exists()))
    lines = report.read_text("utf-8-sig").splitlines()
    assert len(lines) == 501
    assert lines[0] == "line,pin,name,state,status"
    assert lines[1] == "2,B0000,Bulk Person 0,done,\"sent, added\""
    assert any(line.startswith('252,B0250,Bulk Person 250,refused,"refused: ') for line in lines)


def test_the_same_file_again_later_sends_nothing_twice(rig: Rig) -> None:
    """The file's rows are kept on disk as they go: opened again (after a restart: a new import from the file),
    the accepted ones say so and are not offered, the refused one keeps its reason."""
    p = rig.panel
    dept = rig.sim.call(lambda s: next(iter(s.world.departments)))
    taken = rig.sim.call(lambda s: next(iter(s.world.cards)))
    text = "\n".join(["pin,name,department,card"] + [f"L{i:03d},Again {i},{dept},{taken if i == 2 else f'44{i:05d}'}"
                                                       for i in range(6)])
    p.preview_csv(text)
    rig.run(p.run_bulk())
    p.preview_csv(text)  # the same file, read again
    dialog = p.import_dialog()
    statuses = [dialog.model.data(dialog.model.index(r, 3)) for r in range(dialog.model.rowCount())]
    assert statuses[0] == "accepted in an earlier import of this file"
    assert statuses[2].startswith("refused: ")
    assert statuses[2].endswith("(an earlier import of this file)")
    assert "Imported before (" in dialog.summary.text()
    assert "5 accepted, 1 refused, 0 whose answer was lost" in dialog.summary.text()
    assert dialog.summary.text().splitlines()[0].endswith("0 left to send.")
    assert dialog.import_button.text() == "Nothing left to import"
    assert not dialog.import_button.isEnabled()
    assert not list(rig.paths.data_dir.rglob("imports/*.tmp"))
    ledger = next(rig.paths.data_dir.rglob("imports/*.json")).read_text()
    assert "Again" not in ledger
    assert "4400000" not in ledger


def test_the_camera_chosen_is_remembered(rig: Rig, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two cameras present (this machine has none: the list is stood in): the one picked is the one offered,
    and used, the next time the panel opens."""
    from console.ui.enrolment.frames import CameraChoice, CameraSource

    present = [CameraChoice("a1", "Built-in camera", True), CameraChoice("b2", "Desk USB camera")]
    monkeypatch.setattr("console.ui.enrolment.panel.cameras", lambda: present)
    settings = Settings(rig.paths.settings_file)
    first = EnrolmentPanel(rig.desk, settings)
    qtbot.addWidget(first)
    assert [first.camera_box.itemText(i) for i in range(first.camera_box.count())] == [
        "Built-in camera", "Desk USB camera"]
    first.camera_box.setCurrentIndex(1)
    assert isinstance(first.source, CameraSource)
    assert first.source.camera_id == "b2"
    settings.flush()  # (written by a worker thread: Settings.save_soon)
    again = EnrolmentPanel(rig.desk, Settings.load(rig.paths.settings_file))  # the console started again
    qtbot.addWidget(again)
    assert again.camera_box.currentText() == "Desk USB camera"
    assert isinstance(again.source, CameraSource)
    assert again.source.camera_id == "b2"


def test_resign_reinstate_qr_and_a_confirmed_delete_from_the_panel(rig: Rig, qtbot: QtBot) -> None:
    """The buttons: resign (confirmed), reinstate by the PIN, the QR code shown, delete only when confirmed;
    each write in the audit log."""
    p = rig.panel
    answers: list[bool] = []
    asked: list[str] = []

    async def confirm(title: str, text: str) -> bool:
        asked.append(title)
        return answers.pop(0)

    p.confirm = confirm  # type: ignore[method-assign]
    rig.fill("G7010")
    rig.run(p.save())
    assert p.current is not None
    assert p.resign_button.isEnabled()

    def click(button: Any) -> None:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        rig.run(rig.idle())

    answers.append(True)
    click(p.resign_button)
    assert rig.person("G7010").left
    click(p.reinstate_button)  # the PIN is still in the form
    assert not rig.person("G7010").left
    click(p.qr_button)
    assert "QR code" in p.guidance.text()
    assert p.preview.pixmap() is not None
    assert not p.preview.pixmap().isNull()
    answers.append(False)
    click(p.delete_button)
    assert rig.person("G7010") is not None  # not confirmed: nothing sent
    answers.append(True)
    click(p.delete_button)
    assert rig.person("G7010") is None
    assert asked == ["Resign", "Delete", "Delete"]
    done = [(r.action, r.result) for r in rig.audit.rows() if r.target == "person G7010" and r.result != "sending"]
    assert done == [("person.add", "ok"), ("person.resign", "ok"), ("person.reinstate", "ok"), ("person.delete", "ok")]


def test_the_panel_never_steals_focus_with_its_shortcuts(rig: Rig) -> None:
    edits = rig.panel.findChildren(QLineEdit)
    assert rig.panel.pin_edit in edits
    assert rig.panel.focus_filter()


def test_without_a_camera_the_real_source_says_so(rig: Rig, qtbot: QtBot) -> None:
    """This machine has no camera: the QtMultimedia source reports it, and the panel still imports files."""
    from console.ui.enrolment.frames import CameraSource, cameras

    panel = EnrolmentPanel(rig.desk, Settings(rig.paths.settings_file))
    qtbot.addWidget(panel)
    assert isinstance(panel.source, CameraSource)
    assert cameras() == []
    assert panel.camera_box.currentText() == "No camera"
    panel.toggle_camera()
    assert panel.source.state is CameraState.NO_CAMERA
    assert "No camera found" in panel.camera_state.text()
    assert panel.file_button.isEnabled()
    assert not panel.capture_button.isEnabled()


def test_a_save_on_the_wire_when_the_panel_stops_is_let_finish(rig: Rig, qtbot: QtBot) -> None:
    """The console disconnects (or quits) while a slow server has the new person: the save is not cut off
    (its outcome would be unknown); the person is on the server and the audit log says it worked."""
    p = rig.panel
    rig.fill("G7020")
    rig.sim.call(lambda s: s.set_faults(latency_ms=700))
    try:
        async def scenario() -> None:
            qtbot.mouseClick(p.save_button, Qt.MouseButton.LeftButton)
            await until(lambda: any(r.target == "person G7020" and r.result == "sending" for r in rig.audit.rows()), 5)
            await p.stop()

        rig.run(scenario())
    finally:
        rig.sim.call(lambda s: s.set_faults(reset=True))
    assert rig.person("G7020") is not None
    done = [(r.action, r.result) for r in rig.audit.rows() if r.target == "person G7020" and r.result != "sending"]
    assert done == [("person.add", "ok")]
    assert not p.busy()
