"""Training scenarios for the alarm queue (issue 13): several alarms at the same moment, as a night brings them.

"A duress and a forced door together": a door is forced open and, at the same moment, someone opens another
door under duress. The guard should find the duress on top (critical, its own sound) although it came second,
take it with F8, see its door on the floor plan, acknowledge it with a note (F9), and see the board say who
acknowledged it. Both door alarms last ten minutes on the board (until the controller clears them), so the
acknowledgement can be seen there. Runs inside the simulator's thread like the Training menu's other actions.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ALARM_ACTIONS", "ALARM_SECONDS", "duress_and_forced"]

ALARM_SECONDS = 600.0  # how long the two door alarms stay on the board


def duress_and_forced(sim: Any) -> str:
    world = sim.world

    def usable(door: Any) -> bool:
        return bool(world.door_connect(door) == 1 and door.has_sensor)

    forced = world.pick(world.doors, usable, "door")
    duress = world.pick(world.doors, lambda d: usable(d) and d.id != forced.id and d.name != forced.name, "door")
    sim.emit("forced_open", door_id=forced.id, seconds=ALARM_SECONDS)
    sim.emit("duress", door_id=duress.id)
    world.set_door_alarm(duress, duress.alarm, ALARM_SECONDS)  # the controller holds the duress alarm a while
    return (f"Two alarms at once: door {forced.name} forced open, then a duress opening at {duress.name}. "
            "The duress is the critical one.")


ALARM_ACTIONS: tuple[tuple[str, Any], ...] = (("A duress and a forced door together", duress_and_forced),)
