"""The whole article in the store: its body's blocks come back as they went in, the text is
kept once, and an article stored before (text only) is completed by a later copy."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from anbien_bot.models import BodyBlock, Entry, body_text
from anbien_bot.store import Store
from anbien_bot.store.articles import decode_blocks
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


LONG = tuple(
    BodyBlock(BlockKind.PARAGRAPH, text)
    for text in (
        "Sáng 3/11, Ủy ban nhân dân xã tổ chức hội nghị triển khai kế hoạch phòng, chống thiên "
        "tai và tìm kiếm cứu nạn năm 2026 với sự tham dự của lãnh đạo các ấp và ban ngành.",
        "Theo báo cáo, trong năm qua trên địa bàn xã xảy ra ba đợt triều cường gây sạt lở "
        "khoảng 400 mét bờ kênh, làm hư hỏng một số đoạn đường giao thông nông thôn.",
        "Hội nghị thống nhất phân công lực lượng trực ứng phó tại từng ấp, chuẩn bị phương tiện, "
        "vật tư và lương thực dự phòng; rà soát các hộ dân sống ven sông, ven biển.",
        "Ban Chỉ huy Quân sự xã được giao phối hợp với Công an xã hướng dẫn người dân gia cố nhà "
        "cửa, chằng chống mái tôn và di dời đến nơi an toàn khi có bão hoặc áp thấp nhiệt đới.",
        "Phát biểu kết luận, đồng chí Chủ tịch Ủy ban nhân dân xã đề nghị các ngành, đoàn thể "
        "tăng cường tuyên truyền để bà con chủ động theo dõi tin thời tiết trên loa truyền thanh.",
    )
)


async def test_the_text_is_stored_once_and_compressed(store: Store) -> None:
    await store.store_entries(
        "Cổng xã", ["tin-tuc"], [entry(body=body_text(LONG), blocks=LONG)], now=NOW, plan=None
    )
    async with store.db.reading() as conn:
        row = await (await conn.execute("SELECT body, blocks FROM articles")).fetchone()
    assert row["body"] == ""
    assert decode_blocks(row["blocks"]) == LONG
    assert len(row["blocks"]) < 0.7 * len(body_text(LONG).encode())


async def test_blocks_stored_before_compression_still_read(store: Store) -> None:
    result = await store.store_entries(
        "Cổng xã", ["tin-tuc"], [entry(body=body_text(BLOCKS), blocks=BLOCKS)], now=NOW, plan=None
    )
    plain = json.dumps([[b.kind.value, b.text, *([b.url] if b.url else [])] for b in BLOCKS])
    async with store.db.transaction() as conn:
        await conn.execute("UPDATE articles SET blocks = ?", (plain,))
    article = await store.article(result.new[0])
    assert article is not None
    assert article.blocks == BLOCKS
    assert article.body == body_text(BLOCKS)


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
