"""`anbien-bot discover URL` as an admin runs it: on every layout its block checks out and,
polled once, brings the layout's articles with their fields; every other input gets a clear
answer and a documented exit status."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import subprocess
import sys
import tomllib
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from anbien_bot.models import body_text
from anbien_bot.sources.discovery.run import MAX_REQUESTS
from anbien_bot.store.articles import decode_blocks
from anbien_bot.text.dates import from_iso
from tests.fake_portal import HTML, FakePortal
from tests.harness import write_config
from tests.portal_sites import LAYOUTS, layout_id, load_site

ROOT = Path(__file__).resolve().parent.parent
USER_AGENT = "anbien-bot-test/1 (discover)"


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "bot.py"), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "HOME": str(cwd)},
    )


async def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the command in a child process while this loop serves the portal."""
    return await asyncio.to_thread(run_cli, *args, cwd=cwd)


def empty_config(tmp_path: Path) -> Path:
    return write_config(
        tmp_path, telegram={"token": ""}, polling={"user_agent": USER_AGENT}, sources=[]
    )


async def discover(config: Path, url: str, *more: str) -> subprocess.CompletedProcess[str]:
    return await cli("discover", url, "--config", str(config), *more, cwd=config.parent)


# -- every layout ----------------------------------------------------------------------------


@pytest.mark.parametrize("folder", LAYOUTS, ids=layout_id)
async def test_the_block_checks_out_and_one_poll_brings_the_layouts_articles(
    tmp_path: Path, folder: Path
) -> None:
    site = load_site(folder)
    async with FakePortal() as portal:
        site.serve(portal)
        config = empty_config(tmp_path)
        found = await discover(
            config, portal.url(site.start), "--allow-private", "--category", "thong-bao"
        )
        assert found.returncode == 0, found.stderr
        assert len(portal.requests) <= MAX_REQUESTS
        assert {r.headers["User-Agent"] for r in portal.requests} == {USER_AGENT}
        # Everything printed but the block is a comment: the output is TOML as it stands.
        [source] = tomllib.loads(found.stdout)["sources"]
        assert source["type"] == site.expect, found.stdout
        if site.expect == "rss":
            assert source["url"] in {portal.url(feed) for feed in site.feeds}
        assert source["allow_private"] is True
        with config.open("a", encoding="utf-8") as file:
            file.write("\n" + found.stdout)

        checked = await cli("check-config", "--config", str(config), cwd=tmp_path)
        assert checked.returncode == 0, checked.stderr
        assert "config OK" in checked.stdout
        polled = await cli("poll", "--once", "--config", str(config), cwd=tmp_path)
        assert polled.returncode == 0, polled.stderr
        assert not [line for line in polled.stderr.splitlines() if line.startswith("! ")]
        expected = site.expected(source["url"].removeprefix(portal.url("")))
    stored = stored_articles(tmp_path / "bot.sqlite3")
    assert expected
    for article in expected:
        title = article["title"]
        assert title in polled.stdout
        assert title in stored, f"{title!r} not stored: {sorted(stored)}"
        check_article(stored[title], article)


def stored_articles(database: Path) -> dict[str, dict]:
    with sqlite3.connect(database) as conn:
        conn.row_factory = sqlite3.Row
        rows = conn.execute(
            "SELECT a.*, k.key FROM articles a JOIN article_keys k ON k.article_id = a.id"
        ).fetchall()
    # A whole article keeps its text in its blocks (the body column is then empty).
    return {
        row["title"]: dict(row) | {"body": row["body"] or body_text(decode_blocks(row["blocks"]))}
        for row in rows
    }


def check_article(row: dict, expected: dict) -> None:
    """Check a stored article against what its layout expects (fields in misses aside)."""
    title, misses = expected["title"], expected.get("misses", {})
    published = expected.get("published")
    if isinstance(published, str):
        published = datetime.fromisoformat(published)
    if published is not None and "published" not in misses:
        assert from_iso(row["published_at"]) == published, title
    if "lead" not in misses:
        assert row["summary"].startswith(expected["lead"]), (title, row["summary"])
    for words in expected.get("not", []):
        assert words not in row["summary"], (title, words)
    everything = " ".join(row[f] for f in ("title", "summary", "body", "author"))
    for words in expected.get("absent", []):
        assert words not in everything, (title, words)
    image = row["image_url"]
    if "image" in misses:
        pass
    elif expected["image"]:
        assert image is not None, title
        # The photo's path and query on the portal (Liferay's ?t=, Drupal's ?itok= included).
        assert _on_site(image) == unquote(expected["image"]), title
    else:
        assert image is None, (title, image)
    if "key" in expected:
        assert row["key"] == expected["key"], title
    if "author" in expected and "author" not in misses:
        assert row["author"] == expected["author"], (title, row["author"])
    if "attachments" in expected and "attachments" not in misses:
        files = [(name, _on_site(url)) for name, url in json.loads(row["attachments"])]
        wanted = [(a["title"], unquote(a["url"])) for a in expected["attachments"]]
        assert files == wanted, title
    for words in expected.get("present", []):
        assert words in row["body"], (title, words)


def _on_site(url: str) -> str:
    """Return a URL of the portal as its path and query, as the layouts write them."""
    return unquote(urlsplit(url)._replace(scheme="", netloc="").geturl())


# -- what every other input gets -------------------------------------------------------------


@pytest.fixture
async def portal():
    async with FakePortal() as portal:
        yield portal


async def test_not_a_web_address_is_bad_usage(tmp_path: Path) -> None:
    config = empty_config(tmp_path)
    for given in ("anbien.kiengiang.gov.vn/trang", "ftp://anbien.example.vn/", "tin tức"):
        answer = await discover(config, given)
        assert answer.returncode == 2, given
        assert "not a web address" in answer.stderr
        assert "Traceback" not in answer.stderr
    hinted = await discover(config, "anbien.kiengiang.gov.vn/trang")
    assert "did you mean https://anbien.kiengiang.gov.vn/trang" in hinted.stderr


async def test_an_unknown_category_is_bad_usage(tmp_path: Path, portal: FakePortal) -> None:
    answer = await discover(empty_config(tmp_path), portal.url("/"), "--category", "tin-vat")
    assert answer.returncode == 2
    assert "unknown category 'tin-vat'" in answer.stderr
    assert "thong-bao" in answer.stderr
    assert portal.requests == []


@pytest.mark.parametrize(
    ("serve", "says"),
    [
        (None, "HTTP 404"),
        ((b"%PDF-1.4 bien ban", "application/pdf"), "is not an HTML page (application/pdf)"),
        (
            ("<html><body><h1>Trang chủ</h1><p>Đang cập nhật.</p></body></html>", HTML),
            "has no links",
        ),
        (
            (
                "<html><body><a href='/gioi-thieu'>Giới thiệu</a>"
                "<a href='/lien-he'>Liên hệ</a></body></html>",
                HTML,
            ),
            "no links to articles",
        ),
    ],
    ids=["not-found", "pdf", "no-links", "no-articles"],
)
async def test_a_page_with_nothing_to_read_says_why_and_exits_1(
    tmp_path: Path, portal: FakePortal, serve: tuple[bytes | str, str] | None, says: str
) -> None:
    if serve is not None:
        portal.serve("/trang", *serve)
    answer = await discover(empty_config(tmp_path), portal.url("/trang"), "--allow-private")
    assert answer.returncode == 1
    assert says in answer.stderr
    assert "Traceback" not in answer.stderr
    assert "[[sources]]" not in answer.stdout
    assert tomllib.loads(answer.stdout) == {}  # only comments


async def test_a_private_address_needs_the_flag(tmp_path: Path, portal: FakePortal) -> None:
    site = load_site(ROOT / "tests/data/discover/wordpress")
    site.serve(portal)
    answer = await discover(empty_config(tmp_path), portal.url(site.start))
    assert answer.returncode == 1
    assert "--allow-private" in answer.stderr
    assert portal.requests == []


async def test_the_address_of_a_feed_gives_its_block(tmp_path: Path, portal: FakePortal) -> None:
    site = load_site(ROOT / "tests/data/discover/wordpress")
    site.serve(portal)
    feed = portal.url("/chuyen-muc/tin-tuc/feed/")
    answer = await discover(empty_config(tmp_path), feed, "--allow-private", "--name", "Xã")
    assert answer.returncode == 0, answer.stderr
    [source] = tomllib.loads(answer.stdout)["sources"]
    assert source == {
        "name": "Xã",
        "type": "rss",
        "url": feed,
        "category": "thong-bao",
        "allow_private": True,
    }
    assert portal.hits("/chuyen-muc/tin-tuc/feed/") == 1
    assert len(portal.requests) == 1


async def test_without_a_config_the_block_names_a_placeholder_category(
    tmp_path: Path, portal: FakePortal
) -> None:
    site = load_site(ROOT / "tests/data/discover/drupal")
    site.serve(portal)
    answer = await cli("discover", portal.url(site.start), "--allow-private", cwd=tmp_path)
    assert answer.returncode == 0, answer.stderr
    [source] = tomllib.loads(answer.stdout)["sources"]
    assert source["category"] == "tin-tuc"
    assert "stands for a key of your [categories]" in answer.stdout
    assert source["name"] == "Tin tức | Cổng thông tin điện tử xã Bình An"
