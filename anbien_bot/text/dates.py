"""Dates as Vietnamese portals write them (always day first), and the store's UTC text format.

Times on the portals are local (Asia/Ho_Chi_Minh) unless the text names an offset. General
date parsers guess month first on "05/06/2020", so dates are read here with plain regexes.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

# Years outside this range are misread numbers (document codes, phone numbers), not dates.
_MIN_YEAR, _MAX_YEAR = 1900, 2200

_DAY_FIRST = re.compile(
    r"(?<![\d/.-])(?P<d>\d{1,2})\s*(?P<sep>[/.-])\s*(?P<m>\d{1,2})\s*(?P=sep)\s*(?P<y>\d{4})(?!\d)"
)
_YEAR_FIRST = re.compile(
    r"(?<![\d/.-])(?P<y>\d{4})(?P<sep>[/-])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})(?![\d/-])"
)
# "17 tháng 5 năm 2024", "20 Tháng 11 2023" (Joomla), "26 Tháng Bảy, 2025" (Drupal's month names).
_MONTH_WORDS = {
    "giêng": 1, "một": 1, "hai": 2, "ba": 3, "tư": 4, "bốn": 4, "năm": 5, "sáu": 6, "bảy": 7,
    "tám": 8, "chín": 9, "mười": 10, "mười một": 11, "mười hai": 12, "chạp": 12,
}  # fmt: skip
_MONTH_WORD = "|".join(sorted(_MONTH_WORDS, key=len, reverse=True))
_SPELLED = re.compile(
    rf"(?<!\d)(?P<d>\d{{1,2}})\s+tháng\s+(?:(?P<m>\d{{1,2}})|(?P<mw>{_MONTH_WORD}))"
    r"\s*(?:,\s*|năm\s+|\s)(?P<y>\d{4})(?!\d)",
    re.IGNORECASE,
)
# "SA"/"CH" (sáng, chiều) are how ASP.NET writes AM/PM in Vietnamese: "17/05/2024 2:15:00 CH".
_TIME = (
    r"(?<!\d)(?P<H>\d{1,2})\s*[:hg]\s*(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.\d+)?)?(?!\d)"
    r"(?:\s*(?P<half>SA|CH|AM|PM)(?!\w))?"
)
# What may stand between a date and its time: separators, "lúc" (at), a weekday, "ngày" (day).
_WEEKDAY = r"(?:thứ\s+\w+|chủ\s+nhật|cn)"
_TIME_AFTER = re.compile(r"(?:[\s,|\-–—()T]|lúc)*" + _TIME, re.IGNORECASE)
_TIME_BEFORE = re.compile(_TIME + r"(?:[\s,|\-–—()]|ngày|" + _WEEKDAY + r")*$", re.IGNORECASE)
# A bare numeric offset must be "+HH:MM": "07:30-11:00" is a time range in outage notices.
_OFFSET = re.compile(
    r"[\s(]*(?:(?P<z>Z)(?!\w)|(?:GMT|UTC)\s*(?:(?P<gs>[+-])\s*(?P<gh>\d{1,2})(?::?(?P<gm>\d{2}))?)?"
    r"|(?P<ns>\+)(?P<nh>\d{2}):?(?P<nm>\d{2}))",
    re.IGNORECASE,
)
# How far before a date a time may start: "19:54, Thứ Bảy, " is the longest seen.
_LOOKBEHIND = 40


def parse_vietnamese_datetime(text: str) -> datetime | None:
    """Return the first date (with its time, if any) in text as an aware UTC datetime, or None."""
    match = _first_date(text)
    if match is None:
        return None
    try:
        day, year = int(match["d"]), int(match["y"])
        month = _month(match)
        if not _MIN_YEAR <= year <= _MAX_YEAR:
            return None
        hour = minute = second = 0
        end = match.end()
        after = _TIME_AFTER.match(text, end)
        before = _TIME_BEFORE.search(text[max(0, match.start() - _LOOKBEHIND) : match.start()])
        if before is not None:
            time_match = before
        elif after is not None:
            time_match, end = after, after.end()
        else:
            time_match = None
        if time_match is not None:
            hour, minute = _hour(time_match), int(time_match["M"])
            second = int(time_match["S"] or 0)
        tz = _offset_at(text, end) or VN_TZ
        local = datetime(year, month, day, hour, minute, second, tzinfo=tz)
        return local.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


def _month(match: re.Match[str]) -> int:
    """Return the month of a date match, written as a number or in words."""
    words = match.groupdict().get("mw")
    return _MONTH_WORDS[" ".join(words.lower().split())] if words else int(match["m"])


def _hour(match: re.Match[str]) -> int:
    """Return the hour of a time match on the 24-hour clock."""
    hour, half = int(match["H"]), (match["half"] or "").upper()
    if half in ("CH", "PM") and hour < 12:
        return hour + 12
    if half in ("SA", "AM") and hour == 12:
        return 0
    return hour


def _first_date(text: str) -> re.Match[str] | None:
    """Return the earliest date-shaped match in text, whichever way it is written."""
    found = (p.search(text) for p in (_DAY_FIRST, _YEAR_FIRST, _SPELLED))
    matches = [m for m in found if m is not None]
    return min(matches, key=lambda m: m.start(), default=None)


def _offset_at(text: str, pos: int) -> timezone | None:
    """Return the UTC offset the text names right after pos ("(GMT+7)", "+07:00", "Z")."""
    match = _OFFSET.match(text, pos)
    if match is None:
        return None
    if match["z"]:
        return UTC
    sign = match["gs"] or match["ns"]
    if sign is None:
        return UTC  # a bare "GMT" or "UTC"
    hours = int(match["gh"] or match["nh"])
    minutes = int(match["gm"] or match["nm"] or 0)
    if hours > 14 or minutes > 59:
        raise ValueError("offset out of range")
    delta = timedelta(hours=hours, minutes=minutes)
    return timezone(-delta if sign == "-" else delta)


def format_vn(dt: datetime) -> str:
    """Return dt as Vietnamese readers write it, "29/05/2020 10:59", in Vietnam time."""
    return _aware(dt).astimezone(VN_TZ).strftime("%d/%m/%Y %H:%M")


def to_iso(dt: datetime) -> str:
    """Return dt as the store's UTC text, which sorts in time order."""
    return _aware(dt).astimezone(UTC).isoformat(timespec="seconds")


def from_iso(s: str) -> datetime:
    """Parse the store's UTC text back into an aware UTC datetime."""
    return _aware(datetime.fromisoformat(s)).astimezone(UTC)


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(UTC)


def _aware(dt: datetime) -> datetime:
    """Return dt with UTC attached if it is naive: the store only ever holds UTC."""
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt
