"""Filling the archive from a portal's older listing pages or a feed, announcing nothing."""

from __future__ import annotations

import asyncio
import io
import re
import sqlite3
import sys
from collections import Counter
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from anbien_bot.config import Config, load_config
from anbien_bot.sources.backfill import ProgressBar, backfill
from anbien_bot.store import Store
from anbien_bot.text.search import parse_query
from tests.fake_portal import HTML, FakePortal
from tests.harness import write_config

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "anbien"
LISTING = "/trang/TinTuc/35.html"
SELECTORS = {
    "item": ".news-list .news-item h3 a",
    "item_date": ".news-date",
    "next_page": ".paging a.next",
    "title": ".news-detail h1.news-title",
    "date": ".news-detail .news-date",
    "body": ".news-detail .news-content",
}
SUBSCRIBER = 42


def article_page(title: str, day: int) -> str:
    """Return an article page shaped like the portal's, with its own title and date."""
    return (
        '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title></head><body><div class='news-detail'>"
        f"<h1 class='news-title'>{escape(title)}</h1>"
        f"<div class='news-date'>(08:00 | {day:02d}/05/2020)</div>"
        "<div class='news-content'><p>Sáng nay, đoàn công tác làm việc tại xã Nam Thái.</p>"
        "<p>Hội nghị thống nhất kế hoạch năm 2020./.</p></div></div></body></html>"
    )


def serve_portal(portal: FakePortal) -> list[str]:
    """Serve the two listing pages and every article they link; return the article paths."""
    portal.serve_file(LISTING, DATA / "danhmuc-35.html")
    portal.serve_file(f"{LISTING}?Page=2", DATA / "danhmuc-35-trang-2.html")
    paths = []
    for name in ("danhmuc-35.html", "danhmuc-35-trang-2.html"):
        listing = (DATA / name).read_text(encoding="utf-8")
        for path, title in re.findall(
            r'<h3 class="news-item-title"><a href="([^"]+)">([^<]+)</a>', listing
        ):
            paths.append(path)
            if "/1009/" in path:
                portal.serve_file(path, DATA / "tin-1009.html")
            else:
                portal.serve(path, article_page(title, 1 + len(paths)), HTML)
    return paths


def rss(portal: FakePortal, count: int) -> str:
    """Return a feed of ``count`` power-cut notices linking to the fake portal."""
    items = "".join(
        f"<item><title>Lịch cúp điện ấp {n}</title><link>{portal.url(f'/tin/{n}.html')}</link>"
        f"<guid isPermaLink='false'>cup-{n}</guid>"
        f"<pubDate>Fri, 29 May 2020 {n % 24:02d}:00:00 +0700</pubDate>"
        f"<description>Tạm ngưng cung cấp điện ấp {n}.</description>"
        f"<enclosure url='{portal.url(f'/anh/{n}.jpg')}' type='image/jpeg'/></item>"
        for n in range(count)
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Điện lực"
        f"</title><link>{portal.url('/')}</link>{items}</channel></rss>"
    )


@pytest.fixture
async def config(tmp_path: Path, portal: FakePortal) -> Config:
    """Return a config with the portal's HTML listing and a feed, and a subscribed resident."""
    path = write_config(
        tmp_path,
        telegram={},
        sources=[
            {
                "name": "huyện ủy",
                "type": "html",
                "url": portal.url(LISTING),
                "category": "hoat-dong-huyen-uy",
                "selectors": SELECTORS,
            },
            {"name": "điện lực", "url": portal.url("/dien.rss"), "category": "thong-bao"},
        ],
        polling={"timeout_seconds": 2},
    )
    config = load_config(path, environ={})
    store = await Store.open(config.storage.database)
    await store.upsert_chat(SUBSCRIBER, "private", "vi")
    await store.subscribe(SUBSCRIBER, ["hoat-dong-huyen-uy", "thong-bao"])
    await store.close()
    return config


async def run(config: Config, **kwargs: object) -> tuple[int, str, str]:
    """Run a backfill; return its status, what it reported and the progress it showed."""
    out, err = io.StringIO(), io.StringIO()
    status = await backfill(config, out=out, err=err, **kwargs)  # type: ignore[arg-type]
    return status, out.getvalue(), err.getvalue()


def table_counts(config: Config) -> dict[str, int]:
    with sqlite3.connect(config.storage.database) as conn:
        return {
            table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("articles", "deliveries")
        }


async def searched(config: Config, typed: str) -> list[str]:
    store = await Store.open(config.storage.database)
    try:
        query = parse_query(typed)
        assert query is not None
        return [a.title for a in (await store.search(query, limit=20)).articles]
    finally:
        await store.close()


async def test_older_pages_are_walked_and_stored_without_notifying_anyone(
    config: Config, portal: FakePortal
) -> None:
    paths = serve_portal(portal)
    status, out, err = await run(config, source="huyện ủy", pages=5)
    assert status == 0
    assert out.strip() == (
        "source 'huyện ủy': 2 listing pages, 8 articles listed, 8 added, 0 already stored"
    )
    assert "huyện ủy: listing pages [##############################] 2/2" in err
    assert "huyện ủy: articles [##############################] 8/8" in err
    assert table_counts(config) == {"articles": len(paths), "deliveries": 0}
    assert await searched(config, "dan van kheo kien hai") == [
        "Ban chỉ đạo thực hiện phong trào thi đua “Dân vận khéo” tỉnh làm việc với "
        "Huyện ủy Kiên Hải"
    ]


async def test_a_second_run_adds_only_what_is_missing_and_rereads_no_article(
    config: Config, portal: FakePortal
) -> None:
    paths = serve_portal(portal)
    status, out, _ = await run(config, source="huyện ủy", pages=1)
    assert status == 0
    assert "1 listing pages, 6 articles listed, 6 added, 0 already stored" in out
    status, out, _ = await run(config, source="huyện ủy", pages=5)
    assert "2 listing pages, 8 articles listed, 2 added, 6 already stored" in out
    _, out, _ = await run(config, source="huyện ủy", pages=5)
    assert "8 articles listed, 0 added, 8 already stored" in out
    assert [portal.hits(path) for path in paths] == [1] * len(paths)
    assert table_counts(config) == {"articles": 8, "deliveries": 0}


async def test_a_listing_page_that_fails_keeps_what_came_before(
    config: Config, portal: FakePortal
) -> None:
    serve_portal(portal)
    portal.status(f"{LISTING}?Page=2", 500)
    status, out, _ = await run(config, source="huyện ủy", pages=5)
    assert status == 1
    assert "1 listing pages, 6 articles listed, 6 added" in out
    assert "stopped early: listing page 2: HTTP 500" in out
    assert table_counts(config) == {"articles": 6, "deliveries": 0}


async def test_a_feed_is_read_in_full_and_polling_state_is_left_alone(
    config: Config, portal: FakePortal
) -> None:
    portal.serve("/dien.rss", rss(portal, 30))
    status, out, err = await run(config, source="điện lực")
    assert status == 0
    assert out.strip() == "source 'điện lực': 30 articles listed, 30 added, 0 already stored"
    assert "điện lực: feed items read" in err
    _, out, _ = await run(config, source="điện lực")
    assert "30 articles listed, 0 added, 30 already stored" in out
    assert table_counts(config) == {"articles": 30, "deliveries": 0}
    store = await Store.open(config.storage.database)
    try:
        state = await store.source_state("điện lực")
        assert (state.seeded, state.etag, state.next_poll_at) == (False, None, None)
    finally:
        await store.close()
    assert "Lịch cúp điện ấp 29" in await searched(config, "LICH CUP DIEN AP 29")


async def test_every_source_by_default_and_an_unknown_name_is_refused(
    config: Config, portal: FakePortal
) -> None:
    serve_portal(portal)
    portal.serve("/dien.rss", rss(portal, 3))
    status, out, _ = await run(config, pages=2)
    assert status == 0
    assert len(out.splitlines()) == 2
    status, out, err = await run(config, source="không có")
    assert (status, out) == (2, "")
    assert "no source named 'không có'" in err


async def run_cli(*args: str) -> tuple[int, str, str]:
    """Run ``anbien-bot`` in a child process (this loop keeps serving the portal)."""
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "bot.py"),
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )
    out, err = await asyncio.wait_for(child.communicate(), 60)
    return child.returncode or 0, out.decode(), err.decode()


async def test_the_command_line(config: Config, portal: FakePortal, tmp_path: Path) -> None:
    portal.serve("/dien.rss", rss(portal, 2))
    path = str(tmp_path / "config.toml")
    status, out, err = await run_cli("backfill", "--config", path, "--source", "điện lực")
    assert (status, out) == (
        0,
        "source 'điện lực': 2 articles listed, 2 added, 0 already stored\n",
    )
    assert "[##############################] 2/2" in err
    status, _, err = await run_cli("backfill", "--config", path, "--pages", "0")
    assert status == 2
    assert "--pages: expected a whole number from 1 up, got '0'" in err
    assert table_counts(config) == {"articles": 2, "deliveries": 0}


@pytest.mark.parametrize(
    ("back_to", "cycle"),
    [
        (LISTING, "listing page 2 links back to page 1"),
        (f"{LISTING}?Page=2", "listing page 2 links back to itself"),
    ],
    ids=["to-page-1", "to-itself"],
)
async def test_a_listing_that_links_back_is_read_once_and_the_walk_ends_there(
    config: Config, portal: FakePortal, tmp_path: Path, back_to: str, cycle: str
) -> None:
    paths = serve_portal(portal)
    second = (DATA / "danhmuc-35-trang-2.html").read_text(encoding="utf-8")
    looped = second.replace(
        '<div class="paging">', f'<div class="paging"><a class="next" href="{back_to}">»</a> '
    )
    assert looped != second
    portal.serve(f"{LISTING}?Page=2", looped, HTML)
    path = str(tmp_path / "config.toml")
    status, out, err = await run_cli(
        "backfill", "--config", path, "--source", "huyện ủy", "--pages", "5"
    )
    assert status == 0, err  # everything the listing offers was read: nothing failed
    assert out == (
        "source 'huyện ủy': 2 listing pages, 8 articles listed, 8 added, 0 already stored; "
        f"stopped at a cycle: {cycle} ({portal.url(back_to)})\n"
    )
    fetched = Counter(
        f"{r.path}?{r.query}".rstrip("?") for r in portal.requests if r.path == LISTING
    )
    assert fetched == {LISTING: 1, f"{LISTING}?Page=2": 1}
    assert table_counts(config) == {"articles": len(paths), "deliveries": 0}


@pytest.mark.parametrize("live", [False, True])
def test_the_progress_bar(live: bool) -> None:
    stream = io.StringIO()
    stream.isatty = lambda: live  # type: ignore[method-assign]
    bar = ProgressBar(stream, "trang", 20, width=10)
    for done in range(1, 21):
        bar.update(done)
    bar.finish()
    shown = stream.getvalue()
    assert shown.endswith("trang [##########] 20/20\n")
    if live:
        assert shown.count("\r") == 21
    else:
        assert "trang [#####-----] 10/20\n" in shown
        assert len(shown.splitlines()) == 11  # the start and each tenth, not every step
