"""Every corpus layout polled over loopback HTTP with only url and category, and the retitled
article that must not be announced twice (issue 13)."""

from pathlib import Path

import pytest

from anbien_bot.config import load_config
from anbien_bot.sources.ingest import Ingestor, fetcher_for
from anbien_bot.store import Store
from anbien_bot.text.urls import canonical_url
from tests.corpus import Layout, layouts
from tests.fake_portal import HTML, FakePortal
from tests.harness import write_config

BY_NAME = {layout.name: layout for layout in layouts()}


@pytest.fixture
async def ingestor_for(tmp_path: Path):
    opened = []

    async def make(sources: list[dict], **polling) -> Ingestor:
        path = write_config(tmp_path, telegram={}, sources=sources, polling=polling or None)
        config = load_config(path, environ={})
        store = await Store.open(config.storage.database)
        fetcher = fetcher_for(config)
        opened.append((store, fetcher))
        return Ingestor(config, store, fetcher)

    yield make
    for store, fetcher in opened:
        await fetcher.aclose()
        await store.close()


def source_for(layout: Layout, portal: FakePortal, **extra) -> dict:
    listing = layout.listings[0]
    return {
        "name": f"Cổng {layout.name}",
        "type": "html",
        "url": layout.on(portal, listing.url),
        "category": "thong-bao",
        **extra,
    }


@pytest.mark.parametrize("layout", layouts(), ids=lambda layout: layout.name)
async def test_a_layout_polled_with_defaults_yields_its_articles_fields(layout, ingestor_for):
    async with FakePortal() as portal:
        layout.serve(portal)
        ingestor = await ingestor_for([source_for(layout, portal, max_pages=2)])
        [outcome] = await ingestor.poll_due(force=True)
        assert outcome.status == "new", outcome.error
        # Both listing pages were read, through the next-page link the defaults found.
        for listing in layout.listings:
            assert portal.hits(listing.path.partition("?")[0]) >= 1
        stored = {_bare(a.url): a for a in await ingestor.store.latest(limit=100)}
        served = [case for case in layout.articles if _listed(layout, case.url)]
        assert served
        for case in served:
            article = stored[_bare(layout.on(portal, case.url))]
            expected = case.expected
            assert article.title == expected.title
            assert article.published == expected.published
            assert article.summary.startswith(expected.lead)
            assert article.author == expected.author
            assert (article.image_url is None) == (expected.image is None)


def _listed(layout: Layout, url: str) -> bool:
    return _bare(url) in {_bare(u) for listing in layout.listings for u in listing.articles}


def _bare(url: str) -> str:
    """Return a URL without Liferay's way back to the listing (?redirect=…)."""
    return canonical_url(url).partition("?redirect=")[0]


# (layout, the article's path, the same article after its title was edited)
RETITLED = [
    (
        "sharepoint",
        "/trang/TinTuc/17/1020/Ban-Dan-van-Huyen-uy-so-ket-cong-tac-dan-van-6-thang-dau-nam-2020.html",
        "/trang/TinTuc/17/1020/Huyen-uy-An-Bien-so-ket-cong-tac-dan-van.html",
    ),
    (
        "sharepoint-portal",
        "/portal/Pages/2024-5-17/Kien-Giang-phat-dong-chien-dich-diet-lang-quang-phong-sot-xuat-huyet-468686.aspx",
        "/portal/Pages/2024-5-17/Phat-dong-chien-dich-diet-lang-quang-468686.aspx",
    ),
    (
        "dotnetnuke",
        "/tabid/255/post/3011/Khuyen-cao-lich-thoi-vu-xuong-giong-tom-lua-vu-moi.aspx",
        "/tabid/255/post/3011/Lich-thoi-vu-tom-lua-vu-moi.aspx",
    ),
    (
        "joomla",
        "/index.php?option=com_content&view=article&id=245:dien-tap-phuong-an-chua-chay-tai-cho-cho-tiem-ca-ap-bay-bien&catid=12&Itemid=108",
        "/index.php?option=com_content&view=article&id=245:dien-tap-chua-chay-cho-nam-thai&catid=12&Itemid=108",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("name", "old", "new"), RETITLED, ids=[r[0] for r in RETITLED])
async def test_a_retitled_article_is_not_announced_again(name, old, new, ingestor_for):
    layout = BY_NAME[name]
    listing = layout.listings[0]
    article = next(case for case in layout.articles if case.path == old)
    async with FakePortal() as portal:
        layout.serve(portal)
        ingestor = await ingestor_for([source_for(layout, portal)], announce_first_poll=True)
        [first] = await ingestor.poll_due(force=True)
        assert first.status == "new", first.error
        assert len(first.result.new) >= 4
        count = await ingestor.store.article_count()

        # The editor changes the title: the slug in every link changes, the id stays.
        page = article.html.decode().replace(article.expected.title, "Tiêu đề đã sửa lại")
        portal.serve(new, page.replace(layout.base, portal.url("")), HTML)
        html = listing.html.decode().replace(layout.base, portal.url(""))
        html = html.replace(_in_html(old), _in_html(new))
        assert _in_html(new) in html
        portal.serve(listing.path, html, HTML)
        [second] = await ingestor.poll_due(force=True)

    assert second.status == "new", second.error
    assert second.result.new == ()
    assert await ingestor.store.article_count() == count
    assert portal.hits(new) == 0  # known by its id: not even read again


def _in_html(path: str) -> str:
    return path.replace("&", "&amp;")


async def test_articles_known_by_their_url_before_ids_are_not_announced_again(ingestor_for):
    # Before issue 13 an article of a DotNetNuke or Joomla portal was known by its URL; the
    # bot updated to read ids must not announce the listing's articles a second time.
    layout = BY_NAME["dotnetnuke"]
    async with FakePortal() as portal:
        layout.serve(portal)
        by_url = source_for(layout, portal, id_pattern=r"/no-such-id/(\d+)")
        old = await ingestor_for([by_url], announce_first_poll=True)
        [first] = await old.poll_due(force=True)
        assert len(first.result.new) >= 4
        reads = portal.hits(layout.articles[0].path)

        updated = await ingestor_for([source_for(layout, portal)], announce_first_poll=True)
        [second] = await updated.poll_due(force=True)

    assert second.status == "new", second.error
    assert second.result.new == ()
    assert portal.hits(layout.articles[0].path) == reads
