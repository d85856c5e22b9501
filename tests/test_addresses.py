"""Private addresses: names are resolved once, checked, and connected to as checked.

Names are answered by a resolver the test controls, and every connection goes through an
opener that only lets 127.0.0.1 through: any other target is recorded and refused, so no
test sends a packet off this machine, and a test can show where a connection would go.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import httpcore
import pytest

from anbien_bot.config import ConfigError, load_config
from anbien_bot.net.addresses import IPAddress, is_public
from anbien_bot.net.fetch import Fetcher, FetchError
from anbien_bot.sources.ingest import Ingestor, fetcher_for
from anbien_bot.store import Store
from tests.fake_portal import FakePortal
from tests.harness import write_config

ROOT = Path(__file__).resolve().parent.parent
UA = "anbien-test"
PUBLIC = "93.184.216.34"  # never connected to: the opener records it and refuses
FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Tin tức</title>
<item><title>Thông báo lịch cúp điện</title><link>{link}</link><guid>tb-1</guid>
<pubDate>Sat, 30 May 2020 08:15:00 +0700</pubDate></item>
</channel></rss>
"""
ARTICLE = """<html><head><meta property="og:title" content="Thông báo lịch cúp điện">
<meta property="og:description" content="Điện lực tạm ngừng cung cấp điện từ 7 giờ.">
</head><body><h1>Thông báo lịch cúp điện</h1><p>Điện lực tạm ngừng cung cấp điện từ 7 giờ.</p>
</body></html>"""


class Names:
    """A resolver answering from a table, one answer list per question in turn."""

    def __init__(self, **table: str | Sequence[Sequence[str]]) -> None:
        # "name_example_vn" stands for name.example.vn (keyword arguments cannot hold dots).
        self.table = {k.replace("_", "."): v for k, v in table.items()}
        self.asked: list[str] = []

    async def __call__(self, host: str, port: int) -> list[IPAddress]:
        self.asked.append(host)
        answers = self.table.get(host)
        if answers is None:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        if isinstance(answers, str):
            return [ipaddress.ip_address(answers)]
        turn = min(self.asked.count(host), len(answers)) - 1
        return [ipaddress.ip_address(a) for a in answers[turn]]


class LoopbackOnly(httpcore.AsyncNetworkBackend):
    """An opener that connects to 127.0.0.1 only; every target is recorded."""

    def __init__(self) -> None:
        self.targets: list[tuple[str, int]] = []
        self._real = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        self.targets.append((host, port))
        if host != "127.0.0.1":
            raise httpcore.ConnectError(f"test opener: {host} recorded, not connected")
        return await self._real.connect_tcp(host, port, timeout=timeout)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


@pytest.fixture
def opener() -> LoopbackOnly:
    return LoopbackOnly()


def at(portal: FakePortal, host: str, path: str) -> str:
    return f"http://{host}:{portal.port}{path}"


def loopback_refused(host: str) -> str:
    return f"not allowed: {host} resolves to private address 127.0.0.1"


async def test_a_name_resolving_to_loopback_is_refused_for_a_photo(
    portal: FakePortal, opener: LoopbackOnly
) -> None:
    portal.serve("/anh.jpg", b"\xff\xd8\xff", "image/jpeg")
    names = Names(anh_example_vn="127.0.0.1")
    async with Fetcher(
        UA, allowed_hosts={"portal.example.vn"}, resolver=names, opener=opener
    ) as f:
        with pytest.raises(FetchError) as caught:
            # How photos are fetched: any public host will do.
            await f.fetch(at(portal, "anh.example.vn", "/anh.jpg"), any_public_host=True)

    assert caught.value.reason == loopback_refused("anh.example.vn")
    assert opener.targets == []
    assert portal.requests == []


async def test_the_same_name_works_for_a_source_that_allows_private_addresses(
    portal: FakePortal, opener: LoopbackOnly
) -> None:
    portal.serve("/feed", FEED)
    portal.serve("/anh.jpg", b"\xff\xd8\xff", "image/jpeg")
    names = Names(anh_example_vn="127.0.0.1")
    async with Fetcher(UA, private_hosts={"anh.example.vn"}, resolver=names, opener=opener) as f:
        feed = await f.fetch(at(portal, "anh.example.vn", "/feed"))
        photo = await f.fetch(at(portal, "anh.example.vn", "/anh.jpg"), any_public_host=True)

    assert feed.body.decode() == FEED
    assert photo.body == b"\xff\xd8\xff"
    # Connected to the address checked, asking for the name: the Host header keeps it.
    assert opener.targets == [("127.0.0.1", portal.port)]
    assert [r.headers["Host"] for r in portal.requests] == [f"anh.example.vn:{portal.port}"] * 2


async def test_a_configured_source_resolving_privately_needs_allow_private(
    portal: FakePortal, opener: LoopbackOnly
) -> None:
    portal.serve("/feed", FEED)
    names = Names(noibo_example_vn="10.1.2.3")
    async with Fetcher(UA, allowed_hosts={"noibo.example.vn"}, resolver=names, opener=opener) as f:
        with pytest.raises(FetchError) as caught:
            await f.fetch("http://noibo.example.vn/feed")

    assert caught.value.reason == (
        "not allowed: noibo.example.vn resolves to private address 10.1.2.3"
        " (a configured source may opt in with allow_private = true)"
    )
    assert opener.targets == []


async def test_a_redirect_to_a_name_resolving_privately_is_refused(
    portal: FakePortal, opener: LoopbackOnly
) -> None:
    portal.serve("/feed", FEED)
    portal.redirect("/old", at(portal, "moi.example.vn", "/feed"))
    names = Names(tinh_example_vn="127.0.0.1", moi_example_vn="127.0.0.1")
    async with Fetcher(UA, private_hosts={"tinh.example.vn"}, resolver=names, opener=opener) as f:
        with pytest.raises(FetchError) as caught:
            # Sources may follow their portal to a new public host, not to a private one.
            await f.fetch(at(portal, "tinh.example.vn", "/old"), any_public_host=True)

    assert caught.value.reason == loopback_refused("moi.example.vn")
    assert portal.hits("/old") == 1
    assert portal.hits("/feed") == 0
    assert opener.targets == [("127.0.0.1", portal.port)]  # the source's own, and no other


@pytest.mark.parametrize(
    ("answers", "refused"),
    [
        (["169.254.169.254"], "cloud metadata address 169.254.169.254"),
        ([PUBLIC, "10.0.0.8"], "private address 10.0.0.8"),  # one bad answer is enough
        (["::ffff:127.0.0.1"], f"private address {ipaddress.ip_address('::ffff:127.0.0.1')}"),
        (["fd00:ec2::254"], "cloud metadata address fd00:ec2::254"),
    ],
)
async def test_names_with_any_private_answer_are_refused_before_connecting(
    opener: LoopbackOnly, answers: list[str], refused: str
) -> None:
    names = Names(may_example_vn=[answers])
    async with Fetcher(UA, resolver=names, opener=opener) as f:
        with pytest.raises(FetchError) as caught:
            await f.fetch("http://may.example.vn/latest/meta-data/", any_public_host=True)

    assert caught.value.reason == f"not allowed: may.example.vn resolves to {refused}"
    assert opener.targets == []


async def test_a_configured_source_at_the_metadata_address_is_refused(
    tmp_path: Path, opener: LoopbackOnly
) -> None:
    source = {"name": "Siêu dữ liệu", "url": "http://169.254.169.254/latest/meta-data/"}
    path = write_config(
        tmp_path,
        telegram={},
        sources=[{**source, "category": "thong-bao", "allow_private": False}],
    )
    config = load_config(path, environ={})
    names = Names()
    async with fetcher_for(config) as fetcher:
        fetcher.network.resolver, fetcher.network.opener = names, opener
        store = await Store.open(config.storage.database)
        try:
            outcome = await Ingestor(config, store, fetcher).poll_source(config.sources[0])
        finally:
            await store.close()

    assert outcome.status == "failed"
    assert outcome.error == (
        "not allowed: cloud metadata address 169.254.169.254"
        " (a configured source may opt in with allow_private = true)"
    )
    assert (names.asked, opener.targets) == ([], [])


async def test_a_rebinding_name_is_connected_to_at_the_address_that_was_checked(
    opener: LoopbackOnly,
) -> None:
    # Public at the first question, loopback at the second: a check that resolved apart
    # from the connection would pass the first answer and then connect to the second.
    names = Names(doi_example_vn=[[PUBLIC], ["127.0.0.1"]])
    async with Fetcher(UA, resolver=names, opener=opener) as f:
        with pytest.raises(FetchError) as first:
            await f.fetch("http://doi.example.vn/anh.jpg", any_public_host=True)
        with pytest.raises(FetchError) as second:
            await f.fetch("http://doi.example.vn/anh.jpg", any_public_host=True)

    assert first.value.reason.startswith("connection failed")  # the opener refused it
    assert opener.targets == [(PUBLIC, 80)]  # one resolution, that address and no other
    assert second.value.reason == (
        "not allowed: doi.example.vn resolves to private address 127.0.0.1"
    )
    assert names.asked == ["doi.example.vn", "doi.example.vn"]


async def test_an_unknown_name_is_a_connection_failure(opener: LoopbackOnly) -> None:
    async with Fetcher(UA, resolver=Names(), opener=opener) as f:
        with pytest.raises(FetchError) as caught:
            await f.fetch("http://khong-co.example.vn/rss", any_public_host=True)

    assert caught.value.reason.startswith("connection failed: ")
    assert caught.value.reason.endswith("Name or service not known")
    assert opener.targets == []


@pytest.mark.parametrize("allow_private", [True, False])
async def test_a_source_and_its_enrichment_on_a_private_name_need_allow_private(
    portal: FakePortal, opener: LoopbackOnly, tmp_path: Path, allow_private: bool
) -> None:
    portal.serve("/rss", FEED.format(link=at(portal, "tinh.example.vn", "/tin/1.html")))
    portal.serve("/tin/1.html", ARTICLE, "text/html")
    source = {"name": "Báo tỉnh", "url": at(portal, "tinh.example.vn", "/rss")}
    source |= {"category": "thong-bao", "allow_private": allow_private}
    config = load_config(write_config(tmp_path, telegram={}, sources=[source]), environ={})
    names = Names(tinh_example_vn="127.0.0.1")
    async with fetcher_for(config) as fetcher:
        fetcher.network.resolver, fetcher.network.opener = names, opener
        store = await Store.open(config.storage.database)
        try:
            outcome = await Ingestor(config, store, fetcher).poll_source(config.sources[0])
            articles = await store.latest()
        finally:
            await store.close()

    if allow_private:
        assert outcome.status == "new"
        assert [a.summary for a in articles] == ["Điện lực tạm ngừng cung cấp điện từ 7 giờ."]
        assert portal.hits("/tin/1.html") == 1  # the feed item was completed from its page
    else:
        assert outcome.error == (
            "not allowed: tinh.example.vn resolves to private address 127.0.0.1"
            " (a configured source may opt in with allow_private = true)"
        )
        assert (articles, opener.targets, portal.requests) == ([], [], [])


async def test_the_command_line_names_allow_private_and_never_connects(
    portal: FakePortal, tmp_path: Path
) -> None:
    portal.serve("/rss", FEED.format(link=portal.url("/tin/1.html")))
    source = {"name": "Cổng nội bộ", "url": portal.url("/rss"), "category": "thong-bao"}
    path = write_config(tmp_path, telegram={}, sources=[{**source, "allow_private": False}])
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "bot.py"),
        "poll",
        "--once",
        "--config",
        str(path),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)},
    )
    _, err = await asyncio.wait_for(child.communicate(), 60)

    assert (
        "! Cổng nội bộ: not allowed: private address 127.0.0.1"
        " (a configured source may opt in with allow_private = true)"
    ) in err.decode().splitlines()
    assert portal.requests == []


def test_allow_private_is_off_unless_set_to_true(tmp_path: Path) -> None:
    source = {"name": "Cổng", "url": "https://anbien.example.vn/rss", "category": "thong-bao"}
    path = write_config(tmp_path, telegram={}, sources=[{**source, "allow_private": False}])
    assert load_config(path, environ={}).sources[0].allow_private is False
    path.write_text(path.read_text().replace('"allow_private" = false', 'allow_private = "yes"'))
    with pytest.raises(ConfigError) as caught:
        load_config(path, environ={})
    assert "allow_private" in caught.value.key
    assert caught.value.problem == "must be true or false"


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
        ("127.0.0.1", False),
        ("10.0.0.1", False),
        ("172.16.5.4", False),
        ("192.168.1.1", False),
        ("100.64.0.1", False),  # carrier-grade NAT
        ("100.100.100.200", False),  # a cloud's metadata service
        ("169.254.169.254", False),
        ("0.0.0.0", False),
        ("224.0.0.1", False),  # multicast
        ("255.255.255.255", False),
        ("::1", False),
        ("fe80::1", False),
        ("fc00::1", False),
        ("ff02::1", False),
        ("::ffff:10.0.0.1", False),  # IPv4-mapped
        ("2002:7f00:1::", False),  # 6to4 of 127.0.0.1
        ("64:ff9b::a9fe:a9fe", False),  # NAT64 of 169.254.169.254
        ("64:ff9b::5db8:d822", True),  # NAT64 of a public address
    ],
)
def test_which_addresses_are_public(address: str, public: bool) -> None:
    assert is_public(ipaddress.ip_address(address)) is public
