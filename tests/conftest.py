"""Shared fixtures: the fake Telegram and portal servers, the running bot, a bare client, a store.

Tests that need a fixture set up differently say so with a marker on the test or its module
(``pytestmark = pytest.mark.telegram(...)``); a test's own marker adds to its module's:

- ``telegram(group_admins=..., may_refuse=...)``: the fake Bot API's options. ``group_admins``
  maps a group to the users getChatMember reports as its admins. With ``may_refuse`` set, the
  test fails at teardown if Telegram refused a call with any HTTP code not in it: ``()`` means
  Telegram would have accepted every call the bot made.
- ``bot(config=admin_config, **options)``: how the running bot's config is written (default
  ``tests.conversation.bot_config``), with keyword options for that writer.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Collection
from pathlib import Path
from typing import Any

import pytest
from telegram import Bot
from telegram.ext import Application
from telegram.request import HTTPXRequest

from anbien_bot.store import Store
from tests.conversation import bot_config, database, refused
from tests.fake_portal import FakePortal
from tests.fake_telegram import FakeTelegram
from tests.harness import TOKEN, running_bot

# Time periods as timedelta, without deprecation noise (read whenever PTB returns one).
os.environ.setdefault("PTB_TIMEDELTA", "1")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "telegram(group_admins, may_refuse): options of the fake Bot API fixture"
    )
    config.addinivalue_line("markers", "bot(config, **options): the running bot's config")


def _options(request: pytest.FixtureRequest, name: str) -> dict[str, Any]:
    """Return the keyword options of every ``name`` marker, the test's over its module's."""
    options: dict[str, Any] = {}
    for marker in reversed(list(request.node.iter_markers(name))):
        options |= marker.kwargs
    return options


@pytest.fixture
async def fake(request: pytest.FixtureRequest) -> AsyncIterator[FakeTelegram]:
    """The fake Bot API on 127.0.0.1, with the options of the ``telegram`` marker."""
    options = _options(request, "telegram")
    may_refuse: Collection[int] | None = options.pop("may_refuse", None)
    async with FakeTelegram(**options) as server:
        yield server
        if may_refuse is not None:
            assert [c for c in refused(server) if c.status not in may_refuse] == []


@pytest.fixture
async def bot(
    request: pytest.FixtureRequest, tmp_path: Path, fake: FakeTelegram
) -> AsyncIterator[Application]:
    """The bot's Application polling the fake, on a config in tmp_path (see the ``bot`` marker)."""
    options = _options(request, "bot")
    write = options.pop("config", bot_config)
    async with running_bot(write(tmp_path, fake, **options)) as app:
        yield app


@pytest.fixture
async def api(fake: FakeTelegram) -> AsyncIterator[Bot]:
    """A bare python-telegram-bot Bot talking to the fake, for tests below the Application."""
    request = HTTPXRequest(connection_pool_size=32)  # a bare Bot's pool holds one request
    async with Bot(
        TOKEN, base_url=fake.base_url, base_file_url=fake.base_file_url, request=request
    ) as client:
        yield client


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """The database file, where the configs the tests write put it."""
    return database(tmp_path)


@pytest.fixture
async def store(db_path: Path) -> AsyncIterator[Store]:
    """A store on a new database at db_path."""
    opened = await Store.open(db_path)
    yield opened
    await opened.close()


@pytest.fixture
async def portal() -> AsyncIterator[FakePortal]:
    """The fake portal on 127.0.0.1, serving nothing until a test says what."""
    async with FakePortal() as server:
        yield server
