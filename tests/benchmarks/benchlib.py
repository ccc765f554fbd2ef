"""What every benchmark script shares: a figure against its target, and the ``--json`` output.

A script builds :class:`Figure` records and ends with :func:`emit`: with ``--json`` it prints one JSON list
on stdout (``figure``, ``target``, ``limit``, ``measured``, ``unit``, ``ratio``, ``met``, ``note``) and
nothing else there (its human lines go to stderr); without it, a short table after its own lines.
``tools/bench.py`` (``./dev.sh bench``) runs every script with ``--json`` and prints one table.

``ratio`` is how far from the target a figure is, 1.0 being exactly on it and below 1.0 met, whichever way
the target points: measured/limit for "at most" figures (times, stalls, ratios), limit/measured for "at
least" figures (rates).
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Literal, TextIO

__all__ = ["Figure", "add_json_option", "emit", "human", "median", "p95"]


@dataclass(slots=True)
class Figure:
    figure: str  # what is measured, in words
    limit: float  # the target's number
    measured: float
    unit: str  # "ms", "x", "MB", "%", "events/s"
    direction: Literal["at most", "at least"] = "at most"
    note: str = ""  # how, or what else was seen (p95, worst...)
    target: str = field(default="")
    ratio: float = field(default=math.nan)
    met: bool = field(default=False)

    def __post_init__(self) -> None:
        sign = "<=" if self.direction == "at most" else ">="
        number = f"{self.limit:,.0f}" if self.limit >= 100 else f"{self.limit:g}"
        self.target = self.target or f"{sign} {number} {self.unit}"
        if self.direction == "at most":
            self.ratio = self.measured / self.limit if self.limit else math.inf
            self.met = self.measured <= self.limit
        else:
            self.ratio = self.limit / self.measured if self.measured > 0 else math.inf
            self.met = self.measured >= self.limit


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else math.nan


def p95(values: Sequence[float]) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


def add_json_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true",
                        help="print the figures as one JSON list on stdout (human lines go to stderr)")


def human(args: argparse.Namespace) -> TextIO:
    """Where a script's own lines go: stderr with ``--json`` (stdout carries only the JSON), else stdout."""
    return sys.stderr if getattr(args, "json", False) else sys.stdout


def emit(figures: Sequence[Figure], args: argparse.Namespace) -> None:
    if getattr(args, "json", False):
        rows = []
        for f in figures:
            row = asdict(f)
            row["ratio"] = None if not math.isfinite(f.ratio) else round(f.ratio, 4)
            rows.append(row)
        print(json.dumps(rows), flush=True)
        return
    print()
    for f in figures:
        print(f"{f.figure:58} {f.target:>16} {_value(f):>14}  {f.ratio:5.2f}  {'met' if f.met else 'short'}")


def _value(f: Figure) -> str:
    number = f"{f.measured:,.0f}" if abs(f.measured) >= 100 else f"{f.measured:.2f}"
    return f"{number} {f.unit}"
