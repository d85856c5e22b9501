"""When a chat's posts may go out: instantly, after its quiet hours, or in its daily digest.

Everything here is pure and takes the moment as an argument, so tests need no clock. Times a
resident chooses are Vietnam time; the outbox keeps UTC.

An outbox row's priority carries the decision: urgent rows go first, ordinary rows at 0, and
a digest's rows below 0 at minus the digest's date (-20240306 for the digest of 6 March
2024). So a digest's rows share one priority the outbox already groups by, and an earlier
digest's rows always go before a later one's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from ..text.dates import VN_TZ

URGENT_PRIORITY = 20  # above broadcasts (10): urgent posts go before every other message
ORDINARY_PRIORITY = 0
DIGEST_HOURS = (6, 7, 8, 12, 17, 20)  # offered in /settings
QUIET_CHOICES = ((21, 6), (22, 6), (22, 7), (23, 6))  # (start hour, end hour) offered


@dataclass(frozen=True, slots=True)
class QuietHours:
    """A daily window, in minutes after midnight Vietnam time, when ordinary posts wait."""

    start: int
    end: int  # the window may cross midnight: 22:00–06:00 is (1320, 360)

    def label(self) -> str:
        """Return the window as "22:00–06:00"."""
        return f"{_clock(self.start)}–{_clock(self.end)}"


@dataclass(frozen=True, slots=True)
class Timing:
    """How a chat wants ordinary posts: instantly or in a digest, and its quiet hours."""

    digest_hour: int | None = None  # None: each post as it comes
    quiet: QuietHours | None = None


@dataclass(frozen=True, slots=True)
class Slot:
    """Where a new outbox row goes: its priority and the moment it may be sent."""

    priority: int
    not_before: datetime


def quiet_end(moment: datetime, quiet: QuietHours) -> datetime | None:
    """Return when the quiet window holding moment ends, or None if moment is not in one."""
    local = moment.astimezone(VN_TZ)
    minute = local.hour * 60 + local.minute
    start, end = quiet.start, quiet.end
    if start == end:
        return None
    if start < end:
        inside, next_day = start <= minute < end, False
    else:
        inside, next_day = minute >= start or minute < end, minute >= start
    if not inside:
        return None
    day = local.date() + timedelta(days=1 if next_day else 0)
    return datetime.combine(day, time(end // 60, end % 60), tzinfo=VN_TZ)


def next_digest(moment: datetime, hour: int) -> datetime:
    """Return the first digest time at ``hour`` (Vietnam time) strictly after moment."""
    local = moment.astimezone(VN_TZ)
    at = datetime.combine(local.date(), time(hour), tzinfo=VN_TZ)
    return at if at > local else at + timedelta(days=1)


def digest_priority(at: datetime) -> int:
    """Return the outbox priority of the digest sent at ``at``: minus its Vietnam date."""
    day = at.astimezone(VN_TZ).date()
    return -(day.year * 10000 + day.month * 100 + day.day)


def is_digest(priority: int) -> bool:
    """Return whether an outbox priority belongs to a digest's rows."""
    return priority < ORDINARY_PRIORITY


def digest_date(priority: int) -> date:
    """Return the date of the digest whose rows carry this priority."""
    number = -priority
    return date(number // 10000, number // 100 % 100, number % 100)


def plan(timing: Timing, now: datetime, *, urgent: bool = False) -> Slot:
    """Return the slot of a post queued now for a chat with this timing."""
    if urgent:
        return Slot(URGENT_PRIORITY, now)
    if timing.digest_hour is not None:
        # The digest hour is the resident's own choice: it wins over their quiet hours.
        at = next_digest(now, timing.digest_hour)
        return Slot(digest_priority(at), at)
    if timing.quiet is not None:
        end = quiet_end(now, timing.quiet)
        if end is not None:
            return Slot(ORDINARY_PRIORITY, end)
    return Slot(ORDINARY_PRIORITY, now)


def _clock(minutes: int) -> str:
    """Return minutes after midnight as "HH:MM"."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
