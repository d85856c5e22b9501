"""Fetcher against a real loopback portal: validators, redirects, caps, deadlines, safety."""

from __future__ import annotations

import asyncio
import datetime as dt
import gzip
import hashlib
import ipaddress
import itertools
import ssl
import tracemalloc
import zlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from anbien_bot.net.fetch import Fetcher, FetchError
from tests.fake_portal import FakePortal

FEED = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Tin tức An Biên</title>
<item><title>Xã Nam Yên ra quân làm đường giao thông nông thôn</title>
<link>https://anbien.example/trang/TinTuc/17/2001/Xa-Nam-Yen.html</link></item>
</channel></rss>
"""
UA = "AnBienNewsBot/0.1 (+https://example.invalid/bot)"
MB = 1024 * 1024


@pytest.fixture
async def fetcher(portal: FakePortal) -> AsyncIterator[Fetcher]:
    async with Fetcher(UA, timeout=0.5, private_hosts={portal.host}) as running:
        yield running


async def test_fetch_returns_body_validators_and_hash(
    portal: FakePortal, fetcher: Fetcher
) -> None:
    portal.serve("/rss/tin-tuc.rss", FEED)

    result = await fetcher.fetch(portal.url("/rss/tin-tuc.rss"))

    assert result.status == 200
    assert not result.not_modified
    assert result.body.decode() == FEED
    assert result.content_type.startswith("application/rss+xml")
    assert result.etag
    assert result.etag.startswith('"')
    assert result.last_modified
    assert result.last_modified.endswith("GMT")
    assert result.body_hash == hashlib.sha256(FEED.encode()).hexdigest()
    sent = portal.requests[0].headers
    assert sent["User-Agent"] == UA
    assert "application/rss+xml" in sent["Accept"]
    assert "text/html" in sent["Accept"]
    assert "If-None-Match" not in sent


async def test_conditional_get_sends_validators_and_handles_304(
    portal: FakePortal, fetcher: Fetcher
) -> None:
    portal.serve("/feed", FEED)
    first = await fetcher.fetch(portal.url("/feed"))

    again = await fetcher.fetch(
        portal.url("/feed"), etag=first.etag, last_modified=first.last_modified
    )

    sent = portal.requests[-1].headers
    assert sent["If-None-Match"] == first.etag
    assert sent["If-Modified-Since"] == first.last_modified
    assert again.not_modified
    assert again.status == 304
    assert again.body == b""
    assert again.body_hash is None
    assert (again.etag, again.last_modified) == (first.etag, first.last_modified)


async def test_changed_feed_comes_in_full_despite_old_validators(
    portal: FakePortal, fetcher: Fetcher
) -> None:
    portal.serve("/feed", FEED)
    first = await fetcher.fetch(portal.url("/feed"))
    newer = FEED.replace("</channel>", "<item><title>Thông báo cúp điện</title></item></channel>")
    portal.serve("/feed", newer)

    again = await fetcher.fetch(
        portal.url("/feed"), etag=first.etag, last_modified=first.last_modified
    )

    assert not again.not_modified
    assert again.body.decode() == newer
    assert again.etag != first.etag


async def test_last_modified_alone_gives_304(portal: FakePortal, fetcher: Fetcher) -> None:
    portal.serve("/feed", FEED, etag=False)
    first = await fetcher.fetch(portal.url("/feed"))
    assert first.etag is None

    again = await fetcher.fetch(portal.url("/feed"), last_modified=first.last_modified)

    assert again.not_modified
    assert again.last_modified == first.last_modified


async def test_cms_ignoring_validators_still_gives_same_hash(
    portal: FakePortal, fetcher: Fetcher
) -> None:
    portal.serve("/feed", FEED, honour_validators=False)
    first = await fetcher.fetch(portal.url("/feed"))

    again = await fetcher.fetch(portal.url("/feed"), etag=first.etag)

    assert not again.not_modified
    assert again.body_hash == first.body_hash


async def test_redirect_is_followed_to_final_url(portal: FakePortal, fetcher: Fetcher) -> None:
    portal.serve("/rss.xml", FEED)
    portal.redirect("/old/rss", "/rss.xml", code=301)

    result = await fetcher.fetch(portal.url("/old/rss"))

    assert result.url == portal.url("/rss.xml")
    assert result.body.decode() == FEED


async def test_redirect_loop_stops_after_max_redirects(
    portal: FakePortal, fetcher: Fetcher
) -> None:
    portal.redirect("/a", "/b")
    portal.redirect("/b", "/a")

    with pytest.raises(FetchError) as caught:
        await fetcher.fetch(portal.url("/a"))

    assert caught.value.reason == "too many redirects"
    assert len(portal.requests) == fetcher.max_redirects + 1


async def test_redirect_to_a_host_not_configured_is_refused(
    portal: FakePortal, fetcher: Fetcher
) -> None:
    portal.serve("/feed", FEED)
    portal.redirect("/r", f"http://localhost:{portal.port}/feed")
    portal.redirect("/f", "file:///etc/passwd")

    for path in ("/r", "/f"):
        with pytest.raises(FetchError) as caught:
            await fetcher.fetch(portal.url(path))
        assert caught.value.reason.startswith("not allowed")
    assert portal.hits("/feed") == 0


@pytest.mark.parametrize("with_length", [True, False])
async def test_body_over_cap_is_cut(
    portal: FakePortal, fetcher: Fetcher, with_length: bool
) -> None:
    portal.huge("/big.xml", 6 * MB, content_length=with_length)

    with pytest.raises(FetchError) as caught:
        await fetcher.fetch(portal.url("/big.xml"))

    assert caught.value.reason == "body over 5 MB cap"


async def test_declared_length_over_cap_is_refused_before_reading(
    portal: FakePortal, fetcher: Fetcher
) -> None:
    # At 20 KB/s the body would take minutes: only the Content-Length check ends it at once.
    portal.huge("/big.xml", 6 * MB, content_length=True)
    portal.trickle("/big.xml", chunk_size=1024, interval=0.05)

    with pytest.raises(FetchError) as caught:
        # Reading the body would take minutes; the guard only fails a fetcher that tries.
        await asyncio.wait_for(fetcher.fetch(portal.url("/big.xml")), 30)

    assert caught.value.reason == "body over 5 MB cap"


async def test_gigabyte_answer_is_never_loaded(portal: FakePortal, fetcher: Fetcher) -> None:
    portal.huge("/bomb.xml", 1024 * MB, content_length=False)
    tracemalloc.start()
    try:
        with pytest.raises(FetchError) as caught:
            await fetcher.fetch(portal.url("/bomb.xml"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert caught.value.reason == "body over 5 MB cap"  # stopped there, not read to the end
    assert peak < 3 * fetcher.max_bytes


async def test_gzip_served_without_header_is_decompressed(
    portal: FakePortal, fetcher: Fetcher
) -> None:
    portal.gzip_without_header("/feed.xml", FEED)

    result = await fetcher.fetch(portal.url("/feed.xml"))

    assert result.body.decode() == FEED
    assert result.body_hash == hashlib.sha256(FEED.encode()).hexdigest()


async def test_gzip_content_encoding_is_decoded(portal: FakePortal, fetcher: Fetcher) -> None:
    portal.serve("/feed", gzip.compress(FEED.encode()), headers={"Content-Encoding": "gzip"})

    result = await fetcher.fetch(portal.url("/feed"))

    assert result.body.decode() == FEED


def _gzip_bomb(size: int) -> bytes:
    """Return gzip bytes that inflate to size zero bytes, built without holding them."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(MB)
    return b"".join(packer.compress(block) for _ in range(size // MB)) + packer.flush()


@pytest.mark.parametrize("labelled", [True, False])
async def test_gzip_bomb_is_cut_at_cap_without_inflating_it(
    portal: FakePortal, fetcher: Fetcher, labelled: bool
) -> None:
    headers = {"Content-Encoding": "gzip"} if labelled else {}
    portal.serve("/bomb", _gzip_bomb(64 * MB), headers=headers)
    tracemalloc.start()
    try:
        with pytest.raises(FetchError) as caught:
            await fetcher.fetch(portal.url("/bomb"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert caught.value.reason == "body over 5 MB cap"
    assert peak < 3 * fetcher.max_bytes


async def test_slow_server_times_out(portal: FakePortal, fetcher: Fetcher) -> None:
    portal.serve("/slow", FEED)
    portal.delay("/slow", 5)

    with pytest.raises(FetchError) as caught:
        # The guard only keeps a broken deadline from hanging the suite.
        await asyncio.wait_for(fetcher.fetch(portal.url("/slow")), 3)

    assert caught.value.reason == "timed out after 0.5 s"


async def test_trickling_server_cannot_hold_past_deadline(
    portal: FakePortal, fetcher: Fetcher
) -> None:
    # A byte every 50 ms never trips a per-read timeout; only the overall deadline stops it.
    portal.trickle("/drip", chunk_size=1, interval=0.05)

    with pytest.raises(FetchError) as caught:
        # The guard only keeps a broken deadline from hanging the suite.
        await asyncio.wait_for(fetcher.fetch(portal.url("/drip")), 3)

    assert caught.value.reason == "timed out after 0.5 s"


@pytest.mark.parametrize("code", [301, 403, 404, 500, 503])
async def test_error_status_raises_with_code(
    portal: FakePortal, fetcher: Fetcher, code: int
) -> None:
    portal.serve("/feed", FEED)
    portal.status("/feed", code, times=1)

    with pytest.raises(FetchError) as caught:
        await fetcher.fetch(portal.url("/feed"))
    recovered = await fetcher.fetch(portal.url("/feed"))

    assert caught.value.reason == f"HTTP {code}"
    assert recovered.body.decode() == FEED


async def test_refused_connection_has_a_reason(fetcher: Fetcher) -> None:
    async with FakePortal() as gone:
        url = gone.url("/feed")

    with pytest.raises(FetchError) as caught:
        await fetcher.fetch(url)

    assert caught.value.reason.startswith("connection failed")


async def test_loopback_not_configured_is_refused_before_connecting(portal: FakePortal) -> None:
    portal.serve("/feed", FEED)
    async with Fetcher(UA, timeout=0.5) as open_fetcher:
        with pytest.raises(FetchError) as caught:
            await open_fetcher.fetch(portal.url("/feed"))

    assert caught.value.reason == "not allowed: private address 127.0.0.1"
    assert portal.requests == []


PRIVATE_TARGETS = [
    "http://10.0.0.1/rss", "http://192.168.1.1/", "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/", "http://0.0.0.0/", "http://localhost/", "http://LOCALHOST./",
    "http://127.1/", "http://2130706433/", "http://0x7f.0.0.1/",
]  # fmt: skip


@pytest.mark.parametrize("url", PRIVATE_TARGETS)
async def test_private_targets_are_refused(url: str) -> None:
    async with Fetcher(UA, timeout=0.5) as open_fetcher:
        with pytest.raises(FetchError) as caught:
            await open_fetcher.fetch(url)

    assert caught.value.reason.startswith("not allowed")


NOT_HTTP = [
    "javascript:alert(1)", "file:///etc/passwd", "ftp://anbien.kiengiang.gov.vn/rss",
    "data:text/html,<b>x</b>", "/trang/TinTuc/17/1009/relative.html",
]  # fmt: skip


@pytest.mark.parametrize("url", NOT_HTTP)
async def test_non_http_urls_are_refused(url: str) -> None:
    async with Fetcher(UA, timeout=0.5) as open_fetcher:
        with pytest.raises(FetchError) as caught:
            await open_fetcher.fetch(url)

    assert caught.value.reason.startswith("not allowed")


async def test_only_configured_hosts_when_some_are_given(portal: FakePortal) -> None:
    portal.serve("/feed", FEED)
    async with Fetcher(UA, timeout=0.5, allowed_hosts={"anbien.kiengiang.gov.vn"}) as strict:
        with pytest.raises(FetchError) as caught:
            await strict.fetch(portal.url("/feed"))

    assert "not a configured source host" in caught.value.reason
    assert portal.requests == []


async def test_at_most_per_host_requests_in_flight(portal: FakePortal) -> None:
    portal.serve("/trang", "<html></html>", "text/html")
    portal.delay("/trang", 0.1)
    async with Fetcher(UA, timeout=2, per_host=2, private_hosts={portal.host}) as polite:
        await asyncio.gather(*(polite.fetch(portal.url("/trang")) for _ in range(6)))

    assert portal.hits("/trang") == 6
    assert portal.peak_in_flight == 2


async def test_page_delay_spaces_requests_to_one_host(portal: FakePortal) -> None:
    portal.serve("/trang", "<html></html>", "text/html")
    async with Fetcher(UA, page_delay=0.15, per_host=4, private_hosts={portal.host}) as polite:
        await asyncio.gather(*(polite.fetch(portal.url("/trang")) for _ in range(4)))

    arrivals = [r.at for r in portal.requests]
    gaps = [b - a for a, b in itertools.pairwise(arrivals)]
    assert len(gaps) == 3
    assert min(gaps) >= 0.13


def _self_signed(directory: Path, dns_name: str | None = None) -> tuple[Path, Path]:
    """Write a self-signed certificate for 127.0.0.1 (or for dns_name) and its key; return
    their paths."""
    pytest.importorskip("cryptography")
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, dns_name or "127.0.0.1")])
    subject: x509.GeneralName = (
        x509.DNSName(dns_name) if dns_name else x509.IPAddress(ipaddress.ip_address("127.0.0.1"))
    )
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([subject]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


async def test_tls_verification_default_bundle_and_opt_out(tmp_path: Path) -> None:
    cert_path, key_path = _self_signed(tmp_path)
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert_path, key_path)
    async with (
        FakePortal(ssl_context=server_tls) as tls_portal,
        Fetcher(UA, timeout=2, private_hosts={tls_portal.host}) as tls_fetcher,
    ):
        tls_portal.serve("/feed", FEED)
        url = tls_portal.url("/feed")

        with pytest.raises(FetchError) as caught:
            await tls_fetcher.fetch(url)
        with_bundle = await tls_fetcher.fetch(url, verify=str(cert_path))
        unverified = await tls_fetcher.fetch(url, verify=False)
        with pytest.raises(FetchError) as still_checked:
            await tls_fetcher.fetch(url)

    assert caught.value.reason == "TLS certificate verify failed"
    assert with_bundle.body.decode() == FEED
    assert unverified.body.decode() == FEED
    assert still_checked.value.reason == "TLS certificate verify failed"


async def test_tls_to_a_name_checks_the_certificate_of_the_name(tmp_path: Path) -> None:
    # The connection goes to the address resolved and checked; SNI and the certificate
    # check must still use the name, or every HTTPS source on a name would fail.
    cert_path, key_path = _self_signed(tmp_path, "cong.example.vn")
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert_path, key_path)
    names = {"cong.example.vn": [ipaddress.ip_address("127.0.0.1")]}

    async def resolve(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
        return names[host]

    async with (
        FakePortal(ssl_context=server_tls) as tls_portal,
        Fetcher(
            UA, timeout=2, private_hosts={*names, "127.0.0.1"}, resolver=resolve
        ) as tls_fetcher,
    ):
        tls_portal.serve("/feed", FEED)
        by_name = await tls_fetcher.fetch(
            f"https://cong.example.vn:{tls_portal.port}/feed", verify=str(cert_path)
        )
        with pytest.raises(FetchError) as by_address:
            await tls_fetcher.fetch(
                f"https://127.0.0.1:{tls_portal.port}/feed", verify=str(cert_path)
            )

    assert by_name.body.decode() == FEED
    # Same server, same certificate: asked for by address, the name no longer matches.
    assert by_address.value.reason == "TLS certificate verify failed"


async def test_unreadable_ca_bundle_is_a_fetch_error(tmp_path: Path, portal: FakePortal) -> None:
    async with Fetcher(UA, private_hosts={portal.host}) as bundle_fetcher:
        with pytest.raises(FetchError) as caught:
            await bundle_fetcher.fetch(portal.url("/"), verify=str(tmp_path / "missing.pem"))

    assert caught.value.reason.startswith("CA bundle unreadable")


async def test_a_configured_source_may_move_to_another_public_host_but_never_private() -> None:
    fetcher = Fetcher("anbien-bot-test", allowed_hosts={"anbien.example.gov.vn"})
    async with fetcher:
        with pytest.raises(FetchError, match="not a configured source host"):
            await fetcher.fetch("http://other.example.vn/rss.xml")
        with pytest.raises(FetchError, match="private address"):
            await fetcher.fetch("http://10.0.0.7/rss.xml", any_public_host=True)
        with pytest.raises(FetchError, match="local host"):
            await fetcher.fetch("http://localhost/rss.xml", any_public_host=True)
