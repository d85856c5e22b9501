"""The whole article in the store: its body's blocks come back as they went in, the text is
kept once, and an article stored before (text only) is completed by a later copy."""

from __future__ import annotations

from datetime import UTC, datetime

from anbien_bot.models import BodyBlock, Entry, body_text
from anbien_bot.store import Store
from anbien_bot.text.search import parse_query
from anbien_bot.values import BlockKind

NOW = datetime(2026, 11, 3, 8, 0, tzinfo=UTC)
BLOCKS = (
    BodyBlock(BlockKind.PARAGRAPH, "Sáng 3/11, UBND xã tổ chức hội nghị triển khai kế hoạch."),
    BodyBlock(BlockKind.IMAGE, "Quang cảnh hội nghị.", "https://xa.gov.vn/anh/hoi-nghi.jpg"),
    BodyBlock(BlockKind.HEADING, "Những việc cần làm ngay"),
    BodyBlock(BlockKind.ITEM, "Gia cố nhà cửa trước mùa mưa bão."),
    BodyBlock(BlockKind.ROW, "Ấp Xẻo Nhàu | 120 hộ"),
    BodyBlock(BlockKind.QUOTE, "Không để người dân nào bị bỏ lại phía sau."),
    BodyBlock(BlockKind.IMAGE, "", "https://xa.gov.vn/anh/khong-chu-thich.jpg"),
)


def entry(key: str = "1", **fields: object) -> Entry:
    values: dict[str, object] = {
        "key": key,
        "url": f"https://xa.gov.vn/tin/{key}.html",
        "title": "Hội nghị triển khai kế hoạch phòng chống thiên tai",
        "published": NOW,
    }
    values.update(fields)
    return Entry(**values)  # type: ignore[arg-type]


async def test_blocks_come_back_in_order_with_their_captions(store: Store) -> None:
    result = await store.store_entries(
        "Cổng xã", ["tin-tuc"], [entry(body=body_text(BLOCKS), blocks=BLOCKS)], now=NOW, plan=None
    )
    article = await store.article(result.new[0])
    assert article is not None
    assert article.blocks == BLOCKS
    assert article.body == body_text(BLOCKS)
    assert "Quang cảnh" not in article.body  # a caption is the photo's, not a paragraph


async def test_the_text_is_stored_once(store: Store) -> None:
    await store.store_entries(
        "Cổng xã", ["tin-tuc"], [entry(body=body_text(BLOCKS), blocks=BLOCKS)], now=NOW, plan=None
    )
    async with store.db.reading() as conn:
        row = await (await conn.execute("SELECT body, blocks FROM articles")).fetchone()
    assert row["body"] == ""
    assert "Gia cố nhà cửa" in row["blocks"]


async def test_an_article_kept_as_text_is_completed_by_its_whole_copy(store: Store) -> None:
    old = entry(body="Sáng 3/11, UBND xã tổ chức hội nghị triển khai kế hoạch.")
    first = await store.store_entries("Cổng xã", ["tin-tuc"], [old], now=NOW, plan=None)
    article_id = first.new[0]
    whole = entry(body=body_text(BLOCKS), blocks=BLOCKS)
    await store.store_entries("Cổng xã", ["tin-tuc"], [whole], now=NOW, plan=None)
    article = await store.article(article_id)
    assert article is not None
    assert article.blocks == BLOCKS
    # A thinner copy later (a feed item without its page) does not take the blocks away.
    await store.store_entries("Cổng xã", ["tin-tuc"], [entry(body="")], now=NOW, plan=None)
    again = await store.article(article_id)
    assert again is not None
    assert again.blocks == BLOCKS
    typed = parse_query("gia co nha cua")
    assert typed is not None
    assert [a.id for a in (await store.search(typed)).articles] == [article_id]
