"""Discovery's decisions, without a server: which feed, which listing, which selectors, and
how few requests it takes (the command line and a poll of its block: test_discover.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from anbien_bot.sources.discovery import Discovery, discover_pages
from anbien_bot.sources.discovery.fields import image_stem
from anbien_bot.sources.discovery.run import MAX_REQUESTS
from tests.portal_sites import DATA, LAYOUTS, Site, layout_id, load_site

BASE = "http://xa.example.vn"


async def discover_site(site: Site, **extra: bytes | str) -> Discovery:
    pages: dict[str, bytes | str] = {**site.in_memory(BASE)}
    pages |= {BASE + path: body for path, body in extra.items()}
    return await discover_pages(BASE + site.start, pages)


def layout(name: str) -> Site:
    return load_site(DATA / "discover" / name)


@pytest.mark.parametrize("folder", LAYOUTS, ids=layout_id)
async def test_each_layout_gives_a_usable_block_within_a_handful_of_requests(
    folder: Path,
) -> None:
    site = load_site(folder)
    found = await discover_site(site)
    assert found.usable, found.problem
    assert found.requests <= MAX_REQUESTS
    table = found.source_table("Xã", "thong-bao")
    assert table["type"] == site.expect
    if site.expect == "rss":
        assert table["url"] in {BASE + feed for feed in site.feeds}
        assert "selectors" not in table
    else:
        assert len(found.items) == len(site.carried.get(site.start) or site.articles)
        assert len(found.articles) == 2
        assert all(article.title for article in found.articles)


async def test_a_categorys_own_feed_wins_over_the_sites_and_comments_are_never_fetched() -> None:
    found = await discover_site(layout("wordpress"))
    assert found.feed is not None
    assert found.feed.url == f"{BASE}/chuyen-muc/tin-tuc/feed/"
    tried = [f.url for f in found.feeds]
    assert f"{BASE}/feed/" in tried  # it carries the page too, with an article from elsewhere
    assert f"{BASE}/comments/feed/" not in tried


async def test_a_drupal_terms_feed_is_found_though_the_page_does_not_link_it() -> None:
    found = await discover_site(layout("drupal"))
    assert found.feed is not None
    assert found.feed.url == f"{BASE}/taxonomy/term/3/feed"
    assert found.feed.matches == 4
    # It carries the page's articles: the site's /rss.xml is not even asked for.
    assert [f.url for f in found.feeds] == [f"{BASE}/taxonomy/term/3/feed"]
    # The page and the feed, then the pages of its two newest items (no photo in the feed),
    # read as a poll completes them: what the report shows is what residents get.
    assert found.requests == 4
    first, second = found.articles
    assert first.image_url == f"{BASE}/sites/default/files/2025-07/cau-kinh-tu.jpg"
    assert second.image_url == f"{BASE}/sites/default/files/2025-07/tap-huan-tom-lua.jpg"


async def test_a_feeds_items_are_shown_as_their_pages_complete_them() -> None:
    # The corpus's Drupal feed: a one-line description that is not the lead, no photo, and
    # the account that posted ("quantri") as author. The page's lead and byline win.
    site = load_site(DATA / "portals" / "drupal")
    found = await discover_site(site)
    assert found.feed is not None
    assert found.feed.url == f"{BASE}/rss.xml"
    first, second = found.articles
    assert [a.title for a in found.feed.entries[:2]] == [first.title, second.title]
    assert first.summary.startswith("Sáng 26/7, Trạm Y tế xã Tây Yên phối hợp Đoàn Thanh niên")
    assert first.author == "Trạm Y tế xã"
    assert second.summary.startswith("Căn cứ Kế hoạch số 12/KH-UBND ngày 15/7/2025")
    assert second.author == ""


async def test_a_feed_that_carries_none_of_the_pages_articles_is_not_chosen() -> None:
    other = (
        "<?xml version='1.0'?><rss version='2.0'><channel><title>Tin tỉnh</title>"
        "<item><title>Tỉnh họp báo quý II</title><link>http://tinh.example.vn/tin/9001</link>"
        "</item></channel></rss>"
    )
    found = await discover_site(layout("vendor"), **{"/rss.xml": other})
    [rss, *missing] = found.feeds
    assert rss.ok
    assert rss.matches == 0
    assert all(not f.ok for f in missing)
    assert found.feed is None
    assert found.source_table("Xã", "thong-bao")["type"] == "html"


async def test_selectors_are_given_only_where_the_defaults_read_wrong() -> None:
    found = await discover_site(layout("aspnet"))
    # A photo box beside the list of notices, a pager of arrow images, notices whose text
    # opens with its legal basis while their lead sits above it: exactly those three need
    # a selector, and the block reads them right.
    assert found.needed == {
        "item": ".list-unstyled > li a",
        "next_page": "a.trang-sau",
        "lead": "p.text-justify",
    }
    assert [item.url for item in found.items] == [
        f"{BASE}/chi-tiet-tin.aspx?newsid={n}" for n in (2204, 2201, 2197, 2190)
    ]
    assert found.next_page == f"{BASE}/thong-bao.aspx?trang=2"
    first, second = found.articles
    assert first.summary.startswith("UBND xã Hòa Lợi thông báo tuyển sinh vào lớp 1")
    assert second.summary.startswith("Chủ tịch UBND xã Hòa Lợi tiếp công dân định kỳ")


async def test_the_seed_shaped_portal_needs_no_selector() -> None:
    # The An Biên portal's shape: a "most read" box beside the listing, a pager of numbers,
    # a notice without a photo whose lead is a .sapo block. The defaults read all of it.
    found = await discover_site(layout("sharepoint"))
    assert found.needed == {}
    assert found.next_page == f"{BASE}/trang/TinTuc/35.html?Page=2"
    assert len(found.items) == 4
    notice = found.articles[1]
    assert notice.title == "Thông báo lịch tiếp công dân tháng 6"
    assert notice.summary.startswith("(CTTĐT) - Ủy ban nhân dân huyện thông báo")


async def test_a_portal_the_defaults_read_well_gets_a_block_without_selectors() -> None:
    items = "".join(
        f"<li><a href='/tin/{n}/bai-viet-so-{n}-cua-xa.html'>Bài viết số {n} của xã</a>"
        f" <span class='date'>0{n}/02/2024</span></li>"
        for n in (3, 2, 1)
    )
    listing = (
        "<html><head><title>Tin tức</title></head><body><ul class='news'>"
        f"{items}</ul><a rel='next' href='/tin-tuc?page=2'>Trang sau</a></body></html>"
    )
    pages = {"/tin-tuc": listing}
    for n in (3, 2, 1):
        pages[f"/tin/{n}/bai-viet-so-{n}-cua-xa.html"] = (
            f"<html><head><title>Bài viết số {n} của xã</title></head><body>"
            f"<h1>Bài viết số {n} của xã</h1><p>(08:00 | 0{n}/02/2024)</p>"
            f"<p>Đoạn mở đầu của bài viết số {n}, đủ dài để làm phần tóm tắt của tin.</p>"
            f"<p><img src='/anh/{n}.jpg'></p><p>Thân bài của bài viết số {n}.</p></body></html>"
        )
    found = await discover_pages(f"{BASE}/tin-tuc", {BASE + p: b for p, b in pages.items()})
    assert found.usable
    assert found.needed == {}
    assert found.next_page == f"{BASE}/tin-tuc?page=2"
    assert [a.title for a in found.articles] == ["Bài viết số 3 của xã", "Bài viết số 2 của xã"]


async def test_no_more_than_a_handful_of_requests_whatever_the_page_offers() -> None:
    feeds = "".join(
        f"<link rel='alternate' type='application/rss+xml' href='/rss/{n}.xml'>" for n in range(20)
    )
    items = "".join(
        f"<p><a href='/tin/{n}/bai-{n}-cua-xa.html'>Tin {n}</a></p>" for n in range(50)
    )
    page = f"<html><head>{feeds}</head><body>{items}</body></html>"
    found = await discover_pages(f"{BASE}/", {f"{BASE}/": page})
    assert found.requests <= MAX_REQUESTS
    assert not found.usable
    assert "none could be read (HTTP 404)" in (found.problem or "")


def test_a_thumbnail_and_its_photo_have_the_same_stem() -> None:
    assert image_stem("/upload/news/thumb_1330.jpg") == image_stem("/upload/news/1330.jpg")
    assert image_stem("/wp-content/uploads/day-boi-300x200.jpg") == "day-boi"
    assert image_stem("/styles/thumbnail/public/cau.jpg?itok=x") == image_stem("/files/cau.png")
    assert image_stem("/a/1330.jpg") != image_stem("/a/1331.jpg")


@pytest.mark.parametrize(
    "body",
    [
        b"\x00\xff\xfe" * 2000,
        "<div>" * 5000 + "<a href='/tin/1001/bai-viet-cua-xa.html'>Tin</a>" + "</div>" * 5000,
        "<?xml version='1.0'?><rss><channel><item><title>Tin",
        "<html><body>"
        + "".join(
            f"<p><a href='/tin/{n}/a-b-c-d.html'>Tin {n}</a> 0{n % 9 + 1}/02/2024</p>"
            for n in range(3000)
        )
        + "</body></html>",
    ],
    ids=["garbage", "nested", "broken-feed", "thousands-of-links"],
)
async def test_a_hostile_page_gets_an_answer_not_a_crash(body: bytes | str) -> None:
    found = await discover_pages(f"{BASE}/", {f"{BASE}/": body})
    assert found.requests <= MAX_REQUESTS
    assert found.usable or found.problem
