"""The Training menu of demo mode: a trainer makes things happen on the simulated site.

Pull the server down for a minute, make it slow and flaky, force a door open, raise a duress alarm, drop a
device offline and bring it back: the same situations a guard meets at 3 a.m., on demand. Only present when
the console runs its own simulator (``--demo``); each action (console/sim/training.py) runs inside the
simulator: in its thread, or asked for by name over HTTP when the simulator runs in its own process (the
default of ``--demo``: ``console.sim.process.SimulatorProcess``).

"Behave like a real server" switches the simulator to what real CVSecurity servers do (route spellings,
numeric door states, -40 for a refused token, success for unknown door ids; console/sim/profiles.py) and
back, at once; "Event names in" chooses the language of event names (English, Spanish, Chinese,
Portuguese), as on a server installed in that language.

"Clock: 30 minutes later" (and "2 hours later") move the simulated site's clock on (``world.clock.advance``,
as ``POST /_sim/clock`` does): bookings start and end, visits run out, parking fees grow. In demo mode the
console's spaces panel follows the simulator's clock (its now-line and reminders), so a booking turns
"in progress" when the moved clock reaches it; ``on_clock`` (the app's F5) makes every panel read at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu, QWidget

from console.sim import training as actions
from console.sim.training import (
    CLOCK_STEPS,
    LANGUAGES,
    OUTAGE_SECONDS,
    advance_clock,
    language_action,
    manual_server,
    real_server,
)

__all__ = ["ACTIONS", "CLOCK_STEPS", "LANGUAGES", "OUTAGE_SECONDS", "TrainingMenu", "advance_clock", "demo_clock",
           "language_action", "manual_server", "real_server"]

log = logging.getLogger(__name__)

ACTIONS: tuple[tuple[str, Callable[[Any], str]], ...] = tuple((title, fn) for _key, title, fn in actions.ACTIONS)


def demo_clock(sim: Any) -> Callable[[], datetime]:
    """The simulated site's local time: read from the world (a simulator thread: one float, without its thread),
    or, for a simulator in its own process, this PC's clock plus the offset the training actions moved it by."""
    clock = getattr(sim, "clock", None)
    if callable(clock):
        return lambda: datetime.fromtimestamp(clock())
    world = sim.sim.world
    return lambda: datetime.fromtimestamp(world.now())


class TrainingMenu(QMenu):
    """``TrainingMenu(sim_thread, report)``: each action runs in the simulator; ``report(text)`` tells what happened."""

    def __init__(self, sim: Any, report: Callable[[str], None], parent: QWidget | None = None, *,
                 on_clock: Callable[[], None] | None = None) -> None:
        super().__init__("&Training", parent)
        self.setToolTipsVisible(True)
        self._sim = sim
        self._report = report
        self._on_clock = on_clock
        self.setObjectName("trainingMenu")
        for key, title, _action in actions.ACTIONS:
            item = QAction(title, self)
            item.triggered.connect(lambda _checked=False, k=key, t=title: self.run(t, k))
            self.addAction(item)
        self.addSeparator()
        self.clock_actions: list[QAction] = []
        for title, seconds in CLOCK_STEPS:
            item = QAction(title, self)
            item.setToolTip("Move the simulated site's time on: bookings start and end as the clock reaches them")
            item.triggered.connect(lambda _checked=False, t=title, s=seconds: self.move_clock(t, s))
            self.addAction(item)
            self.clock_actions.append(item)
        self.addSeparator()
        self.real_server = QAction("Behave like a real server", self)
        self.real_server.setObjectName("trainingRealServer")
        self.real_server.setCheckable(True)
        self.real_server.setToolTip("Route spellings, numeric door states, refusals and event names as real "
                                    "CVSecurity servers send them (untick: as the manual documents)")
        self.real_server.triggered.connect(self._toggle_real)
        self.addAction(self.real_server)
        self.languages = self.addMenu("Event names in")
        self.languages.setObjectName("trainingLanguages")
        group = QActionGroup(self)
        group.setExclusive(True)
        self.language_actions: dict[str, QAction] = {}
        for code, title in LANGUAGES:
            item = QAction(title, group)
            item.setCheckable(True)
            item.setData(code)
            item.triggered.connect(lambda _checked=False, c=code, t=title: self.run(t, f"language:{c}"))
            self.languages.addAction(item)
            self.language_actions[code] = item
        self.aboutToShow.connect(self.sync)
        self.sync()

    def _toggle_real(self, checked: bool) -> None:
        self.run("Behave like a real server", "profile:real" if checked else "profile:manual")
        self.sync()

    def sync(self) -> None:
        """Tick the profile and the language the simulator has now."""
        try:
            state = getattr(self._sim, "state", None)
            if callable(state):  # a simulator in its own process: GET /_sim/profile
                profile, language = state()
            else:
                profile, language = self._sim.call(lambda sim: (sim.server_profile, sim.event_language))
        except Exception:  # the simulator is not running (closing): leave the marks as they are
            return
        self.real_server.setChecked(profile == "real")
        item = self.language_actions.get(language)
        if item is not None:
            item.setChecked(True)

    def move_clock(self, title: str, seconds: int) -> str:
        text = self.run(title, f"clock:{seconds}")
        if self._on_clock is not None:
            self._on_clock()
        return text

    def run(self, title: str, key: str) -> str:
        """The training action ``key`` (console/sim/training.py ``perform``) run in the simulator: in its thread,
        or by name over HTTP (``POST /_sim/training``) when it runs in its own process."""
        try:
            perform = getattr(self._sim, "perform", None)
            text = str(perform(key) if callable(perform) else self._sim.call(actions.perform, key))
        except Exception as exc:  # a site where the action cannot happen (no online door left...)
            text = f"{title}: not possible now ({exc})"
        log.info("training: %s", text)
        self._report(text)
        return text
