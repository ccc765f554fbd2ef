"""Exporting the journal to CSV, from code and from the command line, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from console.services.events import EventFilter, Journal, Level, Retention, export_csv, main, safe_cell

from .fakes import make_event

START = datetime(2024, 5, 1, 0, 0, 0)


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture
def basedir(tmp_path: Path) -> Path:
    base = tmp_path / "console"
    with Journal(base / "data", retention=Retention(days=None)) as jr:
        jr.add([make_event(i, step=60) for i in range(120)])  # two hours, one event a minute
        jr.add([make_event(500, time=START + timedelta(minutes=30, seconds=1), person="=HYPERLINK(\"http://x\")",
                           name="+cmd|' /C calc'!A0", area="@SUM(1)", card="-1", pin="Zoë")])
    return base


def test_export_a_time_range(basedir: Path, tmp_path: Path) -> None:
    out = tmp_path / "shift.csv"
    count = export_csv(basedir / "data", START + timedelta(minutes=30), START + timedelta(minutes=40), out)
    rows = read(out)
    assert count == len(rows) == 11
    assert rows[0]["time"] == "2024-05-01 00:30:00"
    assert rows[-1]["time"] == "2024-05-01 00:39:00"
    assert [r["time"] for r in rows] == sorted(r["time"] for r in rows)
    assert set(rows[0]) >= {"severity", "source", "event", "person", "door/point", "device", "area"}


def test_cells_that_a_spreadsheet_would_run_are_neutralised(basedir: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.csv"
    export_csv(basedir / "data", None, None, out, EventFilter(text="zoë"))
    (row,) = read(out)
    assert row["person"] == "'=HYPERLINK(\"http://x\")"
    assert row["event"] == "'+cmd|' /C calc'!A0"
    assert row["area"] == "'@SUM(1)"
    assert row["card"] == "'-1"
    assert row["pin"] == "Zoë"
    assert safe_cell("\t=1") == "'\t=1"
    assert safe_cell("a=b") == "a=b"
    assert safe_cell(None) == ""


def test_export_with_a_filter_and_an_open_journal(basedir: Path, tmp_path: Path) -> None:
    out = tmp_path / "alarms.csv"
    with Journal(basedir / "data", retention=Retention(days=None)) as jr:
        count = export_csv(jr, None, None, out, EventFilter(levels=frozenset({Level.ALARM})))
        assert not jr.closed
    assert count == 7
    assert {r["severity"] for r in read(out)} == {"alarm"}


def test_the_command_line(basedir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cli.csv"
    status = main(["--basedir", str(basedir), "--since", "2024-05-01 01:00", "--until", "2024-05-01T01:30:00",
                   "--csv", str(out), "--level", "normal"])
    assert status == 0
    rows = read(out)
    assert len(rows) == 27
    assert all(r["severity"] == "normal" for r in rows)
    assert "exported 27 events" in capsys.readouterr().err
    assert main(["--data-dir", str(basedir / "data"), "--csv", "-", "--source", "gate"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].lstrip("\ufeff").startswith("time,severity")
    assert len(printed) == 1 + 30


def test_the_command_line_says_what_is_wrong(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--basedir", str(tmp_path / "none"), "--csv", str(tmp_path / "o.csv")]) == 1
    assert "no event journal" in capsys.readouterr().err
    assert not (tmp_path / "o.csv").exists()
    with pytest.raises(SystemExit) as info:
        main(["--basedir", str(tmp_path), "--since", "last tuesday", "--csv", "x.csv"])
    assert info.value.code == 2
    assert "not a date and time" in capsys.readouterr().err
    assert main(["--basedir", str(tmp_path), "--since", "2024-05-02", "--until", "2024-05-01", "--csv", "x"]) == 2


def test_the_module_runs_without_a_window(basedir: Path, tmp_path: Path) -> None:
    out = tmp_path / "m.csv"
    done = subprocess.run(
        [sys.executable, "-m", "console.services.events", "--basedir", str(basedir), "--csv", str(out)],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert len(read(out)) == 121
    assert "PySide6" not in done.stderr


def test_each_profile_has_its_journal_and_the_command_says_which_it_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from console.services.events.journal import PROFILE_META
    from console.services.paths import Paths

    paths = Paths.under(tmp_path / "console")
    for profile, count in (("Head office", 3), ("Warehouse", 5)):
        with Journal(paths.profile_dir(profile), retention=Retention(days=None)) as jr:
            jr.set_meta({PROFILE_META: profile})
            jr.add([make_event(i, step=60) for i in range(count)])
    base = ["--basedir", str(tmp_path / "console")]
    out = tmp_path / "wh.csv"
    assert main([*base, "--profile", "Warehouse", "--csv", str(out)]) == 0
    assert len(read(out)) == 5
    assert "the event journal of profile 'Warehouse'" in capsys.readouterr().err
    # two journals and no --profile: the command names the choices instead of guessing
    assert main([*base, "--csv", str(tmp_path / "which.csv")]) == 1
    said = capsys.readouterr().err
    assert "--profile" in said
    assert "'Head office'" in said
    assert "'Warehouse'" in said
    assert main([*base, "--profile", "Nowhere", "--csv", str(tmp_path / "x.csv")]) == 1
    assert "no event journal for profile 'Nowhere'" in capsys.readouterr().err


def test_bounds_in_words_and_with_a_time_zone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`--since today` right after a shift; a bound with a time zone beside one without is no traceback."""
    from console.services.paths import Paths

    base = tmp_path / "console"
    now = datetime.now().replace(microsecond=0)
    with Journal(Paths.under(base).profile_dir("Demo (simulator)"), retention=Retention(days=None)) as jr:
        jr.add([make_event(1, time=now - timedelta(minutes=5)), make_event(2, time=now - timedelta(days=3))])
    out = tmp_path / "today.csv"
    assert main(["--basedir", str(base), "--since", "today", "--csv", str(out)]) == 0
    assert len(read(out)) == 1
    zoned = (now - timedelta(hours=1)).astimezone().isoformat()
    assert main(["--basedir", str(base), "--since", zoned, "--until", "now", "--csv", str(out)]) == 0
    assert len(read(out)) == 1
    capsys.readouterr()
