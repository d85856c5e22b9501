"""Memory that does not grow with uptime: every cache the bot keeps has a bound, and keeps it.

Each cache is filled past its bound the way a long-running bot fills it (hosts fetched,
articles composed, photos sent, residents writing) and must stay within it.
"""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from telegram import Bot
from telegram.request import HTTPXRequest

from anbien_bot.config import load_config
from anbien_bot.delivery import outgoing
from anbien_bot.delivery.outgoing import Composer
from anbien_bot.delivery.photos import Photos
from anbien_bot.models import Entry
from anbien_bot.net import hosts
from anbien_bot.net.fetch import Fetcher
from anbien_bot.store import Store
from anbien_bot.store.outbox import Delivery
from tests.conversation import bot_config
from tests.fake_portal import FakePortal
from tests.fake_telegram import FakeTelegram
from tests.harness import TOKEN, eventually, running_bot, write_config
from tests.images import camera_jpeg

NOW = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    opened = await Store.open(tmp_path / "bot.sqlite3")
    yield opened
    await opened.close()


async def test_the_fetcher_forgets_idle_hosts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hosts, "_HOSTS_SWEPT_AT", 16)
    names = [f"anh{i}.example.vn" for i in range(100)]  # photos on a hundred servers

    async def resolve(host: str, port: int) -> list[Any]:
        return [ipaddress.ip_address("127.0.0.1")]

    async with (
        FakePortal() as portal,
        Fetcher("anbien-test", private_hosts=names, resolver=resolve) as fetcher,
    ):
        portal.serve("/anh.jpg", b"jpeg", "image/jpeg")
        most = 0
        for name in names:
            result = await fetcher.fetch(f"http://{name}:{portal.port}/anh.jpg")
            assert result.body == b"jpeg"
            most = max(most, fetcher.remembered_hosts)
    assert most <= 16


async def test_the_composer_keeps_a_bounded_number_of_posts(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(outgoing, "_CACHED", 10)
    entries = [
        Entry(
            key=str(n),
            url=f"https://anbien.example.vn/tin/{n}.html",
            title=f"Tin {n}",
            published=NOW,
        )
        for n in range(40)
    ]
    stored = await store.store_entries("Cổng huyện", ["thong-bao"], entries, now=NOW, plan=None)
    composer = Composer(store, load_config(write_config(tmp_path, telegram={}), environ={}))
    for article_id in stored.new:
        for language in ("vi", "en"):
            row = Delivery(
                id=article_id,
                chat_id=1,
                chat_type="private",
                language=language,
                article_id=article_id,
                broadcast_id=None,
                priority=0,
                attempts=0,
                ordered_at="",
                due_posts=1,
                queued=1,
            )
            out = await composer.compose(row)
            assert out is not None
            assert len(composer) <= 2 * 10  # articles, and posts rendered in each language


async def test_photos_keep_a_bounded_number_of_file_ids(store: Store) -> None:
    async with FakeTelegram() as fake, FakePortal() as portal:
        request = HTTPXRequest(connection_pool_size=8)
        async with Bot(TOKEN, base_url=fake.base_url, request=request) as bot:
            photos = Photos(bot, store, None, remembered=3)

            async def pace() -> None:
                return None

            for n in range(8):
                url = portal.url(f"/anh/{n}.jpg")
                portal.serve(f"/anh/{n}.jpg", camera_jpeg(800, 600), "image/jpeg")
                if n % 2:  # every other image is one Telegram cannot take, nor we fetch
                    fake.bad_photo_url(url, "Bad Request: failed to get HTTP URL content")
                sent = await photos.send(1, url, f"Ảnh {n}", plain=True, pace=pace)
                assert (sent is None) == bool(n % 2)
                assert len(photos) <= 2 * 3  # file ids, and images found unusable
    assert len(photos) == 6


async def test_residents_writing_leave_no_state_behind_in_the_application(
    tmp_path: Path,
) -> None:
    async with FakeTelegram() as fake, running_bot(bot_config(tmp_path, fake)) as app:
        residents = range(2001, 2031)
        for chat in residents:
            fake.push_message(chat, "/start")
            fake.push_message(chat, "/subscribe thong-bao")
        await eventually(lambda: all(len(fake.sent_to(c)) >= 2 for c in residents))
        assert len(app.chat_data) == 0
        assert len(app.user_data) == 0
        # Only what the application keeps for itself: its services and background tasks.
        assert app.bot_data.keys() == {"services", "background"}
