"""Portal layouts kept as folders of pages, served by the fake portal as one site each.

A folder holds a ``site.toml``: ``start`` (the page given to discover), ``expect`` ("rss" or
"html"), ``feed`` (the feed discover must pick, for "rss"), ``[pages]`` (path with query ->
file of the folder) and ``[[articles]]`` (what a poll of discover's block stores: title,
published, lead (its first words), image (a path, "" for none), key, and words that must
not appear in the summary: ``not``). ``{base}`` in a file stands for the portal's address.
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
    feed: str | None = None

    @property
    def name(self) -> str:
        return self.folder.name

    def body(self, path: str, base: str) -> bytes:
        """Return the page at path with the portal's address filled in."""
        text = (self.folder / self.pages[path]).read_text(encoding="utf-8")
        return text.replace("{base}", base).encode("utf-8")

    def serve(self, portal: FakePortal) -> None:
        """Serve every page of the site on the portal."""
        base = portal.url("")
        for path, file in self.pages.items():
            kind = RSS if file.endswith((".xml", ".rss")) else HTML
            portal.serve(path, self.body(path, base), kind)

    def in_memory(self, base: str) -> dict[str, bytes]:
        """Return the pages by absolute URL, for discovering without a server."""
        return {base + path: self.body(path, base) for path in self.pages}


def load_site(folder: Path) -> Site:
    """Read a layout folder's site.toml."""
    raw = tomllib.loads((folder / "site.toml").read_text(encoding="utf-8"))
    return Site(
        folder=folder,
        start=raw["start"],
        expect=raw["expect"],
        pages=dict(raw["pages"]),
        articles=list(raw.get("articles", [])),
        feed=raw.get("feed"),
    )


def layout_folders(*roots: Path) -> list[Path]:
    """Return every layout folder (one holding a site.toml) under these roots, by name."""
    return sorted(
        (folder for root in roots if root.is_dir() for folder in root.iterdir()),
        key=lambda folder: folder.name,
    )


# The layouts discover is tried on. tests/data/portals (the corpus of portal layouts) joins
# as soon as its folders carry a site.toml.
LAYOUTS = [
    folder
    for folder in layout_folders(DATA / "discover", DATA / "portals")
    if (folder / "site.toml").is_file()
]
