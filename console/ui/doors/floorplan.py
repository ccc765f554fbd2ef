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

import logging
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QContextMenuEvent,
    QDragEnterEvent,
    QDragMoveEvent,
    QDropEvent,
    QFont,
    QFontMetrics,
    QImageReader,
    QPainter,
    QPainterPath,
    QPen,
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
    QVBoxLayout,
    QWidget,
)

from console.services.doors import DoorBoard, Item, ItemKey
from console.services.floorplans import FloorPlan, FloorPlans, PlanError, image_kind

from ..flow import FlowLayout
from .model import MIME_TYPE, decode_mime
from .style import Colours, Severity, colours, severity, status_line

__all__ = ["MAX_PIXELS", "MarkerItem", "PlanView", "PlansWidget", "load_plan_item"]

log = logging.getLogger(__name__)

MAX_PIXELS = 80_000_000  # 80 megapixels (about 320 MB as ARGB): bigger plans are refused before decoding
MAX_SIDE = 20_000
ALLOCATION_LIMIT_MB = 512


def load_plan_item(path: Path) -> tuple[QGraphicsItem, QSize]:
    """The plan image as a graphics item and its size; PlanError with a readable reason otherwise."""
    kind = image_kind(path)
    if kind == "svg":
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
    reader = QImageReader(str(path))
    reader.setDecideFormatFromContent(True)
    if QImageReader.allocationLimit() > ALLOCATION_LIMIT_MB or QImageReader.allocationLimit() == 0:
        QImageReader.setAllocationLimit(ALLOCATION_LIMIT_MB)
    fmt = bytes(reader.format().data()).decode("ascii", "replace").lower()
    if fmt not in ("png", "jpeg", "jpg"):
        raise PlanError(f"{path.name} is not a PNG or JPEG image")
    size = reader.size()
    if not size.isValid() or size.isEmpty():
        raise PlanError(f"{path.name}: the image size is unreadable")
    if size.width() > MAX_SIDE or size.height() > MAX_SIDE or size.width() * size.height() > MAX_PIXELS:
        raise PlanError(
            f"{path.name} is {size.width()}×{size.height()} pixels; plans are limited to {MAX_PIXELS // 1_000_000} "
            "megapixels"
        )
    image = reader.read()
    if image.isNull():
        raise PlanError(f"{path.name} could not be decoded: {reader.errorString()}")
    item = QGraphicsPixmapItem(QPixmap.fromImage(image))
    item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
    return item, image.size()


class MarkerItem(QGraphicsObject):
    """A door or gate on the plan: a coloured dot with the first letter, and a label with name and state."""

    RADIUS = 11.0
    LABEL_WIDTH = 150

    def __init__(self, key: ItemKey, on_moved: Callable[[ItemKey, QPointF], None]) -> None:
        super().__init__()
        self.key = key
        self._on_moved = on_moved
        self._item: Item | None = None
        self._colours: Colours | None = None
        self._press = QPointF()
        self.alarm_mark = False  # the door of the alarm the guard selected: a ring around the dot
        self.setFlags(
            QGraphicsItem.GraphicsItemFlag.ItemIsMovable
            | QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
            | QGraphicsItem.GraphicsItemFlag.ItemIgnoresTransformations
        )
        self.setCursor(Qt.CursorShape.OpenHandCursor)
        self.setZValue(10)
        font = QFont()
        font.setPointSizeF(max(7.5, font.pointSizeF() * 0.85))
        self._font = font
        bold = QFont(font)
        bold.setBold(True)
        self._bold = bold
        self._fm = QFontMetrics(font)
        self._fm_bold = QFontMetrics(bold)
        self._bounds: tuple[float, QRectF, QPainterPath] | None = None

    def set_state(self, item: Item | None, palette_colours: Colours) -> None:
        self._item = item
        self._colours = palette_colours
        self.setToolTip("")
        self.update()

    @property
    def item(self) -> Item | None:
        return self._item

    def _lines(self) -> tuple[str, str]:
        if self._item is None:
            return ("(not on the board)", "UNKNOWN")
        word = status_line(self._item)
        if not word:
            sev = severity(self._item)
            word = {Severity.OPEN: "OPEN", Severity.UNKNOWN: "UNKNOWN"}.get(sev, "OK")
        return (self._item.name, word)

    def set_alarm_mark(self, on: bool) -> None:
        if on != self.alarm_mark:
            self.prepareGeometryChange()
            self.alarm_mark = on
            self.setZValue(20 if on else 10)
            self.update()

    def boundingRect(self) -> QRectF:  # asked many times a frame for each marker: computed once per change
        r = self.RADIUS + (9 if self.alarm_mark else 0)
        if self._bounds is None or self._bounds[0] != r:
            height = self._fm.height() + self._fm_bold.height() + 8
            rect = QRectF(-self.LABEL_WIDTH / 2 - 2, -r - 2, self.LABEL_WIDTH + 4, 2 * r + height + 6)
            path = QPainterPath()
            path.addRect(rect)
            self._bounds = (r, rect, path)
        return self._bounds[1]

    def shape(self) -> QPainterPath:
        self.boundingRect()
        assert self._bounds is not None
        return self._bounds[2]

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        c = self._colours
        if c is None:
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        sev = severity(self._item) if self._item is not None else Severity.UNKNOWN
        accent = c.accent[sev]
        if self._item is not None and self._item.maintenance and sev < Severity.OPEN_TOO_LONG:
            accent = c.accent[Severity.OPEN_TOO_LONG]  # low battery: as on its tile
        r = self.RADIUS
        if self.alarm_mark:  # the selected alarm's door: two rings, the alarm colour outside a light one
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.setPen(QPen(c.accent[Severity.ALARM], 4))
            painter.drawEllipse(QPointF(0, 0), r + 6, r + 6)
            painter.setPen(QPen(QColor("#ffffff"), 1.5))
            painter.drawEllipse(QPointF(0, 0), r + 3, r + 3)
        painter.setPen(QPen(QColor("#ffffff") if self.isSelected() else c.border, 3 if self.isSelected() else 1.5))
        painter.setBrush(QBrush(accent))
        painter.drawEllipse(QPointF(0, 0), r, r)
        painter.setPen(QColor("#ffffff") if accent.lightness() < 170 else QColor("#000000"))
        painter.setFont(self._bold)
        letter = "G" if self.key[0].value == "gate" else "D"
        painter.drawText(QRectF(-r, -r, 2 * r, 2 * r), Qt.AlignmentFlag.AlignCenter, letter)
        name, word = self._lines()
        name = self._fm.elidedText(name, Qt.TextElideMode.ElideRight, self.LABEL_WIDTH - 8)
        word = self._fm_bold.elidedText(word, Qt.TextElideMode.ElideRight, self.LABEL_WIDTH - 8)
        width = max(self._fm.horizontalAdvance(name), self._fm_bold.horizontalAdvance(word)) + 10
        height = self._fm.height() + self._fm_bold.height() + 6
        box = QRectF(-width / 2, r + 3, width, height)
        path = QPainterPath()
        path.addRoundedRect(box, 4, 4)
        painter.fillPath(path, c.tile)
        if sev >= Severity.OPEN_TOO_LONG:
            painter.fillPath(path, c.tint[sev])
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(accent, 1.5))
        painter.drawPath(path)
        painter.setPen(c.text)
        painter.setFont(self._font)
        painter.drawText(QRectF(box.left(), box.top() + 2, box.width(), self._fm.height()),
                         Qt.AlignmentFlag.AlignCenter, name)
        painter.setFont(self._bold)
        painter.setPen(accent if sev is not Severity.OK else c.muted)
        painter.drawText(QRectF(box.left(), box.top() + 2 + self._fm.height(), box.width(), self._fm_bold.height()),
                         Qt.AlignmentFlag.AlignCenter, word)

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        self._press = self.pos()
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        if self.pos() != self._press:
            self._on_moved(self.key, self.pos())


class PlanView(QGraphicsView):
    """The plan; accepts board items dropped on it (``dropped(list[ItemKey], QPointF)`` in image coordinates)."""

    dropped = Signal(object, QPointF)
    marker_menu = Signal(object, object)  # (ItemKey, global QPoint)
    marker_selected = Signal(object)  # ItemKey

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setAcceptDrops(True)
        self.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.SmoothPixmapTransform)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setAccessibleName("Floor plan")
        self.image_rect = QRectF()
        self.markers: dict[ItemKey, MarkerItem] = {}
        self.scene().selectionChanged.connect(self._on_selection)

    def clear_plan(self) -> None:
        self.scene().clear()
        self.markers = {}
        self.image_rect = QRectF()

    def set_image(self, item: QGraphicsItem, size: QSize) -> None:
        self.clear_plan()
        item.setZValue(0)
        self.scene().addItem(item)
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
            if isinstance(graphics, MarkerItem):
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

    def show_plan(self, plan: FloorPlan | None) -> None:
        self.current = plan
        if plan is None:
            self.view.clear_plan()
            self.hint.setText("No plan yet: add a PNG, JPEG or SVG floor plan.")
            return
        try:
            graphics, size = load_plan_item(self.plans.image_path(plan))
        except PlanError as exc:
            self.view.clear_plan()
            self.hint.setText(str(exc))
            return
        self.view.set_image(graphics, size)
        for marker in plan.markers:
            self._place(marker.key, QPointF(marker.x, marker.y))
        self.hint.setText("Drag doors and gates from the list onto the plan.")

    def _on_plans_changed(self, plan_id: str) -> None:
        if plan_id == "":
            self.reload_combo()

    def _place(self, key: ItemKey, point: QPointF) -> MarkerItem:
        marker = self.view.markers.get(key)
        if marker is None:
            marker = MarkerItem(key, self._on_marker_moved)
            self.view.scene().addItem(marker)
            self.view.markers[key] = marker
        marker.setPos(point)
        marker.set_state(self.board.item(key), self._palette_colours())
        return marker

    def _palette_colours(self) -> Colours:
        if self._colours is None:
            self._colours = colours(self.palette())
        return self._colours

    def refresh_palette(self) -> None:
        self._colours = None
        self.update_items(self.view.markers)

    def update_items(self, keys: Iterable[ItemKey]) -> None:
        c = self._palette_colours()
        for key in keys:
            marker = self.view.markers.get(key)
            if marker is not None:
                marker.set_state(self.board.item(key), c)

    def select(self, key: ItemKey | None) -> None:
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
        if key is None or self.current is None or self.view.image_rect.isEmpty():
            return False
        self._on_dropped([key], self.view.image_rect.center())
        self.hint.setText("Drag the marker to where the door is.")
        return self.mark_alarm(key)

    def mark_alarm(self, key: ItemKey | None) -> bool:
        """Mark ``key``'s marker as the selected alarm's door (a ring; the previous mark goes), select it and
        centre the plan on it. False when it has no marker on the plan shown."""
        for other, each in self.view.markers.items():
            each.set_alarm_mark(other == key)
        marker = self.view.markers.get(key) if key is not None else None
        if marker is None:
            return False
        self.select(key)
        self.view.centerOn(marker)
        return True

    # -- editing -----------------------------------------------------------------------------------

    def add_plan(self, name: str, path: Path) -> FloorPlan | None:
        try:
            load_plan_item(path)  # refuse an image the view cannot show before copying it in
            plan = self.plans.add(name, path)
        except PlanError as exc:
            self.message.emit(str(exc), False)
            return None
        self.reload_combo(plan.id)
        self.message.emit(f"Plan {plan.name} added", True)
        return plan

    def _on_dropped(self, keys: list[ItemKey], point: QPointF) -> None:
        if self.current is None:
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
