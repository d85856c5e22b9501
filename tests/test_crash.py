"""A real bot process killed with SIGKILL in the middle of a fan-out loses nothing on restart.

The bot runs as ``python bot.py run`` against a FakeTelegram in this test process. One post is
queued for 2,000 subscribers before it starts; once the fake has seen some of the sends the
process is killed, started again, and every subscriber must end up with the post, with no
more duplicates than the sends that were in flight at the kill (delivery.concurrency).
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
from anbien_bot.text.dates import to_iso
from tests.fake_telegram import FakeTelegram
from tests.harness import eventually, write_config

ROOT = Path(__file__).resolve().parent.parent
SUBSCRIBERS = 2000
CONCURRENCY = 8
NOW = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)


async def queue_post(db_path: Path) -> None:
    """Create the subscribers and queue one post with a photo for all of them."""
    store = await Store.open(db_path)
    try:
        with sqlite3.connect(db_path) as conn:
            conn.executemany(
                "INSERT INTO chats(id, type, language, created_at, updated_at) "
                "VALUES (?, 'private', 'vi', ?, ?)",
                [(chat, to_iso(NOW), to_iso(NOW)) for chat in range(1, SUBSCRIBERS + 1)],
            )
            conn.executemany(
                "INSERT INTO subscriptions(chat_id, category, created_at) "
                "VALUES (?, 'thong-bao', ?)",
                [(chat, to_iso(NOW)) for chat in range(1, SUBSCRIBERS + 1)],
            )
        post = Entry(
            key="bao-so-3",
            url="https://anbien.example.vn/trang/TinTuc/17/3001/canh-bao-bao-so-3.html",
            title="Cảnh báo bão số 3: người dân ven biển khẩn trương gia cố nhà cửa",
            summary="Ban Chỉ huy phòng chống thiên tai huyện yêu cầu tàu thuyền vào nơi trú ẩn.",
            image_url="https://anbien.example.vn/PublishingImages/TinTuc/bao-so-3.jpg",
            published=NOW,
        )
        result = await store.store_entries(
            "Cổng huyện", ["thong-bao"], [post], now=NOW, plan=Planner()
        )
        assert result.enqueued == SUBSCRIBERS
    finally:
        await store.close()


def statuses(db_path: Path) -> dict[str, int]:
    """Return how many outbox rows have each status."""
    with sqlite3.connect(db_path, timeout=10) as conn:
        return dict(conn.execute("SELECT status, count(*) FROM deliveries GROUP BY status"))


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


@pytest.mark.slow
async def test_sigkill_mid_fanout_then_restart_delivers_to_everyone_once(tmp_path: Path) -> None:
    async with FakeTelegram(latency=0.02) as fake:  # about 400 sends a second at 8 in flight
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

        first = await start_bot(config, log)
        try:
            await eventually(lambda: len(fake.sent()) >= 300, timeout=30)
            first.kill()  # SIGKILL: no shutdown code runs
            await first.wait()
        finally:
            await finish(first)
        at_kill = len(fake.sent())
        assert at_kill < SUBSCRIBERS, "the fan-out finished before the kill"

        second = await start_bot(config, log)
        try:
            everyone = set(range(1, SUBSCRIBERS + 1))
            await eventually(
                lambda: {c.chat_id for c in fake.sent()} >= everyone, timeout=60, interval=0.2
            )
            # Every row marked sent: nothing is left that could still go out as a duplicate.
            await eventually(lambda: statuses(db_path) == {"sent": SUBSCRIBERS}, timeout=30)
            second.terminate()  # SIGTERM: the bot stops cleanly
            await asyncio.wait_for(second.wait(), timeout=20)
        finally:
            await finish(second)

    per_chat = Counter(c.chat_id for c in fake.sent())
    duplicates = sum(n - 1 for n in per_chat.values())
    assert set(per_chat) == everyone
    assert duplicates <= CONCURRENCY, log.read_text("utf-8")[-3000:]
    assert statuses(db_path) == {"sent": SUBSCRIBERS}
    # The photo was fetched by URL once; the kill did not make the restart fetch it again.
    by_url = [c for c in fake.sent("sendPhoto") if str(c.params["photo"]).startswith("https:")]
    assert len(by_url) == 1
