"""The reading where other parts of the archive meet it: a deep link opens an article with
its "Đọc toàn văn" button for someone who never subscribed, and a published Telegraph page
opens the reading in Instant View before the text follows in the chat."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from anbien_bot.models import BodyBlock, Entry, body_text
from anbien_bot.values import BlockKind
from tests.conversation import ask, buttons, store_of
from tests.fake_telegram import FakeTelegram
from tests.test_reading import READ, app, press, texts_of

__all__ = ["app"]  # the running bot of test_reading, served to these tests too

NEWCOMER = 3003
PUBLISHED = datetime(2025, 6, 20, 1, 30, tzinfo=UTC)
LAST = "Đoạn cuối: bà con ấp Xẻo Nhàu chủ động gia cố nhà cửa."
BLOCKS = (
    BodyBlock(BlockKind.PARAGRAPH, "Ban Chỉ huy phòng chống thiên tai xã họp khẩn."),
    BodyBlock(BlockKind.HEADING, "Những việc cần làm ngay"),
    BodyBlock(BlockKind.ITEM, "Kiểm tra đê bao, cống ngăn mặn."),
    BodyBlock(BlockKind.PARAGRAPH, LAST),
)

pytestmark = pytest.mark.telegram(may_refuse=())


async def stored(app: Any) -> int:
    """Store an article nobody subscribed to; return its id."""
    entry = Entry(
        key="hop-khan",
        url="https://xa.example.vn/tin/hop-khan.html",
        title="Họp khẩn ứng phó triều cường",
        summary="Ban Chỉ huy phòng chống thiên tai xã họp khẩn.",
        published=PUBLISHED,
        body=body_text(BLOCKS),
        blocks=BLOCKS,
    )
    result = await store_of(app).store_entries(
        "Cổng", ["thong-bao"], [entry], now=PUBLISHED, plan=None
    )
    return result.new[0]


async def test_a_deep_link_opens_the_article_with_its_reading_button(
    fake: FakeTelegram, app: Any
) -> None:
    article_id = await stored(app)
    post = await ask(fake, NEWCOMER, f"/start a{article_id}")
    assert buttons(post) == [(READ, f"r:{article_id}:1")]

    await press(fake, app, NEWCOMER, f"r:{article_id}:1")
    reading = "\n".join(texts_of(fake.sent_to(NEWCOMER)[1:]))
    assert "• Kiểm tra đê bao, cống ngăn mặn." in reading
    assert LAST in reading


async def test_a_telegraph_page_opens_the_reading_in_instant_view(
    fake: FakeTelegram, app: Any
) -> None:
    article_id = await stored(app)
    page = "https://telegra.ph/Hop-khan-ung-pho-trieu-cuong-06-20"
    await store_of(app).record_telegraph_page(article_id, page, "Hop-khan", PUBLISHED)

    await press(fake, app, NEWCOMER, f"r:{article_id}:1")
    opening, *reading = fake.sent_to(NEWCOMER)
    assert opening.method == "sendMessage"
    assert f'href="{page}"' in opening.params["text"]
    assert opening.params["link_preview_options"]["url"] == page  # Instant View's preview
    assert LAST in "\n".join(texts_of(reading))  # the reading still follows in the chat
