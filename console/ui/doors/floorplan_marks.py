"""How a floor-plan marker looks, drawn once and blitted: the marker images and where labels fit.

A marker is a coloured dot with the first letter (D or G) and, under it, a label with the item's name and its
most urgent state in words. Painting that with ``QPainter`` calls costs ~0.15 ms per marker, and every zoom step
repaints every visible marker (they ignore the view's transformations, so Qt's item cache does not hold for
them). So each look is drawn once into a ``QPixmap`` (:func:`marker_image`, cached by :data:`IMAGES` under a key
made of everything drawn: letter, texts, colours, selection, alarm ring, device pixel ratio) and a paint is a
blit.

Labels are shown where they fit: :func:`fitting_labels` says, for a zoom, which labels overlap neither another
shown label nor another marker's dot (the selected and alarm-marked markers first, then the urgent ones, then
the others in order). Zoomed out over a dense plan the guard sees the dots' colours; the names come back as the
plan is zoomed in, and the tool tip always has them.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPen, QPixmap

from console.services.doors import ItemKey

__all__ = ["IMAGES", "Basis", "ImageCache", "Look", "fitting_labels", "label_box", "marker_image", "reach",
           "zoom_bucket"]

RADIUS = 11.0
RING = 9.0  # the alarm ring's extra radius (two rings, the outer one 4 px wide)
LABEL_WIDTH = 150
LABEL_GAP = 3.0  # between the dot and its label
ZOOM_STEP = 1.02  # label layouts are computed per 2 % of zoom, at the bucket's lower bound (distances between
# markers only grow within a bucket; boxes carry a pixel of margin)


class Look(NamedTuple):
    """Everything a marker's image shows; equal looks give equal images (and share one)."""

    letter: str
    name: str  # already elided to the label's width
    word: str  # idem
    accent: int  # ARGB of the dot and the label's frame
    letter_colour: int
    ring: int  # the alarm colour (the ring of the alarm-marked marker)
    border: int
    tile: int
    tint: int  # 0: none
    text: int
    word_colour: int
    selected: bool
    alarm_mark: bool

    def dot(self) -> Look:
        """This look without its label: what the dot shows (the same for every marker alike)."""
        return self._replace(name="", word="", tile=0, tint=0, text=0, word_colour=0)


class Fonts:
    """The marker fonts (smaller than the UI's), made once."""

    def __init__(self) -> None:
        font = QFont()
        font.setPointSizeF(max(7.5, font.pointSizeF() * 0.85))
        self.font = font
        bold = QFont(font)
        bold.setBold(True)
        self.bold = bold
        self.fm = QFontMetrics(font)
        self.fm_bold = QFontMetrics(bold)
        self.label_height = float(self.fm.height() + self.fm_bold.height() + 6)

        self._elided: dict[tuple[str, bool], tuple[str, float]] = {}
        self.word_room = float(self.fm_bold.horizontalAdvance("STALE: NO FRESH DATA"))

    def label_width(self, name: str, word: str) -> float:
        return float(max(self.fm.horizontalAdvance(name), self.fm_bold.horizontalAdvance(word)) + 10)

    def elided(self, text: str, bold: bool) -> tuple[str, float]:
        """``text`` elided to a label's width, and its width (remembered: names and words recur)."""
        found = self._elided.get((text, bold))
        if found is None:
            fm = self.fm_bold if bold else self.fm
            short = fm.elidedText(text, Qt.TextElideMode.ElideRight, LABEL_WIDTH - 8)
            found = (short, float(fm.horizontalAdvance(short)))
            if len(self._elided) > 20_000:
                self._elided.clear()
            self._elided[(text, bold)] = found
        return found


_FONTS: Fonts | None = None


def fonts() -> Fonts:
    global _FONTS
    if _FONTS is None:
        _FONTS = Fonts()
    return _FONTS


def label_box(width: float, height: float) -> QRectF:
    """The label's frame, in the marker's coordinates (the dot's centre at 0, 0)."""
    return QRectF(-width / 2, RADIUS + LABEL_GAP, width, height)


def _draw(painter: QPainter, look: Look, with_label: bool) -> None:
    f = fonts()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
    accent = QColor.fromRgba(look.accent)
    r = RADIUS
    if look.alarm_mark:  # the selected alarm's door: two rings, the alarm colour outside a light one
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(QColor.fromRgba(look.ring), 4))
        painter.drawEllipse(QPointF(0, 0), r + 6, r + 6)
        painter.setPen(QPen(QColor("#ffffff"), 1.5))
        painter.drawEllipse(QPointF(0, 0), r + 3, r + 3)
    painter.setPen(QPen(QColor("#ffffff") if look.selected else QColor.fromRgba(look.border),
                        3 if look.selected else 1.5))
    painter.setBrush(QBrush(accent))
    painter.drawEllipse(QPointF(0, 0), r, r)
    painter.setPen(QColor.fromRgba(look.letter_colour))
    painter.setFont(f.bold)
    painter.drawText(QRectF(-r, -r, 2 * r, 2 * r), Qt.AlignmentFlag.AlignCenter, look.letter)
    if not with_label:
        return
    box = label_box(f.label_width(look.name, look.word), f.label_height)
    path = QPainterPath()
    path.addRoundedRect(box, 4, 4)
    painter.fillPath(path, QColor.fromRgba(look.tile))
    if look.tint:
        painter.fillPath(path, QColor.fromRgba(look.tint))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.setPen(QPen(accent, 1.5))
    painter.drawPath(path)
    painter.setPen(QColor.fromRgba(look.text))
    painter.setFont(f.font)
    painter.drawText(QRectF(box.left(), box.top() + 2, box.width(), f.fm.height()),
                     Qt.AlignmentFlag.AlignCenter, look.name)
    painter.setFont(f.bold)
    painter.setPen(QColor.fromRgba(look.word_colour))
    painter.drawText(QRectF(box.left(), box.top() + 2 + f.fm.height(), box.width(), f.fm_bold.height()),
                     Qt.AlignmentFlag.AlignCenter, look.word)


_REACH: tuple[int, int, int, int] | None = None


def reach() -> tuple[int, int, int, int]:
    """The most any marker image covers around its dot's centre, in pixels: (left, top, right, bottom), a
    pixel of margin each way (an alarm ring, the widest label)."""
    global _REACH
    if _REACH is None:
        f = fonts()
        r = math.ceil(RADIUS + RING + 2) + 1
        half = math.ceil(LABEL_WIDTH / 2) + 5  # labels are elided to LABEL_WIDTH - 8, plus 10 of frame and 2
        bottom = math.ceil(RADIUS + LABEL_GAP + f.label_height + 2) + 1
        _REACH = (-half, -r, half, max(r, bottom))
    return _REACH


def image_rect(look: Look, with_label: bool) -> QRectF:
    """What :func:`marker_image` covers, in the marker's coordinates (whole pixels, a margin for the pens)."""
    r = RADIUS + (RING if look.alarm_mark else 0) + 2
    rect = QRectF(-r, -r, 2 * r, 2 * r)
    if with_label:
        f = fonts()
        rect = rect.united(label_box(f.label_width(look.name, look.word), f.label_height).adjusted(-2, -2, 2, 2))
    left, top = math.floor(rect.left()), math.floor(rect.top())
    return QRectF(left, top, math.ceil(rect.right()) - left, math.ceil(rect.bottom()) - top)


def marker_image(look: Look, with_label: bool, dpr: float) -> tuple[QPixmap, QPointF]:
    """The marker drawn into a pixmap at ``dpr``, and where its top left goes (the dot's centre at 0, 0)."""
    rect = image_rect(look, with_label)
    pixmap = QPixmap(max(1, round(rect.width() * dpr)), max(1, round(rect.height() * dpr)))
    pixmap.setDevicePixelRatio(dpr)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.translate(-rect.left(), -rect.top())
    _draw(painter, look, with_label)
    painter.end()
    return pixmap, rect.topLeft()


class ImageCache:
    """Marker images by (look, label shown, device pixel ratio); the least recently used go past ``budget``
    bytes. Dots are shared by every marker in the same state; a label image is one marker's.

    Drawing a label costs ~0.2 ms: a paint that would draw many (labels appearing as the plan is zoomed in)
    draws what :data:`FRAME_BUDGET` allows (:meth:`begin_frame`, :meth:`can_draw`), the rest in the next
    frames; idle time draws the labels ahead (:meth:`can_keep`)."""

    FRAME_BUDGET = 0.003  # seconds of drawing per painted frame
    IDLE_BUDGET = 0.002  # per slice of work done ahead (it may share a turn of the loop with the board's work)

    def __init__(self, budget: int = 32 * 1024 * 1024) -> None:
        self.budget = budget
        self.bytes = 0
        self.drawn = 0  # images drawn so far (tests: a look drawn once, a change drawn again)
        self._spent = 0.0
        self._budget = self.FRAME_BUDGET
        self._images: OrderedDict[tuple[Look, bool, float], tuple[QPixmap, QPointF]] = OrderedDict()

    def find(self, look: Look, with_label: bool, dpr: float) -> tuple[QPixmap, QPointF] | None:
        key = (look, with_label, dpr)
        found = self._images.get(key)
        if found is not None:
            self._images.move_to_end(key)
        return found

    def get(self, look: Look, with_label: bool, dpr: float) -> tuple[QPixmap, QPointF]:
        found = self.find(look, with_label, dpr)
        if found is not None:
            return found
        started = time.perf_counter()
        found = marker_image(look, with_label, dpr)
        self._spent += time.perf_counter() - started
        self.drawn += 1
        self._images[(look, with_label, dpr)] = found
        self.bytes += _size(found[0])
        while self.bytes > self.budget and len(self._images) > 1:
            _, (old, _) = self._images.popitem(last=False)
            self.bytes -= _size(old)
        return found

    def begin_frame(self, budget: float | None = None) -> None:
        self._spent = 0.0
        self._budget = self.FRAME_BUDGET if budget is None else budget

    def can_draw(self) -> bool:
        """Whether this frame (or slice) may still draw an image it does not have."""
        return self._spent < self._budget

    def can_keep(self) -> bool:
        """Whether images drawn ahead would fit without pushing out others."""
        return self.bytes < self.budget * 3 // 4

    def clear(self) -> None:
        self._images.clear()
        self.bytes = 0

    def __len__(self) -> int:
        return len(self._images)


def _size(pixmap: QPixmap) -> int:
    return pixmap.width() * pixmap.height() * 4


IMAGES = ImageCache()


def zoom_bucket(scale: float) -> int:
    """The zoom's bucket for label layouts (:data:`ZOOM_STEP` wide)."""
    return math.floor(math.log(max(scale, 1e-6)) / math.log(ZOOM_STEP))


def fitting_labels(
    points: Sequence[tuple[float, float]],
    sizes: Sequence[tuple[float, float]],
    rings: Sequence[bool],
    order: Sequence[int],
    scale: float,
    forced: int = 0,
) -> set[int]:
    """Which labels fit at ``scale``: markers at scene ``points`` (their labels ``sizes`` wide and high, in
    pixels; ``rings``: an alarm ring around the dot) are taken in ``order``, and a label is shown when its box
    overlaps no other marker's dot and no label already shown; the first ``forced`` of ``order`` (the markers
    the guard is looking at, drawn on top) are shown whatever they cover. Markers ignore the view's transformations, so
    in view pixels a marker is at ``scale * point`` and its dot and label keep their size."""
    cell = float(LABEL_WIDTH + 4)
    grid: dict[tuple[int, int], list[tuple[float, float, float, float, int]]] = {}

    def cells(left: float, top: float, right: float, bottom: float) -> list[tuple[int, int]]:
        return [(cx, cy) for cx in range(math.floor(left / cell), math.floor(right / cell) + 1)
                for cy in range(math.floor(top / cell), math.floor(bottom / cell) + 1)]

    for n, (x, y) in enumerate(points):
        r = RADIUS + (RING if rings[n] else 0) + 1
        vx, vy = x * scale, y * scale
        dot = (vx - r, vy - r, vx + r, vy + r, n)
        for c in cells(dot[0], dot[1], dot[2], dot[3]):
            grid.setdefault(c, []).append(dot)
    shown: set[int] = set()
    for rank, n in enumerate(order):
        x, y = points[n]
        width, height = sizes[n]
        left = x * scale - width / 2 - 1
        top = y * scale + RADIUS + LABEL_GAP - 1
        right, bottom = left + width + 2, top + height + 2
        places = cells(left, top, right, bottom)
        if rank >= forced and any(o[4] != n and o[0] < right and left < o[2] and o[1] < bottom and top < o[3]
               for c in places for o in grid.get(c, ())):
            continue
        shown.add(n)
        box = (left, top, right, bottom, n)
        for c in places:
            grid.setdefault(c, []).append(box)
    return shown


@dataclass
class Basis:
    """What label layouts are computed from: the markers (``keys``) in order, their scene points, label
    sizes, alarm rings, and the order in which their labels are placed."""

    keys: list[ItemKey]
    points: list[tuple[float, float]]
    sizes: list[tuple[float, float]]
    rings: list[bool]
    order: list[int]
    forced: int = 0  # the first of ``order`` are shown whatever they cover (selected, alarm-marked)

    def layout(self, scale: float) -> int:
        """The labels that fit at ``scale``, as a bit mask over :attr:`keys`."""
        mask = 0
        for n in fitting_labels(self.points, self.sizes, self.rings, self.order, scale, self.forced):
            mask |= 1 << n
        return mask
