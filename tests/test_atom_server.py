"""The archive's Atom feeds over HTTP, from the running bot's metrics port: what a feed reader
fetches, polls again (304) and is refused (404), and the [feeds] keys."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import aiohttp
import feedparser
import lxml.html
import pytest
from multidict import CIMultiDictProxy

from anbien_bot.bot.services import running_services
from anbien_bot.config import BotConfig, ConfigError, load_config
from anbien_bot.delivery.atom import entry_id
from anbien_bot.models import Attachment, BodyBlock, Entry, body_text
from anbien_bot.serviceconfig import FeedsConfig
from anbien_bot.store import Store
from anbien_bot.values import BlockKind
from tests.fake_telegram import FakeTelegram
from tests.harness import running_bot, write_config
from tests.test_atom import HOSTILE_TITLE, WHOLE, check_rfc4287
from tests.test_config import EXAMPLE, example_paragraph
from tests.test_metrics import with_metrics
from tests.test_startup import free_port

NOW = datetime.now(UTC).replace(microsecond=0)
PORTAL = BotConfig().portal_name
LAST = WHOLE[-1].text  # the whole article's last paragraph


@dataclass
class Archive:
    """A running bot with stored articles, and its metrics port."""

    port: int
    app: object
    ids: dict[str, int]  # article ids by entry key

    @property
    def store(self) -> Store:
        svc = running_services(self.app)  # type: ignore[arg-type]
        assert svc is not None
        return svc.store


def entry(key: str, hours_ago: float, **fields: object) -> Entry:
    values: dict[str, object] = {
        "key": key,
        "url": f"https://anbien.kiengiang.gov.vn/tin/{key}.html",
        "title": f"Tin {key}",
        "summary": f"Tóm tắt {key}.",
        "published": NOW - timedelta(hours=hours_ago),
    }
    values.update(fields)
    return Entry(**values)  # type: ignore[arg-type]


STORED = {
    "thong-bao": [
        entry(
            "whole",
            1,
            blocks=WHOLE,
            body=body_text(WHOLE),
            author="Minh Thư",
            attachments=(Attachment("Kế hoạch 12", "https://anbien.kiengiang.gov.vn/kh12.pdf"),),
        ),
        entry("old", 3, body="Đoạn một.\n\nĐoạn hai.", image_url="https://x.gov.vn/anh.jpg"),
    ],
    "hoat-dong-huyen-uy": [entry("huyen-uy", 2)],
}


async def stored(db: Path, category: str, entries: list[Entry]) -> dict[str, int]:
    """Store entries of a category as a poll would (queueing nothing); return their ids."""
    store = await Store.open(db)
    try:
        result = await store.store_entries(category, [category], entries, now=NOW, plan=None)
    finally:
        await store.close()
    return {e.key: article_id for e, article_id in zip(entries, result.new, strict=True)}


async def running_archive(tmp_path: Path, **feeds: object) -> AsyncIterator[Archive]:
    port = free_port()
    ids: dict[str, int] = {}
    for category, entries in STORED.items():
        ids |= await stored(tmp_path / "bot.sqlite3", category, entries)
    async with FakeTelegram() as fake:
        config = write_config(
            tmp_path,
            telegram={"api_base_url": fake.base_url, "api_file_url": fake.base_file_url},
        )
        with_metrics(config, port)
        if feeds:
            with config.open("a", encoding="utf-8") as file:
                file.write("[feeds]\n" + "".join(f"{k} = {v}\n" for k, v in feeds.items()))
        async with running_bot(config) as app:
            yield Archive(port, app, ids)


@pytest.fixture
async def archive(tmp_path: Path) -> AsyncIterator[Archive]:
    async for running in running_archive(tmp_path):
        yield running


async def fetch(port: int, path: str, **headers: str) -> tuple[int, CIMultiDictProxy[str], bytes]:
    return await ask("GET", port, path, headers)


async def head(port: int, path: str, **headers: str) -> tuple[int, CIMultiDictProxy[str], bytes]:
    return await ask("HEAD", port, path, headers)


async def ask(
    method: str, port: int, path: str, headers: dict[str, str]
) -> tuple[int, CIMultiDictProxy[str], bytes]:
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, f"http://127.0.0.1:{port}{path}", headers=headers) as response,
    ):
        return response.status, response.headers, await response.read()


async def test_the_feed_of_everything_carries_the_archive_newest_first(archive: Archive) -> None:
    status, headers, body = await fetch(archive.port, "/feeds/all.atom")
    assert status == 200
    assert headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    check_rfc4287(body)
    feed = feedparser.parse(body)
    assert feed.bozo == 0
    assert feed.feed.title == PORTAL
    assert feed.feed.links[0].href == f"http://127.0.0.1:{archive.port}/feeds/all.atom"
    assert [e.title for e in feed.entries] == ["Tin whole", "Tin huyen-uy", "Tin old"]
    ids = archive.ids
    assert [e.id for e in feed.entries] == [entry_id(ids[k]) for k in ("whole", "huyen-uy", "old")]
    for parsed in feed.entries:
        article = await archive.store.article(int(parsed.id.rsplit("/", 1)[1]))
        assert article is not None
        assert parsed.link == article.url
        assert datetime.fromisoformat(parsed.published) == article.published
        assert [t.term for t in parsed.tags] == list(article.categories)
    whole = feed.entries[0]
    assert whole.author == "Minh Thư"
    # The bot's username is known: each entry also opens in the bot (a deep link).
    related = [link.href for link in whole.links if link.rel == "related"]
    assert related == [f"https://t.me/anbien_test_bot?start=a{ids['whole']}"]
    content = lxml.html.fragment_fromstring(whole.content[0].value, create_parent="div")
    paragraphs = [p.text_content() for p in content.findall("p")]
    assert paragraphs == [WHOLE[0].text, LAST]  # every paragraph, the last one too
    assert [img.get("src") for img in content.iter("img")] == [WHOLE[1].url, WHOLE[8].url]
    assert "Kế hoạch 12" in [a.text for a in content.iter("a")]
    old = lxml.html.fragment_fromstring(feed.entries[2].content[0].value, create_parent="div")
    assert [p.text for p in old.iter("p")] == ["Đoạn một.", "Đoạn hai."]


async def test_a_category_feed_holds_only_its_category(archive: Archive) -> None:
    status, _, body = await fetch(archive.port, "/feeds/hoat-dong-huyen-uy.atom")
    assert status == 200
    check_rfc4287(body)
    feed = feedparser.parse(body)
    assert feed.bozo == 0
    assert feed.feed.title == f"{PORTAL} – Hoạt động Huyện ủy"
    assert [e.title for e in feed.entries] == ["Tin huyen-uy"]
    assert [t.term for t in feed.entries[0].tags] == ["hoat-dong-huyen-uy"]
    _, _, body = await fetch(archive.port, "/feeds/thong-bao.atom")
    assert [e.title for e in feedparser.parse(body).entries] == ["Tin whole", "Tin old"]


@pytest.mark.parametrize("path", ["/feeds/khong-co.atom", "/feeds/<script>.atom", "/feeds/"])
async def test_an_unknown_feed_is_a_short_404(archive: Archive, path: str) -> None:
    status, headers, body = await fetch(archive.port, path)
    assert status == 404
    assert len(body) < 200
    if path != "/feeds/":
        assert headers["Content-Type"] == "text/plain; charset=utf-8"
        assert body.decode() == "no such feed; there are: all, thong-bao, hoat-dong-huyen-uy\n"


async def test_a_reader_polling_again_hears_304_until_a_new_article_comes(
    archive: Archive,
) -> None:
    status, headers, first = await fetch(archive.port, "/feeds/thong-bao.atom")
    assert status == 200
    assert feedparser.parse(first).entries[0].title == "Tin whole"
    etag, modified = headers["ETag"], headers["Last-Modified"]
    assert modified == format_datetime(NOW, usegmt=True)  # when the newest was stored
    status, _, body = await fetch(archive.port, "/feeds/thong-bao.atom", **{"If-None-Match": etag})
    assert (status, body) == (304, b"")
    status, _, body = await fetch(
        archive.port, "/feeds/thong-bao.atom", **{"If-Modified-Since": modified}
    )
    assert (status, body) == (304, b"")
    # Another category's news leaves this feed as it was.
    await archive.store.store_entries(
        "x", ["hoat-dong-huyen-uy"], [entry("khac", 0.5)], now=NOW + timedelta(1), plan=None
    )
    status, _, _ = await fetch(archive.port, "/feeds/thong-bao.atom", **{"If-None-Match": etag})
    assert status == 304
    later = NOW + timedelta(minutes=10)
    await archive.store.store_entries(
        "y", ["thong-bao"], [entry("moi", 0.5)], now=later, plan=None
    )
    status, headers, body = await fetch(
        archive.port, "/feeds/thong-bao.atom", **{"If-None-Match": etag}
    )
    assert status == 200
    assert headers["ETag"] != etag
    assert headers["Last-Modified"] == format_datetime(later, usegmt=True)
    assert feedparser.parse(body).entries[0].title == "Tin moi"
    status, _, _ = await fetch(
        archive.port, "/feeds/thong-bao.atom", **{"If-Modified-Since": modified}
    )
    assert status == 200


async def test_a_hostile_article_keeps_the_feed_valid(archive: Archive) -> None:
    hostile = entry(
        "hostile",
        0.5,
        title=HOSTILE_TITLE,
        summary="]]></summary><script>alert(2)</script>\x07",
        blocks=(
            BodyBlock(BlockKind.PARAGRAPH, "</content>]]><script>alert(3)</script>\x01"),
            BodyBlock(BlockKind.IMAGE, "x", "javascript:alert(4)"),
            BodyBlock(BlockKind.PARAGRAPH, "Câu cuối vẫn còn."),
        ),
        body="</content>]]><script>alert(3)</script>\x01\n\nCâu cuối vẫn còn.",
    )
    await archive.store.store_entries("z", ["thong-bao"], [hostile], now=NOW, plan=None)
    status, _, body = await fetch(archive.port, "/feeds/all.atom")
    assert status == 200
    check_rfc4287(body)
    feed = feedparser.parse(body)
    assert feed.bozo == 0
    assert len(feed.entries) == 4  # every entry after the hostile one is still there
    content = lxml.html.fragment_fromstring(feed.entries[0].content[0].value, create_parent="div")
    assert content.find(".//script") is None
    assert content.find(".//img") is None
    assert [p.text for p in content.iter("p")] == [
        "</content>]]><script>alert(3)</script>",
        "Câu cuối vẫn còn.",
    ]


async def test_the_self_link_is_the_public_address_when_one_is_set(tmp_path: Path) -> None:
    async for running in running_archive(
        tmp_path, base_url='"https://tin.anbien.example.vn/"', entries=2
    ):
        _, _, body = await fetch(running.port, "/feeds/all.atom")
    feed = feedparser.parse(body)
    assert feed.feed.links[0].href == "https://tin.anbien.example.vn/feeds/all.atom"
    assert len(feed.entries) == 2  # [feeds] entries


async def test_feeds_turned_off_leave_the_metrics_port_alone(tmp_path: Path) -> None:
    async for running in running_archive(tmp_path, enabled="false"):
        feed, _, _ = await fetch(running.port, "/feeds/all.atom")
        health, _, _ = await fetch(running.port, "/healthz")
    assert (feed, health) == (404, 200)


def test_the_example_documents_the_feeds_keys() -> None:
    assert "1 to 500" in example_paragraph("entries")
    assert example_paragraph("base_url")
    assert "/feeds/all.atom" in example_paragraph("enabled")
    assert load_config(EXAMPLE, environ={}).feeds == FeedsConfig()
    assert FeedsConfig().enabled  # on wherever the metrics port is


@pytest.mark.parametrize(
    ("table", "problem"),
    [
        ("entries = 0", "feeds.entries: must be from 1 to 500, got 0"),
        ("entries = 10000", "feeds.entries: must be from 1 to 500, got 10000"),
        ("enabled = 'yes'", "feeds.enabled: must be true or false"),
        ("base_url = 'tin.anbien.vn'", "feeds.base_url: must be an http(s) URL"),
        ("entires = 5", "feeds.entires: unknown key"),
    ],
)
def test_a_wrong_feeds_key_is_named(tmp_path: Path, table: str, problem: str) -> None:
    path = write_config(tmp_path, telegram={})
    with path.open("a", encoding="utf-8") as file:
        file.write(f"\n[feeds]\n{table}\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    assert str(caught.value).startswith(problem)


async def test_an_article_edited_at_the_source_is_edited_in_the_feed(archive: Archive) -> None:
    _, headers, _ = await fetch(archive.port, "/feeds/all.atom")
    edited = entry("huyen-uy", 2, title="Tin huyen-uy (đã sửa)", body="Nội dung đã sửa.")
    result = await archive.store.store_entries(
        "hoat-dong-huyen-uy", ["hoat-dong-huyen-uy"], [edited], now=NOW, plan=None
    )
    assert result.updated == 1
    status, _, body = await fetch(
        archive.port, "/feeds/all.atom", **{"If-None-Match": headers["ETag"]}
    )
    assert status == 200
    parsed = feedparser.parse(body).entries[1]
    assert parsed.title == "Tin huyen-uy (đã sửa)"
    assert "Nội dung đã sửa." in parsed.content[0].value


async def test_head_answers_with_the_feeds_headers_and_no_body(archive: Archive) -> None:
    path = "/feeds/thong-bao.atom"
    _, got, body = await fetch(archive.port, path)
    status, headers, nothing = await head(archive.port, path)
    assert (status, nothing) == (200, b"")
    for name in ("ETag", "Last-Modified", "Content-Type"):
        assert headers[name] == got[name], name
    assert headers["Content-Length"] == str(len(body))  # what a GET would carry
    status, _, nothing = await head(archive.port, path, **{"If-None-Match": got["ETag"]})
    assert (status, nothing) == (304, b"")
    since = {"If-Modified-Since": got["Last-Modified"]}
    status, _, nothing = await head(archive.port, path, **since)
    assert (status, nothing) == (304, b"")
    status, _, nothing = await head(archive.port, "/feeds/khong-co.atom")
    assert (status, nothing) == (404, b"")


async def test_a_query_changes_neither_the_self_link_nor_the_etag(archive: Archive) -> None:
    _, plain, body = await fetch(archive.port, "/feeds/all.atom")
    own = f"http://127.0.0.1:{archive.port}/feeds/all.atom"
    for query in ("?x=1", "?utm_source=reader&x=%3C2%3E"):
        status, headers, again = await fetch(archive.port, f"/feeds/all.atom{query}")
        assert status == 200
        assert headers["ETag"] == plain["ETag"]
        assert again == body
        assert feedparser.parse(again).feed.links[0].href == own
    etag = {"If-None-Match": plain["ETag"]}
    status, _, _ = await fetch(archive.port, "/feeds/all.atom?x=3", **etag)
    assert status == 304


async def test_a_huge_first_paragraph_is_cut_and_the_rest_opens_in_the_bot(
    archive: Archive,
) -> None:
    paragraph = " ".join(f"Câu thứ {n} của một đoạn rất dài." for n in range(70_000))
    assert len(paragraph) > 2_000_000
    blocks = (
        BodyBlock(BlockKind.PARAGRAPH, paragraph),
        BodyBlock(BlockKind.IMAGE, "", "https://anbien.kiengiang.gov.vn/anh/sau.jpg"),
        BodyBlock(BlockKind.PARAGRAPH, "Đoạn cuối."),
    )
    huge = entry("huge", 0.5, blocks=blocks, body=body_text(blocks))
    ids = await stored_now(archive, huge)
    status, _, body = await fetch(archive.port, "/feeds/all.atom")
    assert status == 200
    check_rfc4287(body)
    feed = feedparser.parse(body)
    assert feed.bozo == 0
    assert feed.entries[0].title == "Tin huge"
    content = lxml.html.fragment_fromstring(feed.entries[0].content[0].value, create_parent="div")
    shown, more = content.findall("p")
    assert len(shown.text) > 100_000
    assert paragraph.startswith(shown.text)
    assert shown.text.endswith(" của một đoạn rất dài.")  # after a whole sentence
    assert content.find(".//img") is None
    assert more.text_content() == "… Xem chi tiết"
    assert more.find("a").get("href") == f"https://t.me/anbien_test_bot?start=a{ids['huge']}"


async def stored_now(archive: Archive, *entries: Entry) -> dict[str, int]:
    """Store entries of thong-bao in the running bot's store; return their ids."""
    result = await archive.store.store_entries(
        "thong-bao", ["thong-bao"], list(entries), now=NOW, plan=None
    )
    return {e.key: article_id for e, article_id in zip(entries, result.new, strict=True)}
