"""Light and dark themes: one stylesheet (``resources/styles/console.qss``) filled from two palettes.

``apply_theme(app, "dark")`` sets the Fusion style, a matching ``QPalette`` (for what the stylesheet does not
reach) and the stylesheet. Panels that paint by hand read the active colours with :func:`current` (for
example ``current().alarm``) and repaint on ``QEvent.Type.PaletteChange``/``StyleChange``.

Every text/background pair used for words is checked for contrast (WCAG 4.5:1) by the tests; state is never
told by colour alone: badges carry words and a symbol as well.
"""

from __future__ import annotations

import logging
from string import Template
from typing import NamedTuple

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from console import resources
from console.services.settings import THEMES

__all__ = ["PALETTES", "STYLE", "THEMES", "ThemePalette", "apply_theme", "current", "new_application", "polished",
           "restyle", "stylesheet"]

log = logging.getLogger(__name__)

STYLE = "Fusion"  # the same widgets' look on every platform; the stylesheet and the palettes are made for it
_STYLE_SET = "consoleStyle"  # the application's property: the style it was made with


# a named tuple, not a frozen dataclass: Python 3.11 compiles a dataclass's six methods one by one (~1 ms, before
# the window's first paint); a named tuple is as immutable and compared by value too
class ThemePalette(NamedTuple):
    name: str
    window: str
    surface: str
    surface_alt: str
    input: str
    button: str
    button_hover: str
    border: str
    border_strong: str
    text: str
    text_muted: str
    accent: str
    selection: str
    selection_text: str
    ok: str
    ok_bg: str
    ok_text: str
    warn: str
    warn_bg: str
    warn_text: str
    alarm: str
    alarm_bg: str
    alarm_text: str
    on_alarm: str
    offline: str
    offline_bg: str
    offline_text: str
    info: str
    info_bg: str
    info_text: str
    font_size: int = 10
    font_size_title: int = 13

    def color(self, name: str) -> QColor:
        return QColor(str(getattr(self, name)))


PALETTES: dict[str, ThemePalette] = {
    # Night shift: dark surfaces, no large bright areas, saturated colours kept for state.
    "dark": ThemePalette(
        name="dark",
        window="#101418",
        surface="#171c21",
        surface_alt="#1e252c",
        input="#0c1014",
        button="#232b33",
        button_hover="#2c3640",
        border="#2a323b",
        border_strong="#3d4854",
        text="#dbe2e9",
        text_muted="#9aa7b4",
        accent="#5aa2ff",
        selection="#1f4b7a",
        selection_text="#ffffff",
        ok="#3fb950",
        ok_bg="#12301c",
        ok_text="#7ee2a0",
        warn="#d29922",
        warn_bg="#3a2c0c",
        warn_text="#f2cc60",
        alarm="#d42f2b",
        alarm_bg="#4a1517",
        alarm_text="#ffb3ad",
        on_alarm="#ffffff",
        offline="#8b949e",
        offline_bg="#262c33",
        offline_text="#c9d1d9",
        info="#5aa2ff",
        info_bg="#13263d",
        info_text="#a9cdff",
    ),
    "light": ThemePalette(
        name="light",
        window="#eef1f4",
        surface="#ffffff",
        surface_alt="#f4f6f8",
        input="#ffffff",
        button="#f6f8fa",
        button_hover="#e6ebf0",
        border="#d0d7de",
        border_strong="#a8b1ba",
        text="#1b1f24",
        text_muted="#57606a",
        accent="#0969da",
        selection="#cde2fb",
        selection_text="#0b1b2e",
        ok="#1a7f37",
        ok_bg="#dafbe1",
        ok_text="#116329",
        warn="#bf8700",
        warn_bg="#fff8c5",
        warn_text="#6f4400",
        alarm="#cf222e",
        alarm_bg="#ffebe9",
        alarm_text="#a40e26",
        on_alarm="#ffffff",
        offline="#6e7781",
        offline_bg="#eaeef2",
        offline_text="#424a53",
        info="#0969da",
        info_bg="#ddf4ff",
        info_text="#0550ae",
    ),
}

_active: ThemePalette = PALETTES["dark"]


def current() -> ThemePalette:
    """The palette of the theme applied last (dark before any)."""
    return _active


def stylesheet(name: str) -> str:
    """The stylesheet for theme ``name``; ``FileNotFoundError`` when the resources are missing."""
    template = Template(resources.read_text("styles", "console.qss"))
    values = {k: str(v) for k, v in PALETTES[name]._asdict().items()}
    values["icons"] = resources.path("icons", name).as_posix()  # check marks and arrows drawn for this theme
    return template.substitute(values)


def _qpalette(p: ThemePalette) -> QPalette:
    pal = QPalette()
    role = QPalette.ColorRole
    group = QPalette.ColorGroup
    for r, value in (
        (role.Window, p.window),
        (role.WindowText, p.text),
        (role.Base, p.surface),
        (role.AlternateBase, p.surface_alt),
        (role.ToolTipBase, p.surface_alt),
        (role.ToolTipText, p.text),
        (role.PlaceholderText, p.text_muted),
        (role.Text, p.text),
        (role.Button, p.button),
        (role.ButtonText, p.text),
        (role.BrightText, p.alarm_text),
        (role.Highlight, p.selection),
        (role.HighlightedText, p.selection_text),
        (role.Link, p.accent),
        (role.Mid, p.border),
        (role.Dark, p.border_strong),
    ):
        pal.setColor(r, QColor(value))
    for r in (role.WindowText, role.Text, role.ButtonText):
        pal.setColor(group.Disabled, r, QColor(p.text_muted))
    return pal


def new_application(program: str) -> QApplication:
    """The console's ``QApplication``, made with :data:`STYLE` (``-style`` on its command line): the style is
    not asked for from Python, which would make PySide6 build its ``QStyle`` class and its ~20 enums (~12 ms)
    before the first paint."""
    app = QApplication([program, "-style", STYLE])
    app.setProperty(_STYLE_SET, STYLE)
    return app


def polished(widget: QWidget) -> bool:
    """Whether ``widget`` has had its first polish (at its first show): before it, a changed dynamic property
    needs no restyle, the polish reads it."""
    return widget.testAttribute(Qt.WidgetAttribute.WA_WState_Polished)


def restyle(widget: QWidget) -> None:
    """The stylesheet read again for ``widget``, whose dynamic property (``state``, ``health``...) changed. Not
    before its first polish (at its first show), which reads the property anyway: nothing asks for the style
    while the window is built (asking makes PySide6 build its ``QStyle`` class and enums, ~12 ms)."""
    if not polished(widget):
        return
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)


def apply_theme(app: QApplication, name: str) -> ThemePalette:
    """Apply theme ``name`` (``dark`` or ``light``) to the whole application and return its palette.

    A missing stylesheet (a broken bundle) is logged and the palette alone is applied: the console stays
    usable, and ``--self-test`` reports it.
    """
    global _active
    if name not in PALETTES:
        raise ValueError(f"unknown theme {name!r}; choose one of {', '.join(THEMES)}")
    palette = PALETTES[name]
    if app.property(_STYLE_SET) != STYLE:  # an application made elsewhere (tests, a host): set the style once
        if app.style().name().lower() != STYLE.lower():
            # once: replacing the style deletes the old QStyle under live widgets (and its animation timers)
            app.setStyle(STYLE)
        app.setProperty(_STYLE_SET, STYLE)
    app.setPalette(_qpalette(palette))
    try:
        app.setStyleSheet(stylesheet(name))
    except FileNotFoundError as exc:
        log.error("theme %s: %s", name, exc)
        app.setStyleSheet("")
    _active = palette
    app.setProperty("consoleTheme", name)
    return palette
