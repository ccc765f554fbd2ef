"""The details pane of the selected door or gate: its state in words, its device, readers and recent events."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from console.services.doors import DeviceInfo, Item, ReaderInfo, RecentEvent

from ..text import plain_label as text_plain_label
from ..text import tooltip
from .style import describe, status_line

__all__ = ["DetailsPane", "plain_label"]


def plain_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    """A label that shows server text literally (:func:`console.ui.text.plain_label`), selectable, wrapped,
    no wider than the pane."""
    return text_plain_label(text, parent, selectable=True, shrink=True)


class DetailsPane(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("doorDetails")
        self.setMinimumWidth(260)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        self.title = plain_label()
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.3)
        self.title.setFont(font)
        self.title.setAccessibleName("Selected door or gate")
        layout.addWidget(self.title)
        self.badge = plain_label()
        badge_font = self.badge.font()
        badge_font.setBold(True)
        self.badge.setFont(badge_font)
        layout.addWidget(self.badge)

        state_box = QGroupBox("State")
        form = QFormLayout(state_box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.fields: dict[str, QLabel] = {}
        for key, label in (
            ("kind", "Kind"),
            ("area", "Area"),
            ("state", "State"),
            ("relay", "Relay · alarm"),
            ("updated", "Last update"),
        ):
            self.fields[key] = plain_label()
            form.addRow(label, self.fields[key])
        layout.addWidget(state_box)

        device_box = QGroupBox("Device")
        dform = QFormLayout(device_box)
        dform.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for key, label in (
            ("device", "Name"),
            ("serial", "Serial"),
            ("model", "Model"),
            ("device_state", "Status"),
        ):
            self.fields[key] = plain_label()
            dform.addRow(label, self.fields[key])
        layout.addWidget(device_box)

        reader_box = QGroupBox("Readers")
        rlayout = QVBoxLayout(reader_box)
        self.readers = plain_label()
        rlayout.addWidget(self.readers)
        layout.addWidget(reader_box)

        events_box = QGroupBox("Recent events here")
        elayout = QVBoxLayout(events_box)
        self.events_status = plain_label()
        elayout.addWidget(self.events_status)
        self.events = QTreeWidget()
        self.events.setRootIsDecorated(False)
        self.events.setUniformRowHeights(True)
        self.events.setHeaderLabels(["Time", "Event"])
        header = self.events.header()  # fits the pane: the event name takes the room, the rest is elided
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.events.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.events.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.events.setAccessibleName("Recent events at the selected door or gate")
        elayout.addWidget(self.events)
        layout.addWidget(events_box, 1)
        self.show_item(None)

    def show_item(
        self, item: Item | None, device: DeviceInfo | None = None, readers: list[ReaderInfo] | None = None,
        codes_note: str = "",
    ) -> None:
        """``codes_note``: which meaning of numeric state codes is in force (shown when the server sent codes)."""
        if item is None:
            self.title.setText("Nothing selected")
            self.badge.setText("Select a door or gate on the board or the floor plan.")
            for label in self.fields.values():
                label.setText("")
            self.readers.setText("")
            self.events.clear()
            self.events_status.setText("")
            return
        self.title.setText(item.name)
        self.badge.setText(status_line(item) or "No problem reported")
        first, second = describe(item)
        self.fields["kind"].setText(item.kind.value.capitalize())
        self.fields["area"].setText(item.area or "Area unknown")
        self.fields["state"].setText(first)
        if item.codes:  # the server sent numbers, not the manual's words: say so, and how they were read
            raw = ", ".join(f"{name} {code}" for name, code in sorted(item.codes.items()))
            second += f"\n(codes: {raw}; {codes_note or 'numeric codes'})"
        self.fields["relay"].setText(second)
        if item.updated_at is not None:
            stale = " (stale: no fresh data)" if item.stale else ""
            self.fields["updated"].setText(f"{item.updated_at:%Y-%m-%d %H:%M:%S}{stale}")
        else:
            self.fields["updated"].setText("never")
        self.fields["device"].setText(item.device_name or (device.name if device else "") or "unknown")
        self.fields["serial"].setText(item.device_sn or "unknown")
        self.fields["model"].setText(item.device_model or "unknown")
        if device is not None:
            enabled = {True: "enabled", False: "disabled", None: "enabled state unknown"}[device.enabled]
            module = f", {device.module}" if device.module else ""
            gate = f", {device.gate_type}" if device.gate_type else ""
            connection = {True: "offline", False: "online"}[item.offline] if item.has_state else "connection unknown"
            self.fields["device_state"].setText(f"{connection}, {enabled}{module}{gate}")
        else:
            self.fields["device_state"].setText("not in the device list")
        if readers:
            self.readers.setText("\n".join(
                f"{r.name} ({r.side}{f', reader {r.number}' if r.number is not None else ''})" for r in readers
            ))
        else:
            self.readers.setText("No readers listed")

    def show_events_loading(self) -> None:
        self.events.clear()
        self.events_status.setText("Loading recent events…")

    def show_events(self, events: list[RecentEvent]) -> None:
        self.events.clear()
        self.events_status.setText(f"{len(events)} most recent" if events else "No events in the last 7 days")
        for event in events:
            when = f"{event.time:%m-%d %H:%M:%S}" if event.time else ""
            what = " · ".join(t for t in (("ALARM " if event.alarm else "") + event.name, event.person) if t)
            row = QTreeWidgetItem([when, what])
            tip = "\n".join(t for t in (when, event.name, event.person, event.reader) if t)
            row.setToolTip(0, tooltip(tip))  # server text: escaped, never rich
            row.setToolTip(1, tooltip(tip))
            self.events.addTopLevelItem(row)

    def show_events_error(self, text: str) -> None:
        self.events.clear()
        self.events_status.setText(f"Recent events not available: {text}")
