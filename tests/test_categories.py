"""Finding the category a resident typed: by key or by name, with or without diacritics."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anbien_bot.bot.categories import category_names, find_category, means_all
from anbien_bot.config import Category
from anbien_bot.text.vntext import fold

CATEGORIES = (
    Category("thong-bao", "Thông báo"),
    Category("hoat-dong-huyen-uy", "Hoạt động Huyện ủy"),
    Category("dang", "Xây dựng Đảng"),
    Category("tin_tuc", "Tin tức – Sự kiện"),
)


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("thong-bao", "thong-bao"),
        ("Thông báo", "thong-bao"),
        ("thong bao", "thong-bao"),
        ("THÔNG BÁO", "thong-bao"),
        ("  thông\tbáo  ", "thong-bao"),
        ("Thông báo.", "thong-bao"),
        ("hoat dong huyen uy", "hoat-dong-huyen-uy"),
        ("Hoạt động Huyện Ủy", "hoat-dong-huyen-uy"),
        ("xay dung dang", "dang"),  # đ typed as d
        ("dang", "dang"),
        ("tin tuc", "tin_tuc"),
        ("tin tuc su kien", "tin_tuc"),
        ("Tin tức - Sự kiện", "tin_tuc"),
    ],
)
def test_a_category_is_found_by_key_or_name_in_any_spelling(typed: str, key: str) -> None:
    assert find_category(typed, CATEGORIES) == key


@pytest.mark.parametrize(
    "typed", ["", "   ", "nonsense", "thong", "bao thong", "-", "cat:thong-bao"]
)
def test_anything_else_names_no_category(typed: str) -> None:
    assert find_category(typed, CATEGORIES) is None


def test_an_exact_key_wins_over_a_name_that_folds_the_same() -> None:
    clash = (Category("other", "Dang"), Category("dang", "Xây dựng Đảng"))
    assert find_category("dang", clash) == "dang"
    assert find_category("Dang", clash) == "other"


@pytest.mark.parametrize("typed", ["all", "ALL", "tất cả", "tat ca", "Tất Cả"])
def test_all_means_every_category(typed: str) -> None:
    assert means_all(typed)
    assert find_category(typed, CATEGORIES) is None


def test_not_all() -> None:
    assert not means_all("thong bao")
    assert not means_all("")


def test_names_follow_the_config_order_and_skip_unknown_keys() -> None:
    assert category_names(["dang", "gone", "thong-bao"], CATEGORIES) == [
        "Thông báo",
        "Xây dựng Đảng",
    ]


@settings(max_examples=200)
@given(st.text(max_size=200))
def test_wild_input_never_raises(typed: str) -> None:
    found = find_category(typed, CATEGORIES)
    assert found is None or found in {c.key for c in CATEGORIES}


VIETNAMESE_WORD = st.text(
    alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạấầẩẫậắằẳẵặéèẻẽẹ", min_size=1, max_size=8
)


@settings(max_examples=100)
@given(st.lists(VIETNAMESE_WORD, min_size=1, max_size=4))
def test_a_name_typed_without_diacritics_finds_its_category(words: list[str]) -> None:
    name = " ".join(words)
    categories = (Category("x", name),)
    assert find_category(fold(name).upper(), categories) == "x"
