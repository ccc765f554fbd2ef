"""Run the console in demo mode at one window size and scale, bring each panel to the front, and report every
visible widget that leaves its parent or overlaps a sibling, and whether the status bar gives way.

Run in its own process (the scale factor must be set before the QApplication exists):

    QT_SCALE_FACTOR=2 python -m tests.ui.layout_probe 1280x720 /tmp/out.json [/tmp/pictures]

The JSON: ``{"ratio": devicePixelRatio, "panels": {key: [problems...]}, "status": {...}}``.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import asyncio
import json
import tempfile
from pathlib import Path
from typing import Any

from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDockWidget,
    QLabel,
    QLineEdit,
    QMainWindow,
    QScrollArea,
    QSplitter,
    QStackedWidget,
    QTabBar,
    QWidget,
)

from console.services.paths import Paths
from console.ui import aio
from console.ui.app import ConsoleApp, Options
from console.ui.elided import ElidedLabel
from console.ui.keys import PANEL_KEYS

TEXT_WIDGETS = (QLabel, QAbstractButton, QLineEdit, QComboBox, QAbstractSpinBox)
LONG = "a very long connection profile name that no status bar has room for " * 2


def _name(w: QWidget) -> str:
    text = getattr(w, "text", None)
    label = ""
    if callable(text):
        try:
            label = str(text())[:30]
        except TypeError:
            label = ""
    return f"{type(w).__name__}({w.objectName() or w.accessibleName() or label})"


def _scrolled(w: QWidget) -> bool:
    """Children of a scroll area's viewport move under it by design (and item views clip theirs)."""
    parent = w.parentWidget()
    return parent is not None and isinstance(parent.parentWidget(), QAbstractScrollArea) and \
        parent is parent.parentWidget().viewport()  # type: ignore[union-attr]


def _internal(w: QWidget) -> bool:
    """Qt's own parts laid out by Qt's own rules (a tab bar's scroll buttons, a splitter's handles...)."""
    parent = w.parentWidget()
    return isinstance(parent, QTabBar) or type(w).__name__ in {"QSplitterHandle", "QFocusFrame", "QRubberBand"}


def problems(root: QWidget) -> list[str]:
    out: list[str] = []
    stack = [root]
    while stack:
        parent = stack.pop()
        kids = [c for c in parent.findChildren(QWidget, options=_DIRECT) if c.isVisible() and not c.isWindow()]
        stack.extend(kids)
        if isinstance(parent, QStackedWidget):
            kids = [c for c in kids if c is parent.currentWidget()]
        if isinstance(parent, QAbstractScrollArea | QScrollArea):
            continue  # its viewport, scroll bars and corner are Qt's; its content scrolls
        checked = [c for c in kids if not _scrolled(c) and not _internal(c) and c.width() > 0 and c.height() > 0]
        bounds = parent.rect()
        for c in checked:
            hint = c.minimumSizeHint()  # a minimum the style sheet sets (min-height) overrides the hint
            need = (c.minimumWidth() or hint.width(), c.minimumHeight() or hint.height())
            if isinstance(c, TEXT_WIDGETS) and (c.width() < need[0] - 1 or c.height() < need[1] - 1):
                out.append(f"{_name(c)} squeezed to {c.width()}x{c.height()}, below its {need[0]}x{need[1]}: "
                           "its text is cut")
            if not bounds.contains(c.geometry()):
                out.append(f"{_name(c)} {_rect(c.geometry())} leaves {_name(parent)} {_rect(bounds)}")
        for i, a in enumerate(checked):
            for b in checked[i + 1:]:
                if a.geometry().intersects(b.geometry()) and not isinstance(parent, QSplitter | QMainWindow):
                    out.append(f"{_name(a)} {_rect(a.geometry())} overlaps {_name(b)} {_rect(b.geometry())} "
                               f"in {_name(parent)}")
    return out


def _rect(r: QRect) -> str:
    return f"[{r.x()},{r.y()} {r.width()}x{r.height()}]"


_DIRECT = Qt.FindChildOption.FindDirectChildrenOnly


async def probe(qapp: QApplication, size: tuple[int, int], pictures: Path | None) -> dict[str, Any]:
    base = Path(tempfile.mkdtemp(prefix="console-layout-"))
    options = Options(demo=True, basedir=str(base), theme="dark", operator="Night guard", log_stderr=False)
    app = ConsoleApp(qapp, options, Paths.from_env_or_args(options.basedir))
    task = asyncio.ensure_future(app.run())
    result: dict[str, Any] = {"panels": {}, "status": {}}
    try:
        deadline = asyncio.get_running_loop().time() + 90
        while not (app.ready and app.window is not None and app.summaries > 0):
            if asyncio.get_running_loop().time() > deadline:
                raise RuntimeError("the demo console did not start")
            await asyncio.sleep(0.05)
        window = app.window
        result["missing"] = [k for k in PANEL_KEYS if window.dock(k) is None]
        window.resize(*size)
        result["ratio"] = window.devicePixelRatio()
        result["window"] = [window.width(), window.height()]
        for key in PANEL_KEYS:
            if not window.show_panel(key):
                continue
            await _settle(window)
            dock = window.dock(key)
            assert dock is not None
            panel = dock.widget()
            found = problems(panel)
            if not QRect(0, 0, dock.width(), dock.height()).contains(panel.geometry()):
                found.append(f"the panel {_rect(panel.geometry())} leaves its dock {dock.width()}x{dock.height()}")
            if panel.minimumSizeHint().width() > panel.width():
                found.append(f"the panel needs {panel.minimumSizeHint().width()} px, has {panel.width()}")
            result["panels"][key] = found
            if pictures is not None:
                window.grab().save(str(pictures / f"{key}-{size[0]}x{size[1]}-x{window.devicePixelRatio():g}.png"))
        status = window.status
        status.profile_label.setText(LONG)
        status.set_mute("Sound muted until 19:00")
        status.set_alarms(12)
        await _settle(window)
        labels = [w for w in status.findChildren(ElidedLabel) if w.isVisible()]
        result["status"] = {
            "fits": all(status.rect().contains(w.geometry()) for w in labels),
            "elided": status.profile_label.elided(),
            "health_whole": not status.health_badge.elided(),
            "window_width": window.width(),
            "problems": problems(status),
        }
    finally:
        app.request_quit()
        await asyncio.wait_for(task, 30)
    return result


async def _settle(window: QMainWindow) -> None:
    last: object = None
    for _ in range(200):
        now = (window.size().toTuple(), *(d.geometry().getRect() for d in window.findChildren(QDockWidget)),
               *(d.widget().geometry().getRect() for d in window.findChildren(QDockWidget) if d.widget()))
        if now == last:
            return
        last = now
        await asyncio.sleep(0.05)


def main(argv: list[str]) -> int:
    width, height = (int(p) for p in argv[0].split("x"))
    out = Path(argv[1])
    pictures = Path(argv[2]) if len(argv) > 2 else None
    if pictures is not None:
        pictures.mkdir(parents=True, exist_ok=True)
    qapp = QApplication.instance() or QApplication(["layout-probe"])
    loop = aio.create_loop(qapp)  # type: ignore[arg-type]
    asyncio.set_event_loop(loop)
    with loop:
        result = loop.run_until_complete(probe(qapp, (width, height), pictures))  # type: ignore[arg-type]
    out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
