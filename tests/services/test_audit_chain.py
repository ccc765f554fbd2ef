"""The audit log is tamper-evident: rows are hash-chained, checked at start and by ``verify-audit``; a damaged,
missing or replaced file is reported, never silently started afresh (issue 14)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from console.services.audit import AUDIT_FILE, AuditLog, verify_file
from console.services.paths import Paths

LEGACY_SCHEMA = """
CREATE TABLE audit (seq INTEGER PRIMARY KEY AUTOINCREMENT, at_utc TEXT NOT NULL, at_local TEXT NOT NULL,
    operator TEXT NOT NULL, profile TEXT NOT NULL, action TEXT NOT NULL, target TEXT NOT NULL, params TEXT NOT NULL,
    result TEXT NOT NULL);
"""


def filled(path: Path, n: int = 5) -> AuditLog:
    audit = AuditLog(path, operator="ann", profile="HQ")
    for i in range(n):
        audit.record("door.open", f"door {i}", {"doorId": str(i)}, "ok")
    return audit


def tamper(path: Path, sql: str) -> None:
    """What someone with the file and sqlite3 could do: drop the guard triggers, then change rows."""
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("DROP TRIGGER audit_no_update")
    raw.execute("DROP TRIGGER audit_no_delete")
    raw.execute(sql)
    raw.close()


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, "-m", "console", "verify-audit", *args], capture_output=True, text=True,
                          timeout=60, env=env, check=False)


def test_an_intact_chain_verifies_and_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / AUDIT_FILE
    filled(path).close()
    again = AuditLog(path)
    assert again.problem is None
    report = again.verify()
    assert (report.ok, report.rows, report.legacy) == (True, 5, 0)
    again.record("door.close", "door 1", {}, "ok")
    assert again.verify().ok
    again.close()
    assert verify_file(path).text == "OK: 6 rows, the chain is intact"


def test_a_changed_row_breaks_the_chain_there_and_is_reported_at_start(tmp_path: Path) -> None:
    path = tmp_path / AUDIT_FILE
    filled(path).close()
    tamper(path, "UPDATE audit SET result = 'refused: device offline' WHERE seq = 3")
    report = verify_file(path)
    assert (report.ok, report.broken_at) == (False, 3)
    assert "changed" in report.text
    again = AuditLog(path)
    assert again.problem is not None
    assert "row 3" in again.problem
    again.close()


def test_a_removed_row_in_the_middle_or_at_the_end_is_found(tmp_path: Path) -> None:
    middle = tmp_path / "a" / AUDIT_FILE
    filled(middle).close()
    tamper(middle, "DELETE FROM audit WHERE seq = 2")
    assert verify_file(middle).broken_at == 3
    end = tmp_path / "b" / AUDIT_FILE
    filled(end).close()
    tamper(end, "DELETE FROM audit WHERE seq = 5")
    report = verify_file(end)
    assert not report.ok
    assert "head file names row 5" in report.reason


def test_a_missing_audit_file_is_reported_and_the_new_chain_says_so(tmp_path: Path) -> None:
    path = tmp_path / AUDIT_FILE
    filled(path).close()
    for side in ("", "-wal", "-shm"):
        Path(f"{path}{side}").unlink(missing_ok=True)
    assert not verify_file(path).ok  # the head file outlived it
    again = AuditLog(path)
    assert again.problem is not None
    assert "missing" in again.problem
    assert "row 5" in again.problem
    (first,) = again.rows()
    assert (first.action, first.params["previous_head"]) == ("audit.restarted", 5)
    again.close()


def test_an_emptied_audit_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / AUDIT_FILE
    filled(path).close()
    for side in ("-wal", "-shm"):
        Path(f"{path}{side}").unlink(missing_ok=True)
    path.write_bytes(b"")  # recreated empty
    again = AuditLog(path)
    assert again.problem is not None
    again.close()


def test_a_damaged_audit_file_is_kept_aside_and_reported_as_a_broken_chain(tmp_path: Path) -> None:
    path = tmp_path / AUDIT_FILE
    filled(path).close()
    for side in ("-wal", "-shm"):
        Path(f"{path}{side}").unlink(missing_ok=True)
    path.write_bytes(b"this is not a database" * 100)
    again = AuditLog(path)  # no traceback: the console starts
    assert again.problem is not None
    assert "kept aside" in again.problem
    assert "chain is broken" in again.problem
    assert again.kept_aside is not None
    assert again.kept_aside.exists()
    assert again.kept_aside.name.startswith(f"{AUDIT_FILE}.damaged-")
    assert again.kept_aside.read_bytes().startswith(b"this is not a database")
    assert [r.action for r in again.rows()] == ["audit.restarted"]
    assert again.rows()[0].params["kept_aside"] == again.kept_aside.name
    again.close()


def test_rows_of_an_older_version_are_legacy_not_a_failure(tmp_path: Path) -> None:
    path = tmp_path / AUDIT_FILE
    raw = sqlite3.connect(path, isolation_level=None)
    raw.executescript(LEGACY_SCHEMA)
    for i in range(3):
        raw.execute("INSERT INTO audit (at_utc, at_local, operator, profile, action, target, params, result) "
                    "VALUES ('2026-01-01T00:00:00+00:00', '2026-01-01T01:00:00+01:00', 'ann', 'HQ', 'door.open', "
                    f"'door {i}', '{{}}', 'ok')")
    raw.close()
    assert verify_file(path).text.startswith("OK: 3 rows")  # read-only check of an old file
    audit = AuditLog(path)
    assert audit.problem is None
    audit.record("door.close", "door 1", {}, "ok")
    report = audit.verify()
    assert (report.ok, report.rows, report.legacy) == (True, 4, 3)
    assert "legacy, unchained" in report.text
    audit.close()


def test_verify_audit_on_the_command_line_prints_ok_or_where_it_breaks(tmp_path: Path) -> None:
    paths = Paths.under(tmp_path).ensure()
    path = paths.data_dir / AUDIT_FILE
    filled(path).close()
    good = cli("--basedir", str(tmp_path))
    assert (good.returncode, good.stderr) == (0, "")
    assert "OK: 5 rows, the chain is intact" in good.stdout
    tamper(path, "UPDATE audit SET target = 'door 99' WHERE seq = 4")
    bad = cli("--basedir", str(tmp_path))
    assert bad.returncode == 1
    assert "BROKEN at row 4" in bad.stdout
    probe = subprocess.run([sys.executable, "-c", "import sys; from console.__main__ import main; "
                            f"code = main(['verify-audit', '--basedir', {str(tmp_path)!r}]); "
                            "print('qt' if 'PySide6' in sys.modules else 'no qt'); sys.exit(code)"],
                           capture_output=True, text=True, timeout=60, check=False)
    assert probe.stdout.strip().endswith("no qt")
    empty = cli("--basedir", str(tmp_path / "nothing-here"))
    assert empty.returncode == 1
    assert "there is no audit log" in empty.stdout


def test_the_head_file_is_small_and_private(tmp_path: Path) -> None:
    path = tmp_path / AUDIT_FILE
    audit = filled(path, 2)
    head = path.with_name(path.name + ".head")
    assert json.loads(head.read_text())["seq"] == 2
    assert head.stat().st_mode & 0o077 == 0
    audit.close()


def test_a_second_damaged_file_never_overwrites_the_first_one_kept_aside(tmp_path: Path) -> None:
    path = tmp_path / AUDIT_FILE
    kept = []
    for _ in range(2):
        for side in ("-wal", "-shm"):
            Path(f"{path}{side}").unlink(missing_ok=True)
        path.write_bytes(b"garbage" * 100)
        audit = AuditLog(path)
        assert audit.kept_aside is not None
        kept.append(audit.kept_aside)
        audit.close()
    assert kept[0] != kept[1]
    assert all(k.exists() for k in kept)
