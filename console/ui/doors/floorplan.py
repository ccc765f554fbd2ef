"""The floor-plan map: a plan image with one live marker per placed door or gate.

Plans come from :class:`console.services.floorplans.FloorPlans` (several per profile, picked in a combo box).
Markers are dragged in from the list beside the plan (or from the board), moved with the mouse, and saved in
image coordinates. Each marker shows the item's name and its most urgent state in words, coloured like the
tile, and offers the tile's actions on right click.

Images are decoded with limits: the header's size is read first and anything over :data:`MAX_PIXELS` is
refused before a byte of pixels is decoded; JPEG and PNG go through ``QImageReader`` (its allocation limit is
never raised), SVG through ``QSvgRenderer``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, ClassVar

import shiboken6
from PySide6.QtCore import QEvent, QPointF, QRect, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QContextMenuEvent,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QHelpEvent,
    QImage,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPixmap,
    QWheelEvent,
)
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtSvgWidgets import QGraphicsSvgItem
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGraphicsItem,
    QGraphicsObject,
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsSceneMouseEvent,
    QGraphicsView,
    QLabel,
    QListView,
    QMenu,
    QSplitter,
    QStyleOptionGraphicsItem,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from console.services.doors import DoorBoard, Item, ItemKey
from console.services.floorplans import FloorPlan, FloorPlans, PlanError, image_kind

from ..flow import FlowLayout
from ..text import tooltip
from ..viewports import own_viewport
from . import floorplan_marks as marks
from . import turns
from .model import MIME_TYPE, decode_mime
from .plan_image import MAX_PIXELS, MAX_SIDE, PlanImageReader, read_plan_image
from .style import Colours, Severity, colours, full_text, severity, status_line

__all__ = ["MAX_PIXELS", "MarkerItem", "PlanView", "PlansWidget", "load_plan_item"]

log = logging.getLogger(__name__)

def load_plan_item(path: Path) -> tuple[QGraphicsItem, QSize]:
    """The plan image as a graphics item and its size; PlanError with a readable reason otherwise. In the
    calling thread: :class:`PlansWidget` shows raster plans through :class:`PlanImageReader` instead."""
    if image_kind(path) == "svg":
        return _svg_item(path)
    return _pixmap_item(read_plan_image(path))


def _svg_item(path: Path) -> tuple[QGraphicsItem, QSize]:
    renderer = QSvgRenderer(str(path))
    if not renderer.isValid():
        raise PlanError(f"{path.name} is not a readable SVG image")
    size = renderer.defaultSize()
    if size.isEmpty():
        size = QSize(1000, 1000)
    if size.width() > MAX_SIDE or size.height() > MAX_SIDE:
        raise PlanError(f"{path.name} claims {size.width()}×{size.height()}; plans are at most {MAX_SIDE} wide")
    svg = QGraphicsSvgItem()
    svg.setSharedRenderer(renderer)
    svg.setData(0, renderer)  # keep the renderer alive as long as the item
    return svg, size


def _pixmap_item(image: QImage) -> tuple[QGraphicsItem, QSize]:
    item = QGraphicsPixmapItem(QPixmap.fromImage(image))  # the image is in a pixmap's format: no conversion
    item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
    return item, image.size()


_SMOOTH = QPainter.RenderHint.SmoothPixmapTransform


def _blit(found: tuple[QPixmap, QPointF]) -> tuple[QPixmap, int, int]:
    pixmap, top_left = found
    return pixmap, int(top_left.x()), int(top_left.y())  # (whole pixels: marks.image_rect)


class MarkerItem(QGraphicsObject):
    """A door or gate on the plan: a coloured dot with the first letter, and a label with name and state.

    Drawn from a cached image (:mod:`.floorplan_marks`): a state change makes a new :class:`Look` (and a
    repaint only when it differs); the view says whether the label fits (:attr:`label_shown`). The item itself
    paints nothing (``ItemHasNoContents``: it is there for the mouse, selection, dragging and tool tips):
    :meth:`PlanView.drawForeground` blits every marker in one pass (Qt's per-item painting of 500 items that
    ignore the view's transformations, each a Python ``paint`` and several ``boundingRect`` calls, was ~6-10 ms
    of every frame)."""

    RADIUS = marks.RADIUS
    LABEL_WIDTH = marks.LABEL_WIDTH
    late: ClassVar[list[MarkerItem]] = []  # painted without their label this frame (see PlanView.paintEvent)
    dpr: ClassVar[float] = 1.0  # the device pixel ratio images are drawn for (set by the view as it paints)

    def __init__(self, key: ItemKey, on_moved: Callable[[ItemKey, QPointF], None]) -> None:
        super().__init__()
        self.key = key
        self._on_moved = on_moved
        self._item: Item | None = None
        self._colours: Colours | None = None
        self._press = QPointF()
        self.alarm_mark = False  # the door of the alarm the guard selected: a ring around the dot
        self.label_shown = True  # set by the view: False where the label would cover another marker
        self.urgent = False  # alarm, offline, open too long: its label is placed before the others'
        self.label_size = (0.0, 0.0)
        self._raw: tuple[object, ...] = ()
        self._look: marks.Look | None = None
        self._dot: marks.Look | None = None  # the look without its label (shared by markers alike)
        # what the view's drawing reads for every marker every frame, kept in Python (no call into Qt for it)
        self.xy = (0.0, 0.0)  # the position in scene (plan image) coordinates
        self.drawn = True  # visible and placed (see waiting)
        self.selected = False
        self._visible = True
        self._waiting = False
        self.setFlags(
            QGraphicsItem.GraphicsItemFlag.ItemIsMovable
            | QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
            | QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations
            | QGraphicsItem.GraphicsItemFlag.ItemSendsGeometryChanges
            | QGraphicsItem.GraphicsItemFlag.ItemHasNoContents  # drawn by the view (drawForeground)
        )
        self.setCursor(Qt.CursorShape.OpenHandCursor)  # (stacked at z 0: the selected one 15, the alarm's 20)
        self._blit: tuple[QPixmap, int, int] | None = None  # what the view draws, until something changes
        self._geometry()

    def set_state(self, item: Item | None, palette_colours: Colours) -> None:
        """Show ``item``'s state; repainted only when what the marker shows changes."""
        self._item = item
        self._colours = palette_colours
        self._restyle()

    @property
    def item(self) -> Item | None:
        return self._item

    @property
    def look(self) -> marks.Look | None:
        """What the marker shows now (None before its first state)."""
        return self._look

    def _lines(self, sev: Severity) -> tuple[str, str]:
        if self._item is None:
            return ("(not on the board)", "UNKNOWN")
        word = status_line(self._item) or {Severity.OPEN: "OPEN", Severity.UNKNOWN: "UNKNOWN"}.get(sev, "OK")
        return (self._item.name, word)

    def _restyle(self) -> None:
        c = self._colours
        if c is None:
            return
        sev = severity(self._item) if self._item is not None else Severity.UNKNOWN
        maintenance = self._item is not None and self._item.maintenance and sev < Severity.OPEN_TOO_LONG
        name, word = self._lines(sev)
        selected = self.selected
        raw = (name, word, sev, maintenance, selected, self.alarm_mark, c)
        if raw == self._raw:  # most of a refresh: nothing this marker shows has changed
            return
        self._raw = raw
        accent = c.accent[Severity.OPEN_TOO_LONG] if maintenance else c.accent[sev]  # low battery: as its tile
        f = marks.fonts()
        name, name_width = f.elided(name, bold=False)
        word, word_width = f.elided(word, bold=True)
        look = marks.Look(
            letter="G" if self.key[0].value == "gate" else "D",
            name=name,
            word=word,
            accent=accent.rgba(),
            letter_colour=0xFFFFFFFF if accent.lightness() < 170 else 0xFF000000,
            ring=c.accent[Severity.ALARM].rgba(),
            border=c.border.rgba(),
            tile=c.tile.rgba(),
            tint=c.tint[sev].rgba() if sev >= Severity.OPEN_TOO_LONG else 0,
            text=c.text.rgba(),
            word_colour=(accent if sev is not Severity.OK else c.muted).rgba(),
            selected=selected,
            alarm_mark=self.alarm_mark,
        )
        if look == self._look:
            return
        old = self._look
        self._look = look
        self._dot = look.dot()
        self._blit = None
        # room for the usual words whatever the state, so that the layout holds when a whole site goes stale
        size = (max(name_width, word_width, f.word_room) + 10.0, f.label_height)
        urgent = sev >= Severity.OPEN_TOO_LONG
        if old is None or size != self.label_size or urgent != self.urgent:
            self.label_size = size
            self.urgent = urgent
            self._layout_changed()
        self.repaint_area()

    @property
    def waiting(self) -> bool:
        """Placed in a slice while a plan opens: not drawn, and no target for the mouse, until the last slice
        is in (:meth:`PlansWidget._place_step`; a Python flag: hiding and showing 500 items is ~4 ms of Qt)."""
        return self._waiting

    @waiting.setter
    def waiting(self, on: bool) -> None:
        self._waiting = on
        self.drawn = self._visible and not on

    def repaint_area(self) -> None:
        """Have the views paint this marker's area again (the item paints nothing itself: Qt's ``update`` would
        not)."""
        scene = self.scene()
        if scene is not None and self.drawn:
            for view in scene.views():
                if isinstance(view, PlanView):
                    view.repaint_marker(self.xy)

    def _layout_changed(self) -> None:
        scene = self.scene()
        if scene is not None:
            for view in scene.views():
                if isinstance(view, PlanView):
                    view.labels_changed()

    def set_alarm_mark(self, on: bool) -> None:
        if on != self.alarm_mark:
            self.prepareGeometryChange()
            self.alarm_mark = on
            self._geometry()
            self.setZValue(20 if on else 15 if self.selected else 0)
            self._restyle()
            self._layout_changed()

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: Any) -> Any:
        changes = QGraphicsItem.GraphicsItemChange
        if change == changes.ItemPositionHasChanged:
            self.repaint_area()  # where it was
            self.xy = (value.x(), value.y())
            self.repaint_area()  # and where it is
            scene = self.scene()
            if scene is None or scene.mouseGrabberItem() is not self:  # a drag: laid out again when it ends
                self._layout_changed()
        elif change == changes.ItemVisibleHasChanged:
            self._visible = bool(value)
            self.drawn = self._visible and not self._waiting
            self.repaint_area()
        elif change in (changes.ItemSceneChange, changes.ItemSceneHasChanged):  # the scene it leaves, joins
            self.repaint_area()
            self._layout_changed()
        elif change == changes.ItemSelectedHasChanged:
            self.selected = bool(value)
            self.setZValue(20 if self.alarm_mark else 15 if self.selected else 0)  # its label on top
            self._restyle()
            self._layout_changed()  # the selected marker's label comes first
        return super().itemChange(change, value)

    _shapes: ClassVar[dict[bool, tuple[QRectF, QPainterPath, QPainterPath]]] = {}  # by alarm ring: shared

    def _geometry(self) -> None:
        shapes = MarkerItem._shapes.get(self.alarm_mark)
        if shapes is None:
            r = self.RADIUS + (marks.RING if self.alarm_mark else 0)
            f = marks.fonts()
            height = f.fm.height() + f.fm_bold.height() + 8
            rect = QRectF(-self.LABEL_WIDTH / 2 - 2, -r - 2, self.LABEL_WIDTH + 4, 2 * r + height + 6)
            shape_all = QPainterPath()
            shape_all.addRect(rect)
            shape_dot = QPainterPath()
            shape_dot.addEllipse(QPointF(0, 0), r + 2, r + 2)
            shapes = MarkerItem._shapes[self.alarm_mark] = (rect, shape_all, shape_dot)
        self._rect, self._shape_all, self._shape_dot = shapes

    def boundingRect(self) -> QRectF:  # asked several times a frame for each marker: computed once per change
        return self._rect

    def shape(self) -> QPainterPath:
        """The dot and, when it is shown, the label (a hidden label is no target for the mouse)."""
        return self._shape_all if self.label_shown else self._shape_dot

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        """Nothing: the view draws the markers (``ItemHasNoContents``, :meth:`PlanView.drawForeground`)."""

    def image(self) -> tuple[QPixmap, int, int] | None:
        """The image to draw now and where its top left goes from the dot's centre, in pixels (kept until the
        look, the label or the pixel ratio changes)."""
        blit = self._blit
        if blit is not None:
            return blit
        look, dot, dpr = self._look, self._dot, MarkerItem.dpr
        if look is None or dot is None:
            return None
        images = marks.IMAGES
        if self.label_shown:
            found = images.find(look, True, dpr)
            if found is None and (images.can_draw() or self.urgent or self.alarm_mark or self.selected):
                found = images.get(look, True, dpr)  # what the guard is looking at never waits
            if found is None:
                MarkerItem.late.append(self)  # this frame has drawn enough labels: the dot now, the label next
                return _blit(images.get(dot, False, dpr))
        else:
            found = images.get(dot, False, dpr)
        self._blit = _blit(found)
        return self._blit

    def show_label(self, on: bool) -> None:
        """Set by the view: whether the label fits at this zoom (otherwise the dot alone)."""
        if on != self.label_shown:
            self.label_shown = on
            self._blit = None

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if not self.drawn:  # not on the plan yet (waiting): the press goes to what is under it
            event.ignore()
            return
        self._press = self.pos()
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        if self.pos() != self._press:
            self._layout_changed()
            self._on_moved(self.key, self.pos())


class PlanView(QGraphicsView):
    """The plan; accepts board items dropped on it (``dropped(list[ItemKey], QPointF)`` in image coordinates)."""

    WARM_BUCKETS = 15  # zoom buckets laid out ahead, each way (1.02 ** 15: two wheel steps of 1.15x)

    dropped = Signal(object, QPointF)
    marker_menu = Signal(object, object)  # (ItemKey, global QPoint)
    marker_selected = Signal(object)  # ItemKey

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        own_viewport(self, input_method=True)  # self.viewport() answered at once: no stall at the plan's opening
        self.setScene(QGraphicsScene(self))
        self.setAcceptDrops(True)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setAccessibleName("Floor plan")
        # the items (the plan) need no painter state saved: the markers are drawn by drawForeground
        self.setOptimizationFlag(QGraphicsView.OptimizationFlag.DontSavePainterState, True)
        self.image_rect = QRectF()
        self._plan: QGraphicsItem | None = None  # the plan's image, painted by drawBackground (set_image)
        self._plan_option = QStyleOptionGraphicsItem()
        self.setCacheMode(QGraphicsView.CacheModeFlag.CacheBackground)
        self.markers: dict[ItemKey, MarkerItem] = {}
        self.layout_kept = False  # while set, markers coming do not lay the labels out again (PlansWidget)
        self._basis: marks.Basis | None = None  # the markers' places, label sizes and ranks, for layouts
        self._layouts: dict[int, int] = {}  # zoom bucket -> the markers whose label fits (a bit mask)
        self._applied: int | None = None  # the layout the markers carry now
        self._late: list[MarkerItem] = []
        self._dirty = 0  # marker areas asked to be painted again since the last paint (past a few: all of it)
        self._late_timer = QTimer(self)
        self._late_timer.setSingleShot(True)
        self._late_timer.setInterval(0)
        self._late_timer.timeout.connect(self._paint_late)
        self._layout_timer = QTimer(self)  # the labels' layout of a zoom the view shows a smaller zoom's for
        self._layout_timer.setSingleShot(True)
        self._layout_timer.setInterval(25)  # (a timer of 0 fires in the same pass of the loop as the paint)
        self._layout_timer.timeout.connect(self._layout_late)
        self._warm_from = 0
        self._warm_timer = QTimer(self)  # labels drawn ahead while the loop is idle
        self._warm_timer.setSingleShot(True)
        self._warm_timer.setInterval(40)
        self._warm_timer.timeout.connect(self._warm)
        self.scene().selectionChanged.connect(self._on_selection)

    def clear_plan(self) -> None:
        self._late = []  # (their items go with the scene's)
        self.scene().clear()
        self._plan = None
        self.resetCachedContent()
        self.markers = {}
        self.image_rect = QRectF()
        self.labels_changed()

    # -- labels where they fit ---------------------------------------------------------------------

    def labels_changed(self) -> None:
        """A marker moved, came, went, or its label changed size or rank: lay the labels out again."""
        if self.layout_kept:  # markers the layout counted already join the scene
            return
        if self._basis is not None or self._applied is not None:
            self._basis = None
            self._layouts = {}
            self._applied = None
            self.viewport().update()

    def _layout_basis(self) -> marks.Basis:
        if self._basis is None:
            keys = list(self.markers)
            each = [self.markers[k] for k in keys]
            pinned = [m.alarm_mark or m.selected for m in each]  # what the guard is looking at: always named
            order = sorted(range(len(keys)), key=lambda n: (0 if pinned[n] else 1 if each[n].urgent else 2, n))
            self._basis = marks.Basis(keys, [m.xy for m in each],
                                      [m.label_size for m in each], [m.alarm_mark for m in each], order,
                                      forced=sum(pinned))
        return self._basis

    def _layout(self, bucket: int) -> int:
        """The labels that fit in zoom ``bucket``, as a bit mask over the basis' keys."""
        mask = self._layouts.get(bucket)
        if mask is None:
            mask = self._layout_basis().layout(marks.ZOOM_STEP ** bucket)
            self._layouts[bucket] = mask
        return mask

    def shown_labels(self) -> frozenset[ItemKey]:
        """The markers whose label fits at the current zoom (the others show their dot only)."""
        mask = self._layout(marks.zoom_bucket(self.transform().m11()))
        keys = self._layout_basis().keys
        return frozenset(key for n, key in enumerate(keys) if mask >> n & 1)

    def _apply_labels(self) -> bool:
        bucket = marks.zoom_bucket(self.transform().m11())
        mask = self._layouts.get(bucket)
        if mask is None:
            below = [other for other in self._layouts if other < bucket]
            if below:  # zoomed in to a zoom not laid out yet: the labels of a smaller zoom still fit (markers only
                # draw apart), and this zoom's layout (~2-5 ms for 500 markers) comes once the zooming pauses
                mask = self._layouts[max(below)]
                self._layout_timer.start()
            else:
                mask = self._layout(bucket)
        if mask == self._applied:
            return False
        self._applied = mask
        for n, key in enumerate(self._layout_basis().keys):
            marker = self.markers.get(key)
            if marker is not None:
                marker.show_label(bool(mask >> n & 1))
        return True

    def _layout_late(self) -> None:
        """The labels' layout for the zoom shown (once zooming in has paused: its frames showed a smaller
        zoom's labels)."""
        if self._layout(marks.zoom_bucket(self.transform().m11())) != self._applied:
            self.viewport().update()

    def paintEvent(self, event: QPaintEvent) -> None:
        if self._apply_labels() and event.rect() != self.viewport().rect():
            self.viewport().update()  # labels changed outside the part being painted: paint the rest too
        dpr = self.viewport().devicePixelRatioF()
        if dpr != MarkerItem.dpr:  # another screen: images for its pixel ratio
            MarkerItem.dpr = dpr
            for marker in self.markers.values():
                marker._blit = None
        marks.IMAGES.begin_frame()
        MarkerItem.late.clear()
        self._dirty = 0
        super().paintEvent(event)
        if MarkerItem.late:  # labels not drawn yet (too many at once): in the next frame, theirs only
            self._late.extend(MarkerItem.late)
            MarkerItem.late.clear()
            self._late_timer.start()
        else:
            self.postpone_warm()  # (again): once the view has been still for a moment

    DIRTY_AREAS = 16  # marker areas updated one by one before a frame; more: the whole view at once

    def repaint_marker(self, xy: tuple[float, float]) -> None:
        """Paint the area of a marker at scene point ``xy`` again (all of the view once many are asked for: a
        region of hundreds of rectangles costs more to clip to than a whole frame of blits)."""
        if self._dirty >= self.DIRTY_AREAS:
            return
        self._dirty += 1
        if self._dirty == self.DIRTY_AREAS:
            self.viewport().update()
            return
        centre = self.viewportTransform().map(QPointF(*xy))
        left, top, right, bottom = marks.reach()
        x, y = round(centre.x()), round(centre.y())
        self.viewport().update(QRect(x + left, y + top, right - left, bottom - top))

    def drawBackground(self, painter: QPainter, rect: QRectF | QRect) -> None:
        """The plan, in scene coordinates (into the view's background cache: drawn again when the view is zoomed,
        and for the strip that comes into view as it scrolls)."""
        super().drawBackground(painter, rect)
        if self._plan is not None:
            painter.setRenderHints(self.renderHints())  # (the cache's painter is not the view's)
            self._plan.paint(painter, self._plan_option, None)

    def drawForeground(self, painter: QPainter, rect: QRectF | QRect) -> None:
        """Every marker in the exposed ``rect``, blitted from its image at its place in view pixels (markers
        ignore the view's transformations); the selected and the alarm-marked ones on top. One Python pass over
        the markers instead of Qt's item painting (see :class:`MarkerItem`)."""
        if not self.markers:
            return
        t = self.viewportTransform()  # scene -> viewport pixels
        m11, m12, m21, m22, dx, dy = t.m11(), t.m12(), t.m21(), t.m22(), t.dx(), t.dy()
        area = t.mapRect(rect)
        left, top, right, bottom = marks.reach()
        x0, x1 = area.left() - right, area.right() - left  # dot centres whose image may reach into the area
        y0, y1 = area.top() - bottom, area.bottom() - top
        painter.save()
        painter.resetTransform()
        painter.setRenderHint(_SMOOTH, False)  # at whole pixels: crisp text
        draw = painter.drawPixmap
        on_top: list[MarkerItem] = []
        for marker in self.markers.values():
            if not marker.drawn:
                continue
            if marker.alarm_mark or marker.selected:
                on_top.append(marker)
                continue
            x, y = marker.xy
            vx, vy = x * m11 + y * m21 + dx, x * m12 + y * m22 + dy
            if x0 <= vx <= x1 and y0 <= vy <= y1:
                blit = marker.image()
                if blit is not None:
                    draw(round(vx) + blit[1], round(vy) + blit[2], blit[0])
        on_top.sort(key=lambda marker: marker.alarm_mark)  # the alarm's door above the selected
        for marker in on_top:
            x, y = marker.xy
            blit = marker.image()
            if blit is not None:
                draw(round(x * m11 + y * m21 + dx) + blit[1], round(x * m12 + y * m22 + dy) + blit[2], blit[0])
        painter.restore()

    def _paint_late(self) -> None:
        late, self._late = self._late, []
        for marker in late:
            if marker.scene() is self.scene():
                marker.repaint_area()

    def _warm(self) -> None:
        """Draw a few labels ahead, in idle time: zooming in then finds them drawn."""
        images = marks.IMAGES
        images.begin_frame(images.IDLE_BUDGET)
        dpr, drawn = MarkerItem.dpr, images.drawn
        for marker in list(self.markers.values())[self._warm_from:] if images.can_keep() else []:
            self._warm_from += 1
            look = marker.look
            if look is not None and images.find(look, True, dpr) is None:
                images.get(look, True, dpr)
                if not images.can_draw() or not images.can_keep():
                    self._warm_soon()
                    return
        self._warm_from = 0
        if images.drawn != drawn:  # the layouts in a slice of their own
            self._warm_soon()
            return
        self._warm_layouts()

    def postpone_warm(self) -> None:
        """Keep the work ahead for when the loop is idle again (40 ms from now)."""
        self._warm_timer.setInterval(40)
        self._warm_timer.start()

    def _warm_soon(self) -> None:
        self._warm_timer.setInterval(5)  # the next slice (a paint puts the wait back to 40 ms)
        self._warm_timer.start()

    def _warm_layouts(self) -> None:
        """Lay the labels out ahead for the zooms around this one (a zoom step then finds its layout)."""
        started = time.perf_counter()
        here = marks.zoom_bucket(self.transform().m11())
        for step in range(1, 2 * self.WARM_BUCKETS + 1):
            bucket = here + (step + 1) // 2 * (1 if step % 2 else -1)
            if bucket not in self._layouts:
                if time.perf_counter() - started > marks.IMAGES.IDLE_BUDGET:  # no time for another
                    self._warm_soon()
                    return
                self._layout(bucket)

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            for graphics in self.items(event.pos()):
                if isinstance(graphics, MarkerItem) and graphics.drawn:  # the name, even where the label does not fit
                    item = graphics.item
                    text = full_text(item) if item is not None else "Not on the board any more"
                    QToolTip.showText(event.globalPos(), tooltip(text), self.viewport())
                    return True
            QToolTip.hideText()
            event.ignore()
            return True
        return super().viewportEvent(event)

    def set_image(self, item: QGraphicsItem, size: QSize) -> None:
        """Show the plan ``item`` (``size`` in image pixels): painted as the view's background, which the view
        keeps in a pixmap of its size (``CacheBackground``): a frame that repaints markers blits the plan
        instead of scaling the plan's image again (a 4000x2500 image scaled smoothly to the view is ~3 ms)."""
        self.clear_plan()
        self._plan = item
        self.resetCachedContent()
        self.image_rect = QRectF(0, 0, size.width(), size.height())
        self.scene().setSceneRect(self.image_rect.adjusted(-80, -80, 80, 80))
        self.fit()

    def fit(self) -> None:
        if not self.image_rect.isEmpty():
            self.fitInView(self.image_rect, Qt.AspectRatioMode.KeepAspectRatio)

    def clamp(self, point: QPointF) -> QPointF:
        r = self.image_rect
        if r.isEmpty():
            return point
        return QPointF(min(max(point.x(), r.left()), r.right()), min(max(point.y(), r.top()), r.bottom()))

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            factor = 1.15 if event.angleDelta().y() > 0 else 1 / 1.15
            self.scale(factor, factor)
            event.accept()
        else:
            super().wheelEvent(event)

    def _on_selection(self) -> None:
        for graphics in self.scene().selectedItems():
            if isinstance(graphics, MarkerItem):
                self.marker_selected.emit(graphics.key)
                return

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        for graphics in self.items(event.pos()):
            if isinstance(graphics, MarkerItem) and graphics.drawn:
                self.marker_menu.emit(graphics.key, event.globalPos())
                event.accept()
                return
        super().contextMenuEvent(event)

    # -- drops from the board or the list ----------------------------------------------------------

    def _accept(self, event: QDragEnterEvent | QDragMoveEvent) -> None:
        if event.mimeData().hasFormat(MIME_TYPE) and not self.image_rect.isEmpty():
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
        else:
            event.ignore()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        self._accept(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        self._accept(event)

    def dropEvent(self, event: QDropEvent) -> None:
        keys = decode_mime(event.mimeData())
        if not keys or self.image_rect.isEmpty():
            event.ignore()
            return
        point = self.clamp(self.mapToScene(event.position().toPoint()))
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        self.dropped.emit(keys, point)


class PlansWidget(QWidget):
    """Plan picker, plan tools, the list to drag items from, and the plan itself."""

    item_selected = Signal(object)  # ItemKey
    message = Signal(str, bool)  # text, ok: for the panel's banner

    AT_ONCE = 64  # markers updated in the board's own turn; more go in slices
    STEP_SECONDS = 0.001  # markers updated in one step of the board's turns (~25)
    PLACE_AT_ONCE = 64  # markers placed as the plan appears; more in the board's turns, a slice a step
    PLACE_SLICE = 8  # (~1 ms: a turn's box is overrun by a step at most)

    def __init__(
        self,
        board: DoorBoard,
        plans: FloorPlans,
        list_model: Any,
        menu_for: Callable[[ItemKey], QMenu | None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.board = board
        self.plans = plans
        self._menu_for = menu_for
        self._colours: Colours | None = None
        self.current: FloorPlan | None = None
        self._changed: set[ItemKey] = set()  # markers whose item changed on the board, not shown yet
        self._images = PlanImageReader(self)  # raster plans are decoded in a worker thread
        self._images.done.connect(self._on_image)
        self._ticket = 0  # the image read being waited for (0: none)
        self._shown: tuple[str, Path, int] | None = None  # (plan id, image file, its mtime) on the view
        self._reading: tuple[str, Path, int] | None = None  # the same, of the image being read
        self._to_place: list[tuple[ItemKey, QPointF]] = []  # the plan's markers not on the view yet
        self._hidden: list[MarkerItem] = []  # placed, shown when the last one is
        self._laid_out = False  # their labels' layout is computed (the turn before they are shown)
        self._alarm_key: ItemKey | None = None  # the selected alarm's door: ringed wherever its marker is
        self._select_key: ItemKey | None = None  # selected once the plan being opened is in place
        self._place_later: ItemKey | None = None  # "Place it on this plan" pressed while the plan was opening

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        bar_box = QWidget()  # wraps in a narrow dock instead of widening it
        bar = FlowLayout(bar_box, spacing=6, row_spacing=4)
        bar.addWidget(QLabel("Plan:"))
        self.combo = QComboBox()
        self.combo.setMinimumContentsLength(18)
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setAccessibleName("Floor plan")
        bar.addWidget(self.combo)
        self.add_button = self._tool("Add plan…", "Load a floor plan image (PNG, JPEG or SVG)")
        self.rename_button = self._tool("Rename…", "Rename this plan")
        self.remove_button = self._tool("Remove", "Remove this plan and its markers")
        self.fit_button = self._tool("Fit", "Fit the plan in the window (Ctrl+wheel zooms)")
        for button in (self.add_button, self.rename_button, self.remove_button, self.fit_button):
            bar.addWidget(button)
        layout.addWidget(bar_box)
        self.hint = QLabel()  # its own line, wrapped: the plan tools fit a narrow dock
        self.hint.setTextFormat(Qt.TextFormat.PlainText)
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)
        # an alarm's door that is on no plan: said so, with a button that places it (then drag it into place)
        self.place_button = QToolButton()
        self.place_button.setObjectName("placeAlarmDoor")
        self.place_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.place_button.setVisible(False)
        self.place_button.clicked.connect(lambda *_: self.place_pending())
        layout.addWidget(self.place_button)
        self._pending: ItemKey | None = None

        split = QSplitter(Qt.Orientation.Horizontal)
        self.list = QListView()
        self.list.setModel(list_model)
        self.list.setDragEnabled(True)
        self.list.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setUniformItemSizes(True)
        self.list.setAccessibleName("Doors and gates to place on the plan")
        self.list.setToolTip("Drag doors and gates from here onto the plan")
        split.addWidget(self.list)
        self.view = PlanView()
        split.addWidget(self.view)
        split.setStretchFactor(1, 1)
        split.setSizes([220, 800])
        layout.addWidget(split, 1)

        self.combo.currentIndexChanged.connect(self._on_combo)
        self.fit_button.clicked.connect(self.view.fit)
        self.view.dropped.connect(self._on_dropped)
        self.view.marker_menu.connect(self._on_marker_menu)
        self.view.marker_selected.connect(self.item_selected)
        self._unsubscribe = plans.changed.connect(self._on_plans_changed)
        self.reload_combo()

    def _tool(self, text: str, tip: str) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setToolTip(tip)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        return button

    def detach(self) -> None:
        self._ticket = 0
        turns.cancel(self, "place")
        self._unsubscribe()
        self._unsubscribe = lambda: None

    # -- plans -----------------------------------------------------------------------------------

    def reload_combo(self, select: str | None = None) -> None:
        wanted = select or (self.current.id if self.current else None)
        self.combo.blockSignals(True)
        self.combo.clear()
        for plan in self.plans:
            self.combo.addItem(plan.name, plan.id)
        self.combo.blockSignals(False)
        index = self.combo.findData(wanted) if wanted else -1
        self.combo.setCurrentIndex(index if index >= 0 else (0 if self.combo.count() else -1))
        has = self.combo.count() > 0
        self.rename_button.setEnabled(has)
        self.remove_button.setEnabled(has)
        self.fit_button.setEnabled(has)
        self._on_combo()

    def _on_combo(self, *_: Any) -> None:
        plan_id = self.combo.currentData()
        plan = self.plans.plan(plan_id) if isinstance(plan_id, str) else None
        self.show_plan(plan)

    @property
    def loading(self) -> bool:
        """The plan chosen is not all on the view yet: its image is being decoded or its markers placed."""
        return self._ticket != 0 or bool(self._to_place) or bool(self._hidden)

    def show_plan(self, plan: FloorPlan | None) -> None:
        """Show ``plan``: its image decoded in a worker thread (a big PNG is a fifth of a second), then its
        markers, many of them over a few turns of the loop (:attr:`loading` until all are in place). The plan on
        the view already is only brought up to date (its markers)."""
        self.current = plan
        if plan is None:
            self._ticket = 0  # an answer to an older read is dropped
            self._clear()
            self.hint.setText("No plan yet: add a PNG, JPEG or SVG floor plan.")
            return
        path = self.plans.image_path(plan)
        try:
            shown = (plan.id, path, path.stat().st_mtime_ns)
        except OSError:
            shown = None
        if shown is not None and self._ticket != 0 and shown == self._reading:
            return  # being read: its markers are placed as they are when it arrives
        self._ticket = 0  # an answer to an older read is dropped
        if shown is not None and shown == self._shown and not self._to_place and not self._hidden:
            self._place_markers(plan, fresh=False)
            return
        if image_kind(path) == "svg":  # vector: a small file, parsed here
            try:
                self._set_image(shown, *_svg_item(path))
            except PlanError as exc:
                self._refused(str(exc))
            return
        self._clear()
        self.hint.setText(f"Opening the plan {plan.name[:80]}…")
        self._ticket = self._images.read(path)
        self._reading = shown

    def _clear(self) -> None:
        turns.cancel(self, "place")
        self._to_place = []
        self._hidden = []
        self._shown = None
        self.view.clear_plan()

    def _refused(self, reason: str) -> None:
        self._clear()
        self.hint.setText(reason)

    def _on_image(self, ticket: int, result: object) -> None:
        if ticket != self._ticket or self.current is None:  # another plan was chosen meanwhile
            return
        self._ticket = 0
        if not isinstance(result, QImage):
            self._refused(str(result))
            return
        self._set_image(self._reading, *_pixmap_item(result))

    def _set_image(self, shown: tuple[str, Path, int] | None, graphics: QGraphicsItem, size: QSize) -> None:
        assert self.current is not None
        turns.cancel(self, "place")
        self._hidden = []  # (gone with the scene's items)
        self.view.set_image(graphics, size)
        self._shown = shown
        self._place_markers(self.current, fresh=True)

    def _place_markers(self, plan: FloorPlan, *, fresh: bool) -> None:
        wanted = {marker.key: QPointF(marker.x, marker.y) for marker in plan.markers}
        if not fresh:
            for key in [key for key in self.view.markers if key not in wanted]:
                marker = self.view.markers.pop(key)
                self.view.scene().removeItem(marker)
        self._to_place = list(wanted.items())
        self._laid_out = False
        if len(self._to_place) <= self.PLACE_AT_ONCE:
            self._place_step(everything=True)
        else:
            self.hint.setText(f"Placing {len(self._to_place):,} doors and gates on the plan…")
            turns.schedule(self, "place", self._place_step)

    def _place_step(self, everything: bool = False) -> bool:
        """Place a slice of the plan's markers (all of them with ``everything``); True while more remain. Markers
        placed in slices join the scene waiting (not drawn), with the labels' layout left alone (each slice
        repainting the plan, 500 markers cost a frame's time apiece); a turn lays the labels out, the next shows
        them all."""
        view = self.view
        if not self._to_place and self._hidden:
            if not self._laid_out:  # a turn for the labels' layout (it counts every marker in view.markers)
                view.labels_changed()
                view.shown_labels()
                self._laid_out = True
                return True
            hidden, self._hidden = self._hidden, []
            for marker in hidden:
                marker.waiting = False
            view.viewport().update()
            self._placed()
            return False
        count = len(self._to_place) if everything else self.PLACE_SLICE
        batch, self._to_place = self._to_place[:count], self._to_place[count:]
        view.layout_kept = not everything
        try:
            for key, point in batch:
                self._place(key, point, later=not everything)
        finally:
            view.layout_kept = False
        if self._to_place or self._hidden:
            return True
        if not everything:  # markers already on the plan were moved in slices, their layout left alone
            view.labels_changed()
        self._placed()
        return False

    def _placed(self) -> None:
        self.hint.setText("Drag doors and gates from the list onto the plan.")
        if self._place_later is not None:
            self._pending, self._place_later = self._place_later, None
            self.place_pending()
        if self._alarm_key is not None:
            self._apply_alarm()
        if self._select_key is not None:
            key, self._select_key = self._select_key, None
            self.select(key)

    def _on_plans_changed(self, plan_id: str) -> None:
        if plan_id == "":
            self.reload_combo()

    def _place(self, key: ItemKey, point: QPointF, *, later: bool = False) -> MarkerItem:
        """``key``'s marker at ``point``, kept up to date; a new one joins the plan now, or with ``later`` when
        :meth:`_place_step` shows the slices' markers together."""
        marker = self.view.markers.get(key)
        if marker is None:
            marker = MarkerItem(key, self._on_marker_moved)
            if later:  # shown with the others (_place_step)
                marker.waiting = True
                self._hidden.append(marker)
            self.view.scene().addItem(marker)
            self.view.markers[key] = marker
        marker.setPos(point)
        marker.set_state(self.board.item(key), self._palette_colours())
        if key == self._alarm_key:
            marker.set_alarm_mark(True)
        return marker

    def _palette_colours(self) -> Colours:
        if self._colours is None:
            self._colours = colours(self.palette())
        return self._colours

    def refresh_palette(self) -> None:
        self._colours = None
        self.update_items(self.view.markers)

    def update_items(self, keys: Iterable[ItemKey]) -> None:
        """Show the board's new state of ``keys`` on their markers: a few at once, more in steps of ~1 ms in the
        board's turns of the loop (a whole site's refresh does not add its markers to the board's own work)."""
        markers = self.view.markers
        if markers:  # no plan shown: nothing to look up (a whole site's load announces 11,000 keys, ~1 ms)
            self._changed.update(key for key in keys if key in markers)
        if len(self._changed) <= self.AT_ONCE:  # a few doors changed: at once
            self.flush_updates()
        elif not turns.pending(self, "markers"):
            # in the board's turns (ui/doors/turns.py), within their time box: a slice on a timer of its own
            # (2.5 ms) used to land in the same pass of the loop as a turn and the repaint
            turns.schedule(self, "markers", self._marker_step)

    def flush_updates(self) -> None:
        """Bring every marker up to date now (what the slices would do)."""
        while self._changed:
            self._update_slice(budget=None)

    def _marker_step(self) -> bool:
        self._update_slice(budget=self.STEP_SECONDS)
        return bool(self._changed)

    def _update_slice(self, budget: float | None) -> None:
        c = self._palette_colours()
        started = time.perf_counter()
        markers = self.view.markers
        while self._changed:
            key = self._changed.pop()
            marker = markers.get(key)
            if marker is not None:
                marker.set_state(self.board.item(key), c)
            if budget is not None and time.perf_counter() - started > budget:
                break
        self.view.postpone_warm()  # no work ahead in the turns that bring the board's changes

    def select(self, key: ItemKey | None) -> None:
        """Select ``key``'s marker and bring it into view (once they are in place, while a plan is opening)."""
        if self.loading:
            self._select_key = key
            return
        scene = self.view.scene()
        scene.blockSignals(True)
        scene.clearSelection()
        marker = self.view.markers.get(key) if key is not None else None
        if marker is not None:
            marker.setSelected(True)
            self.view.ensureVisible(marker)
        scene.blockSignals(False)

    def offer_to_place(self, key: ItemKey | None) -> None:
        """Say that ``key`` (an alarm's door) is on no plan, and offer to place it on the plan shown."""
        self._pending = key
        item = self.board.item(key) if key is not None else None
        if key is None or item is None:
            self.place_button.setVisible(False)
            return
        if self.current is None:
            self.hint.setText(f"{item.name} is on no floor plan, and there is no plan yet: add one (Add plan…), "
                              "then place it.")
            self.place_button.setVisible(False)
            return
        self.hint.setText(f"{item.name} is on no floor plan.")
        self.place_button.setText(f"Place {item.name[:40]} on {self.current.name[:40]}")
        self.place_button.setToolTip("Put its marker in the middle of this plan; then drag it to where it is")
        self.place_button.setVisible(True)

    def place_pending(self) -> bool:
        """Place the door :meth:`offer_to_place` named in the middle of the plan shown, and mark it."""
        key, self._pending = self._pending, None
        self.place_button.setVisible(False)
        if key is None or self.current is None:
            return False
        if self.loading:  # the plan is opening: placed as soon as it is there
            self._place_later = key
            item = self.board.item(key)
            name = item.name[:40] if item is not None else "The door"
            self.hint.setText(f"{name} goes on {self.current.name[:40]} as soon as the plan is open…")
            return True
        if self.view.image_rect.isEmpty():
            return False
        self._on_dropped([key], self.view.image_rect.center())
        self.hint.setText("Drag the marker to where the door is.")
        return self.mark_alarm(key)

    def mark_alarm(self, key: ItemKey | None) -> bool:
        """Mark ``key``'s marker as the selected alarm's door (a ring; the previous mark goes), select it and
        centre the plan on it. False when it has no marker on the plan shown."""
        self._alarm_key = key
        if self.loading:  # marked, selected and centred when its marker is placed
            return key is not None and self.current is not None and any(m.key == key for m in self.current.markers)
        return self._apply_alarm()

    def _apply_alarm(self) -> bool:
        key = self._alarm_key
        for other, each in self.view.markers.items():
            each.set_alarm_mark(other == key)
        marker = self.view.markers.get(key) if key is not None else None
        if marker is None:
            return False
        self.select(key)
        self.view.centerOn(marker)
        return True

    # -- editing -----------------------------------------------------------------------------------

    async def add_plan(self, name: str, path: Path) -> FloorPlan | None:
        """Copy the plan at ``path`` in under ``name`` and show it; None (and a message) when the view could not
        show it. The image is checked before it is copied in; a raster one is decoded for it in a worker thread
        (a 4000x2500 PNG is a fifth of a second: the board never freezes for it)."""
        try:
            if image_kind(path) == "svg":
                load_plan_item(path)
            else:
                await asyncio.to_thread(read_plan_image, path)
            if not shiboken6.isValid(self):  # the panel was closed meanwhile
                return None
            plan = self.plans.add(name, path)
        except PlanError as exc:
            self.message.emit(str(exc), False)
            return None
        self.reload_combo(plan.id)
        self.message.emit(f"Plan {plan.name} added", True)
        return plan

    def _on_dropped(self, keys: list[ItemKey], point: QPointF) -> None:
        if self.current is None or self.loading:  # dropped on a plan not there yet
            return
        for n, key in enumerate(keys[:50]):
            spot = self.view.clamp(point + QPointF(28.0 * (n % 10), 40.0 * (n // 10)))
            try:
                self.current = self.plans.set_marker(self.current.id, key, spot.x(), spot.y())
            except PlanError as exc:
                self.message.emit(str(exc), False)
                return
            self._place(key, spot)
        self.select(keys[0])

    def _on_marker_moved(self, key: ItemKey, point: QPointF) -> None:
        if self.current is None:
            return
        spot = self.view.clamp(point)
        marker = self.view.markers.get(key)
        if marker is not None and spot != point:
            marker.setPos(spot)
        self.current = self.plans.set_marker(self.current.id, key, spot.x(), spot.y())

    def remove_marker(self, key: ItemKey) -> None:
        if self.current is None:
            return
        self.current = self.plans.remove_marker(self.current.id, key)
        marker = self.view.markers.pop(key, None)
        if marker is not None:
            self.view.scene().removeItem(marker)

    def _on_marker_menu(self, key: ItemKey, global_pos: Any) -> None:
        self.item_selected.emit(key)
        menu = self._menu_for(key)
        if menu is None:
            menu = QMenu(self)
        menu.addSeparator()
        menu.addAction("Remove from this plan", lambda: self.remove_marker(key))
        menu.popup(global_pos)
