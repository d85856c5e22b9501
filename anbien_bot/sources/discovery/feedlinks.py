"""Where a portal page's feeds may be: declared, linked, or where its platform keeps them.

Only candidates: each is fetched and parsed before anyone calls it a feed. Declared feeds
(``<link rel="alternate" type="application/rss+xml">``) come first, then feed links on the
page, then the usual places of the platform the page looks built with: Drupal's
``/rss.xml`` and ``/taxonomy/term/{id}/feed``, WordPress's ``/feed/`` (and a category's own),
Joomla's ``?format=feed``; for an unknown platform ``/rss.xml``, ``/feed/`` and ``/rss``.
SharePoint list feeds (``listfeed.aspx?List=…``) need the list's id, so only a link finds them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from ...text.urls import absolute_url, canonical_url
from ...text.vntext import fold
from ..htmlpage import Element, find_links

_FEED_TYPES = re.compile(r"application/(?:rss|atom|rdf)\+xml", re.I)
_FEED_HREF = re.compile(
    r"(?:\.rss|\.atom|/rss\.xml|/atom\.xml|/feeds?/?|/rss/?)$|/rss/|listfeed\.aspx|[?&]format=feed",
    re.I,
)
_COMMENTS = re.compile(r"/comments?/|comment|bình luận|phản hồi", re.I)
_TERM = re.compile(r"/taxonomy/term/(\d+)(?:/|$)")
_LINKED_MAX = 4
_TERMS_MAX = 2

# How a page tells what built it: its generator, or paths only that platform uses.
_PLATFORMS = (
    ("Drupal", re.compile(r'content="Drupal|/sites/default/files/|drupal-settings-json', re.I)),
    ("WordPress", re.compile(r'content="WordPress|/wp-content/|/wp-json/', re.I)),
    ("SharePoint", re.compile(r"/_layouts/|PublishingImages|SharePoint", re.I)),
    ("Liferay", re.compile(r"/-/asset_publisher/|Liferay", re.I)),
    ("Joomla", re.compile(r'content="Joomla|option=com_|/media/jui/', re.I)),
    ("DotNetNuke", re.compile(r"/tabid/\d+|DotNetNuke|/Portals/\d+/", re.I)),
)


@dataclass(frozen=True)
class FeedCandidate:
    """A URL that may hold a feed, and why it was thought to."""

    url: str
    why: str
    declared: bool = False  # the page itself names it as its feed


def platform_of(html: str) -> str | None:
    """Return the portal platform a page looks built with, if it says."""
    return next((name for name, sign in _PLATFORMS if sign.search(html)), None)


def feed_candidates(root: Element, page_url: str, platform: str | None) -> list[FeedCandidate]:
    """Return the places to look for the page's feeds, the most likely first, each once."""
    found = _declared(root, page_url) + _linked(root, page_url)
    found += _platform_places(root, page_url, platform)
    unique: dict[str, FeedCandidate] = {}
    here = canonical_url(page_url)
    for candidate in found:
        key = canonical_url(candidate.url)
        if key and key != here and key not in unique:
            unique[key] = candidate
    return list(unique.values())


def _declared(root: Element, page_url: str) -> list[FeedCandidate]:
    """Return the feeds the page declares in its head, comment feeds left out."""
    found = []
    for link in root.iter("link"):
        rels = link.get("rel", "").lower().split()
        if "alternate" not in rels or not _FEED_TYPES.fullmatch(link.get("type", "").strip()):
            continue
        url = absolute_url(link.get("href"), page_url)
        title = link.get("title", "")
        if url and not _COMMENTS.search(f"{url} {title}"):
            found.append(FeedCandidate(url, "declared by the page", declared=True))
    return found


def _linked(root: Element, page_url: str) -> list[FeedCandidate]:
    """Return links on the page that look like feeds (an RSS icon, a feeds page)."""
    found = []
    for a in find_links(root):
        url = absolute_url(a.get("href"), page_url)
        path = urlsplit(url).path + _query(url) if url else ""
        if url and _FEED_HREF.search(path) and not _COMMENTS.search(url):
            found.append(FeedCandidate(url, "linked from the page"))
        if len(found) == _LINKED_MAX:
            break
    return found


def _platform_places(root: Element, page_url: str, platform: str | None) -> list[FeedCandidate]:
    """Return where the page's platform usually keeps feeds."""
    site = _origin(page_url)
    path = urlsplit(page_url).path
    if platform == "Drupal":
        return [*_drupal_terms(root, page_url), FeedCandidate(f"{site}/rss.xml", "Drupal's feed")]
    if platform == "WordPress":
        own = []
        if path.strip("/"):
            own.append(FeedCandidate(f"{site}{path.rstrip('/')}/feed/", "WordPress's feed"))
        return [*own, FeedCandidate(f"{site}/feed/", "WordPress's site feed")]
    if platform == "Joomla":
        plain = urlunsplit(urlsplit(page_url)._replace(query="", fragment=""))
        return [FeedCandidate(f"{plain}?format=feed&type=rss", "Joomla's feed")]
    if platform is None:
        return [
            FeedCandidate(f"{site}/rss.xml", "a usual place"),
            FeedCandidate(f"{site}/feed/", "a usual place"),
            FeedCandidate(f"{site}/rss", "a usual place"),
        ]
    return []


def _drupal_terms(root: Element, page_url: str) -> list[FeedCandidate]:
    """Return the feeds of the taxonomy terms the page is (its shortlink) or links to."""
    hrefs = [
        link.get("href", "") for link in root.iter("link") if "shortlink" in link.get("rel", "")
    ]
    hrefs += [page_url] + [a.get("href", "") for a in find_links(root)]
    terms: list[str] = []
    for href in hrefs:
        match = _TERM.search(href)
        if match and match[1] not in terms:
            terms.append(match[1])
    site = _origin(page_url)
    return [
        FeedCandidate(f"{site}/taxonomy/term/{term}/feed", "Drupal's feed of the page's term")
        for term in terms[:_TERMS_MAX]
    ]


def _origin(url: str) -> str:
    """Return scheme and host (with port) of url."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _query(url: str) -> str:
    query = urlsplit(url).query
    return f"?{query}" if query else ""


def is_specific(feed_url: str, page_url: str) -> bool:
    """Tell whether a feed's path lies under the page's (a category's own feed)."""
    page = fold(urlsplit(page_url).path.rstrip("/"))
    return bool(page) and fold(urlsplit(feed_url).path).startswith(page + "/")
