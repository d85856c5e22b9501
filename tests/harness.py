"""Running the real bot in-process against the loopback fakes, and small test utilities."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from telegram import Bot

from anbien_bot.config import Config
from anbien_bot.delivery.sender import Sender
from anbien_bot.net.fetch import Fetcher
from anbien_bot.store import Store

CATEGORIES = {"thong-bao": "Thông báo", "hoat-dong-huyen-uy": "Hoạt động Huyện ủy"}
TOKEN = "123456:TEST-token-never-logged"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str | Path):
        return json.dumps(str(value), ensure_ascii=False)  # a JSON string is a TOML string
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(value)


def _toml_table(name: str, table: Mapping[str, Any]) -> list[str]:
    lines = [f"[{name}]"]
    nested = []
    for key, value in table.items():
        if isinstance(value, dict) and key == "selectors":
            nested.append((f"{name.strip('[]')}.{key}", value))
        else:
            lines.append(f'"{key}" = {_toml_value(value)}')
    for sub, values in nested:
        lines += _toml_table(sub, values)
    return lines


def write_config(
    directory: Path,
    *,
    telegram: Mapping[str, Any],
    sources: Sequence[Mapping[str, Any]] = (),
    categories: Mapping[str, str] = CATEGORIES,
    polling: Mapping[str, Any] | None = None,
    delivery: Mapping[str, Any] | None = None,
) -> Path:
    """Write a config.toml for a test and return its path."""
    lines = _toml_table("telegram", {"token": TOKEN, **telegram})
    lines += _toml_table("storage", {"database": str(directory / "bot.sqlite3")})
    lines += _toml_table(
        "polling",
        {"interval_seconds": 2, "jitter_seconds": 0, "page_delay_seconds": 0, **(polling or {})},
    )
    lines += _toml_table("delivery", dict(delivery or {}))
    lines += _toml_table("categories", categories)
    for source in sources:
        # Every test portal listens on 127.0.0.1, which a source must opt into.
        source = {"allow_private": True, **source}
        lines += ["", "[[sources]]", *_toml_table("sources", source)[1:]]
    path = directory / "config.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@asynccontextmanager
async def sending(
    api: Bot, store: Store, cfg: Config, fetcher: Fetcher | None = None, **kwargs: Any
) -> AsyncIterator[Sender]:
    """Run a Sender on the store through a bare Bot, without the rest of the bot."""
    sender = Sender(api, store, cfg, fetcher, **kwargs)
    sender.start()
    try:
        yield sender
    finally:
        await sender.stop()


@asynccontextmanager
async def running_bot(config_path: Path) -> AsyncIterator[Any]:
    """Run the bot's Application in this event loop, polling the fake Bot API for real.

    PTB calls the post_* hooks only inside run_polling(); started by hand, they are
    called here in the same order.
    """
    from telegram import Update

    from anbien_bot.bot.app import build_application
    from anbien_bot.config import load_config

    app = build_application(load_config(config_path, environ={}))
    # tests.conversation.handled relies on updates being handled one at a time, in order.
    assert app.concurrent_updates <= 1, "handled() cannot tell when an update is done"
    await app.initialize()
    await app.post_init(app)
    await app.updater.start_polling(poll_interval=0, timeout=1, allowed_updates=Update.ALL_TYPES)
    await app.start()
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.post_stop(app)
        await app.shutdown()
        await app.post_shutdown(app)


async def eventually(
    check: Callable[[], Any] | Callable[[], Awaitable[Any]],
    *,
    timeout: float = 10.0,  # noqa: ASYNC109 - a test helper polling, not an I/O call
    interval: float = 0.05,
) -> Any:
    """Wait until check() returns something truthy and return it; fail after timeout s."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return result
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {timeout} s: {check}")
        await asyncio.sleep(interval)
