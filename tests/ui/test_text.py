"""Tool tips carry server text: shown literally, whatever markup it holds (``console.ui.text.tooltip``)."""

from __future__ import annotations

import html

from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtGui import QTextDocument

from console.ui.text import MAX_TOOLTIP, tooltip


def _shown(rich: str) -> str:
    """What Qt shows of a rich-text tool tip."""
    document = QTextDocument()
    document.setHtml(rich)
    return document.toPlainText()


def test_a_name_full_of_markup_is_shown_as_typed(qapp) -> None:
    hostile = "<b>Front</b> door <img src=x> & \"Annex\" 'B'\nsecond line"
    assert _shown(tooltip(hostile)) == hostile


@given(st.text(max_size=200))
def test_tool_tips_escape_as_the_standard_library_does(text: str) -> None:
    expected = "<p style='white-space:pre-wrap'>" + html.escape(text).replace("\n", "<br>") + "</p>"
    assert tooltip(text) == (expected if text else "")


def test_a_long_text_is_cut_to_the_limit() -> None:
    assert tooltip("x" * (MAX_TOOLTIP + 50)).count("x") == MAX_TOOLTIP - 1
