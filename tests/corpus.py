"""The corpus of portal layouts in tests/data/portals, and how well a reading of it scores.

One folder per layout (SharePoint, Drupal, WordPress, Liferay, DotNetNuke, Joomla, vendors'
portals), written by us from the structures those systems produce:

- ``layout.toml``: the site's base URL and platform, its listing pages (each with the article
  links and the next page the defaults must find), and its feeds if it has any;
- ``NAME.html`` and ``NAME.expected.toml`` per article page: title, published time, the lead's
  first words, main photo, author, attachments, words the body must hold and words that must
  appear in no field (``[misses]`` names a field knowingly not found, and why).

URLs in the TOML files are paths on the layout's base. Tests and ``benchmarks/corpus.py`` walk
``layouts()``; ``Layout.serve`` puts a layout on a loopback FakePortal with its base rewritten.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from anbien_bot.models import Attachment
from anbien_bot.sources.extract import ArticlePage
from anbien_bot.sources.listing import ListingItem
from anbien_bot.text.urls import absolute_url, canonical_url
from anbien_bot.text.vntext import clean_line

PORTALS = Path(__file__).parent / "data" / "portals"
ARTICLE_FIELDS = ("title", "published", "lead", "image", "author", "attachments", "body")
LISTING_FIELDS = ("links", "next")
_TYPES = {".html": "text/html; charset=utf-8", ".xml": "application/rss+xml; charset=utf-8"}


@dataclass(frozen=True)
class Expected:
    """What the defaults must read from one article page."""

    title: str
    published: datetime | None
    lead: str  # the lead's first words
    image: str | None  # absolute; None for a story with no photo
    author: str
    attachments: tuple[Attachment, ...]
    present: tuple[str, ...]  # the body holds each of these
    absent: tuple[str, ...]  # no field holds any of these
    misses: Mapping[str, str] = field(default_factory=dict)  # field -> why it is not found


@dataclass(frozen=True)
class ArticleCase:
    """One article page of a layout and what reading it must give."""

    layout: str
    name: str
    url: str  # absolute, on the layout's base
    path: str
    file: Path
    expected: Expected

    @property
    def id(self) -> str:
        return f"{self.layout}/{self.name}"

    @property
    def html(self) -> bytes:
        return self.file.read_bytes()


@dataclass(frozen=True)
class ListingCase:
    """One listing page of a layout, its article links in page order and its next page."""

    layout: str
    url: str
    path: str
    file: Path
    articles: tuple[str, ...]  # absolute URLs
    next_url: str | None

    @property
    def html(self) -> bytes:
        return self.file.read_bytes()


@dataclass(frozen=True)
class FeedCase:
    """A feed a layout serves (Drupal's /rss.xml, WordPress's /feed/) and the articles in it."""

    layout: str
    url: str
    path: str
    file: Path
    articles: tuple[str, ...]


@dataclass(frozen=True)
class Layout:
    """One portal layout of the corpus."""

    name: str
    base: str
    platform: str
    listings: tuple[ListingCase, ...]
    articles: tuple[ArticleCase, ...]
    feeds: tuple[FeedCase, ...]

    def pages(self) -> Iterable[tuple[str, Path]]:
        """Yield (path on the site, file) for every page and feed of the layout."""
        for case in (*self.listings, *self.articles, *self.feeds):
            yield case.path, case.file

    def serve(self, portal: Any) -> None:
        """Serve every page on a FakePortal, links to the layout's base pointing at the portal."""
        here = portal.url("")
        for path, file in self.pages():
            body = file.read_bytes().replace(self.base.encode(), here.encode())
            portal.serve(path, body, _TYPES[file.suffix])

    def on(self, portal: Any, url: str) -> str:
        """Return a URL of the layout as the FakePortal serving it answers it."""
        return portal.url("") + url.removeprefix(self.base) if url.startswith(self.base) else url


@cache
def layouts() -> tuple[Layout, ...]:
    """Return every layout of the corpus, by name."""
    return tuple(_layout(folder) for folder in sorted(PORTALS.iterdir()) if folder.is_dir())


def article_cases() -> list[ArticleCase]:
    """Return every article page of the corpus."""
    return [case for layout in layouts() for case in layout.articles]


def listing_cases() -> list[ListingCase]:
    """Return every listing page of the corpus."""
    return [case for layout in layouts() for case in layout.listings]


def _layout(folder: Path) -> Layout:
    spec = tomllib.loads((folder / "layout.toml").read_text(encoding="utf-8"))
    base = spec["base"]

    def url(path: str) -> str:
        return absolute_url(base + path) or base + path

    listings = tuple(
        ListingCase(
            layout=folder.name,
            url=url(item["url"]),
            path=item["url"],
            file=folder / item["file"],
            articles=tuple(url(a) for a in item["articles"]),
            next_url=url(item["next"]) if item["next"] else None,
        )
        for item in spec.get("listings", ())
    )
    feeds = tuple(
        FeedCase(
            layout=folder.name,
            url=url(item["url"]),
            path=item["url"],
            file=folder / item["file"],
            articles=tuple(url(a) for a in item["articles"]),
        )
        for item in spec.get("feeds", ())
    )
    articles = []
    for expected_file in sorted(folder.glob("*.expected.toml")):
        name = expected_file.name.removesuffix(".expected.toml")
        raw = tomllib.loads(expected_file.read_text(encoding="utf-8"))
        page_url = url(raw["url"])
        expected = Expected(
            title=raw["title"],
            published=raw.get("published"),
            lead=raw["lead"],
            image=absolute_url(raw["image"], page_url) if raw["image"] else None,
            author=raw["author"],
            attachments=tuple(
                Attachment(title=a["title"], url=absolute_url(a["url"], page_url) or a["url"])
                for a in raw["attachments"]
            ),
            present=tuple(raw["present"]),
            absent=tuple(raw["absent"]),
            misses=raw.get("misses", {}),
        )
        articles.append(
            ArticleCase(folder.name, name, page_url, raw["url"], folder / f"{name}.html", expected)
        )
    return Layout(
        name=folder.name,
        base=base,
        platform=spec["platform"],
        listings=listings,
        articles=tuple(articles),
        feeds=feeds,
    )


def check_article(page: ArticlePage, expected: Expected) -> dict[str, str | None]:
    """Return, per field, None if the page read it right, else what went wrong."""
    everything = " ".join((page.title, page.lead, page.body, page.author))
    body_missing = [p for p in expected.present if p not in page.body]
    leaked = [a for a in expected.absent if a in everything]
    lead = clean_line(page.lead)
    return {
        "title": _differ(clean_line(page.title), expected.title),
        "published": _differ(page.published, expected.published),
        "lead": None if lead.startswith(expected.lead) else f"{lead[:80]!r}",
        "image": _differ(page.image_url, expected.image),
        "author": _differ(page.author, expected.author),
        "attachments": _differ(page.attachments, expected.attachments),
        "body": (f"missing {body_missing}, leaked {leaked}" if body_missing or leaked else None),
    }


def check_listing(
    items: list[ListingItem], next_url: str | None, case: ListingCase
) -> dict[str, str | None]:
    """Return, per listing field (its links, its next page), None if right, else what is wrong."""
    found = [canonical_url(item.url) for item in items]
    wanted = [canonical_url(u) for u in case.articles]
    links = None
    if found != wanted:
        extra = [u for u in found if u not in wanted]
        lost = [u for u in wanted if u not in found]
        links = f"extra {extra}, lost {lost}" if extra or lost else "order differs"
    return {"links": links, "next": _differ(next_url, case.next_url)}


def _differ(found: Any, wanted: Any) -> str | None:
    return None if found == wanted else f"{found!r} (expected {wanted!r})"
