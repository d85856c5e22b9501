"""The [telegram] table of the configuration file: how the bot reaches Telegram (its token,
the Bot API's address, a webhook) and who runs it (admins, and channels that get every post)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

from .tomlcheck import ConfigError, bot_token, category_key, check_keys, http_url, typed

TOKEN_ENV = "ANBIEN_BOT_TOKEN"


DEFAULT_API_BASE_URL = "https://api.telegram.org/bot"


DEFAULT_API_FILE_URL = "https://api.telegram.org/file/bot"


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


def parse_telegram(
    table: dict[str, Any], environ: Mapping[str, str], known: Sequence[str]
) -> TelegramConfig:
    allowed = {f.name for f in fields(TelegramConfig)}
    check_keys(table, "telegram", allowed)
    from_env = environ.get(TOKEN_ENV, "").strip()
    if from_env:
        token = bot_token(from_env, TOKEN_ENV)
    else:
        token = bot_token(table.get("token", ""), "telegram.token")
    admins = table.get("admins", [])
    if not isinstance(admins, list) or not all(
        isinstance(a, int) and not isinstance(a, bool) for a in admins
    ):
        raise ConfigError("telegram.admins", "must be a list of numeric Telegram user ids")
    webhook = table.get("webhook_url")
    return TelegramConfig(
        token=token,
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
        webhook_port=typed(
            table.get("webhook_port", 8443), int, "telegram.webhook_port", (1, 65535)
        ),
    )


def _channels(value: Any, known: Sequence[str]) -> tuple[Channel, ...]:
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
                tuple(category_key(c, f"{key}.categories", known) for c in cats),
            )
        )
    return tuple(result)
