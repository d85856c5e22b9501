"""Publishing the archive on Telegraph, against the loopback fake: pages, flood waits, refusals."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from anbien_bot.delivery.publishing import TelegraphPublisher
from anbien_bot.delivery.telegraph import CONTENT_LIMIT
from anbien_bot.models import Attachment, BodyBlock, body_text
from anbien_bot.net.telegraph import TelegraphClient
from anbien_bot.store import Store
from anbien_bot.telegraphconfig import TelegraphConfig
from anbien_bot.values import BlockKind
from tests.fake_telegraph import FakeTelegraph
from tests.harness import eventually
from tests.test_article_blocks import BLOCKS, NOW, entry

BOT = "anbien_test_bot"


def reading_link(article_id: int) -> str:
    return f"https://t.me/{BOT}?start=a{article_id}"


@pytest.fixture
async def telegraph() -> AsyncIterator[FakeTelegraph]:
    async with FakeTelegraph() as server:
        yield server


def settings(telegraph: FakeTelegraph, **numbers: float) -> TelegraphConfig:
    # Built directly, as parse_telegraph would: its bounds are for operators, not tests.
    config = TelegraphConfig(
        access_token=telegraph.token,
        author_name="Cổng TTĐT xã",
        api_url=telegraph.api_url,
        page_interval_seconds=0,
    )
    return replace(config, **numbers)


@pytest.fixture
async def publisher(store: Store, telegraph: FakeTelegraph) -> AsyncIterator[TelegraphPublisher]:
    config = settings(telegraph)
    made = TelegraphPublisher(
        store, TelegraphClient(config.api_url, config.access_token), config, reading_link
    )
    yield made
    await made.aclose()


async def store_articles(store: Store, *entries: object) -> list[int]:
    result = await store.store_entries("Cổng xã", ["tin-tuc"], list(entries), now=NOW, plan=None)
    return list(result.new)


def never() -> bool:
    return False


def node_text(node: object) -> str:
    if isinstance(node, str):
        return node
    assert isinstance(node, dict)
    return "".join(node_text(child) for child in node.get("children", []))


async def test_an_article_becomes_a_page_with_its_blocks_and_hot_linked_photos(
    store: Store, telegraph: FakeTelegraph, publisher: TelegraphPublisher, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    whole = entry(
        body=body_text(BLOCKS),
        blocks=BLOCKS,
        attachments=(Attachment("Kế hoạch", "https://xa.gov.vn/files/kh.pdf"),),
    )
    (article_id,) = await store_articles(store, whole)
    assert await store.telegraph_url(article_id) is None

    report = await publisher.run(never)

    assert (report.published, report.refused, report.ended) == (1, 0, "")
    page = telegraph.page(whole.title)
    assert await store.telegraph_url(article_id) == page["url"]
    async with TelegraphClient(telegraph.api_url) as client:
        kept = await client.get_page(page["path"])
    assert kept["author_name"] == "Cổng TTĐT xã"
    content = kept["content"]
    tags = [node["tag"] for node in content]
    assert tags == ["p", "p", "figure", "h3", "ul", "p", "blockquote", "img", "h4", "ul", "p"]
    assert content[2]["children"][0] == {"tag": "img", "attrs": {"src": BLOCKS[1].url}}
    assert content[7] == {"tag": "img", "attrs": {"src": BLOCKS[6].url}}
    assert node_text(content[-1]) == "Xem bài gốc"
    # A second run has nothing left to do.
    assert (await publisher.run(never)).published == 0
    assert len(telegraph.created()) == 1
    assert telegraph.token not in caplog.text


async def test_a_200_kb_article_is_published_cut_with_the_link_to_the_bot(
    store: Store, telegraph: FakeTelegraph, publisher: TelegraphPublisher
) -> None:
    paragraph = "Người dân xã An Biên gia cố nhà cửa, dự trữ lương thực trước mùa mưa bão. "
    blocks = tuple(BodyBlock(BlockKind.PARAGRAPH, f"{i}. " + paragraph * 6) for i in range(500))
    (article_id,) = await store_articles(store, entry(body=body_text(blocks), blocks=blocks))
    assert len(body_text(blocks).encode()) > 200_000

    assert (await publisher.run(never)).published == 1

    (call,) = telegraph.created()
    assert CONTENT_LIMIT - 1000 < len(call.params["content"].encode()) <= CONTENT_LIMIT
    last = telegraph.page(entry().title)["content"][-1]
    assert last["children"][-1]["attrs"] == {"href": reading_link(article_id)}


async def test_a_flood_wait_is_waited_out_and_the_page_sent_again(
    store: Store, telegraph: FakeTelegraph, publisher: TelegraphPublisher
) -> None:
    (article_id,) = await store_articles(store, entry(body="Một đoạn."))
    telegraph.flood(1)

    report = await publisher.run(never)

    assert report.published == 1
    flooded, made = [c for c in telegraph.calls if c.method == "createPage"]
    assert flooded.error == "FLOOD_WAIT_1"
    assert made.error is None
    assert made.at - flooded.at >= 1.0
    assert await store.telegraph_url(article_id) is not None


async def test_a_flood_wait_longer_than_allowed_ends_the_run_until_it_is_over(
    store: Store, telegraph: FakeTelegraph
) -> None:
    await store_articles(store, entry(body="Một đoạn."))
    config = settings(telegraph, max_flood_wait_seconds=1)
    client = TelegraphClient(config.api_url, config.access_token)
    async with client:
        publisher = TelegraphPublisher(store, client, config, reading_link)
        telegraph.flood(3600)
        report = await publisher.run(never)
        assert report.published == 0
        assert "3600" in report.ended
        # The next run does not ask Telegraph before the hour is over.
        assert (await publisher.run(never)).ended == "waiting for Telegraph"
    assert len([c for c in telegraph.calls if c.method == "createPage"]) == 1


async def test_a_refused_article_stays_unpublished_the_others_go_and_it_is_tried_later(
    store: Store, telegraph: FakeTelegraph, caplog
) -> None:
    first, second = await store_articles(
        store, entry("1", body="Đoạn một."), entry("2", title="Tin thứ hai", body="Đoạn hai.")
    )
    config = settings(telegraph, publish_interval_seconds=0.3)
    async with TelegraphClient(config.api_url, config.access_token) as client:
        publisher = TelegraphPublisher(store, client, config, reading_link)
        telegraph.refuse("PAGE_SAVE_FAILED")  # the first asked: the newest, the second
        report = await publisher.run(never)
        assert (report.published, report.refused) == (1, 1)
        assert await store.telegraph_url(second) is None
        assert await store.telegraph_url(first) is not None
        (line,) = [r.getMessage() for r in caplog.records if "not published" in r.getMessage()]
        assert f"article {second} not published (PAGE_SAVE_FAILED)" in line
        # Not again at once: a later run tries it once its delay is over.
        assert (await publisher.run(never)).published == 0
        assert len([c for c in telegraph.calls if c.method == "createPage"]) == 2

        async def published_later() -> bool:
            await publisher.run(never)
            return await store.telegraph_url(second) is not None

        await eventually(published_later)
    assert telegraph.token not in caplog.text


async def test_telegraph_down_or_the_token_refused_ends_the_run_with_one_line(
    store: Store, telegraph: FakeTelegraph, caplog
) -> None:
    ids = await store_articles(store, *(entry(str(i), title=f"Tin {i}") for i in range(8)))
    bad = settings(telegraph, access_token="0" * 60)
    async with TelegraphClient(bad.api_url, bad.access_token) as client:
        report = await TelegraphPublisher(store, client, bad, reading_link).run(never)
    assert "ACCESS_TOKEN_INVALID" in report.ended
    assert len(telegraph.calls) == 1  # not one refusal per article
    telegraph.break_down()
    config = settings(telegraph)
    async with TelegraphClient(config.api_url, config.access_token) as client:
        report = await TelegraphPublisher(store, client, config, reading_link).run(never)
    assert "unavailable" in report.ended
    assert [await store.telegraph_url(i) for i in ids] == [None] * 8
    paused = [r for r in caplog.records if "publishing paused" in r.getMessage()]
    assert len(paused) == 2
    assert "0" * 60 not in caplog.text
    assert telegraph.token not in caplog.text


async def test_a_stopping_bot_ends_the_run_between_two_pages(
    store: Store, telegraph: FakeTelegraph
) -> None:
    await store_articles(store, *(entry(str(i), title=f"Tin {i}") for i in range(5)))
    config = settings(telegraph, page_interval_seconds=30)
    async with TelegraphClient(config.api_url, config.access_token) as client:
        publisher = TelegraphPublisher(store, client, config, reading_link)
        stop_after_one = lambda: len(telegraph.created()) >= 1  # noqa: E731
        report = await publisher.run(stop_after_one)
    assert report.published == 1
    assert report.ended == "the bot is stopping"
    assert len(await store.unpublished_article_ids(10)) == 4


async def test_a_stopping_bot_does_not_wait_for_a_slow_telegraph(
    store: Store, telegraph: FakeTelegraph, publisher: TelegraphPublisher
) -> None:
    await store_articles(store, entry(body="Một đoạn."))
    telegraph.latency = 60
    asked = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.call_later(0.3, asked.set)
    report = await publisher.run(asked.is_set)
    assert (report.published, report.ended) == (0, "the bot is stopping")
    assert telegraph.created() == []


async def test_a_deleted_article_takes_its_page_row_with_it(
    store: Store, publisher: TelegraphPublisher
) -> None:
    (article_id,) = await store_articles(store, entry(body="Một đoạn."))
    await publisher.run(never)
    assert await store.telegraph_url(article_id) is not None
    async with store.db.transaction() as conn:
        await conn.execute("DELETE FROM article_keys WHERE article_id = ?", (article_id,))
        await conn.execute("DELETE FROM article_categories WHERE article_id = ?", (article_id,))
        await conn.execute("DELETE FROM articles WHERE id = ?", (article_id,))
    async with store.db.reading() as conn:
        rows = await (await conn.execute("SELECT count(*) FROM telegraph_pages")).fetchone()
    assert rows[0] == 0
