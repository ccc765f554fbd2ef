"""The alarm queue panel: what demands attention, acknowledgement with a note, snooze, sound, notification.

``AlarmsPanel(queue, settings)``; the queue is :class:`console.services.events.AlarmQueue` (fed by
``stream.events_added``). The panel ticks the queue every second (snoozes ending, re-alerts) with a Qt timer.
``count_changed(int)`` carries the number of alarms waiting (not snoozed) for the tab badge and the status
bar. ``set_feed(receiving, since, reason)`` says whether alarms are coming in at all: while the event stream
cannot reach the server the headline says so (in words and the warning colour), never a green "No alarm
waiting". New alarms and re-alerts ring the chime (:class:`AlarmSound`, muted and set from the settings'
``[panels.alarms]`` table) and show a desktop notification when the console is not the active window.

The logic of each action is a coroutine or a plain method tests call directly: ``acknowledge_selected``,
``acknowledge(keys, note)``, ``snooze_selected``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from PySide6.QtCore import QEvent, QItemSelectionModel, QPoint, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QFont, QFontMetrics, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSlider,
    QSpinBox,
    QStackedWidget,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from console.services.events import Alarm, AlarmQueue, AuditEntry, NoteRequired, Priority
from console.services.events.alarms import MAX_SNOOZE_MINUTES
from console.services.events.words import guard_words
from console.services.options import AlarmsOptions, ShiftOptions
from console.services.settings import Settings
from console.ui import theme
from console.ui.events import style

from .. import aio
from .dialogs import AcknowledgeDialog
from .model import HEADERS, OLD_HEADERS, SHOWN_IN_A_COLUMN, AlarmColumn, AlarmRole, AlarmTableModel
from .mute import MuteControl
from .notify import DesktopNotifier
from .sound import AlarmSound
from .workflow import AlarmWorkflow

__all__ = ["AlarmsPanel"]

log = logging.getLogger(__name__)

PREFERRED_WIDTH = 420  # a column beside the board: the workspace docks it at 430 px
TICK_MS = 1000
FLASH_MS = 500  # half a second lit, half a second dim
FLASHES = 3
EMPTY_TEXT = "No alarm is waiting.\nNew alarms appear here, with a sound."
WIDTHS = {  # in characters of the panel's font: sized for the 430 px column beside the board
    AlarmColumn.PRIORITY: 14, AlarmColumn.TIME: 8, AlarmColumn.POINT: 11, AlarmColumn.STATE: 11,
    AlarmColumn.PERSON: 14, AlarmColumn.DEVICE: 12, AlarmColumn.WAITING: 9, AlarmColumn.ALERTS: 8,
}


class AlarmsPanel(QWidget):
    count_changed = Signal(int)
    mute_changed = Signal(str)  # "Sound muted until 19:00", or "" when the sound is on (the status bar shows it)
    event_requested = Signal(str)  # an alarm's event key (double-click): the lead may show it in the events panel
    _feed: tuple[bool, datetime | None, str] = (True, None, "")  # (receiving, since, reason): see set_feed

    def __init__(
        self,
        queue: AlarmQueue,
        settings: Settings,
        parent: QWidget | None = None,
        *,
        sound: AlarmSound | None = None,
        notifier: DesktopNotifier | None = None,
        clock: Callable[[], datetime] = datetime.now,
        tick_ms: int = TICK_MS,
        flash_ms: int = FLASH_MS,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("alarmsPanel")
        self.queue = queue
        self.settings = settings
        options = self.options = settings.panel(AlarmsOptions)
        volume = options.volume
        self.sound = sound or AlarmSound(volume=volume / 100)
        if sound is not None:
            self.sound.volume = volume / 100
        # a mute always has an end and is carried over a restart only until then (console/ui/alarms/mute.py)
        self.mute_control = MuteControl(self.sound, options.muted_until, lambda text: self._save(muted_until=text),
                                        shift_ends=settings.panel(ShiftOptions).ends, clock=clock, parent=self)
        self.mute_control.changed.connect(self._mute_changed)
        self.notifier = notifier or DesktopNotifier()
        self.model = AlarmTableModel(clock, self)
        self._count = -1
        self._restyle_pending = False
        self._build(options)
        self._unsubscribe: list[Callable[[], None]] = [
            queue.alarm_raised.connect(self._on_raised),
            queue.re_alert.connect(self._on_re_alert),
            queue.queue_changed.connect(self._on_changed),
        ]
        unsubscribe = self._unsubscribe
        self.destroyed.connect(lambda *_: [u() for u in unsubscribe])
        self._timer = QTimer(self)
        self._timer.setInterval(max(10, tick_ms))
        self._timer.timeout.connect(self.tick)
        self._timer.start()
        # the headline (and nothing else on screen) flashes when an alarm comes or comes back, then stays lit
        self._flashes_left = 0
        self._flash = QTimer(self)
        self._flash.setInterval(max(10, flash_ms))
        self._flash.timeout.connect(self._flash_step)
        self._on_changed(queue.alarms)

    # -- settings --------------------------------------------------------------------------------

    def _save(self, **values: Any) -> None:
        for name, value in values.items():
            setattr(self.options, name, value)
        self.settings.set_panel(self.options)

    # -- building --------------------------------------------------------------------------------

    def _build(self, options: AlarmsOptions) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(6)
        self.headline = QLabel()
        self.headline.setObjectName("alarmHeadline")
        self.headline.setTextFormat(Qt.TextFormat.PlainText)
        self.headline.setAccessibleName("Alarms waiting")
        self.headline.setWordWrap(True)
        layout.addWidget(self.headline)

        # the column is narrow (430 px beside the board): the primary action gets its own row, the rest below
        actions = QHBoxLayout()
        actions.setSpacing(6)
        self.ack_button = QPushButton("Acknowledge…")
        self.ack_button.setObjectName("acknowledge")
        self.ack_button.setProperty("role", "primary")
        self.ack_button.setToolTip("Acknowledge the selected alarms, with one optional note (Ctrl+Return)")
        bold = QFont(self.font())
        bold.setBold(True)  # the stylesheet makes it bold: room for its longest label without a jump
        self.ack_button.setMinimumWidth(QFontMetrics(bold).horizontalAdvance("Acknowledge 99 alarms…") + 40)
        self.ack_button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.ack_button.clicked.connect(lambda: self._spawn(self.acknowledge_selected(), "acknowledge alarms"))
        actions.addWidget(self.ack_button, 1)
        self.snooze_button = QPushButton("Snooze")
        self.snooze_button.setToolTip("Hide the selected alarms for a few minutes; they come back by themselves")
        self.snooze_button.clicked.connect(lambda: self.snooze_selected())
        actions.addWidget(self.snooze_button)
        self.snooze_minutes = QSpinBox()
        self.snooze_minutes.setRange(1, 60)
        self.snooze_minutes.setSuffix(" min")
        self.snooze_minutes.setValue(options.snooze_minutes)
        self.snooze_minutes.setAccessibleName("Snooze minutes")
        self.snooze_minutes.setToolTip("How long Snooze hides the selected alarms")
        self.snooze_minutes.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.snooze_minutes.valueChanged.connect(lambda v: self._save(snooze_minutes=int(v)))
        actions.addWidget(self.snooze_minutes)
        layout.addLayout(actions)

        bar = QHBoxLayout()
        bar.setSpacing(6)
        self.select_all = QToolButton()
        self.select_all.setText("Select all")
        self.select_all.clicked.connect(self._select_all)
        bar.addWidget(self.select_all)
        self.snoozed_label = QLabel()
        self.snoozed_label.setTextFormat(Qt.TextFormat.PlainText)
        self.snoozed_label.setProperty("role", "hint")
        bar.addWidget(self.snoozed_label)
        bar.addStretch(1)
        self.mute_button = QToolButton()
        self.mute_button.setObjectName("mute")
        self.mute_button.setCheckable(True)
        self.mute_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.mute_button.setChecked(self.sound.muted)
        self.mute_button.setMenu(self.mute_control.menu)  # 15 min, 1 h, end of shift, a typed time
        self.mute_button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self.mute_button.toggled.connect(self.set_muted)
        bar.addWidget(self.mute_button)
        self.volume = QSlider(Qt.Orientation.Horizontal)
        self.volume.setRange(0, 100)
        self.volume.setValue(round(self.sound.volume * 100))
        self.volume.setFixedWidth(90)
        self.volume.setAccessibleName("Alarm volume")
        self.volume.setToolTip("Alarm volume")
        self.volume.valueChanged.connect(self.set_volume)
        bar.addWidget(self.volume)
        layout.addLayout(bar)

        self.view = QTableView()
        self.view.setObjectName("alarmsTable")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setWordWrap(False)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)  # cut with "…"; the tool tip has the whole alarm
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.view.setShowGrid(False)
        self.view.setAlternatingRowColors(True)
        self.view.setAccessibleName("Alarms waiting for acknowledgement, oldest first")
        self.view.verticalHeader().hide()
        self.view.verticalHeader().setDefaultSectionSize(max(24, self.fontMetrics().height() + 10))
        header = self.view.horizontalHeader()
        header.setStretchLastSection(False)
        header.setMinimumSectionSize(48)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(AlarmColumn.EVENT, QHeaderView.ResizeMode.Stretch)
        em = self.fontMetrics().averageCharWidth()
        for column, chars in WIDTHS.items():
            self.view.setColumnWidth(column, chars * em + 24)
        # the longest priority word whole, in bold, beside its icon
        bold_cells = QFont(self.font())
        bold_cells.setBold(True)
        self.view.setColumnWidth(AlarmColumn.PRIORITY, QFontMetrics(bold_cells).horizontalAdvance("Maintenance") + 44)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._header_menu)
        header.setToolTip("Right-click to choose the columns")
        self.set_columns(_columns(options.columns))
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._update_actions())
        self.view.doubleClicked.connect(self._double_clicked)
        self.empty = QLabel(EMPTY_TEXT)
        self.empty.setObjectName("alarmsEmpty")
        self.empty.setTextFormat(Qt.TextFormat.PlainText)  # the feed's reason may quote the server
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setProperty("role", "hint")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.empty)
        layout.addWidget(self.stack, 1)
        # take / on hold / give back, the current alarm's details, its keys from anywhere (workflow.py)
        self.workflow = AlarmWorkflow(self)
        layout.insertWidget(layout.indexOf(self.stack), self.workflow.bar)
        layout.addWidget(self.workflow.details)

        ack = QAction("Acknowledge selected alarms", self)
        ack.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        ack.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        ack.triggered.connect(lambda: self._spawn(self.acknowledge_selected(), "acknowledge alarms"))
        self.addAction(ack)
        self._update_mute()
        self.apply_theme()

    # -- columns ---------------------------------------------------------------------------------

    def visible_columns(self) -> list[AlarmColumn]:
        return [c for c in AlarmColumn if not self.view.isColumnHidden(c)]

    def set_columns(self, columns: Iterable[AlarmColumn]) -> None:
        """Show only ``columns`` (the event's name always)."""
        shown = set(columns) | {AlarmColumn.EVENT}
        for column in AlarmColumn:
            self.view.setColumnHidden(column, column not in shown)

    def _header_menu(self, pos: QPoint) -> None:
        menu = QMenu(self)
        for column in AlarmColumn:
            action = menu.addAction(HEADERS[column])
            action.setCheckable(True)
            action.setChecked(not self.view.isColumnHidden(column))
            action.setEnabled(column is not AlarmColumn.EVENT)
            action.toggled.connect(lambda on, c=column: self._toggle_column(c, on))
        menu.addSeparator()
        menu.addAction("Default columns", lambda: self._choose_columns(SHOWN_IN_A_COLUMN))
        menu.popup(self.view.horizontalHeader().mapToGlobal(pos))

    def _toggle_column(self, column: AlarmColumn, on: bool) -> None:
        shown = set(self.visible_columns())
        if on:
            shown.add(column)
        else:
            shown.discard(column)
        self._choose_columns(shown)

    def _choose_columns(self, columns: Iterable[AlarmColumn]) -> None:
        self.set_columns(columns)
        self._save(columns=[HEADERS[c] for c in self.visible_columns()])

    def _spawn(self, coro: Any, name: str) -> asyncio.Task[Any]:
        return aio.spawn(coro, owner=self, name=name)

    # -- the queue's signals ---------------------------------------------------------------------

    def _on_raised(self, alarms: list[Alarm]) -> None:
        self.sound.play(min((int(a.priority) for a in alarms), default=None))  # each priority its own sound
        self.flash_headline()
        self._notify(alarms, again=False)

    def _on_re_alert(self, alarms: list[Alarm]) -> None:
        self.model.set_alarms(self.queue.alarms)  # "raised N times" (the queue only says what came back)
        self.sound.play(min((int(a.priority) for a in alarms), default=None))
        self.flash_headline()
        self._notify(alarms, again=True)

    # -- the headline's flash ----------------------------------------------------------------------

    @property
    def flashing(self) -> bool:
        return self._flash.isActive()

    def flash_headline(self) -> None:
        """Flash the headline a few times (once a second: far below the 3 a second that can harm), then
        leave it lit. Both states are readable: the words never blink away."""
        if not len(self.queue):  # (the queue counts the new alarm before it says the queue changed)
            return
        self._flashes_left = FLASHES * 2
        self._flash_step()
        self._flash.start()

    def _flash_step(self) -> None:
        if self._flashes_left <= 0 or not len(self.queue):
            self._flash.stop()
            self._flashes_left = 0
            self.headline.setProperty("dim", False)
        else:
            self._flashes_left -= 1
            self.headline.setProperty("dim", self._flashes_left % 2 == 1)
        self._style_headline()

    def _notify(self, alarms: list[Alarm], *, again: bool) -> None:
        if not alarms:
            return
        first = alarms[0].event
        where = f" at {first.point}" if first.point else ""
        more = f" (+{len(alarms) - 1} more)" if len(alarms) > 1 else ""
        title = ("Alarm still waiting" if again else "Alarm") + more
        self.notifier.notify(title, f"{first.time:%H:%M:%S} {guard_words(first.name)}{where}", self.window())

    def _on_changed(self, alarms: list[Alarm]) -> None:
        self.model.set_alarms(alarms)
        count = len(self.queue)
        snoozed = self.queue.counts().get("snoozed", 0)
        self.snoozed_label.setText(f"{snoozed} snoozed" if snoozed else "")
        self._update_headline(count)
        self.stack.setCurrentWidget(self.empty if count == 0 else self.view)
        self._update_actions()
        if count != self._count:
            self._count = count
            self.count_changed.emit(count)

    @property
    def count(self) -> int:
        """Alarms waiting (not snoozed): the badge's number."""
        return max(0, self._count)

    # -- is anything coming in? ------------------------------------------------------------------

    def set_feed(self, receiving: bool, since: datetime | None = None, reason: str = "") -> None:
        """Whether alarms are being received: ``receiving`` False while the events cannot be fetched (the
        server does not answer), ``since`` when that began (local time, naive or aware), ``reason`` a short
        plain-text why (the error; "the server does not answer" when empty). True again when polls succeed
        (``since`` and ``reason`` are then ignored). Idempotent: call it on every change of the stream's health.
        """
        feed = (True, None, "") if receiving else (False, since, " ".join(str(reason).split())[:200])
        if feed == self._feed:
            return
        self._feed = feed
        self._update_headline(len(self.queue))

    @property
    def receiving(self) -> bool:
        """False after ``set_feed(False, ...)`` until ``set_feed(True)``."""
        return self._feed[0]

    def feed_words(self) -> str:
        """Words like "Not receiving alarms since 10:52: the server does not answer"; empty while they come in."""
        receiving, since, reason = self._feed
        if receiving:
            return ""
        when = ""
        if since is not None:
            local = since.astimezone() if since.tzinfo is not None else since
            now = datetime.now(local.tzinfo)
            when = f" since {local:%H:%M}" if local.date() == now.date() else f" since {local:%Y-%m-%d %H:%M}"
        return f"Not receiving alarms{when}: {reason or 'the server does not answer'}"

    def _update_headline(self, count: int) -> None:
        feed = self.feed_words()
        if count:
            text = f"⚠ {count} alarm{'s' if count != 1 else ''} to acknowledge"
            visible = self.queue.alarms
            level = "alarm"
            if visible:  # the most urgent priority waiting, and how many of it
                top = visible[0].priority
                text += f" · {sum(1 for a in visible if a.priority == top)} {top.words.lower()}"
                if top >= Priority.LOW:  # only device offline / maintenance waiting: amber, not the red of alarms
                    level = "warn"
            if feed:
                text += f"\n✗ {feed}"
        elif feed:
            text, level = f"⚠ {feed}", "warn"
        else:
            text, level = "✓ No alarm waiting", "ok"
        self.headline.setText(text)
        self.headline.setProperty("level", level)
        if feed:
            self.empty.setText(f"{feed}.\nAlarms raised meanwhile appear here, with a sound, once the server "
                               "answers again.")
        else:
            self.empty.setText(EMPTY_TEXT)
        self._style_headline()

    def tick(self) -> None:
        """Once a second: snoozes that end and alarms left too long come back (``queue.tick``)."""
        try:
            self.queue.tick()
        except Exception:
            log.exception("the alarm queue's tick failed")
        self.model.tick()

    # -- actions ---------------------------------------------------------------------------------

    def selected_keys(self) -> list[str]:
        rows = sorted({index.row() for index in self.view.selectionModel().selectedRows()})
        keys = [self.model.index(row, 0).data(AlarmRole.KEY) for row in rows]
        return [k for k in keys if isinstance(k, str)]

    def select_keys(self, keys: Iterable[str]) -> None:
        selection = self.view.selectionModel()
        selection.clearSelection()
        for key in keys:
            row = self.model.row_of(key)
            if row is not None:
                selection.select(
                    self.model.index(row, 0),
                    QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
                )

    def _select_all(self) -> None:
        self.view.selectAll()

    def _update_actions(self) -> None:
        n = len(self.selected_keys())
        self.ack_button.setEnabled(n > 0)
        self.snooze_button.setEnabled(n > 0)
        self.ack_button.setText("Acknowledge…" if n <= 1 else f"Acknowledge {n} alarms…")
        self.select_all.setEnabled(self.model.rowCount() > 0)

    async def acknowledge_selected(self, note: str | None = None) -> list[AuditEntry]:
        """Acknowledge the selected alarms; the note is asked for in a dialog when ``note`` is None."""
        keys, single = self.queue.bulk_split(self.selected_keys())
        if not keys:
            if single:
                await aio.message(self, "Acknowledge one by one",
                                  "Alarms of the highest priorities (duress, forced door…) are acknowledged one by "
                                  "one, each with its note: select one of them.")
            return []
        if note is None:
            alarms = [a for a in (self.queue.get(k) for k in keys) if a is not None]
            left_out = [a for a in (self.queue.get(k) for k in single) if a is not None]
            dialog = AcknowledgeDialog(alarms, self, note_required=any(self.queue.needs_note(a) for a in alarms),
                                       left_out=left_out)
            try:
                result = await aio.dialog_result(dialog)
                note = dialog.note()
            finally:
                dialog.deleteLater()
            if result != AcknowledgeDialog.DialogCode.Accepted.value:
                return []
        return await self.acknowledge(keys, note)

    async def acknowledge(self, keys: list[str], note: str = "") -> list[AuditEntry]:
        """Acknowledge ``keys`` with one shared note; a failure to write the audit log is shown, not lost."""
        try:
            entries = self.queue.acknowledge(keys, note)
        except NoteRequired as exc:
            await aio.message(self, "A note is required", f"Nothing was acknowledged: {exc}.")
            return []
        except Exception as exc:
            log.error("acknowledgement failed: %s", exc)
            await aio.message(self, "Acknowledgement not recorded",
                              f"The acknowledgement could not be written to the audit log, so the alarm stays "
                              f"in the queue.\n\n{exc}", icon=QMessageBox.Icon.Warning)
            return []
        return entries

    def snooze_selected(self, minutes: int | None = None) -> list[Alarm]:
        keys = self.selected_keys()
        if not keys:
            return []
        value = int(minutes if minutes is not None else self.snooze_minutes.value())
        return self.queue.snooze(keys, max(1, min(value, MAX_SNOOZE_MINUTES)))

    def _double_clicked(self, index: Any) -> None:
        key = index.data(AlarmRole.KEY)
        if isinstance(key, str):
            self.event_requested.emit(key)

    # -- sound -----------------------------------------------------------------------------------

    def set_muted(self, muted: bool) -> None:
        """The button: muted until the end of the shift (the menu has shorter mutes), or the sound on again."""
        if bool(muted) != self.mute_control.muted:
            if muted:
                self.mute_control.mute_until_shift_end()
            else:
                self.mute_control.unmute()
        self._mute_changed(self.mute_control.words())

    def _mute_changed(self, _text: str) -> None:
        muted = self.mute_control.muted
        if self.mute_button.isChecked() != muted:
            self.mute_button.blockSignals(True)
            self.mute_button.setChecked(muted)
            self.mute_button.blockSignals(False)
        self._update_mute()
        self.mute_changed.emit(self.mute_control.words())

    def set_volume(self, value: int) -> None:
        self.sound.volume = max(0, min(100, int(value))) / 100
        self._save(volume=int(value))

    def _update_mute(self) -> None:
        muted = self.sound.muted
        self.mute_button.setText(self.mute_control.words() if muted else "Sound on")
        self.mute_button.setIcon(style.speaker_icon(muted))
        self.mute_button.setToolTip("Alarm sound is muted: click to turn it on (the arrow: other times)" if muted
                                    else "Click to mute the alarm sound until the end of the shift (the arrow: "
                                         "15 minutes, 1 hour, a time)")
        self.volume.setEnabled(not muted)

    # -- theme -----------------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        themed = event.type() in (QEvent.Type.PaletteChange, QEvent.Type.StyleChange)
        if themed and hasattr(self, "headline") and not self._restyle_pending:
            # deferred: the theme module records the new palette only after Qt has sent these events
            self._restyle_pending = True
            QTimer.singleShot(0, self, self._restyle)

    def _restyle(self) -> None:
        self._restyle_pending = False
        self.apply_theme()

    def apply_theme(self) -> None:
        self.model.restyle()
        self._style_headline()
        self._style_primary()
        self._update_mute()

    def _style_primary(self) -> None:
        """Acknowledge stands out from every other button: filled and bold, framed in the accent colour. At
        night a deep blue fill (a bright one would glare in a dark room), by day the accent itself; the words
        in whichever of dark or white reads better on it."""
        p = theme.current()
        dark = QColor(p.window).lightness() < 128
        fill = QColor(p.selection if dark else p.accent)
        words = max((p.window, "#ffffff"), key=lambda c: _contrast(QColor(c), fill))
        hover = fill.lighter(125) if dark else fill.darker(112)
        self.ack_button.setStyleSheet(
            f"QPushButton#acknowledge {{ background: {fill.name()}; color: {words}; border: 2px solid {p.accent};"
            " font-weight: 700; padding: 7px 16px; }"
            f"QPushButton#acknowledge:hover {{ background: {hover.name()}; }}"
            f"QPushButton#acknowledge:focus {{ border: 2px solid {p.text}; }}"
            f"QPushButton#acknowledge:disabled {{ background: {p.surface}; color: {p.text_muted};"
            f" border: 2px solid {p.border_strong}; }}"
        )

    def _style_headline(self) -> None:
        p = theme.current()
        if self.headline.property("level") == "alarm" and self.headline.property("dim"):
            css = f"background: {p.alarm_bg}; color: {p.alarm_text}; border: 1px solid {p.alarm};"
        elif self.headline.property("level") == "alarm":
            css = f"background: {p.alarm}; color: {p.on_alarm}; border: 1px solid {p.alarm};"
        elif self.headline.property("level") == "warn":  # not receiving alarms: never the green of "all quiet"
            css = f"background: {p.warn_bg}; color: {p.warn_text}; border: 2px solid {p.warn};"
        else:
            css = f"background: {p.ok_bg}; color: {p.ok_text}; border: 1px solid {p.ok};"
        self.headline.setStyleSheet(
            f"QLabel#alarmHeadline {{ {css} border-radius: 4px; padding: 6px 10px; font-weight: 700;"
            f" font-size: {p.font_size_title}pt; }}"
        )

    def sizeHint(self) -> QSize:
        """A column's width (the table alone would ask for every column's)."""
        hint = super().sizeHint()
        return QSize(max(self.minimumSizeHint().width(), PREFERRED_WIDTH), hint.height())

    async def start(self) -> None:
        """The queue is loaded and fed by the services; the panel already shows it."""

    async def stop(self) -> None:
        self.shutdown()

    def refresh_now(self) -> None:
        """The alarms arrive with the events (the events panel's poll)."""

    def focus_filter(self) -> bool:
        """No filter: Ctrl+F in the queue takes the keyboard to the table."""
        self.view.setFocus(Qt.FocusReason.ShortcutFocusReason)
        return False

    def set_operator(self, name: str) -> None:
        """The queue writes acknowledgements under the operator the services know."""

    def shutdown(self) -> None:
        """Stop ticking the queue and remove the tray notifier (the session is ending)."""
        self._timer.stop()
        self._flash.stop()
        with contextlib.suppress(Exception):
            self.notifier.close()

    def closeEvent(self, event: Any) -> None:
        self.shutdown()
        super().closeEvent(event)


def _contrast(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""

    def luminance(c: QColor) -> float:
        parts = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in (c.redF(), c.greenF(), c.blueF())]
        return 0.2126 * parts[0] + 0.7152 * parts[1] + 0.0722 * parts[2]

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _columns(value: Any) -> list[AlarmColumn]:
    """The columns a saved list of header names asks for; the default ones when it is not such a list."""
    by_name = {name: column for column, name in HEADERS.items()}
    by_name.update(OLD_HEADERS)
    if isinstance(value, list):
        chosen = list(dict.fromkeys(by_name[v] for v in value if isinstance(v, str) and v in by_name))
        if chosen:
            return chosen
    return list(SHOWN_IN_A_COLUMN)
