"""Training actions for the desks of demo mode: a car arrives whose plate the attendant misreads, a car
leaves, a person enrolled at the desk walks through a door. Each runs inside the simulator's thread (plain
functions of the simulator, like the Training menu's others) and says what happened in words."""

from __future__ import annotations

from typing import Any

__all__ = ["DESK_ACTIONS", "car_arrives", "car_leaves", "enrolled_walks_in", "misread"]

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


DESK_ACTIONS: tuple[tuple[str, Any], ...] = (
    ("A car arrives (plate hard to read)", car_arrives),
    ("A car leaves", car_leaves),
    ("The newest enrolled person walks in", enrolled_walks_in),
)
