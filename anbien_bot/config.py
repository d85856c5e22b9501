"""The configuration file, read once into frozen dataclasses and checked key by key."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .models import Selectors
from .tomlcheck import (
    ConfigError,  # re-exported: callers catch config errors from here
    check_keys,
    http_url,
    regex_with_one_group,
    simple_table,
    typed,
)

TOKEN_ENV = "ANBIEN_BOT_TOKEN"
DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"
DEFAULT_API_FILE_URL = "https://api.telegram.org/file/bot"
SOURCE_TYPES = ("rss", "html")
_CATEGORY_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")


@dataclass(frozen=True, slots=True)
class Channel:
    """A chat (channel or group) that receives every post of its categories without asking."""

    chat_id: int
    categories: tuple[str, ...]  # empty means every category


@dataclass(frozen=True, slots=True)
class TelegramConfig:
    """How the bot reaches Telegram and who runs it."""

    token: str
    api_base_url: str = DEFAULT_API_BASE_URL
    api_file_url: str = DEFAULT_API_FILE_URL
    admins: tuple[int, ...] = ()
    channels: tuple[Channel, ...] = ()
    webhook_url: str | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443

    def __repr__(self) -> str:
        # The token must never reach a log line or a traceback through repr().
        return f"TelegramConfig(api_base_url={self.api_base_url!r}, admins={self.admins!r})"


@dataclass(frozen=True, slots=True)
class StorageConfig:
    """Where the SQLite database lives."""

    database: Path = Path("anbien.sqlite3")


@dataclass(frozen=True, slots=True)
class PollingConfig:
    """How often and how politely sources are read."""

    interval_seconds: float = 600
    jitter_seconds: float = 10
    timeout_seconds: float = 30
    max_body_bytes: int = 5 * 1024 * 1024
    max_image_bytes: int = 25 * 1024 * 1024  # photos: camera JPEGs and scans run larger
    max_redirects: int = 5
    per_host_requests: int = 2
    page_delay_seconds: float = 1.0
    max_backoff_seconds: float = 6 * 3600
    announce_first_poll: bool = False  # False: a new source's current items are only recorded
    alert_after_failures: int = 3  # failures in a row before the admins hear of it; 0: never
    user_agent: str = "anbien-bot/0.1 (+https://github.com/anbien-bot)"


@dataclass(frozen=True, slots=True)
class DeliveryConfig:
    """How fast and how hard the sender pushes posts to Telegram."""

    messages_per_second: float = 30
    private_interval_seconds: float = 1.0
    group_interval_seconds: float = 3.0
    max_attempts: int = 6
    collapse_after: int = 0  # more new posts than this for one chat in one poll → one list; 0: off
    concurrency: int = 8


@dataclass(frozen=True, slots=True)
class Category:
    """A category residents subscribe to: a short ASCII key and the name they read."""

    key: str
    name: str


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


# Folded like search (see alerts.py); looked for in titles.
DEFAULT_URGENT_WORDS = (
    "bão",
    "áp thấp nhiệt đới",
    "triều cường",
    "sạt lở",
    "khẩn cấp",
    "lũ",
    "cháy",
)


@dataclass(frozen=True, slots=True)
class UrgentConfig:
    """What makes a post urgent besides its source: categories, and words in its title."""

    categories: tuple[str, ...] = ()
    words: tuple[str, ...] = DEFAULT_URGENT_WORDS


@dataclass(frozen=True, slots=True)
class Config:
    """The whole configuration."""

    telegram: TelegramConfig
    storage: StorageConfig
    polling: PollingConfig
    delivery: DeliveryConfig
    categories: tuple[Category, ...]
    sources: tuple[SourceConfig, ...]
    urgent: UrgentConfig = field(default_factory=UrgentConfig)

    @property
    def category_names(self) -> dict[str, str]:
        """Return category display names by key, in the configured order."""
        return {c.key: c.name for c in self.categories}

    def source(self, name: str) -> SourceConfig:
        """Return the source with this name, or raise KeyError."""
        for source in self.sources:
            if source.name == name:
                return source
        raise KeyError(name)


def load_config(path: str | Path, environ: Mapping[str, str] | None = None) -> Config:
    """Read and check the configuration file; raise ConfigError naming the first bad key."""
    environ = os.environ if environ is None else environ
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError("", f"config file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError("", f"cannot read config file {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("", f"TOML syntax error in {path}: {exc}") from None
    return parse_config(raw, environ, base=path.parent)


def parse_config(raw: dict[str, Any], environ: Mapping[str, str], base: Path) -> Config:
    """Build a Config from parsed TOML; relative paths are taken from ``base``."""
    check_keys(
        raw,
        "",
        {"telegram", "storage", "polling", "delivery", "categories", "sources", "urgent"},
    )
    categories = _categories(_table(raw, "categories"))
    keys = {c.key for c in categories}
    storage = simple_table(StorageConfig, _table(raw, "storage"), "storage")
    database = storage.database if storage.database.is_absolute() else base / storage.database
    return Config(
        telegram=_telegram(_table(raw, "telegram"), environ, keys),
        storage=StorageConfig(database=database),
        polling=simple_table(PollingConfig, _table(raw, "polling"), "polling"),
        delivery=simple_table(DeliveryConfig, _table(raw, "delivery"), "delivery"),
        categories=categories,
        sources=_sources(raw.get("sources", []), keys),
        urgent=_urgent(_table(raw, "urgent"), keys),
    )


def _table(raw: dict[str, Any], key: str) -> dict[str, Any]:
    value = raw.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(key, "must be a table, like [" + key + "]")
    return value


def _categories(table: dict[str, Any]) -> tuple[Category, ...]:
    if not table:
        raise ConfigError("categories", "at least one category is needed")
    result = []
    for key, name in table.items():
        if not _CATEGORY_KEY.match(key):
            raise ConfigError(
                f"categories.{key}", "key must be short lower-case ASCII (a-z, 0-9, - and _)"
            )
        result.append(Category(key, typed(name, str, f"categories.{key}").strip()))
    return tuple(result)


def _urgent(table: dict[str, Any], known: set[str]) -> UrgentConfig:
    """Read [urgent]: categories whose posts are urgent, and words that make a title urgent."""
    check_keys(table, "urgent", {"categories", "words"})
    cats, words = table.get("categories", []), table.get("words", list(DEFAULT_URGENT_WORDS))
    if not isinstance(cats, list):
        raise ConfigError("urgent.categories", "must be a list of category keys")
    if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
        raise ConfigError("urgent.words", "must be a list of words or phrases in quotes")
    return UrgentConfig(
        categories=tuple(_category(c, "urgent.categories", known) for c in cats),
        words=tuple(w.strip() for w in words),
    )


def _category(value: Any, key: str, known: set[str]) -> str:
    category = typed(value, str, key)
    if category not in known:
        raise ConfigError(key, f"unknown category {category!r} (not a key of [categories])")
    return category


def _telegram(
    table: dict[str, Any], environ: Mapping[str, str], known: set[str]
) -> TelegramConfig:
    allowed = {f.name for f in fields(TelegramConfig)}
    check_keys(table, "telegram", allowed)
    token = environ.get(TOKEN_ENV, "").strip() or table.get("token", "")
    if not isinstance(token, str):
        raise ConfigError("telegram.token", "must be a text in quotes")
    admins = table.get("admins", [])
    if not isinstance(admins, list) or not all(
        isinstance(a, int) and not isinstance(a, bool) for a in admins
    ):
        raise ConfigError("telegram.admins", "must be a list of numeric Telegram user ids")
    webhook = table.get("webhook_url")
    return TelegramConfig(
        token=token.strip(),
        api_base_url=http_url(
            table.get("api_base_url", DEFAULT_API_BASE_URL), "telegram.api_base_url"
        ),
        api_file_url=http_url(
            table.get("api_file_url", DEFAULT_API_FILE_URL), "telegram.api_file_url"
        ),
        admins=tuple(admins),
        channels=_channels(table.get("channels", []), known),
        webhook_url=None if webhook is None else http_url(webhook, "telegram.webhook_url"),
        webhook_listen=typed(
            table.get("webhook_listen", "127.0.0.1"), str, "telegram.webhook_listen"
        ),
        webhook_port=typed(table.get("webhook_port", 8443), int, "telegram.webhook_port"),
    )


def _channels(value: Any, known: set[str]) -> tuple[Channel, ...]:
    """Read channels given as ids, or as tables with chat_id and categories."""
    if not isinstance(value, list):
        raise ConfigError("telegram.channels", "must be a list")
    result = []
    for i, item in enumerate(value):
        key = f"telegram.channels[{i}]"
        if isinstance(item, int) and not isinstance(item, bool):
            result.append(Channel(item, ()))
            continue
        if not isinstance(item, dict):
            raise ConfigError(key, "must be a chat id or {chat_id = ..., categories = [...]}")
        check_keys(item, key, {"chat_id", "categories"})
        if "chat_id" not in item:
            raise ConfigError(f"{key}.chat_id", "is required")
        cats = item.get("categories", [])
        if not isinstance(cats, list):
            raise ConfigError(f"{key}.categories", "must be a list of category keys")
        result.append(
            Channel(
                typed(item["chat_id"], int, f"{key}.chat_id"),
                tuple(_category(c, f"{key}.categories", known) for c in cats),
            )
        )
    return tuple(result)


_SOURCE_SIMPLE = {
    "max_pages": int,
    "times_are_local": bool,
    "enrich": bool,
    "urgent": bool,
    "allow_private": bool,
}


def _sources(value: Any, known: set[str]) -> tuple[SourceConfig, ...]:
    if not isinstance(value, list):
        raise ConfigError("sources", "must be written as [[sources]] blocks")
    result: list[SourceConfig] = []
    names: set[str] = set()
    for i, table in enumerate(value):
        source = _source(table, f"sources[{i}]", known)
        if source.name in names:
            raise ConfigError(f"sources[{i}].name", f"duplicate source name {source.name!r}")
        if any(s.url == source.url and s.type == source.type for s in result):
            raise ConfigError(f"sources[{i}].url", f"duplicate source URL {source.url!r}")
        names.add(source.name)
        result.append(source)
    return tuple(result)


def _source(table: Any, where: str, known: set[str]) -> SourceConfig:
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
    if simple.get("max_pages", 1) < 1:
        raise ConfigError(f"{where}.max_pages", "must be at least 1")
    category = _category(table["category"], f"{where}.category", known)
    return SourceConfig(
        name=typed(table["name"], str, f"{where}.name").strip(),
        url=http_url(table["url"], f"{where}.url"),
        category=category,
        type=kind,
        extra_categories=tuple(
            c for c in (_category(c, f"{where}.categories", known) for c in extra) if c != category
        ),
        urls=tuple(http_url(u, f"{where}.urls") for u in urls),
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
