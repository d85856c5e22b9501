"""Issue 13's seed-shaped case end to end: a portal like An Biên's, configured with only url and
category, polled over loopback HTTP, and the post a subscriber receives through the Bot API.

The article's lead is ``<div class="sapo"><p><strong>(CTTĐT) - Sáng ngày 28/5…`` and its
photo's caption, right after the photo and before the first paragraph, has no "Ảnh:" prefix:
the subscriber must read the lead, never "Quang cảnh hội nghị sơ kết công tác dân vận."
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from telegram import Bot
from telegram.request import HTTPXRequest

from anbien_bot.config import load_config
from anbien_bot.delivery.sender import Sender
from anbien_bot.net.fetch import Fetcher
from anbien_bot.sources.ingest import Ingestor, fetcher_for
from anbien_bot.store import Store
from tests.corpus import layouts
from tests.fake_portal import FakePortal
from tests.fake_telegram import FakeTelegram
from tests.harness import TOKEN, eventually, write_config

SHAREPOINT = next(layout for layout in layouts() if layout.name == "sharepoint")
SEED = next(case for case in SHAREPOINT.articles if case.name == "1020")
SUBSCRIBER = 4242
CATEGORY = "hoat-dong-huyen-uy"
# A valid 1×1 PNG, for the photo Telegram may ask the bot to upload.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415478"
    "9c63f8ffff3f0005fe02fea7d6a4470000000049454e44ae426082"
)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


@pytest.fixture
async def bot(fake: FakeTelegram) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=fake.base_url, request=HTTPXRequest()) as client:
        yield client


async def test_the_subscriber_reads_the_lead_not_the_photo_caption(
    fake: FakeTelegram, bot: Bot, tmp_path: Path
) -> None:
    async with FakePortal() as portal:
        SHAREPOINT.serve(portal)
        portal.serve(
            "/PublishingImages/TinTuc/2020/Quang cảnh hội nghị dân vận.jpg", PNG, "image/png"
        )
        listing = SHAREPOINT.listings[0]
        source = {
            "name": "An Biên - Chính trị, xã hội",
            "type": "html",
            "url": SHAREPOINT.on(portal, listing.url),
            "category": CATEGORY,
        }
        path = write_config(
            tmp_path,
            telegram={},
            sources=[source],
            polling={"announce_first_poll": True},
            delivery={"messages_per_second": 0, "private_interval_seconds": 0},
        )
        config = load_config(path, environ={})
        store = await Store.open(config.storage.database)
        try:
            await store.upsert_chat(SUBSCRIBER, "private", "vi")
            await store.subscribe(SUBSCRIBER, [CATEGORY])
            async with fetcher_for(config) as fetcher:
                [outcome] = await Ingestor(config, store, fetcher).poll_due(force=True)
            assert outcome.status == "new", outcome.error
            async with Fetcher("anbien-test", private_hosts={portal.host}) as photos:
                sender = Sender(bot, store, config, photos)
                sender.start()
                try:
                    await eventually(lambda: _seed_post(fake), timeout=15)
                finally:
                    await sender.stop()
        finally:
            await store.close()

    post = _seed_post(fake)
    assert post is not None
    assert "(CTTĐT) - Sáng ngày 28/5/2020, Ban Dân vận Huyện ủy An Biên" in post
    assert "Quang cảnh hội nghị sơ kết" not in post
    assert "Xem với cỡ chữ" not in post


def _seed_post(fake: FakeTelegram) -> str | None:
    """Return the text or caption of the seed article's post to the subscriber, if sent."""
    return next(
        (text for text in fake.sent_texts(SUBSCRIBER) if SEED.expected.title in text), None
    )
