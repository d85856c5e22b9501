"""Logs: one line per event, and the bot token in none of them, from a real process end to end."""

from __future__ import annotations

import asyncio
import logging
import re
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from anbien_bot.log import setup_logging
from tests.admin_chat import (
    ADMIN,
    add_subscribers,
    admin_config,
    create_database,
    push,
    raw_message,
    replies_to,
)
from tests.fake_portal import FakePortal
from tests.fake_telegram import FakeTelegram
from tests.harness import TOKEN, eventually
from tests.test_crash import finish, start_bot

SECRET = TOKEN.split(":", 1)[1]  # the part of the token that makes it a secret
# "2026-11-29 10:00:00,123 INFO anbien_bot.delivery.sender: ..." and nothing else on any line.
_LINE = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (DEBUG|INFO|WARNING|ERROR|CRITICAL) \S+: "
)


def assert_clean(log: str) -> None:
    """Fail if the token or any part of it is in the log, or a line is not one event."""
    assert log.strip(), "nothing was logged"
    assert TOKEN not in log
    assert SECRET not in log
    assert SECRET[:8] not in log
    strays = [line for line in log.splitlines() if not _LINE.match(line)]
    assert strays == [], "\n".join(strays[:10])


@pytest.mark.slow
async def test_a_whole_run_logs_one_line_per_event_and_never_the_token(tmp_path: Path) -> None:
    log = tmp_path / "bot.log"
    db_path = tmp_path / "bot.sqlite3"
    async with FakeTelegram() as fake, FakePortal() as portal:
        portal.status("/rss.xml", 500)  # a failing source: warnings that name its URL
        config = admin_config(
            tmp_path,
            fake,
            sources=[
                {"name": "Cổng huyện", "url": portal.url("/rss.xml"), "category": "thong-bao"}
            ],
            polling={"interval_seconds": 1, "max_backoff_seconds": 1, "alert_after_failures": 2},
        )
        await create_database(db_path)
        add_subscribers(db_path, range(1, 21))
        fake.block(7)
        process = await start_bot(config, log)
        try:
            fake.push_message(1001, "/start", first_name="Lan")
            push(fake, raw_message(ADMIN, text="/broadcast Họp dân ấp Xẻo Nhàu lúc 19 giờ"))
            await replies_to(fake, ADMIN, 2, timeout=30)
            fake.push_callback(ADMIN, "bc:1:send", user_id=ADMIN)
            await eventually(
                lambda: any(t.startswith("✅ Đã gửi") for t in fake.sent_texts(ADMIN))
            )
            await eventually(lambda: any(t.startswith("🔴") for t in fake.sent_texts(ADMIN)))
            for command in ("/stats", "/sources"):
                before = len(fake.sent_to(ADMIN))
                push(fake, raw_message(ADMIN, text=command))
                await replies_to(fake, ADMIN, before + 1)
            fake.push_message(1002, "/stats")  # a refusal, logged
            await replies_to(fake, 1002, 1)
            process.terminate()
            assert await asyncio.wait_for(process.wait(), timeout=20) == 0
        finally:
            await finish(process)
    text = log.read_text("utf-8")
    assert_clean(text)
    for event in ("broadcast=1 sending", "broadcast=1 done", "source='Cổng huyện' failed"):
        assert event in text


@pytest.mark.slow
async def test_a_token_telegram_refuses_stops_the_bot_with_one_line_and_no_token(
    tmp_path: Path,
) -> None:
    log = tmp_path / "bot.log"
    async with FakeTelegram() as fake:
        fake.fail(method="getMe", code=401, description="Unauthorized", times=None)
        process = await start_bot(admin_config(tmp_path, fake), log)
        try:
            code = await asyncio.wait_for(process.wait(), timeout=30)
        finally:
            await finish(process)
    text = log.read_text("utf-8")
    assert code == 2
    assert_clean(text)
    assert "Telegram refused the bot token" in text


# -- the formatter in this process -----------------------------------------------------------


@pytest.fixture
def restored_logging() -> Iterator[None]:
    """Put pytest's own logging set-up back after a test set it up as `anbien-bot run` does."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level, sys.excepthook)
    levels = {n: logging.getLogger(n).level for n in ("httpx", "httpcore", "apscheduler")}
    yield
    logging.captureWarnings(False)
    root.handlers[:], root.level, sys.excepthook = saved
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def test_the_token_is_blanked_in_messages_arguments_and_tracebacks(
    restored_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    setup_logging(secrets=[TOKEN])
    log = logging.getLogger("anbien_bot.test")
    log.info("calling https://api.telegram.org/bot%s/getMe", TOKEN)
    try:
        raise RuntimeError(f"The token `{TOKEN}` was rejected by the server.")
    except RuntimeError:
        log.exception("failed")
    try:
        raise ValueError(f"token {TOKEN}")
    except ValueError:
        sys.excepthook(*sys.exc_info())  # what Python does with an error nobody caught
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.warn(f"deprecated call with {TOKEN}", UserWarning, stacklevel=1)
    err = capsys.readouterr().err
    assert_clean(err)
    assert err.count("<token>") == 4
    assert len(err.splitlines()) == 4  # a traceback stays on its record's line
    assert "stopped by an uncaught error | Traceback (most recent call last):" in err


def test_httpx_request_lines_are_not_logged(restored_logging: None) -> None:
    setup_logging(secrets=[TOKEN])
    # httpx logs each request URL (with the token) at INFO; only its warnings get through.
    assert not logging.getLogger("httpx").isEnabledFor(logging.INFO)
    assert logging.getLogger("httpx").isEnabledFor(logging.WARNING)
    assert logging.getLogger("anbien_bot").isEnabledFor(logging.INFO)
