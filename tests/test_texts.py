"""The bot's texts: both languages complete, valid Telegram HTML, parameters escaped."""

from __future__ import annotations

import re
import string

import pytest

from anbien_bot.config import BotConfig
from anbien_bot.texts import EN, VI, Html, command_descriptions, language_of, text
from anbien_bot.texts.plurals import Plural
from tests.telegram_rules import check_telegram_html, commands_rejection


def placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}


def forms(template: str | Plural) -> tuple[str, ...]:
    return template.forms if isinstance(template, Plural) else (template,)


def test_both_languages_have_the_same_keys_and_placeholders() -> None:
    assert VI.keys() == EN.keys()
    for key, vi_template in VI.items():
        (vi,) = forms(vi_template)  # Vietnamese has no plural forms
        en = EN[key]
        if isinstance(en, Plural):
            # The "one" form may leave the number out: "has failed once".
            assert placeholders(en.other) == placeholders(vi), key
            assert placeholders(en.one) <= placeholders(vi), key
        else:
            assert placeholders(en) == placeholders(vi), key


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("key", sorted(VI))
@pytest.mark.parametrize("count", [1, 2])
def test_every_text_is_valid_telegram_html(lang: str, key: str, count: int) -> None:
    params: dict[str, object] = dict.fromkeys(placeholders(str(VI[key])), "<Tên & “x”>")
    if isinstance(EN[key], Plural):
        params[EN[key].by] = count  # type: ignore[union-attr]
    check_telegram_html(text(lang, key, **params), 4096)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("key", "params", "one", "other"),
    [
        ("toast_sending", {}, "Sending to 1 recipient.", "Sending to 2 recipients."),
        ("post_list_header", {}, "📰 <b>1 new post</b>", "📰 <b>2 new posts</b>"),
        ("post_list_more", {}, "… and 1 more post", "… and 2 more posts"),
        ("too_long", {}, "at most 1 character.", "at most 2 characters."),
        ("alert_full", {}, "You have 1 alert,", "You have 2 alerts,"),
        ("alert_too_long", {"chars": 100}, "at most 1 word and", "at most 2 words and"),
        ("broadcast_draft", {"id": 7, "audience": "x"}, "– 1 recipient.", "– 2 recipients."),
        ("stats_chart", {"chart": "…"}, "<b>Last day</b>", "<b>Last 2 days</b>"),
        ("search_words_cut", {}, "the first word was", "the first 2 words were"),
        ("alert_down", {"name": "A", "error": "", "success": ""}, "failed once.", "2 times"),
    ],
)
def test_english_counts_take_the_singular_for_one_only(
    key: str, params: dict[str, object], one: str, other: str
) -> None:
    by = EN[key].by  # type: ignore[union-attr]
    assert has_phrase(text("en", key, **{**params, by: 1}), one)
    for count in (0, 2, 21, 1000):
        assert has_phrase(text("en", key, **{**params, by: count}), other.replace("2", str(count)))


def has_phrase(body: str, phrase: str) -> bool:
    """Return whether phrase is in body as whole words ("1 more post" is not in "posts")."""
    return re.search(re.escape(phrase) + r"(?!\w)", body) is not None


def test_a_count_written_for_its_reader_chooses_the_form_by_its_value() -> None:
    params = {"oldest": "29/05/2020", "newest": "31/05/2020"}
    one = text("en", "stats_archive", count="1", articles=1, **params)
    many = text("en", "stats_archive", count="1,234", articles=1234, **params)
    assert "1 article, published" in one
    assert "1,234 articles, published" in many
    vi = text("vi", "stats_archive", count="1", articles=1, **params)
    assert "1 bài, đăng" in vi


def test_vietnamese_has_one_form_for_every_count() -> None:
    assert text("vi", "toast_sending", count=1) == "Bắt đầu gửi tới 1 nơi nhận."
    assert text("vi", "toast_sending", count=2) == "Bắt đầu gửi tới 2 nơi nhận."


def test_a_plural_text_without_an_integer_count_is_an_error() -> None:
    with pytest.raises(TypeError, match="integer 'count'"):
        text("en", "toast_sending", count="2")


@pytest.mark.parametrize(
    ("code", "lang"),
    [
        (None, "vi"),
        ("", "vi"),
        ("vi", "vi"),
        ("fr", "vi"),
        ("en", "en"),
        ("en-US", "en"),
        ("EN", "en"),
    ],
)
def test_language_is_english_only_for_english_users(code: str | None, lang: str) -> None:
    assert language_of(code) == lang


def test_parameters_are_escaped_unless_marked_as_html() -> None:
    assert text("vi", "subscribed", category="Lúa & <tôm>") == (
        "✅ Đã đăng ký chuyên mục <b>Lúa &amp; &lt;tôm&gt;</b>."
    )
    assert text("vi", "subscribed", category=Html("<i>Tôm</i>")) == (
        "✅ Đã đăng ký chuyên mục <b><i>Tôm</i></b>."
    )


def test_vietnamese_is_the_default_and_written_with_diacritics() -> None:
    assert text("vi", "read_more") == "Xem chi tiết"
    assert text("en", "read_more") == "Read more"
    assert text("vi", "post_list_header", count=3) == "📰 <b>3 tin mới</b>"
    assert "An Biên" in text("vi", "start", name="Lan", portal=BotConfig().portal("vi"))


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_help_lists_every_command_alias_and_the_privacy_note(lang: str) -> None:
    help_text = text(lang, "help")  # type: ignore[arg-type]
    for command, _ in command_descriptions(lang):  # type: ignore[arg-type]
        if command not in ("start", "help"):
            assert f"/{command}" in help_text
    for alias in ("/chuyenmuc", "/moinhat", "/timkiem", "/huy"):
        assert alias in help_text
    assert "/stop" in help_text.split("🔒", 1)[1]  # the note says how to delete your data


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_command_menu_is_accepted_by_telegram(lang: str) -> None:
    commands = command_descriptions(lang)  # type: ignore[arg-type]
    as_sent = [{"command": c, "description": d} for c, d in commands]
    assert commands_rejection(as_sent) is None
    assert [c for c, _ in commands] == [c for c, _ in command_descriptions("vi")]
