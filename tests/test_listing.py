"""Listing pages: each item's own date, and a walk through next-page links that reads each
page once."""

from datetime import datetime
from pathlib import Path

import pytest

from anbien_bot.models import Selectors
from anbien_bot.sources.listing import ListingWalk, next_page_url, parse_listing
from anbien_bot.text.dates import VN_TZ

DATA = Path(__file__).parent / "data"
SITE = "https://anbien.kiengiang.gov.vn"
NOTICES = f"{SITE}/trang/TinTuc/17.html"


def notice_dates(selectors: Selectors) -> list[tuple[str, datetime | None]]:
    html = (DATA / "listing/thong-bao.html").read_bytes()
    return [(item.title, item.published) for item in parse_listing(html, NOTICES, selectors)]


@pytest.mark.parametrize(
    "selectors", [Selectors(), Selectors(item=".list-news h3 a")], ids=["defaults", "item"]
)
def test_an_items_own_date_wins_over_dates_in_its_title_and_summary(selectors: Selectors):
    assert notice_dates(selectors) == [
        # <span class="date">, after a summary naming another day
        ("Lịch tiếp công dân ngày Thứ Ba 02/06/2020", datetime(2020, 5, 29, 10, 59, tzinfo=VN_TZ)),
        # <time datetime=…>
        (
            "Tạm ngừng cung cấp điện ngày 10/06/2020 tại ấp Kênh Giữa",
            datetime(2020, 5, 28, 8, 15, tzinfo=VN_TZ),
        ),
        # "(14:30 | 27/05/2020)" printed beside the title, in no element of its own
        (
            "Kế hoạch ra quân làm thủy lợi nội đồng đến ngày 30/06/2020",
            datetime(2020, 5, 27, 14, 30, tzinfo=VN_TZ),
        ),
        # "Ngày đăng: …" after a summary with a deadline in it
        ("Thông báo tuyển dụng viên chức năm 2020", datetime(2020, 5, 26, tzinfo=VN_TZ)),
        # nothing but the title has a date: better than none
        ("Thông báo lịch cúp điện ngày 05/06/2020", datetime(2020, 6, 5, tzinfo=VN_TZ)),
    ]


def test_an_item_date_selector_still_decides_alone():
    dates = notice_dates(Selectors(item=".list-news h3 a", item_date=".ngay-dang"))
    assert [published for _, published in dates] == [
        None,
        None,
        None,
        datetime(2020, 5, 26, tzinfo=VN_TZ),
        None,
    ]


def listing(next_href: str | None) -> str:
    """Return a listing page with one article and, if given, a next-page link."""
    paging = f"<div class='paging'><a class='next' href='{next_href}'>Trang sau</a></div>"
    return (
        "<html><body><ul class='list-news'><li><a href='/trang/TinTuc/17/2041/a.html'>Tin</a>"
        f"</li></ul>{paging if next_href is not None else ''}</body></html>"
    )


def walk_through(pages: dict[str, str], redirects: dict[str, str] | None = None) -> ListingWalk:
    """Walk pages (URL -> HTML) from the first as the ingestor does, without fetching twice."""
    walk = ListingWalk()
    url: str | None = next(iter(pages))
    while url is not None and walk.is_new(url):
        reached = (redirects or {}).get(url, url)
        if not walk.read(url, reached):
            break
        url = walk.next_page(pages[reached], reached, Selectors(next_page=".paging a.next"))
    return walk


def test_a_walk_ends_on_the_last_page_without_a_cycle():
    walk = walk_through({NOTICES: listing("?Page=2"), f"{NOTICES}?Page=2": listing(None)})
    assert (walk.pages, walk.cycle) == (2, None)


@pytest.mark.parametrize(
    ("second", "cycle"),
    [
        ("/trang/TinTuc/17.html", f"listing page 2 links back to page 1 ({NOTICES})"),
        ("?Page=2", f"listing page 2 links back to itself ({NOTICES}?Page=2)"),
        ("?Page=2&utm_source=zalo#top", "listing page 2 links back to itself"),
    ],
    ids=["to-page-1", "to-itself", "to-itself-tracked"],
)
def test_a_walk_stops_where_a_next_link_leads_back(second: str, cycle: str):
    walk = walk_through({NOTICES: listing("?Page=2"), f"{NOTICES}?Page=2": listing(second)})
    assert walk.pages == 2
    assert (walk.cycle or "").startswith(cycle)


def test_a_page_past_the_end_redirected_to_the_first_ends_the_walk():
    pages = {NOTICES: listing("?Page=2"), f"{NOTICES}?Page=2": listing("?Page=3")}
    walk = walk_through(pages, redirects={f"{NOTICES}?Page=3": NOTICES})
    assert walk.pages == 2
    assert walk.cycle == f"listing page 3 ({NOTICES}?Page=3) is page 1 again"


def test_a_next_button_to_nowhere_is_the_last_page_not_a_cycle():
    walk = walk_through({NOTICES: listing("#")})
    assert (walk.pages, walk.cycle) == (1, None)
    assert next_page_url(listing("#"), NOTICES, Selectors(next_page=".paging a.next")) is None


def test_of_several_next_links_the_first_not_read_yet_is_followed():
    # A pager picked too broadly ("1 2 3 Trang sau") still moves forward.
    broad = Selectors(next_page=".paging a")
    pager = "<a href='/trang/TinTuc/17.html'>1</a><a href='?Page=2'>2</a><a href='?Page=3'>3</a>"
    html = f"<div class='paging'>{pager}</div>"
    walk = ListingWalk()
    walk.read(NOTICES, NOTICES)
    walk.read(f"{NOTICES}?Page=2", f"{NOTICES}?Page=2")
    assert walk.next_page(html, f"{NOTICES}?Page=2", broad) == f"{NOTICES}?Page=3"
    assert walk.cycle is None
