"""The bot's texts: both languages complete, valid Telegram HTML, parameters escaped."""

from __future__ import annotations

import string

import pytest

from anbien_bot.config import BotConfig
from anbien_bot.texts import EN, VI, Html, command_descriptions, language_of, text
from tests.telegram_rules import check_telegram_html, commands_rejection


def placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}


def test_both_languages_have_the_same_keys_and_placeholders() -> None:
    assert VI.keys() == EN.keys()
    for key in VI:
        assert placeholders(VI[key]) == placeholders(EN[key]), key


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("key", sorted(VI))
def test_every_text_is_valid_telegram_html(lang: str, key: str) -> None:
    params = dict.fromkeys(placeholders(VI[key]), "<Tên & “x”>")
    check_telegram_html(text(lang, key, **params), 4096)  # type: ignore[arg-type]


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
