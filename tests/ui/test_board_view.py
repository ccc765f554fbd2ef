"""The board's view (``console.ui.doors.delegate.board_view``), shared by the doors panel and the last known
board's preview: it looks as Qt's own list view would, and asking for its viewport is immediate (issue 15)."""

from __future__ import annotations

from PySide6.QtCore import QStringListModel
from PySide6.QtWidgets import QApplication, QListView
from pytestqt.qtbot import QtBot

from console.ui.doors.delegate import board_view
from tests.helpers import printed_by
from tests.ui.fit import themed


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
        assert ours.viewport().backgroundRole() == plain.viewport().backgroundRole()
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
