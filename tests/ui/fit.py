"""Layout checks shared by the panel tests: does a panel fit its place in the window, is anything cut or drawn
over its neighbour. Sizes are measured with the console's stylesheet applied (padding and bold text make
widgets wider than Qt's plain style does)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator

from PySide6.QtCore import QCoreApplication, QRect
from PySide6.QtWidgets import QApplication, QWidget

from console.ui import theme

LEFT_COLUMN = 900  # doors, events, visitors: tabbed on the left (about 850 px on a 1280 px screen)
ALARMS_COLUMN = 430  # the alarm queue: a column on the right


@contextlib.contextmanager
def themed(qapp: QApplication, name: str = "dark") -> Iterator[theme.ThemePalette]:
    """The console's theme on the whole application for the test; plain again afterwards."""
    palette = qapp.palette()
    try:
        yield theme.apply_theme(qapp, name)
    finally:
        qapp.setStyleSheet("")
        qapp.setPalette(palette)


def lay_out(widget: QWidget, width: int, height: int) -> None:
    """Resize ``widget`` and let every layout inside it run."""
    widget.resize(width, height)
    for _ in range(3):  # nested layouts (a flow inside a box inside a splitter) settle in a few passes
        QCoreApplication.processEvents()
        layout = widget.layout()
        if layout is not None:
            layout.activate()


def rect_in(widget: QWidget, ancestor: QWidget) -> QRect:
    return QRect(widget.mapTo(ancestor, widget.rect().topLeft()), widget.size())


def assert_fit(ancestor: QWidget, widgets: Iterable[QWidget]) -> list[QRect]:
    """Each visible widget whole inside ``ancestor`` and none over another; their rectangles."""
    shown = [w for w in widgets if w.isVisibleTo(ancestor)]
    rects = [rect_in(w, ancestor) for w in shown]
    bounds = ancestor.rect()
    for w, r in zip(shown, rects, strict=True):
        assert bounds.contains(r), f"{_name(w)} at {r} is cut by {_name(ancestor)} {bounds}"
        assert r.width() >= w.minimumSizeHint().width() or w.minimumSizeHint().width() <= 0, (
            f"{_name(w)} squeezed to {r.width()} px, below its {w.minimumSizeHint().width()} px")
    for i, (a, ra) in enumerate(zip(shown, rects, strict=True)):
        for b, rb in zip(shown[i + 1:], rects[i + 1:], strict=True):
            assert not ra.intersects(rb), f"{_name(a)} {ra} overlaps {_name(b)} {rb}"
    return rects


def rows(rects: Iterable[QRect]) -> int:
    """How many rows the controls make (controls of one row overlap vertically)."""
    count, bottom = 0, -1
    for r in sorted(rects, key=lambda r: r.top()):
        if r.top() > bottom:
            count += 1
        bottom = max(bottom, r.bottom())
    return count


def _name(w: QWidget) -> str:
    text = getattr(w, "text", None)
    label = text() if callable(text) else ""
    return f"{type(w).__name__}({w.objectName() or w.accessibleName() or label!s})"
