"""The filter bar of the events panel: free text, severity, source, area, device, door and time range.

It builds one :class:`console.services.events.EventFilter` (``filter()``) and announces it with ``changed``;
the same filter then applies to the journal's history and to live events. Choices of area, device and door
are read from the journal (``choices(field)``) when a list is opened, so they follow what has been seen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from PySide6.QtCore import QDate, QDateTime, QSignalBlocker, Qt, QTime, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from console.services.events import EventFilter, Level, Source

from ..flow import FlowLayout
from ..text import item_tooltip
from . import style

__all__ = ["RANGES", "ChoiceCombo", "FilterBar"]

ChoiceSource = Callable[[str], list[str]]

RANGES: tuple[tuple[str, timedelta | None], ...] = (
    ("Any time", None),
    ("Last 15 minutes", timedelta(minutes=15)),
    ("Last hour", timedelta(hours=1)),
    ("Last 8 hours", timedelta(hours=8)),
    ("Last 24 hours", timedelta(hours=24)),
    ("Last 7 days", timedelta(days=7)),
)
CUSTOM = "Custom range…"
MAX_CHOICES = 500
SEARCH_DELAY_MS = 250


def _shrinkable(combo: QComboBox, chars: int) -> None:
    """At least ``chars`` characters wide whatever its items (long names are elided; the list shows them whole),
    and growing to fill its row of the filter bar up to twice that."""
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(chars)
    combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    combo.setMaximumWidth(combo.minimumSizeHint().width() * 2)
    combo.view().setTextElideMode(Qt.TextElideMode.ElideNone)


def _qdatetime(value: datetime) -> QDateTime:
    return QDateTime(QDate(value.year, value.month, value.day), QTime(value.hour, value.minute, value.second))


class ChoiceCombo(QComboBox):
    """"All …" plus the values seen in the journal, read again each time the list opens."""

    def __init__(self, field: str, everything: str, choices: ChoiceSource, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = field
        self.everything = everything
        self._choices = choices
        _shrinkable(self, 8)
        self.setMaxVisibleItems(20)
        self.addItem(everything, None)
        self.setAccessibleName(everything)

    @property
    def value(self) -> str | None:
        data = self.currentData()
        return data if isinstance(data, str) else None

    def reload(self) -> None:
        current = self.value
        values = self._choices(self.field)[:MAX_CHOICES]
        if current is not None and current not in values:
            values.append(current)
        with QSignalBlocker(self):
            self.clear()
            self.addItem(self.everything, None)
            for value in values:
                self.addItem(style.cut(value, 80), value)
                self.setItemData(self.count() - 1, item_tooltip(value), Qt.ItemDataRole.ToolTipRole)
            self.set_value(current)

    def set_value(self, value: str | None) -> None:
        index = self.findData(value) if value is not None else 0
        if index < 0:
            self.addItem(style.cut(value or "", 80), value)
            index = self.count() - 1
        self.setCurrentIndex(index)

    def showPopup(self) -> None:
        self.reload()
        super().showPopup()


class FilterBar(QWidget):
    changed = Signal(object)  # EventFilter

    def __init__(
        self,
        choices: ChoiceSource,
        *,
        clock: Callable[[], datetime] = datetime.now,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("eventFilters")
        self._clock = clock
        self._choices = choices
        self._building = False
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(4)
        # Two lines: what (words, severity) and where / when. Each wraps further in a narrow dock rather than
        # drawing over its neighbour; the fields stretch to fill their line.
        self.bar = QWidget()
        self.bar.setObjectName("eventFilterRow")
        row = FlowLayout(self.bar, spacing=6, row_spacing=4)
        outer.addWidget(self.bar)
        self.place_bar = QWidget()
        self.place_bar.setObjectName("eventPlaceRow")
        places = FlowLayout(self.place_bar, spacing=6, row_spacing=4)
        outer.addWidget(self.place_bar)

        self.search = QLineEdit()
        self.search.setObjectName("eventSearch")
        self.search.setPlaceholderText("Search name, pin, door, device, card…")
        self.search.setClearButtonEnabled(True)
        self.search.setMaxLength(200)
        self.search.setAccessibleName("Search events")
        self.search.setMinimumWidth(220)
        self.search.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        row.addWidget(self.search)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(SEARCH_DELAY_MS)
        self._debounce.timeout.connect(self._emit)
        self.search.textChanged.connect(lambda _: self._debounce.start())
        self.search.returnPressed.connect(self._emit)

        self.level_buttons: dict[Level, QToolButton] = {}
        levels = QWidget()  # the three severities stay together when the bar wraps
        levels.setObjectName("eventLevels")
        levels_row = QHBoxLayout(levels)
        levels_row.setContentsMargins(0, 0, 0, 0)
        levels_row.setSpacing(4)
        for level in Level:
            button = QToolButton()
            button.setObjectName(f"level-{level.word}")
            button.setText(style.level_word(level))
            button.setIcon(style.level_icon(level))
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.setCheckable(True)
            button.setChecked(True)
            button.setToolTip(f"Show {level.word} events")
            button.toggled.connect(lambda _on: self._emit())
            self.level_buttons[level] = button
            levels_row.addWidget(button)
        row.addWidget(levels)

        self.source = QComboBox()
        self.source.setAccessibleName("Source")
        _shrinkable(self.source, 8)
        self.source.addItem("All sources", None)
        for src in Source:
            self.source.addItem(style.SOURCE_WORDS[src], src.value)
        self.source.currentIndexChanged.connect(lambda _: self._emit())
        places.addWidget(self.source)

        self.area = ChoiceCombo("area", "All areas", choices)
        self.device = ChoiceCombo("device", "All devices", choices)
        self.door = ChoiceCombo("door", "All doors / points", choices)
        _shrinkable(self.door, 11)  # room for its own "All doors / points"
        for combo in (self.area, self.device, self.door):
            combo.currentIndexChanged.connect(lambda _: self._emit())
            places.addWidget(combo)

        self.range = QComboBox()
        self.range.setAccessibleName("Time range")
        _shrinkable(self.range, 10)
        for text, span in RANGES:
            self.range.addItem(text, span)
        self.range.addItem(CUSTOM, "custom")
        self.range.currentIndexChanged.connect(self._range_changed)
        places.addWidget(self.range)

        self.clear_button = QToolButton()
        self.clear_button.setText("Clear")
        self.clear_button.setToolTip("Show every event again")
        self.clear_button.clicked.connect(self.clear)
        row.addWidget(self.clear_button)

        custom = QHBoxLayout()
        custom.setSpacing(6)
        self.custom_row = QWidget()
        self.custom_row.setLayout(custom)
        custom.setContentsMargins(0, 0, 0, 0)
        custom.addStretch(1)
        custom.addWidget(QLabel("From"))
        self.since_edit = QDateTimeEdit()
        self.until_edit = QDateTimeEdit()
        for edit in (self.since_edit, self.until_edit):
            edit.setDisplayFormat("yyyy-MM-dd HH:mm")
            edit.setCalendarPopup(True)
            edit.dateTimeChanged.connect(lambda _: self._emit())
        custom.addWidget(self.since_edit)
        custom.addWidget(QLabel("to"))
        custom.addWidget(self.until_edit)
        self.custom_row.hide()
        outer.addWidget(self.custom_row)
        self._filter = EventFilter()

    # -- building the filter ---------------------------------------------------------------------

    def filter(self) -> EventFilter:
        return self._filter

    def _levels(self) -> frozenset[Level]:
        chosen = frozenset(level for level, b in self.level_buttons.items() if b.isChecked())
        return frozenset() if len(chosen) == len(Level) else chosen

    def _span(self) -> tuple[datetime | None, datetime | None]:
        data = self.range.currentData()
        if data == "custom":
            since = self.since_edit.dateTime().toPython()
            until = self.until_edit.dateTime().toPython()
            if not isinstance(since, datetime) or not isinstance(until, datetime):  # pragma: no cover
                return None, None
            return since.replace(second=0, microsecond=0), until.replace(second=0, microsecond=0)
        if isinstance(data, timedelta):
            return (self._clock() - data).replace(microsecond=0), None
        return None, None

    def build(self) -> EventFilter:
        src = self.source.currentData()
        since, until = self._span()
        levels = self._levels()
        if not any(b.isChecked() for b in self.level_buttons.values()):
            levels = frozenset({Level.NORMAL, Level.WARNING, Level.ALARM})
        return EventFilter(
            text=self.search.text().strip(),
            levels=levels,
            sources=frozenset({Source(src)}) if isinstance(src, str) else frozenset(),
            areas=frozenset({self.area.value}) if self.area.value is not None else frozenset(),
            devices=frozenset({self.device.value}) if self.device.value is not None else frozenset(),
            doors=frozenset({self.door.value}) if self.door.value is not None else frozenset(),
            since=since,
            until=until,
        )

    def _emit(self) -> None:
        if self._building:
            return
        self._debounce.stop()
        flt = self.build()
        if flt != self._filter:
            self._filter = flt
            self.changed.emit(flt)

    def _range_changed(self, _: int) -> None:
        custom = self.range.currentData() == "custom"
        if custom:
            now = QDateTime.currentDateTime()
            with QSignalBlocker(self.since_edit), QSignalBlocker(self.until_edit):
                if self._filter.since is None:
                    self.since_edit.setDateTime(now.addSecs(-8 * 3600))
                    self.until_edit.setDateTime(now.addSecs(60))
        self.custom_row.setVisible(custom)
        self._emit()

    # -- setting it from outside -----------------------------------------------------------------

    def set_sources(self, available: Iterable[Source]) -> None:
        """Offer only the sources the server has (temperature is optional)."""
        keep = {s.value for s in available}
        current = self.source.currentData()
        with QSignalBlocker(self.source):
            self.source.clear()
            self.source.addItem("All sources", None)
            for src in Source:
                if src.value in keep:
                    self.source.addItem(style.SOURCE_WORDS[src], src.value)
            index = self.source.findData(current) if current is not None else 0
            self.source.setCurrentIndex(max(0, index))
        self._emit()

    def set_door(self, door: str | None) -> None:
        self.door.set_value(door)

    def set_levels(self, levels: Iterable[Level]) -> None:
        chosen = set(levels) or set(Level)
        self._building = True
        try:
            for level, button in self.level_buttons.items():
                button.setChecked(level in chosen)
        finally:
            self._building = False
        self._emit()

    def set_text(self, text: str) -> None:
        self.search.setText(text)
        self._emit()

    def set_range(self, label: str) -> None:
        index = self.range.findText(label)
        if index >= 0:
            self.range.setCurrentIndex(index)

    def set_custom_range(self, since: datetime, until: datetime) -> None:
        self._building = True
        try:
            self.range.setCurrentIndex(self.range.findData("custom"))
            self.since_edit.setDateTime(_qdatetime(since))
            self.until_edit.setDateTime(_qdatetime(until))
        finally:
            self._building = False
        self._emit()

    def clear(self) -> None:
        self._building = True
        try:
            self.search.clear()
            for button in self.level_buttons.values():
                button.setChecked(True)
            for combo in (self.source, self.area, self.device, self.door, self.range):
                combo.setCurrentIndex(0)
        finally:
            self._building = False
        self._emit()

    def focus(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()
