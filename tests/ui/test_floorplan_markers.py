"""Floor-plan markers drawn from cached images, labels where they fit, tool tips, and updates in slices."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QPoint, QSize
from PySide6.QtGui import QColor, QContextMenuEvent, QHelpEvent, QImage, QPixmap
from PySide6.QtWidgets import QApplication, QGraphicsPixmapItem, QToolTip

from console.api.models import ConnectState, DoorAlarm, SensorState
from console.services.doors import Item, Kind
from console.ui.doors import floorplan_marks as marks
from console.ui.doors.floorplan import MarkerItem, PlansWidget, PlanView
from console.ui.doors.style import Severity, colours, status_line
from tests.helpers import until
from tests.ui.fit import themed


def door(n: int, name: str = "", **state: object) -> Item:
    fields: dict[str, object] = {"connect": ConnectState.ONLINE, "sensor": SensorState.CLOSED, "has_state": True}
    fields.update(state)
    return Item(Kind.DOOR, str(n), name or f"Door {n}", **fields)  # type: ignore[arg-type]


@pytest.fixture
def plan_view(qtbot):
    """A 1000x800 white plan in a 600x400 view, at 1:1, and ``place(item, x, y)`` for markers."""
    view = PlanView()
    view.resize(600, 400)
    image = QImage(1000, 800, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    view.set_image(QGraphicsPixmapItem(QPixmap.fromImage(image)), QSize(1000, 800))
    view.show()
    qtbot.waitExposed(view)
    view.resetTransform()
    palette = colours(view.palette())

    def place(item: Item, x: float, y: float) -> MarkerItem:
        marker = MarkerItem(item.key, lambda key, point: None)
        view.scene().addItem(marker)
        view.markers[item.key] = marker
        marker.setPos(x, y)
        marker.set_state(item, palette)
        return marker

    view.place = place
    view.palette_colours = palette
    yield view
    view.close()
    view.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def dot_colour(view: PlanView, marker: MarkerItem) -> QColor:
    """The colour painted a few pixels left of the dot's centre (clear of its letter)."""
    QApplication.processEvents()
    picture = view.viewport().grab().toImage()
    centre = view.mapFromScene(marker.pos())
    return picture.pixelColor(centre.x() - 6, centre.y())


def close(a: QColor, b: QColor) -> bool:
    return max(abs(a.red() - b.red()), abs(a.green() - b.green()), abs(a.blue() - b.blue())) <= 8


def test_a_marker_image_is_drawn_again_when_its_state_changes_and_only_then(plan_view) -> None:
    view, c = plan_view, plan_view.palette_colours
    marker = view.place(door(1), 300, 150)
    view.centerOn(marker)
    assert close(dot_colour(view, marker), c.accent[Severity.OK])
    drawn, look = marks.IMAGES.drawn, marker.look

    marker.set_state(door(1), c)  # the same state again (a poll that changed nothing): nothing to draw
    assert marker.look is look
    assert close(dot_colour(view, marker), c.accent[Severity.OK])
    assert marks.IMAGES.drawn == drawn

    marker.set_state(door(1, door_alarm=DoorAlarm.OPENED_ACCIDENTALLY), c)  # the door is forced open
    assert marker.look != look
    assert marker.look is not None
    assert marker.look.word == "ALARM: FORCED OPEN"
    assert close(dot_colour(view, marker), c.accent[Severity.ALARM])
    assert marks.IMAGES.drawn > drawn


def test_labels_show_where_they_fit_and_the_tooltip_keeps_the_name(plan_view, qtbot) -> None:
    view = plan_view
    upper = view.place(door(1, "North stair <b>exit</b>"), 300, 150)
    lower = view.place(door(2, "North stair lobby"), 300, 185)  # its dot is under the upper marker's label
    view.centerOn(upper)
    QApplication.processEvents()
    assert view.shown_labels() == {lower.key}  # at 1:1 the upper label would hide the lower dot
    assert not upper.label_shown
    assert lower.label_shown

    view.scale(3, 3)  # zoomed in, the two are far enough apart for both labels
    view.centerOn(upper)
    QApplication.processEvents()
    assert view.shown_labels() == {upper.key, lower.key}
    assert lower.label_shown  # at once: the labels of the smaller zoom still fit
    qtbot.waitUntil(lambda: upper.label_shown)  # this zoom's layout once the zooming pauses

    view.resetTransform()
    view.centerOn(upper)
    QApplication.processEvents()
    assert not upper.label_shown
    where = view.mapFromScene(upper.pos())
    QCoreApplication.sendEvent(view.viewport(), QHelpEvent(QEvent.Type.ToolTip, where,
                                                           view.viewport().mapToGlobal(where)))
    qtbot.waitUntil(QToolTip.isVisible)
    tip = QToolTip.text()
    assert "North stair &lt;b&gt;exit&lt;/b&gt;" in tip  # the name, as plain text
    assert "Closed" in tip
    QToolTip.hideText()

    with qtbot.waitSignal(view.marker_menu) as menu:  # its dot still offers the door's actions
        QCoreApplication.sendEvent(view.viewport(), QContextMenuEvent(QContextMenuEvent.Reason.Mouse, where,
                                                                      view.viewport().mapToGlobal(where)))
    assert menu.args[0] == upper.key
    below_dot = where + QPoint(0, 30)  # where its label would be: nothing of the upper marker there now
    assert upper not in view.items(below_dot)


def test_the_selected_marker_and_alarms_get_their_label_first(plan_view) -> None:
    view, c = plan_view, plan_view.palette_colours
    upper = view.place(door(1), 300, 150)
    lower = view.place(door(2), 300, 175)  # the upper label would cover its dot, and overlap its label
    QApplication.processEvents()
    assert not upper.label_shown
    upper.setSelected(True)  # the guard clicked it: its name shows, the marker below keeps its dot only
    QApplication.processEvents()
    assert upper.label_shown  # drawn over the dot below it
    assert not lower.label_shown
    upper.setSelected(False)
    lower.set_state(door(2, connect=ConnectState.OFFLINE), c)  # an urgent state comes before a quiet one
    QApplication.processEvents()
    assert lower.label_shown
    assert not upper.label_shown
    upper.set_alarm_mark(True)  # the door of the alarm the guard opened: its ring and its label
    QApplication.processEvents()
    assert upper.label_shown
    assert upper.look is not None
    assert upper.look.alarm_mark


def test_labels_lay_out_without_overlapping() -> None:
    points = [(x * 40.0, y * 30.0) for x in range(10) for y in range(10)]
    sizes = [(90.0, 35.0)] * len(points)
    for scale in (0.3, 1.0, 2.0, 4.0):
        shown = marks.fitting_labels(points, sizes, [False] * len(points), list(range(len(points))), scale)
        boxes = [(points[n][0] * scale - 45, points[n][1] * scale + 14, 90, 35) for n in shown]
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                assert not (a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3])
            for x, y in points:  # and no label on another marker's dot
                r = marks.RADIUS
                inside = a[0] < x * scale + r and x * scale - r < a[0] + a[2]
                inside = inside and a[1] < y * scale + r and y * scale - r < a[1] + a[3]
                assert not inside or (a[0] + 45, a[1] - 14) == (x * scale, y * scale)
    dense = marks.fitting_labels(points, sizes, [False] * 100, list(range(100)), 0.3)
    sparse = marks.fitting_labels(points, sizes, [False] * 100, list(range(100)), 4.0)
    assert len(dense) < 20
    assert len(sparse) == 100


def test_markers_look_right_in_both_themes(qapp, plan_view) -> None:
    view = plan_view
    marker = view.place(door(1), 300, 150)
    view.centerOn(marker)
    for name in ("dark", "light"):
        with themed(qapp, name):
            palette = colours(view.palette())
            assert palette.accent[Severity.OPEN] != palette.accent[Severity.OK]
            marker.set_state(door(1, sensor=SensorState.OPEN), palette)  # the panel does so on a palette change
            assert close(dot_colour(view, marker), palette.accent[Severity.OPEN])
            marker.set_state(door(1), palette)
            assert close(dot_colour(view, marker), palette.accent[Severity.OK])


def test_a_whole_site_going_stale_reaches_every_marker_in_slices(open_panel, run, tmp_path, monkeypatch) -> None:
    panel = open_panel()
    image = QImage(800, 500, QImage.Format.Format_RGB32)
    image.fill(QColor("#dde3ea"))
    image.save(str(tmp_path / "plan.png"))
    run(panel.board.poll_once())
    widget: PlansWidget = panel.plans_widget
    plan = run(widget.add_plan("Ground", tmp_path / "plan.png"))
    assert plan is not None
    panel.tabs.setCurrentWidget(widget)
    items = panel.board.items[:12]
    for n, item in enumerate(items):
        widget.current = panel.plans.set_marker(plan.id, item.key, 60.0 + 60 * n, 200.0)
    widget.show_plan(widget.current)
    run(until(lambda: not widget.loading))
    assert all(widget.view.markers[i.key].look.word != "STALE: NO FRESH DATA" for i in items)
    monkeypatch.setattr(PlansWidget, "AT_ONCE", 2)  # as with hundreds of markers: in slices

    def words() -> list[str]:
        return [widget.view.markers[i.key].look.word for i in items]

    async def stale_then_seen() -> None:
        panel.board.tick(time.monotonic() + 3 * panel.board.interval)  # no fresh data for a while
        board_words = [status_line(panel.board.item(i.key)) for i in items]  # STALE, or OPEN TOO LONG
        assert "STALE: NO FRESH DATA" in board_words
        await until(lambda: words() == board_words)

    run(stale_then_seen())
    run(panel.board.poll_once())
    run(until(lambda: not any(word.startswith("STALE") for word in words())))



def test_the_selected_markers_label_is_drawn_over_its_neighbours_dot(plan_view, qtbot) -> None:
    view, c = plan_view, plan_view.palette_colours
    upper = view.place(door(1), 300, 150)
    lower = view.place(door(2), 300, 175)  # its dot lies under where the upper label goes
    view.centerOn(upper)
    assert close(dot_colour(view, lower), c.accent[Severity.OK])  # no label over it: its dot shows
    upper.setSelected(True)
    qtbot.waitUntil(lambda: upper.label_shown)
    assert not close(dot_colour(view, lower), c.accent[Severity.OK])  # the selected one's label covers it
    upper.setSelected(False)
    qtbot.waitUntil(lambda: not upper.label_shown)
    assert close(dot_colour(view, lower), c.accent[Severity.OK])
