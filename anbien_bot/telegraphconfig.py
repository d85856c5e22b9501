"""The [telegraph] table of the configuration file: publishing articles as Telegraph pages.

Absent, nothing is published. Present without an access token (neither in the file nor in
ANBIEN_TELEGRAPH_TOKEN), nothing is published either and check-config says so: that is how an
admin starts, before `anbien-bot telegraph-account` gives them a token.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from .tomlcheck import ConfigError, bounded, http_url, secret_token, simple_table, typed

TELEGRAPH_TOKEN_ENV = "ANBIEN_TELEGRAPH_TOKEN"
DEFAULT_TELEGRAPH_API = "https://api.telegra.ph"
HOUR, DAY = 3600, 86400
# What createAccount gives: 60 hex digits today; letters, digits, - and _ allowed.
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{8,200}$")
_AUTHOR_NAME, _AUTHOR_URL = 128, 512  # Telegraph's own limits


@dataclass(frozen=True, slots=True)
class TelegraphConfig:
    """How the bot publishes its articles on Telegraph; on only with an access token."""

    access_token: str = ""
    author_name: str = ""  # "": the portal's name ([bot] portal_name)
    author_url: str = ""
    api_url: str = DEFAULT_TELEGRAPH_API
    # How often the bot looks for articles without a page; a run publishes all it finds.
    publish_interval_seconds: float = bounded(300, 10, DAY)
    page_interval_seconds: float = bounded(3.0, 0, HOUR)  # between two pages
    # A FLOOD_WAIT longer than this ends the run; the next run waits it out.
    max_flood_wait_seconds: float = bounded(300, 1, DAY)
    # An article Telegraph refused is tried again after the interval, twice as long each time
    # up to this; so is the whole run after Telegraph could not be reached.
    max_retry_seconds: float = bounded(DAY, 60, 30 * DAY)

    @property
    def enabled(self) -> bool:
        """Return whether pages are to be published (an access token is set)."""
        return bool(self.access_token)

    def __repr__(self) -> str:
        # The token must never reach a log line or a traceback through repr().
        return f"TelegraphConfig(api_url={self.api_url!r}, enabled={self.enabled})"


def parse_telegraph(
    table: Any, environ: Mapping[str, str], portal_name: str
) -> TelegraphConfig | None:
    """Read [telegraph] (None when absent); the environment's token wins over the file's."""
    if table is None:
        return None
    if not isinstance(table, dict):
        raise ConfigError("telegraph", "must be a table, like [telegraph]")
    strings = {"access_token", "author_name", "author_url", "api_url"}
    numbers = {k: v for k, v in table.items() if k not in strings}
    config = simple_table(TelegraphConfig, numbers, "telegraph")
    from_env = environ.get(TELEGRAPH_TOKEN_ENV, "").strip()
    if from_env:
        token = _token(from_env, TELEGRAPH_TOKEN_ENV)
    else:
        token = _token(table.get("access_token", ""), "telegraph.access_token")
    author = _text(table.get("author_name", ""), "telegraph.author_name", _AUTHOR_NAME)
    author_url = table.get("author_url", "")
    if author_url:
        author_url = http_url(author_url, "telegraph.author_url")
        if len(author_url) > _AUTHOR_URL:
            raise ConfigError("telegraph.author_url", f"at most {_AUTHOR_URL} characters")
    return replace(
        config,
        access_token=token,
        author_name=author or portal_name[:_AUTHOR_NAME],
        author_url=author_url,
        api_url=http_url(table.get("api_url", DEFAULT_TELEGRAPH_API), "telegraph.api_url"),
    )


def describe_telegraph(config: TelegraphConfig | None) -> str:
    """Return check-config's line about Telegraph (never the token)."""
    if config is None:
        return "telegraph: off"
    if not config.enabled:
        return "telegraph: off (no access token)"
    return f"telegraph: publishing as {config.author_name!r} through {config.api_url} (token set)"


def _token(value: Any, key: str) -> str:
    """Return value as an access token (or "" for none), never quoting it in an error."""
    return secret_token(
        value,
        key,
        _TOKEN,
        "this is not a Telegraph access token: `anbien-bot telegraph-account` gives one "
        "(letters and digits, with no quotes or spaces inside)",
    )


def _text(value: Any, key: str, most: int) -> str:
    if value == "":
        return ""
    text = typed(value, str, key).strip()
    if len(text) > most:
        raise ConfigError(key, f"at most {most} characters")
    return text
