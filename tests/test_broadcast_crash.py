"""A broadcast outlives its process: killed midway it completes after a restart; SIGTERM is clean.

The bot runs as ``python bot.py run`` against a FakeTelegram in this test process (the
helpers of test_crash start and reap it). The admin drafts and sends the broadcast through
the fake like a real editor would.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.admin_chat import (
    ADMIN,
    add_subscribers,
    admin_config,
    create_database,
    push,
    query,
    raw_message,
    replies_to,
)
from tests.fake_telegram import SEND_METHODS, FakeTelegram
from tests.harness import eventually
from tests.test_crash import finish, start_bot, statuses

CONCURRENCY = 8


def residents_reached(fake: FakeTelegram) -> list[int]:
    """Return the chat of every message residents received, repeats included."""
    return [c.chat_id for c in fake.sent() if c.chat_id is not None and c.chat_id != ADMIN]


def report_of(fake: FakeTelegram) -> str | None:
    return next((t for t in fake.sent_texts(ADMIN) if t.startswith("✅")), None)


async def send_broadcast(fake: FakeTelegram) -> None:
    """Draft a broadcast as the admin and press Send, once the process answers."""
    push(fake, raw_message(ADMIN, text="/broadcast Triều cường dâng cao tối nay, bà con chú ý."))
    await replies_to(fake, ADMIN, 2, timeout=30)  # the preview and the control message
    fake.push_callback(ADMIN, "bc:1:send", user_id=ADMIN)


@pytest.mark.slow
async def test_a_broadcast_killed_midway_reaches_everyone_after_a_restart(
    tmp_path: Path,
) -> None:
    subscribers = 2000
    everyone = set(range(1, subscribers + 1))
    db_path = tmp_path / "bot.sqlite3"
    log = tmp_path / "bot.log"
    async with FakeTelegram(latency=0.02) as fake:
        config = admin_config(
            tmp_path, fake, delivery={"messages_per_second": 1000, "concurrency": CONCURRENCY}
        )
        await create_database(db_path)
        add_subscribers(db_path, everyone)

        first = await start_bot(config, log)
        try:
            await send_broadcast(fake)
            await eventually(lambda: len(residents_reached(fake)) >= 300, timeout=30)
            first.kill()  # SIGKILL: no shutdown code runs
            await first.wait()
        finally:
            await finish(first)
        assert len(residents_reached(fake)) < subscribers, "it finished before the kill"
        assert query(db_path, "SELECT status FROM broadcasts") == [("sending",)]

        second = await start_bot(config, log)
        try:
            await eventually(
                lambda: set(residents_reached(fake)) >= everyone, timeout=60, interval=0.2
            )
            await eventually(lambda: report_of(fake), timeout=15)  # the progress resumed too
            # Every row marked sent: nothing is left that could still go out as a duplicate.
            await eventually(lambda: statuses(db_path) == {"sent": subscribers}, timeout=30)
            second.terminate()
            assert await asyncio.wait_for(second.wait(), timeout=20) == 0
        finally:
            await finish(second)

    per_chat = Counter(residents_reached(fake))
    assert set(per_chat) == everyone
    assert sum(n - 1 for n in per_chat.values()) <= CONCURRENCY, log.read_text("utf-8")[-3000:]
    assert statuses(db_path) == {"sent": subscribers}
    assert query(db_path, "SELECT status, recipients FROM broadcasts") == [("done", subscribers)]
    report = report_of(fake)
    assert report is not None
    assert "Đã nhận: 2.000/2.000" in report


@pytest.mark.slow
async def test_sigterm_finishes_the_sends_in_flight_and_exits_cleanly(tmp_path: Path) -> None:
    subscribers = 1000
    everyone = set(range(1, subscribers + 1))
    db_path = tmp_path / "bot.sqlite3"
    log = tmp_path / "bot.log"
    async with FakeTelegram(latency=0.05) as fake:
        config = admin_config(
            tmp_path, fake, delivery={"messages_per_second": 1000, "concurrency": CONCURRENCY}
        )
        await create_database(db_path)
        add_subscribers(db_path, everyone)

        process = await start_bot(config, log)
        try:
            await send_broadcast(fake)
            await eventually(lambda: len(residents_reached(fake)) >= 100, timeout=30)
            process.terminate()
            asked = time.monotonic()
            code = await asyncio.wait_for(process.wait(), timeout=20)
            took = time.monotonic() - asked
        finally:
            await finish(process)
        assert code == 0, log.read_text("utf-8")[-3000:]
        # An upper bound is part of this test's point (it is marked slow): SIGTERM ends the
        # process promptly, without a hang an operator would have to kill.
        assert took < 10
        # Every send the process began was answered before it left...
        assert [c for c in fake.calls if c.method in SEND_METHODS and c.status == 0] == []
        # ...and every message Telegram took is recorded as sent; the rest still wait.
        reached = residents_reached(fake)
        assert len(reached) < subscribers, "it finished before the SIGTERM"
        sent = {
            row[0]
            for row in query(db_path, "SELECT chat_id FROM deliveries WHERE status = 'sent'")
        }
        assert sent == set(reached)
        assert len(reached) == len(set(reached))

        again = await start_bot(config, log)
        try:
            await eventually(lambda: set(residents_reached(fake)) >= everyone, timeout=60)
            await eventually(lambda: report_of(fake), timeout=15)
            again.terminate()
            assert await asyncio.wait_for(again.wait(), timeout=20) == 0
        finally:
            await finish(again)
    assert Counter(residents_reached(fake)) == Counter(everyone)  # a clean stop repeats nothing
