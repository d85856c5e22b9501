"""A feed's full content gives blocks as an article page does; hostile pages and feed items
(scripts, 5,000 nested tags, 2 MB of text, javascript: links) read as plain safe text."""

from __future__ import annotations

from anbien_bot.models import Selectors, body_text
from anbien_bot.sources.extract import parse_article
from anbien_bot.sources.feedbody import item_body
from anbien_bot.sources.feeds import parse_feed
from anbien_bot.values import BlockKind

K = BlockKind
URL = "https://xa.example.vn/tin/1.html"


def feed(content: str) -> bytes:
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0' "
        "xmlns:content='http://purl.org/rss/1.0/modules/content/'><channel><title>Xã</title>"
        f"<link>https://xa.example.vn/</link><item><title>Lịch cúp điện</title><link>{URL}</link>"
        "<description>Tạm ngưng cung cấp điện.</description>"
        f"<content:encoded><![CDATA[{content}]]></content:encoded></item></channel></rss>"
    ).encode()


def test_a_feeds_full_content_gives_blocks_as_a_page_does() -> None:
    content = (
        "<p>Điện lực An Biên thông báo tạm ngưng cung cấp điện để bảo trì lưới điện.</p>"
        "<h3>Khu vực mất điện</h3><ul><li>Ấp Xẻo Đước</li><li>Ấp Bào Trâm</li></ul>"
        "<p><img src='/files/luoi-dien.jpg' width='600' height='400'></p>"
        "<p><em>Ảnh: Công nhân bảo trì lưới điện.</em></p>"
        "<table><tr><td>Thời gian</td><td>7:00 - 17:00</td></tr></table>"
        "<p><a href='/files/lich-cup-dien.pdf'>Lịch chi tiết</a></p>"
    )
    (entry,) = parse_feed(feed(content), url="https://xa.example.vn/rss.xml")
    assert [(b.kind, b.text) for b in entry.blocks] == [
        (K.PARAGRAPH, "Điện lực An Biên thông báo tạm ngưng cung cấp điện để bảo trì lưới điện."),
        (K.HEADING, "Khu vực mất điện"),
        (K.ITEM, "Ấp Xẻo Đước"),
        (K.ITEM, "Ấp Bào Trâm"),
        (K.IMAGE, "Ảnh: Công nhân bảo trì lưới điện."),
        (K.ROW, "Thời gian | 7:00 - 17:00"),
        (K.PARAGRAPH, "Lịch chi tiết"),
    ]
    assert entry.blocks[4].url == "https://xa.example.vn/files/luoi-dien.jpg"
    assert entry.body == body_text(entry.blocks)
    assert [a.url for a in entry.attachments] == ["https://xa.example.vn/files/lich-cup-dien.pdf"]


HOSTILE = (
    "<h1>Thông báo</h1><script>alert('xss')</script><style>p{}</style>"
    "<p onclick=\"alert(1)\">Người dân <a href='javascript:alert(1)'>bấm vào đây</a> để xem.</p>"
    "<img src='javascript:alert(1)' width='500' height='500'>"
    "<img src='data:image/png;base64,AAAA' width='500' height='500'>"
    + "<p>"
    + "chữ " * 500_000  # 2 MB of text
    + "</p>"
    + "<div>" * 5000
    + "<p>Sâu</p>"
    + "</div>" * 5000
    + "<b><i>" * 2500
    + "đậm"
    + "</i></b>" * 2500
    + "<table><tr><td>a</td><td>" * 1000
    + "x"
    + "</td></tr></table>" * 1000
    + "<ul><li>mục" * 2000
    + "</li></ul>" * 2000
)


def safe(blocks: tuple) -> None:
    for block in blocks:
        assert "alert" not in block.text
        assert block.url == "" or block.url.startswith("https://")


def test_a_hostile_page_reads_as_plain_safe_text() -> None:
    page = parse_article(f"<html><body>{HOSTILE}</body></html>", URL, Selectors())
    safe(page.blocks)
    assert page.body == body_text(page.blocks)
    assert "Người dân bấm vào đây để xem." in page.body
    assert not [b for b in page.blocks if b.kind is K.IMAGE]
    assert max(len(b.text) for b in page.blocks) == len("chữ " * 500_000) - 1  # whole, stripped


def test_a_hostile_feed_item_reads_as_plain_safe_text() -> None:
    (entry,) = parse_feed(feed(HOSTILE), url="https://xa.example.vn/rss.xml")
    safe(entry.blocks)
    assert entry.body == body_text(entry.blocks)
    assert "Người dân bấm vào đây để xem." in entry.body
    body = item_body(HOSTILE, URL)
    safe(body.blocks)
    assert item_body("", URL).blocks == ()
    assert item_body("   ", URL).blocks == ()
