"""Portal layouts kept as folders of pages, served by the fake portal as one site each.

Two kinds of folder are read. Discover's own (tests/data/discover) hold a ``site.toml``:
``start`` (the page given to discover), ``expect`` ("rss" or "html"), ``feed`` (the feed
discover must pick, for "rss"), ``[pages]`` (path with query -> file of the folder) and
``[[articles]]`` (what a poll of discover's block stores: title, published, lead (its first
words), image (a path, "" for none), key, and words the summary must not hold: ``not``);
``{base}`` in a file stands for the portal's address. The corpus of portal layouts
(tests/data/portals) holds a ``layout.toml`` (base, listings, feeds) and a
``NAME.expected.toml`` per article (``absent``: words no field may hold; ``misses``: fields
knowingly not found); discover starts from its first listing page.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.fake_portal import HTML, RSS, FakePortal

DATA = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Site:
    """One layout: its pages, where discovery starts and what it should bring."""

    folder: Path
    start: str
    expect: str
    pages: dict[str, str]
    articles: list[dict[str, Any]] = field(default_factory=list)
    feeds: tuple[str, ...] = ()  # the feeds discover may pick (paths), for "rss"
    base: str = "{base}"  # what stands for the portal's address in the files
    # Which articles a poll of each feed, or of the start page, brings (paths); none: all.
    carried: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.folder.name

    @property
    def feed(self) -> str | None:
        return self.feeds[0] if self.feeds else None

    def body(self, path: str, base: str) -> bytes:
        """Return the page at path with the portal's address filled in."""
        data = (self.folder / self.pages[path]).read_bytes()
        return data.replace(self.base.encode(), base.encode())

    def serve(self, portal: FakePortal) -> None:
        """Serve every page of the site on the portal."""
        base = portal.url("")
        for path, file in self.pages.items():
            kind = RSS if file.endswith((".xml", ".rss")) else HTML
            portal.serve(path, self.body(path, base), kind)

    def in_memory(self, base: str) -> dict[str, bytes]:
        """Return the pages by absolute URL, for discovering without a server."""
        return {base + path: self.body(path, base) for path in self.pages}

    def expected(self, source_path: str) -> list[dict[str, Any]]:
        """Return the articles a poll of the source at this path should store."""
        carried = self.carried.get(source_path)
        if carried is None:
            return self.articles
        # A listing may link an article with a query its own page does not need (?redirect=).
        known = {*carried, *(url.partition("?")[0] for url in carried)}
        return [a for a in self.articles if a.get("url") in known]


def load_site(folder: Path) -> Site:
    """Read a layout folder: discover's site.toml, or the corpus's layout.toml."""
    if not (folder / "site.toml").is_file():
        return _corpus_site(folder)
    raw = tomllib.loads((folder / "site.toml").read_text(encoding="utf-8"))
    return Site(
        folder=folder,
        start=raw["start"],
        expect=raw["expect"],
        pages=dict(raw["pages"]),
        articles=list(raw.get("articles", [])),
        feeds=(raw["feed"],) if "feed" in raw else (),
    )


def _corpus_site(folder: Path) -> Site:
    """Read a layout of the corpus of portal layouts as a site discover starts on."""
    spec = tomllib.loads((folder / "layout.toml").read_text(encoding="utf-8"))
    listings, feeds = spec.get("listings", []), spec.get("feeds", [])
    pages = {item["url"]: item["file"] for item in (*listings, *feeds)}
    articles = []
    for expected in sorted(folder.glob("*.expected.toml")):
        raw = tomllib.loads(expected.read_text(encoding="utf-8"))
        pages[raw["url"]] = expected.name.removesuffix(".expected.toml") + ".html"
        image = raw["image"].removeprefix(spec["base"]) if raw["image"] else ""
        articles.append({**raw, "image": image, "absent": raw.get("absent", [])})
    carried = {item["url"]: tuple(item["articles"]) for item in (*listings[:1], *feeds)}
    return Site(
        folder=folder,
        start=listings[0]["url"],
        expect="rss" if feeds else "html",
        pages=pages,
        articles=articles,
        feeds=tuple(item["url"] for item in feeds),
        base=spec["base"],
        carried=carried,
    )


def layout_folders(*roots: Path) -> list[Path]:
    """Return every layout folder (one holding a site.toml or layout.toml) under these roots."""
    return sorted(
        (
            folder
            for root in roots
            if root.is_dir()
            for folder in root.iterdir()
            if (folder / "site.toml").is_file() or (folder / "layout.toml").is_file()
        ),
        key=lambda folder: (folder.parent.name, folder.name),
    )


# The layouts discover is tried on: its own, and the corpus of portal layouts.
LAYOUTS = layout_folders(DATA / "discover", DATA / "portals")


def layout_id(folder: Path) -> str:
    """Return a layout's name in test ids: "discover/drupal", "portals/drupal"."""
    return f"{folder.parent.name}/{folder.name}"
