"""Every file the console's services write is owner-only (0600, folders 0700), whatever the umask: the event
journal and the audit log (with their SQLite -wal and -shm files) hold PINs and card numbers; settings, drafts,
the outbox, floor plans and logs are private too. The CSV exports are 0600 as well (the PDFs Qt writes where
the operator chooses follow the umask)."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from logging.handlers import RotatingFileHandler
from pathlib import Path

import pytest

from console.services.audit import AuditLog
from console.services.events import Journal, export_csv
from console.services.floorplans import FloorPlans
from console.services.logs import setup_logging, shutdown_logging
from console.services.paths import Paths
from console.services.settings import Settings
from console.services.visitors import DraftStore, ExpectedVisits, OnSiteList, Outbox, VisitForm
from console.services.visitors.export import write_evacuation_csv
from console.services.visitors.store import new_id, profile_dir

from .events.fakes import make_event

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


@pytest.fixture
def wide_umask() -> Iterator[None]:
    """The common default umask (files 0644): a writer that relies on it leaks its file to every user."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def readable_by_others(base: Path) -> list[str]:
    """Files and folders under ``base`` that anyone but the owner may read, write or enter."""
    return sorted(
        f"{path.relative_to(base)} {stat.filemode(path.stat().st_mode)}"
        for path in base.rglob("*")
        if path.stat().st_mode & 0o077
    )


def test_every_file_the_services_write_is_owner_only(tmp_path: Path, wide_umask: None) -> None:
    paths = Paths.under(tmp_path / "base").ensure()
    form = VisitForm(visitor_name="Li Wei", cert_type="3", cert_num="E1234567", host_pin="1", reason="Meeting",
                     start="2024-05-06 10:00:00", end="2024-05-06 18:00:00")
    source = tmp_path / "plan.png"
    source.write_bytes(PNG)
    log_path = setup_logging(paths.log_dir, stderr=False)
    try:
        settings = Settings(paths.settings_file)
        settings.theme = "light"
        settings.save()
        audit = AuditLog.in_dir(paths.data_dir, operator="anna")
        with Journal(paths.data_dir) as journal:
            journal.add([make_event(i) for i in range(20)])
            audit.record("door.open", "Lobby", {"seconds": 5}, "ok")
            here = profile_dir(paths.data_dir / "visitors", "HQ")
            DraftStore(paths.data_dir / "visitors" / "drafts").save(new_id(), form)
            Outbox(here / "outbox.json").add(operator="anna", form=form, body={}, state="pending", error="")
            ExpectedVisits(here / "expected.json").add(form, booked_by="anna")
            onsite = OnSiteList(here / "onsite.json")
            onsite.add(form, operator="anna")
            FloorPlans(paths.data_dir, "HQ").add("Ground floor", source)
            export_csv(journal, None, None, paths.cache_dir / "events.csv")
            write_evacuation_csv(onsite.present(), paths.cache_dir / "evacuation.csv")
            logging.getLogger("console.test").warning("a line for the log file")
            # while the databases are open their -wal and -shm files exist: they must be private too
            assert (paths.data_dir / "events.sqlite3-wal").exists()
            assert (paths.data_dir / "audit.sqlite3-wal").exists()
            assert readable_by_others(paths.config_dir.parent) == []
        audit.close()
    finally:
        shutdown_logging()
    assert log_path is not None
    assert log_path.stat().st_size > 0
    assert readable_by_others(paths.config_dir.parent) == []


def test_a_log_file_started_by_a_rollover_is_owner_only(tmp_path: Path, wide_umask: None) -> None:
    path = setup_logging(tmp_path / "logs", stderr=False)
    try:
        handler = next(h for h in logging.getLogger().handlers if isinstance(h, RotatingFileHandler))
        logging.getLogger("console.test").warning("before")
        handler.doRollover()
        logging.getLogger("console.test").warning("after")
    finally:
        shutdown_logging()
    assert path is not None
    assert {p.name for p in path.parent.iterdir()} == {path.name, path.name + ".1"}
    assert readable_by_others(tmp_path) == []


def test_files_an_older_version_left_readable_are_made_private(tmp_path: Path, wide_umask: None) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    for name in ("events.sqlite3", "audit.sqlite3", "audit.sqlite3-shm"):
        (data / name).touch(mode=0o644)
    Journal(data).close()
    AuditLog.in_dir(data).close()
    assert readable_by_others(tmp_path) == []
