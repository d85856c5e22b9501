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
async def portal():
    async with FakePortal() as portal:
        portal.serve_file(LISTING, DATA / "anbien/danhmuc-35.html", HTML)
        portal.serve_file(SEED_PATH, DATA / "anbien/tin-1009.html", HTML)
        yield portal


async def preview(config: Path, source: str) -> subprocess.CompletedProcess:
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
