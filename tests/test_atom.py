"""The Atom feed as a document (delivery/atom.py): what RFC 4287 requires of it, the article's
body as HTML in reading order, and hostile text that cannot break the XML."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import feedparser
import lxml.html
from lxml import etree

from anbien_bot.delivery.atom import (
    ATOM,
    CONTENT_LIMIT,
    FeedInfo,
    build_feed,
    entry_id,
    feed_id,
    xml_text,
)
from anbien_bot.models import Article, Attachment, BodyBlock, body_text
from anbien_bot.values import BlockKind

NOW = datetime(2026, 11, 3, 8, 0, tzinfo=UTC)
NAMES = {"thong-bao": "Thông báo", "hoat-dong-huyen-uy": "Hoạt động Huyện ủy"}
WHOLE = (
    BodyBlock(BlockKind.PARAGRAPH, "Sáng 3/11, UBND xã tổ chức hội nghị triển khai kế hoạch."),
    BodyBlock(BlockKind.IMAGE, "Quang cảnh hội nghị.", "https://xa.gov.vn/anh/hoi-nghi.jpg"),
    BodyBlock(BlockKind.HEADING, "Những việc cần làm ngay"),
    BodyBlock(BlockKind.ITEM, "Gia cố nhà cửa trước mùa mưa bão."),
    BodyBlock(BlockKind.ITEM, "Dự trữ lương thực, nước uống."),
    BodyBlock(BlockKind.ROW, "Ấp Xẻo Nhàu | 120 hộ"),
    BodyBlock(BlockKind.ROW, "Ấp Kênh Tư | 85 hộ"),
    BodyBlock(BlockKind.QUOTE, "Không để người dân nào bị bỏ lại phía sau."),
    BodyBlock(BlockKind.IMAGE, "", "https://xa.gov.vn/anh/khong-chu-thich.jpg"),
    BodyBlock(BlockKind.PARAGRAPH, "Hội nghị kết thúc lúc 11 giờ cùng ngày."),
)
HOSTILE_TITLE = "Tin </title></entry> ]]> <script>alert(1)</script> &amp; \x00\x08\x1b\ufffe"


def article(article_id: int, **fields: object) -> Article:
    """Return a stored article published article_id hours before NOW."""
    published = NOW - timedelta(hours=article_id)
    values: dict[str, object] = {
        "id": article_id,
        "url": f"https://xa.gov.vn/tin/{article_id}.html?a=1&b=2",
        "title": f"Tin số {article_id}",
        "summary": f"Tóm tắt tin {article_id}.",
        "image_url": None,
        "published": published,
        "first_seen": published + timedelta(minutes=5),
        "categories": ("thong-bao",),
    }
    values.update(fields)
    return Article(**values)  # type: ignore[arg-type]


def whole(article_id: int = 1) -> Article:
    return article(
        article_id,
        blocks=WHOLE,
        body=body_text(WHOLE),
        author="Minh Thư",
        attachments=(
            Attachment("Kế hoạch số 12/KH-UBND", "https://xa.gov.vn/files/kh-12.pdf"),
            Attachment("script", "javascript:alert(1)"),
        ),
    )


def info(key: str = "all") -> FeedInfo:
    return FeedInfo(key, "Cổng xã", "https://xa.example.vn/feeds/all.atom", "Cổng xã", NAMES)


def check_rfc4287(document: bytes) -> etree._Element:
    """Parse a feed strictly and assert the elements RFC 4287 requires; return its root."""
    root = etree.fromstring(document)  # raises on anything that is not well-formed XML
    assert root.tag == f"{{{ATOM}}}feed"
    assert_one_each(root, ("id", "title", "updated"))
    selfs = [link for link in children(root, "link") if link.get("rel") == "self"]
    assert len(selfs) == 1
    entries = children(root, "entry")
    # 4.1.1: a feed has an author, unless every entry has one.
    assert children(root, "author") or all(children(e, "author") for e in entries)
    ids = []
    for entry in entries:
        assert_one_each(entry, ("id", "title", "updated"))
        assert len(children(entry, "published")) <= 1
        assert len(children(entry, "content")) <= 1
        # 4.1.2: an entry without content has a link rel="alternate".
        alternates = [link for link in children(entry, "link") if link.get("rel") == "alternate"]
        assert children(entry, "content") or alternates
        ids.append(children(entry, "id")[0].text)
    assert len(ids) == len(set(ids))
    return root


def assert_one_each(element: etree._Element, names: Sequence[str]) -> None:
    for name in names:
        found = children(element, name)
        assert len(found) == 1, name
        assert found[0].text, name
        if name == "updated":
            assert RFC3339.match(found[0].text), found[0].text
        if name == "id":
            assert re.match(r"^tag:[a-z0-9.-]+,\d{4}:\S+$", found[0].text), found[0].text


RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")


def children(element: etree._Element, name: str) -> list[etree._Element]:
    return element.findall(f"{{{ATOM}}}{name}")


def content_html(document: bytes, index: int = 0) -> lxml.html.HtmlElement:
    """Return an entry's content (type="html") parsed as HTML."""
    root = etree.fromstring(document)
    content = children(children(root, "entry")[index], "content")[0]
    assert content.get("type") == "html"
    return lxml.html.fragment_fromstring(content.text, create_parent="div")


def test_a_feed_has_every_element_rfc_4287_requires() -> None:
    articles = [whole(1), article(2, author=""), article(3, summary="", categories=())]
    document = build_feed(info(), articles)
    root = check_rfc4287(document)
    assert children(root, "updated")[0].text == "2026-11-03T07:05:00Z"  # newest arrival
    parsed = feedparser.parse(document)
    assert parsed.bozo == 0
    assert parsed.feed.title == "Cổng xã"
    assert parsed.feed.id == feed_id("all")
    assert parsed.feed.author == "Cổng xã"
    assert [e.id for e in parsed.entries] == [entry_id(1), entry_id(2), entry_id(3)]
    first = parsed.entries[0]
    assert first.link == "https://xa.gov.vn/tin/1.html?a=1&b=2"
    assert first.published == "2026-11-03T07:00:00Z"
    assert first.author == "Minh Thư"
    assert [(t.term, t.label) for t in first.tags] == [("thong-bao", "Thông báo")]
    assert first.summary == "Tóm tắt tin 1."
    assert "author" not in parsed.entries[1]  # the feed's (the portal) stands for it


def test_an_entry_id_is_the_article_id_whatever_the_feed_or_its_address() -> None:
    one = build_feed(info("all"), [whole(7)])
    other = build_feed(replace(info("thong-bao"), self_url="http://10.0.0.2:9108/x"), [whole(7)])
    assert feedparser.parse(one).entries[0].id == feedparser.parse(other).entries[0].id
    assert feedparser.parse(one).feed.id != feedparser.parse(other).feed.id


def test_the_content_is_the_whole_body_in_reading_order() -> None:
    body = content_html(build_feed(info(), [whole()]))
    order = [el.tag for el in body.iterchildren()]
    assert order == ["p", "figure", "h3", "ul", "table", "blockquote", "figure", "p", "div"]
    assert [p.text for p in body.findall("p")] == [
        WHOLE[0].text,
        "Hội nghị kết thúc lúc 11 giờ cùng ngày.",  # the last paragraph
    ]
    assert body.findtext("h3") == "Những việc cần làm ngay"
    assert [li.text for li in body.find("ul")] == [WHOLE[3].text, WHOLE[4].text]
    assert [[td.text for td in tr] for tr in body.iter("tr")] == [
        ["Ấp Xẻo Nhàu", "120 hộ"],
        ["Ấp Kênh Tư", "85 hộ"],
    ]
    assert body.find(".//blockquote").text_content() == WHOLE[7].text
    figures = body.findall(".//figure")
    assert [f.find("img").get("src") for f in figures] == [WHOLE[1].url, WHOLE[8].url]
    assert [f.findtext("figcaption") for f in figures] == ["Quang cảnh hội nghị.", None]
    links = [a.get("href") for a in body.iter("a")]
    assert links == ["https://xa.gov.vn/files/kh-12.pdf"]  # the javascript: one is left out


def test_an_article_stored_before_blocks_has_its_photo_and_paragraphs() -> None:
    old = article(
        1,
        body="Đoạn đầu.\n\nĐoạn giữa,\nhai dòng.\n\nĐoạn cuối.",
        image_url="https://xa.gov.vn/anh/dai-dien.jpg",
    )
    body = content_html(build_feed(info(), [old]))
    assert body.find(".//img").get("src") == "https://xa.gov.vn/anh/dai-dien.jpg"
    assert [p.text_content() for p in body.iter("p")] == [
        "Đoạn đầu.",
        "Đoạn giữa,hai dòng.",  # text_content() reads through the <br>
        "Đoạn cuối.",
    ]
    assert len(body.findall(".//p/br")) == 1
    no_body = content_html(build_feed(info(), [article(2)]))
    assert no_body.text_content() == "Tóm tắt tin 2."  # the lead stands in for a body


def test_hostile_text_cannot_break_the_feed_or_run_a_script() -> None:
    nested = "<b>" * 5000 + "x" + "</b>" * 5000
    hostile = article(
        1,
        title=HOSTILE_TITLE,
        summary="]]></summary><script>alert(2)</script>",
        author="</name></author>\x0c",
        url="javascript:alert(3)",
        image_url="javascript:alert(4)",
        blocks=(
            BodyBlock(BlockKind.PARAGRAPH, "</content><script>alert(5)</script>\x01"),
            BodyBlock(BlockKind.PARAGRAPH, nested),
            BodyBlock(BlockKind.IMAGE, '"><script>', 'https://xa.gov.vn/a.jpg"onerror="x'),
            BodyBlock(BlockKind.IMAGE, "", "data:text/html,<script>alert(6)</script>"),
        ),
        categories=("thong-bao", "</category>"),
    )
    document = build_feed(info(), [hostile, whole(2)])
    check_rfc4287(document)
    parsed = feedparser.parse(document)
    assert parsed.bozo == 0
    assert len(parsed.entries) == 2  # the entry after the hostile one is still there
    assert parsed.entries[0].title == "Tin </title></entry> ]]> <script>alert(1)</script> &amp;"
    body = content_html(document)
    assert body.find(".//script") is None
    assert body.find(".//b") is None  # markup in the text stays text
    assert "</content><script>alert(5)</script>" in body.text_content()
    sources = [img.get("src") for img in body.iter("img")]
    assert sources == ["https://xa.gov.vn/a.jpg%22onerror=%22x"]  # quoted, not an attribute
    first = children(etree.fromstring(document), "entry")[0]
    assert children(first, "link") == []  # no javascript: link to the original


def test_a_huge_article_is_cut_with_a_link_to_the_rest() -> None:
    paragraph = "Câu văn dài của một bài rất dài. " * 100
    huge = article(1, blocks=tuple(BodyBlock(BlockKind.PARAGRAPH, paragraph) for _ in range(700)))
    assert len(body_text(huge.blocks)) > 2_000_000
    document = build_feed(info(), [huge])
    body = content_html(document)
    assert len(lxml.html.tostring(body, encoding="unicode")) < CONTENT_LIMIT + 1000
    last = list(body.iter("p"))[-1]
    assert last.text_content() == "… Xem chi tiết"
    assert last.find("a").get("href") == huge.url
    assert feedparser.parse(document).bozo == 0


def cut_entry(blocks: Sequence[BodyBlock], feed: FeedInfo | None = None) -> lxml.html.HtmlElement:
    """Return the content of a feed of one article of these blocks, checking the feed."""
    document = build_feed(feed or info(), [article(1, blocks=tuple(blocks))])
    check_rfc4287(document)
    assert feedparser.parse(document).bozo == 0
    body = content_html(document)
    assert len(lxml.html.tostring(body, encoding="unicode")) < CONTENT_LIMIT + 1000
    return body


def test_a_first_paragraph_over_the_limit_is_cut_after_a_sentence() -> None:
    sentences = [f"Câu thứ {n} của đoạn văn rất dài & <đặc biệt>." for n in range(60_000)]
    paragraph = " ".join(sentences)
    assert len(paragraph) > 2_000_000
    body = cut_entry(
        [
            BodyBlock(BlockKind.PARAGRAPH, paragraph),
            BodyBlock(BlockKind.IMAGE, "Ảnh.", "https://xa.gov.vn/anh/sau.jpg"),
            BodyBlock(BlockKind.PARAGRAPH, "Đoạn cuối ngắn."),
        ]
    )
    shown, more = [p.text_content() for p in body.findall("p")]
    # Most of the room is the paragraph's text, ending where one of its sentences ends.
    assert len(shown) > CONTENT_LIMIT // 2
    assert shown in sentences_prefixes(sentences, len(shown))
    assert more == "… Xem chi tiết"
    assert body.find(".//img") is None  # what comes after the cut is left out, not skipped to


def sentences_prefixes(sentences: Sequence[str], around: int) -> set[str]:
    """Return the prefixes of the sentences joined that end after a sentence, near a length."""
    prefixes, text = set(), ""
    for sentence in sentences:
        text = f"{text} {sentence}" if text else sentence
        if len(text) > around + 100:
            break
        prefixes.add(text)
    return prefixes


def test_a_paragraph_without_sentences_is_cut_at_a_word() -> None:
    words = " ".join(f"từ{n}" for n in range(400_000))
    shown = cut_entry([BodyBlock(BlockKind.PARAGRAPH, words)]).findall("p")[0].text
    assert len(shown) > CONTENT_LIMIT // 2
    assert words.startswith(shown)
    assert words[len(shown)] == " "  # a whole word, not half of one


def test_a_long_list_keeps_whole_items_then_the_start_of_the_next() -> None:
    # Bulleted items ("1. …" would be a numbered item, shown as a paragraph: models.bulleted).
    item = " ".join(["Một việc cần làm trước mùa mưa bão."] * 40)
    body = cut_entry([BodyBlock(BlockKind.ITEM, f"Việc {n}: {item}") for n in range(2000)])
    items = [li.text for li in body.find("ul")]
    assert 100 < len(items) < 2000
    assert items[:-1] == [f"Việc {n}: {item}" for n in range(len(items) - 1)]
    last = f"Việc {len(items) - 1}: {item}"
    assert last.startswith(items[-1])
    assert items[-1].endswith(".")
    assert len(items[-1]) < len(last)  # the one that did not fit, cut
    assert body.findall("p")[-1].text_content() == "… Xem chi tiết"


def test_the_rest_of_a_cut_article_is_in_the_bot_when_the_bot_knows_it() -> None:
    deep = replace(info(), in_bot=lambda article_id: f"https://t.me/xa_bot?start=a{article_id}")
    body = cut_entry([BodyBlock(BlockKind.PARAGRAPH, "Câu văn. " * 50_000)], deep)
    assert body.findall("p")[-1].find("a").get("href") == "https://t.me/xa_bot?start=a1"
    unknown = replace(info(), in_bot=lambda article_id: None)
    body = cut_entry([BodyBlock(BlockKind.PARAGRAPH, "Câu văn. " * 50_000)], unknown)
    assert body.findall("p")[-1].find("a").get("href") == "https://xa.gov.vn/tin/1.html?a=1&b=2"


def test_xml_text_keeps_every_character_xml_allows() -> None:
    allowed = "\t\n\r Tiếng Việt 𝔸 \ue000 \ufffd"
    assert xml_text(allowed) == allowed
    assert xml_text("a\x00b\x0bc\x7fd\ud800e\uffff") == "abc\x7fde"  # DEL is allowed in XML 1.0


def test_an_empty_archive_is_a_valid_feed_that_stays_the_same() -> None:
    document = build_feed(info(), [])
    check_rfc4287(document)
    assert feedparser.parse(document).bozo == 0
    assert build_feed(info(), []) == document
