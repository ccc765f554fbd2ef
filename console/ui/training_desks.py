"""Training actions for the desks of demo mode: they live in the simulator (console/sim/training.py) so that a
simulator in its own process runs them by name; re-exported here for the menu and the tests."""

from __future__ import annotations

from console.sim.training import DESK_ACTIONS, car_arrives, car_leaves, enrolled_walks_in, misread

__all__ = ["DESK_ACTIONS", "car_arrives", "car_leaves", "enrolled_walks_in", "misread"]
