"""Honest exit statuses and prompt stops, through the real command line.

`poll --once` says with its status whether every source worked, and leaves the running bot's
polling schedule alone; Ctrl-C and SIGTERM stop every long command without a traceback; and
the bot stops within 5 s of SIGTERM while a source hangs, finishing the send in flight.
"""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from anbien_bot.delivery.planner import Planner
from anbien_bot.models import Entry
from anbien_bot.store import Store
from anbien_bot.values import FailureKind
from tests.admin_chat import RESIDENT, query
from tests.fake_portal import FakePortal
from tests.fake_telegram import FakeTelegram
from tests.harness import eventually, write_config
from tests.test_crash import ROOT, finish, start_bot

pytestmark = pytest.mark.slow
HANGING = "Cổng treo"
FEED = (
    "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Tin</title>"
    "<item><title>Thông báo lịch tiếp công dân tháng 12</title>"
    "<link>https://anbien.example.vn/trang/TinTuc/17/4001/lich.html</link>"
    "<guid isPermaLink='false'>4001</guid>"
    "<pubDate>Fri, 04 Dec 2026 08:00:00 +0700</pubDate></item></channel></rss>"
)


async def command(*args: str) -> asyncio.subprocess.Process:
    """Start `anbien-bot ARGS` as an operator would type it."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "bot.py"),
        *args,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )


async def queue_post(db_path: Path, chat_id: int) -> None:
    """Subscribe chat_id and queue one post for it, as a poll of the bot would."""
    store = await Store.open(db_path)
    try:
        await store.activate_chat(chat_id, "private", "vi")
        await store.subscribe(chat_id, ["thong-bao"])
        post = Entry(
            key="4002",
            url="https://anbien.example.vn/trang/TinTuc/17/4002/cup-dien.html",
            title="Lịch cúp điện ấp Xẻo Nhàu ngày 5/12",
            published=datetime.now(UTC),
        )
        result = await store.store_entries(
            "Cổng huyện", ["thong-bao"], [post], now=datetime.now(UTC), plan=Planner()
        )
        assert result.enqueued == 1
    finally:
        await store.close()


async def test_sigterm_while_a_source_hangs_stops_within_5_s_and_finishes_the_send(
    tmp_path: Path,
) -> None:
    log = tmp_path / "bot.log"
    db_path = tmp_path / "bot.sqlite3"
    async with FakeTelegram() as fake, FakePortal() as portal:
        portal.serve("/rss.xml", FEED)
        portal.delay("/rss.xml", 120)  # accepts the connection, never answers in time
        fake.method_latency["sendMessage"] = 3.0  # so the post is in flight at the signal
        config = write_config(
            tmp_path,
            telegram={"api_base_url": fake.base_url, "api_file_url": fake.base_file_url},
            sources=[{"name": HANGING, "url": portal.url("/rss.xml"), "category": "thong-bao"}],
            polling={"interval_seconds": 1, "timeout_seconds": 30},
        )
        await queue_post(db_path, RESIDENT)
        process = await start_bot(config, log)
        try:
            await eventually(
                lambda: portal.in_flight and any(c.method == "sendMessage" for c in fake.calls),
                timeout=30,
            )
            assert fake.sent("sendMessage") == []  # still on its way
            signalled = time.monotonic()
            process.terminate()
            code = await asyncio.wait_for(process.wait(), timeout=40)
            took = time.monotonic() - signalled
        finally:
            await finish(process)
    assert code == 0
    assert took < 5, f"{took:.1f} s from SIGTERM to exit"
    assert [c.chat_id for c in fake.sent("sendMessage")] == [RESIDENT]  # finished...
    assert query(db_path, "SELECT status FROM deliveries") == [("sent",)]  # ...and recorded
    text = log.read_text("utf-8")
    assert "Traceback" not in text
    assert f"source='{HANGING}' failed" not in text  # abandoned, not counted as a failure


SCHEDULE = (
    "SELECT name, consecutive_failures, next_poll_at, last_error, last_error_at, "
    "last_success_at FROM sources ORDER BY name"
)


async def test_poll_once_fails_with_a_source_and_leaves_the_schedule_alone(tmp_path: Path) -> None:
    db_path = tmp_path / "bot.sqlite3"
    async with FakePortal() as portal:
        portal.serve("/tot.xml", FEED)
        portal.status("/loi.xml", 503)
        path = write_config(
            tmp_path,
            telegram={},
            sources=[
                {"name": "Cổng tốt", "url": portal.url("/tot.xml"), "category": "thong-bao"},
                {"name": "Cổng lỗi", "url": portal.url("/loi.xml"), "category": "thong-bao"},
            ],
        )
        # What the running bot has recorded: one failure in a row, and when it polls next.
        now = datetime.now(UTC).replace(microsecond=0)
        store = await Store.open(db_path)
        try:
            await store.record_failure(
                "Cổng lỗi", "HTTP 500", FailureKind.FETCH, now=now, next_poll_at=now
            )
            await store.record_success(
                "Cổng tốt", now=now, next_poll_at=now + timedelta(seconds=600)
            )
        finally:
            await store.close()
        before = query(db_path, SCHEDULE)

        child = await command("poll", "--once", "--config", str(path))
        out, err = await asyncio.wait_for(child.communicate(), 60)

    assert child.returncode == 1
    assert "Thông báo lịch tiếp công dân tháng 12" in out.decode()  # what worked is stored
    assert query(db_path, "SELECT count(*) FROM articles") == [(1,)]
    lines = err.decode().splitlines()
    assert [line for line in lines if line.startswith("! ")] == ["! Cổng lỗi: HTTP 503"]
    assert "next try" not in err.decode()
    assert query(db_path, SCHEDULE) == before


@pytest.mark.parametrize(
    ("args", "sig", "status"),
    [
        (("poll",), signal.SIGINT, 0),  # polling until stopped: Ctrl-C is how it ends
        (("poll",), signal.SIGTERM, 0),
        (("poll", "--once"), signal.SIGINT, 130),  # stopped before it finished
        (("backfill",), signal.SIGTERM, 130),
        (("preview", "--source", HANGING), signal.SIGINT, 130),
    ],
)
async def test_ctrl_c_and_sigterm_stop_a_long_command_cleanly(
    tmp_path: Path, args: tuple[str, ...], sig: signal.Signals, status: int
) -> None:
    async with FakePortal() as portal:
        portal.serve("/rss.xml", FEED)
        portal.delay("/rss.xml", 120)
        path = write_config(
            tmp_path,
            telegram={},
            sources=[{"name": HANGING, "url": portal.url("/rss.xml"), "category": "thong-bao"}],
            polling={"timeout_seconds": 30},
        )
        child = await command(*args, "--config", str(path))
        try:
            await eventually(lambda: portal.in_flight, timeout=30)
            child.send_signal(sig)
            _, err = await asyncio.wait_for(child.communicate(), 20)  # not the 30 s timeout
        finally:
            if child.returncode is None:
                child.kill()
                await child.wait()
    assert child.returncode == status
    assert "Traceback" not in err.decode()
    assert "KeyboardInterrupt" not in err.decode()
    with sqlite3.connect(tmp_path / "bot.sqlite3") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
