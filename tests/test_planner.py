"""Quiet hours and digest times in Vietnam time, decided without a clock."""

from __future__ import annotations

from datetime import UTC, date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from anbien_bot.delivery.schedule import (
    ORDINARY_PRIORITY,
    URGENT_PRIORITY,
    QuietHours,
    Slot,
    Timing,
    digest_date,
    digest_priority,
    is_digest,
    next_digest,
    plan,
    quiet_end,
)
from anbien_bot.text.dates import VN_TZ

NIGHT = QuietHours(22 * 60, 6 * 60)


def vn(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2024, 3, day, hour, minute, tzinfo=VN_TZ)


def test_a_post_at_23_for_a_chat_quiet_22_to_6_waits_until_6_next_morning() -> None:
    assert quiet_end(vn(5, 23), NIGHT) == vn(6, 6)
    assert plan(Timing(quiet=NIGHT), vn(5, 23)) == Slot(ORDINARY_PRIORITY, vn(6, 6))


def test_after_midnight_the_same_night_ends_the_same_morning() -> None:
    assert quiet_end(vn(6, 2, 30), NIGHT) == vn(6, 6)
    assert quiet_end(vn(6, 5, 59), NIGHT) == vn(6, 6)


def test_outside_quiet_hours_posts_go_at_once() -> None:
    for moment in (vn(6, 6), vn(6, 12), vn(6, 21, 59)):
        assert quiet_end(moment, NIGHT) is None
        assert plan(Timing(quiet=NIGHT), moment) == Slot(ORDINARY_PRIORITY, moment)


def test_a_daytime_window_does_not_cross_midnight() -> None:
    nap = QuietHours(12 * 60, 14 * 60)
    assert quiet_end(vn(6, 13), nap) == vn(6, 14)
    assert quiet_end(vn(6, 23), nap) is None
    assert nap.label() == "12:00–14:00"


def test_quiet_hours_are_read_in_vietnam_time_whatever_the_clock_zone() -> None:
    utc = datetime(2024, 3, 5, 16, 0, tzinfo=UTC)  # 23:00 in Vietnam
    assert quiet_end(utc, NIGHT) == vn(6, 6)


def test_the_digest_is_the_next_one_strictly_after_now() -> None:
    assert next_digest(vn(6, 6, 59), 7) == vn(6, 7)
    assert next_digest(vn(6, 7), 7) == vn(7, 7)
    assert next_digest(vn(5, 23), 7) == vn(6, 7)


def test_digest_rows_carry_their_day_and_earlier_digests_sort_first() -> None:
    today, tomorrow = digest_priority(vn(6, 7)), digest_priority(vn(7, 7))
    assert is_digest(today)
    assert is_digest(tomorrow)
    assert not is_digest(ORDINARY_PRIORITY)
    assert not is_digest(URGENT_PRIORITY)
    assert today > tomorrow  # higher priority goes first
    assert digest_date(today) == date(2024, 3, 6)


def test_a_digest_chat_holds_posts_for_its_hour_even_in_its_quiet_hours() -> None:
    slot = plan(Timing(digest_hour=7, quiet=NIGHT), vn(5, 23))
    assert slot == Slot(digest_priority(vn(6, 7)), vn(6, 7))


def test_urgent_posts_go_at_once_before_everything_whatever_the_timing() -> None:
    for timing in (Timing(), Timing(quiet=NIGHT), Timing(digest_hour=7, quiet=NIGHT)):
        assert plan(timing, vn(5, 23), urgent=True) == Slot(URGENT_PRIORITY, vn(5, 23))


@settings(max_examples=200, deadline=None)
@given(
    # Hypothesis takes naive bounds; the drawn times are made Vietnam times below.
    st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1)),  # noqa: DTZ001
    st.integers(0, 23 * 60 + 59),
    st.integers(0, 23 * 60 + 59),
)
def test_a_held_post_waits_less_than_a_day_and_leaves_at_the_window_end(
    naive: datetime, start: int, end: int
) -> None:
    moment = naive.replace(tzinfo=VN_TZ)
    ends = quiet_end(moment, QuietHours(start, end))
    if ends is not None:
        assert moment < ends
        assert 0 < (ends - moment).total_seconds() <= 24 * 3600
        local = ends.astimezone(VN_TZ)
        assert local.hour * 60 + local.minute == end
        assert quiet_end(ends, QuietHours(start, end)) is None
