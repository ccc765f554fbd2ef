"""Settings: a TOML file that survives a restart, shrugs off damage and never holds a token."""

from __future__ import annotations

import stat
import tomllib
from pathlib import Path

import pytest

from console.services.session import Profile
from console.services.settings import Settings


def _path(tmp_path: Path) -> Path:
    return tmp_path / "config" / "settings.toml"


def test_round_trip(tmp_path: Path) -> None:
    settings = Settings.load(_path(tmp_path))
    settings.theme = "light"
    settings.operator = "  Ann Night  "
    settings.door_open_seconds = 12
    settings.upsert_profile(Profile("HQ", "https://hq.example:8098", verify_tls=False, poll_interval=15))
    settings.upsert_profile(Profile("Depot", "http://10.0.0.5:8088", ca_file="/etc/ssl/depot.pem"))
    settings.last_profile = "Depot"
    settings.set_window_state("Z2VvbWV0cnk=", "c3RhdGU=")
    settings.section("doors")["plans"] = ["ground.png"]
    settings.save()

    again = Settings.load(_path(tmp_path))
    assert again.theme == "light"
    assert again.operator == "Ann Night"
    assert again.door_open_seconds == 12
    assert again.last_profile == "Depot"
    assert again.profiles == [
        Profile("HQ", "https://hq.example:8098", verify_tls=False, poll_interval=15.0),
        Profile("Depot", "http://10.0.0.5:8088", ca_file="/etc/ssl/depot.pem"),
    ]
    assert again.window_state() == ("Z2VvbWV0cnk=", "c3RhdGU=")
    assert again.section("doors")["plans"] == ["ground.png"]
    assert stat.S_IMODE(_path(tmp_path).stat().st_mode) == 0o600


def test_defaults_on_first_start(tmp_path: Path) -> None:
    settings = Settings.load(_path(tmp_path))
    assert (settings.theme, settings.operator, settings.last_profile) == ("dark", "", None)
    assert settings.door_open_seconds == 5
    assert settings.profiles == []
    assert settings.window_state() == ("", "")


def test_a_damaged_file_is_set_aside_not_fatal(tmp_path: Path) -> None:
    path = _path(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text('theme = "light"\n[[profiles]\nname = ', encoding="utf-8")
    settings = Settings.load(path)
    assert settings.theme == "dark"
    [kept] = path.parent.glob("settings.toml.damaged-*")  # renamed with the time, reported on screen
    assert kept.read_text(encoding="utf-8").startswith('theme = "light"')
    assert settings.set_aside is not None
    assert str(path) in settings.set_aside.text
    settings.save()
    assert tomllib.loads(path.read_text(encoding="utf-8")) == {}


def test_values_of_the_wrong_type_fall_back_one_by_one(tmp_path: Path) -> None:
    path = _path(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text(
        'theme = "purple"\noperator = 7\ndoor_open_seconds = 900\nlast_profile = "Good"\nwindow = "x"\n'
        '[[profiles]]\nname = "Good"\nurl = "https://good.example"\n'
        '[[profiles]]\nname = "No scheme"\nurl = "good.example"\n'
        '[[profiles]]\nname = "Bad interval"\nurl = "https://x.example"\npoll_interval = "often"\n'
        '[[profiles]]\nname = "Good"\nurl = "https://duplicate.example"\n',
        encoding="utf-8",
    )
    settings = Settings.load(path)
    assert settings.theme == "dark"
    assert settings.operator == ""
    assert settings.door_open_seconds == 5
    assert settings.window_state() == ("", "")
    assert [p.name for p in settings.profiles] == ["Good"]
    assert settings.profile("Good") == Profile("Good", "https://good.example")


def test_a_token_can_never_be_written(tmp_path: Path) -> None:
    settings = Settings.load(_path(tmp_path))
    with pytest.raises(ValueError, match="secret"):
        settings["token"] = "abcd1234"
    settings.section("doors")["nested"] = {"access_token": "abcd1234"}
    with pytest.raises(ValueError, match="secret"):
        settings.save()
    assert not _path(tmp_path).exists() or "abcd1234" not in _path(tmp_path).read_text(encoding="utf-8")


def test_rename_and_remove_profiles(tmp_path: Path) -> None:
    settings = Settings.load(_path(tmp_path))
    settings.upsert_profile(Profile("Old", "https://a.example"))
    settings.upsert_profile(Profile("Other", "https://b.example"))
    settings.last_profile = "Old"
    settings.upsert_profile(Profile("New", "https://a2.example"), old_name="Old")
    assert [p.name for p in settings.profiles] == ["New", "Other"]
    assert settings.last_profile == "New"
    settings.remove_profile("New")
    assert [p.name for p in settings.profiles] == ["Other"]
    assert settings.last_profile is None


def test_door_open_seconds_keeps_the_manuals_range(tmp_path: Path) -> None:
    settings = Settings.load(_path(tmp_path))
    for bad in (0, 255):
        with pytest.raises(ValueError, match="1 to 254"):
            settings.door_open_seconds = bad
    settings.door_open_seconds = 254
    assert settings.door_open_seconds == 254


@pytest.mark.parametrize(
    ("url", "words"),
    [("ftp://x", "https://host"), ("https://", "https://host"), ("https://u:p@x", "credentials"),
     ("https://x/?access_token=1", "query")],
)
def test_profile_refuses_unusable_urls(url: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        Profile("P", url)


def test_profile_refuses_silly_intervals() -> None:
    for interval in (0.0, -1.0, float("nan"), 1e9):
        with pytest.raises(ValueError, match="poll interval"):
            Profile("P", "https://x.example", poll_interval=interval)


def test_an_operators_change_is_written_by_a_worker_the_newest_last(tmp_path: Path, monkeypatch) -> None:
    """A grouping or a filter changed is written from a worker thread (the atomic write's fsync is not the
    window's to wait for); changes made meanwhile land in order, the newest last; a write now (the shutdown's)
    is never overtaken by an older queued one."""
    import threading

    from console.services import settings as module

    path = tmp_path / "settings.toml"
    settings = Settings(path)
    gate = threading.Event()
    threads: list[str] = []
    real_write = module.atomic_write

    def slow_write(target: Path, data: bytes, mode: int = 0o600) -> None:
        threads.append(threading.current_thread().name)
        gate.wait(5)  # the disk is busy: the operator's action has long returned
        real_write(target, data, mode)

    monkeypatch.setattr(module, "atomic_write", slow_write)
    settings.door_open_seconds = 7
    settings.save_soon()
    assert not path.exists()  # returned at once, nothing written yet
    settings.door_open_seconds = 8
    settings.save_soon()
    settings.door_open_seconds = 9
    settings.save_soon()
    gate.set()
    settings.flush()
    assert Settings.load(path).door_open_seconds == 9
    assert set(threads) == {"settings-writer"}
    assert len(threads) <= 2  # the queued 8 was overtaken by 9 before it was written

    gate.clear()
    settings.door_open_seconds = 10
    settings.save_soon()  # queued behind a busy disk...
    settings.door_open_seconds = 11
    writer = threading.Thread(target=settings.save)  # ...then the shutdown's save, now
    writer.start()
    gate.set()
    writer.join(5)
    settings.flush()
    assert Settings.load(path).door_open_seconds == 11


def test_a_write_that_fails_in_the_worker_is_logged_not_raised(tmp_path: Path, caplog) -> None:
    blocked = tmp_path / "file-in-the-way"
    blocked.write_text("not a folder")
    settings = Settings(blocked / "settings.toml")
    settings.door_open_seconds = 7
    settings.save_soon()
    settings.flush()
    assert "settings not saved" in caplog.text


def test_a_writer_that_meets_an_unexpected_error_does_not_stop_later_saves(tmp_path: Path, monkeypatch) -> None:
    import threading

    from console.services import settings as settings_module

    calls: list[int] = []
    real_write = settings_module.atomic_write

    def fails_once(path: Path, data: bytes) -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("a bug in the writer")
        real_write(path, data)

    monkeypatch.setattr(settings_module, "atomic_write", fails_once)
    monkeypatch.setattr(threading, "excepthook", lambda args: None)  # the thread's report, not the test's
    settings = Settings(tmp_path / "settings.toml")
    settings.door_open_seconds = 7
    settings.save_soon()
    settings.flush()
    settings.door_open_seconds = 9
    settings.save_soon()  # a writer again: the operator's later change reaches the disk
    settings.flush()
    assert Settings.load(tmp_path / "settings.toml").door_open_seconds == 9
