"""How long the alarm sound stays muted: for a while, until the end of the shift, or until a set time.

Never silently into the next start: a mute always has an end (:class:`Mute`), and what is kept in the settings
is that end (``AlarmsOptions.muted_until``), so a console started again after it is not muted. A mute kept
without an end (written by versions before this one: ``muted = true``) is not carried over.

Shift boundaries come from the settings (``[panels.shift] ends = ["07:00", "19:00"]``); the end of the shift is
the next boundary after now.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

__all__ = ["DEFAULT_SHIFT_ENDS", "Mute", "parse_clock", "restored", "shift_end", "shift_start", "until_clock"]

DEFAULT_SHIFT_ENDS: tuple[str, ...] = ("07:00", "19:00")
LONGEST = timedelta(hours=24)  # no mute lasts longer than a day, whatever was typed


def parse_clock(text: str) -> time | None:
    """``"07:00"``, ``"7:00"``, ``"19:30"`` -> a time; None when it is not one."""
    text = text.strip()
    hours, sep, minutes = text.partition(":")
    if not sep or not hours.isdigit() or not minutes.isdigit() or len(minutes) != 2 or len(hours) > 2:
        return None
    h, m = int(hours), int(minutes)
    if not (0 <= h <= 23 and 0 <= m <= 59):
        return None
    return time(h, m)


def _boundaries(ends: Iterable[str]) -> list[time]:
    parsed = sorted({t for t in (parse_clock(e) for e in ends) if t is not None})
    if not parsed:
        parsed = [t for t in (parse_clock(e) for e in DEFAULT_SHIFT_ENDS) if t is not None]
    return parsed


def _candidates(now: datetime, boundaries: Sequence[time]) -> list[datetime]:
    days = (now.date() - timedelta(days=1), now.date(), now.date() + timedelta(days=1))
    return sorted(datetime.combine(day, b, tzinfo=now.tzinfo) for day in days for b in boundaries)


def shift_end(now: datetime, ends: Iterable[str] = DEFAULT_SHIFT_ENDS) -> datetime:
    """The next shift boundary strictly after ``now`` (same time zone as ``now``)."""
    return next(c for c in _candidates(now, _boundaries(ends)) if c > now)


def shift_start(now: datetime, ends: Iterable[str] = DEFAULT_SHIFT_ENDS) -> datetime:
    """The last shift boundary at or before ``now``: when the current shift began."""
    return [c for c in _candidates(now, _boundaries(ends)) if c <= now][-1]


def until_clock(now: datetime, text: str) -> datetime | None:
    """The next time the clock shows ``text`` ("06:30") after ``now``; None when the text is not a time."""
    when = parse_clock(text)
    if when is None:
        return None
    moment = datetime.combine(now.date(), when, tzinfo=now.tzinfo)
    return moment if moment > now else moment + timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Mute:
    """The sound muted until ``until`` (aware or naive like the clock that made it); ``why`` in words."""

    until: datetime
    why: str = ""

    @classmethod
    def for_(cls, now: datetime, minutes: float) -> Mute:
        span = min(timedelta(minutes=max(1.0, minutes)), LONGEST)
        return cls(now + span, f"for {_span_words(span)}")

    @classmethod
    def end_of_shift(cls, now: datetime, ends: Iterable[str] = DEFAULT_SHIFT_ENDS) -> Mute:
        return cls(shift_end(now, ends), "until the end of the shift")

    @classmethod
    def until_time(cls, now: datetime, text: str) -> Mute | None:
        moment = until_clock(now, text)
        return None if moment is None else cls(moment, f"until {moment:%H:%M}")

    def active(self, now: datetime) -> bool:
        return now < self.until

    def words(self, now: datetime) -> str:
        """``"Sound muted until 19:00"`` (with the day when it is not today)."""
        day = "" if self.until.date() == now.date() else f"{self.until:%a} "
        return f"Sound muted until {day}{self.until:%H:%M}"

    def to_text(self) -> str:
        return self.until.isoformat(timespec="seconds")


def restored(text: str, now: datetime) -> Mute | None:
    """The mute kept in the settings, if it has not ended by ``now`` (and ends within a day); else None."""
    try:
        until = datetime.fromisoformat(text.strip()) if text.strip() else None
    except ValueError:
        return None
    if until is None:
        return None
    if until.tzinfo is None and now.tzinfo is not None:
        until = until.replace(tzinfo=now.tzinfo)
    elif until.tzinfo is not None and now.tzinfo is None:
        until = until.astimezone().replace(tzinfo=None)  # the desk's local time, like a naive clock
    if not (now < until <= now + LONGEST):
        return None
    return Mute(until, f"until {until:%H:%M}")


def _span_words(span: timedelta) -> str:
    minutes = round(span.total_seconds() / 60)
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{minutes} min"
