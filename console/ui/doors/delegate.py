"""Paints one tile (or one group header) of the board. 2,000 tiles are 2,000 paint calls, not 2,000 widgets.

A tile, in words and colour::

    ▌Door name (elided)                   DOOR
    ▌Online · Closed
    ▌Relay off · No alarm
    ▌[ALARM: FORCED OPEN]  or the device, or the result of the last command

Every string is drawn with ``QPainter.drawText`` on an elided plain string: markup from the server is never
interpreted. The colour bar and tint repeat what the words say; stale tiles are hatched and say so. A tile's
frame (fill, tint, hatch, border, colour bar: antialiased paths) is drawn once per look and size into a pixmap:
a board whose every visible tile changed repaints in a few milliseconds.
"""

from __future__ import annotations

import re
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPen, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QListView, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from console.services.doors import Item
from console.ui import startmarks
from console.ui.viewports import own_viewport

from .model import HeaderInfo, Role
from .style import Colours, Severity, colours, describe, severity, status_line

_ACKNOWLEDGED = re.compile(r"alarm acknowledged by (.+) at (\d\d:\d\d)")  # Item.acknowledged's words

__all__ = ["TILE_SIZE", "TileDelegate", "board_view"]

TILE_SIZE = QSize(228, 88)
HEADER_HEIGHTS = (34, 26)
Index = QModelIndex | QPersistentModelIndex
# Qt's enum members, looked up once: each lookup and "|" is Python enum code (a tile is painted with dozens)
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_CENTER = Qt.AlignmentFlag.AlignCenter
_ELIDE = Qt.TextElideMode.ElideRight
_ANTIALIASING = QPainter.RenderHint.Antialiasing
_HATCH = Qt.BrushStyle.BDiagPattern
_SELECTED = QStyle.StateFlag.State_Selected
_FOCUSED = QStyle.StateFlag.State_HasFocus
_DASH = Qt.PenStyle.DashLine


def board_view(accessible_name: str, batch: int) -> QListView:
    """The board's view, as the doors panel and the last known board's preview both show it: tiles left to right,
    wrapped, scrolled by the pixel, laid out ``batch`` at a time per turn of the loop (each asks the delegate
    its size); the caller sets what a board may do (select, drag, a menu)."""
    view = QListView()
    own_viewport(view)  # view.viewport() answered at once (console/ui/viewports.py)
    view.setObjectName("doorBoard")
    view.setAccessibleName(accessible_name)
    view.setViewMode(QListView.ViewMode.IconMode)
    view.setMovement(QListView.Movement.Static)
    view.setFlow(QListView.Flow.LeftToRight)
    view.setWrapping(True)
    view.setResizeMode(QListView.ResizeMode.Adjust)
    view.setLayoutMode(QListView.LayoutMode.Batched)
    view.setBatchSize(batch)
    view.setSpacing(5)
    view.setUniformItemSizes(False)
    view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    return view


class TileDelegate(QStyledItemDelegate):
    def __init__(self, view: QAbstractItemView) -> None:
        super().__init__(view)
        self._view = view
        self._colours: Colours | None = None
        self._palette_key = 0
        self._fonts: dict[str, QFont] = {}
        self._metrics: dict[str, QFontMetrics] = {}
        self._header_sizes: dict[int, QSize] = {}
        self._header_width = -1
        self._tile_size = TILE_SIZE
        self._hatches: dict[tuple[int, int, int, float], QPixmap] = {}
        self._frames: dict[tuple[Any, ...], QPixmap] = {}

    # -- sizes (called for every row on layout: keep them cheap) ------------------------------------

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        width = self._view.viewport().width()
        if width != self._header_width:
            self._layout_for(width)
        header = index.data(Role.HEADER)
        if header is None:
            return self._tile_size
        return self._header_sizes[min(header.level, 1)]

    def _layout_for(self, viewport_width: int) -> None:
        """Tiles stretch so that each row is filled: n columns of at least TILE_SIZE wide."""
        self._header_width = viewport_width
        spacing = self._spacing()
        usable = max(TILE_SIZE.width(), viewport_width - 2 * spacing - 2)
        columns = max(1, (usable + 2 * spacing) // (TILE_SIZE.width() + 2 * spacing))
        tile_width = min(TILE_SIZE.width() * 2, (usable + 2 * spacing) // columns - 2 * spacing)
        self._tile_size = QSize(max(TILE_SIZE.width(), tile_width), TILE_SIZE.height())
        self._header_sizes = {level: QSize(usable, height) for level, height in enumerate(HEADER_HEIGHTS)}

    def _spacing(self) -> int:
        spacing = getattr(self._view, "spacing", None)
        return int(spacing()) if callable(spacing) else 0

    # -- resources -----------------------------------------------------------------------------------

    def _setup(self, option: QStyleOptionViewItem) -> Colours:
        key = option.palette.cacheKey()
        if self._colours is None or key != self._palette_key:
            self._palette_key = key
            self._colours = colours(option.palette)
            base = QFont(option.font)
            title = QFont(base)
            title.setBold(True)
            title.setPointSizeF(base.pointSizeF() * 1.05)
            small = QFont(base)
            small.setPointSizeF(base.pointSizeF() * 0.9)
            badge = QFont(small)
            badge.setBold(True)
            area = QFont(base)
            area.setBold(True)
            area.setPointSizeF(base.pointSizeF() * 1.2)
            self._fonts = {"title": title, "body": base, "small": small, "badge": badge, "area": area}
            self._metrics = {name: QFontMetrics(font) for name, font in self._fonts.items()}
        return self._colours

    def _frame(self, size: QSize, ratio: float, c: Colours, sev: Severity, accent: QColor, stale: bool,
               selected: bool, focused: bool) -> QPixmap:
        """A tile's frame over a transparent tile of ``size``: fill, tint, the stale hatch, border, colour bar."""
        pixmap = QPixmap(round(size.width() * ratio), round(size.height() * ratio))
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(_ANTIALIASING, True)
        rect = QRectF(0, 0, size.width(), size.height()).adjusted(1.5, 1.5, -1.5, -1.5)
        path = QPainterPath()
        path.addRoundedRect(rect, 6, 6)
        painter.fillPath(path, c.tile)
        tint = c.tint[sev]
        if tint.alpha():
            painter.fillPath(path, tint)
        if stale:
            painter.drawPixmap(0, 0, self._hatch(size, c.hatch, ratio))
        pen = QPen(c.selection if selected else (accent if sev >= Severity.OPEN_TOO_LONG else c.border))
        pen.setWidthF(2.5 if selected else (1.5 if sev >= Severity.OPEN_TOO_LONG else 1.0))
        if focused and not selected:
            pen.setStyle(_DASH)
        painter.setPen(pen)
        painter.drawPath(path)
        # the colour bar on the left
        bar = QPainterPath()
        bar.addRoundedRect(QRectF(rect.left(), rect.top(), 6, rect.height()), 3, 3)
        painter.fillPath(bar, accent)
        painter.end()
        return pixmap

    def _hatch(self, size: QSize, colour: QColor, ratio: float) -> QPixmap:
        """A stale tile's hatching over a tile of ``size``, transparent elsewhere."""
        key = (size.width(), size.height(), colour.rgba(), ratio)
        pixmap = self._hatches.get(key)
        if pixmap is None:
            pixmap = QPixmap(round(size.width() * ratio), round(size.height() * ratio))
            pixmap.setDevicePixelRatio(ratio)
            pixmap.fill(Qt.GlobalColor.transparent)
            painter = QPainter(pixmap)
            painter.setRenderHint(_ANTIALIASING, True)
            path = QPainterPath()
            path.addRoundedRect(QRectF(0, 0, size.width(), size.height()).adjusted(1.5, 1.5, -1.5, -1.5), 6, 6)
            painter.fillPath(path, QBrush(colour, _HATCH))
            painter.end()
            if len(self._hatches) > 8:  # sizes and palettes come and go: keep the last few
                self._hatches.clear()
            self._hatches[key] = pixmap
        return pixmap

    def _elide(self, text: str, font: str, width: int) -> str:
        return self._metrics[font].elidedText(text, _ELIDE, max(0, width))

    # -- painting ------------------------------------------------------------------------------------

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        if startmarks.pending:
            startmarks.mark("tile")  # the first door tile painted (a start-up benchmark listens)
        c = self._setup(option)
        header = index.data(Role.HEADER)
        painter.save()
        try:
            painter.setRenderHint(_ANTIALIASING, True)
            if isinstance(header, HeaderInfo):
                self._paint_header(painter, option, header, c)
            else:
                item = index.data(Role.ITEM)
                if isinstance(item, Item):
                    self._paint_tile(painter, option, item, index.data(Role.NOTE), c)
        finally:
            painter.restore()

    def _paint_header(self, painter: QPainter, option: QStyleOptionViewItem, header: HeaderInfo, c: Colours) -> None:
        rect = option.rect.adjusted(2, 0, -2, 0)
        if header.level == 0:
            font, pad = "area", 4
            painter.setPen(QPen(c.border, 1))
            painter.drawLine(rect.bottomLeft(), rect.bottomRight())
        else:
            font, pad = "body", 14
        painter.setFont(self._fonts[font])
        painter.setPen(c.text)
        counts = header.counts_text()
        counts_font = "badge" if header.problems else "small"
        counts_width = min(self._metrics[counts_font].horizontalAdvance(counts) + 8, rect.width() // 2)
        text_rect = rect.adjusted(pad, 0, -counts_width - 8, 0)
        title = header.title + (f"   {header.detail}" if header.detail else "")
        painter.drawText(text_rect, _LEFT,
                         self._elide(title, font, text_rect.width()))
        painter.setFont(self._fonts[counts_font])
        painter.setPen(c.accent[Severity.ALARM] if header.alarm else (c.accent[Severity.OFFLINE] if header.problems
                                                                      else c.muted))
        count_rect = QRect(rect.right() - counts_width, rect.top(), counts_width, rect.height())
        painter.drawText(count_rect, _RIGHT,
                         self._elide(counts, counts_font, counts_width))

    def _paint_tile(
        self, painter: QPainter, option: QStyleOptionViewItem, item: Item, note: Any, c: Colours
    ) -> None:
        sev = severity(item)
        accent = c.accent[sev]
        if item.maintenance and sev < Severity.OPEN_TOO_LONG:  # low battery: never in the green of "all well"
            accent = c.accent[Severity.OPEN_TOO_LONG]
        selected = bool(option.state & _SELECTED)
        focused = bool(option.state & _FOCUSED)
        # the tile's frame (fill, tint, hatch, border, colour bar): antialiased paths, drawn once per look and size
        ratio = painter.device().devicePixelRatioF()
        size = option.rect.size()
        key = (size.width(), size.height(), ratio, self._palette_key, sev, accent.rgba(), item.stale, selected,
               focused)
        frame = self._frames.get(key)
        if frame is None:
            if len(self._frames) > 64:  # looks and sizes come and go: keep the last few dozen
                self._frames.clear()
            frame = self._frames[key] = self._frame(size, ratio, c, sev, accent, item.stale, selected, focused)
        painter.drawPixmap(option.rect.topLeft(), frame)

        inner = option.rect.adjusted(14, 6, -8, -6)
        width = inner.width()
        kind = item.kind.value.upper()
        painter.setFont(self._fonts["small"])
        kind_width = self._metrics["small"].horizontalAdvance(kind) + 4
        painter.setPen(c.muted)
        line_h = self._metrics["title"].height()
        painter.drawText(QRect(inner.right() - kind_width, inner.top(), kind_width, line_h),
                         _RIGHT, kind)
        painter.setFont(self._fonts["title"])
        painter.setPen(c.text)
        painter.drawText(QRect(inner.left(), inner.top(), width - kind_width - 4, line_h),
                         _LEFT,
                         self._elide(item.name, "title", width - kind_width - 4))
        y = inner.top() + line_h + 2
        first, second = describe(item)
        body_h = self._metrics["body"].height()
        painter.setFont(self._fonts["body"])
        for text in (first, second):
            if text:
                painter.drawText(QRect(inner.left(), y, width, body_h),
                                 _LEFT,
                                 self._elide(text, "body", width))
            y += body_h
        # the last line: a command's result, else the most urgent state, else the device
        y += 2
        small_h = self._metrics["badge"].height() + 4
        line = QRect(inner.left(), y, width, min(small_h, inner.bottom() - y + 4))
        if note:
            text, ok = note
            colour = c.accent[Severity.OK] if ok else c.accent[Severity.ALARM]
            stale = " · no fresh data" if item.stale else ""  # a command's result never hides staleness
            self._badge(painter, line, ("✓ " if ok else "✗ ") + str(text) + stale, colour, c)
            return
        badge = status_line(item)
        if badge:
            if sev is Severity.STALE and item.updated_at is not None:
                badge = f"STALE since {item.updated_at:%H:%M:%S}"
            if sev is Severity.ALARM and item.acknowledged:  # someone has it: the calmer colour of a warning
                accent = c.accent[Severity.OPEN_TOO_LONG]
                short = _ACKNOWLEDGED.fullmatch(item.acknowledged)  # the tile is narrow: the name must fit
                if short is not None:
                    badge = f"Acknowledged: {short.group(1)} {short.group(2)}"
            self._badge(painter, line, badge, accent, c)
        else:
            painter.setFont(self._fonts["small"])
            painter.setPen(c.muted)
            where = item.device_name or (f"SN {item.device_sn}" if item.device_sn else "")
            painter.drawText(line, _LEFT,
                             self._elide(where, "small", width))

    def _badge(self, painter: QPainter, line: QRect, text: str, colour: QColor, c: Colours) -> None:
        painter.setFont(self._fonts["badge"])
        fm = self._metrics["badge"]
        shown = self._elide(text, "badge", line.width() - 10)
        box = QRectF(line.left(), line.top(), min(line.width(), fm.horizontalAdvance(shown) + 12), line.height())
        path = QPainterPath()
        path.addRoundedRect(box, 4, 4)
        painter.fillPath(path, colour)
        painter.setPen(QColor("#ffffff") if colour.lightness() < 170 else QColor("#000000"))
        painter.drawText(box, _CENTER, shown)
