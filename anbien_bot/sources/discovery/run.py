"""Discovering one portal page: fetch it, find its feeds or its listing, read two articles.

Every request goes through the caller's ``get`` (the poller's Fetcher from the command line,
a dict of pages in tests and benchmarks), and never more than MAX_REQUESTS of them: the
page, a few feed candidates, two articles (the listing's, or the chosen feed's thin items).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from ...models import Entry, Selectors
from ...net.fetch import FetchError, FetchResult
from ...text.urls import canonical_url, host_of
from ...text.vntext import clean_line, fold
from ..articletext import clean_text
from ..extract import (
    ExtractError,
    article_key,
    completed,
    needs_page,
    parse_article,
    to_entry,
)
from ..feeds import FeedError, parse_feed
from ..htmlpage import find_links, reading
from ..listing import ListingItem, parse_listing
from ..pagetext import parse_page
from .blocks import ListedArticle, Listing, find_listing
from .feedlinks import FeedCandidate, feed_candidates, is_specific, platform_of
from .fields import Page, article_selectors
from .ids import infer_id_pattern
from .paging import find_next

Get = Callable[[str, bool], Awaitable[FetchResult]]  # (url, any_public_host) -> the answer

MAX_REQUESTS = 9
FEED_PROBES = 5
ARTICLES = 2
FEED_ITEMS_SHOWN = 3
_LISTING_MIN = 3  # fewer article links than this and the page has no listing to compare with
_GOOD_SHARE = 0.8  # a feed carrying this share of the page's articles needs no more searching
_FEED_BODY = re.compile(
    rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:rss|feed|rdf:RDF)\b", re.S
)
_HTML_BODY = re.compile(rb"<html|<body|<!doctype\s+html|<a\s|<div", re.I)


@dataclass(frozen=True)
class FeedFound:
    """A place a feed was looked for, and what it held."""

    url: str
    why: str
    entries: tuple[Entry, ...] = ()
    matches: int = 0  # how many of the page's articles it carries
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Tell whether it is a feed with items."""
        return self.error is None and bool(self.entries)


@dataclass(frozen=True)
class Discovery:
    """What discovery found on a page, and how a source of it should be configured."""

    asked: str
    url: str = ""  # the page as reached, after redirects
    title: str = ""
    platform: str | None = None
    feeds: tuple[FeedFound, ...] = ()  # every place a feed was looked for
    feed: FeedFound | None = None  # the one chosen: the source is this feed
    items: tuple[ListingItem, ...] = ()  # the listing as a poll of the block reads it
    next_page: str | None = None
    selectors: Selectors = field(default_factory=Selectors)  # only those the defaults need
    id_pattern: str | None = None
    # The first articles as a poll of the block stores them (a feed's, thin ones completed).
    articles: tuple[Entry, ...] = ()
    skipped: tuple[tuple[str, str], ...] = ()  # article pages that could not be read, and why
    problem: str | None = None  # why nothing usable was found
    requests: int = 0

    @property
    def usable(self) -> bool:
        """Tell whether the block it makes will bring articles."""
        if self.problem is not None:
            return False
        return self.feed is not None or any(a.title for a in self.articles)

    @property
    def needed(self) -> dict[str, str]:
        """Return the selectors the defaults were not enough for, by key."""
        return {k: v for k, v in asdict(self.selectors).items() if v}

    def source_table(
        self, name: str, category: str, *, allow_private: bool = False
    ) -> dict[str, Any]:
        """Return the [[sources]] block for this discovery, as TOML keys and values."""
        table: dict[str, Any] = {"name": name}
        if self.feed is not None:
            table |= {"type": "rss", "url": self.feed.url, "category": category}
        else:
            table |= {"type": "html", "url": self.url, "category": category}
            if self.id_pattern:
                table["id_pattern"] = self.id_pattern
        if allow_private:
            table["allow_private"] = True
        if self.feed is None and self.needed:
            table["selectors"] = self.needed
        return table


class _Budget:
    """The caller's get, refusing to go past a handful of requests."""

    def __init__(self, get: Get, limit: int) -> None:
        self._get = get
        self.limit = limit
        self.used = 0

    @property
    def left(self) -> int:
        return self.limit - self.used

    async def fetch(self, url: str, *, any_public_host: bool) -> FetchResult:
        if self.used >= self.limit:
            raise FetchError(f"not fetched: discover makes at most {self.limit} requests")
        self.used += 1
        return await self._get(url, any_public_host)


async def discover(url: str, get: Get, *, limit: int = MAX_REQUESTS) -> Discovery:
    """Find how to read the portal page at url: its feed, else its listing and articles."""
    budget = _Budget(get, limit)
    try:
        page = await budget.fetch(url, any_public_host=True)
    except FetchError as exc:
        return Discovery(url, problem=f"cannot read {url}: {exc.reason}", requests=budget.used)
    found = Discovery(url, page.url, requests=budget.used)
    if _FEED_BODY.match(page.body[:4096]):
        feed = _as_feed(page, "the address given", ())
        if feed.ok:
            return await _with_feed(replace(found, feeds=(feed,)), budget, feed)
        if not _HTML_BODY.search(page.body[:4096]):
            return replace(found, feeds=(feed,), problem=f"{page.url}: {feed.error}")
    kind = page.content_type.partition(";")[0].strip() or "no content type"
    if "html" not in kind and not _HTML_BODY.search(page.body[:4096]):
        return replace(found, problem=f"{page.url} is not an HTML page ({kind})")
    try:
        return await _read_page(found, budget, page)
    except ExtractError as exc:  # a page lxml cannot take (hostile nesting, broken bytes)
        return replace(found, problem=f"{page.url}: {exc}", requests=budget.used)


async def _read_page(found: Discovery, budget: _Budget, page: FetchResult) -> Discovery:
    """Find the HTML page's feeds, else read it as a listing of articles."""
    with reading():
        root = parse_page(page.body)
    if root is None or not find_links(root):
        return replace(
            found,
            problem=f"{page.url} has no links: give the address of the portal's home page "
            "or of one of its news categories",
        )
    title = clean_line(clean_text(" ".join(t.text_content() for t in root.iter("title"))))
    found = replace(found, title=title, platform=platform_of(page.body.decode("utf-8", "replace")))
    listing = find_listing(root, page.body, page.url)
    shown = _shown(page, listing)
    candidates = feed_candidates(root, page.url, found.platform)
    feeds = await _probe(budget, candidates, shown)
    found = replace(found, feeds=tuple(feeds), requests=budget.used)
    feed = _choose(feeds, shown, page.url)
    if feed is not None:
        return await _with_feed(found, budget, feed)
    found = await _read_html(found, budget, page, listing)
    fallback = next((f for f in feeds if f.ok), None)
    if not found.usable and fallback is not None:
        # A feed that does not carry this page's articles still beats nothing.
        return await _with_feed(replace(found, problem=None, skipped=()), budget, fallback)
    return found


async def _with_feed(found: Discovery, budget: _Budget, feed: FeedFound) -> Discovery:
    """Return the discovery with the feed as its source, and its newest items as a poll
    stores them: a thin item (no photo or no summary) completed from its article page, whose
    lead and byline win over the feed's. Up to ARTICLES pages are read, on the feed's own
    host; a thin item whose page is not read is not shown (it would show less than it gets).
    """
    articles: list[Entry] = []
    skipped: list[tuple[str, str]] = []
    read = 0
    for entry in feed.entries:
        if len(articles) == FEED_ITEMS_SHOWN:
            break
        if needs_page(entry):
            own = host_of(entry.url) == host_of(feed.url)
            if not own or read == ARTICLES or not budget.left:
                continue
            read += 1
            try:
                fetched = await budget.fetch(entry.url, any_public_host=True)
                entry = completed(entry, parse_article(fetched.body, fetched.url, Selectors()))
            except (FetchError, ExtractError) as exc:
                skipped.append((entry.url, getattr(exc, "reason", None) or str(exc)))
                continue
        articles.append(entry)
    return replace(
        found,
        feed=feed,
        articles=tuple(articles),
        skipped=tuple(skipped),
        requests=budget.used,
    )


async def discover_pages(url: str, pages: Mapping[str, bytes | str]) -> Discovery:
    """Discover from pages held in memory, by absolute URL; any other URL answers 404.

    For tests and benchmarks: the same decisions as over HTTP, without a server.
    """
    held = {canonical_url(u): b.encode() if isinstance(b, str) else b for u, b in pages.items()}

    async def get(target: str, any_public_host: bool) -> FetchResult:
        # Like a server, a path answers whatever query it does not know (?redirect=...).
        body = held.get(canonical_url(target)) or held.get(canonical_url(target.split("?")[0]))
        if body is None:
            raise FetchError("HTTP 404")
        kind = "application/rss+xml" if _FEED_BODY.match(body[:4096]) else "text/html"
        return FetchResult(target, 200, False, body, kind, None, None, None)

    return await discover(url, get)


def _shown(page: FetchResult, listing: Listing | None) -> tuple[ListedArticle, ...]:
    """Return the articles a poll would find on the page, with what the listing shows of them."""
    polled = parse_listing(page.body, page.url, Selectors(item=listing and listing.item_css))
    seen = {canonical_url(i.url): i for i in (listing.items if listing else ())}
    return tuple(
        seen.get(canonical_url(i.url)) or ListedArticle(i.url, i.title, i.published)
        for i in polled
    )


async def _probe(
    budget: _Budget, candidates: Sequence[FeedCandidate], shown: Sequence[ListedArticle]
) -> list[FeedFound]:
    """Fetch and parse feed candidates, until one carries the page or guesses run out."""
    found: list[FeedFound] = []
    for candidate in candidates[:FEED_PROBES]:
        if not candidate.declared and any(_carries_page(f, shown) for f in found):
            break  # what the page declares carries it: no need to guess further
        if budget.left <= ARTICLES:
            break  # the articles still need reading if no feed is found
        try:
            fetched = await budget.fetch(candidate.url, any_public_host=True)
        except FetchError as exc:
            found.append(FeedFound(candidate.url, candidate.why, error=exc.reason))
            continue
        found.append(_as_feed(fetched, candidate.why, shown))
    return found


def _as_feed(fetched: FetchResult, why: str, shown: Sequence[ListedArticle]) -> FeedFound:
    """Return what a fetched candidate holds as a feed, matched against the page's articles."""
    try:
        entries = parse_feed(fetched.body, url=fetched.url, content_type=fetched.content_type)
    except FeedError as exc:
        return FeedFound(fetched.url, why, error=str(exc))
    if not entries:
        return FeedFound(fetched.url, why, error="a feed without items")
    urls = {canonical_url(e.url) for e in entries}
    titles = {fold(e.title) for e in entries}
    matches = sum(1 for i in shown if canonical_url(i.url) in urls or fold(i.title) in titles)
    return FeedFound(fetched.url, why, tuple(entries), matches)


def _carries_page(feed: FeedFound, shown: Sequence[ListedArticle]) -> bool:
    if not feed.ok:
        return False
    return len(shown) < _LISTING_MIN or feed.matches >= _GOOD_SHARE * len(shown)


def _choose(
    feeds: Sequence[FeedFound], shown: Sequence[ListedArticle], page_url: str
) -> FeedFound | None:
    """Return the feed that carries the page's articles best; the first if there is no listing.

    Ties go to the feed with fewer articles from elsewhere (a category's own feed over the
    site's), then to one under the page's path, then to the one the page names first.
    """
    usable = [f for f in feeds if f.ok]
    if not usable:
        return None
    if len(shown) < _LISTING_MIN:
        return usable[0]
    best = max(
        usable,
        key=lambda f: (f.matches, f.matches / len(f.entries), is_specific(f.url, page_url)),
    )
    return best if best.matches else None


async def _read_html(
    found: Discovery, budget: _Budget, page: FetchResult, listing: Listing | None
) -> Discovery:
    """Read the page as an HTML source: its listing, its next page, two articles."""
    root = parse_page(page.body)
    assert root is not None  # checked by the caller
    item_css = listing.item_css if listing else None
    date_css = listing.date_css if listing else None
    paging = find_next(root, page.body, page.url, item_css)
    next_url, next_css = paging if paging else (None, None)
    selectors = Selectors(item=item_css, item_date=date_css, next_page=next_css)
    items = parse_listing(page.body, page.url, selectors)
    found = replace(found, next_page=next_url, selectors=selectors, items=tuple(items))
    if not items:
        return replace(
            found,
            problem=f"no feed, and no links to articles on {page.url}: give the address of a "
            "news category of the portal",
        )
    shown = {canonical_url(i.url): i for i in (listing.items if listing else ())}
    pages, skipped = await _fetch_articles(budget, page.url, items, shown)
    fields = article_selectors(pages)
    selectors = replace(fields, item=item_css, item_date=date_css, next_page=next_css)
    id_pattern = infer_id_pattern([i.url for i in items])
    by_url = {canonical_url(i.url): i for i in items}
    articles = tuple(
        to_entry(
            parse_article(p.html, p.url, selectors),
            article_key(p.url, id_pattern),
            by_url.get(canonical_url(p.url)),
        )
        for p in pages
    )
    problem = None
    if not articles:
        why = f" ({skipped[0][1]})" if skipped else ""
        problem = f"the listing shows {len(items)} articles, but none could be read{why}"
    return replace(
        found,
        problem=problem,
        selectors=selectors,
        id_pattern=id_pattern,
        articles=articles,
        skipped=tuple(skipped),
        requests=budget.used,
    )


async def _fetch_articles(
    budget: _Budget,
    page_url: str,
    items: Sequence[ListingItem],
    shown: Mapping[str, ListedArticle],
) -> tuple[list[Page], list[tuple[str, str]]]:
    """Fetch up to ARTICLES readable article pages; return them and those skipped, and why."""
    pages: list[Page] = []
    skipped: list[tuple[str, str]] = []
    for item in _to_read(items, shown):
        if len(pages) == ARTICLES:
            break
        try:
            same_site = host_of(item.url) == host_of(page_url)
            fetched = await budget.fetch(item.url, any_public_host=same_site)
            parse_article(fetched.body, fetched.url, Selectors())  # HTML that can be read
        except (FetchError, ExtractError) as exc:
            skipped.append((item.url, getattr(exc, "reason", None) or str(exc)))
            continue
        listed = shown.get(canonical_url(item.url))
        listed = listed or ListedArticle(item.url, item.title, item.published)
        pages.append(Page(fetched.body, fetched.url, listed))
    return pages, skipped


def _to_read(
    items: Sequence[ListingItem], shown: Mapping[str, ListedArticle]
) -> list[ListingItem]:
    """Return the items to read first: the newest, then a story shown without a photo.

    A story without a photo is where defaults most often take a body paragraph for the lead.
    """
    if not items:
        return []
    first, rest = items[0], list(items[1:])
    bare = [i for i in rest if (s := shown.get(canonical_url(i.url))) and not s.thumbnail]
    if bare and any(s.thumbnail for s in shown.values()):
        rest.remove(bare[0])
        rest.insert(0, bare[0])
    return [first, *rest]
