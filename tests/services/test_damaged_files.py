"""Damaged and unwritable files (issue 14): a damaged event journal, settings file or visitor outbox is renamed
with the time and a fresh one started, said with the file's path; ``export-events`` on a damaged journal says so
without a traceback; a full or read-only data folder is named in the failing write's message."""

from __future__ import annotations

import errno
import os
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from console.api import Client, RetryPolicy
from console.services import files
from console.services.audit import AuditError, AuditLog
from console.services.events import export
from console.services.events.journal import JOURNAL_FILE, Journal, JournalError
from console.services.events.model import Event, Level, Source
from console.services.files import FolderNotWritable, check_writable, set_aside, storage_problem
from console.services.outcome import Outcome
from console.services.paths import Paths
from console.services.session import Profile, Session
from console.services.session_services import SessionServices
from console.services.settings import Settings
from console.services.visitors.store import profile_dir
from console.sim import Simulator
from tests.helpers import until
from tests.services.visitors.test_desk import visit
from tests.sim.helpers import TOKEN, make_sim

PROFILE = "Head office"


@pytest.fixture(autouse=True)
def _no_storage_trouble_left() -> None:
    files.clear_storage_trouble()


@pytest.fixture
async def served() -> AsyncIterator[tuple[Simulator, str]]:
    sim = make_sim(event_rate=0.0)
    async with sim.serve() as base_url:
        yield sim, base_url


def _services(base_url: str, base: Path) -> SessionServices:
    paths = Paths.under(base).ensure()
    client = Client(base_url, TOKEN, retry=RetryPolicy(attempts=1))
    session = Session(Profile(PROFILE, base_url, poll_interval=0.2), client, "ann", paths)
    return SessionServices.build(session, Settings(paths.settings_file))


def _journal_with_events(folder: Path, count: int = 2000) -> Path:
    with Journal(folder) as journal:
        journal.add(_event(i) for i in range(count))
        return journal.path


def _event(i: int) -> Event:
    from datetime import datetime, timedelta

    return Event(key=f"k{i}", time=datetime.now().replace(microsecond=0) - timedelta(seconds=i),
                 source=Source.ACCESS, level=Level.NORMAL, name="Normal verify open", point=f"Door {i % 7}")


def _damage(path: Path, how: str) -> bytes:
    data = path.read_bytes()
    if how == "header":
        data = b"x" * 100 + data[100:]
    elif how == "truncated":
        data = data[: len(data) // 3]
    else:  # pages in the middle overwritten: SQLite opens it and fails on the first read that meets them
        data = data[:8192] + os.urandom(65536) + data[8192 + 65536:]
    path.write_bytes(data)
    return data


# -- the shared helper ------------------------------------------------------------------------------


def test_set_aside_renames_with_the_time_keeps_side_files_and_never_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "events.sqlite3"
    for round_ in range(3):
        path.write_bytes(b"damaged %d" % round_)
        path.with_name(path.name + "-wal").write_bytes(b"wal %d" % round_)
        record = set_aside(path, "not a database", what="event journal", sqlite=True)
        assert not path.exists()
        assert record.aside.name.startswith("events.sqlite3.damaged-2")
        assert record.aside.read_bytes() == b"damaged %d" % round_
        assert record.aside.with_name(record.aside.name + "-wal").read_bytes() == b"wal %d" % round_
        assert str(path) in record.text
        assert record.aside.name in record.text
    assert len(list(tmp_path.glob("events.sqlite3.damaged-*[0-9]"))) == 3  # three kept, none overwritten


# -- the event journal ------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["header", "truncated", "middle"])
def test_a_damaged_journal_is_set_aside_and_a_fresh_one_started(tmp_path: Path, how: str) -> None:
    path = _journal_with_events(tmp_path)
    damaged = _damage(path, how)
    with pytest.raises((JournalError, sqlite3.DatabaseError)):
        Journal(tmp_path)  # as every start did before: events and alarms off
    journal = Journal.open_repairing(tmp_path)
    try:
        assert journal.set_aside is not None
        assert journal.set_aside.aside.read_bytes() == damaged  # kept, byte for byte
        assert journal.set_aside.aside.name.startswith(f"{JOURNAL_FILE}.damaged-")
        assert str(path) in journal.set_aside.text
        assert journal.add([_event(1)])  # the fresh journal works
        assert journal.count() == 1
    finally:
        journal.close()


async def test_a_damaged_journal_no_longer_turns_events_and_alarms_off(
        served: tuple[Simulator, str], tmp_path: Path) -> None:
    _, base_url = served
    folder = Paths.under(tmp_path).profile_dir(PROFILE)
    _damage(_journal_with_events(folder, 50), "header")
    outbox = profile_dir(Paths.under(tmp_path).data_dir / "visitors", PROFILE) / "outbox.json"
    outbox.parent.mkdir(parents=True)
    outbox.write_bytes(b'[{"id": "1", "state": "pend')  # cut off mid-write by an older version
    services = _services(base_url, tmp_path)
    try:
        assert services.problems == {}
        assert services.events is not None  # events and alarms run
        said = [record.text for record in services.set_aside]
        assert len(said) == 2
        assert any(str(folder / JOURNAL_FILE) in text for text in said)
        assert any(str(outbox) in text and "visitor outbox" in text for text in said)
        assert list(outbox.parent.glob("outbox.json.damaged-*"))
        await services.start_doors()
        await services.start_rest()
        await until(lambda: services.events is not None and services.events.stream.poller.running)
    finally:
        await services.stop()


def test_export_events_on_a_damaged_journal_says_so_without_a_traceback(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for how in ("header", "middle"):
        folder = tmp_path / how / "data" / "profiles" / "hq"
        path = _journal_with_events(folder, 3000)
        _damage(path, how)
        code = export.main(["--basedir", str(tmp_path / how), "--csv", str(tmp_path / f"{how}.csv")])
        err = capsys.readouterr().err
        assert code == 1
        assert "Traceback" not in err
        assert f"the event journal {path} cannot be read" in err
        assert "damaged" in err
        assert not (tmp_path / f"{how}.csv").exists()  # nothing half-written
        assert path.exists()  # export-events reads; it never renames the operator's file


# -- settings and outbox ----------------------------------------------------------------------------


def test_a_damaged_settings_file_is_renamed_with_the_time_and_said_with_its_path(tmp_path: Path) -> None:
    path = tmp_path / "settings.toml"
    path.write_bytes(b'theme = "light"\n[[profiles]\nname = ')
    settings = Settings.load(path)
    assert settings.theme == "dark"
    assert settings.set_aside is not None
    assert settings.set_aside.aside.name.startswith("settings.toml.damaged-")
    assert settings.set_aside.aside.read_bytes().startswith(b'theme = "light"')
    assert f"The settings file {path} was damaged" in settings.set_aside.text
    assert Settings.load(path).set_aside is None  # once: the next start finds no file, no damage


# -- full or read-only data folder ------------------------------------------------------------------


def test_storage_words_name_the_folder(tmp_path: Path) -> None:
    assert storage_problem(OSError(errno.ENOSPC, "No space left"), tmp_path) == f"the data folder {tmp_path} is full"
    assert storage_problem(OSError(errno.EROFS, "Read-only"), tmp_path) == f"the data folder {tmp_path} is read-only"
    assert "not writable" in (storage_problem(PermissionError(errno.EACCES, "denied"), tmp_path) or "")
    assert storage_problem(OSError(errno.ECONNRESET, "reset"), tmp_path) is None


def test_a_data_folder_under_a_regular_file_is_one_clear_message(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x")
    with pytest.raises(FolderNotWritable) as caught:
        check_writable(tmp_path / "afile" / "data")
    assert str(caught.value) == (f"the data folder {tmp_path / 'afile' / 'data'} cannot be made: something that "
                                 "is not a folder is in the way")


def test_a_read_only_data_folder_is_named_at_the_write_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(folder: Path, sync: bool = True) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(files, "_write_probe", refuse)  # as root, chmod would not stop the write
    with pytest.raises(FolderNotWritable, match=f"^the data folder {tmp_path} is read-only$"):
        check_writable(tmp_path)


def test_a_full_or_read_only_journal_write_names_the_data_folder(tmp_path: Path) -> None:
    journal = Journal(tmp_path)
    try:
        conn = journal._conn()  # this thread's connection: the one the writes below use
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages + 2}")  # SQLite's own "database or disk is full"
        with pytest.raises(JournalError) as full:
            journal.add(_event(i) for i in range(500))
        assert str(full.value) == f"the event journal {journal.path} could not be written: the data folder " \
                                  f"{tmp_path} is full"
        assert files.storage_trouble() == f"the data folder {tmp_path} is full"  # the status bar's mark
        conn.execute("PRAGMA max_page_count = 1000000")
        conn.execute("PRAGMA query_only = 1")  # as a read-only file system answers a write
        with pytest.raises(JournalError, match=f"the data folder {tmp_path} is read-only$"):
            journal.add([_event(1)])
        conn.execute("PRAGMA query_only = 0")
        assert journal.add([_event(1)])  # and it goes on once there is room again
    finally:
        journal.close()


def test_an_audit_write_that_fails_names_the_data_folder_and_stays_marked_until_one_succeeds(tmp_path: Path) -> None:
    audit = AuditLog.in_dir(tmp_path)
    seen: list[str | None] = []
    audit.trouble_changed.connect(seen.append)
    try:
        assert not seen
        assert audit._db is not None
        audit._db.execute("PRAGMA query_only = 1")
        with pytest.raises(AuditError, match=f"the data folder {tmp_path} is read-only"):
            audit.begin("door.open", "door 1", {})
        assert f"the data folder {tmp_path} is read-only" in (audit.trouble or "")
        audit._db.execute("PRAGMA query_only = 0")
        audit.record("door.open", "door 1", {}, "ok")
        assert audit.trouble is None
        assert len(seen) == 2
        assert seen[-1] is None
    finally:
        audit.close()


async def test_a_registration_that_cannot_be_kept_says_the_folder_is_full(
        served: tuple[Simulator, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sim, base_url = served
    services = _services(base_url, tmp_path)
    desk = services.visitors
    assert desk is not None

    def full(path: Path, data: bytes, mode: int = 0o600) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    try:
        sim.set_faults(down_seconds=600)  # the server is away: the registration would be kept in the outbox
        monkeypatch.setattr("console.services.json_store.atomic_write", full)  # every store writes through it
        result = await desk.register(visit(sim))
        assert result.kind is Outcome.NOT_SENT
        assert f"the data folder {desk.outbox.path.parent} is full" in result.message
        assert "could not be kept" in result.message
        rows = services.audit.rows()
        assert rows[-1].action == "visitor.register"
        assert "not kept in the outbox" in rows[-1].result
    finally:
        sim.set_faults(reset=True)
        await services.stop()
