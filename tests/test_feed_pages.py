"""A feed item completed from its article page: what the page says wins where feeds say less
(issue 13: Drupal's and WordPress's feeds carry a teaser or a caption, and the account that
posted)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from anbien_bot.models import Attachment, Entry, Selectors
from anbien_bot.sources.extract import completed, needs_page, parse_article
from anbien_bot.sources.feeds import parse_feed

PAGE = """<html><head><title>Cảnh báo triều cường</title></head><body>
<div class="post"><h1>Cảnh báo triều cường trên địa bàn xã</h1>
<div class="body">
<p><strong>Theo dự báo, từ ngày 24 đến 28/7/2025 mực nước các sông, kênh trên địa bàn xã dâng
cao do triều cường.</strong></p>
<p style="text-align:center"><img src="/files/sat-lo.jpg" width="700" height="466"></p>
<p style="text-align:center"><em>Mực nước dâng cao do triều cường.</em></p>
<p>Người dân không neo đậu ghe, xuồng sát các đoạn bờ đã có vết nứt.</p>
<p><a href="/files/cong-van.pdf">Công văn số 12</a></p>
<p>Tin: Phòng Kinh tế xã</p>
</div></div></body></html>"""
URL = "https://xa.example.vn/node/10489"


def feed_item(**given: object) -> Entry:
    fields: dict = {"key": "10489", "url": URL, "title": "Cảnh báo triều cường trên địa bàn xã"}
    return Entry(**(fields | given))


def test_the_pages_lead_and_byline_win_over_a_caption_and_a_login() -> None:
    item = feed_item(summary="Mực nước dâng cao do triều cường.", author="Quantri")
    assert needs_page(item)  # no photo: its page is read
    page = parse_article(PAGE, URL, Selectors())
    entry = completed(item, page)
    assert entry.summary.startswith("Theo dự báo, từ ngày 24 đến 28/7/2025")
    assert entry.author == "Phòng Kinh tế xã"
    assert entry.image_url == "https://xa.example.vn/files/sat-lo.jpg"
    assert entry.attachments == (
        Attachment("Công văn số 12", "https://xa.example.vn/files/cong-van.pdf"),
    )
    assert "Người dân không neo đậu ghe" in entry.body


def test_what_the_feed_gives_of_its_own_stays() -> None:
    when = datetime(2025, 7, 22, 9, 45, tzinfo=UTC)
    item = feed_item(
        summary="",
        image_url="https://xa.example.vn/files/anh-bia.jpg",
        published=when,
        body="Toàn văn trong nguồn tin.",
    )
    entry = completed(item, parse_article(PAGE, URL, Selectors()))
    assert entry.image_url == "https://xa.example.vn/files/anh-bia.jpg"
    assert entry.published == when
    assert entry.body == "Toàn văn trong nguồn tin."
    assert entry.summary.startswith("Theo dự báo")


def test_a_page_without_lead_or_byline_leaves_the_feeds() -> None:
    bare = "<html><body><h1>Cảnh báo triều cường trên địa bàn xã</h1></body></html>"
    item = feed_item(summary="Mực nước dâng cao.", author="Minh Khoa")
    entry = completed(item, parse_article(bare, URL, Selectors()))
    assert (entry.summary, entry.author) == ("Mực nước dâng cao.", "Minh Khoa")


@pytest.mark.parametrize(
    ("author", "byline"),
    [
        ("<dc:creator><![CDATA[quantri]]></dc:creator>", ""),
        ("<dc:creator>admin</dc:creator>", ""),
        ("<dc:creator>Super User</dc:creator>", ""),
        ("<author>bientap@xa.example.vn (Minh Khoa)</author>", "Minh Khoa"),
        ("<dc:creator>Văn phòng UBND xã</dc:creator>", "Văn phòng UBND xã"),
    ],
)
def test_a_feeds_author_is_a_byline_never_the_account_that_posted(
    author: str, byline: str
) -> None:
    feed = (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0' "
        "xmlns:dc='http://purl.org/dc/elements/1.1/'><channel><title>Xã</title>"
        f"<item><title>Tin một</title><link>{URL}</link>{author}</item></channel></rss>"
    )
    [entry] = parse_feed(feed.encode(), url="https://xa.example.vn/rss.xml")
    assert entry.author == byline
