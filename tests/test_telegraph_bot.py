"""The running bot and Telegraph: a job publishes the archive, a failing Telegraph harms nothing,
and the account command prints its token once and logs it nowhere."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from anbien_bot.models import BodyBlock, body_text
from anbien_bot.store import Store
from anbien_bot.values import BlockKind
from tests.conversation import bot_config, database, say, store_of
from tests.fake_telegram import FakeTelegram
from tests.fake_telegraph import FakeTelegraph
from tests.harness import eventually, running_bot, write_config
from tests.test_article_blocks import BLOCKS, NOW, entry
from tests.test_cli import ROOT, operator_env

RESIDENT = 9001
LONG = "Người dân xã An Biên gia cố nhà cửa, dự trữ lương thực trước mùa mưa bão. " * 6


@pytest.fixture
async def telegraph() -> AsyncIterator[FakeTelegraph]:
    async with FakeTelegraph() as server:
        yield server


def with_telegraph(config: Path, telegraph: FakeTelegraph) -> Path:
    """Add a [telegraph] table pointing at the fake to a config file."""
    table = (
        "\n[telegraph]\n"
        f'access_token = "{telegraph.token}"\n'
        f'api_url = "{telegraph.api_url}"\n'
        "page_interval_seconds = 0\n"
    )
    config.write_text(config.read_text(encoding="utf-8") + table, encoding="utf-8")
    return config


async def stored_articles(tmp_path: Path, count: int, *, paragraphs: int = 0) -> list[int]:
    """Store whole articles in the bot's database before it starts, ``paragraphs`` more each."""
    more = tuple(BodyBlock(BlockKind.PARAGRAPH, f"{i}. " + LONG) for i in range(paragraphs))
    blocks = BLOCKS + more
    store = await Store.open(database(tmp_path))
    try:
        entries = [
            entry(str(i), title=f"Tin số {i}", blocks=blocks, body=body_text(blocks))
            for i in range(count)
        ]
        result = await store.store_entries("Cổng xã", ["thong-bao"], entries, now=NOW, plan=None)
        return list(result.new)
    finally:
        await store.close()


async def test_the_bot_publishes_its_archive_in_the_background(
    tmp_path: Path, fake: FakeTelegram, telegraph: FakeTelegraph, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    ids = await stored_articles(tmp_path, 3, paragraphs=400)  # 3 pages cut short
    config = with_telegraph(bot_config(tmp_path, fake), telegraph)
    async with running_bot(config) as app:
        store = store_of(app)

        async def all_published() -> bool:
            return all([await store.telegraph_url(i) for i in ids])

        await eventually(all_published)
        assert sorted(p["title"] for p in telegraph.pages.values()) == [
            "Tin số 0",
            "Tin số 1",
            "Tin số 2",
        ]
        page = telegraph.page("Tin số 0")
        assert await store.telegraph_url(ids[0]) == page["url"]
        # The page ends with the article's deep link, by the bot's own username.
        link = page["content"][-1]["children"][-1]["attrs"]["href"]
        assert link == f"https://t.me/{fake.bot_user['username']}?start=a{ids[0]}"
    assert telegraph.token not in caplog.text


async def test_a_failing_telegraph_leaves_articles_unpublished_and_the_bot_serving(
    tmp_path: Path, fake: FakeTelegram, telegraph: FakeTelegraph, caplog
) -> None:
    (article_id,) = await stored_articles(tmp_path, 1)
    telegraph.refuse("PAGE_SAVE_FAILED", times=1000)
    config = with_telegraph(bot_config(tmp_path, fake), telegraph)
    async with running_bot(config) as app:
        await eventually(lambda: any(c.method == "createPage" for c in telegraph.calls))
        assert "/categories" in await say(fake, RESIDENT, "/help")
        assert await store_of(app).telegraph_url(article_id) is None
    refused = [r for r in caplog.records if "not published (PAGE_SAVE_FAILED)" in r.getMessage()]
    assert len(refused) == 1  # tried again only after the publishing interval
    assert telegraph.token not in caplog.text


async def test_without_telegraph_configured_nothing_is_scheduled_or_sent(
    tmp_path: Path, fake: FakeTelegram, telegraph: FakeTelegraph
) -> None:
    await stored_articles(tmp_path, 1)
    async with running_bot(bot_config(tmp_path, fake)) as app:
        assert app.bot_data["services"].config.telegraph is None
        assert app.job_queue.get_jobs_by_name("telegraph") == ()
        assert "/categories" in await say(fake, RESIDENT, "/help")
    assert telegraph.calls == []


async def test_telegraph_account_prints_its_token_once_and_never_logs_it(
    tmp_path: Path, telegraph: FakeTelegraph
) -> None:
    config = write_config(tmp_path, telegram={})
    config.write_text(
        config.read_text(encoding="utf-8") + f'\n[telegraph]\napi_url = "{telegraph.api_url}"\n',
        encoding="utf-8",
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "bot.py"),
        "telegraph-account",
        "xa-an-bien",
        "--config",
        str(config),
        "--debug",
        cwd=tmp_path,
        env=operator_env(tmp_path),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, err.decode()
    (account,) = [a for a in telegraph.accounts.values() if a["short_name"] == "xa-an-bien"]
    stdout, stderr = out.decode(), err.decode()
    assert stdout.count(account["access_token"]) == 1
    assert account["access_token"] not in stderr
    assert account["author_name"] == "Cổng thông tin điện tử huyện An Biên"
    assert "ANBIEN_TELEGRAPH_TOKEN" in stdout
    assert account["auth_url"] in stdout
