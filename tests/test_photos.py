"""Photos as portals upload them reach every subscriber: as a photo Telegram takes, or a file.

A python-telegram-bot Bot talks to the loopback FakeTelegram, which knows Telegram's limits
for photos and fetches a loopback photo URL as Telegram would (its own User-Agent); the
images are made in the test and served by a FakePortal.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from telegram import Bot

from anbien_bot.config import Config, load_config
from anbien_bot.delivery.planner import Planner
from anbien_bot.models import Entry
from anbien_bot.net.fetch import Fetcher
from anbien_bot.store import Store
from tests.fake_portal import FakePortal
from tests.fake_telegram import TELEGRAM_USER_AGENT, Call, FakeTelegram
from tests.harness import eventually, sending, write_config
from tests.images import camera_jpeg, infographic_png, scanned_png, size_of, webp

PUBLISHED = datetime(2024, 9, 6, 1, 0, tzinfo=UTC)
NEWS = "thong-bao"
CHATS = range(1, 5)
MB = 1024 * 1024
LIMITS_OFF = {"messages_per_second": 0, "private_interval_seconds": 0, "group_interval_seconds": 0}


def config(tmp_path: Path) -> Config:
    return load_config(write_config(tmp_path, telegram={}, delivery=LIMITS_OFF), environ={})


async def post(store: Store, image: str, chats: Iterable[int] = CHATS) -> None:
    """Subscribe the chats and publish one notice with the image."""
    for chat in chats:
        await store.upsert_chat(chat, "private", "vi")
        await store.subscribe(chat, [NEWS])
    notice = Entry(
        key="2001",
        url="https://anbien.example.vn/trang/TinTuc/17/2001/thong-bao.html",
        title="Thông báo số 2001: lịch cúp điện khu vực thị trấn Thứ Ba",
        summary="Điện lực An Biên thông báo lịch tạm ngừng cung cấp điện.",
        image_url=image,
        published=PUBLISHED,
    )
    await store.store_entries("Báo tỉnh", [NEWS], [notice], now=PUBLISHED, plan=Planner())


async def deliver(api: Bot, store: Store, cfg: Config, fetcher: Fetcher) -> None:
    async def none_pending() -> bool:
        return await store.pending_deliveries() == 0

    async with sending(api, store, cfg, fetcher):
        await eventually(none_pending, timeout=30)


def file_of(call: Call) -> str:
    return str(call.params.get("photo") or call.params.get("document"))


PORTAL_IMAGES = {
    # name: (path, make, content type, reaches the chats as, Telegram takes the URL itself)
    "camera JPEG": ("/anh/DSC_0412.JPG", camera_jpeg, "image/jpeg", "sendPhoto", False),
    "PNG scan": ("/van-ban/cong-van-15.png", scanned_png, "image/png", "sendPhoto", False),
    "WEBP": ("/anh/le-ra-quan.webp", webp, "image/webp", "sendPhoto", True),
    "infographic": ("/anh/infographic.png", infographic_png, "image/png", "sendDocument", False),
}


@pytest.mark.parametrize("name", list(PORTAL_IMAGES))
async def test_an_image_as_portals_upload_it_reaches_every_subscriber(
    name: str, fake: FakeTelegram, api: Bot, store: Store, portal: FakePortal, tmp_path: Path
) -> None:
    path, make, kind, method, by_url = PORTAL_IMAGES[name]
    portal.serve(path, make(), kind)
    image = portal.url(path)
    await post(store, image)
    async with Fetcher("anbien-test", private_hosts={portal.host}) as fetcher:
        await deliver(api, store, config(tmp_path), fetcher)

    sent = fake.sent(method)
    assert sorted(c.chat_id for c in sent) == list(CHATS)
    assert [c.chat_id for c in fake.sent()] == [c.chat_id for c in sent]  # no text instead
    assert all("Thông báo số 2001" in c.params["caption"] for c in sent)
    # One fetch of the image: by Telegram when it took the URL, else by us (after
    # Telegram fetched it to find it too large); one upload; then its file_id.
    fetches = [r for r in portal.requests if r.path == path]
    ours = [r for r in fetches if r.headers.get("User-Agent") != TELEGRAM_USER_AGENT]
    assert len(fetches) - len(ours) <= 1
    assert (len(ours), fake.uploads) == ((0, 0) if by_url else (1, 1))
    first, *later = sorted(sent, key=lambda c: c.at)
    assert file_of(first).startswith(image if by_url else "<upload ")
    file_id = file_of(later[0])
    assert [file_of(c) for c in later] == [file_id] * len(later)
    assert len(fake.file_content(file_id)) <= (5 if by_url else 10) * MB


async def test_a_camera_jpeg_is_uploaded_as_a_photo_within_telegrams_limits(
    fake: FakeTelegram, api: Bot, store: Store, portal: FakePortal, tmp_path: Path
) -> None:
    original = camera_jpeg()
    assert len(original) > 10 * MB  # too big even to upload as it is
    portal.serve("/anh/DSC_0412.JPG", original, "image/jpeg")
    await post(store, portal.url("/anh/DSC_0412.JPG"), chats=[1, 2])
    async with Fetcher("anbien-test", private_hosts={portal.host}) as fetcher:
        await deliver(api, store, config(tmp_path), fetcher)

    refused, uploaded, again = sorted(
        (c for c in fake.calls if c.method == "sendPhoto"), key=lambda c: c.at
    )
    assert refused.status == 400  # over 5 MB by URL
    assert uploaded.params["photo"].startswith("<upload DSC_0412.jpg ")
    # Telegram's own largest size, well within 10 MB and its sides' limits.
    assert size_of(fake.file_content(again.params["photo"])) == ("JPEG", 2560, 1920)


async def test_an_image_over_the_image_cap_goes_as_text(
    fake: FakeTelegram, api: Bot, store: Store, portal: FakePortal, tmp_path: Path
) -> None:
    # Images have a cap of their own (the 5 MB of pages would have stopped every camera
    # JPEG above); past it, the post goes as text.
    portal.serve("/anh/DSC_0412.JPG", camera_jpeg(), "image/jpeg")
    await post(store, portal.url("/anh/DSC_0412.JPG"), chats=[1])
    fetcher = Fetcher("anbien-test", private_hosts={portal.host}, max_image_bytes=8 * MB)
    async with fetcher:
        await deliver(api, store, config(tmp_path), fetcher)

    assert [c.method for c in fake.sent()] == ["sendMessage"]


async def test_an_image_that_cannot_be_read_goes_as_text_once(
    fake: FakeTelegram, api: Bot, store: Store, portal: FakePortal, tmp_path: Path
) -> None:
    portal.serve("/anh/hong.jpg", b"\xff\xd8\xff\xe0" + bytes(6 * MB), "image/jpeg")
    await post(store, portal.url("/anh/hong.jpg"))
    async with Fetcher("anbien-test", private_hosts={portal.host}) as fetcher:
        await deliver(api, store, config(tmp_path), fetcher)

    assert sorted(c.chat_id for c in fake.sent("sendMessage")) == list(CHATS)
    assert fake.uploads == 0
    ours = [r for r in portal.requests if r.headers.get("User-Agent") != TELEGRAM_USER_AGENT]
    assert len(ours) == 1


async def test_a_photo_on_a_name_resolving_privately_is_never_fetched(
    fake: FakeTelegram, api: Bot, store: Store, portal: FakePortal, tmp_path: Path
) -> None:
    portal.serve("/anh/1.jpg", camera_jpeg(1200, 900), "image/jpeg")
    image = f"http://anh.example.vn:{portal.port}/anh/1.jpg"
    fake.bad_photo_url(image, "Bad Request: failed to get HTTP URL content")
    await post(store, image, chats=[1])

    async def resolve(host: str, port: int) -> list[Any]:
        return [ipaddress.ip_address("127.0.0.1")]

    async with Fetcher("anbien-test", private_hosts={portal.host}, resolver=resolve) as fetcher:
        await deliver(api, store, config(tmp_path), fetcher)

    assert [c.method for c in fake.sent()] == ["sendMessage"]
    assert portal.requests == []
