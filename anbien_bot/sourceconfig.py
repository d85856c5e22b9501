"""The [[sources]] blocks of the configuration file: one place news comes from, each."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from .models import Selectors
from .tomlcheck import (
    ConfigError,
    category_key,
    check_keys,
    http_url,
    regex_with_one_group,
    typed,
)

SOURCE_TYPES = ("rss", "html")
MAX_PAGES = (1, 100)


@dataclass(frozen=True, slots=True)
class SourceConfig:
    """One place news comes from, mapped to one or more categories."""

    name: str
    url: str
    category: str
    type: str = "rss"
    extra_categories: tuple[str, ...] = ()
    urls: tuple[str, ...] = ()  # further listing pages of an HTML source
    max_pages: int = 1  # listing pages followed through selectors.next_page on each poll
    verify_tls: bool | str = True  # a CA bundle path for hosts with broken chains, or false
    times_are_local: bool = False  # the feed stamps Vietnam local times as GMT
    enrich: bool = True  # fetch the article page when a feed item lacks image or summary
    id_pattern: str | None = None  # regex with one group: the article id in its URL
    selectors: Selectors = field(default_factory=Selectors)
    urgent: bool = False  # every post of this source is urgent: no digest, no quiet hours
    allow_private: bool = False  # its hosts may be at private addresses (an intranet portal)

    @property
    def categories(self) -> tuple[str, ...]:
        """Return every category this source files its articles under."""
        return (self.category, *self.extra_categories)

    @property
    def listing_urls(self) -> tuple[str, ...]:
        """Return the first listing URL and any further ones."""
        return (self.url, *self.urls)


_SOURCE_SIMPLE = {
    "times_are_local": bool,
    "enrich": bool,
    "urgent": bool,
    "allow_private": bool,
}


def parse_sources(value: Any, known: Sequence[str]) -> tuple[SourceConfig, ...]:
    """Read the [[sources]] blocks; errors name a source by its name (by its place without)."""
    if not isinstance(value, list):
        raise ConfigError("sources", "must be written as [[sources]] blocks")
    result: list[SourceConfig] = []
    for i, table in enumerate(value):
        source = _source(table, _where(table, i), known)
        for earlier, other in enumerate(result, start=1):
            if other.name == source.name:
                problem = f"duplicate source name {source.name!r} (also block {earlier})"
                raise ConfigError(f"sources (block {i + 1}).name", problem)
            if other.url == source.url and other.type == source.type:
                problem = f"duplicate source URL {source.url!r} (also {other.name!r})"
                raise ConfigError(f'sources "{source.name}".url', problem)
        result.append(source)
    return tuple(result)


def _where(table: Any, index: int) -> str:
    """Name a [[sources]] block the way its author knows it: by its name, else its place."""
    name = table.get("name") if isinstance(table, dict) else None
    if isinstance(name, str) and name.strip():
        return f'sources "{name.strip()}"'
    return f"sources (block {index + 1})"


def _source(table: Any, where: str, known: Sequence[str]) -> SourceConfig:
    if not isinstance(table, dict):
        raise ConfigError(where, "must be a [[sources]] table")
    allowed = {f.name for f in fields(SourceConfig)} | {"categories"}
    check_keys(table, where, allowed)
    for required in ("name", "url", "category"):
        if required not in table:
            raise ConfigError(f"{where}.{required}", "is required")
    kind = typed(table.get("type", "rss"), str, f"{where}.type")
    if kind not in SOURCE_TYPES:
        raise ConfigError(f"{where}.type", f"must be one of {', '.join(SOURCE_TYPES)}")
    extra = table.get("categories", [])
    if not isinstance(extra, list):
        raise ConfigError(f"{where}.categories", "must be a list of category keys")
    urls = table.get("urls", [])
    if not isinstance(urls, list):
        raise ConfigError(f"{where}.urls", "must be a list of URLs")
    verify = table.get("verify_tls", True)
    if not isinstance(verify, bool):
        verify = typed(verify, str, f"{where}.verify_tls")
    id_pattern = table.get("id_pattern")
    if id_pattern is not None:
        id_pattern = regex_with_one_group(id_pattern, f"{where}.id_pattern")
    simple = {
        k: typed(table[k], kind_, f"{where}.{k}")
        for k, kind_ in _SOURCE_SIMPLE.items()
        if k in table
    }
    category = category_key(table["category"], f"{where}.category", known)
    return SourceConfig(
        name=typed(table["name"], str, f"{where}.name").strip(),
        url=http_url(table["url"], f"{where}.url"),
        category=category,
        type=kind,
        extra_categories=tuple(
            c
            for c in (category_key(c, f"{where}.categories", known) for c in extra)
            if c != category
        ),
        urls=tuple(http_url(u, f"{where}.urls") for u in urls),
        max_pages=typed(table.get("max_pages", 1), int, f"{where}.max_pages", MAX_PAGES),
        verify_tls=verify,
        id_pattern=id_pattern,
        selectors=_selectors(table.get("selectors", {}), f"{where}.selectors"),
        **simple,
    )


def _selectors(table: Any, where: str) -> Selectors:
    if not isinstance(table, dict):
        raise ConfigError(where, "must be a table of CSS selectors")
    check_keys(table, where, {f.name for f in fields(Selectors)})
    # Imported here so that reading a config for an RSS-only install stays light.
    from cssselect import SelectorSyntaxError
    from lxml.cssselect import CSSSelector

    values = {}
    for key, value in table.items():
        css = typed(value, str, f"{where}.{key}")
        try:
            CSSSelector(css)
        except SelectorSyntaxError as exc:
            raise ConfigError(f"{where}.{key}", f"not a valid CSS selector: {exc}") from None
        values[key] = css
    return Selectors(**values)
