"""Deep links into the archive, run for real: PTB polling the fake Bot API, the fake portal.

``https://t.me/<bot>?start=a<id>`` reaches the bot as ``/start a<id>``: the article comes
as a post to anyone, and a dead original makes its "Xem chi tiết" open the archived copy.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from telegram import Bot

from anbien_bot.delivery.planner import slot_for
from anbien_bot.models import Entry
from anbien_bot.store import Store
from anbien_bot.text.deeplinks import article_link, article_payload, parse_article_payload
from anbien_bot.texts import text
from tests.conversation import (
    ask,
    bot_config,
    calls_of,
    database,
    replies,
    rows_of_chat,
    say,
)
from tests.fake_portal import HTML, FakePortal
from tests.fake_telegram import FakeTelegram
from tests.harness import eventually, running_bot, sending
from tests.images import camera_jpeg
from tests.test_comfort_delivery import CONFIG, DIGEST, post, vn

NEWCOMER = 4242  # has never written to the bot
BOT = "anbien_test_bot"  # the fake Bot API's getMe
EMPTY_FEED = '<?xml version="1.0"?><rss version="2.0"><channel><title>x</title></channel></rss>'

pytestmark = pytest.mark.telegram(may_refuse=())  # Telegram would accept every call


# -- the link and its payload ---------------------------------------------------------------


def test_the_link_names_the_bot_and_the_article_and_reads_back() -> None:
    assert article_link(BOT, 42) == "https://t.me/anbien_test_bot?start=a42"
    assert article_link("@" + BOT, 42) == article_link(BOT, 42)
    assert parse_article_payload(article_payload(9_223_372_036_854_775_807)) == 2**63 - 1
    assert article_link("", 42) is None
    assert article_link("not a name", 42) is None


@pytest.mark.parametrize(
    "payload", ["", "a", "a0", "a01", "a-1", "a99999999999999999999", "a9223372036854775808"]
)
def test_payloads_that_name_no_article(payload: str) -> None:
    assert parse_article_payload(payload) is None


# -- the bot --------------------------------------------------------------------------------


async def store_articles(db_path: Path, portal: FakePortal) -> list[int]:
    """Store three articles on the portal (the first with a photo); return their ids."""
    store = await Store.open(db_path)
    try:
        start = datetime(2025, 6, 20, 2, 0, tzinfo=UTC)
        ids = []
        for n in (1, 2, 3):
            entry = Entry(
                key=str(n),
                url=portal.url(f"/tin/{n}.html"),
                title=f"Thông báo lịch tiếp công dân số {n}",
                summary="Ủy ban nhân dân huyện An Biên thông báo lịch tiếp công dân.",
                image_url=portal.url("/anh/1.jpg") if n == 1 else None,
                published=start + timedelta(days=n),
            )
            result = await store.store_entries(
                "kho", ["thong-bao"], [entry], now=start + timedelta(days=n), plan=None
            )
            ids += result.new
        return ids
    finally:
        await store.close()


@asynccontextmanager
async def bot_on_portal(
    tmp_path: Path, fake: FakeTelegram, portal: FakePortal, **polling: object
) -> AsyncIterator[tuple[Any, list[int]]]:
    """Run the bot reading one source on the portal, with three of its articles stored."""
    portal.serve("/rss.xml", EMPTY_FEED)
    portal.serve("/anh/1.jpg", camera_jpeg(640, 480), "image/jpeg")
    for n in (1, 2, 3):
        portal.serve(f"/tin/{n}.html", f"<html><body>Bài {n}</body></html>", HTML)
    ids = await store_articles(database(tmp_path), portal)
    source = {"name": "Thông báo", "url": portal.url("/rss.xml"), "category": "thong-bao"}
    polling = {"interval_seconds": 86400, **polling}
    async with running_bot(bot_config(tmp_path, fake, sources=[source], polling=polling)) as app:
        yield app, ids


@pytest.fixture
async def running(
    tmp_path: Path, fake: FakeTelegram, portal: FakePortal
) -> AsyncIterator[tuple[Any, list[int]]]:
    """The bot reading one source on the portal, with three of its articles stored."""
    async with bot_on_portal(tmp_path, fake, portal) as started:
        yield started


async def test_a_deep_link_opens_the_article_for_someone_who_never_subscribed(
    fake: FakeTelegram, portal: FakePortal, running: tuple[Any, list[int]], tmp_path: Path
) -> None:
    _, (with_photo, plain, _) = running
    post = await ask(fake, NEWCOMER, f"/start {article_payload(with_photo)}")
    assert post.method == "sendPhoto"  # the post as the sender sends it, photo and all
    caption = str(post.params["caption"])
    assert "<b>Thông báo lịch tiếp công dân số 1</b>" in caption
    assert f'<a href="{portal.url("/tin/1.html")}">Xem chi tiết</a>' in caption
    text_post = await ask(fake, NEWCOMER, f"/start a{plain}")
    assert text_post.method == "sendMessage"
    assert "Thông báo lịch tiếp công dân số 2" in str(text_post.params["text"])
    # Only the two posts: no greeting, no category keyboard; and nothing kept about them.
    assert len(fake.sent_to(NEWCOMER)) == 2
    assert rows_of_chat(database(tmp_path), NEWCOMER) == {
        "chats": 0,
        "subscriptions": 0,
        "deliveries": 0,
    }


async def test_a_bare_start_still_greets_and_shows_the_categories(
    fake: FakeTelegram, running: tuple[Any, list[int]]
) -> None:
    fake.push_message(NEWCOMER, "/start")
    greeting, keyboard = await replies(fake, NEWCOMER, 2)
    assert str(greeting.params["text"]).startswith("Xin chào")
    assert keyboard.params["reply_markup"]["inline_keyboard"]


@pytest.mark.parametrize(
    ("payload", "key"),
    [
        ("a", "deeplink_invalid"),
        ("a0", "deeplink_invalid"),
        ("a99999999999999999999", "deeplink_invalid"),
        ("xyz", "deeplink_invalid"),
        ("a 12", "deeplink_invalid"),
        ("a999999", "deeplink_missing"),
    ],
)
async def test_a_bad_deep_link_gets_one_short_reply(
    fake: FakeTelegram, running: tuple[Any, list[int]], payload: str, key: str
) -> None:
    assert await say(fake, NEWCOMER, f"/start {payload}") == text("vi", key)
    english = await say(fake, NEWCOMER + 1, f"/start {payload}", language_code="en")
    assert english == text("en", key)


# -- dead originals -------------------------------------------------------------------------


def read_more(post: Any) -> str:
    """Return where a post's "Xem chi tiết" goes."""
    body = str(post.params.get("caption") or post.params.get("text"))
    return body.split(">Xem chi tiết</a>")[0].rsplit('<a href="', 1)[1].rstrip('"')


async def test_a_dead_original_makes_read_more_open_the_archived_copy(
    fake: FakeTelegram, portal: FakePortal, running: tuple[Any, list[int]]
) -> None:
    _, (with_photo, _, _) = running
    portal.status("/tin/1.html", 404)
    post = await ask(fake, NEWCOMER, f"/start a{with_photo}")
    assert read_more(post) == f"https://t.me/{BOT}?start=a{with_photo}"
    assert portal.url("/tin/1.html") not in str(post.params["caption"])
    again = await ask(fake, NEWCOMER + 1, f"/start a{with_photo}")
    assert read_more(again) == read_more(post)
    assert portal.hits("/tin/1.html") == 1  # the second ask, within the TTL, used the check


@pytest.mark.parametrize("code", [500, 503])
async def test_a_server_error_is_not_a_dead_original(
    fake: FakeTelegram, portal: FakePortal, running: tuple[Any, list[int]], code: int
) -> None:
    _, (_, plain, _) = running
    portal.status("/tin/2.html", code)
    post = await ask(fake, NEWCOMER, f"/start a{plain}")
    assert read_more(post) == portal.url("/tin/2.html")
    assert portal.hits("/tin/2.html") == 1  # it was asked, and said 5xx


async def test_a_timeout_is_not_a_dead_original(
    tmp_path: Path, fake: FakeTelegram, portal: FakePortal
) -> None:
    async with bot_on_portal(tmp_path, fake, portal, timeout_seconds=1) as (app, ids):
        portal.delay("/tin/2.html", 30)
        post = await ask(fake, NEWCOMER, f"/start a{ids[1]}")
        url, store = portal.url("/tin/2.html"), app.bot_data["services"].store
        (check,) = (await eventually(lambda: store.link_checks([url]))).values()
    assert read_more(post) == url
    assert not check.dead
    assert check.status.startswith("timed out")


# -- lists: search results, /latest, inline results, digests --------------------------------


def titles_and_sources(listing: str) -> dict[str, tuple[str, str | None]]:
    """Return each listed title's link and its "Trang gốc" link (None without one)."""
    found = {}
    for item in listing.split("• ")[1:]:
        href, rest = item.removeprefix('<a href="').split('">', 1)
        title = rest.split("</a>", 1)[0]
        source = None
        if ">Trang gốc</a>" in item:
            source = item.split(">Trang gốc</a>")[0].rsplit('<a href="', 1)[1].rstrip('"')
        found[title] = (href, source)
    return found


async def test_search_results_and_latest_open_the_archive_and_keep_live_originals(
    fake: FakeTelegram, portal: FakePortal, running: tuple[Any, list[int]]
) -> None:
    _, ids = running
    portal.status("/tin/3.html", 410)
    for listing in (
        await say(fake, NEWCOMER, "/search lich tiep cong dan"),
        await say(fake, NEWCOMER, "/latest"),
    ):
        links = titles_and_sources(listing)
        for n, article_id in enumerate(ids, 1):
            archive = f"https://t.me/{BOT}?start=a{article_id}"
            original = None if n == 3 else portal.url(f"/tin/{n}.html")
            assert links[f"Thông báo lịch tiếp công dân số {n}"] == (archive, original)
    assert portal.hits("/tin/3.html") == 1  # checked for the search, the check kept


async def test_an_inline_result_carries_a_button_that_opens_the_archived_copy(
    fake: FakeTelegram, running: tuple[Any, list[int]]
) -> None:
    _, ids = running
    fake.push_inline_query(NEWCOMER, "lich tiep cong dan")
    (answer,) = await calls_of(fake, "answerInlineQuery", 1)
    buttons = {
        r["id"]: r["reply_markup"]["inline_keyboard"][0][0] for r in answer.params["results"]
    }
    assert buttons == {
        str(i): {"text": "📖 Mở trong bot", "url": f"https://t.me/{BOT}?start=a{i}"} for i in ids
    }


async def test_a_digest_links_each_title_to_the_archived_copy(
    store: Store, api: Bot, fake: FakeTelegram
) -> None:
    await store.activate_chat(DIGEST, "private", "vi", now=vn(1, 12))
    await store.subscribe(DIGEST, ["thong-bao"])
    await store.set_digest(DIGEST, 7, vn(1, 12), replan=slot_for)
    ids = [await post(store, f"Họp dân ấp {n}", vn(5, 8 + n)) for n in (1, 2)]
    async with sending(api, store, CONFIG):
        (digest,) = await replies(fake, DIGEST, 1)
    listing = str(digest.params["text"])
    assert "Bản tin ngày 06/03/2024" in listing
    links = titles_and_sources(listing)
    for n, article_id in zip((1, 2), ids, strict=True):
        archive, original = links[f"Họp dân ấp {n}"]
        assert archive == f"https://t.me/{BOT}?start=a{article_id}"
        assert original is not None
        assert original.startswith("https://anbien.kiengiang.gov.vn/")
