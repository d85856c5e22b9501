"""The archive's Atom feeds on the metrics port: /feeds/all.atom and /feeds/<category>.atom.

Each request reads the newest articles from the store and builds the feed (delivery/atom.py).
Readers poll: tornado answers a repeated If-None-Match with 304 from the ETag it computes over
the body, and an If-Modified-Since alone is answered from the newest article's arrival before
anything is built.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import Any

from tornado.web import RequestHandler

from ..config import Config
from ..delivery.atom import ALL, CONTENT_TYPE, FeedInfo, build_feed, last_changed
from ..models import Article
from ..store import Store
from ..text.urls import absolute_url


@dataclass(frozen=True, slots=True)
class FeedShelf:
    """The feeds one bot serves, and where it reads them from."""

    store: Store
    config: Config
    in_bot: Callable[[int], str | None] | None = None  # an article's deep link into the bot
    # The last document of each feed and what it was built from: readers poll far more often
    # than news comes, and building runs on the bot's event loop (~10 ms for 50 entries).
    _built: dict[str, tuple[object, bytes]] = field(default_factory=dict, repr=False)

    def titles(self) -> dict[str, str]:
        """Return each feed's title by its key: everything first, then each category.

        A category whose key is "all" has no feed of its own: that address is everything's.
        """
        portal = self.config.bot.portal_name
        named = {c.key: f"{portal} – {c.name}" for c in self.config.categories if c.key != ALL}
        return {ALL: portal} | named

    def info(self, key: str, request_url: str) -> FeedInfo | None:
        """Return what the feed of this key says of itself, or None for no such feed."""
        title = self.titles().get(key)
        if title is None:
            return None
        base = self.config.feeds.base_url
        return FeedInfo(
            key=key,
            title=title,
            self_url=f"{base}/feeds/{key}.atom" if base else request_url,
            author=self.config.bot.portal_name,
            category_names=self.config.category_names,
            in_bot=self.in_bot,
        )

    def document(self, info: FeedInfo, articles: Sequence[Article]) -> bytes:
        """Return the feed's document, built again only when an article or the feed changed."""
        source = (info, tuple(articles))
        kept = self._built.get(info.key)
        if kept is not None and kept[0] == source:
            return kept[1]
        document = build_feed(info, articles)
        self._built[info.key] = (source, document)
        return document


def feed_routes(shelf: FeedShelf) -> list[tuple[str, type[RequestHandler], dict[str, Any]]]:
    """Return the tornado routes of the feeds, for the metrics port's server."""
    return [(r"/feeds/([^/]+)\.atom", FeedPage, {"shelf": shelf})]


class FeedPage(RequestHandler):
    """One Atom feed of the archive, or 404 for a key that names none."""

    def initialize(self, shelf: FeedShelf) -> None:
        self._shelf = shelf

    async def get(self, key: str) -> None:
        info = self._shelf.info(key, self._own_url())
        if info is None:
            self.set_status(404)
            self.set_header("Content-Type", "text/plain; charset=utf-8")
            self.write(f"no such feed; there are: {', '.join(self._shelf.titles())}\n")
            return
        limit = self._shelf.config.feeds.entries
        articles = await self._shelf.store.newest(None if key == ALL else key, limit)
        changed = last_changed(articles)
        self.set_header("Content-Type", CONTENT_TYPE)
        self.set_header("Last-Modified", changed)
        if self._unchanged_since(changed.timestamp()):
            self.set_status(304)
            return
        self.write(self._shelf.document(info, articles))

    async def head(self, key: str) -> None:
        # Feed readers and link checkers ask with HEAD. Tornado answers it from what get
        # writes: the ETag and Content-Length of the body, the same 304 rules, and no body.
        await self.get(key)

    def _own_url(self) -> str:
        """Return the address this feed was asked at, without its query.

        A query changes nothing in a feed: kept, each new one would come back in the self
        link with a new ETag, and build the feed again (FeedShelf keeps one per key).
        """
        request = self.request
        return absolute_url(f"{request.protocol}://{request.host}{request.path}") or ""

    def _unchanged_since(self, changed: float) -> bool:
        """Return whether If-Modified-Since, alone, says the reader has this version.

        With If-None-Match too, the ETag decides (RFC 9110, 13.2.2): an edit at the source
        changes the body but not the time.
        """
        since = self.request.headers.get("If-Modified-Since")
        if since is None or "If-None-Match" in self.request.headers:
            return False
        try:
            moment = parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False  # a date that cannot be read is as if none were sent
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)  # "-0000": HTTP dates are GMT
        return moment.timestamp() >= changed
