"""The timeline, painted: spaces as rows, time across, bookings as blocks, a line at the current time.

:class:`TimelineView` paints a :class:`~.model.TimelineModel` (no item view underneath: blocks are as long as
their bookings, not as a cell). Space names stay on the left and the hours on top while the rest scrolls.

Mouse: drag across a free stretch to book it (``book_requested``), drag a block to move it (to another time or
space), drag its right edge to make it longer or shorter (``move_requested``; the panel asks for a
confirmation), double-click to open it (``open_requested``), Ctrl+click to add it to (or take it out of) the
marked bookings that Cancel, Finish and Delete act on together (:meth:`TimelineView.selected_ids`).
While dragging, the new place is drawn in the timeline, in the alarm colour with "overlaps" when it would
overlap another booking of that space.

Keyboard (the view has the focus): arrows move a cursor between slots and spaces, Ctrl+Left/Right jump to the
previous/next booking of the space, Home/End the first/last slot, Enter opens the booking under the cursor
(or books the free slot), N books from the cursor's slot, Space marks or unmarks the booking under the cursor
(several at once), Escape clears the marks. No shortcut leaves the view: the keys are its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
)
from PySide6.QtWidgets import QAbstractScrollArea, QToolTip, QWidget

from console.api.models.spaces import ReservationStatus
from console.services.spaces import Booking, overlapping
from console.ui import theme
from console.ui.text import tooltip

from .model import TimelineModel

__all__ = ["STATUS_SYMBOLS", "TimelineView"]

LABEL_WIDTH = 190
HEADER_HEIGHT = 30
ROW_HEIGHT = 62
EDGE = 7  # px at a block's right edge that resize it
NOW_TICK_MS = 15_000
STATUS_SYMBOLS = {
    ReservationStatus.PENDING: "◷",
    ReservationStatus.IN_PROGRESS: "▶",
    ReservationStatus.ENDED: "✓",
    ReservationStatus.CANCELLED: "✗",
    ReservationStatus.UNKNOWN: "?",
}


@dataclass
class _Drag:
    kind: str  # "create", "move", "resize"
    row: int
    anchor: datetime  # where the press was (time)
    booking: Booking | None = None
    start: datetime | None = None
    end: datetime | None = None
    target_row: int = -1
    moved: bool = False


class TimelineView(QAbstractScrollArea):
    book_requested = Signal(str, object, object)  # space id, start, end
    move_requested = Signal(str, object, object, str)  # booking id, start, end, space id
    open_requested = Signal(str)  # booking id
    selection_changed = Signal()  # the cursor or the selected booking changed

    def __init__(self, model: TimelineModel, *, clock: object = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("spacesTimeline")
        self.setAccessibleName("Space bookings timeline")
        self.model = model
        self._clock = clock if callable(clock) else datetime.now
        self.minute_px = 2.0
        self.snap = timedelta(minutes=15)
        self.cursor_row = 0
        self.cursor_column = 0
        self.selected_id = ""
        self.marked: set[str] = set()  # bookings marked with Ctrl+click or Space, acted on together
        self._drag: _Drag | None = None
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.viewport().setMouseTracking(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self._now_timer = QTimer(self)
        self._now_timer.setInterval(NOW_TICK_MS)
        self._now_timer.timeout.connect(self.viewport().update)
        self._now_timer.start()
        model.modelReset.connect(self._model_reset)
        self._model_reset()

    # -- geometry ------------------------------------------------------------------------------------

    def now(self) -> datetime:
        value = self._clock()
        assert isinstance(value, datetime)
        return value

    def set_scale(self, minute_px: float, snap_minutes: int) -> None:
        self.minute_px = minute_px
        self.snap = timedelta(minutes=snap_minutes)
        self._update_scrollbars()
        self.viewport().update()

    def content_width(self) -> int:
        minutes = (self.model.window_end - self.model.window_start).total_seconds() / 60
        return int(minutes * self.minute_px)

    def _update_scrollbars(self) -> None:
        area = self.viewport().size()
        h = self.horizontalScrollBar()
        h.setRange(0, max(0, self.content_width() - (area.width() - LABEL_WIDTH)))
        h.setPageStep(max(1, area.width() - LABEL_WIDTH))
        h.setSingleStep(int(30 * self.minute_px))
        v = self.verticalScrollBar()
        v.setRange(0, max(0, self.model.rowCount() * ROW_HEIGHT - (area.height() - HEADER_HEIGHT)))
        v.setPageStep(max(1, area.height() - HEADER_HEIGHT))
        v.setSingleStep(ROW_HEIGHT // 2)

    def x_of(self, when: datetime) -> float:
        minutes = (when - self.model.window_start).total_seconds() / 60
        return LABEL_WIDTH + minutes * self.minute_px - self.horizontalScrollBar().value()

    def y_of(self, row: int) -> int:
        return HEADER_HEIGHT + row * ROW_HEIGHT - self.verticalScrollBar().value()

    def time_at(self, x: float) -> datetime:
        minutes = (x - LABEL_WIDTH + self.horizontalScrollBar().value()) / self.minute_px
        return self.model.window_start + timedelta(minutes=minutes)

    def row_at(self, y: float) -> int:
        if y < HEADER_HEIGHT:
            return -1
        row = int((y - HEADER_HEIGHT + self.verticalScrollBar().value()) // ROW_HEIGHT)
        return row if 0 <= row < self.model.rowCount() else -1

    def snapped(self, when: datetime) -> datetime:
        step = self.snap.total_seconds()
        offset = (when - self.model.window_start).total_seconds()
        return self.model.window_start + timedelta(seconds=round(offset / step) * step)

    def block_rect(self, booking: Booking, row: int) -> QRectF:
        x1 = self.x_of(max(booking.start, self.model.window_start))
        x2 = self.x_of(min(booking.end, self.model.window_end))
        top = self.y_of(row) + 3
        return QRectF(x1, top, max(4.0, x2 - x1 - 1), ROW_HEIGHT - 6)

    def point_of(self, when: datetime, row: int) -> QPoint:
        """The viewport point of ``when`` in ``row``'s middle (tests drag from and to such points)."""
        return QPoint(round(self.x_of(when)), self.y_of(row) + ROW_HEIGHT // 2)

    def hit(self, pos: QPointF) -> tuple[int, datetime, Booking | None, bool]:
        """Row, time, booking under ``pos`` (None on a free stretch), and whether on its right edge."""
        row = self.row_at(pos.y())
        when = self.time_at(pos.x())
        if row < 0 or pos.x() < LABEL_WIDTH:
            return row, when, None, False
        for booking in reversed(self.model.bookings_in_row(row)):
            rect = self.block_rect(booking, row)
            if rect.left() <= pos.x() <= rect.right() + 1:
                return row, when, booking, pos.x() >= rect.right() - EDGE
        return row, when, None, False

    def ensure_visible(self, when: datetime, row: int) -> None:
        x = self.x_of(when) + self.horizontalScrollBar().value() - LABEL_WIDTH
        width = self.viewport().width() - LABEL_WIDTH
        h = self.horizontalScrollBar()
        if x < h.value():
            h.setValue(int(x))
        elif x + 60 > h.value() + width:
            h.setValue(int(x + 60 - width))
        y = row * ROW_HEIGHT
        v = self.verticalScrollBar()
        height = self.viewport().height() - HEADER_HEIGHT
        if y < v.value():
            v.setValue(y)
        elif y + ROW_HEIGHT > v.value() + height:
            v.setValue(y + ROW_HEIGHT - height)

    def scroll_to(self, when: datetime) -> None:
        x = (when - self.model.window_start).total_seconds() / 60 * self.minute_px
        self.horizontalScrollBar().setValue(int(x))

    # -- state -----------------------------------------------------------------------------------------

    def _model_reset(self) -> None:
        rows, columns = self.model.rowCount(), self.model.columnCount()
        self.cursor_row = max(0, min(self.cursor_row, rows - 1))
        self.cursor_column = max(0, min(self.cursor_column, columns - 1))
        if self.selected_id and self.model.booking_cell(self.selected_id) is None:
            self.selected_id = ""
        self.marked = {i for i in self.marked if self.model.booking_cell(i) is not None}
        self._update_scrollbars()
        self.viewport().update()

    def selected_booking(self) -> Booking | None:
        if not self.selected_id:
            return None
        for row in range(self.model.rowCount()):
            for booking in self.model.bookings_in_row(row):
                if booking.id == self.selected_id:
                    return booking
        return None

    def selected_ids(self) -> list[str]:
        """The marked bookings and the selected one (in time order): what the actions act on."""
        ids = set(self.marked) | ({self.selected_id} if self.selected_id else set())
        found = [b for row in range(self.model.rowCount()) for b in self.model.bookings_in_row(row) if b.id in ids]
        return [b.id for b in sorted(found, key=lambda b: (b.start, b.space_id))]

    def selected_bookings(self) -> list[Booking]:
        ids = set(self.selected_ids())
        return sorted((b for row in range(self.model.rowCount()) for b in self.model.bookings_in_row(row)
                       if b.id in ids), key=lambda b: (b.start, b.space_id))

    def toggle_mark(self, booking_id: str) -> None:
        """Add a booking to the marked ones, or take it out (the selected one is marked with it)."""
        if booking_id in self.marked or (booking_id == self.selected_id and not self.marked):
            self.marked.discard(booking_id)
            if booking_id == self.selected_id:
                self.selected_id = next(iter(sorted(self.marked)), "")
        else:
            if self.selected_id:
                self.marked.add(self.selected_id)
            self.marked.add(booking_id)
            self.selected_id = booking_id
        self.viewport().update()
        self.selection_changed.emit()

    def clear_marks(self) -> None:
        if self.marked:
            self.marked.clear()
            self.viewport().update()
            self.selection_changed.emit()

    def cursor_booking(self) -> Booking | None:
        return self.model.booking_in_slot(self.cursor_row, self.cursor_column)

    def select(self, booking_id: str) -> bool:
        cell = self.model.booking_cell(booking_id)
        if cell is None:
            return False
        self.cursor_row, self.cursor_column = cell
        self.selected_id = booking_id
        self.ensure_visible(self.model.slot_start(self.cursor_column), self.cursor_row)
        self.viewport().update()
        self.selection_changed.emit()
        return True

    def set_cursor(self, row: int, column: int) -> None:
        rows, columns = self.model.rowCount(), self.model.columnCount()
        if rows == 0 or columns == 0:
            return
        self.cursor_row = max(0, min(rows - 1, row))
        self.cursor_column = max(0, min(columns - 1, column))
        booking = self.cursor_booking()
        self.selected_id = booking.id if booking is not None else ""
        self.ensure_visible(self.model.slot_start(self.cursor_column), self.cursor_row)
        self.viewport().update()
        self.selection_changed.emit()

    # -- keyboard --------------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key, mods = event.key(), event.modifiers()
        ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
        row, column = self.cursor_row, self.cursor_column
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Right) and ctrl:
            self._jump(-1 if key == Qt.Key.Key_Left else 1)
        elif key == Qt.Key.Key_Left:
            self.set_cursor(row, column - 1)
        elif key == Qt.Key.Key_Right:
            self.set_cursor(row, column + 1)
        elif key == Qt.Key.Key_Up:
            self.set_cursor(row - 1, column)
        elif key == Qt.Key.Key_Down:
            self.set_cursor(row + 1, column)
        elif key == Qt.Key.Key_Home:
            self.set_cursor(row, 0)
        elif key == Qt.Key.Key_End:
            self.set_cursor(row, self.model.columnCount() - 1)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            booking = self.cursor_booking()
            if booking is not None:
                self.open_requested.emit(booking.id)
            else:
                self._book_at_cursor()
        elif key == Qt.Key.Key_N and not (mods & ~Qt.KeyboardModifier.KeypadModifier):
            self._book_at_cursor()
        elif key == Qt.Key.Key_Space:
            booking = self.cursor_booking()
            if booking is not None:
                self.toggle_mark(booking.id)
        elif key == Qt.Key.Key_Escape and self.marked:
            self.clear_marks()
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def _jump(self, direction: int) -> None:
        bookings = self.model.bookings_in_row(self.cursor_row)
        here = self.model.slot_start(self.cursor_column)
        current = self.cursor_booking()
        if direction > 0:
            later = [b for b in bookings if b.start > here and b is not current]
            target = min(later, key=lambda b: b.start) if later else None
        else:
            earlier = [b for b in bookings if b.start < (current.start if current else here) and b is not current]
            target = max(earlier, key=lambda b: b.start) if earlier else None
        if target is not None:
            self.select(target.id)

    def _book_at_cursor(self) -> None:
        space = self.model.space_at(self.cursor_row)
        if space is None:
            return
        start = self.model.slot_start(self.cursor_column)
        self.book_requested.emit(space.id, start, start + timedelta(hours=1))

    # -- mouse -----------------------------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        row, when, booking, edge = self.hit(event.position())
        if row < 0:
            return
        if booking is not None and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.cursor_row, self.cursor_column = row, self.model.column_at(when)
            self.toggle_mark(booking.id)
            return
        self.marked.clear()
        if booking is not None:
            self.selected_id = booking.id
            self.cursor_row, self.cursor_column = row, self.model.column_at(when)
            self._drag = _Drag("resize" if edge else "move", row, when, booking, booking.start, booking.end, row)
        else:
            self.cursor_row, self.cursor_column = row, self.model.column_at(when)
            self.selected_id = ""
            self._drag = _Drag("create", row, self.snapped(when), None, None, None, row)
        self.viewport().update()
        self.selection_changed.emit()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        drag = self._drag
        pos = event.position()
        if drag is None:
            _row, _when, booking, edge = self.hit(pos)
            shape = Qt.CursorShape.SizeHorCursor if booking is not None and edge else (
                Qt.CursorShape.OpenHandCursor if booking is not None else Qt.CursorShape.CrossCursor)
            self.viewport().setCursor(shape)
            return
        when = self.time_at(pos.x())
        if drag.kind == "create":
            here = self.snapped(when)
            start, end = min(drag.anchor, here), max(drag.anchor, here)
            drag.start, drag.end = start, max(end, start + self.snap)
            drag.moved = drag.moved or here != drag.anchor
        elif drag.booking is not None and drag.kind == "move":
            shift = self.snapped(drag.booking.start + (when - drag.anchor)) - drag.booking.start
            drag.start, drag.end = drag.booking.start + shift, drag.booking.end + shift
            row = self.row_at(pos.y())
            drag.target_row = row if row >= 0 else drag.target_row
            drag.moved = drag.moved or shift != timedelta(0) or drag.target_row != drag.row
        elif drag.booking is not None:
            end = max(drag.booking.start + self.snap, self.snapped(when))
            drag.start, drag.end = drag.booking.start, end
            drag.moved = drag.moved or end != drag.booking.end
        self.viewport().update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        drag, self._drag = self._drag, None
        if drag is None or event.button() != Qt.MouseButton.LeftButton:
            return
        self.viewport().update()
        if not drag.moved or drag.start is None or drag.end is None:
            return
        if drag.kind == "create":
            space = self.model.space_at(drag.row)
            if space is not None:
                self.book_requested.emit(space.id, drag.start, drag.end)
        elif drag.booking is not None:
            space = self.model.space_at(drag.target_row)
            self.move_requested.emit(drag.booking.id, drag.start, drag.end, space.id if space else "")

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        _row, _when, booking, _edge = self.hit(event.position())
        if booking is not None:
            self._drag = None
            self.open_requested.emit(booking.id)

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            row, when, booking, _edge = self.hit(QPointF(event.pos()))
            space = self.model.space_at(row)
            if space is None:
                QToolTip.hideText()
                return True
            facilities = ", ".join(self.model.desk.facilities[f].name for f in space.facility_ids
                                   if f in self.model.desk.facilities) or "none listed"
            if booking is not None:
                text = (f"{booking.subject}\n{booking.start:%H:%M}-{booking.end:%H:%M}, {booking.status_words}\n"
                        f"host: {booking.host_label}\n{booking.people_words}")
            elif event.pos().x() < LABEL_WIDTH:
                text = f"{space.name}\n{space.capacity_words}\nfacilities: {facilities}\n{space.address}"
            else:
                text = f"{space.name}: free at {when:%H:%M} ({space.capacity_words}; facilities: {facilities})"
            QToolTip.showText(event.globalPos(), tooltip(text), self.viewport())
            return True
        return super().viewportEvent(event)

    # -- painting --------------------------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._update_scrollbars()

    def sizeHint(self) -> QSize:
        return QSize(900, HEADER_HEIGHT + ROW_HEIGHT * 6)

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        self.viewport().update()

    def paintEvent(self, event: QPaintEvent) -> None:
        p = theme.current()
        painter = QPainter(self.viewport())
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        area = self.viewport().rect()
        painter.fillRect(area, p.color("surface"))
        self._paint_grid(painter, area)
        for row in range(self.model.rowCount()):
            y = self.y_of(row)
            if y + ROW_HEIGHT < HEADER_HEIGHT or y > area.height():
                continue
            for booking in self.model.bookings_in_row(row):
                self._paint_block(painter, booking, row)
        self._paint_drag(painter)
        self._paint_cursor(painter)
        self._paint_now(painter, area)
        self._paint_labels(painter, area)
        self._paint_header(painter, area)
        painter.end()

    def _hour_step(self) -> int:
        return 1 if self.minute_px >= 1 else (3 if self.minute_px >= 0.3 else 6)

    def _paint_grid(self, painter: QPainter, area: QRect) -> None:
        p = theme.current()
        for row in range(self.model.rowCount()):
            y = self.y_of(row)
            if row % 2:
                painter.fillRect(QRectF(LABEL_WIDTH, y, area.width(), ROW_HEIGHT), p.color("surface_alt"))
            painter.setPen(QPen(p.color("border"), 1))
            painter.drawLine(LABEL_WIDTH, y + ROW_HEIGHT, area.width(), y + ROW_HEIGHT)
        t = self.model.window_start
        step = timedelta(hours=self._hour_step())
        if self.minute_px >= 1.5:  # half hours, faintly, where a slot is wide enough to aim at
            pen = QPen(p.color("border"), 1)
            pen.setStyle(Qt.PenStyle.DotLine)
            painter.setPen(pen)
            half = t + timedelta(minutes=30)
            while half < self.model.window_end:
                x = self.x_of(half)
                if LABEL_WIDTH <= x <= area.width():
                    painter.drawLine(QPointF(x, HEADER_HEIGHT), QPointF(x, area.height()))
                half += timedelta(hours=1)
        while t < self.model.window_end:
            x = self.x_of(t)
            if LABEL_WIDTH <= x <= area.width():
                strong = t.hour == 0
                painter.setPen(QPen(p.color("border_strong" if strong else "border"), 2 if strong else 1))
                painter.drawLine(QPointF(x, HEADER_HEIGHT), QPointF(x, area.height()))
            t += step

    def _colors(self, booking: Booking) -> tuple[QColor, QColor, QColor]:
        """Fill, text and edge colours of a block by status (the status is also written in words)."""
        p = theme.current()
        status = booking.status
        if status is ReservationStatus.IN_PROGRESS:
            return p.color("ok_bg"), p.color("ok_text"), p.color("ok")
        if status is ReservationStatus.PENDING:
            return p.color("info_bg"), p.color("info_text"), p.color("info")
        if status is ReservationStatus.CANCELLED:
            return p.color("surface_alt"), p.color("text_muted"), p.color("border_strong")
        if status is ReservationStatus.ENDED:
            return p.color("offline_bg"), p.color("offline_text"), p.color("offline")
        return p.color("warn_bg"), p.color("warn_text"), p.color("warn")

    def _paint_block(self, painter: QPainter, booking: Booking, row: int) -> None:
        rect = self.block_rect(booking, row)
        fill, text, edge = self._colors(booking)
        marked = booking.id in self.marked
        selected = booking.id == self.selected_id or marked
        pen = QPen(theme.current().color("accent") if marked else edge, 3 if selected else 1)
        if booking.status is ReservationStatus.CANCELLED:
            pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(fill)
        painter.drawRoundedRect(rect, 4, 4)
        painter.fillRect(QRectF(rect.left(), rect.top(), 4, rect.height()), edge)
        inner = rect.adjusted(8, 3, -4, -3)
        if inner.width() < 12:
            return
        painter.setPen(text)
        font = QFont(self.font())
        font.setBold(True)
        font.setStrikeOut(booking.status is ReservationStatus.CANCELLED)
        painter.setFont(font)
        metrics = QFontMetrics(font)
        line = metrics.height()
        width = int(inner.width())
        subject = ("☑ " if marked else "") + booking.subject
        painter.drawText(QPointF(inner.left(), inner.top() + metrics.ascent()),
                         metrics.elidedText(subject, Qt.TextElideMode.ElideRight, width))
        font.setBold(False)
        font.setStrikeOut(False)
        painter.setFont(font)
        metrics = QFontMetrics(font)
        second = f"{booking.start:%H:%M}-{booking.end:%H:%M} · {booking.host_name or booking.host_pin}"
        third = f"{STATUS_SYMBOLS.get(booking.status, '?')} {booking.status_words} · {booking.people_short}"
        painter.drawText(QPointF(inner.left(), inner.top() + line + metrics.ascent()),
                         metrics.elidedText(second, Qt.TextElideMode.ElideRight, width))
        if inner.height() >= 3 * line:
            painter.drawText(QPointF(inner.left(), inner.top() + 2 * line + metrics.ascent()),
                             metrics.elidedText(third, Qt.TextElideMode.ElideRight, width))

    def _paint_drag(self, painter: QPainter) -> None:
        drag = self._drag
        if drag is None or not drag.moved or drag.start is None or drag.end is None:
            return
        p = theme.current()
        row = drag.target_row if drag.target_row >= 0 else drag.row
        space = self.model.space_at(row)
        ignore = drag.booking.id if drag.booking is not None else ""
        clash = bool(space and overlapping(self.model.desk.bookings.values(), space.id, drag.start, drag.end,
                                           ignore=ignore))
        x1, x2 = self.x_of(drag.start), self.x_of(drag.end)
        rect = QRectF(x1, self.y_of(row) + 3, max(4.0, x2 - x1 - 1), ROW_HEIGHT - 6)
        color = p.color("alarm" if clash else "accent")
        fill = QColor(color)
        fill.setAlpha(70)
        pen = QPen(color, 2)
        pen.setStyle(Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(fill)
        painter.drawRoundedRect(rect, 4, 4)
        painter.setPen(p.color("alarm_text" if clash else "text"))
        words = f"{drag.start:%H:%M}-{drag.end:%H:%M}" + (" ✗ overlaps" if clash else "")
        painter.drawText(rect.adjusted(6, 0, -2, 0), Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                         words)

    def _paint_cursor(self, painter: QPainter) -> None:
        if self.model.rowCount() == 0 or self.model.columnCount() == 0:
            return
        p = theme.current()
        start = self.model.slot_start(self.cursor_column)
        x1, x2 = self.x_of(start), self.x_of(start + self.model.slot)
        rect = QRectF(x1 + 1, self.y_of(self.cursor_row) + 1, max(3.0, x2 - x1 - 2), ROW_HEIGHT - 2)
        pen = QPen(p.color("accent"), 2 if self.hasFocus() else 1)
        pen.setStyle(Qt.PenStyle.DotLine)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(rect)

    def _paint_now(self, painter: QPainter, area: QRect) -> None:
        now = self.now()
        if not self.model.window_start <= now < self.model.window_end:
            return
        x = self.x_of(now)
        if x < LABEL_WIDTH:
            return
        p = theme.current()
        painter.setPen(QPen(p.color("alarm"), 2))
        painter.drawLine(QPointF(x, HEADER_HEIGHT - 6), QPointF(x, area.height()))

    def _paint_labels(self, painter: QPainter, area: QRect) -> None:
        p = theme.current()
        painter.fillRect(QRect(0, HEADER_HEIGHT, LABEL_WIDTH, area.height()), p.color("surface_alt"))
        painter.setPen(QPen(p.color("border_strong"), 1))
        painter.drawLine(LABEL_WIDTH, HEADER_HEIGHT, LABEL_WIDTH, area.height())
        bold = QFont(self.font())
        bold.setBold(True)
        plain = QFont(self.font())
        desk = self.model.desk
        for row in range(self.model.rowCount()):
            space = self.model.space_at(row)
            y = self.y_of(row)
            if space is None or y + ROW_HEIGHT < HEADER_HEIGHT or y > area.height():
                continue
            if row == self.cursor_row:
                painter.fillRect(QRect(0, y, 4, ROW_HEIGHT), p.color("accent"))
            painter.setPen(p.color("text"))
            painter.setFont(bold)
            metrics = QFontMetrics(bold)
            painter.drawText(QPointF(10, y + 6 + metrics.ascent()),
                             metrics.elidedText(space.name, Qt.TextElideMode.ElideRight, LABEL_WIDTH - 16))
            painter.setFont(plain)
            small = QFontMetrics(plain)
            devices = [desk.devices[d] for d in space.device_ids if d in desk.devices]
            state = "disabled" if space.disabled else (space.status.words if space.status.name != "UNKNOWN" else "")
            if devices:
                state = (state + " · " if state else "") + "device " + devices[0].state
            line2 = f"{space.capacity or '?'} seats" + (f" · {state}" if state else "")
            painter.setPen(p.color("text_muted"))
            painter.drawText(QPointF(10, y + 6 + metrics.height() + small.ascent() + 2),
                             small.elidedText(line2, Qt.TextElideMode.ElideRight, LABEL_WIDTH - 16))

    def _paint_header(self, painter: QPainter, area: QRect) -> None:
        p = theme.current()
        painter.fillRect(QRect(0, 0, area.width(), HEADER_HEIGHT), p.color("surface_alt"))
        painter.setPen(QPen(p.color("border_strong"), 1))
        painter.drawLine(0, HEADER_HEIGHT, area.width(), HEADER_HEIGHT)
        painter.setFont(self.font())
        t = self.model.window_start
        step = timedelta(hours=self._hour_step())
        week = self.model.desk.days > 1
        while t < self.model.window_end:
            x = self.x_of(t)
            if LABEL_WIDTH - 2 <= x <= area.width():
                label = f"{t:%a %d}" if week and t.hour == 0 else f"{t:%H:%M}"
                painter.setPen(p.color("text" if t.hour == 0 and week else "text_muted"))
                painter.drawText(QPointF(x + 4, HEADER_HEIGHT - 9), label)
            t += step
        painter.setPen(p.color("text"))
        start = self.model.window_start
        title = f"{start:%a %d %b %Y}" if not week else f"week of {start:%d %b %Y}"
        painter.drawText(QRect(8, 0, LABEL_WIDTH - 12, HEADER_HEIGHT),
                         Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, title)
