from __future__ import annotations

import sqlite3

import pytest

from console.services.audit import AUDIT_FILE, AuditError, AuditLog


def test_rows_come_back_in_order_with_who_where_what_and_result(tmp_path) -> None:
    log = AuditLog(tmp_path / AUDIT_FILE)
    log.record(operator="ann", profile="HQ", action="door.open", target="door 'Lobby' (d1)",
               params={"doorId": "d1", "interval": 5}, result="ok")
    log.record("alarm.acknowledge", "event 42", {"note": "checked", "operator": "bob"}, "ok")  # the alarm queue's style
    rows = log.rows()
    assert [(r.seq, r.operator, r.profile, r.action, r.target, r.result) for r in rows] == [
        (1, "ann", "HQ", "door.open", "door 'Lobby' (d1)", "ok"),
        (2, "bob", "", "alarm.acknowledge", "event 42", "ok"),
    ]
    assert rows[0].params == {"doorId": "d1", "interval": 5}
    assert rows[0].at.tzinfo is not None
    assert rows[0].at <= rows[1].at
    assert log.rows(limit=1)[0].seq == 2
    assert [r.seq for r in log.rows(action="door.open")] == [1]
    log.close()


def test_rows_survive_a_restart_and_cannot_be_changed_or_deleted(tmp_path) -> None:
    path = tmp_path / "data" / AUDIT_FILE
    first = AuditLog(path, operator="night shift", profile="HQ")
    first.record("door.close", "door 'Gate 2' (d2)", {"doorId": "d2"}, "failed: device offline (code -103)")
    first.close()
    again = AuditLog(path)
    (row,) = again.rows()
    assert (row.operator, row.profile, row.result) == ("night shift", "HQ", "failed: device offline (code -103)")
    raw = sqlite3.connect(path)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        raw.execute("UPDATE audit SET result = 'ok'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        raw.execute("DELETE FROM audit")
    raw.close()
    assert again.rows()[0].result == "failed: device offline (code -103)"
    again.close()


def test_untrusted_text_is_kept_on_one_line_and_cut(tmp_path) -> None:
    log = AuditLog(tmp_path / AUDIT_FILE)
    row = log.record("door.open", "door\nnext line\x1b[31m", {"name": "<b>x</b>"}, "failed: " + "x" * 10_000)
    assert "\n" not in row.target
    assert "\x1b" not in row.target
    assert len(row.result) <= 2000
    assert log.rows()[0].params == {"name": "<b>x</b>"}
    log.close()


def test_a_closed_log_refuses_to_record(tmp_path) -> None:
    log = AuditLog(tmp_path / AUDIT_FILE)
    log.close()
    log.close()  # twice is fine
    with pytest.raises(AuditError):
        log.record("door.open", "d", {}, "ok")
