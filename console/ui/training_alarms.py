"""Training scenarios for the alarm queue (issue 13): they live in the simulator (console/sim/training.py) so
that a simulator in its own process runs them by name; re-exported here for the menu and the tests."""

from __future__ import annotations

from console.sim.training import ALARM_ACTIONS, ALARM_SECONDS, duress_and_forced

__all__ = ["ALARM_ACTIONS", "ALARM_SECONDS", "duress_and_forced"]
