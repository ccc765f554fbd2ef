"""The folding splitter: panes side by side when wide, one above the other when narrow, never wider than the
widest pane asks; each arrangement keeps the sizes the operator dragged."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QWidget
from pytestqt.qtbot import QtBot

from console.ui.folding import FoldingSplitter
from tests.ui.fit import lay_out


def _pane(text: str, width: int) -> QWidget:
    pane = QLabel(text)
    pane.setMinimumWidth(width)
    return pane


def _splitter(qtbot: QtBot, wide: int = 600) -> FoldingSplitter:
    splitter = FoldingSplitter(wide)
    qtbot.addWidget(splitter)
    splitter.addWidget(_pane("list", 250))
    splitter.addWidget(_pane("form", 300))
    splitter.setChildrenCollapsible(False)
    splitter.set_default_sizes(Qt.Orientation.Horizontal, [600, 400])
    splitter.set_default_sizes(Qt.Orientation.Vertical, [300, 500])
    splitter.show()
    qtbot.waitExposed(splitter)
    return splitter


def test_side_by_side_when_wide_stacked_when_narrow_and_as_narrow_as_the_widest_pane(qtbot: QtBot) -> None:
    splitter = _splitter(qtbot)
    lay_out(splitter, 1000, 600)
    assert not splitter.folded
    assert splitter.minimumSizeHint().width() < 560  # never the panes' widths side by side: it folds instead
    first, second = splitter.sizes()
    assert abs(first / (first + second) - 0.6) < 0.05  # the default proportions
    lay_out(splitter, 500, 600)
    assert splitter.folded
    assert splitter.widget(1).y() > splitter.widget(0).y()  # the second pane under the first
    assert splitter.minimumSizeHint().width() <= 500
    assert all(splitter.widget(i).width() >= 300 for i in range(2))  # nothing squeezed
    lay_out(splitter, 1000, 600)
    assert not splitter.folded


def test_side_by_side_needs_the_panes_widths_whatever_the_threshold(qtbot: QtBot) -> None:
    splitter = _splitter(qtbot, wide=100)
    lay_out(splitter, 520, 600)  # wider than the threshold, narrower than 250 + 300 side by side
    assert splitter.folded
    lay_out(splitter, 700, 600)
    assert not splitter.folded


def test_each_arrangement_keeps_the_sizes_the_operator_dragged(qtbot: QtBot, qapp: QApplication) -> None:
    splitter = _splitter(qtbot)
    lay_out(splitter, 500, 800)
    assert splitter.folded
    splitter.moveSplitter(500, 1)  # the operator drags the handle down
    dragged = splitter.sizes()
    lay_out(splitter, 1000, 800)
    assert not splitter.folded
    first, second = splitter.sizes()
    assert abs(first / (first + second) - 0.6) < 0.05  # side by side: still its own sizes
    lay_out(splitter, 500, 800)
    assert splitter.folded
    assert abs(splitter.sizes()[0] - dragged[0]) <= 2  # stacked again: where the operator left it
