"""Webhook mode: updates arrive at the configured URL's path, and only with the secret.

The webhook server is PTB's own (run_webhook), started here as app.run does but on a Unix
socket in the test's directory instead of a TCP port, so nothing listens on the network.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from telegram import Update

from anbien_bot.bot.app import build_application, webhook_options
from anbien_bot.config import BotConfig, load_config
from anbien_bot.telegramconfig import TelegramConfig
from anbien_bot.texts import text
from tests.conversation import WITNESS, bot_config, replies
from tests.fake_telegram import FakeTelegram
from tests.harness import eventually

HOOK = "https://bot.anbien.example.vn/telegram/hook"
USER = 1201


@pytest.fixture
async def webhook(
    tmp_path: Path, fake: FakeTelegram
) -> AsyncIterator[tuple[FakeTelegram, Path, dict[str, Any]]]:
    path = bot_config(tmp_path, fake, telegram={"webhook_url": HOOK})
    config = load_config(path, environ={})
    options = webhook_options(config.telegram)
    socket = tmp_path / "hook.sock"
    app = build_application(config)
    await app.initialize()
    await app.post_init(app)
    assert app.updater is not None
    await app.updater.start_webhook(
        url_path=options["url_path"],
        webhook_url=options["webhook_url"],
        secret_token=options["secret_token"],
        unix=socket,
        allowed_updates=Update.ALL_TYPES,
    )
    await app.start()
    try:
        yield fake, socket, options
    finally:
        await app.updater.stop()
        await app.stop()
        await app.post_stop(app)
        await app.shutdown()
        await app.post_shutdown(app)


async def post(socket: Path, path: str, update: dict[str, Any], secret: str | None) -> int:
    """POST an update to the webhook server as Telegram would; return the HTTP status."""
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    connector = aiohttp.UnixConnector(path=str(socket))
    async with (
        aiohttp.ClientSession(connector=connector) as session,
        session.post(f"http://localhost{path}", data=json.dumps(update), headers=headers) as r,
    ):
        return r.status


def start_update(update_id: int, command: str = "/start", chat_id: int = USER) -> dict[str, Any]:
    """Return a command from a private chat as Telegram posts it to the webhook."""
    user = {"id": chat_id, "is_bot": False, "first_name": "Lan", "language_code": "vi"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private", "first_name": "Lan"},
            "from": user,
            "text": command,
            "entities": [{"type": "bot_command", "offset": 0, "length": len(command)}],
        },
    }


async def test_telegram_is_given_the_url_and_a_secret_and_updates_are_answered(
    webhook: tuple[FakeTelegram, Path, dict[str, Any]],
) -> None:
    fake, socket, options = webhook
    (registered,) = [c for c in fake.calls if c.method == "setWebhook"]
    assert registered.params["url"] == HOOK
    assert registered.params["secret_token"] == options["secret_token"]
    assert len(options["secret_token"]) >= 32
    assert await post(socket, "/telegram/hook", start_update(1), options["secret_token"]) == 200
    await eventually(lambda: len(fake.sent_to(USER)) >= 1)
    assert fake.sent_to(USER)[0].params["text"] == text(
        "vi", "start", name="Lan", portal=BotConfig().portal("vi")
    )


@pytest.mark.parametrize("secret", [None, "doan-mo"])
async def test_an_update_without_the_secret_is_refused(
    webhook: tuple[FakeTelegram, Path, dict[str, Any]], secret: str | None
) -> None:
    fake, socket, options = webhook
    assert await post(socket, "/telegram/hook", start_update(2), secret) == 403
    assert await post(socket, "/", start_update(3), secret) == 404
    # Updates are handled in order: once a later, genuine one is answered, the bot would
    # have answered those two had they got through.
    barrier = start_update(4, "/help", chat_id=WITNESS)
    assert await post(socket, "/telegram/hook", barrier, options["secret_token"]) == 200
    await replies(fake, WITNESS, 1)
    assert fake.sent_to(USER) == []


def test_each_start_makes_a_new_secret() -> None:
    telegram = TelegramConfig(token="x", webhook_url=HOOK)
    first, second = webhook_options(telegram), webhook_options(telegram)
    assert first["url_path"] == "telegram/hook"
    assert first["secret_token"] != second["secret_token"]
