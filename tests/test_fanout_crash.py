"""A bot process killed with SIGKILL while it writes a big fan-out's outbox rows loses nothing.

The bot runs as ``python bot.py run`` against a FakeTelegram in this test process. A post for
20,000 subscribers is stored before it starts: its unit of work writes the first 2,000 rows
and a fan-out record, and the bot's sender writes the rest a batch at a time while it sends.
Each run is killed once the test sees the record's cursor move by one, three, then five
batches (at whatever point of the next batch or of a send the process is), then started
again. Every subscriber must then have the post once, but for the sends in flight at each
kill (delivery.concurrency per kill: the sender's bound), and the outbox must hold one sent
row per subscriber.
"""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from anbien_bot.delivery.planner import Planner
from anbien_bot.models import Entry
from anbien_bot.store import Store
from anbien_bot.store.expansion import BATCH
from anbien_bot.store.fanout import WITH_ARTICLE
from tests.fake_telegram import FakeTelegram
from tests.harness import eventually, write_config
from tests.test_fanout_expansion import add_subscribers

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)
SUBSCRIBERS = 20_000
CONCURRENCY = 8
KILL_AFTER = (1, 3, 5)  # batches written by each run before its kill


async def queue_post(db_path: Path) -> None:
    """Create the subscribers and store one post for all of them, as a poll would."""
    await (await Store.open(db_path)).close()
    add_subscribers(db_path, range(1, SUBSCRIBERS + 1))
    post = Entry(
        key="bao-so-3",
        url="https://anbien.example.vn/trang/TinTuc/17/3001/canh-bao-bao-so-3.html",
        title="Cảnh báo bão số 3: người dân ven biển khẩn trương gia cố nhà cửa",
        summary="Ban Chỉ huy phòng chống thiên tai huyện yêu cầu tàu thuyền vào nơi trú ẩn.",
        published=NOW,
    )
    store = await Store.open(db_path)
    try:
        result = await store.store_entries(
            "Cổng huyện", ["thong-bao"], [post], now=NOW, plan=Planner()
        )
    finally:
        await store.close()
    assert (result.enqueued, result.expanding) == (WITH_ARTICLE, 1)


async def start_bot(config: Path, log: Path) -> asyncio.subprocess.Process:
    with log.open("ab") as sink:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "bot.py",
            "run",
            "--config",
            str(config),
            cwd=ROOT,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=sink,
            stderr=sink,
        )


async def finish(process: asyncio.subprocess.Process) -> None:
    """Kill the process if it still runs and reap it."""
    if process.returncode is None:
        process.kill()
    await process.wait()


def cursor(db_path: Path) -> int | None:
    """Return how far the fan-out record is written, or None once it is finished."""
    with sqlite3.connect(db_path, timeout=30) as conn:
        row = conn.execute("SELECT reached FROM fanouts").fetchone()
    return None if row is None else row[0]


async def kill_after_batches(
    process: asyncio.subprocess.Process, db_path: Path, batches: int
) -> bool:
    """SIGKILL the bot once it has written that many batches; return whether more remained."""
    start = cursor(db_path)
    assert start is not None
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 60
    while loop.time() < deadline:
        now = cursor(db_path)
        if now is None or now >= start + batches * BATCH:
            break
        await asyncio.sleep(0.002)
    process.kill()  # SIGKILL: no shutdown code runs
    await process.wait()
    assert cursor(db_path) != start, "the bot wrote no batch within a minute"
    return cursor(db_path) is not None


@pytest.mark.slow
async def test_sigkill_while_a_fanout_is_written_then_restart_delivers_once(
    tmp_path: Path,
) -> None:
    async with FakeTelegram(latency=0.01) as fake:
        config = write_config(
            tmp_path,
            telegram={"api_base_url": fake.base_url, "api_file_url": fake.base_file_url},
            delivery={
                "messages_per_second": 1000,
                "private_interval_seconds": 1.0,
                "concurrency": CONCURRENCY,
            },
        )
        db_path = tmp_path / "bot.sqlite3"
        await queue_post(db_path)
        log = tmp_path / "bot.log"

        kills = 0
        for batches in KILL_AFTER:  # at a different point of the expansion each time
            if cursor(db_path) is None:
                break
            process = await start_bot(config, log)
            try:
                unfinished = await kill_after_batches(process, db_path, batches)
            finally:
                await finish(process)
            kills += 1
            if kills == 1:
                assert unfinished, "the expansion finished before the first kill"

        last = await start_bot(config, log)
        try:
            everyone = set(range(1, SUBSCRIBERS + 1))
            await eventually(
                lambda: {c.chat_id for c in fake.sent()} >= everyone, timeout=180, interval=0.5
            )
            await asyncio.sleep(1.0)  # a late duplicate would show up by now
            last.terminate()  # SIGTERM: the bot stops cleanly
            await asyncio.wait_for(last.wait(), timeout=20)
        finally:
            await finish(last)

    per_chat = Counter(c.chat_id for c in fake.sent())
    duplicates = sum(n - 1 for n in per_chat.values())
    assert set(per_chat) == everyone
    assert duplicates <= kills * CONCURRENCY, log.read_text("utf-8")[-3000:]
    with sqlite3.connect(db_path) as conn:
        statuses = dict(conn.execute("SELECT status, count(*) FROM deliveries GROUP BY status"))
        rows = conn.execute("SELECT count(DISTINCT chat_id), count(*) FROM deliveries").fetchone()
    assert statuses == {"sent": SUBSCRIBERS}
    assert rows == (SUBSCRIBERS, SUBSCRIBERS)
    assert cursor(db_path) is None
