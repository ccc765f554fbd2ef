"""The audit log read at the desk: filtered by operator, action, target and time, and saved as CSV."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from console.services.audit import AuditLog
from console.services.audit_query import COLUMNS, AuditFilter, select, write_csv


def _log(tmp_path: Path) -> AuditLog:
    audit = AuditLog.in_dir(tmp_path, profile="HQ")
    audit.record(operator="ann", profile="HQ", action="door.open", target="door 'Lobby' (d1)",
                 params={"seconds": 5}, result="ok")
    audit.record(operator="bob", profile="HQ", action="alarm.acknowledge", target="event 42",
                 params={"note": "=cmd|' /C calc'!A0"}, result="ok")
    audit.record(operator="ann", profile="HQ", action="gate.open", target="gate 'Car park'", params={},
                 result="=HYPERLINK(\"x\")")
    return audit


def test_the_filter_finds_by_operator_action_target_and_time(tmp_path: Path) -> None:
    audit = _log(tmp_path)
    try:
        rows = audit.rows()
        assert [r.action for r in select(rows, AuditFilter(operator="ANN"))] == ["gate.open", "door.open"]
        assert [r.operator for r in select(rows, AuditFilter(action="acknowledge"))] == ["bob"]
        assert [r.action for r in select(rows, AuditFilter(target="lobby"))] == ["door.open"]
        now = datetime.now().astimezone()
        assert select(rows, AuditFilter(since=now + timedelta(minutes=1))) == []
        assert len(select(rows, AuditFilter(since=now - timedelta(minutes=5), until=now + timedelta(minutes=1)))) == 3
        assert len(select(rows, AuditFilter(since=datetime.now() - timedelta(minutes=5)))) == 3  # naive: local
        assert AuditFilter(operator="ann", action="door").words() == "operator 'ann', action 'door'"
        assert AuditFilter().empty
    finally:
        audit.close()


def test_the_csv_has_every_row_and_no_cell_a_spreadsheet_would_run(tmp_path: Path) -> None:
    audit = _log(tmp_path)
    try:
        path = tmp_path / "audit.csv"
        assert write_csv(select(audit.rows(), AuditFilter()), path) == 3
        text = path.read_text(encoding="utf-8-sig")
        lines = text.splitlines()
        assert lines[0] == ",".join(COLUMNS)
        assert len(lines) == 4
        assert "'=HYPERLINK" in text
        assert ",=" not in text  # no cell starts with a formula
    finally:
        audit.close()
