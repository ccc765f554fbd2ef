"""Crash reports: written masked to the data directory, offered once, saved where the operator chooses."""

from __future__ import annotations

import sys
from pathlib import Path

import console
from console.services import crash
from console.services.logs import forget_secret, register_secret


def _exc_info(message: str) -> tuple[type[BaseException], BaseException, object]:
    try:
        raise ValueError(message)
    except ValueError:
        kind, value, tb = sys.exc_info()
        assert kind is not None
        assert value is not None
        return kind, value, tb


def test_a_report_holds_traceback_versions_and_log_tail_with_the_token_masked(tmp_path: Path) -> None:
    token = "crash-token-5e1f0a9c77"
    register_secret(token)
    try:
        log = tmp_path / "console.log"
        log.write_text("".join(f"line {i} token={token}\n" for i in range(200)), encoding="utf-8")
        path = crash.write_report(tmp_path / "data", _exc_info(f"bad {token}"),  # type: ignore[arg-type]
                                  versions={"qt": "6.x"}, log_file=log)
    finally:
        forget_secret(token)
    text = path.read_text(encoding="utf-8")
    assert path.parent == tmp_path / "data" / crash.CRASH_DIR
    assert (path.stat().st_mode & 0o777) == 0o600
    assert "ValueError: bad ***" in text
    assert "Traceback (most recent call last)" in text
    assert f"console: {console.__version__}" in text
    assert "qt: 6.x" in text
    assert "line 199 token=***" in text
    assert "line 100 " not in text  # only the last lines
    assert token not in text


def test_pending_reports_are_offered_once_and_can_be_saved(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert crash.pending(data) == []
    first = crash.write_report(data, _exc_info("one"))  # type: ignore[arg-type]
    assert crash.pending(data) == [first]
    offered = crash.mark_offered(first)
    assert crash.pending(data) == []
    assert offered.is_file()
    saved = crash.save_copy(offered, tmp_path / "for-support.txt")
    assert "ValueError: one" in saved.read_text(encoding="utf-8")


def test_a_crash_loop_keeps_at_most_max_reports(tmp_path: Path) -> None:
    data = tmp_path / "data"
    for i in range(crash.MAX_REPORTS + 5):
        crash.write_report(data, _exc_info(str(i)))  # type: ignore[arg-type]
    assert len(list((data / crash.CRASH_DIR).glob("crash-*.txt"))) == crash.MAX_REPORTS
