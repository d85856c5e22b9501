"""Benchmark: polling 100 RSS sources x 50 items over loopback.

Run: python benchmarks/ingest.py [--sources 100] [--items 50]

The feeds are served by tests/fake_portal.FakePortal in a child process, so its CPU is not
ours. Every source is on 127.0.0.1, one host: the per-host politeness delay is set to 0 and
the per-host limit to 4 here, or the run would measure the delay we impose on purpose.
Prints: first poll (entries stored per second), steady-state poll where every source
answers 304 (wall seconds).
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from anbien_bot.config import load_config  # noqa: E402
from anbien_bot.sources.ingest import Ingestor, fetcher_for  # noqa: E402
from anbien_bot.store import Store  # noqa: E402
from tests.harness import write_config  # noqa: E402

TEXT = (
    "Ủy ban nhân dân huyện An Biên thông báo lịch cúp điện ấp Xẻo Nhàu xã Thứ Ba "
    "hội nghị sơ kết mô hình tôm lúa phòng chống sạt lở triều cường khẩn cấp"
)
WORDS = TEXT.split(" ")


def feed(base: str, source: int, items: int) -> str:
    """Return a synthetic RSS feed of one source."""
    parts = []
    for i in range(items):
        title = " ".join(WORDS[(source + i + k) % len(WORDS)] for k in range(9))
        parts.append(
            f"<item><title>{title} số {source}-{i}</title>"
            f"<link>{base}/tin/{source}/{i}.html</link><guid>{source}-{i}</guid>"
            f"<pubDate>Fri, 29 May 2020 {i % 24:02d}:{source % 60:02d}:00 +0700</pubDate>"
            f"<description><![CDATA[<p>{' '.join(WORDS)}</p><p>{title}</p>]]></description>"
            f"<enclosure url='{base}/anh/{source}-{i}.jpg' type='image/jpeg'/></item>"
        )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Nguồn</title>"
        f"<link>{base}/</link>{''.join(parts)}</channel></rss>"
    )


def serve(
    sources: int, items: int, ready: multiprocessing.Queue, stop: multiprocessing.Event
) -> None:
    """Run the fake portal in this child process until told to stop."""
    from tests.fake_portal import FakePortal

    async def main() -> None:
        async with FakePortal() as portal:
            base = portal.url("").rstrip("/")
            for s in range(sources):
                portal.serve(f"/rss/{s}.xml", feed(base, s, items))
            ready.put(base)
            await asyncio.to_thread(stop.wait)

    asyncio.run(main())


async def measure(base: str, sources: int, items: int, directory: Path) -> None:
    """Poll every source twice and print the figures."""
    path = write_config(
        directory,
        telegram={},
        sources=[
            {"name": f"nguồn {s}", "url": f"{base}/rss/{s}.xml", "category": "thong-bao"}
            for s in range(sources)
        ],
        polling={"per_host_requests": 4, "page_delay_seconds": 0},
    )
    config = load_config(path, environ={})
    store = await Store.open(config.storage.database)
    try:
        async with fetcher_for(config) as fetcher:
            ingestor = Ingestor(config, store, fetcher)
            started = time.perf_counter()
            first = await ingestor.poll_due(force=True)
            first_s = time.perf_counter() - started
            stored = sum(len(o.result.new) for o in first)
            failed = [o for o in first if o.status == "failed"]
            started = time.perf_counter()
            steady = await ingestor.poll_due(force=True)
            steady_s = time.perf_counter() - started
    finally:
        await store.close()
    unchanged = sum(o.status == "unchanged" for o in steady)
    print(f"sources: {sources}, items per source: {items}, failed: {len(failed)}")
    print(
        f"first poll: {stored} entries stored in {first_s:.2f} s "
        f"= {stored / first_s:.0f} entries/s  (floor >= 500/s)"
    )
    print(
        f"steady poll (every source 304): {unchanged}/{sources} unchanged in {steady_s:.3f} s wall"
        "  (floor <= 1 s)"
    )


def main() -> None:
    """Run the benchmark."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=100)
    parser.add_argument("--items", type=int, default=50)
    args = parser.parse_args()
    ready: multiprocessing.Queue = multiprocessing.Queue()
    stop = multiprocessing.Event()
    server = multiprocessing.Process(target=serve, args=(args.sources, args.items, ready, stop))
    server.start()
    try:
        base = ready.get(timeout=30)
        with tempfile.TemporaryDirectory() as directory:
            asyncio.run(measure(base, args.sources, args.items, Path(directory)))
    finally:
        stop.set()
        server.join(timeout=10)
        if server.is_alive():
            server.kill()


if __name__ == "__main__":
    main()
