from __future__ import annotations

import struct
import zlib

import pytest
from PySide6.QtCore import QCoreApplication, QMimeData, QPointF, Qt
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent, QImage

from console.services.floorplans import PlanError
from console.ui.doors import DoorsPanel
from console.ui.doors.floorplan import MarkerItem, PlansWidget, load_plan_item
from tests.helpers import until


def drop(panel: DoorsPanel, keys, scene_point: QPointF) -> None:
    """Drop board items on the plan the way a drag from the list does (the model's own MIME data)."""
    view = panel.plans_widget.view
    mime: QMimeData = panel.model.mimeData([panel.model.index_of(k) for k in keys])
    point = view.mapFromScene(scene_point)
    args = (Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    try:  # PySide6 6.12 deprecates QDragEnterEvent(QPoint, ...) for a QPointF overload that 6.11 lacks
        enter = QDragEnterEvent(QPointF(point), *args)
    except TypeError:
        enter = QDragEnterEvent(point, *args)
    QCoreApplication.sendEvent(view.viewport(), enter)
    assert enter.isAccepted(), "the plan must accept board items"
    QCoreApplication.sendEvent(view.viewport(), QDropEvent(QPointF(point), *args))


def test_a_floor_plan_with_markers_survives_a_restart(open_panel, run, tmp_path) -> None:
    image = QImage(800, 500, QImage.Format.Format_RGB32)
    image.fill(QColor("#dde3ea"))
    plan_file = tmp_path / "ground.png"
    assert image.save(str(plan_file))

    panel = open_panel()
    run(panel.board.poll_once())
    plan = run(panel.plans_widget.add_plan("Ground floor", plan_file))
    assert plan is not None
    assert panel.plans_widget.current == plan
    run(until(lambda: not panel.plans_widget.loading))  # decoded in a worker thread
    panel.tabs.setCurrentWidget(panel.plans_widget)
    door = next(i for i in panel.board.items if i.is_door)
    gate = next(i for i in panel.board.items if not i.is_door)
    drop(panel, [door.key], QPointF(200, 150))
    drop(panel, [gate.key], QPointF(600, 400))
    markers = panel.plans_widget.view.markers
    assert set(markers) == {door.key, gate.key}
    placed = {k: (round(m.pos().x()), round(m.pos().y())) for k, m in markers.items()}
    assert abs(placed[door.key][0] - 200) <= 2
    assert abs(placed[door.key][1] - 150) <= 2
    assert markers[door.key].item == panel.board.item(door.key)  # live state on the marker
    run(panel.stop())

    again = open_panel()
    run(again.board.poll_once())
    restored = again.plans_widget.current
    assert restored is not None
    run(until(lambda: not again.plans_widget.loading))
    assert restored.name == "Ground floor"
    again_markers = again.plans_widget.view.markers
    assert {k: (round(m.pos().x()), round(m.pos().y())) for k, m in again_markers.items()} == placed
    assert all(isinstance(m, MarkerItem) and m.item is not None for m in again_markers.values())
    menu = again._menu_for_key(door.key)
    assert menu is not None
    assert any(a.text().startswith("Open for") for a in menu.actions())


def test_a_plan_opens_in_the_background_and_the_operators_last_choice_wins(open_panel, run, tmp_path,
                                                                           monkeypatch) -> None:
    """A big plan is decoded in a worker thread, its markers placed over a few turns: the board stays live, the
    hint says the plan is opening, and a plan picked meanwhile is the one that appears. A door marked (an alarm)
    or placed while its plan opens is ringed, or put in the middle, once the plan is there."""
    panel = open_panel()
    run(panel.board.poll_once())
    widget = panel.plans_widget
    files = {}
    for name, size, colour in (("East", (1600, 1000), "#dde3ea"), ("West", (900, 600), "#eadddd")):
        image = QImage(*size, QImage.Format.Format_ARGB32)  # an alpha channel: converted in the worker, in strips
        image.fill(QColor(colour))
        files[name] = tmp_path / f"{name}.png"
        assert image.save(str(files[name]))
    east = panel.plans.add("East wing", files["East"])
    west = panel.plans.add("West wing", files["West"])
    items = panel.board.items
    monkeypatch.setattr(PlansWidget, "PLACE_AT_ONCE", 4)  # as with hundreds of markers: the rest in slices
    monkeypatch.setattr(PlansWidget, "PLACE_SLICE", 3)
    on_plan = items[:10]
    for n, item in enumerate(on_plan):
        east = panel.plans.set_marker(east.id, item.key, 40.0 + 100 * n, 300.0)
    panel.tabs.setCurrentWidget(widget)

    widget.reload_combo(east.id)
    assert widget.loading
    assert widget.hint.text() == "Opening the plan East wing…"
    widget.reload_combo(west.id)  # the operator picks another plan before the first is there
    run(until(lambda: not widget.loading))
    assert widget.current == west
    assert widget.view.image_rect.size().toSize().toTuple() == (900, 600)  # West's image, never East's
    assert widget.view.markers == {}
    run(until(lambda: not widget.loading))  # East's late answer changes nothing
    assert widget.view.image_rect.width() == 900

    alarm_door = on_plan[-1].key  # among the last placed
    widget.reload_combo(east.id)
    assert widget.mark_alarm(alarm_door)  # it is on this plan: ringed when it is there
    run(until(lambda: not widget.loading))
    assert set(widget.view.markers) == {i.key for i in on_plan}
    assert all(m.isVisible() and m.scene() is widget.view.scene() for m in widget.view.markers.values())
    assert widget.view.image_rect.width() == 1600
    assert [k for k, m in widget.view.markers.items() if m.alarm_mark] == [alarm_door]
    assert widget.view.markers[alarm_door].isSelected()
    assert widget.hint.text() == "Drag doors and gates from the list onto the plan."

    widget.reload_combo(west.id)
    run(until(lambda: not widget.loading))
    widget.reload_combo(east.id)
    stranger = items[len(on_plan)]  # an alarm's door on no plan: "Place it on this plan" pressed while it opens
    widget.offer_to_place(stranger.key)
    assert widget.place_button.isVisible()
    widget.place_button.click()
    assert widget.hint.text() == f"{stranger.name} goes on East wing as soon as the plan is open…"
    run(until(lambda: not widget.loading and stranger.key in widget.view.markers))
    middle = widget.view.markers[stranger.key].pos()
    assert (round(middle.x()), round(middle.y())) == (800, 500)  # in the middle, to be dragged into place
    assert [k for k, m in widget.view.markers.items() if m.alarm_mark] == [stranger.key]
    assert widget.hint.text() == "Drag the marker to where the door is."
    assert panel.plans.plans_with(stranger.key)


def png_claiming(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(
        b"IEND", b""
    )


def test_a_plan_image_too_large_to_decode_is_refused_from_its_header(qapp, tmp_path) -> None:
    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png_claiming(30_000, 30_000))  # 3.6 GB of pixels claimed by a few hundred bytes
    with pytest.raises(PlanError, match="30000×30000"):
        load_plan_item(bomb)
    svg = tmp_path / "plan.svg"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="640" height="480"><rect width="9"/></svg>')
    _item, size = load_plan_item(svg)
    assert (size.width(), size.height()) == (640, 480)
    text = tmp_path / "fake.jpg"
    text.write_text("<html>not a plan</html>")
    with pytest.raises(PlanError):
        load_plan_item(text)


def test_adding_a_plan_decodes_it_off_the_gui_thread_and_refuses_a_broken_one(open_panel, run, tmp_path,
                                                                                 monkeypatch) -> None:
    """The image is checked before it is copied in, decoded in a worker thread (a big plan is a fifth of a
    second: the board must not freeze), and a file that is not an image is refused with a message."""
    import threading

    import console.ui.doors.floorplan as floorplan

    decoded_in: list[bool] = []
    real = floorplan.read_plan_image

    def watched(path):
        decoded_in.append(threading.current_thread() is threading.main_thread())
        return real(path)

    monkeypatch.setattr(floorplan, "read_plan_image", watched)
    image = QImage(800, 500, QImage.Format.Format_RGB32)
    image.fill(QColor("#dde3ea"))
    good = tmp_path / "first.png"
    assert image.save(str(good))
    broken = tmp_path / "second.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n" + b"not a plan" * 100)
    panel = open_panel()
    said: list[tuple[str, bool]] = []
    panel.plans_widget.message.connect(lambda text, ok: said.append((text, ok)))

    assert run(panel.plans_widget.add_plan("First floor", good)) is not None
    assert decoded_in[:1] == [False]  # the check's decoding ran in a worker thread
    assert run(panel.plans_widget.add_plan("Second floor", broken)) is None
    assert [p.name for p in panel.plans] == ["First floor"]  # the broken one was not copied in
    assert said[0] == ("Plan First floor added", True)
    assert not said[-1][1]
    assert "second.png" in said[-1][0]


def test_the_floor_plans_tab_is_built_when_opened_or_soon_after_the_start(open_panel, run, qtbot) -> None:
    """The first fresh tiles do not wait for the Floor plans tab (issue 15): it is built when the operator opens it,
    in place of its empty page, or on its own soon after the panel starts; either way it then shows the board."""
    from console.ui.doors import panel as panel_module
    from console.ui.doors.floorplan import PlansWidget

    panel = open_panel()
    run(panel.board.poll_once())
    assert panel._plans_widget is None
    assert [panel.tabs.tabText(i) for i in range(panel.tabs.count())] == ["Board", "Floor plans"]
    panel.tabs.setCurrentIndex(1)  # the operator opens it
    shown = panel.tabs.currentWidget()
    assert isinstance(shown, PlansWidget)
    assert shown is panel.plans_widget
    assert [panel.tabs.tabText(i) for i in range(panel.tabs.count())] == ["Board", "Floor plans"]
    qtbot.waitUntil(lambda: shown.list.model() is not None and shown.list.model().rowCount() > 0)

    later = open_panel()
    assert later._plans_widget is None
    run(later.start())
    qtbot.waitUntil(lambda: later._plans_widget is not None, timeout=panel_module.PLANS_AFTER_MS + 5000)
    assert later.tabs.currentIndex() == 0  # built in the background: the board stays in front
    assert later.tabs.widget(1) is later.plans_widget
