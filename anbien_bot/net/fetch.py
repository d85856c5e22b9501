"""Polite HTTP fetching for every source: conditional GET, size cap, deadlines, host safety.

Hosts: without ``any_public_host`` only the configured sources' hosts are fetched; with it,
any host too (a source that moved, a photo on another server). Either way a host may only
be reached at public addresses, checked where the connection is made (see addresses.py),
unless it is in ``private_hosts``: the hosts of sources configured with allow_private.
"""

from __future__ import annotations

import asyncio
import hashlib
import ssl
import zlib
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Self

import httpcore
import httpx

from .addresses import (
    AddressRefused,
    CheckedNetwork,
    CheckedTransport,
    Resolver,
    describe,
    ip_literal,
    is_public,
)
from .hosts import HostTurns

ACCEPT = (
    "application/rss+xml, application/atom+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, "
    "text/html;q=0.8, application/xhtml+xml;q=0.8, */*;q=0.5"
)
_GZIP_MAGIC = b"\x1f\x8b"
_OPT_IN = " (a configured source may opt in with allow_private = true)"


@dataclass(frozen=True)
class FetchResult:
    """What one GET brought back, after redirects; the body is empty when not modified."""

    url: str
    status: int
    not_modified: bool
    body: bytes
    content_type: str
    etag: str | None
    last_modified: str | None
    body_hash: str | None


class FetchError(Exception):
    """A fetch that brought nothing usable, with a one-line human reason.

    ``status`` is the HTTP status of the answer when the server gave one (an error status,
    or a success whose body was refused); None when no answer came.
    """

    def __init__(self, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


class BodyTooLarge(FetchError):
    """A body larger than the cap of its fetch (told by its Content-Length or as it came)."""


class Fetcher:
    """Fetch source URLs politely: per-host limits and pacing, bounded bodies and time."""

    def __init__(
        self,
        user_agent: str,
        *,
        timeout: float = 30,
        max_bytes: int = 5 * 1024 * 1024,
        max_redirects: int = 5,
        per_host: int = 2,
        page_delay: float = 0.0,
        allowed_hosts: Collection[str] = (),
        private_hosts: Collection[str] = (),
        max_image_bytes: int = 25 * 1024 * 1024,
        resolver: Resolver | None = None,
        opener: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        """Set the limits; ``private_hosts`` are configured hosts allowed private addresses.

        ``resolver`` turns a host name into addresses and ``opener`` connects to one of
        them; both default to the system's, and tests pass their own.
        """
        self.user_agent = user_agent
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.max_image_bytes = max_image_bytes
        self.max_redirects = max_redirects
        self.per_host = per_host
        self.page_delay = page_delay
        self.private_hosts = frozenset(_bare_host(h) for h in private_hosts)
        self.allowed_hosts = frozenset(_bare_host(h) for h in allowed_hosts) | self.private_hosts
        self.network = CheckedNetwork(resolver, private_hosts=self.private_hosts, opener=opener)
        self._clients: dict[bool | str, httpx.AsyncClient] = {}
        self._turns = HostTurns(per_host, page_delay)

    @property
    def remembered_hosts(self) -> int:
        """Return how many hosts' limits the fetcher still keeps."""
        return self._turns.remembered

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close every HTTP client this fetcher opened."""
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.aclose()

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        verify: bool | str = True,
        any_public_host: bool = False,
        max_bytes: int | None = None,
        method: str = "GET",
    ) -> FetchResult:
        """Return the answer to a conditional GET of url, or raise FetchError saying why not.

        With ``any_public_host`` a host outside ``allowed_hosts`` is fine as long as it is
        public: a configured source that moved (the An Biên portal redirecting to its
        successor), or a photo on another server. Links found in content never get it.
        ``max_bytes`` replaces the fetcher's body cap for this fetch (photos have their own);
        ``method`` "HEAD" asks for the status alone (a link check).
        """
        cap = self.max_bytes if max_bytes is None else max_bytes
        try:
            target = httpx.URL(url)
        except (httpx.InvalidURL, TypeError) as exc:
            raise FetchError("invalid URL") from exc
        self._check_allowed(target, any_public_host)
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        client = self._client(verify)
        request = client.build_request(method, target, headers=headers)
        for _ in range(self.max_redirects + 1):
            answer = await self._send(client, request, any_public_host, cap)
            if isinstance(answer, FetchResult):
                return answer
            request = answer
        raise FetchError("too many redirects")

    def _check_allowed(self, url: httpx.URL, any_public_host: bool = False) -> None:
        """Raise FetchError unless url is http(s) to a host we may reach."""
        if url.scheme not in ("http", "https"):
            raise FetchError(f"not allowed: {url.scheme or 'no'} scheme")
        host = _bare_host(url.host)
        if not host:
            raise FetchError("not allowed: URL without a host")
        configured = host in self.allowed_hosts
        if not configured and self.allowed_hosts and not any_public_host:
            raise FetchError(f"not allowed: {host} is not a configured source host")
        if host in self.private_hosts:
            return
        # Names are checked again, resolved, where the connection is made; these are
        # refused here already, before any request, pacing or DNS.
        hint = _OPT_IN if configured else ""
        if host == "localhost" or host.endswith(".localhost"):
            raise FetchError(f"not allowed: local host {host}{hint}")
        address = ip_literal(host)
        if address is not None and not is_public(address):
            raise FetchError(f"not allowed: {describe(address, host)}{hint}")

    def _client(self, verify: bool | str) -> httpx.AsyncClient:
        """Return the shared client for this TLS setting, creating it on first use."""
        client = self._clients.get(verify)
        if client is None:
            context = _ssl_context(verify) if isinstance(verify, str) else verify
            client = httpx.AsyncClient(
                # Environment proxies are not used: a proxy would resolve names itself,
                # past the address check.
                transport=CheckedTransport(context, self.network),
                timeout=httpx.Timeout(self.timeout),
                follow_redirects=False,  # followed by hand, so every hop is checked and paced
                headers={
                    "User-Agent": self.user_agent,
                    "Accept": ACCEPT,
                    "Accept-Language": "vi, en;q=0.5",
                    # Only what _read_body can inflate within the cap.
                    "Accept-Encoding": "gzip",
                },
            )
            self._clients[verify] = client
        return client

    async def _send(
        self, client: httpx.AsyncClient, request: httpx.Request, any_public_host: bool, cap: int
    ) -> FetchResult | httpx.Request:
        """Send one request within its host's limits; return its result or the redirect."""
        host = _bare_host(request.url.host)
        async with self._turns.turn(host):
            try:
                # httpx's own timeouts are per read; a server that trickles bytes only
                # stops under an overall deadline.
                async with asyncio.timeout(self.timeout):
                    response = await client.send(request, stream=True)
                    try:
                        return await self._answer(response, any_public_host, cap)
                    finally:
                        await response.aclose()
            except AddressRefused as exc:
                hint = _OPT_IN if host in self.allowed_hosts else ""
                raise FetchError(f"not allowed: {exc}{hint}") from exc
            except (TimeoutError, httpx.TimeoutException) as exc:
                raise FetchError(f"timed out after {self.timeout:g} s") from exc
            except httpx.HTTPError as exc:
                raise FetchError(_transport_reason(exc)) from exc

    async def _answer(
        self, response: httpx.Response, any_public_host: bool, cap: int
    ) -> FetchResult | httpx.Request:
        """Return the result a response carries, or the next request of a redirect."""
        if response.next_request is not None:
            self._check_allowed(response.next_request.url, any_public_host)
            return response.next_request
        status = response.status_code
        headers = response.headers
        if status == 304:
            sent = response.request.headers
            return FetchResult(
                url=str(response.url),
                status=status,
                not_modified=True,
                body=b"",
                content_type=headers.get("Content-Type", ""),
                etag=headers.get("ETag") or sent.get("If-None-Match"),
                last_modified=headers.get("Last-Modified") or sent.get("If-Modified-Since"),
                body_hash=None,
            )
        if not 200 <= status < 300:
            raise FetchError(f"HTTP {status}", status)
        body = await self._read_body(response, cap)
        return FetchResult(
            url=str(response.url),
            status=status,
            not_modified=False,
            body=body,
            content_type=headers.get("Content-Type", ""),
            etag=headers.get("ETag"),
            last_modified=headers.get("Last-Modified"),
            body_hash=hashlib.sha256(body).hexdigest(),
        )

    async def _read_body(self, response: httpx.Response, cap: int) -> bytes:
        """Return the decoded body, streamed and cut off past cap bytes."""
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > cap:
            raise _over_cap(cap, response.status_code)
        encoding = response.headers.get("Content-Encoding", "").strip().lower()
        inflater = _inflater(encoding)
        received = 0
        body = bytearray()
        async for chunk in response.aiter_raw():
            received += len(chunk)
            if received > cap:
                raise _over_cap(cap, response.status_code)
            if inflater is not None:
                # One byte past the room left is enough to know the cap is broken,
                # so a compression bomb never expands further than that.
                chunk = _inflate(inflater, chunk, cap - len(body) + 1)
            body += chunk
            if len(body) > cap:
                raise _over_cap(cap, response.status_code)
        # Some portals serve a .gz file as if it were the XML itself.
        if not encoding and body.startswith(_GZIP_MAGIC):
            body = bytearray(_inflate(zlib.decompressobj(31), bytes(body), cap + 1))
            if len(body) > cap:
                raise _over_cap(cap, response.status_code)
        return bytes(body)


def _bare_host(host: str) -> str:
    """Return host lowercased and without a trailing dot."""
    return host.strip().lower().rstrip(".")


def _over_cap(cap: int, status: int) -> BodyTooLarge:
    """Return the error for a body larger than cap (the server did answer, with status)."""
    return BodyTooLarge(f"body over {_size_text(cap)} cap", status)


def _ssl_context(ca_bundle: str) -> ssl.SSLContext:
    """Return a verifying TLS context that trusts the CA file or directory given."""
    try:
        if Path(ca_bundle).is_dir():
            return ssl.create_default_context(capath=ca_bundle)
        return ssl.create_default_context(cafile=ca_bundle)
    except (OSError, ssl.SSLError) as exc:
        raise FetchError(f"CA bundle unreadable: {ca_bundle}") from exc


def _inflater(encoding: str) -> zlib._Decompress | None:
    """Return a decompressor for a Content-Encoding, None for identity."""
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip"):
        return zlib.decompressobj(31)
    if encoding == "deflate":
        return zlib.decompressobj(15)
    raise FetchError(f"unsupported Content-Encoding {encoding[:20]}")


def _inflate(inflater: zlib._Decompress, data: bytes, limit: int) -> bytes:
    """Return at most limit bytes inflated from data."""
    try:
        return inflater.decompress(data, limit)
    except zlib.error as exc:
        raise FetchError("corrupt compressed body") from exc


def _transport_reason(exc: httpx.HTTPError) -> str:
    """Return a one-line reason for a transport failure."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return "TLS certificate verify failed"
        if isinstance(cause, ssl.SSLError):
            return "TLS error"
        cause = cause.__cause__ or cause.__context__
    detail = " ".join(str(exc).split())[:120]
    if isinstance(exc, httpx.ConnectError):
        return f"connection failed: {detail}" if detail else "connection failed"
    kind = type(exc).__name__
    return f"{kind}: {detail}" if detail else kind


def _size_text(size: int) -> str:
    """Return a byte count as people say it (5 MB, 512 KB, 900 bytes)."""
    if size % (1024 * 1024) == 0:
        return f"{size // (1024 * 1024)} MB"
    if size % 1024 == 0:
        return f"{size // 1024} KB"
    return f"{size} bytes"
