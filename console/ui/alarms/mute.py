"""The alarm sound's mute button and menu: for 15 minutes, for an hour, until the end of the shift, until a
typed time; never without an end (:mod:`console.services.mute`).

:class:`MuteControl` owns the mute of one :class:`~console.ui.alarms.sound.AlarmSound`: it restores a mute kept
in the settings only until its end, ends the mute by itself (checked every second against the panel's clock),
saves the end time (``[panels.alarms] muted_until``) and announces ``changed(text)`` ("Sound muted until 19:00",
or "" when the sound is on) for the button and the status bar.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QInputDialog, QMenu, QWidget

from console.services.mute import Mute, restored, shift_end

from .. import aio
from .sound import AlarmSound

__all__ = ["MuteControl"]


class MuteControl(QObject):
    changed = Signal(str)  # what the status bar shows: "Sound muted until 19:00", or "" when the sound is on

    def __init__(
        self,
        sound: AlarmSound,
        kept: str,
        save: Callable[[str], None],
        *,
        shift_ends: Sequence[str],
        clock: Callable[[], datetime] = datetime.now,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.sound = sound
        self.save = save
        self.shift_ends = list(shift_ends)
        self.clock = clock
        self.mute: Mute | None = restored(kept, clock())
        self.sound.muted = self.mute is not None
        if self.mute is None and kept:
            save("")  # an ended (or endless) mute is forgotten, not carried into this start
        self.menu = QMenu(parent)
        self.menu.setObjectName("muteMenu")
        self.for_15 = self._item("Mute for 15 minutes", lambda: self.mute_for(15))
        self.for_60 = self._item("Mute for 1 hour", lambda: self.mute_for(60))
        self.end_of_shift = self._item("Mute until the end of the shift", self.mute_until_shift_end)
        self.until_time = self._item("Mute until a time…", lambda: aio.spawn(self.ask_time(), owner=self,
                                                                              name="mute until"))
        self.menu.addSeparator()
        self.sound_on = self._item("Sound on", self.unmute)
        self.menu.aboutToShow.connect(self._refresh_menu)
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self.check)
        if self.mute is not None:
            self._timer.start()
        self._refresh_menu()

    def _item(self, text: str, slot: Callable[[], object]) -> QAction:
        action = QAction(text, self.menu)
        action.triggered.connect(lambda _checked=False: slot())
        self.menu.addAction(action)
        return action

    def _refresh_menu(self) -> None:
        self.end_of_shift.setText(f"Mute until the end of the shift ({shift_end(self.clock(), self.shift_ends):%H:%M})")
        self.sound_on.setEnabled(self.mute is not None)

    # -- what the operator chooses -------------------------------------------------------------------

    def mute_for(self, minutes: float) -> None:
        self.apply(Mute.for_(self.clock(), minutes))

    def mute_until_shift_end(self) -> None:
        self.apply(Mute.end_of_shift(self.clock(), self.shift_ends))

    def mute_until(self, text: str) -> bool:
        """Until the next time the clock shows ``text`` ("06:30"); False when it is not a time."""
        mute = Mute.until_time(self.clock(), text)
        if mute is None:
            return False
        self.apply(mute)
        return True

    async def ask_time(self) -> None:
        parent = self.parent()
        dialog = QInputDialog(parent if isinstance(parent, QWidget) else None)
        dialog.setWindowTitle("Mute the alarm sound")
        dialog.setLabelText("Mute until (HH:MM, within the next 24 hours):")
        dialog.setTextValue(f"{shift_end(self.clock(), self.shift_ends):%H:%M}")
        try:
            accepted = await aio.dialog_result(dialog) == QInputDialog.DialogCode.Accepted
            text = dialog.textValue()
        finally:
            dialog.deleteLater()
        if accepted and not self.mute_until(text):
            await aio.message(parent if isinstance(parent, QWidget) else None, "Mute the alarm sound",
                              f"{text.strip()[:20]!r} is not a time of day (write it as 06:30): the sound stays as "
                              "it was.")

    def unmute(self) -> None:
        self.apply(None)

    # -- state ---------------------------------------------------------------------------------------

    def apply(self, mute: Mute | None) -> None:
        self.mute = mute
        self.sound.muted = mute is not None
        if mute is not None:
            self.sound.stop()
            self._timer.start()
        else:
            self._timer.stop()
        self.save(mute.to_text() if mute is not None else "")
        self._refresh_menu()
        self.changed.emit(self.words())

    def check(self) -> None:
        """The mute's end has come: the sound is on again (and the status bar says so)."""
        if self.mute is not None and not self.mute.active(self.clock()):
            self.apply(None)

    def words(self) -> str:
        return self.mute.words(self.clock()) if self.mute is not None else ""

    @property
    def muted(self) -> bool:
        return self.mute is not None
