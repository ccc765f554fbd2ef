"""The Training menu of demo mode: a trainer makes things happen on the simulated site.

Pull the server down for a minute, make it slow and flaky, force a door open, raise a duress alarm, drop a
device offline and bring it back: the same situations a guard meets at 3 a.m., on demand. Only present when
the console runs its own simulator (``--demo``); each action runs inside the simulator's thread.

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

from console.ui.training_alarms import ALARM_ACTIONS
from console.ui.training_desks import DESK_ACTIONS

__all__ = ["ACTIONS", "CLOCK_STEPS", "LANGUAGES", "OUTAGE_SECONDS", "TrainingMenu", "advance_clock", "demo_clock",
           "language_action", "manual_server", "real_server"]

log = logging.getLogger(__name__)

OUTAGE_SECONDS = 60


def _online_door(sim: Any, *, with_sensor: bool = False) -> Any:
    world = sim.world
    return world.pick(world.doors, lambda d: world.door_connect(d) == 1 and (d.has_sensor or not with_sensor), "door")


def _outage(sim: Any) -> str:
    sim.set_faults(down_seconds=OUTAGE_SECONDS)
    return f"The server refuses every request for {OUTAGE_SECONDS} s; events keep happening meanwhile."


def _flaky(sim: Any) -> str:
    sim.set_faults(latency_ms=800, error_rate=0.2, drop_rate=0.05)
    return "The server is now slow (800 ms), answers 20% of requests with an error and drops 5%."


def _healthy(sim: Any) -> str:
    sim.set_faults(reset=True)
    for device in sim.world.devices.values():
        if getattr(device, "online", True) is False:
            sim.world.set_device_online(device.sn, True)
    return "The server is healthy again and every device is back online."


def _forced_open(sim: Any) -> str:
    door = _online_door(sim, with_sensor=True)
    sim.emit("forced_open", door_id=door.id)
    return f"Door {door.name} was forced open."


def _duress(sim: Any) -> str:
    door = _online_door(sim)
    sim.emit("duress", door_id=door.id)
    return f"Duress alarm at {door.name}."


def _tamper(sim: Any) -> str:
    door = _online_door(sim)
    sim.emit("tamper", door_id=door.id)
    return f"Someone is tampering with the reader at {door.name}."


def _device_offline(sim: Any) -> str:
    world = sim.world
    device = world.pick(world.devices, lambda d: getattr(d, "online", False) and getattr(d, "module", "") == "acc",
                        "device")
    world.set_device_online(device.sn, False)
    return f"Device {device.name} ({device.sn}) dropped offline; its doors follow."


def _burst(sim: Any) -> str:
    for _ in range(50):
        sim.emit("verify")
    return "50 people badged in at once."


ACTIONS: tuple[tuple[str, Callable[[Any], str]], ...] = (
    ("Server outage (60 s)", _outage),
    ("Slow, flaky server", _flaky),
    ("Force a door open", _forced_open),
    ("Duress alarm", _duress),
    ("Tamper alarm", _tamper),
    ("A device drops offline", _device_offline),
    ("Rush hour: 50 verifications", _burst),
    ("Everything healthy again", _healthy),
    *ALARM_ACTIONS,
    *DESK_ACTIONS,
)


CLOCK_STEPS: tuple[tuple[str, int], ...] = (("Clock: 30 minutes later", 30 * 60), ("Clock: 2 hours later", 2 * 3600))


def demo_clock(sim_thread: Any) -> Callable[[], datetime]:
    """The simulated site's local time (the simulator's world clock, read without its thread: one float)."""
    world = sim_thread.sim.world
    return lambda: datetime.fromtimestamp(world.now())


def advance_clock(seconds: int) -> Callable[[Any], str]:
    def action(sim: Any) -> str:
        sim.world.clock.advance(float(seconds))
        sim.world.tick()
        now = datetime.fromtimestamp(sim.world.now())
        return f"The simulated clock moved on {seconds // 60} minutes: it is now {now:%a %H:%M} on the site."

    return action


LANGUAGES: tuple[tuple[str, str], ...] = (
    ("en", "English"), ("es", "Spanish (Español)"), ("zh", "Chinese (简体中文)"), ("pt", "Portuguese (Português)"),
)


def real_server(sim: Any) -> str:
    sim.set_server_profile("real")
    return ("The server now behaves like a real one: close-door routes by the title's spelling only, numeric "
            "door states, monitor events without level, a refused token answers -40, unknown doors 'open'.")


def manual_server(sim: Any) -> str:
    sim.set_server_profile("manual")
    return "The server behaves as the manual documents it again."


def language_action(code: str, title: str) -> Callable[[Any], str]:
    def action(sim: Any) -> str:
        sim.set_event_language(code)
        return f"Event names now come in {title}."

    return action


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
        for title, action in ACTIONS:
            item = QAction(title, self)
            item.triggered.connect(lambda _checked=False, a=action, t=title: self.run(t, a))
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
            item.triggered.connect(lambda _checked=False, c=code, t=title: self.run(t, language_action(c, t)))
            self.languages.addAction(item)
            self.language_actions[code] = item
        self.aboutToShow.connect(self.sync)
        self.sync()

    def _toggle_real(self, checked: bool) -> None:
        self.run("Behave like a real server", real_server if checked else manual_server)
        self.sync()

    def sync(self) -> None:
        """Tick the profile and the language the simulator has now."""
        try:
            profile, language = self._sim.call(lambda sim: (sim.server_profile, sim.event_language))
        except Exception:  # the simulator is not running (closing): leave the marks as they are
            return
        self.real_server.setChecked(profile == "real")
        item = self.language_actions.get(language)
        if item is not None:
            item.setChecked(True)

    def move_clock(self, title: str, seconds: int) -> str:
        text = self.run(title, advance_clock(seconds))
        if self._on_clock is not None:
            self._on_clock()
        return text

    def run(self, title: str, action: Callable[[Any], str]) -> str:
        try:
            text = str(self._sim.call(action))
        except Exception as exc:  # a site where the action cannot happen (no online door left...)
            text = f"{title}: not possible now ({exc})"
        log.info("training: %s", text)
        self._report(text)
        return text
