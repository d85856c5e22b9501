"""Checking an article's original page: gone (404, 410, no host) or not, asked once per TTL.

The checker talks HTTP to the fake portal on loopback through the real fetcher; a host that
does not resolve is a resolver that says so, as the system's does.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Sequence
from datetime import UTC, datetime, timedelta

import pytest

from anbien_bot.config import load_config
from anbien_bot.net.addresses import IPAddress, system_resolver
from anbien_bot.net.fetch import Fetcher
from anbien_bot.serviceconfig import ArchiveConfig
from anbien_bot.sources.linkcheck import LinkChecker
from anbien_bot.store import Store
from tests.fake_portal import HTML, FakePortal
from tests.harness import eventually
from tests.test_config import EXAMPLE, example_paragraph

GONE_HOST = "cong-cu.anbien.invalid"  # a portal whose name no longer exists
PAGE = "<html><body><p>Thông báo lịch tiếp công dân</p></body></html>"


async def resolver(host: str, port: int) -> Sequence[IPAddress]:
    """Resolve as the system does, but GONE_HOST no longer exists."""
    if host == GONE_HOST:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    if host == "flaky-dns.example":
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
    return await system_resolver(host, port)


@pytest.fixture
async def fetcher() -> AsyncIterator[Fetcher]:
    hosts = {"127.0.0.1", GONE_HOST, "flaky-dns.example"}
    async with Fetcher(
        "anbien-bot test", timeout=5, allowed_hosts=hosts, private_hosts=hosts, resolver=resolver
    ) as opened:
        yield opened


def checker(store: Store, fetcher: Fetcher, **options: object) -> LinkChecker:
    return LinkChecker(store, fetcher, ttl=timedelta(hours=24), **options)  # type: ignore[arg-type]


@pytest.mark.parametrize(("code", "dead"), [(404, True), (410, True), (500, False), (503, False)])
async def test_only_404_and_410_mean_the_page_is_gone(
    store: Store, fetcher: Fetcher, portal: FakePortal, code: int, dead: bool
) -> None:
    portal.status("/tin/1.html", code)
    url = portal.url("/tin/1.html")
    assert await checker(store, fetcher).dead([url]) == ({url} if dead else set())
    (check,) = (await store.link_checks([url])).values()
    assert (check.dead, check.status) == (dead, str(code))
    assert [r.method for r in portal.requests] == ["HEAD"]  # one polite request


async def test_a_live_page_is_alive_and_its_body_is_never_read(
    store: Store, fetcher: Fetcher, portal: FakePortal
) -> None:
    portal.serve("/tin/2.html", PAGE * 1000, HTML)
    url = portal.url("/tin/2.html")
    assert await checker(store, fetcher).dead([url]) == set()
    assert (await store.link_checks([url]))[url].status == "200"
    assert [r.method for r in portal.requests] == ["HEAD"]


async def test_a_refused_head_is_asked_again_with_a_get_read_no_further_than_a_peek(
    store: Store, fetcher: Fetcher, portal: FakePortal
) -> None:
    portal.serve("/tin/3.html", PAGE * 1000, HTML)  # far longer than the peek
    portal.status("/tin/3.html", 405, times=1)  # the HEAD
    url = portal.url("/tin/3.html")
    assert await checker(store, fetcher).dead([url]) == set()
    assert [r.method for r in portal.requests] == ["HEAD", "GET"]
    assert (await store.link_checks([url]))[url].status == "200"


async def test_a_refused_head_then_404_is_gone(
    store: Store, fetcher: Fetcher, portal: FakePortal
) -> None:
    portal.status("/tin/4.html", 405, times=1)  # then the default: 404
    url = portal.url("/tin/4.html")
    assert await checker(store, fetcher).dead([url]) == {url}


async def test_a_host_that_no_longer_resolves_is_gone_a_flaky_resolver_is_not(
    store: Store, fetcher: Fetcher
) -> None:
    gone, flaky = f"http://{GONE_HOST}/tin/5.html", "http://flaky-dns.example/tin/5.html"
    assert await checker(store, fetcher).dead([gone, flaky]) == {gone}
    checks = await store.link_checks([gone, flaky])
    assert checks[gone].status == "no such host"
    assert not checks[flaky].dead


async def test_a_host_where_nothing_listens_any_more_is_gone(
    store: Store, fetcher: Fetcher
) -> None:
    with socket.socket() as probe:  # a port just freed: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/tin/6.html"
    assert await checker(store, fetcher).dead([url]) == {url}
    assert (await store.link_checks([url]))[url].status == "connection refused"


async def test_a_timeout_is_not_gone(store: Store, fetcher: Fetcher, portal: FakePortal) -> None:
    portal.delay("/tin/7.html", 30)
    url = portal.url("/tin/7.html")
    assert await checker(store, fetcher, deadline=0.3, answer_within=5).dead([url]) == set()
    assert (await store.link_checks([url]))[url].status == "timed out"


async def test_a_check_is_kept_for_the_ttl_then_asked_again(
    store: Store, fetcher: Fetcher, portal: FakePortal
) -> None:
    now = [datetime(2026, 12, 5, 2, 0, tzinfo=UTC)]
    links = checker(store, fetcher, clock=lambda: now[0])
    url = portal.url("/tin/8.html")  # 404
    assert await links.dead([url]) == {url}
    now[0] += timedelta(hours=23)
    portal.serve("/tin/8.html", PAGE, HTML)  # back, but the check still holds
    assert await links.dead([url, url]) == {url}
    assert portal.hits("/tin/8.html") == 1
    now[0] += timedelta(hours=2)
    assert await links.dead([url]) == set()
    assert portal.hits("/tin/8.html") == 2


async def test_a_slow_check_answers_alive_now_and_finishes_for_the_next_ask(
    store: Store, fetcher: Fetcher, portal: FakePortal
) -> None:
    portal.delay("/tin/9.html", 0.5)  # then 404
    url = portal.url("/tin/9.html")
    links = checker(store, fetcher, answer_within=0.01)
    first, second = await asyncio.gather(links.dead([url]), links.dead([url]))
    assert first == second == set()  # not known yet: assumed alive
    await eventually(lambda: links.dead([url]))
    assert portal.hits("/tin/9.html") == 1  # asked at once twice, checked once
    await links.close()


async def test_pages_on_hosts_the_bot_does_not_read_are_never_asked(
    store: Store, portal: FakePortal
) -> None:
    portal.status("/tin/10.html", 404)
    async with Fetcher("anbien-bot test", allowed_hosts={"cong.example"}) as other:
        url = portal.url("/tin/10.html")
        assert await checker(store, other).dead([url, None, ""]) == set()
    assert portal.requests == []


def test_the_ttl_is_documented_with_its_range() -> None:
    low, high = ArchiveConfig.__dataclass_fields__["link_check_hours"].metadata["range"]
    assert (low, high) == (1, 720)
    assert f"{low} to {high}" in example_paragraph("link_check_hours")
    assert load_config(EXAMPLE, environ={}).archive.link_check_hours == 24
