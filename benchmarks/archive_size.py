"""How much the archive grows when it keeps whole articles, and where attached PDFs go.

Run from the repository root: ``python benchmarks/archive_size.py [--articles 10000]
[--pdf-share 0.3] [--pdf-kb 300] [--files-sample 200]`` (about a minute on two cores).

Articles shaped like the portal's: a title, a lead, 6 to 10 paragraphs of 250 to 600
characters of Vietnamese, 2 to 5 photos with captions (SharePoint-style percent-encoded
URLs), a list in one article of three, a small table in one of five, and in ``--pdf-share`` of
them one or two attached PDFs. The same articles are stored twice through the real store
(Store.import_entries, as ``backfill`` stores them, in batches of 500): once whole (with their
blocks) and once as text only (the same body, no blocks), each into a new database. Prints
each database's size after a checkpoint, bytes per article, what the blocks add or save (they
are kept compressed, the text only is not), and what the biggest tables hold.

The PDFs are kept outside the database (store/files.py). Writing gigabytes is not needed to
know their size: ``--files-sample`` articles with a PDF get real files of about ``--pdf-kb``
KB written through Store.keep_file, and the directory's size is scaled to all articles.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from anbien_bot.models import Attachment, BodyBlock, Entry, body_text  # noqa: E402
from anbien_bot.store import Store  # noqa: E402
from anbien_bot.values import BlockKind  # noqa: E402

HOST = "https://anbien.kiengiang.gov.vn"
BATCH = 500
CATEGORIES = ["hoat-dong-huyen-uy", "chinh-tri-xa-hoi", "thong-bao"]


def vocabulary() -> list[str]:
    """Return Vietnamese syllables as the portal writes them (from the test archive)."""
    rows = json.loads((ROOT / "tests" / "data" / "archive" / "titles.json").read_text("utf-8"))
    words = {w.strip(",.;:“”–") for r in rows for w in f"{r['title']} {r['summary']}".split()}
    return sorted(w for w in words if w and not w.isdigit())


class Writer:
    """Makes Vietnamese-looking text of a given length from real syllables."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.words = vocabulary()

    def text(self, low: int, high: int) -> str:
        goal = self.rng.randint(low, high)
        words: list[str] = []
        size = 0
        while size < goal:
            word = self.rng.choice(self.words)
            words.append(word)
            size += len(word) + 1
        return (" ".join(words)[:goal].rstrip() + ".").capitalize()


def article(n: int, rng: random.Random, writer: Writer, pdf_share: float) -> Entry:
    """Return one whole article, numbered n, as a backfill would store it."""
    blocks: list[BodyBlock] = []
    paragraphs = rng.randint(6, 10)
    photos = rng.randint(2, 5)
    photo_at = sorted(rng.sample(range(paragraphs), photos))
    for index in range(paragraphs):
        if index in photo_at:
            name = quote(f"/PublishingImages/TinTuc/2025/{writer.text(15, 40)} {n}-{index}.jpg")
            blocks.append(BodyBlock(BlockKind.IMAGE, writer.text(40, 140), HOST + name))
        if index == 2 and rng.random() < 1 / 3:
            blocks.append(BodyBlock(BlockKind.HEADING, writer.text(20, 60)))
            blocks += [BodyBlock(BlockKind.ITEM, writer.text(30, 120)) for _ in range(4)]
        if index == 4 and rng.random() < 1 / 5:
            rows = [" | ".join(writer.text(5, 25) for _ in range(3)) for _ in range(5)]
            blocks += [BodyBlock(BlockKind.ROW, row) for row in rows]
        blocks.append(BodyBlock(BlockKind.PARAGRAPH, writer.text(250, 600)))
    files = ()
    if rng.random() < pdf_share:
        files = tuple(
            Attachment(writer.text(20, 60), f"{HOST}/Documents/QD-{n}-{k}.signed.pdf")
            for k in range(rng.choice((1, 1, 2)))
        )
    whole = tuple(blocks)
    published = datetime(2021, 1, 1, tzinfo=UTC) + timedelta(hours=4 * n)
    return Entry(
        key=str(10_000 + n),
        url=f"{HOST}/trang/TinTuc/17/{10_000 + n}/bai-viet-{n}.html",
        title=writer.text(50, 110).rstrip("."),
        summary=whole[0].text if whole[0].kind is BlockKind.PARAGRAPH else writer.text(150, 300),
        image_url=next(b.url for b in whole if b.kind is BlockKind.IMAGE),
        published=published,
        body=body_text(whole),
        author=writer.text(8, 20).rstrip("."),
        attachments=files,
        blocks=whole,
    )


def articles(count: int, pdf_share: float, seed: int = 14) -> list[Entry]:
    rng = random.Random(seed)
    writer = Writer(rng)
    return [article(n, rng, writer, pdf_share) for n in range(count)]


def text_only(entry: Entry) -> Entry:
    """Return the same article as it was kept before bodies were whole: its text only."""
    return replace(entry, blocks=())


async def fill(path: Path, entries: list[Entry]) -> float:
    """Store entries into a new database at path as a backfill does; return the seconds."""
    store = await Store.open(path, path.parent / "files")
    started = time.perf_counter()
    try:
        now = datetime(2026, 1, 1, tzinfo=UTC)
        for start in range(0, len(entries), BATCH):
            chunk = entries[start : start + BATCH]
            category = CATEGORIES[start // BATCH % len(CATEGORIES)]
            await store.import_entries("portal", [category], chunk, now=now)
        await store.optimize_search_index()
    finally:
        await store.close()
    return time.perf_counter() - started


def size_of(path: Path) -> tuple[int, list[tuple[str, int]]]:
    """Return the database's size after a checkpoint, and its biggest tables and indexes."""
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        try:
            parts = conn.execute(
                "SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC LIMIT 6"
            ).fetchall()
        except sqlite3.OperationalError:  # a SQLite built without dbstat
            parts = []
    return path.stat().st_size, parts


async def keep_files(directory: Path, entries: list[Entry], sample: int, kb: int) -> tuple:
    """Keep real PDFs for ``sample`` of the articles that link one; return (files written,
    their bytes, the directory's bytes on disk, the links to PDFs among all entries)."""
    links = [a.url for e in entries for a in e.attachments]
    rng = random.Random(15)
    store = await Store.open(directory / "files.sqlite3", directory / "files")
    written = size = 0
    try:
        for entry in [e for e in entries if e.attachments][:sample]:
            await store.import_entries("portal", ["thong-bao"], [entry], now=datetime.now(UTC))
            for file in entry.attachments:
                length = int(kb * 1024 * rng.uniform(0.3, 1.7))
                data = b"%PDF-1.7\n" + os.urandom(
                    length
                )  # scans of signed notices: incompressible
                await store.keep_file(file.url, data, datetime.now(UTC))
                written += 1
                size += len(data)
    finally:
        await store.close()
    on_disk = sum(p.stat().st_blocks * 512 for p in _files(directory / "files"))
    return written, size, on_disk, len(links)


def _files(directory: Path) -> Iterator[Path]:
    return (p for p in directory.rglob("*") if p.is_file())


def mb(size: float) -> str:
    return f"{size / 1e6:,.1f} MB"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--pdf-share", type=float, default=0.3)
    parser.add_argument("--pdf-kb", type=int, default=300)
    parser.add_argument("--files-sample", type=int, default=200)
    args = parser.parse_args()
    entries = articles(args.articles, args.pdf_share)
    chars = sum(len(e.body) for e in entries) / len(entries)
    photos = sum(sum(b.kind is BlockKind.IMAGE for b in e.blocks) for e in entries) / len(entries)
    print(
        f"{len(entries):,} articles: {chars:,.0f} characters of text and {photos:.1f} photos "
        f"on average, {sum(bool(e.attachments) for e in entries):,} with attached PDFs"
    )
    with tempfile.TemporaryDirectory(prefix="anbien-archive-") as tmp:
        results = {}
        for label, batch in (("text only", [text_only(e) for e in entries]), ("whole", entries)):
            path = Path(tmp) / label.replace(" ", "-") / "anbien.sqlite3"
            path.parent.mkdir()
            seconds = await fill(path, batch)
            size, parts = size_of(path)
            results[label] = size
            print(
                f"\n{label}: {mb(size)} ({size / len(entries):,.0f} bytes per article), "
                f"stored in {seconds:.1f} s"
            )
            for name, part in parts:
                print(f"  {name:<28} {mb(part)}")
        grown = results["whole"] - results["text only"]
        print(
            f"\nkeeping them whole (blocks, compressed) instead of as text only: "
            f"{grown / 1e6:+,.1f} MB ({grown / len(entries):+,.0f} bytes per article, "
            f"{grown / results['text only']:+.0%}); per 10,000 whole articles the database "
            f"grows by {mb(results['whole'] / len(entries) * 10_000)}"
        )
        written, size, on_disk, links = await keep_files(
            Path(tmp) / "files", entries, args.files_sample, args.pdf_kb
        )
        scale = links / written if written else 0
        print(
            f"\nfiles directory (outside the database): {written} PDFs written, {mb(size)} "
            f"({mb(on_disk)} on disk, mean {size / max(written, 1) / 1024:,.0f} KB); for all "
            f"{links:,} linked PDFs about {mb(on_disk * scale)}, "
            f"{mb(on_disk * scale / len(entries) * 10_000)} per 10,000 articles"
        )


if __name__ == "__main__":
    asyncio.run(main())
