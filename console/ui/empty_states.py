"""What the visitors, parking, spaces and people panels say when a list shows nothing: what to do about it
(the doors board and the events list have theirs: ``ui/doors/empty.py``, the events panel).

:class:`EmptyHint` lies over a list's viewport, hidden while the list shows a row; its sentence comes from a
function of the moment (the filter typed, whether the panel has heard from the server). ``attach_*`` put the
hints on each panel's lists without the panels knowing; the workspace calls them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QAbstractScrollArea, QLabel, QLineEdit, QVBoxLayout, QWidget

__all__ = ["EmptyHint", "attach_parking", "attach_people", "attach_spaces", "attach_visitors", "filtered_words"]


def filtered_words(text: str, what: str, action: str = "clear the filter") -> str:
    """"No visitor on site matches 'lobyy': clear the filter." (``text`` cut: it is the operator's)."""
    shown = text.strip()
    if len(shown) > 40:
        shown = shown[:39] + "…"
    return f"No {what} matches '{shown}': {action}."


class EmptyHint(QWidget):
    """Over ``view``'s viewport: ``words()`` while ``rows()`` is 0 (re-read on the model's changes)."""

    def __init__(self, view: QAbstractScrollArea, rows: Callable[[], int], words: Callable[[], str],
                 model: QAbstractItemModel | None = None) -> None:
        super().__init__(view.viewport())
        self.setObjectName("emptyHint")
        self.view, self.rows, self.words = view, rows, words
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        self.label = QLabel()
        self.label.setObjectName("emptyHintText")
        self.label.setTextFormat(Qt.TextFormat.PlainText)  # filter text is the operator's, names the server's
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setProperty("role", "hint")
        layout.addWidget(self.label)
        layout.addStretch(2)
        view.viewport().installEventFilter(self)
        if model is not None:
            for signal in (model.rowsInserted, model.rowsRemoved, model.modelReset, model.layoutChanged):
                signal.connect(self.update_hint)
        # a QTableWidget filled row by row, a timeline repainted: a light re-read now and then as well
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self.update_hint)
        self._timer.start()
        self.update_hint()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self.setGeometry(self.view.viewport().rect())
        return False

    def update_hint(self, *_args: Any) -> None:
        empty = self.rows() == 0
        if empty:
            text = self.words()
            if text != self.label.text():
                self.label.setText(text)
            self.setGeometry(self.view.viewport().rect())
        self.setVisible(empty)


def _line(edit: QLineEdit | None) -> str:
    return edit.text() if edit is not None else ""


def _watch(edit: QLineEdit | None, hint: EmptyHint) -> None:
    if edit is not None:
        edit.textChanged.connect(hint.update_hint)


def attach_visitors(panel: Any) -> list[EmptyHint]:
    hints = []
    onsite = getattr(panel, "onsite_view", None)
    if onsite is not None:
        edit = getattr(panel, "onsite_filter", None)

        def onsite_words() -> str:
            if _line(edit).strip():
                return filtered_words(_line(edit), "visitor on site")
            return ("No visitor on site. A visitor registered at this desk is listed here until checked out: "
                    "fill in the form to register one.")

        hint = EmptyHint(onsite, lambda: onsite.model().rowCount(), onsite_words, onsite.model())
        _watch(edit, hint)
        hints.append(hint)
    expected = getattr(panel, "expected_view", None)
    if expected is not None:
        hints.append(EmptyHint(expected, lambda: expected.model().rowCount(),
                               lambda: "No visitor expected. A reservation made at this desk is listed here on "
                                       "its day.", expected.model()))
    return hints


def attach_parking(panel: Any) -> list[EmptyHint]:
    hints = []
    cars = getattr(panel, "cars", None)
    if cars is not None:
        edit = getattr(panel, "find_edit", None)

        def car_words() -> str:
            if _line(edit).strip():
                return filtered_words(_line(edit), "car parked", "check the plate, or clear the search")
            return ("No car parked in the last hours. Cars appear here as they enter; F5 reads the car parks "
                    "now.")

        hint = EmptyHint(cars, cars.rowCount, car_words)
        _watch(edit, hint)
        hints.append(hint)
    passages = getattr(panel, "passages", None)
    if passages is not None:
        hints.append(EmptyHint(passages, passages.rowCount,
                               lambda: "No car has passed a lane yet. Entries and exits appear here as they "
                                       "happen; the Training menu can send one in demo mode."))
    return hints


def attach_spaces(panel: Any) -> list[EmptyHint]:
    view, model = getattr(panel, "view", None), getattr(panel, "model", None)
    if view is None or model is None or not isinstance(view, QAbstractScrollArea):
        return []
    edit = getattr(panel, "space_filter", None)
    host = getattr(panel, "host_filter", None)

    def words() -> str:
        typed = _line(edit).strip() or _line(host).strip()
        if typed:
            return filtered_words(typed, "space or booking", "clear the filters")
        return ("No space to show. Spaces come from the server; add one with Manage spaces…, or press F5 "
                "to read them again.")

    hint = EmptyHint(view, model.rowCount, words, model)
    _watch(edit, hint)
    _watch(host, hint)
    return [hint]


def attach_people(panel: Any) -> list[EmptyHint]:
    table = getattr(panel, "table", None)
    if table is None:
        return []
    edit = getattr(panel, "search", None)

    def words() -> str:
        if _line(edit).strip():
            return filtered_words(_line(edit), "person", "check the spelling, or search by PIN or card number")
        return ("No person listed yet. Type a PIN, name or card number and press Enter to find someone, or "
                "add a new person with the form.")

    hint = EmptyHint(table, table.rowCount, words, table.model())
    return [hint]
