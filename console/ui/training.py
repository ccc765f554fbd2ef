"""The Training menu of demo mode: a trainer makes things happen on the simulated site.

Pull the server down for a minute, make it slow and flaky, force a door open, raise a duress alarm, drop a
device offline and bring it back: the same situations a guard meets at 3 a.m., on demand. Only present when
the console runs its own simulator (``--demo``); each action runs inside the simulator's thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QWidget

__all__ = ["OUTAGE_SECONDS", "TrainingMenu"]

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
    ("A device drops offline", _device_offline),
    ("Rush hour: 50 verifications", _burst),
    ("Everything healthy again", _healthy),
)


class TrainingMenu(QMenu):
    """``TrainingMenu(sim_thread, report)``: each action runs in the simulator; ``report(text)`` tells what happened."""

    def __init__(self, sim: Any, report: Callable[[str], None], parent: QWidget | None = None) -> None:
        super().__init__("&Training", parent)
        self.setToolTipsVisible(True)
        self._sim = sim
        self._report = report
        self.setObjectName("trainingMenu")
        for title, action in ACTIONS:
            item = QAction(title, self)
            item.triggered.connect(lambda _checked=False, a=action, t=title: self.run(t, a))
            self.addAction(item)

    def run(self, title: str, action: Callable[[Any], str]) -> str:
        try:
            text = str(self._sim.call(action))
        except Exception as exc:  # a site where the action cannot happen (no online door left...)
            text = f"{title}: not possible now ({exc})"
        log.info("training: %s", text)
        self._report(text)
        return text
