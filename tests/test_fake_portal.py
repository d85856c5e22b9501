"""The fake portal itself: what other tests rely on it to do."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.fake_portal import HTML, FakePortal

FEED = "<rss><channel><title>Tin tức</title></channel></rss>"


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=2, trust_env=False) as running:
        yield running


async def test_reserving_within_a_second_still_moves_last_modified(
    portal: FakePortal, client: httpx.AsyncClient
) -> None:
    portal.serve("/feed", FEED, etag=False)
    first = await client.get(portal.url("/feed"))
    portal.serve("/feed", FEED + "<!-- mới -->", etag=False)

    again = await client.get(
        portal.url("/feed"), headers={"If-Modified-Since": first.headers["Last-Modified"]}
    )

    assert again.status_code == 200
    assert again.headers["Last-Modified"] != first.headers["Last-Modified"]


async def test_weak_if_none_match_still_matches(
    portal: FakePortal, client: httpx.AsyncClient
) -> None:
    portal.serve("/feed", FEED)
    first = await client.get(portal.url("/feed"))

    again = await client.get(
        portal.url("/feed"), headers={"If-None-Match": "W/" + first.headers["ETag"]}
    )

    assert again.status_code == 304


async def test_scripted_answers_run_out_and_reset(
    portal: FakePortal, client: httpx.AsyncClient
) -> None:
    portal.serve("/feed", FEED)
    portal.html_instead("/feed", times=1)
    portal.delay("/feed", 0.01)

    maintenance = await client.get(portal.url("/feed"))
    normal = await client.get(portal.url("/feed"))
    portal.status("/feed", 503)
    failing = await client.get(portal.url("/feed"))
    portal.reset("/feed")
    recovered = await client.get(portal.url("/feed"))

    assert maintenance.headers["Content-Type"] == HTML
    assert "bảo trì" in maintenance.text
    assert normal.text == FEED
    assert failing.status_code == 503
    assert recovered.text == FEED


async def test_paths_with_query_are_served_and_counted_apart(
    portal: FakePortal, client: httpx.AsyncClient
) -> None:
    portal.serve("/tin-tuc", "<html>trang 1</html>", HTML)
    portal.serve("/tin-tuc?page=2", "<html>trang 2</html>", HTML)

    first = await client.get(portal.url("/tin-tuc"))
    second = await client.get(portal.url("/tin-tuc?page=2"))
    missing = await client.get(portal.url("/khong-co"))

    assert (first.text, second.text) == ("<html>trang 1</html>", "<html>trang 2</html>")
    assert missing.status_code == 404
    assert portal.hits("/tin-tuc") == 2
    assert portal.hits("/tin-tuc?page=2") == 1
    assert [r.path for r in portal.requests] == ["/tin-tuc", "/tin-tuc", "/khong-co"]


async def test_serve_file_guesses_the_type(
    portal: FakePortal, client: httpx.AsyncClient, tmp_path: Path
) -> None:
    page = tmp_path / "bai-viet.html"
    page.write_text("<html><body>Tin và ảnh: Minh Khang</body></html>", encoding="utf-8")
    portal.serve_file("/trang/TinTuc/17/2001/bai-viet.html", page)

    answer = await client.get(portal.url("/trang/TinTuc/17/2001/bai-viet.html"))

    assert answer.headers["Content-Type"] == HTML
    assert "Minh Khang" in answer.text
