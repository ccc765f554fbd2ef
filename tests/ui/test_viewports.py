"""Viewports made in Python (``console.ui.viewports.own_viewport``: the board's view, shared by the doors panel and
the last known board's preview, and the floor plan's view): they look and behave as Qt's own, and asking for one
is immediate (issue 15)."""

from __future__ import annotations

from PySide6.QtCore import QRectF, QStringListModel, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QApplication, QGraphicsScene, QGraphicsView, QListView, QWidget
from pytestqt.qtbot import QtBot

from console.ui.doors.delegate import board_view
from console.ui.viewports import own_viewport
from tests.helpers import printed_by
from tests.ui.fit import themed


def _traits(viewport: QWidget) -> tuple[object, ...]:
    attributes = sorted(a.name for a in Qt.WidgetAttribute if viewport.testAttribute(a))
    return (viewport.backgroundRole(), viewport.autoFillBackground(), viewport.hasMouseTracking(),
            viewport.acceptDrops(), viewport.focusPolicy(), attributes)


def test_the_boards_own_viewport_paints_as_qts_would(qtbot: QtBot, qapp: QApplication) -> None:
    with themed(qapp, "dark"):
        ours = board_view("board", batch=100)
        plain = QListView()  # Qt's own viewport, the same settings
        for view in (ours, plain):
            qtbot.addWidget(view)
            if view is plain:
                view.setObjectName("doorBoard")
                view.setViewMode(QListView.ViewMode.IconMode)
                view.setMovement(QListView.Movement.Static)
                view.setFlow(QListView.Flow.LeftToRight)
                view.setWrapping(True)
                view.setSpacing(5)
            view.setModel(QStringListModel([f"Door {n}" for n in range(40)], view))
            view.resize(500, 300)
            view.show()
            qtbot.waitExposed(view)
        assert _traits(ours.viewport()) == _traits(plain.viewport())
        assert ours.grab().toImage() == plain.grab().toImage()


def test_a_floor_plans_own_viewport_behaves_and_paints_as_qts_would(qtbot: QtBot, qapp: QApplication) -> None:
    with themed(qapp, "light"):
        views = []
        for own in (True, False):
            scene = QGraphicsScene()
            for n in range(30):
                scene.addEllipse(QRectF(n * 17 % 300, n * 29 % 200, 14, 14), brush=QBrush(QColor("#c0392b")))
            view = QGraphicsView(scene)
            view._scene = scene  # type: ignore[attr-defined]  # kept alive with the view
            if own:
                own_viewport(view, input_method=True)
            view.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
            view.setAcceptDrops(True)
            qtbot.addWidget(view)
            view.resize(360, 260)
            view.show()
            qtbot.waitExposed(view)
            views.append(view)
        ours, plain = views
        assert _traits(ours.viewport()) == _traits(plain.viewport())
        assert ours.grab().toImage() == plain.grab().toImage()


def test_asking_for_the_boards_viewport_builds_no_other_widget_class() -> None:
    """PySide6 answers ``viewport()`` on Qt's own viewport by building every widget class first (to find the
    viewport's): ~13 ms before the board's first tiles. The board's viewport is made in Python."""
    probe = ("import PySide6.QtWidgets as widgets\n"
             "app = widgets.QApplication(['probe'])\n"
             "from console.ui.doors.delegate import board_view\n"
             "view = board_view('board', batch=100)\n"
             "view.viewport().width()\n"
             "print('QCalendarWidget' in widgets.__dict__)\n"
             "plain = widgets.QListView()\n"
             "plain.viewport()\n"
             "print('QCalendarWidget' in widgets.__dict__)\n")
    assert printed_by(probe) == ["False", "True"]  # Qt's own viewport: every class built
