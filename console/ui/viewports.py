"""A scroll area's viewport made in Python (issue 15): PySide6 answers the first ``viewport()`` on a viewport Qt
made by building every widget class to find that viewport's class (~13 ms and 65 enums, once per process, in
whichever loop turn asks first: the board's first tiles, a floor plan's opening). A viewport made here has its
Python wrapper from the start, so ``viewport()`` is answered at once."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QAbstractScrollArea, QWidget

__all__ = ["own_viewport"]


def own_viewport(view: QAbstractScrollArea, *, input_method: bool = False) -> QWidget:
    """Give ``view`` a viewport made here, as Qt makes its own (base colour, styled background; the view's own
    set-up, ``setupViewport``, runs for it as for Qt's; ``input_method`` as a ``QGraphicsView`` makes its own);
    returns it."""
    viewport = QWidget()
    viewport.setBackgroundRole(QPalette.ColorRole.Base)
    viewport.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
    viewport.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, input_method)
    view.setViewport(viewport)
    return viewport
