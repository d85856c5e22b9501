"""Loopback stand-in for news portals and feeds (aiohttp), scriptable path by path.

Content and misbehaviour can change while a test runs: serve a feed, poll, serve it again with
one more item, make the next two requests fail, and so on. Every request is recorded.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from types import TracebackType
from typing import Self

from aiohttp import web
from aiohttp.helpers import ETAG_ANY
from multidict import CIMultiDictProxy
from yarl import URL

RSS = "application/rss+xml; charset=utf-8"
HTML = "text/html; charset=utf-8"
MAINTENANCE_PAGE = (
    '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">'
    "<title>Hệ thống đang bảo trì</title></head><body>"
    "<h1>Cổng thông tin điện tử đang được bảo trì</h1>"
    "<p>Quý bạn đọc vui lòng quay lại sau.</p></body></html>"
)
_FILLER = b"<!-- du lieu -->\n" * 4096  # 68 KiB, reused so huge answers hold no memory
_TYPES_BY_SUFFIX = {".xml": RSS, ".rss": RSS, ".atom": "application/atom+xml", ".html": HTML}


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the portal saw it."""

    path: str  # decoded, without the query
    headers: CIMultiDictProxy[str]
    at: float  # time.monotonic() on arrival
    query: str = ""
    method: str = "GET"


@dataclass
class _Content:
    body: bytes
    content_type: str
    etag: str | None
    last_modified: datetime | None
    honour_validators: bool
    headers: dict[str, str]


@dataclass
class _Script:
    delay: float = 0.0
    canned: tuple[int, bytes, str] | None = None  # status, body, content type
    canned_left: int | None = None  # answers left before the canned one stops; None: forever
    huge: tuple[int, bool] | None = None  # size, whether to send Content-Length
    trickle: tuple[int, float] | None = None  # chunk size, interval
    redirect: tuple[str, int] | None = None  # location, status


class FakePortal:
    """An HTTP(S) server on 127.0.0.1 that serves and misbehaves as a test scripts it."""

    host = "127.0.0.1"

    def __init__(self, *, ssl_context: ssl.SSLContext | None = None) -> None:
        self.port = 0
        self.requests: list[RecordedRequest] = []
        self.in_flight = 0
        self.peak_in_flight = 0
        self._ssl = ssl_context
        self._contents: dict[str, _Content] = {}
        self._scripts: dict[str, _Script] = {}
        self._runner: web.AppRunner | None = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    async def start(self) -> None:
        """Start listening on a free loopback port."""
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self._handle)
        # Handlers die with their client, and stop() does not wait for sleeping ones.
        self._runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=0.1
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0, ssl_context=self._ssl)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        """Stop the server and drop its connections."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    def url(self, path: str) -> str:
        """Return the absolute URL of path on this portal."""
        scheme = "https" if self._ssl else "http"
        return f"{scheme}://{self.host}:{self.port}{path}"

    def serve(
        self,
        path: str,
        body: bytes | str,
        content_type: str = RSS,
        *,
        etag: bool = True,
        last_modified: datetime | bool = True,
        honour_validators: bool = True,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Set or replace what path answers.

        etag=True sends a strong ETag of the body; last_modified=True stamps this call's time
        (always later than the previous stamp of path), a datetime stamps that, False none.
        honour_validators=False still sends them but always answers in full, like CMSs that
        ignore conditional requests. headers are sent as given (say, Content-Encoding).
        """
        data = body.encode() if isinstance(body, str) else body
        key = _key(path)
        stamp: datetime | None = None
        if isinstance(last_modified, datetime):
            stamp = last_modified.astimezone(UTC).replace(microsecond=0)
        elif last_modified:
            stamp = datetime.now(UTC).replace(microsecond=0)
            previous = self._contents.get(key)
            if previous and previous.last_modified and stamp <= previous.last_modified:
                stamp = previous.last_modified + timedelta(seconds=1)
        self._contents[key] = _Content(
            body=data,
            content_type=content_type,
            etag=f'"{hashlib.sha256(data).hexdigest()[:24]}"' if etag else None,
            last_modified=stamp,
            honour_validators=honour_validators,
            headers=dict(headers or {}),
        )

    def serve_file(self, path: str, file: Path, content_type: str | None = None) -> None:
        """Serve a fixture file at path, its type guessed from the suffix unless given."""
        kind = content_type or _TYPES_BY_SUFFIX.get(file.suffix.lower(), "text/plain")
        self.serve(path, file.read_bytes(), kind)

    def gzip_without_header(self, path: str, body: bytes | str, content_type: str = RSS) -> None:
        """Serve body gzip-compressed but labelled as plain XML, with no Content-Encoding."""
        data = body.encode() if isinstance(body, str) else body
        self.serve(path, gzip.compress(data), content_type)

    def delay(self, path: str, seconds: float) -> None:
        """Make path wait this long before answering (0 to stop)."""
        self._script(path).delay = seconds

    def status(
        self, path: str, code: int | None, *, times: int | None = None, body: bytes = b""
    ) -> None:
        """Make path answer with code, for the next `times` requests or for good (None clears)."""
        script = self._script(path)
        script.canned = None if code is None else (code, body, "text/plain; charset=utf-8")
        script.canned_left = times

    def html_instead(
        self, path: str, html: str = MAINTENANCE_PAGE, *, times: int | None = None
    ) -> None:
        """Make path answer 200 with an HTML page instead of its feed (a maintenance page)."""
        script = self._script(path)
        script.canned = (200, html.encode(), HTML)
        script.canned_left = times

    def huge(self, path: str, size_bytes: int, *, content_length: bool = True) -> None:
        """Make path stream size_bytes of filler without holding them, chunked if no length.

        Combined with trickle(), the filler comes at the trickle's pace.
        """
        self._script(path).huge = (size_bytes, content_length)

    def trickle(self, path: str, *, chunk_size: int = 1, interval: float = 0.05) -> None:
        """Make path send its body chunk_size bytes every interval; with no body, forever."""
        self._script(path).trickle = (chunk_size, interval)

    def redirect(self, path: str, to: str, *, code: int = 302) -> None:
        """Make path redirect to another path of this portal or to an absolute URL."""
        location = to if "://" in to else self.url(to)
        self._script(path).redirect = (location, code)

    def reset(self, path: str) -> None:
        """Drop every scripted behaviour of path, keeping its content."""
        self._scripts.pop(_key(path), None)

    def hits(self, path: str) -> int:
        """Return how many requests reached path (with its query, if path has one)."""
        key = _key(path)
        return sum(1 for r in self.requests if key in (r.path, f"{r.path}?{r.query}"))

    def _script(self, path: str) -> _Script:
        """Return the script of path, creating an empty one."""
        return self._scripts.setdefault(_key(path), _Script())

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        """Record the request and answer it as scripted."""
        self.requests.append(
            RecordedRequest(
                path=request.rel_url.path,
                headers=request.headers,
                at=time.monotonic(),
                query=request.rel_url.query_string,
                method=request.method,
            )
        )
        self.in_flight += 1
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            return await self._answer(request)
        finally:
            self.in_flight -= 1

    async def _answer(self, request: web.Request) -> web.StreamResponse:
        """Return the answer the script and content of the requested path call for."""
        key = _key(str(request.rel_url))
        if key not in self._contents and key not in self._scripts:
            key = request.rel_url.path
        script = self._scripts.get(key, _Script())
        if script.delay:
            await asyncio.sleep(script.delay)
        if script.redirect:
            location, code = script.redirect
            return web.Response(status=code, headers={"Location": location})
        if script.canned:
            code, body, kind = script.canned
            if script.canned_left is not None:
                script.canned_left -= 1
                if script.canned_left <= 0:
                    script.canned = script.canned_left = None
            return web.Response(status=code, body=body, headers={"Content-Type": kind})
        pace = script.trickle or (len(_FILLER), 0.0)
        if script.huge:
            size, with_length = script.huge
            return await _stream(request, RSS, _Filler(size), with_length, *pace)
        content = self._contents.get(key)
        if content is None and script.trickle is None:
            return web.Response(status=404, text="Không tìm thấy trang")
        if content is not None and _not_modified(request, content):
            return web.Response(status=304, headers=_validators(content))
        if content is None:
            return await _stream(request, RSS, _Filler(None), False, *pace)
        if script.trickle:
            return await _stream(request, content.content_type, content.body, True, *pace)
        assert content is not None
        headers = {"Content-Type": content.content_type, **_validators(content), **content.headers}
        return web.Response(body=content.body, headers=headers)


def _key(path: str) -> str:
    """Return the lookup key of a path: decoded, with its query if it has one."""
    url = URL(path)
    return f"{url.path}?{url.query_string}" if url.query_string else url.path


def _validators(content: _Content) -> dict[str, str]:
    """Return the ETag and Last-Modified headers content carries."""
    headers = {}
    if content.etag:
        headers["ETag"] = content.etag
    if content.last_modified:
        headers["Last-Modified"] = format_datetime(content.last_modified, usegmt=True)
    return headers


def _not_modified(request: web.Request, content: _Content) -> bool:
    """Return whether a conditional request may be answered 304 Not Modified."""
    if not content.honour_validators:
        return False
    # RFC 9110 13.2.2: If-None-Match, when present and understood, overrides If-Modified-Since.
    tags = request.if_none_match
    if tags is not None and content.etag:
        return any(tag.value == ETAG_ANY or f'"{tag.value}"' == content.etag for tag in tags)
    since = request.if_modified_since
    return (
        since is not None
        and content.last_modified is not None
        and (content.last_modified <= since)
    )


@dataclass(frozen=True)
class _Filler:
    """Filler bytes of a given size, made up while sending."""

    size: int | None  # None: endless


async def _stream(
    request: web.Request,
    content_type: str,
    source: bytes | _Filler,
    with_length: bool,
    chunk_size: int,
    interval: float,
) -> web.StreamResponse:
    """Send source chunk_size bytes every interval, until done or the client leaves."""
    total = len(source) if isinstance(source, bytes) else source.size
    response = web.StreamResponse(headers={"Content-Type": content_type})
    if with_length and total is not None:
        response.content_length = total
    await response.prepare(request)
    sent = 0
    try:
        while total is None or sent < total:
            size = chunk_size if total is None else min(chunk_size, total - sent)
            if isinstance(source, bytes):
                piece = source[sent : sent + size]
            else:
                # Filler is cut from one shared block, so huge answers hold no memory.
                piece = _FILLER if size == len(_FILLER) else _FILLER[: min(size, len(_FILLER))]
            await response.write(piece)
            sent += len(piece)
            if interval:
                await asyncio.sleep(interval)
        await response.write_eof()
    except ConnectionResetError:
        pass  # the client gave up, as a capped or impatient fetcher should
    return response
