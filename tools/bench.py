"""Run every benchmark script and print one table (``./dev.sh bench``).

    .venv/bin/python tools/bench.py [--quick] [--only client,doors] [--write-doc] [--log-dir DIR]

Each ``tests/benchmarks/bench_*.py`` is run in its own process with ``--json`` (and ``--quick`` with
``--quick``); it prints its figures as one JSON list (``tests/benchmarks/benchlib.py``). The table has a line
per figure: figure, target, measured, ratio (1.00 is on target, below is better, whichever way the target
points) and "met" or "short", with the machine (cores, Python, Qt) above it. A script's own lines go to
``--log-dir`` (default ``build/bench``). ``--write-doc`` puts the table into ``docs/performance.md``
between its markers. Exit status: 1 when a script failed, else 0 (a figure short of target is a finding,
not a failure; ``--strict`` makes it one).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH_DIR = ROOT / "tests" / "benchmarks"
DOC = ROOT / "docs" / "performance.md"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"

# the order they run in: quick ones first; a script not named here runs last, in name order
ORDER = ("client", "face", "startup", "event_ingest", "journal", "event_panel", "doors", "memory")
# arguments of a script's run here: the doors figures are the 10,000 doors and 1,000 gates
EXTRA_ARGS = {"bench_doors": ("--site", "xl")}


@dataclass
class Result:
    script: str
    rows: list[dict[str, Any]]
    seconds: float
    error: str = ""


def scripts(only: set[str] | None) -> list[Path]:
    found = {p.stem.removeprefix("bench_"): p for p in BENCH_DIR.glob("bench_*.py")}
    names = [n for n in ORDER if n in found] + sorted(n for n in found if n not in ORDER)
    if only:
        unknown = only - set(found)
        if unknown:
            raise SystemExit(f"no such benchmark: {', '.join(sorted(unknown))} (there are: {', '.join(names)})")
        names = [n for n in names if n in only]
    return [found[n] for n in names]


def _env() -> dict[str, str]:
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"),
               PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring",
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH", "")])),
               PYTHONPYCACHEPREFIX=str(ROOT / "build" / "bench" / "pycache"))
    # compiled bytecode kept between runs, as an installed console has it: with PYTHONDONTWRITEBYTECODE (set in
    # this machine's shells) a module changed since its last bytecode was compiled again at every import, and a
    # module imported during a measured step (the board's first load: 25-41 ms instead of 12-14) was timed with it
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def compile_package() -> None:
    """The console's bytecode, compiled before any benchmark (pip does it when it installs the console): a module
    first imported during a measured step is not timed with its compilation."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "console")], cwd=ROOT, env=_env(),  # noqa: S603
                   capture_output=True, check=False)


def run(script: Path, quick: bool, log_dir: Path, timeout: float) -> Result:
    env = _env()
    cmd = [sys.executable, str(script), "--json", *(["--quick"] if quick else []), *EXTRA_ARGS.get(script.stem, ())]
    log = log_dir / f"{script.stem}.log"
    started = time.perf_counter()
    try:
        done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True,  # noqa: S603 (our scripts)
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired as exc:
        log.write_text(str(exc.stderr or ""), encoding="utf-8")
        return Result(script.stem, [], time.perf_counter() - started, f"no answer within {timeout:.0f} s")
    seconds = time.perf_counter() - started
    log.write_text(done.stderr + "\n--- stdout\n" + done.stdout, encoding="utf-8")
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    if done.returncode != 0 or not lines:
        last = (done.stderr.strip().splitlines() or [""])[-1].strip()
        return Result(script.stem, [], seconds, f"exit {done.returncode}: {last[:140]}; see {log}")
    try:
        rows = json.loads(lines[-1])
    except json.JSONDecodeError:
        return Result(script.stem, [], seconds, "its last line is not the JSON list of figures")
    return Result(script.stem, rows, seconds)


def machine() -> str:
    try:
        import PySide6
        from PySide6.QtCore import qVersion

        qt = f"Qt {qVersion()} (PySide6 {PySide6.__version__})"
    except ImportError:
        qt = "Qt: not installed"
    return (f"{os.cpu_count()} cores, {platform.machine()}, {platform.system()} {platform.release()}; "
            f"Python {platform.python_version()}; {qt}")


def measured(row: dict[str, Any]) -> str:
    value = float(row["measured"])
    number = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.2f}"
    return f"{number} {row['unit']}"


def ratio(row: dict[str, Any]) -> str:
    value = row.get("ratio")
    return "-" if value is None or not math.isfinite(value) else f"{value:.2f}"


def table(results: list[Result], markdown: bool) -> list[str]:
    head = ("figure", "target", "measured", "ratio", "result")
    body: list[tuple[str, ...]] = []
    for r in results:
        if r.error:
            body.append((f"{r.script}: did not run ({r.error})", "", "", "", "error"))
        for row in r.rows:
            body.append((row["figure"], row["target"], measured(row), ratio(row), "met" if row["met"] else "short"))
    if markdown:
        out = ["| " + " | ".join(head) + " |", "|---|---:|---:|---:|---|"]
        out += ["| " + " | ".join(cells) + " |" for cells in body]
        return out
    widths = [max(len(cells[i]) for cells in [head, *body]) for i in range(len(head))]
    widths[0] = min(widths[0], 72)

    def line(cells: tuple[str, ...]) -> str:
        a, b, c, d, e = cells
        return f"{a:<{widths[0]}}  {b:>{widths[1]}}  {c:>{widths[2]}}  {d:>{widths[3]}}  {e}"

    return [line(head), *(line(cells) for cells in body)]


def write_doc(lines: list[str]) -> None:
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else f"# Performance\n\n{BEGIN}\n{END}\n"
    if BEGIN not in text or END not in text:
        text = text.rstrip("\n") + f"\n\n{BEGIN}\n{END}\n"
    before, rest = text.split(BEGIN, 1)
    _, after = rest.split(END, 1)
    DOC.write_text(before + BEGIN + "\n" + "\n".join(lines) + "\n" + END + after, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="shorter runs (fewer requests, polls, events)")
    parser.add_argument("--only", default="", help="comma-separated names: client, doors, journal, ...")
    parser.add_argument("--write-doc", action="store_true", help=f"put the table into {DOC.relative_to(ROOT)}")
    parser.add_argument("--log-dir", type=Path, default=ROOT / "build" / "bench")
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per script (default 900)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a figure is short of its target")
    args = parser.parse_args()
    args.log_dir.mkdir(parents=True, exist_ok=True)
    only = {n.strip().removeprefix("bench_") for n in args.only.split(",") if n.strip()} or None
    results: list[Result] = []
    started = time.perf_counter()
    compile_package()
    for script in scripts(only):
        print(f"running {script.name}{' --quick' if args.quick else ''} ...", file=sys.stderr, flush=True)
        result = run(script, args.quick, args.log_dir, args.timeout)
        print(f"  {result.seconds:.0f} s{': ' + result.error if result.error else ''}", file=sys.stderr, flush=True)
        results.append(result)
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    head = f"machine: {machine()}; {when}; {'--quick, ' if args.quick else ''}{time.perf_counter() - started:.0f} s"
    print(head)
    print("\n".join(table(results, markdown=False)))
    rows = [row for r in results for row in r.rows]
    met = sum(1 for row in rows if row["met"])
    print(f"{met} of {len(rows)} figures met" + (f"; {sum(1 for r in results if r.error)} script(s) failed "
                                                 f"(logs in {args.log_dir})" if any(r.error for r in results) else ""))
    if args.write_doc:
        write_doc([f"_{head}_", "", *table(results, markdown=True)])
        print(f"table written to {DOC.relative_to(ROOT)}")
    if any(r.error for r in results):
        return 1
    return 1 if args.strict and met < len(rows) else 0


if __name__ == "__main__":
    sys.exit(main())
