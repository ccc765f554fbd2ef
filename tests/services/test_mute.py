"""The alarm sound mute always ends: after a while, at the end of the shift, or at a set time; never carried
silently into the next start."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from console.services.mute import Mute, parse_clock, restored, shift_end, shift_start, until_clock

TZ = timezone(timedelta(hours=2))


def at(hour: int, minute: int = 0, day: int = 2) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=TZ)


def test_the_end_of_the_shift_is_the_next_boundary_of_the_settings() -> None:
    assert shift_end(at(3, 10)) == at(7)
    assert shift_end(at(7, 0)) == at(19)  # at the boundary itself the next shift has begun
    assert shift_end(at(22, 30)) == at(7, day=3)  # the night shift ends tomorrow morning
    assert shift_start(at(22, 30)) == at(19)
    assert shift_start(at(3, 10)) == at(19, day=1)
    assert shift_end(at(13), ["06:00", "14:00", "22:00"]) == at(14)
    assert shift_end(at(13), ["not a time", ""]) == at(19)  # a damaged setting falls back to 07:00 / 19:00


def test_a_typed_time_is_the_next_time_the_clock_shows_it() -> None:
    assert parse_clock("7:05") is not None
    assert parse_clock("25:00") is None
    assert parse_clock("07.00") is None
    assert until_clock(at(22), "06:30") == at(6, 30, day=3)
    assert until_clock(at(5), "06:30") == at(6, 30)
    assert Mute.until_time(at(5), "nope") is None


def test_a_mute_says_until_when_and_ends_by_itself() -> None:
    now = at(18, 50)
    mute = Mute.for_(now, 15)
    assert mute.words(now) == "Sound muted until 19:05"
    assert mute.active(now + timedelta(minutes=14))
    assert not mute.active(now + timedelta(minutes=15))
    night = Mute.end_of_shift(at(22))
    assert night.words(at(22)) == "Sound muted until Thu 07:00"
    assert Mute.for_(now, 10_000).until == now + timedelta(hours=24)  # never longer than a day


def test_a_restart_keeps_a_mute_only_until_its_end_and_never_one_without_an_end() -> None:
    now = at(18, 50)
    kept = Mute.end_of_shift(now).to_text()
    assert restored(kept, at(18, 55)) is not None  # restarted during the mute: still muted until 19:00
    assert restored(kept, at(19, 0)) is None  # the next shift starts with the sound on
    assert restored(kept, at(6, 0, day=3)) is None
    assert restored("", now) is None  # "muted = true" from older versions: no end, not carried over
    assert restored("garbage", now) is None
    assert restored((now + timedelta(days=3)).isoformat(), now) is None  # a far end is not believed
    naive = restored((now + timedelta(minutes=5)).replace(tzinfo=None).isoformat(), now)
    assert naive is not None
