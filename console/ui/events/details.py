"""The details of the selected event: every field in plain text, the captured photo (or why it is not shown),
the person's record looked up by pin, and a button that shows the door on the doors panel.

Every string here came from the server: labels are plain text, and so is the raw record.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import OrderedDict
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from console.api import Client
from console.api.errors import ApiError, CVSecError
from console.services.events import Event, Level, Source, event_key
from console.services.events.model import clean_photo_base64, format_time, same_event_key

from .. import aio, theme
from ..flow import FlowLayout
from ..text import plain_label as text_plain_label
from ..text import tooltip
from . import style
from .photo import PhotoResult, decode_photo

__all__ = ["DetailsPane", "plain_label"]

log = logging.getLogger(__name__)

PHOTO_BOX = QSize(220, 220)
MAX_RAW_LINES = 200
LOOKUP_DELAY_MS = 150  # the selection rests this long before the server is asked
PERSON_CACHE = 200
KEY_SHOWN = 12  # characters of the journal key shown (all of it in the tool tip)

FIELDS: tuple[tuple[str, str], ...] = (
    ("time", "Time"),
    ("severity", "Severity"),
    ("source", "Source"),
    ("pin", "Pin"),
    ("person", "Name"),
    ("department", "Department"),
    ("point", "Door / point"),
    ("reader", "Reader"),
    ("device", "Device"),
    ("serial", "Device serial"),
    ("verify", "Verification"),
    ("area", "Area"),
    ("card", "Card"),
    ("server_name", "Server's name"),
    ("event_no", "Event number"),
    ("temperature", "Temperature"),
    ("mask", "Mask"),
    ("arrival", "Arrival"),
    ("ack", "Acknowledged"),
    ("key", "Journal key"),
)


def plain_label(text: str = "", parent: QWidget | None = None, *, wrap: bool = True) -> QLabel:
    """A label that shows server text literally (:func:`console.ui.text.plain_label`), selectable."""
    return text_plain_label(text, parent, wrap=wrap, selectable=True, shrink=True)


def _field_values(event: Event) -> dict[str, str]:
    ack = event.ack
    if ack is not None:
        who = f" by {ack.operator}" if ack.operator else ""
        note = f": {ack.note}" if ack.note else ""
        ack_text = f"{format_time(ack.at)}{who}{note}"
    else:
        ack_text = "not yet" if event.level is Level.ALARM else "not an alarm"
    if event.backfilled:
        received = f" at {format_time(event.received)}" if event.received else ""
        arrival = f"back-filled{received}, after a gap in polling"
    else:
        arrival = f"live{f', received {format_time(event.received)}' if event.received else ''}"
    if event.raw.get("_levelCorrected"):  # filed by its name first, then raised by the server's own level
        arrival += "; severity raised afterwards by the server's own level"
    return {
        "time": format_time(event.time),
        "severity": style.level_word(event.level),
        "source": style.SOURCE_WORDS[event.source],
        "pin": event.pin,
        "person": event.person or ("(not in the live record: see the person below)" if event.pin else ""),
        "department": event.department,
        "point": event.point,
        "reader": event.reader,
        "device": event.device_name,
        "serial": event.device_sn,
        "verify": event.verify_mode,
        "area": event.area,
        "card": event.card,
        "server_name": event.name,  # as the server sent it (the title shows the guard's words)
        "event_no": event.event_no,
        "temperature": "" if event.temperature is None else f"{event.temperature:.1f} °C",
        "mask": {"0": "no mask", "1": "mask worn"}.get(event.mask, event.mask),
        "arrival": arrival,
        "ack": ack_text,
        "key": event.key,
    }


def _raw_text(raw: Any) -> str:
    if not isinstance(raw, dict) or not raw:
        return "(no raw record)"
    lines = []
    for name, value in list(raw.items())[:MAX_RAW_LINES]:
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
        lines.append(f"{name}: {style.cut(str(text), 400)}")
    return "\n".join(lines)


class PhotoView(QWidget):
    """A photo, or in its place the reason it is not shown."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.caption = QLabel(title)
        self.caption.setProperty("role", "hint")
        layout.addWidget(self.caption)
        self.image = QLabel()
        self.image.setObjectName("eventPhoto")
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image.setMinimumSize(96, 96)
        self.image.setMaximumSize(PHOTO_BOX)
        self.image.setFrameShape(QFrame.Shape.StyledPanel)
        layout.addWidget(self.image)
        self.reason = plain_label()
        self.reason.setObjectName("photoReason")
        layout.addWidget(self.reason)
        self.result: PhotoResult | None = None
        self.setMinimumWidth(170)

    def show_result(self, result: PhotoResult | None, empty: str = "no photo") -> None:
        self.result = result
        if result is not None and result.image is not None:
            self.image.setPixmap(QPixmap.fromImage(self._fit(result.image)))
            self.image.show()
            self.reason.setText(f"{result.format.upper()}, {result.image.width()}×{result.image.height()}")
        else:
            self.image.clear()
            self.image.hide()
            self.reason.setText(result.reason if result is not None else empty)

    @staticmethod
    def _fit(image: QImage) -> QImage:
        if image.width() <= PHOTO_BOX.width() and image.height() <= PHOTO_BOX.height():
            fit = min(PHOTO_BOX.width() // max(1, image.width()), PHOTO_BOX.height() // max(1, image.height()))
            scale = max(1, min(fit, 4))
            if scale > 1:  # tiny captures (32×24) enlarged, pixel for pixel
                return image.scaled(image.size() * scale, Qt.AspectRatioMode.KeepAspectRatio,
                                    Qt.TransformationMode.FastTransformation)
            return image
        return image.scaled(PHOTO_BOX, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)

    @property
    def shown(self) -> bool:
        return self.result is not None and self.result.image is not None


class DetailsPane(QWidget):
    """``show_event(event)`` (the event read whole from the journal, photo included); ``client`` is the
    session's API client (``await client.person(pin)``) or None."""

    door_requested = Signal(str)

    def __init__(self, client: Client | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("eventDetails")
        self.client = client
        self.current: Event | None = None
        self._people: OrderedDict[str, tuple[Any, str]] = OrderedDict()  # pin -> (person or None, reason)
        self._lookup: asyncio.Task[None] | None = None
        self._photo_task: asyncio.Task[None] | None = None
        # the server is asked only once the selection rests (a guard arrowing through rows asks nothing)
        self._pending: dict[str, Callable[[], Coroutine[Any, Any, None]]] = {}
        self._ask_later = QTimer(self)
        self._ask_later.setSingleShot(True)
        self._ask_later.setInterval(LOOKUP_DELAY_MS)
        self._ask_later.timeout.connect(self._ask_now)
        self._photos: OrderedDict[str, PhotoResult] = OrderedDict()  # key -> photo fetched from the server
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        # long values wrap: the pane never scrolls sideways (a value cut at the edge would be misread)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        outer.addWidget(scroll)
        body = QWidget()
        body.setObjectName("eventDetailsBody")
        scroll.setWidget(body)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(8)

        self.title = plain_label()
        self.title.setObjectName("eventTitle")
        font = self.title.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.25)
        self.title.setFont(font)
        self.title.setAccessibleName("Selected event")
        layout.addWidget(self.title)
        self.badge = plain_label()
        self.badge.setObjectName("eventBadge")
        layout.addWidget(self.badge)

        self.door_button = QPushButton()
        self.door_button.setObjectName("showDoor")
        self.door_button.setToolTip("Select this door or gate on the doors panel")
        self.door_button.clicked.connect(self._door_clicked)
        layout.addWidget(self.door_button, 0, Qt.AlignmentFlag.AlignLeft)

        photo_row = QWidget()  # side by side, or one under the other in a narrow pane
        photos = FlowLayout(photo_row, spacing=10, row_spacing=8)
        self.photo = PhotoView("Captured photo")
        self.person_photo = PhotoView("Registered photo")
        photos.addWidget(self.photo)
        photos.addWidget(self.person_photo)
        layout.addWidget(photo_row)

        box = QGroupBox("Event")
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.fields: dict[str, QLabel] = {}
        self._rows: dict[str, QLabel] = {}
        for key, text in FIELDS:
            value = plain_label()
            value.setObjectName(f"field-{key}")
            caption = QLabel(text)
            caption.setProperty("role", "hint")
            form.addRow(caption, value)
            self.fields[key] = value
            self._rows[key] = caption
        self._form = form
        self.event_box = box
        layout.addWidget(box)

        person_box = QGroupBox("Person record (from the server)")
        pl = QVBoxLayout(person_box)
        self.person_status = plain_label()
        self.person_status.setObjectName("personStatus")
        pl.addWidget(self.person_status)
        pform = QFormLayout()
        pform.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        pform.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.person_fields: dict[str, QLabel] = {}
        for key, text in (("name", "Name"), ("department", "Department"), ("card", "Card"),
                          ("phone", "Phone"), ("email", "E-mail"), ("access", "Access valid"),
                          ("state", "State")):
            value = plain_label()
            caption = QLabel(text)
            caption.setProperty("role", "hint")
            pform.addRow(caption, value)
            self.person_fields[key] = value
        pl.addLayout(pform)
        self.person_box = person_box
        layout.addWidget(person_box)

        raw_head = QHBoxLayout()
        self.raw_toggle = QToolButton()
        self.raw_toggle.setText("Server record ▸")
        self.raw_toggle.setCheckable(True)
        self.raw_toggle.setAutoRaise(True)
        self.raw_toggle.toggled.connect(self._toggle_raw)
        raw_head.addWidget(self.raw_toggle)
        raw_head.addStretch(1)
        layout.addLayout(raw_head)
        self.raw = QPlainTextEdit()
        self.raw.setReadOnly(True)
        self.raw.setObjectName("rawRecord")
        self.raw.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.raw.setMaximumBlockCount(MAX_RAW_LINES + 10)
        self.raw.setMinimumHeight(140)
        self.raw.hide()
        layout.addWidget(self.raw)
        layout.addStretch(1)
        self.apply_theme()
        self.show_event(None)

    def apply_theme(self) -> None:
        """Colours of the severity badge (the word is always there; the colour repeats it)."""
        p = theme.current()
        box = "padding: 3px 8px; border-radius: 4px; font-weight: 700;"
        self.badge.setStyleSheet(
            f"QLabel#eventBadge[level='alarm'] {{ background: {p.alarm}; color: {p.on_alarm}; {box} }}"
            f"QLabel#eventBadge[level='warning'] {{ background: {p.warn_bg}; color: {p.warn_text};"
            f" border: 1px solid {p.warn}; {box} }}"
            f"QLabel#eventBadge[level='normal'] {{ background: {p.ok_bg}; color: {p.ok_text};"
            f" border: 1px solid {p.ok}; {box} }}"
        )

    # -- showing ---------------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """A lookup (the person, the photo) is still on its way."""
        return self._ask_later.isActive() or any(
            t is not None and not t.done() for t in (self._lookup, self._photo_task))

    def _later(self, name: str, work: Callable[[], Coroutine[Any, Any, None]]) -> None:
        self._pending[name] = work
        self._ask_later.start()

    def _ask_now(self) -> None:
        pending, self._pending = self._pending, {}
        for name, work in pending.items():
            task = aio.spawn(work(), owner=self, name=name)
            if name == "event photo":
                self._photo_task = task
            else:
                self._lookup = task

    def _toggle_raw(self, on: bool) -> None:
        self.raw.setVisible(on)
        self.raw_toggle.setText("Server record ▾" if on else "Server record ▸")

    def show_event(self, event: Event | None) -> None:
        self.current = event
        self._ask_later.stop()
        self._pending.clear()
        for task in (self._lookup, self._photo_task):
            if task is not None and not task.done():
                task.cancel()
        self._lookup = self._photo_task = None
        if event is None:
            self.title.setText("No event selected")
            self.badge.setText("Select an event in the table to see all it carries.")
            self.badge.setProperty("level", "none")
            theme.restyle(self.badge)
            for label in self.fields.values():
                label.setText("")
            self.event_box.hide()  # no column of empty captions
            self.raw_toggle.hide()
            self.raw.hide()
            self.door_button.hide()
            self.photo.show_result(None, "")
            self.photo.hide()
            self.person_photo.hide()
            self.person_box.hide()
            self.raw.setPlainText("")
            return
        self.title.setText(style.event_text(event) or "(unnamed event)")
        words = [style.level_word(event.level).upper() if event.level is Level.ALARM else style.level_word(event.level)]
        words.append(f"{style.SOURCE_WORDS[event.source]} event")
        if event.backfilled:
            words.append("back-filled")
        if event.raw.get("_levelCorrected"):
            words.append("raised by the server's level")
        self.badge.setText(" · ".join(words))
        self.event_box.show()
        self.raw_toggle.show()
        self.raw.setVisible(self.raw_toggle.isChecked())
        self.badge.setProperty("level", event.level.word)
        theme.restyle(self.badge)
        for key, value in _field_values(event).items():
            if key == "key" and len(value) > KEY_SHOWN:  # one long word: it cannot wrap, so it is cut visibly
                self.fields[key].setText(value[:KEY_SHOWN] + "…")
                self.fields[key].setToolTip(tooltip(value))
            else:
                self.fields[key].setText(value)
                self.fields[key].setToolTip("")
            visible = bool(value)
            self.fields[key].setVisible(visible)
            self._rows[key].setVisible(visible)
        if event.point:
            self.door_button.setText("Show this door on the board")
            where = style.cut(event.point, 200)
            self.door_button.setToolTip(style.plain_tooltip(f"Select “{where}” on the doors panel"))
            self.door_button.show()
        else:
            self.door_button.hide()
        self.photo.show()
        if event.photo_base64:
            self.photo.show_result(decode_photo(event.photo_base64))
        elif event.photo_note:
            self.photo.show_result(PhotoResult(None, event.photo_note))
        elif event.photo_path:
            self.photo.show_result(PhotoResult(None, f"photo kept on the server: {event.photo_path}"))
        elif event.key in self._photos:
            self.photo.show_result(self._photos[event.key])
        elif self._may_fetch_photo(event):
            self.photo.show_result(None, "looking for a capture photo on the server…")
            self._later("event photo", lambda: self.fetch_photo(event))
        else:
            self.photo.show_result(None, "no photo with this event")
        self.person_photo.hide()
        self.raw.setPlainText(_raw_text(event.raw))
        self._show_person(event.pin)

    # -- the photo of a live event -----------------------------------------------------------------

    def _may_fetch_photo(self, event: Event) -> bool:
        # the live monitor never carries photos; the stored record (2.19.5) may. Back-filled events came
        # from there already.
        return (self.client is not None and event.source is Source.ACCESS
                and not event.backfilled and not event.has_photo)

    async def fetch_photo(self, event: Event) -> None:
        """Find the stored copy of a live access event on the server (same second, same person) and show
        its capture photo, if it has one."""
        second = event.time.replace(microsecond=0)
        result: PhotoResult
        if self.client is None:
            return
        try:
            page = await self.client.event_records(
                "2.19.5", second, second + timedelta(seconds=1), page_size=100, pin=event.pin or None
            )
        except (CVSecError, ValueError) as exc:
            if self.current is not None and self.current.key == event.key:
                self.photo.show_result(PhotoResult(None, f"the photo could not be fetched: {exc}"))
            return
        result = PhotoResult(None, "no photo with this event")
        for record in page.records:
            if not same_event_key(event_key(record, Source.ACCESS), event.key):  # or an older console's key
                continue
            photo, note = clean_photo_base64(record.get("capturePhotoBase64"))
            if photo:
                result = decode_photo(photo)
            elif note:
                result = PhotoResult(None, note)
            break
        self._photos[event.key] = result
        while len(self._photos) > PERSON_CACHE:
            self._photos.popitem(last=False)
        if self.current is not None and self.current.key == event.key:
            self.photo.show_result(result)

    # -- the person ------------------------------------------------------------------------------

    def _show_person(self, pin: str) -> None:
        for label in self.person_fields.values():
            label.setText("")
        if not pin:
            self.person_box.hide()
            return
        self.person_box.show()
        cached = self._people.get(pin)
        if cached is not None:
            self._fill_person(pin, *cached)
            return
        if self.client is None:
            self.person_status.setText("Not connected: the person cannot be looked up.")
            return
        self.person_status.setText(f"Looking up pin {pin}…")
        self._later("person lookup", lambda: self.lookup_person(pin))

    async def lookup_person(self, pin: str) -> None:
        """Ask the server for the person with ``pin`` and show the record (if the event is still selected)."""
        person: Any = None
        reason = ""
        if self.client is None:
            return
        try:
            person = await self.client.person(pin)
        except ApiError as exc:
            reason = f"No person record for pin {pin}: {exc.text}"
        except ValueError as exc:  # a pin the API refuses (check_pin) or a record that does not fit
            reason = f"No person record for pin {pin}: {exc}"
        except CVSecError as exc:
            reason = f"The person could not be looked up: {exc}"
            self._fill_person(pin, None, reason)  # not cached: try again next time
            return
        if person is None:  # not cached: the person may be enrolled at the desk a minute later
            self._fill_person(pin, None, reason)
            return
        self._people[pin] = (person, reason)
        while len(self._people) > PERSON_CACHE:
            self._people.popitem(last=False)
        self._fill_person(pin, person, reason)

    def _fill_person(self, pin: str, person: Any, reason: str) -> None:
        if self.current is None or self.current.pin != pin:
            return
        if person is None:
            self.person_status.setText(reason or f"No person record for pin {pin}.")
            return
        self.person_status.setText(f"Pin {pin}")
        full = " ".join(p for p in (str(person.name), str(person.last_name)) if p)
        valid = ""
        start, end = getattr(person, "acc_start_time", None), getattr(person, "acc_end_time", None)
        if start or end:
            valid = f"{format_time(start) if start else '…'} to {format_time(end) if end else '…'}"
        disabled = getattr(person, "is_disabled", None)
        values = {
            "name": full,
            "department": " ".join(p for p in (str(person.dept_name), f"({person.dept_code})" if person.dept_code
                                               else "") if p),
            "card": str(person.card_no),
            "phone": str(person.mobile_phone),
            "email": str(person.email),
            "access": valid or "no limit given",
            "state": {True: "disabled", False: "enabled", None: "not stated"}[disabled],
        }
        for key, value in values.items():
            self.person_fields[key].setText(style.cut(value, 300))
        # 2.14.5 (the v2 record) carries the enrolled face as vislightPhoto; older records as personPhoto
        photo = str(getattr(person, "person_photo", "") or getattr(person, "vislight_photo", "") or "")
        if photo:
            self.person_photo.show_result(decode_photo(photo))
            self.person_photo.show()

    # -- the door --------------------------------------------------------------------------------

    def _door_clicked(self) -> None:
        if self.current is not None and self.current.point:
            self.door_requested.emit(self.current.point)
