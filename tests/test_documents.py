"""Attachments as files (delivery/documents.py): from the archive's copy or the portal,
uploaded once, by file_id after, through the fake Bot API and a real store."""

from __future__ import annotations

from pathlib import Path

from telegram import Bot

from anbien_bot.delivery.documents import Documents
from anbien_bot.delivery.message import message
from anbien_bot.delivery.reading import Document
from anbien_bot.net.fetch import Fetcher
from anbien_bot.store import Store
from anbien_bot.text.dates import utcnow
from tests.fake_portal import FakePortal
from tests.fake_telegram import FakeTelegram

PDF = b"%PDF-1.4 quyet dinh so 12\n%%EOF\n"


def attachment(url: str) -> Document:
    return Document(url, "qd-12.pdf", "Quyết định số 12", message(("qd-12.pdf",)))


async def no_wait() -> None:
    """The pace of a test without limits."""


async def test_the_archives_copy_is_uploaded_once_then_sent_by_file_id(
    fake: FakeTelegram, api: Bot, store: Store, tmp_path: Path
) -> None:
    copy = tmp_path / "qd-12.pdf"
    copy.write_bytes(PDF)
    asked: list[str] = []

    async def archive(url: str) -> Path | None:
        asked.append(url)
        return copy

    url = "https://anbien.kiengiang.gov.vn/files/qd-12.pdf"  # the portal is gone: no fetcher
    documents = Documents(api, store, None, archive)
    first = await documents.send(1, attachment(url), pace=no_wait)
    second = await documents.send(2, attachment(url), pace=no_wait)
    assert first is not None
    assert second is not None
    assert fake.file_content(first.document.file_id) == PDF
    assert second.document.file_id == first.document.file_id
    upload, again = fake.sent("sendDocument")
    assert upload.params["document"].startswith("<upload qd-12.pdf ")
    assert upload.params["caption"] == "Quyết định số 12"
    assert again.params["document"] == first.document.file_id
    assert (fake.uploads, documents.uploads, asked) == (1, 1, [url])


async def test_without_a_copy_the_file_is_fetched_and_a_file_too_large_is_not_uploaded(
    fake: FakeTelegram, api: Bot, store: Store, portal: FakePortal, tmp_path: Path
) -> None:
    huge = tmp_path / "lon.pdf"
    with huge.open("wb") as file:
        file.truncate(50 * 1024 * 1024 + 1)  # over Telegram's 50 MB for an upload

    async def archive(url: str) -> Path | None:
        return huge if url.endswith("lon.pdf") else None

    portal.serve("/files/qd-12.pdf", PDF, "application/pdf")
    portal.serve("/files/lon.pdf", PDF, "application/pdf")
    async with Fetcher("anbien-test", private_hosts={portal.host}) as fetcher:
        documents = Documents(api, store, fetcher, archive)
        fetched = await documents.send(1, attachment(portal.url("/files/qd-12.pdf")), pace=no_wait)
        # The archive's copy is too large to upload: the portal's smaller file goes instead.
        other = await documents.send(1, attachment(portal.url("/files/lon.pdf")), pace=no_wait)
        missing = await documents.send(1, attachment(portal.url("/files/nope.pdf")), pace=no_wait)
    assert fetched is not None
    assert other is not None
    assert fake.file_content(fetched.document.file_id) == PDF
    assert missing is None  # a 404: the caller sends the link instead
    assert fake.uploads == 2


async def test_a_file_id_telegram_no_longer_knows_is_forgotten_and_the_file_sent_again(
    fake: FakeTelegram, api: Bot, store: Store, tmp_path: Path
) -> None:
    copy = tmp_path / "qd-12.pdf"
    copy.write_bytes(PDF)
    url = "https://anbien.kiengiang.gov.vn/files/qd-12.pdf"
    await store.remember_telegram_file("document " + url, "document-of-an-old-token", utcnow())

    async def archive(url: str) -> Path | None:
        return copy

    sent = await Documents(api, store, None, archive).send(1, attachment(url), pace=no_wait)
    assert sent is not None
    assert await store.telegram_file("document " + url) == sent.document.file_id
    assert fake.uploads == 1
