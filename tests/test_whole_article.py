"""The archive keeps the whole article (issue 14): its body as blocks in reading order, every
photo with its caption, and its attached PDF as a file beside the database."""

from __future__ import annotations

import asyncio
import hashlib
import io
import logging
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from anbien_bot.config import Config, load_config
from anbien_bot.models import Attachment, BodyBlock, Entry, body_text
from anbien_bot.serviceconfig import ArchiveConfig
from anbien_bot.sources.attachments import FileKeeper
from anbien_bot.sources.backfill import backfill
from anbien_bot.sources.ingest import Ingestor, fetcher_for
from anbien_bot.store import Store
from anbien_bot.text.dates import utcnow
from anbien_bot.values import BlockKind
from tests.fake_portal import FakePortal
from tests.harness import write_config

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "whole"
EXAMPLE = Path(__file__).resolve().parent.parent / "anbien_bot" / "config.example.toml"
LISTING = "/trang/TinTuc/17.html"
ARTICLE = "/trang/TinTuc/17/2001/An-Bien-trien-khai-ke-hoach-phong-chong-trieu-cuong.html"
PDF_PATH = "/Documents/ke-hoach-trieu-cuong.signed.pdf"
PDF = b"%PDF-1.7\n% Ke hoach so 45/KH-BCH, da ky so\n" + b"0" * 4000 + b"\n%%EOF\n"
SELECTORS = {
    "item": ".news-list .news-item h3 a",
    "item_date": ".news-date",
    "title": ".news-detail h1.news-title",
    "date": ".news-detail .news-date",
    "body": ".news-detail .news-content",
}
K = BlockKind


def serve(portal: FakePortal) -> None:
    portal.serve_file(LISTING, DATA / "danhmuc-17.html")
    portal.serve_file(ARTICLE, DATA / "tin-2001.html")
    portal.serve(PDF_PATH, PDF, "application/pdf")


def make_config(tmp_path: Path, portal: FakePortal, **archive: int) -> Config:
    path = write_config(
        tmp_path,
        telegram={},
        sources=[
            {
                "name": "huyện",
                "type": "html",
                "url": portal.url(LISTING),
                "category": "thong-bao",
                "selectors": SELECTORS,
            }
        ],
        polling={"timeout_seconds": 5},
    )
    extra = "".join(f"{key} = {value}\n" for key, value in archive.items())
    path.write_text(path.read_text(encoding="utf-8") + "\n[archive]\n" + extra, encoding="utf-8")
    return load_config(path, environ={})


@pytest.fixture
async def opened(tmp_path: Path, portal: FakePortal) -> AsyncIterator[tuple[Config, Store]]:
    serve(portal)
    config = make_config(tmp_path, portal)
    store = await Store.open(config.storage.database, config.archive.files_dir)
    yield config, store
    await store.close()


async def poll(config: Config, store: Store) -> None:
    async with fetcher_for(config) as fetcher:
        outcomes = await Ingestor(config, store, fetcher).poll_due(force=True)
    assert [o.error for o in outcomes] == [None]


async def test_a_portal_page_is_kept_whole_with_its_photos_and_its_pdf(
    opened: tuple[Config, Store], portal: FakePortal
) -> None:
    config, store = opened
    await poll(config, store)
    (article,) = await store.latest()
    kinds = [b.kind for b in article.blocks]
    assert kinds == [
        K.PARAGRAPH, K.IMAGE, K.HEADING, K.PARAGRAPH, K.ITEM, K.ITEM, K.ITEM, K.IMAGE,
        K.ROW, K.ROW, K.ROW, K.QUOTE, K.PARAGRAPH, K.IMAGE, K.PARAGRAPH, K.PARAGRAPH,
    ]  # fmt: skip
    photos = [b for b in article.blocks if b.kind is K.IMAGE]
    assert [(p.url.rpartition("/")[2], p.text) for p in photos] == [
        ("hoi%20nghi.jpg", "Quang cảnh hội nghị."),
        ("de%20bao.jpg", "Ảnh: Đoạn đê bao xung yếu tại xã Nam Yên."),
        ("di%20doi.jpg", "Lực lượng xung kích hỗ trợ người dân di dời tài sản."),
    ]
    assert all(p.url.startswith(portal.url("/PublishingImages/")) for p in photos)
    assert article.blocks[2] == BodyBlock(K.HEADING, "Những việc cần làm ngay")
    assert article.blocks[9] == BodyBlock(K.ROW, "Nam Yên | 1,2 km | 30/6/2025")
    assert article.blocks[10] == BodyBlock(K.ROW, "Nam Thái A | 800 m | 15/7/2025")
    assert article.blocks[-1] == BodyBlock(
        K.PARAGRAPH, "Hội nghị kết thúc vào lúc 11 giờ cùng ngày."
    )
    # Captions are the photos' text, not paragraphs; the byline is the author, not the body.
    assert "Quang cảnh hội nghị." not in article.body
    assert "Thanh Vũ" not in article.body
    assert article.author == "Thanh Vũ"
    assert article.body == body_text(article.blocks)
    assert "Xem với cỡ chữ" not in article.body
    assert "Tin liên quan" not in article.body

    url = portal.url(PDF_PATH)
    assert article.attachments == (Attachment("Kế hoạch số 45/KH-BCH", url),)
    kept = await store.archived_file(url)
    assert kept is not None
    assert kept.read_bytes() == PDF
    digest = hashlib.sha256(PDF).hexdigest()
    assert kept == config.archive.files_dir / digest[:2] / f"{digest}.pdf"
    assert kept.parent.parent == config.storage.database.parent / "files"
    with sqlite3.connect(config.storage.database) as conn:
        row = conn.execute("SELECT url, bytes, sha256 FROM archived_files").fetchone()
    assert row == (url, len(PDF), digest)
    assert not list(kept.parent.glob(".partial-*"))  # written through a temporary name

    await poll(config, store)  # the next poll downloads nothing again
    assert portal.hits(PDF_PATH) == 1


async def test_a_pdf_over_the_cap_keeps_its_link_only(
    tmp_path: Path, portal: FakePortal, caplog: pytest.LogCaptureFixture
) -> None:
    serve(portal)
    config = make_config(tmp_path, portal, max_file_bytes=1000)
    caplog.set_level(logging.INFO, logger="anbien_bot.sources.attachments")
    store = await Store.open(config.storage.database, config.archive.files_dir)
    try:
        await poll(config, store)
        await poll(config, store)
        (article,) = await store.latest()
        url = portal.url(PDF_PATH)
        assert [a.url for a in article.attachments] == [url]
        assert await store.archived_file(url) is None
    finally:
        await store.close()
    lines = [r.getMessage() for r in caplog.records if PDF_PATH in r.getMessage()]
    assert lines == [f"attachment {url} kept the link only: body over 1000 bytes cap"]
    assert not (config.archive.files_dir).exists() or not any(
        config.archive.files_dir.rglob("*.pdf")
    )


async def test_a_failed_download_is_tried_again_later_and_the_article_stays(
    opened: tuple[Config, Store], portal: FakePortal
) -> None:
    config, store = opened
    portal.status(PDF_PATH, 500, times=1)
    await poll(config, store)
    url = portal.url(PDF_PATH)
    assert len(await store.latest()) == 1
    assert await store.archived_file(url) is None
    async with fetcher_for(config) as fetcher:
        soon = FileKeeper(config, store, fetcher, clock=lambda: utcnow() + timedelta(minutes=5))
        assert (await soon.keep_due()).kept == 0  # not due yet: no request
        assert portal.hits(PDF_PATH) == 1
        later = FileKeeper(config, store, fetcher, clock=lambda: utcnow() + timedelta(hours=2))
        assert (await later.keep_due()).kept == 1
    assert (await store.archived_file(url)) is not None


async def test_backfill_completes_an_article_kept_as_text_only(
    opened: tuple[Config, Store], portal: FakePortal
) -> None:
    config, store = opened
    old = Entry(
        key="2001",
        url=portal.url(ARTICLE),
        title="An Biên triển khai kế hoạch phòng, chống triều cường năm 2025",
        body="Sáng ngày 12/6, hội nghị triển khai kế hoạch.",
    )
    await store.import_entries("huyện", ["thong-bao"], [old], now=utcnow())
    (before,) = await store.latest()
    assert before.blocks == ()
    out = io.StringIO()
    assert await backfill(config, out=out, err=io.StringIO()) == 0
    assert "1 articles listed, 0 added, 1 already stored, 1 completed" in out.getvalue()
    assert "attached files: 1 kept, 0 to try again later, 0 kept as links only" in out.getvalue()
    (after,) = await store.latest()
    assert after.id == before.id
    assert len(after.blocks) == 16
    assert after.body == body_text(after.blocks)
    assert await store.archived_file(portal.url(PDF_PATH)) is not None
    # Whole now: the next backfill reads the article page no more.
    assert await backfill(config, out=io.StringIO(), err=io.StringIO()) == 0
    assert portal.hits(ARTICLE) == 1


def test_the_archive_keys_are_documented_with_their_range() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    assert "[archive]" in text
    assert "0 to 209715200 bytes" in text
    assert "max_file_bytes = 20971520" in text
    assert 'files_dir = "files"' in text
    assert ArchiveConfig().max_file_bytes == 20971520


async def test_the_backup_says_where_the_files_are_and_leaves_them_out(
    opened: tuple[Config, Store], portal: FakePortal, tmp_path: Path
) -> None:
    config, store = opened
    await poll(config, store)
    target = tmp_path / "backups" / "copy.sqlite3"
    command = [sys.executable, "bot.py", "backup", "--config", str(config_path(tmp_path))]
    done = await asyncio.to_thread(
        subprocess.run,
        [*command, "--to", str(target)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    files = config.archive.files_dir
    assert f"attached files are kept outside the database in {files}" in done.stdout
    assert f"rsync -a {files}/ {target.parent}/files/" in done.stdout
    assert PDF[:40] not in target.read_bytes()  # the file itself is not in the copy
    with sqlite3.connect(target) as conn:  # the copy knows which file each link has
        assert conn.execute("SELECT count(*) FROM archived_files").fetchone() == (1,)


def config_path(tmp_path: Path) -> Path:
    return tmp_path / "config.toml"


def rss(portal: FakePortal) -> str:
    """Return a feed whose one item has a description only: its text is on its page."""
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Huyện</title>"
        f"<link>{portal.url('/')}</link><item><title>Triều cường</title>"
        f"<link>{portal.url(ARTICLE)}</link><guid isPermaLink='false'>tin-2001</guid>"
        "<description>Ban Chỉ huy huyện triển khai kế hoạch.</description>"
        f"<enclosure url='{portal.url('/anh/bia.jpg')}' type='image/jpeg'/></item>"
        "</channel></rss>"
    )


async def test_a_feeds_backfill_reads_the_whole_article_from_its_page(
    tmp_path: Path, portal: FakePortal
) -> None:
    serve(portal)
    portal.serve("/huyen.rss", rss(portal))
    path = write_config(
        tmp_path,
        telegram={},
        sources=[{"name": "huyện", "url": portal.url("/huyen.rss"), "category": "thong-bao"}],
    )
    config = load_config(path, environ={})
    async with fetcher_for(config) as fetcher:
        store = await Store.open(config.storage.database, config.archive.files_dir)
        try:
            await Ingestor(config, store, fetcher).poll_due(force=True)
            (polled,) = await store.latest()
            assert polled.blocks == ()  # a poll reads no page for an item with photo and text
            assert await backfill(config, out=io.StringIO(), err=io.StringIO()) == 0
            (whole,) = await store.latest()
        finally:
            await store.close()
    assert whole.id == polled.id
    assert [b.kind for b in whole.blocks].count(K.IMAGE) == 3
    assert whole.blocks[-1].text == "Hội nghị kết thúc vào lúc 11 giờ cùng ngày."
    assert whole.summary == "Ban Chỉ huy huyện triển khai kế hoạch."
