"""The category keyboard: config order, ✅ on subscriptions, callback data within 64 bytes."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from anbien_bot.bot.keyboards import category_data, category_keyboard, category_of
from anbien_bot.config import Category
from tests.telegram_rules import markup_rejection

CATEGORIES = (
    Category("thong-bao", "Thông báo"),
    Category("hoat-dong-huyen-uy", "Hoạt động Huyện ủy"),
    Category("lich-cup-dien", "Lịch cúp điện"),
)
KEYS = st.from_regex(r"[a-z0-9][a-z0-9_-]{0,31}", fullmatch=True)


def labels(subscribed: set[str]) -> list[tuple[str, str | None]]:
    markup = category_keyboard(CATEGORIES, subscribed)
    return [(b.text, b.callback_data) for row in markup.inline_keyboard for b in row]


def test_one_button_per_category_in_config_order_with_checks_on_subscriptions() -> None:
    assert labels({"lich-cup-dien"}) == [
        ("Thông báo", "cat:thong-bao"),
        ("Hoạt động Huyện ủy", "cat:hoat-dong-huyen-uy"),
        ("✅ Lịch cúp điện", "cat:lich-cup-dien"),
    ]
    assert [text for text, _ in labels(set())] == [c.name for c in CATEGORIES]


def test_a_subscription_to_a_category_no_longer_configured_shows_nothing() -> None:
    assert labels({"tin-cu"}) == labels(set())


def test_callback_data_names_the_category_by_key_only() -> None:
    for category in CATEGORIES:
        assert category_of(category_data(category.key), CATEGORIES) == category.key
        assert category.name not in category_data(category.key)


def test_forged_or_stale_callback_data_names_no_category() -> None:
    for data in (
        "cat:tin-cu",
        "cat:",
        "cat:Thông báo",
        "thong-bao",
        "",
        None,
        42,
        "cat:thong-bao ",
    ):
        assert category_of(data, CATEGORIES) is None


@settings(max_examples=200)
@given(KEYS, st.text(min_size=1, max_size=64))
def test_any_configurable_category_makes_a_keyboard_telegram_accepts(key: str, name: str) -> None:
    categories = (Category(key, name),)
    markup = category_keyboard(categories, {key}).to_dict()
    assert markup_rejection(markup) is None
    assert category_of(category_data(key), categories) == key
