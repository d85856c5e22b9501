"""Keyword alerts and urgent words: whole words, all required, marks as the resident typed."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from anbien_bot.config import DEFAULT_URGENT_WORDS
from anbien_bot.delivery.alerts import (
    Urgency,
    index_key,
    matches,
    query_words,
    text_words,
    tone_key,
)
from anbien_bot.text.vntext import fold

NOTICE = "Thông báo mất điện khu vực ấp Xẻo Nhàu, xã Thứ Ba ngày 12/3"
DEFAULT = Urgency(phrases=tuple(query_words(w) for w in DEFAULT_URGENT_WORDS))


def alert(typed: str, text: str) -> bool:
    return matches(query_words(typed), text_words(text))


def test_words_typed_without_marks_match_any_marks() -> None:
    assert alert("mat dien thu ba", NOTICE)
    assert alert("MAT DIEN", NOTICE)
    assert alert("xeo nhau", NOTICE)


def test_every_word_is_required_in_any_order() -> None:
    assert alert("thu ba mat dien", NOTICE)
    assert not alert("mat dien nam thai", NOTICE)


def test_words_match_whole_not_inside_longer_words() -> None:
    assert not alert("ba", "Bảo vệ môi trường")
    assert not alert("dien", "Điện Biên Phủ".replace(" ", ""))
    assert alert("12", NOTICE)
    assert not alert("1", NOTICE)


def test_words_typed_with_marks_match_only_those_marks() -> None:
    assert alert("mất điện", NOTICE)
    assert not alert("mắt", NOTICE)
    assert not alert("bão", NOTICE)  # "báo" in "Thông báo" is not a storm


def test_the_place_of_the_tone_mark_does_not_matter() -> None:
    assert tone_key("hoà") == tone_key("hòa")
    assert alert("Hoà Bình", "Lễ hội ở xã Hòa bình")
    assert tone_key("hoà") != tone_key("hoa")


def test_decomposed_text_matches_like_composed() -> None:
    assert alert("Thứ Ba", "Mất điện xã Thu\u031b\u0301 Ba")


def test_an_alert_is_looked_up_by_its_longest_word_folded() -> None:
    assert index_key(query_words("mất điện Thứ Ba")) == "dien"


def test_an_empty_alert_matches_nothing() -> None:
    assert not matches((), text_words(NOTICE))


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


_WORDS = st.text(alphabet="abcdđeêoôơuưiyáàảãạấầẩẫậ", min_size=1, max_size=8)


@settings(max_examples=100, deadline=None)
@given(st.lists(_WORDS, min_size=1, max_size=12), st.data())
def test_any_words_of_a_text_match_it_typed_with_or_without_marks(
    words: list[str], data: st.DataObject
) -> None:
    text = " ".join(words)
    chosen = data.draw(st.lists(st.sampled_from(words), min_size=1, max_size=4))
    assert matches(query_words(" ".join(chosen)), text_words(text))
    assert matches(query_words(fold(" ".join(chosen))), text_words(text.upper()))
