"""Messages from parts: escaped once into Telegram HTML, plain without markup, packed in order."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from anbien_bot.delivery.message import (
    Span,
    block_length,
    bold,
    code,
    italic,
    link,
    message,
    pack,
    parse_html,
    read_html,
    template,
    units,
)
from tests.telegram_rules import check_telegram_html, parse_telegram_html

URL = 'https://anbien.kiengiang.gov.vn/tin?id=1&x="2"'


def test_text_is_escaped_once_in_html_and_left_alone_in_plain() -> None:
    body = message((bold("Lúa & tôm <3"), " ", link(URL, "Xem & đọc")), ("&amp; 5% <b>",))
    assert body.html == (
        "<b>Lúa &amp; tôm &lt;3</b> "
        '<a href="https://anbien.kiengiang.gov.vn/tin?id=1&amp;x=&quot;2&quot;">Xem &amp; đọc</a>'
        "\n\n&amp;amp; 5% &lt;b&gt;"
    )
    assert body.plain() == f"Lúa & tôm <3 Xem & đọc ({URL})\n\n&amp; 5% <b>"
    assert body.plain("none") == "Lúa & tôm <3 Xem & đọc\n\n&amp; 5% <b>"
    check_telegram_html(body.html, 4096)
    assert parse_telegram_html(body.html) == body.plain("none")


def test_only_the_last_link_can_keep_its_address() -> None:
    body = message(("a ", link("https://x.vn/1", "one")), (link("https://x.vn/2", "two"),))
    assert body.plain_blocks("last") == ["a one", "two (https://x.vn/2)"]
    assert body.plain_blocks("all") == ["a one (https://x.vn/1)", "two (https://x.vn/2)"]
    assert body.link_block() == 1
    assert message(("no links",)).link_block() is None


def test_length_is_the_visible_text_in_utf16_units() -> None:
    body = message((bold("a&b"),), (link("https://x.vn", "😀"),))
    assert body.length == 3 + 2 + 2  # a&b, the blank line, an emoji counted twice
    assert block_length((italic("ư"), code("x"))) == 2
    assert units("🌾x") == 3


def test_empty_blocks_are_left_out() -> None:
    assert message(("a",), None, (), ("",), ("b",)).html == "a\n\nb"


def test_a_template_becomes_parts_with_its_markup_and_escaped_values() -> None:
    assert template("vi", "post_list_header", count=3) == ("📰 ", Span("b", ("3 tin mới",)))
    assert template("vi", "post_date", date="<14/03>") == ("🗓 <14/03>",)
    assert template("en", "read_more") == ("Read more",)


def test_html_read_from_an_admin_is_sent_as_written_and_its_plain_drops_the_tags() -> None:
    written = (
        '<b>Cảnh báo <i>triều cường</i></b> &amp; <a href="https://x.vn/?a=1&amp;b=2">lịch</a>'
        "\n\n<pre>giờ\n\nmức nước</pre>\n\ntối nay"
    )
    body = parse_html(written)
    assert body.html == written
    assert body.plain("none") == "Cảnh báo triều cường & lịch\n\ngiờ\n\nmức nước\n\ntối nay"
    assert "lịch (https://x.vn/?a=1&b=2)" in body.plain()
    assert len(body.blocks) == 3  # a paragraph break inside <pre> starts no block
    assert body.length == units(body.plain("none"))


def test_broken_html_is_kept_for_telegram_to_judge_and_its_plain_is_mended() -> None:
    body = parse_html("<b>Cảnh báo <i>triều cường</b> tối nay</i></u>")
    assert body.html == "<b>Cảnh báo <i>triều cường</b> tối nay</i></u>"
    assert body.plain() == "Cảnh báo triều cường tối nay"
    assert read_html("a <b>b") == ("a ", Span("b", ("b",)))


def test_pack_fills_each_message_in_order_and_never_splits_a_block() -> None:
    blocks = ["a" * 40, "b" * 40, "c" * 40, "d" * 200, "e"]
    messages = pack(blocks, 100, len, opening="head", continued="more")
    assert messages[0] == ["head", "a" * 40, "b" * 40]  # 4 + 2 + 40 + 2 + 40 = 88
    assert messages[1:] == [["more", "c" * 40], ["more", "d" * 200], ["more", "e"]]
    assert pack(["x" * 60, "y" * 38], 100, len) == [["x" * 60, "y" * 38]]  # 60 + 2 + 38
    assert pack(["x" * 60, "y" * 39], 100, len) == [["x" * 60], ["y" * 39]]
    assert pack([], 100, len) == [[]]


words = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)
hrefs = st.sampled_from([URL, "https://x.vn/a b", "https://x.vn/?q=<b>&amp;"])
leaves = st.one_of(
    words,
    st.builds(lambda t: bold(t), words),
    st.builds(lambda t: italic(bold(t)), words),
    st.builds(lambda t: code(t), words),
    st.builds(lambda url, t: link(url, t, bold(t)), hrefs, words),
)
blocks = st.lists(leaves, max_size=6).map(tuple)


@settings(max_examples=200, deadline=None)
@given(st.lists(blocks, max_size=5))
def test_any_message_is_valid_telegram_html_showing_exactly_its_plain_text(
    parts: list[tuple[object, ...]],
) -> None:
    body = message(*parts)  # type: ignore[arg-type]
    check_telegram_html(body.html, 10**6)
    assert parse_telegram_html(body.html) == body.plain("none")
    assert body.length == units(body.plain("none"))
    assert parse_html(body.html).plain("none") == body.plain("none")
