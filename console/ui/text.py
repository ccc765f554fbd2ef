"""Text from the server is shown as it is, never as markup: the one place for that rule.

Qt guesses rich text: a ``QLabel`` in its default ``AutoText`` format, and every tool tip (a widget's
``toolTip``, an item model's ``ToolTipRole``, a combo box item's, a ``QStandardItem``'s), render a name such as
``<b>x</b><img src=x>`` bold with a broken image when ``Qt.mightBeRichText`` says so. So:

- a label that may show server data is a :func:`plain_label` (``PlainText`` format);
- a tool tip that may carry server data goes through :func:`tooltip` (escaped, wrapped, cut to a size);
- an item model answers ``ToolTipRole`` with :func:`item_tooltip` (the same, ``None`` when there is nothing).

Static tool tips written in this code (no server data in them) need neither.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

__all__ = ["MAX_TOOLTIP", "item_tooltip", "plain_label", "tooltip"]

# html.escape's own table (quote=True): the module loads its entity tables (~1 ms), and the status bar's tool tips
# are set before the window's first paint
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"})

MAX_TOOLTIP = 2000
"""Longest untrusted text a tool tip shows (characters, before escaping); a cut is marked with "…"."""


def plain_label(
    text: str = "",
    parent: QWidget | None = None,
    *,
    wrap: bool = True,
    selectable: bool = False,
    shrink: bool = False,
) -> QLabel:
    """A label that shows ``text`` literally (``PlainText``: never rich text, whatever the server sent).

    ``selectable``: the operator can select and copy it with the mouse; ``shrink``: it takes the width it is
    given (``Ignored`` horizontally) instead of asking for its whole text's, for panes that must not widen.
    """
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    if selectable:
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if shrink:
        label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    label.setText(text)
    return label


def tooltip(text: str, limit: int = MAX_TOOLTIP) -> str:
    """A tool tip that shows ``text`` literally: escaped and wrapped as rich text, line breaks kept, no longer
    than ``limit`` characters. Empty text gives an empty string (no tool tip at all)."""
    text = str(text)
    if not text:
        return ""
    if len(text) > limit:
        text = text[: max(0, limit - 1)] + "…"
    return "<p style='white-space:pre-wrap'>" + text.translate(_ESCAPES).replace("\n", "<br>") + "</p>"


def item_tooltip(value: object, limit: int = MAX_TOOLTIP) -> str | None:
    """What an item model returns for ``ToolTipRole`` (or puts in an item's tool tip): ``value`` as text,
    escaped by :func:`tooltip`; ``None`` when there is nothing to say (Qt then shows no tool tip)."""
    if value is None:
        return None
    return tooltip(str(value), limit) or None
