"""The optional tables of the bot's own services: its HTTP port ([metrics], and the Atom
[feeds] served on it), the archive's files and link checks ([archive]), and how long
deliveries are kept ([retention]). Absent, each has its defaults."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .tomlcheck import ConfigError, bounded, http_url, simple_table

MB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class MetricsConfig:
    """Where the bot answers /metrics (Prometheus) and /healthz; off unless a port is set."""

    listen: str = "127.0.0.1"
    port: int = bounded(0, 0, 65535)  # 0: off

    @property
    def enabled(self) -> bool:
        """Return whether the metrics and health port is to be opened."""
        return self.port != 0


@dataclass(frozen=True, slots=True)
class FeedsConfig:
    """The archive's Atom feeds, served on the metrics port when it is open."""

    enabled: bool = True
    entries: int = bounded(50, 1, 500)  # the newest articles in each feed
    base_url: str | None = None  # the public address the port is reached at, for self links


def parse_feeds(table: dict[str, Any]) -> FeedsConfig:
    """Read [feeds]; base_url is the address /feeds/ is reached at from outside."""
    base = table.get("base_url")
    feeds = simple_table(FeedsConfig, {k: v for k, v in table.items() if k != "base_url"}, "feeds")
    if base is None:
        return feeds
    return replace(feeds, base_url=http_url(base, "feeds.base_url").rstrip("/"))


@dataclass(frozen=True, slots=True)
class ArchiveConfig:
    """The archive residents read from once the portal's pages are gone: attached PDFs kept
    in a directory of files outside the database, and how long a link check holds."""

    max_file_bytes: int = bounded(20 * MB, 0, 200 * MB)  # 0: keep the links only
    files_dir: Path = Path("files")  # relative: from the database's directory
    # How long a check of an article's original page (alive, or gone: 404/410, no host) holds.
    link_check_hours: float = bounded(24, 1, 30 * 24)


@dataclass(frozen=True, slots=True)
class RetentionConfig:
    """How long outbox rows are kept before retention folds them into daily totals."""

    # /stats counts the last 7 days from the rows themselves: 7 is the least.
    settled_days: int = bounded(8, 7, 3650)  # sent, blocked and cancelled rows
    failed_days: int = bounded(90, 7, 3650)  # kept longer, for the admins to look into


def parse_retention(table: dict[str, Any]) -> RetentionConfig:
    """Read [retention]; failed rows are never dropped before the others."""
    retention = simple_table(RetentionConfig, table, "retention")
    if retention.failed_days < retention.settled_days:
        raise ConfigError(
            "retention.failed_days",
            f"must be at least settled_days ({retention.settled_days}): failed deliveries are "
            "kept longer, for the admins",
        )
    return retention
