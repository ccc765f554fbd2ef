"""The visitor desk panel against the simulator: register through the form, hand over, check out, paper."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import zxingcpp
from PySide6.QtCore import QDateTime, Qt
from PySide6.QtGui import QImage
from PySide6.QtPdf import QPdfDocument
from PySide6.QtWidgets import QScrollArea, QWidget
from pytestqt.qtbot import QtBot
from shiboken6 import isValid

from console.api import ApiError, Client
from console.services.audit import AuditLog
from console.services.paths import Paths
from console.services.session import Profile, Session
from console.services.session_services import SessionServices
from console.services.settings import Settings
from console.services.visitors import REGISTRATION_KEYS, VisitorDesk, check_character, refusal_for
from console.services.visitors.refusals import _TABLE as REFUSALS
from console.sim import SimConfig, SimulatorThread
from console.sim.rules import qr_value
from console.ui.visitors import VisitorsPanel
from console.ui.visitors.models import ExpectedModel, OnSiteModel
from tests.helpers import until
from tests.ui.fit import LEFT_COLUMN, assert_fit, lay_out, themed

TOKEN = "visitor-panel-token-5be1"
SEED = 11
_serial = itertools.count(100)


def id_number() -> str:
    first17 = f"11010119870523{next(_serial):03d}"
    return first17 + check_character(first17)


@pytest.fixture(scope="module")
def sim() -> Iterator[SimulatorThread]:
    thread = SimulatorThread(SimConfig(token=TOKEN, seed=SEED, site="small", event_rate=0.0))
    thread.start()
    yield thread
    thread.stop()


@dataclass
class Desk:
    panel: VisitorsPanel
    session: Session
    audit: AuditLog
    sim: SimulatorThread
    paths: Paths
    run: Callable[..., Any]

    def handled(self, path: str, needle: str = "") -> list[dict[str, Any]]:
        """JSON bodies of POSTs to ``path`` that the server handled (not refused by an injected outage)."""
        records = self.sim.call(lambda s: list(s.requests))
        return [json.loads(r.body or b"{}") for r in records if r.method == "POST" and r.path == path
                and r.fault not in ("down", "error") and needle.encode() in r.body]

    def registrations(self, cert_num: str) -> list[Any]:
        def find(s: Any) -> list[Any]:
            pins = {v.pin for v in s.world.visitors.values() if v.cert_number == cert_num}
            return [r for r in s.world.registrations if r.visitor_pin in pins]

        return self.sim.call(find)


def make_panel(services: SessionServices) -> VisitorsPanel:
    assert services.visitors is not None
    panel = VisitorsPanel(services.visitors, services.settings)
    panel.resize(1280, 820)
    return panel


@pytest.fixture
def desk(qtbot: QtBot, run: Callable[..., Any], sim: SimulatorThread, tmp_path: Path) -> Iterator[Desk]:
    sim.call(lambda s: s.set_faults(reset=True))
    paths = Paths.under(tmp_path / "base").ensure()
    # the outbox retries on its own every poll interval; here only when the session says the server is back
    profile = Profile("HQ", sim.base_url, poll_interval=3600)
    session = Session(profile, Client(sim.base_url, TOKEN), "desk-anna", paths)
    settings = Settings(paths.settings_file, {"panels": {"visitors": {"site_name": "Test site"}}})
    services = SessionServices.build(session, settings)
    audit = services.audit
    panel = make_panel(services)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    rig = Desk(panel, session, audit, sim, paths, run)
    desk = services.visitors
    assert desk is not None

    async def start() -> None:
        await panel.start()
        desk.poller.start()  # the outbox is retried by the services, as in the console

    run(start())
    yield rig
    run(panel.stop())
    run(services.stop())
    sim.call(lambda s: s.set_faults(reset=True))


def a_host(desk: Desk) -> Any:
    return desk.sim.call(lambda s: next(p for p in s.world.persons.values() if not p.left and p.name))


def fill(desk: Desk, qtbot: QtBot, *, name: str = "Li Wei", cert_type: str = "2", cert_num: str = "",
         reason: str = "Meeting", company: str = "Globex", phone: str = "") -> str:
    """Fill the form as a receptionist does; the host is searched by name and picked from the list."""
    form = desk.panel.form
    host = a_host(desk)
    qtbot.keyClicks(form.host_edit, host.name[:3])
    desk.run(until(lambda: any(h.pin == host.pin for h in form.host_suggestions())))
    form.set_host(next(h for h in form.host_suggestions() if h.pin == host.pin))
    if name.isascii():
        qtbot.keyClicks(form.visitor_name, name)
    else:  # QTest types ASCII only
        form.visitor_name.insert(name)
    form.cert_type.setCurrentIndex(form.cert_type.findData(cert_type))
    number = cert_num or id_number()
    form.cert_num.clear()
    qtbot.keyClicks(form.cert_num, number)
    if phone:
        qtbot.keyClicks(form.phone, phone)
    qtbot.keyClicks(form.company, company)
    form.reason.setCurrentText(reason)
    now = datetime.now().replace(second=0, microsecond=0)
    form.start.setDateTime(QDateTime(now))
    form.end.setDateTime(QDateTime(now + timedelta(hours=4)))
    return number


def click(desk: Desk, qtbot: QtBot, button: QWidget) -> None:
    """Click, then let the panel finish what the click started."""
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    desk.run(until(lambda: not desk.panel.busy()))


def register(desk: Desk, qtbot: QtBot) -> None:
    click(desk, qtbot, desk.panel.register_button)


def decode(widget: QWidget) -> list[str]:
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_Grayscale8)
    pixels = np.frombuffer(image.constBits(), dtype=np.uint8, count=image.sizeInBytes())
    rows = pixels.reshape(image.height(), image.bytesPerLine())[:, : image.width()]
    return [code.text for code in zxingcpp.read_barcodes(np.ascontiguousarray(rows))]


def pdf_text(path: Path) -> str:
    document = QPdfDocument()
    assert document.load(str(path)) == QPdfDocument.Error.None_
    return "\n".join(document.getAllText(page).text() for page in range(document.pageCount()))


# -- register and hand over ---------------------------------------------------------------------------


def test_a_registration_through_the_form_reaches_the_server_and_its_qr_code_scans(desk: Desk, qtbot: QtBot) -> None:
    level_id, level_name = desk.sim.call(lambda s: next((lv.id, lv.name) for lv in s.world.levels.values()
                                                        if lv.kind == "vis"))
    number = fill(desk, qtbot, name="Li Wei", phone="13015648651")
    box = desk.panel.form.level_box(level_id)
    assert box is not None
    box.setChecked(True)
    assert box.text() == level_name
    register(desk, qtbot)
    assert desk.panel.banner.kind == "ok", desk.panel.banner.text

    [body] = desk.handled("/api/visRegistration/add", number)
    assert set(body) <= set(REGISTRATION_KEYS)
    host = a_host(desk)
    assert body["persPersonPin"] == host.pin
    assert (body["certType"], body["certNum"], body["visEmpName"]) == ("2", number, "Li Wei")
    assert (body["visitEmpPhone"], body["company"], body["visitReason"]) == ("13015648651", "Globex", "Meeting")
    assert body["visitorCount"] == "1"
    assert body["visLevels"] == level_id
    for key in ("startTime", "endTime"):
        assert datetime.strptime(body[key], "%Y-%m-%d %H:%M:%S").second == 0  # HH:mm:ss, whole minutes
    [registration] = desk.registrations(number)
    assert registration.checked_out_at is None

    # the hand-over shows the code the server issues for this visitor
    panel = desk.panel
    assert panel.handover_name.full_text() == "Li Wei"
    expected = desk.sim.call(lambda s: qr_value(s.world.seed, "visitor", registration.visitor_pin, s.world.now()))
    assert panel.qr_view.value == expected
    assert decode(panel.qr_view) == [expected]
    assert panel.qr_view.width() >= 300  # large enough to scan from arm's length

    # the server rotates the code: a refresh shows the new one
    desk.sim.call(lambda s: s.world.clock.advance(301))
    click(desk, qtbot, panel.refresh_qr_button)
    rotated = desk.sim.call(lambda s: qr_value(s.world.seed, "visitor", registration.visitor_pin, s.world.now()))
    assert rotated != expected
    assert panel.qr_view.value == rotated
    assert decode(panel.qr_view) == [rotated]

    # the form is empty for the next visitor, the draft is gone, the audit log has the registration
    assert panel.form.visitor_name.text() == ""
    assert panel.desk.drafts.all() == []
    [sending, row] = desk.audit.rows(action="visitor.register")  # before it left, then its outcome
    assert sending.result == "sending"
    assert (row.operator, row.profile, row.result) == ("desk-anna", "HQ", "ok")
    assert number not in row.target


def test_the_visitor_screen_shows_the_same_code_big(desk: Desk, qtbot: QtBot) -> None:
    fill(desk, qtbot, name="Screen Guest")
    register(desk, qtbot)
    assert desk.panel.qr_view.value
    desk.panel.screen_button.setChecked(True)
    screen = desk.panel.visitor_screen
    assert screen is not None
    qtbot.waitExposed(screen)
    assert screen.welcome.full_text() == "Welcome, Screen Guest"
    assert decode(screen.qr) == [desk.panel.qr_view.value]
    desk.panel.screen_button.setChecked(False)
    assert not screen.isVisible()


def test_returning_visitors_are_offered_and_fill_the_form(desk: Desk, qtbot: QtBot) -> None:
    known = desk.sim.call(lambda s: next(v for v in s.world.visitors.values() if not v.blocked and v.company))
    form = desk.panel.form
    form.cert_num.setFocus()
    qtbot.keyClicks(form.cert_num, known.cert_number[:6])
    desk.run(until(lambda: any(v.pin == known.pin for v in form.visitor_suggestions())))
    completer = form.cert_num.completer()
    popup = completer.popup()
    model = completer.completionModel()
    row = next(r for r in range(model.rowCount()) if known.cert_number in model.index(r, 0).data())
    assert popup.isVisible()
    popup.setCurrentIndex(model.index(row, 0))
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert form.visitor_name.text() == " ".join(part for part in (known.name, known.last_name) if part)
    assert form.cert_num.text() == known.cert_number
    assert form.cert_type.currentData() == known.cert_type
    assert form.company.text() == known.company


# -- validation and refusals --------------------------------------------------------------------------

RULES: list[tuple[str, Callable[[VisitorsPanel], None]]] = [
    ("host", lambda p: p.form.set_host(None)),
    ("visitor_name", lambda p: p.form.visitor_name.setText("")),
    ("visitor_name", lambda p: p.form.visitor_name.setText("<b>Li</b>")),
    ("cert_num", lambda p: p.form.cert_num.setText("11010119870523")),
    ("cert_num", lambda p: p.form.cert_num.setText(id_number()[:17] + "0" if not id_number().endswith("0")
                                                   else id_number()[:17] + "1")),
    ("cert_num", lambda p: (p.form.cert_type.setCurrentIndex(p.form.cert_type.findData("3")),
                            p.form.cert_num.setText("E123;DROP"))),
    ("phone", lambda p: p.form.phone.setText("ask reception")),
    ("company", lambda p: p.form.company.setText("Smith & Sons")),
    ("reason", lambda p: p.form.reason.setCurrentText("")),
    ("visitor_count", lambda p: p.form.visitor_count.setValue(0)),
    ("end", lambda p: p.form.end.setDateTime(p.form.start.dateTime().addSecs(-60))),
    ("end", lambda p: (p.form.start.setDateTime(QDateTime.currentDateTime().addDays(-2)),
                       p.form.end.setDateTime(QDateTime.currentDateTime().addDays(-1)))),
    ("card_no", lambda p: p.form.card_no.setText("12 34")),
]


@pytest.mark.parametrize(("field", "spoil"), RULES, ids=[f"{f}-{i}" for i, (f, _) in enumerate(RULES)])
def test_each_rule_refuses_bad_input_before_sending(
    desk: Desk, qtbot: QtBot, field: str, spoil: Callable[[VisitorsPanel], None]
) -> None:
    number = fill(desk, qtbot, name="Rule Breaker")
    spoil(desk.panel)
    before = len(desk.handled("/api/visRegistration/add"))
    register(desk, qtbot)
    assert desk.panel.banner.kind == "warn"
    shown = desk.panel.form.problems_shown()
    assert list(shown) == [field], shown
    assert desk.panel.form.errors[field].isVisible()
    assert len(desk.handled("/api/visRegistration/add")) == before  # nothing reached the server
    assert desk.registrations(number) == []


def test_an_unknown_host_is_refused_by_the_server_on_the_host_field(desk: Desk, qtbot: QtBot) -> None:
    from console.services.visitors import Host

    fill(desk, qtbot, name="Lost Guest")
    desk.panel.form.set_host(Host(pin="424242", name="Nobody"))
    register(desk, qtbot)
    assert desk.panel.form.problems_shown() == {"host": "The server has no employee with this pin: pick the host "
                                                        "again"}


def test_a_second_registration_of_the_same_visitor_is_refused_on_the_banner(desk: Desk, qtbot: QtBot) -> None:
    number = fill(desk, qtbot, name="Twice")
    register(desk, qtbot)
    fill(desk, qtbot, name="Twice", cert_num=number)
    register(desk, qtbot)
    assert desk.panel.banner.kind == "alarm"
    assert "already registered" in desk.panel.banner.text
    assert len(desk.registrations(number)) == 1


def test_a_blocked_visitor_is_shown_as_blocked_and_gets_no_code(desk: Desk, qtbot: QtBot) -> None:
    blocked = desk.sim.call(lambda s: next(v for v in s.world.visitors.values() if v.blocked))
    fill(desk, qtbot, name=blocked.name, cert_type=blocked.cert_type, cert_num=blocked.cert_number)
    register(desk, qtbot)
    banner = desk.panel.banner
    assert banner.kind == "blocked"
    assert banner.text.splitlines()[0].endswith("BLOCK LIST: DO NOT ADMIT")
    assert blocked.cert_number in banner.text
    assert desk.panel.qr_view.value == ""
    assert not desk.panel.badge_print_button.isEnabled()
    assert desk.panel.form.problems_shown()["cert_num"] == "On the block list"
    assert desk.panel.desk.on_site() == []


@pytest.mark.parametrize("code", sorted(REFUSALS))
def test_every_refusal_code_lands_on_its_field_or_the_banner(
    desk: Desk, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, code: int
) -> None:
    async def refuse(*_: Any, **__: Any) -> None:
        raise ApiError(code, "<b>server words</b>", section="2.18.1")

    monkeypatch.setattr(desk.session.client, "register_visitor", refuse)
    fill(desk, qtbot, name="Refused")
    register(desk, qtbot)
    refusal = refusal_for(ApiError(code))
    shown = desk.panel.form.problems_shown()
    if refusal.blocked:
        assert desk.panel.banner.kind == "blocked"
    elif refusal.field is not None:
        assert list(shown) == [refusal.field]
        assert shown[refusal.field].lower() == refusal.text.lower()
    else:
        assert shown == {}
        assert desk.panel.banner.kind == "alarm"
        assert refusal.text in desk.panel.banner.text
        assert "<b>server words</b>" in desk.panel.banner.label.text()  # shown as plain text
        assert desk.panel.banner.label.textFormat() == Qt.TextFormat.PlainText


# -- nothing typed is lost ----------------------------------------------------------------------------


def test_a_half_filled_form_survives_a_crash_and_comes_back(desk: Desk, qtbot: QtBot) -> None:
    form = desk.panel.form
    qtbot.keyClicks(form.visitor_name, "Half Typed")
    qtbot.keyClicks(form.cert_num, "11010119870523")
    qtbot.keyClicks(form.company, "Initech")
    drafts = desk.panel.desk.drafts
    desk.run(until(lambda: drafts.all() and drafts.all()[0][2].company == "Initech"))
    # the console dies without stop(): a new panel on the same files
    files_again = VisitorDesk(desk.session.client, data_dir=desk.paths.data_dir, profile="HQ", operator="desk-anna",
                              audit=desk.audit)
    again = VisitorsPanel(files_again, Settings(desk.paths.settings_file))
    again.resize(1280, 820)
    qtbot.addWidget(again)
    desk.run(again.start())
    try:
        assert again.form.visitor_name.text() == "Half Typed"
        assert again.form.cert_num.text() == "11010119870523"
        assert again.form.company.text() == "Initech"
        assert again.banner.kind == "info"
        assert "Half Typed" in again.banner.text
    finally:
        desk.run(again.stop())


def test_a_registration_while_the_server_is_down_is_kept_and_sent_once_it_is_back(desk: Desk, qtbot: QtBot) -> None:
    panel = desk.panel
    desk.sim.call(lambda s: s.set_faults(down_seconds=600))
    number = fill(desk, qtbot, name="Outage Guest")
    register(desk, qtbot)
    assert panel.banner.kind == "warn"
    assert "kept" in panel.banner.text
    assert panel.outbox_line.isVisible()
    assert "1 registration" in panel.outbox_label.text()
    assert panel.form.visitor_name.text() == ""  # nothing to retype: it waits in the outbox
    assert desk.registrations(number) == []
    # "Try now" while still down changes nothing
    click(desk, qtbot, panel.outbox_try)
    assert "still cannot be reached" in panel.banner.text
    assert desk.registrations(number) == []
    # the server comes back; the desk notices on its own (the session reports it online)
    desk.sim.call(lambda s: s.set_faults(reset=True))
    desk.session.report_ok()
    desk.run(until(lambda: not panel.outbox_line.isVisible(), timeout=15))
    assert "Outage Guest" in panel.banner.text
    assert len(desk.registrations(number)) == 1
    assert len(desk.handled("/api/visRegistration/add", number)) == 1
    assert [v.visit_form.visitor_name for v in panel.onsite_model.rows()] == ["Outage Guest"]


def test_a_kept_registration_refused_later_goes_back_to_the_form_to_be_fixed(desk: Desk, qtbot: QtBot) -> None:
    from console.services.visitors import Host

    panel = desk.panel
    desk.sim.call(lambda s: s.set_faults(down_seconds=600))
    fill(desk, qtbot, name="Wrong Host")
    panel.form.set_host(Host(pin="424242", name="Left the company"))
    register(desk, qtbot)
    desk.sim.call(lambda s: s.set_faults(reset=True))
    click(desk, qtbot, panel.outbox_try)
    assert panel.outbox_line.isVisible()
    assert "refused by the server" in panel.outbox_label.text()
    [entry] = [e for e in panel.desk.outbox if e.state == "refused"]
    panel.reopen_refused(entry.id)
    assert panel.form.visitor_name.text() == "Wrong Host"
    assert list(panel.form.problems_shown()) == ["host"]
    assert not panel.outbox_line.isVisible()
    assert any(f.visitor_name == "Wrong Host" for _, _, f in panel.desk.drafts.all())  # kept as a draft


# -- check out and paper ------------------------------------------------------------------------------


def test_check_out_removes_the_visitor_from_the_on_site_list(desk: Desk, qtbot: QtBot) -> None:
    panel = desk.panel
    number = fill(desk, qtbot, name="Leaving Soon")
    register(desk, qtbot)
    panel.tabs.setCurrentIndex(2)
    assert panel.onsite_model.rowCount() == 1
    panel.onsite_view.selectRow(0)
    assert panel.checkout_button.text() == "Check out Leaving Soon"
    click(desk, qtbot, panel.checkout_button)
    assert panel.onsite_model.rowCount() == 0
    assert panel.banner.kind == "ok"
    [registration] = desk.registrations(number)
    assert registration.checked_out_at is not None
    assert panel.qr_view.value == ""  # the hand-over of a visitor who left is cleared


def test_badge_and_evacuation_list_export_with_the_visitors_name(desk: Desk, qtbot: QtBot, tmp_path: Path) -> None:
    panel = desk.panel
    fill(desk, qtbot, name="Paper Trail", company="Umbrella Logistics")
    register(desk, qtbot)
    assert panel.qr_view.value
    badge = tmp_path / "badge.pdf"
    panel.export_badge_pdf(badge)
    text = pdf_text(badge)
    assert "Paper Trail" in text
    assert "Umbrella Logistics" in text
    assert "VISITOR" in text
    evacuation = tmp_path / "evacuation.pdf"
    panel.export_evacuation_pdf(evacuation)
    listed = pdf_text(evacuation)
    assert "Evacuation list" in listed
    assert "Paper Trail" in listed
    csv_path = tmp_path / "evacuation.csv"
    assert panel.export_evacuation_csv(csv_path) == 1
    assert "Paper Trail" in csv_path.read_text(encoding="utf-8-sig")


def test_the_badge_print_preview_opens_without_blocking_and_closes(desk: Desk, qtbot: QtBot) -> None:
    from PySide6.QtPrintSupport import QPrintPreviewDialog
    from PySide6.QtWidgets import QApplication

    from console.ui import aio

    fill(desk, qtbot, name="Preview Guest")
    register(desk, qtbot)

    def dialog() -> QPrintPreviewDialog | None:
        found = [w for w in QApplication.topLevelWidgets() if isinstance(w, QPrintPreviewDialog) and w.isVisible()]
        return found[0] if found else None

    async def scenario() -> None:
        task = aio.spawn(desk.panel.print_badge())
        shown = await until(dialog)
        assert shown.windowTitle() == "Badge: Preview Guest"
        shown.reject()
        await task

    desk.run(scenario())


# -- booked visits ------------------------------------------------------------------------------------


def test_a_booked_visitor_is_registered_with_one_click_on_arrival(desk: Desk, qtbot: QtBot) -> None:
    panel = desk.panel
    number = fill(desk, qtbot, name="Booked Guest", cert_type="3", cert_num="P7788990")
    start = datetime.now().replace(second=0, microsecond=0) + timedelta(minutes=2)
    panel.form.start.setDateTime(QDateTime(start))
    panel.form.end.setDateTime(QDateTime(start + timedelta(hours=2)))
    click(desk, qtbot, panel.book_button)
    assert panel.banner.kind == "ok", panel.banner.text
    assert desk.sim.call(lambda s: [r.visitor_name for r in s.world.reservations if r.cert_num == number]) == [
        "Booked Guest"]
    panel.expected_day.setDate(start.date())
    assert panel.expected_model.rowCount() == 1
    panel.tabs.setCurrentIndex(1)
    panel.expected_view.selectRow(0)
    assert panel.arrived_button.isEnabled() == (start.date() == datetime.now().date())
    [item] = panel.expected_model.rows()
    desk.run(panel.arrived(item.id))
    assert panel.banner.kind == "ok", panel.banner.text
    assert len(desk.registrations(number)) == 1
    assert panel.expected_model.rowCount() == 0
    assert [v.visit_form.visitor_name for v in panel.onsite_model.rows()] == ["Booked Guest"]


def test_the_lists_are_sound_qt_models(desk: Desk, qtbot: QtBot, qtmodeltester: Any) -> None:
    fill(desk, qtbot, name="Zoë O'Brien-Müller")
    register(desk, qtbot)
    qtmodeltester.check(desk.panel.onsite_model)
    qtmodeltester.check(ExpectedModel())
    assert isinstance(desk.panel.onsite_model, OnSiteModel)
    index = desk.panel.onsite_model.index(0, 0)
    assert index.data() == "Zoë O'Brien-Müller"


def test_the_desk_fits_the_left_column_and_the_form_never_scrolls_sideways(desk: Desk, qapp: Any) -> None:
    panel = desk.panel
    scroll = next(s for s in panel.findChildren(QScrollArea) if s.widget() and s.widget().isAncestorOf(panel.form))
    hand_over = panel.findChild(QWidget, "handOver")
    with themed(qapp):
        assert panel.minimumSizeHint().width() <= LEFT_COLUMN
        lay_out(panel, 850, 760)  # the left column of a 1280x800 screen
        assert_fit(panel, [panel.tabs])
        assert scroll.horizontalScrollBar().maximum() == 0  # every field whole, none past the right edge
        assert scroll.viewport().width() >= panel.form.minimumSizeHint().width()
        assert_fit(scroll.widget(), [panel.form, panel.register_button, panel.book_button, panel.drafts_button,
                                     panel.clear_button])
        assert_fit(hand_over, [panel.qr_view, panel.refresh_qr_button, panel.screen_button,
                               panel.badge_print_button, panel.badge_pdf_button])


def test_a_stop_cut_off_while_a_registration_is_on_the_wire_still_closes_the_visitor_screen(
        desk: Desk, qtbot: QtBot) -> None:
    """The console switches connection (or quits) while a slow server has a registration: the workspace gives the
    panel's stop 3 s. The lobby's screen must not stay on with the last visitor's welcome and code."""
    fill(desk, qtbot, name="Screen Guest")
    register(desk, qtbot)
    desk.panel.screen_button.setChecked(True)
    screen = desk.panel.visitor_screen
    assert screen is not None
    qtbot.waitExposed(screen)
    fill(desk, qtbot, name="Slow Guest")
    desk.sim.call(lambda s: s.set_faults(latency_ms=4500))  # longer than the stop's 3 s

    async def stop_as_the_workspace_does() -> None:
        qtbot.mouseClick(desk.panel.register_button, Qt.MouseButton.LeftButton)
        await until(lambda: desk.panel.tasks.busy(), 5)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(desk.panel.stop(), 3)

    try:
        desk.run(stop_as_the_workspace_does())
    finally:
        desk.sim.call(lambda s: s.set_faults(reset=True))
    assert desk.panel.visitor_screen is None
    assert not isValid(screen) or not screen.isVisible()  # closed (and deleted)
    assert not desk.panel.tasks.busy()  # the registration was let run 2 s, then cancelled with the rest
