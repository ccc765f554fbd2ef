from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication

from console.services.spaces import BookingRequest
from console.services.visitors.form import VisitForm
from console.ui import theme
from tests.helpers import until
from tests.ui.test_spaces_desk_day import make_rig, sim  # noqa: F401

OUT = Path("/tmp/spaceshots")


def test_shots(qtbot: Any, run: Callable[..., Any], sim: Any, tmp_path: Path, qapp: QApplication) -> None:  # noqa: F811
    OUT.mkdir(exist_ok=True)
    rig, client = make_rig(qtbot, run, sim, tmp_path, manage=["HQ"])
    (hid, hpin), (pid, _p) = rig.persons(2)

    async def go() -> None:
        for name, number in (("Ann Lee", "E1234501"), ("Bo Chen", "E1234502")):
            form = VisitForm.blank(rig.now())
            form.visitor_name, form.cert_type, form.cert_num, form.company = name, "3", number, "Globex"
            form.host_pin, form.reason = hpin, "Contract"
            assert (await rig.visitors.register(form)).ok
        now = rig.now()
        start = now.replace(minute=0, second=0) + timedelta(hours=1)
        row = rig.free_row(start, start + timedelta(hours=1))
        space = rig.panel.model.space_at(row)
        r = await rig.desk.book(BookingRequest(space_id=space.id, subject="Globex contract", start=start,
                                               end=start + timedelta(hours=1), host_pin=hpin, participant_ids=(),
                                               visitors=("Ann Lee (Globex)", "Bo Chen (Globex)")))
        assert r.ok, r.message
        rig.panel.today()
        running = [b for b in rig.desk.bookings.values() if b.status.name == "IN_PROGRESS"]
        rig.panel.view.select(running[0].id)
        rig.panel.view.toggle_mark(r.booking_id)
        await until(lambda: not rig.panel.busy(), 10)
        for name in ("light", "dark"):
            theme.apply_theme(qapp, name)
            rig.panel.apply_theme()
            qtbot.wait(50)
            rig.panel.grab().save(str(OUT / f"panel-{name}.png"))
        rig.panel.view.clear_marks()
        rig.panel.view.select(r.booking_id)
        await until(lambda: not rig.panel.busy(), 10)
        rig.panel.grab().save(str(OUT / "panel-visitors.png"))
        rig.panel.set_view("week")
        qtbot.wait(50)
        rig.panel.grab().save(str(OUT / "week.png"))
        rig.panel.set_view("day")
        task = rig.panel._spawn("book", rig.panel.edit_booking(r.booking_id))
        d = await until(lambda: rig.panel.dialog if rig.panel.dialog and rig.panel.dialog.isVisible() else None)
        qtbot.wait(50)
        d.grab().save(str(OUT / "dialog.png"))
        d.reject()
        await task
        rig.panel.manage_button.click()
        m = await until(lambda: rig.panel.manage_dialog if rig.panel.manage_dialog and rig.panel.manage_dialog.isVisible() else None)
        m.select("space", next(iter(rig.desk.spaces)))
        qtbot.wait(50)
        m.grab().save(str(OUT / "manage-space.png"))
        m.tabs.setCurrentWidget(m.facility_tab)
        m.new_item("facility")
        m.facility_tab.fields["name"].setText("Whiteboard")
        m.facility_tab.fields["number"].setText("12")
        await m.save("facility")
        qtbot.wait(50)
        m.grab().save(str(OUT / "manage-facility.png"))
        m.reject()
        await until(lambda: rig.panel.manage_dialog is None)
        await until(lambda: not rig.panel.busy(), 10)

    async def guarded() -> None:
        import traceback
        try:
            await go()
        except BaseException:
            Path("/tmp/shots.tb").write_text(traceback.format_exc())
    run(guarded(), timeout=60)
    run(rig.panel.stop())
    run(client.aclose())
    rig.audit.close()
