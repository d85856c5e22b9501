"""Hostile articles rendered, then sent to the fake Bot API: as HTML and as the plain fallback.

The fake refuses what Telegram refuses (bad HTML, too long), so each accepted send proves the
message valid; what it shows is compared with what the article said.
"""

from __future__ import annotations

import html
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from telegram import Bot
from telegram.constants import ParseMode

from anbien_bot.config import load_config
from anbien_bot.delivery.planner import Planner
from anbien_bot.delivery.render import CAPTION_LIMIT, RenderedPost, render_plain, render_post
from anbien_bot.models import Article, Attachment, Entry
from anbien_bot.store import Store
from tests.fake_telegram import FakeTelegram
from tests.harness import eventually, sending, write_config
from tests.telegram_rules import utf16_length

URL = "https://anbien.kiengiang.gov.vn/trang/TinTuc/17/2001/thong-bao.html"
IMAGE = "https://anbien.kiengiang.gov.vn/PublishingImages/bao-so-3.jpg"
PUBLISHED = datetime(2024, 9, 6, 1, 0, tzinfo=UTC)
NAMES = {"thong-bao": "Thông báo <&>"}
SCRIPT = '<script>alert("x")</script> Lúa & tôm <b> \'giá\' "tốt"'
MARKUP = re.compile(r"</?(?:b|i|a|code|pre)\b[^>]*>|&(?:[a-z]+|#x?[0-9a-f]+);")


def article(**changes: object) -> Article:
    base = Article(
        id=1,
        url=URL,
        title="Thông báo lịch cúp điện",
        summary="Điện lực An Biên thông báo lịch tạm ngừng cung cấp điện.",
        image_url=IMAGE,
        published=PUBLISHED,
        first_seen=PUBLISHED,
        categories=("thong-bao",),
    )
    return replace(base, **changes)


HOSTILE = {
    "markup and quotes": article(title=SCRIPT, summary="Giá&nbsp;lúa <i>tăng</i> 5% & ổn định"),
    "entities as text": article(title="&amp;lt; &#39; &#x1F600; &quot;", summary="a &lt; b"),
    "javascript links": article(
        url="javascript:alert(1)",
        image_url="javascript:alert(2)",
        attachments=(
            Attachment("Mã độc", "javascript:alert(3)"),
            Attachment("<b>&amp;", 'https://x.vn/a?b=1&c="2"&d=<3>'),
        ),
    ),
    "long caption": article(
        title="Tiêu đề & <dài> " * 320,
        summary="Nội dung & <ghi chú> ngày 29/05/2024 tại ấp Xẻo Nhàu. " * 200,
        attachments=tuple(
            Attachment(f"Tệp <{n}> & ", f"https://x.vn/{'a' * 300}/{n}.pdf") for n in range(5)
        ),
    ),
    "long text": article(image_url=None, summary="Thông báo & <lưu ý>. " * 600),
    "odd unicode": article(
        title="Vie\u0302\u0323t Nam \u202eRTL\u202c 😀🌾\u200f \x00\x1b\u2028 ư\u0301",
        summary="🌾" * 3000 + "\U0001f1fb\U0001f1f3 \ufeff\u0301 \U000e0001",
    ),
}


def markup_in(text: str) -> set[str]:
    return set(MARKUP.findall(text))


async def send(bot: Bot, post: RenderedPost, text: str, *, plain: bool) -> str:
    """Send as the courier does and return the text the chat shows (refusals raise)."""
    mode = None if plain else ParseMode.HTML
    if post.photo:
        sent = await bot.send_photo(1, post.photo, caption=text, parse_mode=mode)
        return sent.caption or ""
    sent = await bot.send_message(1, text, parse_mode=mode)
    return sent.text or ""


@pytest.mark.parametrize("name", HOSTILE)
async def test_hostile_article_is_accepted_as_html_and_as_plain_text(name: str, api: Bot) -> None:
    post = render_post(HOSTILE[name], "vi", NAMES)
    plain = render_plain(post)
    shown_html = await send(api, post, post.text, plain=False)
    shown_plain = await send(api, post, plain, plain=True)
    assert shown_html == post.message.plain("none") != ""
    addresses = [html.unescape(a) for a in re.findall(r'<a href="([^"]*)">', post.text)]
    assert all(a.startswith(("http://", "https://")) for a in addresses)
    assert shown_plain == plain
    # The plain text holds no tag or entity the reader of the HTML did not see as text.
    assert markup_in(plain) <= markup_in(" ".join([shown_html, *addresses]))
    stripped = plain
    for address in addresses:
        stripped = stripped.replace(f" ({address})", "")
    if utf16_length(post.message.plain()) <= (CAPTION_LIMIT if post.photo else 4096):
        assert stripped == shown_html  # nothing to cut: the same words, addresses added


async def test_html_refused_for_a_hostile_post_arrives_as_its_plain_text(
    tmp_path: Path, fake: FakeTelegram, api: Bot, store: Store
) -> None:
    path = write_config(tmp_path, telegram={}, delivery={"messages_per_second": 0})
    config = load_config(path, environ={})
    hostile = Entry(key="2001", url=URL, title=SCRIPT, summary="Giá &amp; lúa", image_url=IMAGE)
    hostile = replace(hostile, published=PUBLISHED + timedelta(hours=1))
    await store.upsert_chat(1, "private", "vi")
    await store.subscribe(1, ["thong-bao"])
    await store.store_entries("Báo tỉnh", ["thong-bao"], [hostile], now=PUBLISHED, plan=Planner())
    refusal = "Bad Request: can't parse entities: Unsupported start tag at byte 3"
    fake.fail(1, "sendPhoto", code=400, description=refusal)

    async def delivered() -> bool:
        return await store.pending_deliveries() == 0

    async with sending(api, store, config):
        await eventually(delivered, timeout=15)
    (sent,) = fake.sent_to(1)
    assert "parse_mode" not in sent.params
    caption = sent.params["caption"]
    assert caption.startswith(SCRIPT + "\n")
    assert "Giá &amp; lúa" in caption  # as the feed wrote it, not escaped a second time
    assert f"Xem chi tiết ({URL})" in caption
    assert "&lt;" not in caption
    assert "</b>" not in caption
