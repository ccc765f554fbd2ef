"""The doors & gates panel: filter bar, tile board, floor plans, actions, and the details pane.

``DoorsPanel(services.doors, settings)`` shows the board, commands and floor plans of a connection's
:class:`~console.services.session_services.DoorServices` (which poll on their own); ``await panel.stop()``
lets go of them; ``refresh_now()`` polls at once (the shell binds F5); ``summary_changed(BoardSummary)`` feeds
the status bar. The logic of every action is a coroutine (``open_selected_door``, ``close_all_in_view`` ...)
that tests await directly; buttons, menus and shortcuts reach them through :func:`console.ui.aio.slot`.

The door opening time is remembered in :attr:`Settings.door_open_seconds`; the panel's own options
(grouping, open-too-long seconds) are :class:`~console.services.options.DoorsOptions`.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections.abc import Callable, Coroutine, Iterable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import shiboken6
from PySide6.QtCore import QEvent, QItemSelectionModel, QModelIndex, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFrame,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListView,
    QMenu,
    QMessageBox,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from console.api.errors import CVSecError
from console.api.models import GateDirection, RelayState
from console.services import doors_options
from console.services.audit import AuditLog
from console.services.commands import (
    MAX_OPEN_SECONDS,
    MIN_OPEN_SECONDS,
    CommandRefused,
    CommandResult,
    Outcome,
    Target,
    check_open_seconds,
    summarise,
)
from console.services.door_history import merge_own_commands, own_commands
from console.services.doors import BoardChange, BoardSummary, Item, ItemKey, Kind
from console.services.session_services import DoorServices
from console.services.settings import Settings

from .. import aio
from ..banner import Banner, BannerKind
from ..flow import FlowLayout, flow_group, shrinkable_combo
from . import turns
from .delegate import TileDelegate, board_view
from .details import DetailsPane
from .empty import EmptyBoard, empty_words
from .filtered import BoardFilter
from .model import NOTE_SECONDS, REBUILD_SLICED_ABOVE, BoardModel, Grouping, Role

if TYPE_CHECKING:
    from .floorplan import PlansWidget

__all__ = ["DoorsPanel"]

log = logging.getLogger(__name__)

BANNER_SECONDS = 10
PLANS_AFTER_MS = 1500  # the Floor plans tab is built this long after the panel starts, unless needed sooner


def _tool(action: QAction) -> QToolButton:
    """A tool button for ``action`` (text, tool tip, enabled state and shortcut all follow the action)."""
    action.setIconText(action.text())  # keep the "…" that says a dialog comes first
    button = QToolButton()
    button.setDefaultAction(action)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    return button


class DoorsPanel(QWidget):
    """Every door and gate of the session, live."""

    summary_changed = Signal(object)

    def __init__(self, doors: DoorServices, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("doorsPanel")
        self.settings = settings
        self.board = doors.board
        self.commands = doors.commands
        self.plans = doors.plans
        try:
            grouping = Grouping(doors_options.grouping(settings))  # as stored: the typed options load on a change
        except ValueError:
            grouping = Grouping.AREA_DEVICE
        self.model = BoardModel(self.board, grouping, self)
        self.proxy = BoardFilter(self)  # what the board view shows: the filtered rows (not a Qt proxy)
        self.proxy.setSourceModel(self.model)
        self._stopped = False
        self._events_task: asyncio.Task[None] | None = None
        self._busy: set[ItemKey] = set()
        self._batch = False
        self._selected: ItemKey | None = None
        self._unsubscribe: list[Callable[[], None]] = []
        self._choices: tuple[list[str], list[tuple[str, str]]] | None = None  # the area and device choices shown
        self._choosing: Iterator[None] | None = None  # a big board's choices, being built over turns of the loop
        self._build()
        self._unsubscribe += [
            self.board.summary_changed.connect(self.summary_changed.emit),
            self.board.changed.connect(self._on_board_changed),
            self.board.lists_loaded.connect(lambda _: self._refresh_choices()),
            self.board.polled.connect(self._on_polled),
            self.proxy.computed.connect(lambda _: self._update_count()),  # a big board's filter lands later
            self.commands.done.connect(self._on_command_done),
        ]
        self._update_actions()

    # -- settings ------------------------------------------------------------------------------------

    @property
    def open_seconds(self) -> int:
        """The remembered door opening time (default 5 s)."""
        return self.settings.door_open_seconds

    def _remember_seconds(self, seconds: int) -> None:
        if self.seconds.value() != seconds:
            self.seconds.blockSignals(True)
            self.seconds.setValue(seconds)
            self.seconds.blockSignals(False)
        if seconds == self.open_seconds:
            return
        self.settings.door_open_seconds = seconds
        self.settings.save_soon()

    # -- building --------------------------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        self.banner = Banner("doorsBanner", "Result of the last command", seconds=BANNER_SECONDS)
        layout.addWidget(self.banner)

        # Actions and filters wrap into a second row when the board's column is narrow (1280 px screens):
        # nothing is cut off or drawn over the next dock. Rare actions live under "More".
        self.act_open = self._action("Open door", "Ctrl+Shift+O", "Open the selected door for the given seconds",
                                     self._open_clicked)
        self.seconds = QSpinBox()
        self.seconds.setRange(MIN_OPEN_SECONDS, MAX_OPEN_SECONDS)
        self.seconds.setSuffix(" s")
        self.seconds.setValue(self.open_seconds)
        self.seconds.setAccessibleName("Door opening time in seconds")
        self.seconds.setToolTip(f"How long a remote open keeps the door unlocked ({MIN_OPEN_SECONDS}-"
                                f"{MAX_OPEN_SECONDS} s); remembered")
        self.act_close = self._action("Close door", "Ctrl+Shift+C", "Close (lock) the selected doors",
                                      self._close_clicked)
        self.act_entry = self._action("Gate: open for entry", "Ctrl+Shift+E", "Open the selected gate for entry",
                                      lambda: self._gate_clicked(GateDirection.ENTRY))
        self.act_exit = self._action("Gate: open for exit", "Ctrl+Shift+X", "Open the selected gate for exit",
                                     lambda: self._gate_clicked(GateDirection.EXIT))
        self.act_close_all = self._action("Close all doors in view…", "Ctrl+Shift+L",
                                          "Close every door the filter shows (asks first)", self._close_all_clicked)
        self.act_refresh = self._action("Refresh now", None, "Ask the server for every state now (F5)",
                                        self.refresh_now)
        self.act_reload = self._action("Reload lists", None,
                                       "Fetch door, gate, device and reader names again (after changes on the server)",
                                       self.board.reload_lists)
        self.more_menu = QMenu(self)
        self.more_menu.addAction(self.act_refresh)
        self.more_menu.addAction(self.act_reload)
        self.more_button = QToolButton()
        self.more_button.setObjectName("doorsMore")
        self.more_button.setText("More")
        self.more_button.setToolTip("Refresh now, reload the lists of doors and gates")
        self.more_button.setMenu(self.more_menu)
        self.more_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)

        self.toolbar = QWidget()
        self.toolbar.setObjectName("doorActions")
        self.toolbar.setAccessibleName("Door and gate actions")
        bar = FlowLayout(self.toolbar, spacing=6, row_spacing=4)
        bar.addWidget(flow_group(_tool(self.act_open), QLabel("for"), self.seconds, _tool(self.act_close)))
        bar.addWidget(flow_group(_tool(self.act_entry), _tool(self.act_exit)))
        bar.addWidget(_tool(self.act_close_all))
        bar.addWidget(self.more_button)
        layout.addWidget(self.toolbar)

        self.search = QLineEdit()
        self.search.setPlaceholderText("Search name, area, device, serial…")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search doors and gates")
        self.search.setMinimumWidth(180)
        self.search.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.search.textChanged.connect(lambda text: self._set_filter(text=text))
        self.area_combo = QComboBox()
        self.area_combo.setAccessibleName("Area filter")
        shrinkable_combo(self.area_combo, 11)
        self.area_combo.currentIndexChanged.connect(lambda _: self._set_filter(area=self.area_combo.currentData()))
        self.device_combo = QComboBox()
        self.device_combo.setAccessibleName("Device filter")
        shrinkable_combo(self.device_combo, 11)
        self.device_combo.currentIndexChanged.connect(
            lambda _: self._set_filter(device=self.device_combo.currentData())
        )
        self.problems = QCheckBox("Only problems")
        self.problems.setToolTip("Only doors and gates that are offline, in alarm, open too long, or need maintenance "
                                 "(low battery)")
        self.problems.toggled.connect(lambda on: self._set_filter(problems=on))
        self.grouping = QComboBox()
        self.grouping.setAccessibleName("Grouping")
        for grouping in Grouping:
            self.grouping.addItem(grouping.words, grouping.value)
        self.grouping.setCurrentIndex(self.grouping.findData(self.model.grouping.value))
        self.grouping.currentIndexChanged.connect(self._grouping_changed)
        self.count = QLabel()
        self.count.setObjectName("doorsCount")
        self.count.setTextFormat(Qt.TextFormat.PlainText)
        self.count.setProperty("role", "hint")
        self.filter_bar = QWidget()
        self.filter_bar.setObjectName("doorFilters")
        filters = FlowLayout(self.filter_bar, spacing=6, row_spacing=4)
        for widget in (self.search, self.area_combo, self.device_combo, self.problems,
                       flow_group(QLabel("Group:"), self.grouping), self.count):
            filters.addWidget(widget)
        layout.addWidget(self.filter_bar)

        split = QSplitter(Qt.Orientation.Horizontal)
        self.tabs = QTabWidget()
        self.tabs.tabBar().setChangeCurrentOnDrag(True)
        self.view = board_view("Doors and gates board", batch=100)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setSelectionRectVisible(True)
        self.view.setDragEnabled(True)
        self.view.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.view.setDefaultDropAction(Qt.DropAction.CopyAction)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.delegate = TileDelegate(self.view)
        self.view.setItemDelegate(self.delegate)
        self.view.setModel(self.proxy)
        self.view.customContextMenuRequested.connect(self._board_menu)
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._on_selection())
        self.view.selectionModel().currentChanged.connect(lambda *_: self._on_selection())
        self.view.doubleClicked.connect(lambda index: self._on_selection())
        self.tabs.addTab(self.view, "Board")
        self.empty = EmptyBoard(self.view)  # "no door matches 'lobyy': clear the filter"
        self.empty.clear_button.clicked.connect(self.clear_filter)

        # the Floor plans tab is built when first needed (opened, an alarm shown on a plan) or soon after the start
        # (PLANS_AFTER_MS): its module and widgets are ~20 ms the first fresh tiles do not wait for (issue 15)
        self._plans_widget: PlansWidget | None = None
        self._plans_page = QWidget()
        self._plans_page.setObjectName("plansNotBuiltYet")
        self.tabs.addTab(self._plans_page, "Floor plans")
        self.tabs.currentChanged.connect(lambda index: self._plans_if_shown(index))

        split.addWidget(self.tabs)

        self.details = DetailsPane()
        # a short window (1366x768, 200 %) scrolls the details instead of squeezing their rows over each other
        self.details_scroll = details_scroll = QScrollArea()
        details_scroll.setObjectName("doorDetailsScroll")
        details_scroll.setWidget(self.details)
        details_scroll.setWidgetResizable(True)
        details_scroll.setFrameShape(QFrame.Shape.NoFrame)
        split.addWidget(details_scroll)
        split.setStretchFactor(0, 1)
        split.setSizes([900, 320])
        layout.addWidget(split, 1)

        # (Ctrl+F is the main window's: it focuses the search field of the panel that has the focus)
        self._refresh_choices()
        self._update_count()

    def _action(self, text: str, shortcut: str | None, tip: str, handler: Any) -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            tip += f" ({shortcut})"
        action.setToolTip(tip)
        action.triggered.connect(lambda *_: handler())
        self.addAction(action)
        return action

    # -- lifecycle -------------------------------------------------------------------------------------

    async def start(self) -> None:
        """Show the board's current summary (the board polls on its own: :class:`SessionServices`)."""
        if self._stopped:
            raise RuntimeError("a stopped doors panel cannot be started again; make a new one")
        self.summary_changed.emit(self.board.summary)
        QTimer.singleShot(PLANS_AFTER_MS, self, self._build_plans_later)

    # -- the Floor plans tab, built when first needed ----------------------------------------------------

    @property
    def plans_widget(self) -> PlansWidget:
        """The Floor plans tab (built now if it was not yet)."""
        if self._plans_widget is None:
            self._plans_widget = self._build_plans()
        return self._plans_widget

    def _build_plans_later(self) -> None:
        if not self._stopped and shiboken6.isValid(self.tabs):
            _ = self.plans_widget

    def _plans_if_shown(self, index: int) -> None:
        if self._plans_widget is None and self.tabs.widget(index) is self._plans_page:
            _ = self.plans_widget  # the operator opened the tab: it is built and takes the page's place

    def _build_plans(self) -> PlansWidget:
        from .floorplan import PlansWidget

        widget = PlansWidget(self.board, self.plans, self.proxy, self._menu_for_key)
        widget.item_selected.connect(self.select)
        widget.message.connect(lambda text, ok: self.banner.show_message("ok" if ok else "alarm", text))
        widget.add_button.clicked.connect(lambda *_: self._spawn(self.add_plan_interactive(), "add plan"))
        widget.rename_button.clicked.connect(lambda *_: self._spawn(self._rename_plan(), "rename plan"))
        widget.remove_button.clicked.connect(lambda *_: self._spawn(self._remove_plan(), "remove plan"))
        # its list of doors and gates to drag onto a plan shows the same rows: laid out in batches too
        widget.list.setLayoutMode(QListView.LayoutMode.Batched)
        widget.list.setBatchSize(500)
        index = self.tabs.indexOf(self._plans_page)
        shown = self.tabs.currentIndex() == index
        blocked = self.tabs.blockSignals(True)  # one tab for another: no "current tab changed" on the way
        try:
            self.tabs.insertTab(index, widget, "Floor plans")
            self.tabs.removeTab(index + 1)
            if shown:
                self.tabs.setCurrentIndex(index)
        finally:
            self.tabs.blockSignals(blocked)
        self._plans_page.deleteLater()
        return widget

    async def stop(self) -> None:
        """Stop every task of the panel and let go of the board (idempotent; not restarted after it)."""
        if self._stopped:
            return
        self._stopped = True
        task, self._events_task = self._events_task, None
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe = []
        if shiboken6.isValid(self.model):  # the widgets may already be gone (closed with their window)
            self.model.detach()
        if shiboken6.isValid(self.proxy):
            self.proxy.detach()
        if self._plans_widget is not None:
            self._plans_widget.detach()
        if shiboken6.isValid(self.banner):
            self.banner.stop()

    @property
    def running(self) -> bool:
        """Whether the board this panel shows is polling."""
        return not self._stopped and self.board.poller.running

    def refresh_now(self) -> None:
        self.board.refresh_now()

    def focus_filter(self) -> bool:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()
        return True

    def apply_theme(self) -> None:
        """Tiles and markers take their colours from the palette (``changeEvent``): nothing more to do."""

    def set_operator(self, name: str) -> None:
        """Commands take the operator from the session: nothing to do."""

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            if self._plans_widget is not None:  # (built later: with the palette of then)
                self._plans_widget.refresh_palette()
            self.view.viewport().update()
        super().changeEvent(event)

    # -- board updates ---------------------------------------------------------------------------------

    def _on_board_changed(self, change: BoardChange) -> None:
        plans = self._plans_widget  # (not built yet: nothing on it to update)
        if change.structure:
            self._refresh_choices()
            if plans is not None:
                plans.update_items(list(plans.view.markers))
        elif plans is not None:
            plans.update_items(change.keys)
        if self._selected is not None and (change.structure or self._selected in change.keys):
            self._show_details(fetch_events=False)
        self._update_count()
        self._update_actions()

    def _on_polled(self, ok: bool) -> None:
        self._update_count()

    def _update_count(self) -> None:
        total = len(self.board)
        shown = self.proxy.shown_count() if self.proxy.active else total
        text = f"{shown} of {total} shown" if self.proxy.active else f"{total} doors and gates"
        if self.board.last_error:
            since = f" since {self.board.last_ok:%H:%M:%S}" if self.board.last_ok else ""
            text += f" · NO ANSWER{since}"
        elif self.board.last_ok is not None:
            text += f" · updated {self.board.last_ok:%H:%M:%S}"
        self.count.setText(text)
        self._update_empty(shown, total)

    def _update_empty(self, shown: int, total: int) -> None:
        if not hasattr(self, "empty"):
            return
        if shown:
            self.empty.say("", filtered=False)
            return
        areas = {self.area_combo.itemData(i): self.area_combo.itemText(i) for i in range(1, self.area_combo.count())}
        devices = {self.device_combo.itemData(i): self.device_combo.itemText(i)
                   for i in range(1, self.device_combo.count())}
        filtered = self.proxy.describe(areas, devices) if self.proxy.active else ""
        self.empty.say(empty_words(filtered, total, self.board.last_ok is not None), filtered=bool(filtered))

    def clear_filter(self) -> None:
        """Every part of the filter back to "all": the search, the area, the device, "only problems"."""
        for widget in (self.search, self.area_combo, self.device_combo, self.problems):
            widget.blockSignals(True)
        self.search.clear()
        self.area_combo.setCurrentIndex(0)
        self.device_combo.setCurrentIndex(0)
        self.problems.setChecked(False)
        for widget in (self.search, self.area_combo, self.device_combo, self.problems):
            widget.blockSignals(False)
        self._set_filter(text="", area=None, device=None, problems=False)
        self.view.setFocus(Qt.FocusReason.OtherFocusReason)

    def _refresh_choices(self) -> None:
        """The area and device choices, from the board's items (unchanged choices: nothing to do). A big board's
        (10,000 doors: thousands of devices) are gathered and built over several turns of the loop, then swapped
        in at once."""
        steps = self._choice_steps()
        if len(self.board) <= REBUILD_SLICED_ABOVE:
            for _ in steps:
                pass
            return
        self._choosing = steps  # a newer refresh replaces one under way
        turns.schedule(self, "choices", self._choice_step)

    def _choice_step(self) -> bool:
        steps = self._choosing
        if steps is None or self._stopped:
            self._choosing = None
            return False
        try:
            next(steps)
        except StopIteration:
            self._choosing = None
            return False
        return True

    def _choice_steps(self) -> Iterator[None]:
        area_set: set[str] = set()
        device_set: set[tuple[str, str]] = set()
        for n, item in enumerate(self.board.items):
            if n % 500 == 0:
                yield
            area_set.add(item.area)
            if item.device_id:
                device_set.add((item.device_name or item.device_id, item.device_id))
        areas = sorted(area_set, key=lambda a: (a == "", a.casefold()))
        devices = sorted(device_set, key=lambda d: d[0].casefold())
        yield
        if (areas, devices) == self._choices:
            return
        built: list[tuple[QComboBox, QStandardItemModel]] = []
        for combo, label, entries in (
            (self.area_combo, "All areas", [(a or "Area unknown", a) for a in areas]),
            (self.device_combo, "All devices", list(devices)),
        ):
            model = QStandardItemModel(combo)
            for n, (text, value) in enumerate([(label, None), *entries]):
                if n % 200 == 199:
                    yield
                entry = QStandardItem(text)
                entry.setData(value, Qt.ItemDataRole.UserRole)  # the combo's currentData()
                model.appendRow(entry)
            built.append((combo, model))
        self._choices = (areas, devices)
        for combo, model in built:
            current = combo.currentData()
            combo.blockSignals(True)
            combo.setModel(model)  # (the combo deletes the model it owned before)
            index = combo.findData(current) if current is not None else 0
            combo.setCurrentIndex(max(0, index))
            combo.blockSignals(False)
            if current is not None and index < 0:  # the filtered area or device is gone
                combo.currentIndexChanged.emit(0)

    def _set_filter(self, **changes: Any) -> None:
        self.proxy.set_filter(**changes)
        self._update_count()
        self._update_actions()

    def _grouping_changed(self, _: int) -> None:
        grouping = Grouping(self.grouping.currentData())
        self.model.set_grouping(grouping)  # the filtered rows follow when the new rows land
        from console.services.options import DoorsOptions  # pydantic: not needed before the first tiles

        options = self.settings.panel(DoorsOptions)
        options.grouping = grouping.value
        self.settings.set_panel(options)

    # -- selection and details -------------------------------------------------------------------------

    def selected_items(self) -> list[Item]:
        out = []
        for index in self.view.selectionModel().selectedIndexes():
            item = index.data(Role.ITEM)
            if isinstance(item, Item):
                out.append(item)
        if not out:
            current = self.view.currentIndex().data(Role.ITEM)
            if isinstance(current, Item):
                out.append(current)
        return out

    def select(self, key: ItemKey | None) -> None:
        """Select ``key`` on the board (clearing a filter that hides it) and show its details."""
        if key is None:
            return
        source = self.model.index_of(key)
        if not source.isValid():
            return
        index = self.proxy.mapFromSource(source)
        if not index.isValid():
            self.search.clear()
            self.problems.setChecked(False)
            self.area_combo.setCurrentIndex(0)
            self.device_combo.setCurrentIndex(0)
            index = self.proxy.mapFromSource(source)
        self.view.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
        )
        self.view.scrollTo(index)

    def _on_selection(self) -> None:
        items = self.selected_items()
        key = items[0].key if len(items) == 1 else (self.view.currentIndex().data(Role.KEY) if items else None)
        if key != self._selected:
            self._selected = key
            self.plans_widget.select(key)
            self._show_details(fetch_events=True)
        self._update_actions()

    def _show_details(self, *, fetch_events: bool) -> None:
        key = self._selected
        item = self.board.item(key) if key is not None else None
        if item is None:
            self.details.show_item(None)
            return
        self.details.show_item(item, self.board.device(item.device_id), self.board.readers(item.key),
                               codes_note=self.board.state_codes.describe())
        if fetch_events:
            if self._events_task is not None and not self._events_task.done():
                self._events_task.cancel()
            self.details.show_events_loading()
            self._events_task = aio.spawn(self._load_events(item.key), owner=self, name="door events")

    async def _load_events(self, key: ItemKey) -> None:
        try:
            events = await self.board.recent_events(key)
        except CVSecError as exc:
            if key == self._selected:
                self.details.show_events_error(str(exc))
            return
        item, audit = self.board.item(key), self.commands.audit
        if item is not None and isinstance(audit, AuditLog):  # this console's own remote openings, by name
            try:
                rows = await asyncio.to_thread(own_commands, audit, item,
                                               profile=self.commands.session.profile.name,
                                               since=datetime.now() - timedelta(days=7))
            except Exception:
                log.exception("the audit log could not be read for %s's recent events", item.name)
            else:
                events = merge_own_commands(events, rows)
        if key == self._selected:
            self.details.show_events(events)

    def _update_actions(self) -> None:
        items = self.selected_items()
        doors = [i for i in items if i.is_door]
        gates = [i for i in items if not i.is_door]
        single_door = len(items) == 1 and len(doors) == 1 and doors[0].key not in self._busy
        single_gate = len(items) == 1 and len(gates) == 1 and gates[0].key not in self._busy
        self.act_open.setEnabled(single_door)
        self.act_close.setEnabled(bool(doors) and not any(d.key in self._busy for d in doors))
        self.act_entry.setEnabled(single_gate)
        self.act_exit.setEnabled(single_gate)
        self.act_close_all.setEnabled(not self._batch and len(self.board) > 0)

    # -- menus -------------------------------------------------------------------------------------------

    def _menu_for(self, items: list[Item]) -> QMenu | None:
        if not items:
            return None
        menu = QMenu(self)
        doors = [i for i in items if i.is_door]
        if len(items) == 1 and doors:
            door, seconds = doors[0], self.seconds.value()
            menu.addAction(f"Open for {seconds} s", lambda *_: self._spawn(self.open_door(door, seconds), "open door"))
        if doors:
            label = "Close door" if len(doors) == 1 else f"Close {len(doors)} doors"
            menu.addAction(label, lambda *_: self._spawn(self.close_doors(doors), "close doors"))
        if len(items) == 1 and not doors:
            gate = items[0]
            for words, direction in (("Open for entry", GateDirection.ENTRY), ("Open for exit", GateDirection.EXIT)):
                menu.addAction(words, lambda *_, d=direction: self._spawn(self.open_gate(gate, d), "open gate"))
        menu.addSeparator()
        if len(items) == 1:
            key = items[0].key
            menu.addAction("Show details", lambda: self.select(key))
            plans = self.plans.plans_with(key)
            for plan in plans[:5]:
                menu.addAction(f"Show on plan {plan.name}", functools.partial(self._show_on_plan, plan.id, key))
        return menu

    def _menu_for_key(self, key: ItemKey) -> QMenu | None:
        item = self.board.item(key)
        return self._menu_for([item]) if item is not None else None

    def _board_menu(self, pos: QPoint) -> None:
        index = self.view.indexAt(pos)
        if not index.isValid() or index.data(Role.ITEM) is None:
            return
        if not self.view.selectionModel().isSelected(index):
            self.view.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        menu = self._menu_for(self.selected_items())
        if menu is not None:
            menu.popup(self.view.viewport().mapToGlobal(pos))

    def show_alarm_door(self, name: str, device_sn: str = "") -> str:
        """An alarm was selected: select its door on the board and open the floor plan on it, marked. Returns
        "plan" (shown on a plan), "no plan" (the door is on none: said so, with an offer to place it) or
        "unknown" (no door or gate of that name on the board)."""
        matches = [item for item in self.board.items if item.name == name] if name else []
        if len(matches) > 1 and device_sn:
            matches = [item for item in matches if item.device_sn == device_sn] or matches
        if not matches:
            self.plans_widget.mark_alarm(None)
            return "unknown"
        key = matches[0].key
        self.select(key)
        self.tabs.setCurrentWidget(self.plans_widget)
        plans = self.plans.plans_with(key)
        if not plans:
            self.plans_widget.mark_alarm(None)
            self.plans_widget.offer_to_place(key)
            self.banner.show_message("warn", f"{matches[0].name} is on no floor plan: place it from the Floor plans "
                                             "tab.")
            return "no plan"
        current = self.plans_widget.current
        if current is None or current.id not in {p.id for p in plans}:
            self.plans_widget.reload_combo(plans[0].id)
        self.plans_widget.offer_to_place(None)
        self.plans_widget.mark_alarm(key)
        return "plan"

    def _show_on_plan(self, plan_id: str, key: ItemKey) -> None:
        self.tabs.setCurrentWidget(self.plans_widget)
        self.plans_widget.reload_combo(plan_id)
        self.plans_widget.select(key)

    # -- actions (coroutines: tests await these) ---------------------------------------------------------

    def _spawn(self, coro: Coroutine[Any, Any, Any], name: str) -> None:
        aio.spawn(coro, owner=self, name=name)

    def _open_clicked(self) -> None:
        self._spawn(self.open_selected_door(), "open door")

    def _close_clicked(self) -> None:
        self._spawn(self.close_selected_doors(), "close doors")

    def _gate_clicked(self, direction: GateDirection) -> None:
        self._spawn(self.open_selected_gate(direction), "open gate")

    def _close_all_clicked(self) -> None:
        self._spawn(self.close_all_in_view(), "close all doors")

    async def open_selected_door(self, seconds: object = None) -> CommandResult | None:
        doors = [i for i in self.selected_items() if i.is_door]
        if len(doors) != 1:
            self.banner.show_message("warn", "Select one door to open")
            return None
        return await self.open_door(doors[0], self.seconds.value() if seconds is None else seconds)

    async def close_selected_doors(self) -> list[CommandResult]:
        return await self.close_doors([i for i in self.selected_items() if i.is_door])

    async def open_selected_gate(self, direction: GateDirection) -> CommandResult | None:
        gates = [i for i in self.selected_items() if not i.is_door]
        if len(gates) != 1:
            self.banner.show_message("warn", "Select one gate to open")
            return None
        return await self.open_gate(gates[0], direction)

    async def open_door(self, item: Item, seconds: object) -> CommandResult | None:
        try:
            interval = check_open_seconds(seconds)
        except CommandRefused as exc:
            self.banner.show_message("alarm", f"Door {item.name} not opened: {exc}")
            return None
        self._remember_seconds(interval)
        return await self._run_one(item, self.commands.open_door(Target.of(item), interval))

    async def open_gate(self, item: Item, direction: GateDirection) -> CommandResult | None:
        return await self._run_one(item, self.commands.open_gate(Target.of(item), direction))

    async def close_doors(self, items: list[Item]) -> list[CommandResult]:
        if not items:
            self.banner.show_message("warn", "Select the doors to close")
            return []
        if len(items) == 1:
            result = await self._run_one(items[0], self.commands.close_door(Target.of(items[0])))
            return [result] if result is not None else []
        return await self._run_batch(items)

    async def close_all_in_view(self) -> list[CommandResult] | None:
        """Close every door the filter shows, after the operator confirms (awaited, never exec())."""
        doors = [i for i in self.proxy.visible_items() if i.is_door]
        if not doors:
            self.banner.show_message("warn", "No doors in view to close")
            return None
        scope = "matching the filter" if self.proxy.active else "on the board"
        answer = await aio.message(
            self,
            "Close all doors in view",
            f"Close all {len(doors)} doors {scope} now?\n\nEach door is sent one close command; "
            "every command is written to the audit log.",
            icon=QMessageBox.Icon.Question,
            buttons=QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            default=QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Yes:
            self.banner.show_message("info", "Nothing was closed", seconds=4)
            return None
        return await self._run_batch(doors)

    async def _run_one(self, item: Item, command: Any) -> CommandResult | None:
        if item.key in self._busy:
            command.close()
            self.banner.show_message("warn", f"A command for {item.name} is still on its way")
            return None
        self._busy.add(item.key)
        self._update_actions()
        try:
            result: CommandResult = await command
        except CommandRefused as exc:
            self.banner.show_message("alarm", str(exc))
            return None
        finally:
            self._busy.discard(item.key)
            self._update_actions()
        if result.outcome in (Outcome.DONE, Outcome.UNCERTAIN):
            await self.board.refresh_item(item.key)  # show the new relay state now, not at the next poll
        return result

    async def _run_batch(self, items: Iterable[Item]) -> list[CommandResult]:
        targets = [Target.of(i) for i in items]
        self._batch = True
        self._busy.update(t.key for t in targets)
        self._update_actions()
        self.banner.show_message("info", f"Closing {len(targets)} doors…", seconds=60)
        try:
            results = await self.commands.close_doors(targets)
        finally:
            self._batch = False
            self._busy.difference_update(t.key for t in targets)
            self._update_actions()
        self.banner.show_message("ok" if all(r.ok for r in results) else "alarm", summarise(results))
        self.board.refresh_now()
        return results

    def _on_command_done(self, result: CommandResult) -> None:
        key = result.target.key
        short = {"door.open": "opened", "door.close": "closed", "gate.open": "opened"}[result.action]
        if result.outcome is Outcome.DONE and result.seen is False:
            note = "said done: no change seen"
        elif result.outcome is Outcome.DONE:
            note = short + (f" {result.params['interval']} s" if "interval" in result.params else "")
        elif result.outcome is Outcome.UNCERTAIN:
            note = "no answer: check"
        elif result.outcome is Outcome.NOT_SENT:
            note = "not sent: no connection"
        else:
            note = "refused: " + result.server_text
        if result.action == "door.open" and result.outcome is Outcome.DONE and result.seen:
            # shown while the relay the command opened stays open: never "opened 5 s" on a closed door
            seconds = float(result.params.get("interval", 5)) + NOTE_SECONDS
            self.model.set_note(key, note, True, seconds, holds=lambda item: item.relay is RelayState.OPEN)
        else:
            self.model.set_note(key, note, result.ok and result.seen is not False)
        if not self._batch:
            unconfirmed = result.outcome is Outcome.UNCERTAIN or result.seen is False
            kind: BannerKind = "warn" if unconfirmed else ("ok" if result.ok else "alarm")
            self.banner.show_message(kind, result.text)

    # -- floor plans -------------------------------------------------------------------------------------

    async def add_plan_interactive(self) -> None:
        dialog = QFileDialog(self, "Add a floor plan", "", "Floor plans (*.png *.jpg *.jpeg *.svg)")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        if await aio.dialog_result(dialog) != QFileDialog.DialogCode.Accepted or not dialog.selectedFiles():
            return
        path = Path(dialog.selectedFiles()[0])
        name_dialog = QInputDialog(self)
        name_dialog.setWindowTitle("Plan name")
        name_dialog.setLabelText("Name of this plan (floor, building):")
        name_dialog.setTextValue(path.stem)
        if await aio.dialog_result(name_dialog) != QInputDialog.DialogCode.Accepted:
            return
        await self.plans_widget.add_plan(name_dialog.textValue(), path)

    async def _rename_plan(self) -> None:
        plan = self.plans_widget.current
        if plan is None:
            return
        dialog = QInputDialog(self)
        dialog.setWindowTitle("Rename plan")
        dialog.setLabelText("New name:")
        dialog.setTextValue(plan.name)
        if await aio.dialog_result(dialog) == QInputDialog.DialogCode.Accepted:
            self.plans.rename(plan.id, dialog.textValue())

    async def _remove_plan(self) -> None:
        plan = self.plans_widget.current
        if plan is None:
            return
        answer = await aio.message(
            self, "Remove plan", f"Remove the plan {plan.name} and its {len(plan.markers)} markers?",
            icon=QMessageBox.Icon.Question,
            buttons=QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            default=QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.plans.remove(plan.id)

    # -- for tests and the shell ---------------------------------------------------------------------

    @property
    def summary(self) -> BoardSummary:
        return self.board.summary

    def index_of(self, key: ItemKey) -> QModelIndex:
        """The board view's index of ``key`` (invalid when filtered out)."""
        return self.proxy.mapFromSource(self.model.index_of(key))

    def items_of_kind(self, kind: Kind) -> list[Item]:
        return [i for i in self.board.items if i.kind is kind]
