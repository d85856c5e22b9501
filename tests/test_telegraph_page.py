"""An article as a Telegraph page: its nodes, its images hot-linked, and Telegraph's 64 KB."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anbien_bot.delivery.telegraph import (
    ALLOWED_TAGS,
    CONTENT_LIMIT,
    build_page,
    content_size,
    telegraph_message,
)
from anbien_bot.models import Article, Attachment, BodyBlock, body_text
from anbien_bot.values import BlockKind

NOW = datetime(2026, 11, 3, 1, 30, tzinfo=UTC)
READING = "https://t.me/anbien_test_bot?start=a7"
PHOTO = "https://xa.gov.vn/anh/hoi-nghi.jpg"
BLOCKS = (
    BodyBlock(BlockKind.PARAGRAPH, "Sáng 3/11, UBND xã tổ chức hội nghị triển khai kế hoạch."),
    BodyBlock(BlockKind.IMAGE, "Quang cảnh hội nghị.", PHOTO),
    BodyBlock(BlockKind.HEADING, "Những việc cần làm ngay"),
    BodyBlock(BlockKind.ITEM, "Gia cố nhà cửa trước mùa mưa bão."),
    BodyBlock(BlockKind.ITEM, "Dự trữ lương thực, nước uống."),
    BodyBlock(BlockKind.ROW, "Ấp Xẻo Nhàu | 120 hộ"),
    BodyBlock(BlockKind.QUOTE, "Không để người dân nào bị bỏ lại phía sau."),
    BodyBlock(BlockKind.IMAGE, "", "https://xa.gov.vn/anh/khong-chu-thich.jpg"),
)


def article(**fields: Any) -> Article:
    values: dict[str, Any] = {
        "id": 7,
        "url": "https://xa.gov.vn/tin/7.html",
        "title": "Hội nghị triển khai kế hoạch phòng chống thiên tai",
        "summary": "",
        "image_url": None,
        "published": NOW,
        "first_seen": NOW,
    }
    values.update(fields)
    if values.get("blocks") and "body" not in fields:
        values["body"] = body_text(values["blocks"])
    return Article(**values)


def tags(nodes: Any) -> list[str]:
    """Return every tag of nodes, depth first."""
    found: list[str] = []
    for node in nodes:
        if isinstance(node, dict):
            found += [node["tag"], *tags(node.get("children", []))]
    return found


def texts(node: Any) -> str:
    if isinstance(node, str):
        return node
    return "".join(texts(child) for child in node.get("children", []))


def test_every_block_kind_becomes_its_node_and_photos_are_hot_linked() -> None:
    whole = article(
        blocks=BLOCKS,
        author="Tin và ảnh: Thanh Vũ",
        attachments=(Attachment("Kế hoạch số 12", "https://xa.gov.vn/files/kh-12.pdf"),),
    )
    page = build_page(whole, reading_link=READING)
    content = list(page.content)
    assert page.title == whole.title
    assert not page.cut
    assert content[0] == {"tag": "p", "children": [{"tag": "i", "children": ["03/11/2026 08:30"]}]}
    body = content[1:]
    assert body[0] == {"tag": "p", "children": [BLOCKS[0].text]}
    assert body[1] == {
        "tag": "figure",
        "children": [
            {"tag": "img", "attrs": {"src": PHOTO}},  # our stored address, not an upload
            {"tag": "figcaption", "children": ["Quang cảnh hội nghị."]},
        ],
    }
    assert body[2] == {"tag": "h3", "children": ["Những việc cần làm ngay"]}
    assert body[3] == {
        "tag": "ul",
        "children": [
            {"tag": "li", "children": ["Gia cố nhà cửa trước mùa mưa bão."]},
            {"tag": "li", "children": ["Dự trữ lương thực, nước uống."]},
        ],
    }
    assert body[4] == {"tag": "p", "children": ["Ấp Xẻo Nhàu | 120 hộ"]}
    assert body[5] == {
        "tag": "blockquote",
        "children": ["Không để người dân nào bị bỏ lại phía sau."],
    }
    assert body[6] == {"tag": "img", "attrs": {"src": "https://xa.gov.vn/anh/khong-chu-thich.jpg"}}
    assert body[7] == {
        "tag": "p",
        "children": [{"tag": "i", "children": ["Tin và ảnh: Thanh Vũ"]}],
    }
    assert body[8] == {"tag": "h4", "children": ["Tệp đính kèm"]}
    assert body[9]["children"][0]["children"][0] == {
        "tag": "a",
        "attrs": {"href": "https://xa.gov.vn/files/kh-12.pdf"},
        "children": ["Kế hoạch số 12"],
    }
    assert body[10] == {
        "tag": "p",
        "children": [{"tag": "a", "attrs": {"href": whole.url}, "children": ["Xem bài gốc"]}],
    }
    assert len(body) == 11
    assert set(tags(content)) <= ALLOWED_TAGS


def test_an_old_article_gives_its_photo_then_its_paragraphs() -> None:
    old = article(
        summary="UBND xã họp bàn kế hoạch phòng chống thiên tai năm 2026.",
        body="Đoạn thứ nhất.\n\nĐoạn thứ hai.",
        image_url=PHOTO,
    )
    content = list(build_page(old, reading_link=READING).content)
    assert content[1] == {
        "tag": "p",
        "children": [{"tag": "strong", "children": [old.summary]}],
    }
    assert content[2] == {"tag": "figure", "children": [{"tag": "img", "attrs": {"src": PHOTO}}]}
    assert content[3:5] == [
        {"tag": "p", "children": ["Đoạn thứ nhất."]},
        {"tag": "p", "children": ["Đoạn thứ hai."]},
    ]


def test_a_lead_that_is_the_first_paragraph_is_not_repeated() -> None:
    whole = article(blocks=BLOCKS, summary=BLOCKS[0].text)
    content = build_page(whole, reading_link=READING).content
    assert [texts(node) for node in content].count(BLOCKS[0].text) == 1


def test_a_200_kb_article_is_cut_between_blocks_within_the_limit_and_ends_with_the_bot() -> None:
    paragraphs = [
        f"Đoạn {i}: " + "người dân xã An Biên chuẩn bị mùa mưa bão. " * 8 for i in range(600)
    ]
    blocks = tuple(BodyBlock(BlockKind.PARAGRAPH, p) for p in paragraphs)
    long = article(blocks=blocks)
    assert len(long.body.encode()) > 200_000
    page = build_page(long, reading_link=READING)
    assert page.cut
    encoded = page.encoded.encode("utf-8")
    assert len(encoded) <= CONTENT_LIMIT
    assert content_size(page.content) == len(encoded)
    assert len(encoded) > CONTENT_LIMIT - 1000  # filled, not cut early
    shown = [texts(n) for n in page.content]
    kept = [p for p in paragraphs if p in shown]
    assert kept == paragraphs[: len(kept)]  # whole paragraphs, in order, none cut inside
    last = page.content[-1]
    assert last["tag"] == "aside"
    assert last["children"][-1] == {
        "tag": "a",
        "attrs": {"href": READING},
        "children": ["Đọc toàn văn trong bot"],
    }


def test_one_enormous_paragraph_still_gives_a_page_cut_at_a_word() -> None:
    huge = article(body="chữ " * 600_000)  # 3 MB of text in one paragraph
    page = build_page(huge, reading_link=None)
    assert page.cut
    assert content_size(page.content) <= CONTENT_LIMIT
    text = texts(page.content[1])
    assert len(text) > 10_000
    assert text.endswith("chữ…")
    # Without a link to the bot, the note links to the original.
    assert page.content[-1]["children"][-1]["attrs"] == {"href": huge.url}


def test_hostile_text_stays_text_and_unsafe_links_are_dropped() -> None:
    hostile = article(
        title="<script>alert(1)</script>",
        blocks=(
            BodyBlock(BlockKind.PARAGRAPH, '<b onclick="x">"quoted" \\ </p><iframe src=x>'),
            BodyBlock(BlockKind.IMAGE, "ảnh", "javascript:alert(1)"),
        ),
        attachments=(Attachment("virus", "javascript:alert(2)"),),
        url="javascript:alert(3)",
    )
    page = build_page(hostile, reading_link=READING)
    assert page.title == "<script>alert(1)</script>"  # a title is text to Telegraph
    assert page.content[1] == {"tag": "p", "children": [hostile.blocks[0].text]}
    assert "javascript" not in page.encoded
    assert set(tags(page.content)) <= {"p", "i"}
    assert json.loads(page.encoded) == list(page.content)


def test_a_thousand_attachments_or_an_endless_address_still_fit() -> None:
    files = tuple(Attachment(f"Tệp {i}", f"https://xa.gov.vn/f/{i}.pdf") for i in range(5000))
    crowded = article(body="Một đoạn.", attachments=files, url="https://xa.gov.vn/" + "a" * 90_000)
    page = build_page(crowded, reading_link=READING)
    assert content_size(page.content) <= CONTENT_LIMIT
    assert "Một đoạn." in [texts(n) for n in page.content]
    listed = [n for n in page.content if n["tag"] == "ul"]
    assert 10 <= len(listed[0]["children"]) <= 100
    assert "a" * 90_000 not in page.encoded


nodes_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=3000)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(st.sampled_from(list(BlockKind)), nodes_text), min_size=1, max_size=60),
    st.integers(min_value=2_000, max_value=20_000),
)
def test_any_article_fits_any_limit_with_telegraph_tags_only(
    raw: list[tuple[BlockKind, str]], limit: int
) -> None:
    blocks = tuple(
        BodyBlock(kind, text, PHOTO if kind is BlockKind.IMAGE else "") for kind, text in raw
    )
    page = build_page(article(blocks=blocks), reading_link=READING, limit=limit)
    assert content_size(page.content) <= limit
    assert set(tags(page.content)) <= ALLOWED_TAGS
    if page.cut:
        assert page.content[-1]["children"][-1]["attrs"] == {"href": READING}


def test_the_reading_opens_with_a_link_to_the_page_shown_as_instant_view() -> None:
    opening = telegraph_message("Hội nghị <b>&", "https://telegra.ph/Hoi-nghi-11-03", "vi")
    assert opening.photo is None
    assert opening.link_preview_url == "https://telegra.ph/Hoi-nghi-11-03"
    assert opening.text == (
        "📖 <b>Đọc toàn văn</b> (mở ngay trong Telegram):\n\n"
        '<a href="https://telegra.ph/Hoi-nghi-11-03"><b>Hội nghị &lt;b&gt;&amp;</b></a>'
    )
    assert "Read in full" in telegraph_message("x", "https://telegra.ph/x", "en").text
