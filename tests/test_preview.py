"""The admin's preview of a source, as run from the command line."""

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fake_portal import HTML, FakePortal
from tests.harness import write_config
from tests.test_ingest_html import AN_BIEN_SELECTORS, LISTING, SEED_PATH, SEED_TITLE

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"


@pytest.fixture
def portal(portal: FakePortal) -> FakePortal:
    """The fake portal serving a saved listing page and its article."""
    portal.serve_file(LISTING, DATA / "anbien/danhmuc-35.html", HTML)
    portal.serve_file(SEED_PATH, DATA / "anbien/tin-1009.html", HTML)
    return portal


async def preview(config: Path, source: str, *args: str) -> subprocess.CompletedProcess:
    return await asyncio.to_thread(
        subprocess.run,
        [
            sys.executable,
            str(ROOT / "bot.py"),
            "preview",
            "--config",
            str(config),
            "--source",
            source,
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def test_preview_prints_each_field_and_names_selectors_that_match_nothing(tmp_path, portal):
    selectors = {**AN_BIEN_SELECTORS, "author": ".khong-co-tac-gia", "lead": ".sapo-cu"}
    config = write_config(
        tmp_path,
        telegram={"token": ""},
        sources=[
            {
                "name": "An Biên",
                "type": "html",
                "url": portal.url(LISTING),
                "category": "thong-bao",
                "selectors": selectors,
            }
        ],
    )
    result = await preview(config, "An Biên")
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert SEED_TITLE in out
    assert "29/05/2020 10:59" in out
    assert "Thanh Vũ" in out  # found by default even though the selector matched nothing
    assert "selectors.author matched nothing" in out
    assert "selectors.lead matched nothing" in out
    assert "Xem với cỡ chữ" not in out


async def test_preview_of_an_unknown_source_names_the_known_ones(tmp_path, portal):
    config = write_config(
        tmp_path,
        telegram={"token": ""},
        sources=[{"name": "An Biên", "url": portal.url("/rss.xml"), "category": "thong-bao"}],
    )
    result = await preview(config, "Không có")
    assert result.returncode == 2
    assert "'An Biên'" in result.stderr


async def test_preview_of_a_broken_source_says_why(tmp_path, portal):
    portal.status("/rss.xml", 500)
    config = write_config(
        tmp_path,
        telegram={"token": ""},
        sources=[{"name": "Báo", "url": portal.url("/rss.xml"), "category": "thong-bao"}],
    )
    result = await preview(config, "Báo")
    assert result.returncode == 1
    assert "HTTP 500" in result.stdout


NOTICES = "/trang/TinTuc/17.html"
FIRST_NOTICE = "/trang/TinTuc/17/2041/Lich-tiep-cong-dan-ngay-Thu-Ba-02-06-2020.html"
OUTAGE = "/trang/TinTuc/17/1011/Lich-tam-ngung-cung-cap-dien.html"


async def test_listed_articles_show_their_own_date_not_one_in_their_title(tmp_path, portal):
    portal.serve_file(NOTICES, DATA / "listing/thong-bao.html", HTML)
    portal.serve_file(FIRST_NOTICE, DATA / "anbien/tin-1012.html", HTML)
    config = write_config(
        tmp_path,
        telegram={"token": ""},
        sources=[
            {
                "name": "Thông báo",
                "type": "html",
                "url": portal.url(NOTICES),
                "category": "thong-bao",
            }
        ],
    )
    result = await preview(config, "Thông báo")
    assert result.returncode == 0, result.stdout + result.stderr
    listed = [line for line in result.stdout.splitlines() if line.startswith("  - ")]
    assert listed[0].startswith("  - 29/05/2020 10:59 Lịch tiếp công dân ngày Thứ Ba 02/06/2020  ")
    assert [line[4:20] for line in listed] == [
        "29/05/2020 10:59",
        "28/05/2020 08:15",
        "27/05/2020 14:30",
        "26/05/2020 00:00",
        "05/06/2020 00:00",  # a title's date only where the item shows no other
    ]


async def test_preview_of_one_article_by_url_reads_only_that_page(tmp_path, portal):
    portal.serve_file(OUTAGE, DATA / "anbien/tin-1011.html", HTML)
    config = write_config(
        tmp_path,
        telegram={"token": ""},
        sources=[
            {
                "name": "An Biên",
                "type": "html",
                "url": portal.url(LISTING),
                "category": "thong-bao",
                "selectors": {**AN_BIEN_SELECTORS, "author": ".khong-co-tac-gia"},
            }
        ],
    )
    result = await preview(config, "An Biên", "--url", portal.url(OUTAGE))
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert out.startswith(f"article {portal.url(OUTAGE)}:\n")
    assert "An Biên: Lịch tạm ngừng cung cấp điện từ ngày 08 đến 10/6/2020" in out
    assert "05/06/2020 15:30" in out
    assert "selectors.author matched nothing" in out
    assert SEED_TITLE not in out
    assert (portal.hits(LISTING), portal.hits(SEED_PATH), portal.hits(OUTAGE)) == (0, 0, 1)

    missing = await preview(config, "An Biên", "--url", portal.url("/trang/TinTuc/17/1/x.html"))
    assert missing.returncode == 1
    assert "HTTP 404" in missing.stdout
