"""What handlers and jobs work with: the services, reached as ``context.services``.

The services are opened once the Application is initialised (the store needs the event loop)
and kept in ``bot_data``; python-telegram-bot builds every handler's and job's context as a
``BotContext`` (``ContextTypes(context=BotContext)``), whose ``services`` property returns them
typed. So the handlers need nothing from app.py, which wires them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from telegram import Bot
from telegram.ext import Application, CallbackContext, ContextTypes, ExtBot

from ..config import Config
from ..delivery.documents import Documents
from ..delivery.reader import Reader
from ..delivery.sender import Sender
from ..net.fetch import Fetcher
from ..sources.ingest import Ingestor, fetcher_for
from ..sources.linkcheck import LinkChecker
from ..store import Store
from .progress import ProgressTracker
from .results import RecentSearches

_KEY = "services"  # their place in bot_data


@dataclass(frozen=True)
class Services:
    """The store, the fetcher and the long-lived parts of each feature, all open."""

    config: Config
    store: Store
    fetcher: Fetcher  # also downloads the photos Telegram cannot fetch by URL
    ingestor: Ingestor
    sender: Sender  # drains the outbox; wake() it after queueing deliveries
    progress: ProgressTracker  # the progress messages of broadcasts being sent
    links: LinkChecker  # which articles' original pages are gone
    reader: Reader  # sends the pages of "Read in full"
    searches: RecentSearches = field(default_factory=RecentSearches)  # behind result buttons
    # Admins whose command menu Telegram refused at start (they had never opened the bot).
    admins_without_menu: set[int] = field(default_factory=set)

    @classmethod
    async def open(cls, config: Config, bot: Bot) -> Services:
        """Open the store and the fetcher, and build what works with them."""
        store = await Store.open(config.storage.database, config.archive.files_dir)
        fetcher = fetcher_for(config)
        sender = Sender(bot, store, config, fetcher)
        return cls(
            config=config,
            store=store,
            fetcher=fetcher,
            ingestor=Ingestor(config, store, fetcher),
            sender=sender,
            progress=ProgressTracker(sender, store, config),
            links=LinkChecker(
                store, fetcher, ttl=timedelta(hours=config.archive.link_check_hours)
            ),
            reader=Reader(sender, store, Documents(bot, store, fetcher, store.archived_file)),
        )

    async def close(self) -> None:
        """Close the fetcher and the store (the sender and trackers are stopped before)."""
        await self.links.close()
        await self.fetcher.aclose()
        await self.store.close()


def keep_services(app: Application, services: Services) -> None:
    """Make services those of the application."""
    app.bot_data[_KEY] = services


def services_of(app: Application) -> Services:
    """Return the application's services (only once post_init has opened them)."""
    return app.bot_data[_KEY]


def running_services(app: Application) -> Services | None:
    """Return the application's services, or None if they were never opened."""
    return app.bot_data.get(_KEY)


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """The context of every handler and job: python-telegram-bot's, with the services."""

    @property
    def services(self) -> Services:
        """Return the running application's services."""
        return services_of(self.application)


CONTEXT_TYPES = ContextTypes(context=BotContext)
