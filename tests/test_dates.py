"""Tests for reading Vietnamese portal dates and for the store's UTC text format."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anbien_bot.text.dates import (
    VN_TZ,
    format_vn,
    from_iso,
    parse_vietnamese_datetime,
    to_iso,
    utcnow,
)


def vn(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """Return a Vietnam wall-clock time as the aware UTC instant the parser should give."""
    return datetime(year, month, day, hour, minute, tzinfo=VN_TZ).astimezone(UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(10:59 | 29/05/2020)", vn(2020, 5, 29, 10, 59)),
        ("29/05/2020 10:59", vn(2020, 5, 29, 10, 59)),
        ("29/05/2020 10:59:00", vn(2020, 5, 29, 10, 59)),
        ("10:59 | 29/05/2020", vn(2020, 5, 29, 10, 59)),
        ("Đăng ngày 17 - 05 - 2024", vn(2024, 5, 17)),
        ("Ngày đăng: 21/01/2021", vn(2021, 1, 21)),
        ("Cập nhật, 19:54, Thứ Bảy, 05/12/2020 (GMT+7)", vn(2020, 12, 5, 19, 54)),
        ("Thứ Sáu, 29/05/2020 - 10:59", vn(2020, 5, 29, 10, 59)),
        ("29-05-2020 10:59", vn(2020, 5, 29, 10, 59)),
        ("29.05.2020 7:05", vn(2020, 5, 29, 7, 5)),
        ("Chủ nhật, 7:05 | 1/6/2020", vn(2020, 6, 1, 7, 5)),
        ("10h30 ngày 01/06/2020", vn(2020, 6, 1, 10, 30)),
        ("ngày 17 tháng 5 năm 2024", vn(2024, 5, 17)),
        ("2020-05-29T10:59:00+07:00", vn(2020, 5, 29, 10, 59)),
        ("2020-05-29T03:59:00Z", vn(2020, 5, 29, 10, 59)),
        ("29/05/2020 10:59:00 +0700", vn(2020, 5, 29, 10, 59)),
    ],
)
def test_reads_portal_formats_day_first_in_vietnam_time(text: str, expected: datetime) -> None:
    assert parse_vietnamese_datetime(text) == expected


def test_never_reads_month_first() -> None:
    assert format_vn(parse_vietnamese_datetime("05/06/2020")) == "05/06/2020 00:00"


def test_finds_the_first_date_in_surrounding_text() -> None:
    text = "Tin khác (08:00 | 01/01/2019) Hội nghị tôm – lúa (10:59 | 29/05/2020)"
    assert parse_vietnamese_datetime(text) == vn(2019, 1, 1, 8)


def test_a_time_range_after_the_date_is_not_read_as_an_offset() -> None:
    # Outage notices write "07:30-11:00": the "-11:00" must not become UTC-11.
    got = parse_vietnamese_datetime("Ngừng cấp điện 29/05/2020 07:30-11:00")
    assert got == vn(2020, 5, 29, 7, 30)


def test_a_named_offset_wins_over_vietnam_time() -> None:
    assert parse_vietnamese_datetime("29/05/2020 10:59 GMT") == datetime(
        2020, 5, 29, 10, 59, tzinfo=UTC
    )


@pytest.mark.parametrize(
    "text",
    [
        "31/02/2020",
        "29/05/2020 25:00",
        "29/05/2020 10:60",
        "00/05/2020",
        "29/13/2020",
        "01/01/0001",
        "",
        "Không có ngày nào ở đây",
        "Số 12/2020/QĐ-UBND",
    ],
)
def test_impossible_or_missing_dates_give_none(text: str) -> None:
    assert parse_vietnamese_datetime(text) is None


def test_format_vn_shows_vietnam_wall_clock() -> None:
    assert format_vn(datetime(2020, 5, 29, 3, 59, tzinfo=UTC)) == "29/05/2020 10:59"


def test_iso_text_round_trips_and_sorts_in_time_order() -> None:
    early = datetime(2020, 5, 29, 10, 59, tzinfo=VN_TZ)
    late = datetime(2020, 5, 29, 4, 0, tzinfo=UTC)
    assert to_iso(early) == "2020-05-29T03:59:00+00:00"
    assert from_iso(to_iso(early)) == early
    assert from_iso(to_iso(early)).tzinfo == UTC
    assert sorted([to_iso(late), to_iso(early)]) == [to_iso(early), to_iso(late)]


def test_utcnow_is_aware_utc() -> None:
    now = utcnow()
    assert now.tzinfo == UTC
    assert abs(now - datetime.now(UTC)) < timedelta(seconds=5)


_WEEKDAYS = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật"]
_FORMATS = [
    "({H}:{M} | {d}/{m}/{Y})",
    "{d}/{m}/{Y} {H}:{M}",
    "{d}/{m}/{Y} {H}:{M}:{S}",
    "{H}:{M} | {d}/{m}/{Y}",
    "Cập nhật, {H}:{M}, {w}, {d}/{m}/{Y} (GMT+7)",
    "{w}, {d}/{m}/{Y} - {H}:{M}",
    "{d}-{m}-{Y} {h}:{M}",
    "{d}.{m}.{Y} {h}:{M}",
]
# hypothesis takes naive bounds and attaches the time zones itself.
_instants = st.datetimes(
    min_value=datetime(1980, 1, 1),  # noqa: DTZ001
    max_value=datetime(2100, 12, 31),  # noqa: DTZ001
    timezones=st.sampled_from([UTC, VN_TZ, timezone(timedelta(hours=-5))]),
)


@settings(max_examples=60, deadline=None)
@given(instant=_instants, pattern=st.sampled_from(_FORMATS))
def test_every_portal_format_reads_back_to_the_same_minute(
    instant: datetime, pattern: str
) -> None:
    local = instant.astimezone(VN_TZ)
    text = pattern.format(
        H=f"{local.hour:02d}",
        h=str(local.hour),
        M=f"{local.minute:02d}",
        S=f"{local.second:02d}",
        d=f"{local.day:02d}",
        m=f"{local.month:02d}",
        Y=local.year,
        w=_WEEKDAYS[local.weekday()],
    )
    got = parse_vietnamese_datetime(text)
    assert got is not None
    assert got.replace(second=0) == instant.astimezone(UTC).replace(second=0, microsecond=0)


@settings(max_examples=60, deadline=None)
@given(instant=_instants)
def test_date_only_text_reads_as_local_midnight(instant: datetime) -> None:
    local = instant.astimezone(VN_TZ)
    got = parse_vietnamese_datetime(
        f"Đăng ngày {local.day:02d} - {local.month:02d} - {local.year}"
    )
    assert got == local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)


_date_ish = st.text(alphabet="0123456789/.-:|() +GMTUCZhgngàyThứ", max_size=40)


@settings(max_examples=200, deadline=None)
@given(text=st.one_of(st.text(max_size=80), _date_ish))
def test_any_text_gives_a_utc_datetime_or_none(text: str) -> None:
    got = parse_vietnamese_datetime(text)
    assert got is None or got.tzinfo == UTC
