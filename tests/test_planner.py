"""The planner: who gets a post, at what priority and when, decided without a clock or store."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anbien_bot.config import (
    DEFAULT_URGENT_WORDS,
    Category,
    Config,
    DeliveryConfig,
    PollingConfig,
    SourceConfig,
    StorageConfig,
    UrgentConfig,
)
from anbien_bot.delivery.alerts import query_words
from anbien_bot.delivery.planner import Planner, Urgency, next_digest, quiet_end, slot_for
from anbien_bot.models import Article, Fanout, QuietHours, Slot, Timing
from anbien_bot.telegramconfig import TelegramConfig
from anbien_bot.text.dates import VN_TZ
from anbien_bot.values import Priority, digest_date, digest_priority, is_digest

NIGHT = QuietHours(22 * 60, 6 * 60)


def vn(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2024, 3, day, hour, minute, tzinfo=VN_TZ)


def digest_of(at: datetime) -> int:
    """Return the priority of the digest sent at ``at``: its Vietnam date's."""
    return digest_priority(at.astimezone(VN_TZ).date())


def test_a_post_at_23_for_a_chat_quiet_22_to_6_waits_until_6_next_morning() -> None:
    assert quiet_end(vn(5, 23), NIGHT) == vn(6, 6)
    assert slot_for(Timing(quiet=NIGHT), vn(5, 23)) == Slot(Priority.ORDINARY, vn(6, 6))


def test_after_midnight_the_same_night_ends_the_same_morning() -> None:
    assert quiet_end(vn(6, 2, 30), NIGHT) == vn(6, 6)
    assert quiet_end(vn(6, 5, 59), NIGHT) == vn(6, 6)


def test_outside_quiet_hours_posts_go_at_once() -> None:
    for moment in (vn(6, 6), vn(6, 12), vn(6, 21, 59)):
        assert quiet_end(moment, NIGHT) is None
        assert slot_for(Timing(quiet=NIGHT), moment) == Slot(Priority.ORDINARY, moment)


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
    today, tomorrow = digest_of(vn(6, 7)), digest_of(vn(7, 7))
    assert is_digest(today)
    assert is_digest(tomorrow)
    assert not is_digest(Priority.ORDINARY)
    assert not is_digest(Priority.URGENT)
    assert today > tomorrow  # higher priority goes first
    assert digest_date(today) == date(2024, 3, 6)


def test_a_digest_chat_holds_posts_for_its_hour_even_in_its_quiet_hours() -> None:
    slot = slot_for(Timing(digest_hour=7, quiet=NIGHT), vn(5, 23))
    assert slot == Slot(digest_of(vn(6, 7)), vn(6, 7))


def test_urgent_posts_go_at_once_before_everything_whatever_the_timing() -> None:
    for timing in (Timing(), Timing(quiet=NIGHT), Timing(digest_hour=7, quiet=NIGHT)):
        assert slot_for(timing, vn(5, 23), urgent=True) == Slot(Priority.URGENT, vn(5, 23))


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


# -- urgency ---------------------------------------------------------------------------------

DEFAULT = Urgency(phrases=tuple(query_words(w) for w in DEFAULT_URGENT_WORDS))
NOTICE = "Thông báo mất điện khu vực ấp Xẻo Nhàu, xã Thứ Ba ngày 12/3"


def test_urgent_words_are_found_in_titles_as_whole_phrases() -> None:
    assert DEFAULT.is_urgent("portal", ["tin-tuc"], "Bão số 9 đổ bộ vào Kiên Giang")
    assert DEFAULT.is_urgent("portal", [], "Tin áp thấp nhiệt đới trên Biển Đông")
    assert DEFAULT.is_urgent("portal", [], "Cháy nhà dân ở ấp Xẻo Nhàu")
    assert not DEFAULT.is_urgent("portal", [], NOTICE)  # "báo" is not "bão"
    assert not DEFAULT.is_urgent("portal", [], "Áp dụng giá điện mới từ tháng thấp điểm")
    assert not DEFAULT.is_urgent("portal", [], "Luân chuyển cán bộ xã")  # "lu" is not a word here


def test_sources_and_categories_can_make_every_post_urgent() -> None:
    rules = Urgency(sources=frozenset({"Đài KTTV"}), categories=frozenset({"thien-tai"}))
    assert rules.is_urgent("Đài KTTV", ["tin-tuc"], "Dự báo thời tiết")
    assert rules.is_urgent("portal", ["tin-tuc", "thien-tai"], "Dự báo thời tiết")
    assert not rules.is_urgent("portal", ["tin-tuc"], "Bão số 9")  # no words configured


CONFIG = Config(
    telegram=TelegramConfig("1:test"),
    storage=StorageConfig(),
    polling=PollingConfig(),
    delivery=DeliveryConfig(),
    categories=(Category("thong-bao", "Thông báo"), Category("thien-tai", "Thiên tai")),
    sources=(
        SourceConfig(name="Cổng huyện", url="https://anbien.example.vn/rss", category="x"),
        SourceConfig(
            name="Đài KTTV", url="https://kttv.example.vn/rss", category="x", urgent=True
        ),
    ),
    urgent=UrgentConfig(categories=("thien-tai",), words=("bão", "triều cường")),
)
PLANNER = Planner.from_config(CONFIG)
QUIET = Timing(quiet=NIGHT)
DIGEST = Timing(digest_hour=7, quiet=NIGHT)
TIMINGS = (QUIET, DIGEST, Timing(digest_hour=20))
AT_23 = vn(5, 23)  # inside NIGHT, after the day's 7 and 20 o'clock digests


def post(title: str, *categories: str, summary: str = "", body: str = "") -> Article:
    return Article(
        id=1,
        url="https://anbien.example.vn/tin/1",
        title=title,
        summary=summary,
        image_url=None,
        published=AT_23,
        first_seen=AT_23,
        categories=categories or ("thong-bao",),
        body=body,
    )


URGENT_EVERYWHERE = {
    "default": Slot(Priority.URGENT, AT_23),
    QUIET: Slot(Priority.URGENT, AT_23),
    DIGEST: Slot(Priority.URGENT, AT_23),
    Timing(digest_hour=20): Slot(Priority.URGENT, AT_23),
}
ORDINARY_TIMINGS = {
    "default": Slot(Priority.ORDINARY, AT_23),
    QUIET: Slot(Priority.ORDINARY, vn(6, 6)),  # when the quiet hours end
    DIGEST: Slot(digest_of(vn(6, 7)), vn(6, 7)),  # the next 7 o'clock digest, quiet or not
    Timing(digest_hour=20): Slot(digest_of(vn(6, 20)), vn(6, 20)),
}


@pytest.mark.parametrize(
    ("source", "article", "expected"),
    [
        # urgent by its source's `urgent = true`
        ("Đài KTTV", post("Dự báo thời tiết ngày mai"), URGENT_EVERYWHERE),
        # urgent by a category of [urgent] categories
        ("Cổng huyện", post("Lịch cúp điện", "thong-bao", "thien-tai"), URGENT_EVERYWHERE),
        # urgent by [urgent] words in the title, marks as configured
        ("Cổng huyện", post("Cảnh báo bão số 3"), URGENT_EVERYWHERE),
        ("Cổng huyện", post("Cảnh báo TRIỀU CƯỜNG tối nay"), URGENT_EVERYWHERE),
        # ordinary: "báo" is not "bão"; a word in the body alone does not count
        ("Cổng huyện", post("Thông báo lịch tiếp dân", body="phòng chống bão"), ORDINARY_TIMINGS),
        ("Cổng huyện", post("Họp dân ấp Xẻo Nhàu"), ORDINARY_TIMINGS),
    ],
)
def test_each_timing_gets_the_slot_the_post_deserves(
    source: str, article: Article, expected: dict[object, Slot]
) -> None:
    fanout = PLANNER.fan_out(source, article, (), TIMINGS, AT_23)
    assert fanout.default == expected["default"]
    assert dict(fanout.slots) == {t: expected[t] for t in TIMINGS}
    assert fanout.alerted == ()


@pytest.mark.parametrize(
    ("alerts", "alerted"),
    [
        ([(5, "mat dien thu ba")], (5,)),  # words without marks match any marks
        ([(5, "thu ba"), (6, "thu ba"), (5, "xeo nhau")], (5, 6)),  # each chat once, in order
        ([(5, "thứ bảy")], ()),  # marked words match only those marks
        ([(5, "mất điện nam thái")], ()),  # every word is needed
        ([(5, "tiếp dân")], (5,)),  # the body counts for alerts
        ([], ()),
    ],
)
def test_alerted_chats_are_those_whose_words_the_post_holds(
    alerts: list[tuple[int, str]], alerted: tuple[int, ...]
) -> None:
    article = post("Mất điện xã Thứ Ba", summary="Ấp Xẻo Nhàu.", body="Lịch tiếp dân.")
    assert {"mat", "dien", "thu", "ba", "xeo", "nhau", "tiep", "dan"} <= PLANNER.alert_keys(
        article
    )
    assert PLANNER.fan_out("Cổng huyện", article, alerts, (), AT_23).alerted == alerted


def test_an_alerted_urgent_post_is_urgent_for_the_alerted_chat_too() -> None:
    fanout = PLANNER.fan_out("Cổng huyện", post("Bão số 3"), [(9, "bão")], [QUIET], AT_23)
    assert fanout == Fanout(
        default=Slot(Priority.URGENT, AT_23),
        slots={QUIET: Slot(Priority.URGENT, AT_23)},
        alerted=(9,),
    )


def test_a_planner_without_rules_makes_nothing_urgent() -> None:
    fanout = Planner().fan_out(
        "Đài KTTV", post("Cảnh báo bão số 3", "thien-tai"), (), [QUIET], AT_23
    )
    assert fanout.slots[QUIET] == Slot(Priority.ORDINARY, vn(6, 6))
