"""The configuration file: found, read once into frozen dataclasses and checked key by key."""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from importlib.resources import files
from pathlib import Path
from typing import Any

from .serviceconfig import (
    ArchiveConfig,
    FeedsConfig,
    MetricsConfig,
    RetentionConfig,
    parse_feeds,
    parse_retention,
)
from .sourceconfig import SourceConfig, parse_sources
from .telegramconfig import TelegramConfig, parse_telegram
from .telegraphconfig import TelegraphConfig, parse_telegraph
from .texts import Lang
from .tomlcheck import (
    ConfigError,  # re-exported: callers catch config errors from here
    bounded,
    category_key,
    check_keys,
    simple_table,
    typed,
)

_CATEGORY_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,31}$")
HOUR, DAY, MB = 3600, 86400, 1024 * 1024


@dataclass(frozen=True, slots=True)
class StorageConfig:
    """Where the SQLite database lives."""

    database: Path = Path("anbien.sqlite3")


@dataclass(frozen=True, slots=True)
class PollingConfig:
    """How often and how politely sources are read."""

    interval_seconds: float = bounded(600, 1, DAY)
    jitter_seconds: float = bounded(10, 0, HOUR)
    timeout_seconds: float = bounded(30, 1, 300)
    max_body_bytes: int = bounded(5 * MB, 64 * 1024, 100 * MB)
    # Photos: camera JPEGs and scans run larger than pages.
    max_image_bytes: int = bounded(25 * MB, 1 * MB, 200 * MB)
    max_redirects: int = bounded(5, 0, 20)
    per_host_requests: int = bounded(2, 1, 16)
    page_delay_seconds: float = bounded(1.0, 0, 60)
    max_backoff_seconds: float = bounded(6 * HOUR, 1, 7 * DAY)
    announce_first_poll: bool = False  # False: a new source's current items are only recorded
    # Failures in a row before the admins hear of it; 0: never.
    alert_after_failures: int = bounded(3, 0, 1000)
    user_agent: str = "anbien-bot/0.1 (+https://github.com/anbien-bot)"


@dataclass(frozen=True, slots=True)
class DeliveryConfig:
    """How fast and how hard the sender pushes posts to Telegram."""

    messages_per_second: float = bounded(30, 0, 1000)  # 0: no overall limit
    private_interval_seconds: float = bounded(1.0, 0, HOUR)
    group_interval_seconds: float = bounded(3.0, 0, HOUR)
    max_attempts: int = bounded(6, 1, 100)
    # More new posts than this for one chat in one poll → one list; 0: off.
    collapse_after: int = bounded(0, 0, 1000)
    concurrency: int = bounded(8, 1, 100)


@dataclass(frozen=True, slots=True)
class BotConfig:
    """How the bot introduces itself to residents."""

    portal_name: str = "Cổng thông tin điện tử huyện An Biên"
    portal_name_en: str = "An Biên district e-portal"

    def portal(self, lang: Lang) -> str:
        """Return the name of the portal the bot speaks for, in the reader's language."""
        return self.portal_name_en if lang == "en" else self.portal_name


@dataclass(frozen=True, slots=True)
class Category:
    """A category residents subscribe to: a short ASCII key and the name they read."""

    key: str
    name: str


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
    bot: BotConfig = field(default_factory=BotConfig)
    metrics: MetricsConfig = field(default_factory=MetricsConfig)
    retention: RetentionConfig = field(default_factory=RetentionConfig)
    feeds: FeedsConfig = field(default_factory=FeedsConfig)
    telegraph: TelegraphConfig | None = None  # None: no [telegraph], nothing published
    archive: ArchiveConfig = field(default_factory=ArchiveConfig)

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
        {"telegram", "storage", "polling", "delivery", "categories", "sources", "urgent", "bot"}
        | {"metrics", "retention", "feeds", "telegraph", "archive"},
    )
    categories = _categories(_table(raw, "categories"))
    keys = tuple(c.key for c in categories)
    storage = simple_table(StorageConfig, _table(raw, "storage"), "storage")
    database = storage.database if storage.database.is_absolute() else base / storage.database
    telegram = parse_telegram(_table(raw, "telegram"), environ, keys)
    bot = _bot(_table(raw, "bot"))
    archive = simple_table(ArchiveConfig, _table(raw, "archive"), "archive")
    return Config(
        telegram=telegram,
        storage=StorageConfig(database=database),
        polling=simple_table(PollingConfig, _table(raw, "polling"), "polling"),
        delivery=simple_table(DeliveryConfig, _table(raw, "delivery"), "delivery"),
        categories=categories,
        sources=parse_sources(raw.get("sources", []), keys),
        urgent=_urgent(_table(raw, "urgent"), keys),
        bot=bot,
        metrics=_metrics(_table(raw, "metrics"), telegram),
        retention=parse_retention(_table(raw, "retention")),
        feeds=parse_feeds(_table(raw, "feeds")),
        telegraph=parse_telegraph(raw.get("telegraph"), environ, bot.portal_name),
        archive=replace(archive, files_dir=database.parent / archive.files_dir),
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


def _urgent(table: dict[str, Any], known: Sequence[str]) -> UrgentConfig:
    """Read [urgent]: categories whose posts are urgent, and words that make a title urgent."""
    check_keys(table, "urgent", {"categories", "words"})
    cats, words = table.get("categories", []), table.get("words", list(DEFAULT_URGENT_WORDS))
    if not isinstance(cats, list):
        raise ConfigError("urgent.categories", "must be a list of category keys")
    if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
        raise ConfigError("urgent.words", "must be a list of words or phrases in quotes")
    return UrgentConfig(
        categories=tuple(category_key(c, "urgent.categories", known) for c in cats),
        words=tuple(w.strip() for w in words),
    )


def _bot(table: dict[str, Any]) -> BotConfig:
    """Read [bot]; an English name defaults to the configured name, else to ours."""
    check_keys(table, "bot", {"portal_name", "portal_name_en"})
    if "portal_name" not in table:
        return BotConfig(**{k: typed(v, str, f"bot.{k}").strip() for k, v in table.items()})
    name = typed(table["portal_name"], str, "bot.portal_name").strip()
    english = typed(table.get("portal_name_en", name), str, "bot.portal_name_en").strip()
    return BotConfig(portal_name=name, portal_name_en=english)


def _metrics(table: dict[str, Any], telegram: TelegramConfig) -> MetricsConfig:
    """Read [metrics]; its port must not be the one the webhook listens on."""
    metrics = simple_table(MetricsConfig, table, "metrics")
    if (
        metrics.enabled
        and telegram.webhook_url
        and (metrics.listen, metrics.port) == (telegram.webhook_listen, telegram.webhook_port)
    ):
        raise ConfigError("metrics.port", f"{metrics.port} is telegram.webhook_port already")
    return metrics


def _config_places(environ: Mapping[str, str] | None = None) -> tuple[Path, ...]:
    """Return where a config file is looked for without --config, in order."""
    environ = os.environ if environ is None else environ
    xdg = environ.get("XDG_CONFIG_HOME", "")
    # The XDG spec says a relative XDG_CONFIG_HOME is invalid and must be ignored.
    if xdg and Path(xdg).is_absolute():
        user = Path(xdg)
    else:
        user = Path(environ["HOME"] if environ.get("HOME") else Path.home()) / ".config"
    return (
        Path("config.toml"),
        user / "anbien-bot" / "config.toml",
        Path("/etc/anbien-bot/config.toml"),
    )


def find_config(environ: Mapping[str, str] | None = None) -> Path:
    """Return the first config file that exists; raise ConfigError naming where it looked."""
    places = _config_places(environ)
    for place in places:
        if place.is_file():
            return place.absolute()
    looked = ", ".join(f"./{p}" if not p.is_absolute() else str(p) for p in places)
    raise ConfigError(
        "",
        f"no config file (looked for {looked}): write one with `anbien-bot init`, "
        "or name one with --config",
    )


def starter_config() -> str:
    """Return the commented starter configuration that `anbien-bot init` writes."""
    return files(__package__).joinpath("config.example.toml").read_text(encoding="utf-8")


def check_storage(config: Config) -> None:
    """Refuse a database whose directory is missing, rather than creating it unasked, and a
    files directory that is a file."""
    database = config.storage.database
    if database.is_dir():
        raise ConfigError("storage.database", f"{database} is a directory, not a file")
    if not database.parent.is_dir():
        raise ConfigError(
            "storage.database",
            f"the directory {database.parent} does not exist "
            f"(create it: mkdir -p {database.parent}, or change the path)",
        )
    files = config.archive.files_dir
    if files.exists() and not files.is_dir():
        raise ConfigError("archive.files_dir", f"{files} is a file, not a directory")


def config_warnings(config: Config) -> list[str]:
    """Return what is allowed but probably a mistake, one line each."""
    warnings = []
    if not config.sources:
        warnings.append(
            "sources: no [[sources]] configured: the bot serves residents and broadcasts, "
            "but fetches no news"
        )
    if config.telegraph is not None and not config.telegraph.enabled:
        warnings.append(
            "telegraph: no access token (set ANBIEN_TELEGRAPH_TOKEN or telegraph.access_token; "
            "`anbien-bot telegraph-account NAME` creates one): nothing is published"
        )
    return warnings
