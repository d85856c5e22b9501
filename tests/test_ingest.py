"""Polling sources end to end over loopback HTTP: politeness, health, and nothing lost."""

import asyncio
import logging
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from anbien_bot.config import load_config
from anbien_bot.delivery.planner import slot_for
from anbien_bot.models import QuietHours
from anbien_bot.sources.ingest import Ingestor, backoff_delay, fetcher_for
from anbien_bot.store import Store
from anbien_bot.text.dates import VN_TZ, from_iso
from anbien_bot.values import FailureKind, Priority
from tests.fake_portal import FakePortal
from tests.harness import write_config

ROOT = Path(__file__).resolve().parent.parent


def rss(portal: FakePortal, items: list[tuple[str, str]], extra: str = "") -> str:
    """Return an RSS feed of (id, title) items whose links point at the fake portal."""
    body = "".join(
        f"<item><title>{escape(title)}</title><link>{portal.url(f'/tin/{key}.html')}</link>"
        f"<guid isPermaLink='false'>{key}</guid>"
        f"<pubDate>Fri, 29 May 2020 10:{int(key) % 60:02d}:00 +0700</pubDate>"
        f"<description><![CDATA[<p>Tóm tắt tin {key}</p>]]></description>"
        f"<enclosure url='{portal.url(f'/anh/{key}.jpg')}' type='image/jpeg'/>{extra}</item>"
        for key, title in items
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Thử</title>"
        f"<link>{portal.url('/')}</link>{body}</channel></rss>"
    )


def sources(portal: FakePortal, *paths: str) -> list[dict]:
    return [{"name": f"nguồn {p}", "url": portal.url(p), "category": "thong-bao"} for p in paths]


@pytest.fixture
async def setup(tmp_path, portal):
    """Return a function that opens an ingestor for the given feed paths."""
    opened = []

    async def make(*paths: str, **polling) -> Ingestor:
        path = write_config(
            tmp_path,
            telegram={},
            sources=sources(portal, *paths),
            polling={"timeout_seconds": 1, "max_body_bytes": 1_000_000, **polling},
        )
        config = load_config(path, environ={})
        store = await Store.open(config.storage.database)
        fetcher = fetcher_for(config)
        opened.append((store, fetcher))
        return Ingestor(config, store, fetcher)

    yield make
    for store, fetcher in opened:
        await fetcher.aclose()
        await store.close()


async def test_first_poll_stores_then_conditional_get_costs_no_parsing(setup, portal):
    portal.serve("/a.xml", rss(portal, [("1", "Thông báo một"), ("2", "Thông báo hai")]))
    ingestor = await setup("/a.xml")
    first = await ingestor.poll_source(ingestor.config.sources[0])
    assert first.status == "new"
    assert len(first.result.new) == 2
    assert first.announced is False  # the back catalogue is recorded, not announced
    [second] = await ingestor.poll_due(force=True)
    assert second.status == "unchanged"
    headers = portal.requests[-1].headers
    assert headers["If-None-Match"]
    assert headers["If-Modified-Since"]
    assert "anbien-bot" in headers["User-Agent"]
    assert await ingestor.store.article_count() == 2


async def test_new_item_is_stored_and_announced_edit_is_not(setup, portal):
    portal.serve("/a.xml", rss(portal, [("1", "Tin một")]))
    ingestor = await setup("/a.xml")
    await ingestor.poll_due(force=True)
    portal.serve("/a.xml", rss(portal, [("1", "Tin một (đã sửa)"), ("2", "Tin hai")]))
    [outcome] = await ingestor.poll_due(force=True)
    assert outcome.announced is True
    assert len(outcome.result.new) == 1
    assert outcome.result.updated == 1
    article = await ingestor.store.article(outcome.result.new[0])
    assert article.title == "Tin hai"
    assert article.summary == "Tóm tắt tin 2"
    assert article.image_url == portal.url("/anh/2.jpg")
    assert [a.title for a in await ingestor.store.latest()] == ["Tin hai", "Tin một (đã sửa)"]


async def test_same_body_without_validators_is_not_parsed_again(setup, portal):
    portal.serve("/a.xml", rss(portal, [("1", "Tin")]), honour_validators=False)
    ingestor = await setup("/a.xml")
    await ingestor.poll_due(force=True)
    [again] = await ingestor.poll_due(force=True)
    assert again.status == "unchanged"  # the body hash matched


FETCH, NOT_A_FEED = FailureKind.FETCH, FailureKind.NOT_A_FEED


@pytest.mark.parametrize(
    ("breakage", "reason", "kind"),
    [
        (lambda p: p.delay("/bad.xml", 5), "timed out", FETCH),
        (lambda p: p.status("/bad.xml", 500), "HTTP 500", FETCH),
        (lambda p: p.huge("/bad.xml", 6_000_000), "cap", FETCH),
        (lambda p: p.html_instead("/bad.xml"), "HTML", NOT_A_FEED),
        (lambda p: p.redirect("/bad.xml", "/bad.xml"), "too many redirects", FETCH),
        (
            lambda p: p.serve("/bad.xml", b"\x00\xff garbage <rss"),
            "neither RSS nor Atom",
            NOT_A_FEED,
        ),
    ],
)
async def test_a_broken_source_is_logged_counted_and_never_stops_the_others(
    setup, portal, caplog, breakage, reason, kind
):
    portal.serve("/good.xml", rss(portal, [("1", "Tin tốt")]))
    portal.serve("/bad.xml", rss(portal, [("7", "Tin đã lưu")]))
    ingestor = await setup("/good.xml", "/bad.xml")
    await ingestor.poll_due(force=True)
    breakage(portal)
    portal.serve("/good.xml", rss(portal, [("1", "Tin tốt"), ("2", "Tin mới")]))
    caplog.set_level(logging.WARNING, logger="anbien_bot.sources.ingest")
    outcomes = {o.source: o for o in await ingestor.poll_due(force=True)}
    assert outcomes["nguồn /good.xml"].status == "new"
    bad = outcomes["nguồn /bad.xml"]
    assert bad.status == "failed"
    assert reason.lower() in bad.error.lower()
    assert bad.failures == 1
    lines = [r.getMessage() for r in caplog.records if "nguồn /bad.xml" in r.getMessage()]
    assert len(lines) == 1
    assert "\n" not in lines[0]
    state = await ingestor.store.source_state("nguồn /bad.xml")
    assert state.consecutive_failures == 1
    assert reason.lower() in state.last_error.lower()
    assert state.last_error_kind is kind
    assert await ingestor.store.article_count() == 3  # nothing stored was lost


async def test_gzip_served_as_xml_is_read(setup, portal):
    portal.gzip_without_header("/z.xml", rss(portal, [("5", "Tin nén")]).encode())
    ingestor = await setup("/z.xml")
    [outcome] = await ingestor.poll_due(force=True)
    assert outcome.status == "new"
    assert len(outcome.result.new) == 1


async def test_failing_source_backs_off_and_is_not_polled_until_due(setup, portal):
    portal.status("/bad.xml", 503)
    ingestor = await setup("/bad.xml", interval_seconds=60, max_backoff_seconds=600)
    start = datetime(2026, 11, 29, tzinfo=UTC)
    ingestor.clock = lambda: start
    await ingestor.poll_due()
    await ingestor.poll_due()  # not due yet: no second request
    assert portal.hits("/bad.xml") == 1
    ingestor.clock = lambda: start + timedelta(seconds=61)
    await ingestor.poll_due()
    state = await ingestor.store.source_state("nguồn /bad.xml")
    assert state.consecutive_failures == 2
    assert state.next_poll_at == start + timedelta(seconds=61 + 120)


def test_backoff_doubles_and_is_capped():
    assert [backoff_delay(n, 600, 3000) for n in (1, 2, 3, 4)] == [600, 1200, 2400, 3000]


async def test_a_feed_that_suddenly_has_no_items_counts_as_a_failure(setup, portal):
    portal.serve("/a.xml", rss(portal, [("1", "Tin")]))
    ingestor = await setup("/a.xml")
    await ingestor.poll_due(force=True)
    portal.serve("/a.xml", rss(portal, []))
    [outcome] = await ingestor.poll_due(force=True)
    assert outcome.status == "failed"
    state = await ingestor.store.source_state(outcome.source)
    assert state.last_error_kind is FailureKind.EMPTY_FEED
    assert await ingestor.store.article_count() == 1


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "bot.py"), *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )


async def test_poll_once_prints_new_articles_then_nothing(tmp_path, portal):
    portal.serve("/a.xml", rss(portal, [("1", "Thông báo cúp điện ấp Xẻo Nhàu")]))
    path = write_config(tmp_path, telegram={"token": ""}, sources=sources(portal, "/a.xml"))
    # The CLI runs in a child process while this loop serves the feed.
    first = await asyncio.to_thread(run_cli, "poll", "--once", "--config", str(path))
    assert first.returncode == 0, first.stderr
    assert "Thông báo cúp điện ấp Xẻo Nhàu" in first.stdout
    assert "29/05/2020 10:01" in first.stdout
    assert "[Thông báo]" in first.stdout
    second = await asyncio.to_thread(run_cli, "poll", "--once", "--config", str(path))
    assert second.returncode == 0, second.stderr
    assert second.stdout == ""


async def test_a_source_due_just_after_a_tick_is_polled_on_that_tick(setup, portal):
    portal.serve("/a.xml", rss(portal, [("1", "Tin")]))
    ingestor = await setup("/a.xml", interval_seconds=2)
    start = datetime(2026, 11, 29, tzinfo=UTC)
    ingestor.clock = lambda: start
    await ingestor.poll_due()
    # The scheduler's next tick lands a hair early: the source must not wait a whole tick more.
    ingestor.clock = lambda: start + timedelta(seconds=1.9)
    await ingestor.poll_due()
    assert portal.hits("/a.xml") == 2
    ingestor.clock = lambda: start + timedelta(seconds=2.4)
    await ingestor.poll_due()  # polled at 1.9 s: next due at 3.9 s (stored to the second: 3)
    assert portal.hits("/a.xml") == 2


async def test_poll_once_queues_a_storm_warning_as_urgent_through_quiet_hours(tmp_path, portal):
    """A warning stored by `anbien-bot poll --once` skips quiet hours (urgent: `[urgent] words`).

    The quiet hours hold the present moment, whatever the hour the test runs at.
    """
    portal.serve("/a.xml", rss(portal, [("3", "Cảnh báo bão số 3")]))
    path = write_config(
        tmp_path,
        telegram={"token": ""},
        sources=sources(portal, "/a.xml"),
        polling={"announce_first_poll": True},
    )
    with path.open("a", encoding="utf-8") as config_file:
        config_file.write('\n[urgent]\nwords = ["bão", "lũ"]\n')
    local = datetime.now(VN_TZ)
    minute = local.hour * 60 + local.minute
    quiet = QuietHours((minute - 60) % 1440, (minute + 120) % 1440)
    store = await Store.open(load_config(path, environ={}).storage.database)
    try:
        await store.activate_chat(7, "private", "vi")
        await store.subscribe(7, ["thong-bao"])
        await store.set_quiet_hours(7, quiet, datetime.now(UTC), replan=slot_for)
    finally:
        await store.close()
    before = datetime.now(UTC).replace(microsecond=0)
    polled = await asyncio.to_thread(run_cli, "poll", "--once", "--config", str(path))
    after = datetime.now(UTC)
    assert polled.returncode == 0, polled.stderr
    assert "Cảnh báo bão số 3" in polled.stdout
    with sqlite3.connect(tmp_path / "bot.sqlite3") as conn:
        rows = conn.execute("SELECT chat_id, priority, not_before FROM deliveries").fetchall()
    [(chat_id, priority, not_before)] = rows
    assert chat_id == 7
    assert priority == Priority.URGENT
    assert before <= from_iso(not_before) <= after  # at once, not when the quiet hours end
