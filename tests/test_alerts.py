"""Keyword alerts and urgent words: whole words, all required, marks as the resident typed."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from anbien_bot.delivery.alerts import (
    holds_phrase,
    index_key,
    matches,
    query_words,
    text_words,
    tone_key,
)
from anbien_bot.text.vntext import fold

NOTICE = "Thông báo mất điện khu vực ấp Xẻo Nhàu, xã Thứ Ba ngày 12/3"


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


def test_a_phrase_is_found_as_whole_words_side_by_side_in_order() -> None:
    assert holds_phrase(query_words("áp thấp nhiệt đới"), "Tin Áp Thấp Nhiệt Đới trên biển")
    assert holds_phrase(query_words("ap thap"), "Tin áp thấp nhiệt đới")
    assert not holds_phrase(query_words("thấp áp"), "Tin áp thấp nhiệt đới")  # in order
    assert not holds_phrase(query_words("áp nhiệt"), "Tin áp thấp nhiệt đới")  # side by side
    assert not holds_phrase(query_words("bão"), NOTICE)  # "báo" is not "bão"
    # Urgent words are read this way from titles: see tests/test_planner.py.


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
