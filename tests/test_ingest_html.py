"""Portals without a feed, read over loopback HTTP from their listing and article pages."""

import logging
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote

import pytest

from anbien_bot.config import load_config
from anbien_bot.sources.ingest import Ingestor, fetcher_for
from anbien_bot.store import Store
from anbien_bot.values import FailureKind
from tests.fake_portal import HTML, FakePortal
from tests.harness import write_config

DATA = Path(__file__).parent / "data"
LISTING = "/trang/TinTuc/35.html"
SEED_PATH = (
    "/trang/TinTuc/35/1009/"
    "Ban-chi-dao-thuc-hien-phong-trao-thi-dua-Dan-van-kheo-tinh-lam-viec-voi-Huyen-uy-Kien-Hai.html"
)
SEED_TITLE = (
    "Ban chỉ đạo thực hiện phong trào thi đua “Dân vận khéo” tỉnh làm việc với Huyện ủy Kiên Hải"
)
AN_BIEN_SELECTORS = {
    "item": ".news-list .news-item h3 a",
    "item_date": ".news-date",
    "next_page": ".paging a.next",
    "title": ".news-detail h1.news-title",
    "date": ".news-detail .news-date",
    "body": ".news-detail .news-content",
}
COMMUNE_ARTICLE = "/tin-tuc/xa-dong-thai-gap-mat-nguoi-cao-tuoi-nhan-dip-dau-xuan-tan-suu-2021"
COMMUNE_SELECTORS = {
    "item": ".view-tin-tuc .views-row .views-field-title a",
    "title": ".node__title",
    "date": ".node__submitted",
    "lead": ".field--name-field-tom-tat",
    "body": ".field--name-body",
    "image": ".field--name-field-anh-dai-dien img",
    "attachments": ".field--name-field-dinh-kem a",
}


@pytest.fixture
def portal(portal: FakePortal) -> FakePortal:
    """The fake portal serving the saved listing pages and articles."""
    portal.serve_file(LISTING, DATA / "anbien/danhmuc-35.html", HTML)
    portal.serve_file(f"{LISTING}?Page=2", DATA / "anbien/danhmuc-35-trang-2.html", HTML)
    portal.serve_file(SEED_PATH, DATA / "anbien/tin-1009.html", HTML)
    portal.serve_file("/tin-tuc", DATA / "commune/tin-tuc.html", HTML)
    portal.serve_file(COMMUNE_ARTICLE, DATA / "commune/gap-mat-nguoi-cao-tuoi.html", HTML)
    return portal


@pytest.fixture
async def ingestor_for(tmp_path):
    opened = []

    async def make(sources: list[dict], categories: dict | None = None) -> Ingestor:
        extra = {"categories": categories} if categories else {}
        config = load_config(
            write_config(tmp_path, telegram={}, sources=sources, **extra), environ={}
        )
        store = await Store.open(config.storage.database)
        fetcher = fetcher_for(config)
        opened.append((store, fetcher))
        return Ingestor(config, store, fetcher)

    yield make
    for store, fetcher in opened:
        await fetcher.aclose()
        await store.close()


def html_source(portal: FakePortal, **extra) -> dict:
    return {
        "name": "An Biên - Hoạt động Huyện ủy",
        "type": "html",
        "url": portal.url(LISTING),
        "category": "hoat-dong-huyen-uy",
        **extra,
    }


def fields(article) -> str:
    return repr((article.title, article.summary, article.body, article.author))


@pytest.mark.parametrize("selectors", [AN_BIEN_SELECTORS, None], ids=["configured", "defaults"])
async def test_seed_article_comes_out_as_residents_should_read_it(portal, ingestor_for, selectors):
    extra = {"selectors": selectors} if selectors else {}
    ingestor = await ingestor_for([html_source(portal, **extra)])
    [outcome] = await ingestor.poll_due(force=True)
    assert outcome.status == "new", outcome.error
    stored = await ingestor.store.latest(limit=50)
    [seed] = [a for a in stored if a.title == SEED_TITLE]
    assert seed.published == datetime(2020, 5, 29, 3, 59, tzinfo=UTC)  # 10:59 +07:00
    assert seed.author == "Thanh Vũ"
    assert seed.summary
    assert not seed.summary.startswith(("Quang cảnh", "Ảnh:"))
    assert seed.summary in seed.body  # the lead is the article's first paragraph
    assert seed.image_url.startswith(portal.url("/PublishingImages/"))
    assert " " not in seed.image_url
    assert "Quang cảnh" in unquote(seed.image_url)  # the file name, percent-encoded
    assert "Xem với cỡ chữ" not in fields(seed)
    assert seed.categories == ("hoat-dong-huyen-uy",)


async def test_second_poll_reads_no_article_page_again(portal, ingestor_for):
    ingestor = await ingestor_for([html_source(portal, selectors=AN_BIEN_SELECTORS)])
    await ingestor.poll_due(force=True)
    assert portal.hits(SEED_PATH) == 1
    [again] = await ingestor.poll_due(force=True)
    assert again.result.new == ()
    assert portal.hits(SEED_PATH) == 1


async def test_a_retitled_article_with_a_new_slug_is_not_new(portal, ingestor_for):
    ingestor = await ingestor_for([html_source(portal, selectors=AN_BIEN_SELECTORS)])
    await ingestor.poll_due(force=True)
    listing = (DATA / "anbien/danhmuc-35.html").read_text(encoding="utf-8")
    portal.serve(
        LISTING, listing.replace("Ban-chi-dao-thuc-hien", "Tieu-de-moi-Ban-chi-dao"), HTML
    )
    [again] = await ingestor.poll_due(force=True)
    assert again.result.new == ()


async def test_a_second_layout_works_through_configuration_alone(portal, ingestor_for):
    source = {
        "name": "Xã Đông Thái",
        "type": "html",
        "url": portal.url("/tin-tuc"),
        "category": "thong-bao",
        "selectors": COMMUNE_SELECTORS,
    }
    ingestor = await ingestor_for([source])
    [outcome] = await ingestor.poll_due(force=True)
    assert outcome.status == "new", outcome.error
    [article] = [a for a in await ingestor.store.latest(limit=20) if "cao tuổi" in a.title]
    assert article.published.astimezone(UTC).date().isoformat() == "2021-01-20"
    assert article.summary
    assert article.image_url.startswith(portal.url("/"))


async def test_a_listing_that_stops_matching_counts_against_the_source(portal, ingestor_for):
    ingestor = await ingestor_for([html_source(portal, selectors=AN_BIEN_SELECTORS)])
    await ingestor.poll_due(force=True)
    before = await ingestor.store.article_count()
    portal.serve(LISTING, "<html><body><div class='moi'>Giao diện mới</div></body></html>", HTML)
    [outcome] = await ingestor.poll_due(force=True)
    assert outcome.status == "failed"
    assert "layout" in outcome.error
    state = await ingestor.store.source_state(outcome.source)
    assert state.consecutive_failures == 1
    assert state.last_error_kind is FailureKind.LAYOUT  # told to the admins at once
    assert await ingestor.store.article_count() == before


async def test_hostile_pages_give_a_log_line_and_lose_nothing(portal, ingestor_for, caplog):
    ingestor = await ingestor_for([html_source(portal, selectors={"item": ".list a"})])
    links = (
        "<a href='http://10.0.0.1/trang/TinTuc/1/1/a.html'>riêng</a>"
        "<a href='http://evil.example/trang/TinTuc/1/2/b.html'>lạ</a>"
        "<a href='file:///etc/passwd'>tệp</a><a href='javascript:alert(1)'>js</a>"
        "<a href='/trang/TinTuc/1/3/c.html'>sâu</a><a href='/trang/TinTuc/1/4/d.html'>kịch bản</a>"
    )
    portal.serve(LISTING, f"<html><body><div class='list'>{links}<b>chưa đóng", HTML)
    portal.serve("/trang/TinTuc/1/3/c.html", "<div>" * 800_000 + "sâu" + "</div>" * 10, HTML)
    portal.serve(
        "/trang/TinTuc/1/4/d.html",
        "<html><head><title>Tin có kịch bản</title><script>alert('x')</script></head>"
        "<body><h1>Tin có kịch bản<p>Nội dung chưa đóng thẻ <script>document.write(1)",
        HTML,
    )
    caplog.set_level(logging.INFO, logger="anbien_bot")
    [outcome] = await ingestor.poll_due(force=True)
    assert outcome.status == "new", outcome.error
    stored = await ingestor.store.latest(limit=10)
    # The 4 MB of nested divs is unreadable past the parser's depth limit: the listing's
    # own link text stands in for its title.
    assert sorted(a.title for a in stored) == ["Tin có kịch bản", "sâu"]
    assert "alert" not in repr([fields(a) for a in stored])
    assert "document.write" not in repr([fields(a) for a in stored])
    log = "\n".join(r.getMessage() for r in caplog.records)
    assert "10.0.0.1" in log
    assert "evil.example" in log


async def test_thin_feed_items_are_enriched_from_their_page(portal, ingestor_for):
    portal.serve(
        "/rss.xml",
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>T</title>"
        f"<item><title>{SEED_TITLE}</title><link>{portal.url(SEED_PATH)}</link>"
        "<guid>1009</guid><pubDate>Fri, 29 May 2020 10:59:00 +0700</pubDate></item>"
        "</channel></rss>",
    )
    source = {"name": "Feed", "url": portal.url("/rss.xml"), "category": "thong-bao"}
    ingestor = await ingestor_for([source])
    await ingestor.poll_due(force=True)
    [article] = await ingestor.store.latest()
    assert article.image_url.startswith(portal.url("/PublishingImages/"))
    assert article.summary
    assert article.author == "Thanh Vũ"
    assert "Xem với cỡ chữ" not in fields(article)
