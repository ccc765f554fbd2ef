"""The Training menu's actions, run inside the simulator (demo mode; no Qt): things a trainer makes happen.

Each action is a plain function of the :class:`~console.sim.simulator.Simulator` that says in words what
happened. They are named (``ACTIONS``: key, title, function), so that a console whose simulator runs in
another process asks for one by name: ``POST /_sim/training {"action": "forced_open"}`` answers
``{"text": ..., "now": <the world clock>}``. ``perform(sim, key)`` also takes ``clock:<seconds>``,
``language:<code>`` and ``profile:real`` / ``profile:manual``. The menu itself is console/ui/training.py.

Alarm scenarios (issue 13): "A duress and a forced door together": a door is forced open and, at the same
moment, someone opens another door under duress; the guard should find the duress on top although it came
second. Desk scenarios: a car whose plate the attendant misreads, a car leaving, a person enrolled at the
desk walking through a door.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

__all__ = ["ACTIONS", "ALARM_ACTIONS", "ALARM_SECONDS", "CLOCK_STEPS", "DESK_ACTIONS", "LANGUAGES",
           "OUTAGE_SECONDS", "advance_clock", "car_arrives", "car_leaves", "duress_and_forced",
           "enrolled_walks_in", "known", "language_action", "manual_server", "misread", "perform", "real_server"]

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


CLOCK_STEPS: tuple[tuple[str, int], ...] = (("Clock: 30 minutes later", 30 * 60), ("Clock: 2 hours later", 2 * 3600))


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


# -- alarms (issue 13) ---------------------------------------------------------------------------

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


# -- desks ---------------------------------------------------------------------------------------

_TWINS = {"B": "8", "8": "B", "O": "0", "0": "O", "I": "1", "1": "I"}
_PROVINCES = ("Liao", "Yue", "Jing", "Hu", "ZH")


def misread(plate: str) -> str:
    """How a tired attendant reads ``plate`` off the camera: lower case, no space, B/8, O/0 and I/1 swapped
    in the number (the province stays)."""
    head, _, tail = plate.partition(" ")
    return (head + "".join(_TWINS.get(c, c) for c in tail)).lower()


def _confusing_plate(rng: Any) -> str:
    letters = "ACDEFGHJKLMNPQRSTUVWXYZ"
    tail = [rng.choice("B8"), rng.choice("O0"), rng.choice("I1"), rng.choice(letters), *rng.choices("23456790", k=2)]
    rng.shuffle(tail)
    return f"{rng.choice(_PROVINCES)} {rng.choice(letters)}{''.join(tail)}"


def car_arrives(sim: Any) -> str:
    """A car with a plate full of look-alike characters drives in."""
    world = sim.world
    plate = _confusing_plate(world.rng)
    record = sim.emit("park_entry", carNumber=plate)
    lane = record.get("channelName") or "the entrance"
    return f"A car arrives at {lane}: plate {plate}. The attendant reads it as “{misread(plate)}”."


def car_leaves(sim: Any) -> str:
    record = sim.emit("park_exit")
    if not record:
        return "No car is in the car park."
    return f"Car {record.get('carNumber', '')} leaves through {record.get('channelName') or 'the exit'}."


def enrolled_walks_in(sim: Any) -> str:
    """The person enrolled most recently through the API shows their face at a door."""
    world = sim.world
    person = next((world.persons[p] for p in reversed(world.enrolled)
                   if p in world.persons and not world.persons[p].left), None)
    if person is None:
        return "Nobody has been enrolled at the desk yet: enrol someone first."
    door = world.pick(world.doors, lambda d: world.door_connect(d) == 1, "door")
    sim.emit("verify", door_id=door.id, pin=person.pin, mode="face", direction="in")
    name = " ".join(x for x in (person.name, person.last_name) if x) or person.pin
    return f"{name} (pin {person.pin}), enrolled at the desk, walks in through {door.name} (face)."


ALARM_ACTIONS: tuple[tuple[str, Any], ...] = (("A duress and a forced door together", duress_and_forced),)

DESK_ACTIONS: tuple[tuple[str, Any], ...] = (
    ("A car arrives (plate hard to read)", car_arrives),
    ("A car leaves", car_leaves),
    ("The newest enrolled person walks in", enrolled_walks_in),
)

ACTIONS: tuple[tuple[str, str, Callable[[Any], str]], ...] = (
    ("outage", "Server outage (60 s)", _outage),
    ("flaky", "Slow, flaky server", _flaky),
    ("forced_open", "Force a door open", _forced_open),
    ("duress", "Duress alarm", _duress),
    ("tamper", "Tamper alarm", _tamper),
    ("device_offline", "A device drops offline", _device_offline),
    ("rush_hour", "Rush hour: 50 verifications", _burst),
    ("healthy", "Everything healthy again", _healthy),
    ("duress_and_forced", *ALARM_ACTIONS[0]),
    ("car_arrives", *DESK_ACTIONS[0]),
    ("car_leaves", *DESK_ACTIONS[1]),
    ("enrolled_walks_in", *DESK_ACTIONS[2]),
)
_BY_KEY = {key: action for key, _title, action in ACTIONS}


def known(key: str) -> bool:
    """``key`` names a training action ``perform`` takes."""
    kind, _, arg = key.partition(":")
    if kind == "clock":
        return arg.isdigit() and 0 < int(arg) <= 366 * 86400
    if kind == "language":
        return arg in dict(LANGUAGES)
    return key in ("profile:real", "profile:manual") or key in _BY_KEY


def perform(sim: Any, key: str) -> str:
    """Run the training action ``key`` in ``sim``; what happened, in words. ``KeyError`` for an unknown key."""
    kind, _, arg = key.partition(":")
    if kind == "clock" and arg.isdigit() and 0 < int(arg) <= 366 * 86400:
        return advance_clock(int(arg))(sim)
    if kind == "language" and arg:
        title = dict(LANGUAGES).get(arg)
        if title is None:
            raise KeyError(f"unknown event language {arg!r}")
        return language_action(arg, title)(sim)
    if key == "profile:real":
        return real_server(sim)
    if key == "profile:manual":
        return manual_server(sim)
    action = _BY_KEY.get(key)
    if action is None:
        raise KeyError(f"unknown training action {key!r}")
    return action(sim)
