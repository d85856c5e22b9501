"""Where a rendered article's links go: the original page while it lives, else the archive."""

from __future__ import annotations

from dataclasses import replace

from anbien_bot.delivery.links import ArticleLinks
from anbien_bot.delivery.message import Message
from anbien_bot.delivery.render import (
    TEXT_LIMIT,
    RenderedPost,
    render_plain,
    render_post,
    render_post_list,
    render_post_list_chunks,
)
from tests.telegram_rules import check_telegram_html
from tests.test_render import NAMES, URL, article

BOT = "anbien_test_bot"
ARCHIVE = f"https://t.me/{BOT}?start=a1"


def test_a_post_reads_more_on_its_original_while_it_lives_and_in_the_archive_after() -> None:
    text_only = article(image_url=None)
    alive = render_post(text_only, "vi", NAMES, ArticleLinks(BOT))
    assert f'<a href="{URL}">Xem chi tiết</a>' in alive.text
    assert alive.link_preview_url == URL
    dead = render_post(text_only, "vi", NAMES, ArticleLinks(BOT, frozenset({URL})))
    assert f'<a href="{ARCHIVE}">Xem chi tiết</a>' in dead.text
    assert URL not in dead.text
    assert dead.link_preview_url is None  # no preview of a page that is gone
    assert render_post(text_only, "vi", NAMES) == alive  # and as posts always were


def test_a_list_links_titles_to_the_archive_and_keeps_live_originals_beside_them() -> None:
    gone = replace(article(), id=2, url=URL + "?id=2")
    links = ArticleLinks(BOT, frozenset({gone.url}))
    listing = render_post_list([article(), gone], "vi", NAMES, links=links)
    first, second = listing.split("\n\n")[1:]
    assert first.startswith(f'• <a href="{ARCHIVE}">Huyện triển khai')
    assert first.endswith(f' · <a href="{URL}">Trang gốc</a>')
    assert second.startswith(f'• <a href="https://t.me/{BOT}?start=a2">')
    assert "Trang gốc" not in second
    check_telegram_html(listing, TEXT_LIMIT)
    # Without the bot's username the titles link the originals, as they always did.
    assert f'• <a href="{URL}">' in render_post_list([article()], "vi", NAMES)


def test_long_lists_with_two_links_an_item_stay_within_telegrams_limits() -> None:
    many = [replace(article(), id=n, url=f"{URL}?id={n}", title="Tin " * 70) for n in range(60)]
    chunks = render_post_list_chunks(many, "vi", NAMES, links=ArticleLinks(BOT))
    assert len(chunks) > 1
    for chunk in chunks:
        check_telegram_html(chunk.html, TEXT_LIMIT)
        # The plain fallback, addresses written out, fits too (or leaves them out).
        plain = render_plain(RenderedPost(Message(chunk.blocks), None, None))
        assert len(plain.encode("utf-16-le")) // 2 <= TEXT_LIMIT
