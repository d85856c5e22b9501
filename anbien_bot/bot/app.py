"""The Telegram application: wiring of services, jobs and handlers; no logic of its own."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults

from ..config import Config, TelegramConfig
from ..delivery.sender import Sender
from ..net.fetch import Fetcher
from ..sources.ingest import Ingestor, fetcher_for
from ..store import Store
from ..text.dates import VN_TZ

log = logging.getLogger(__name__)


@dataclass
class Services:
    """What handlers and jobs work with, opened in post_init and closed in post_shutdown."""

    config: Config
    store: Store
    fetcher: Fetcher
    ingestor: Ingestor
    sender: Sender | None = None  # drains the outbox; wake() it after queueing deliveries
    extras: dict[str, Any] = field(default_factory=dict)


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    """Return the services of the running application."""
    return context.application.bot_data["services"]


def build_application(config: Config) -> Application:
    """Build the bot's Application from the configuration."""
    app = (
        ApplicationBuilder()
        .token(config.telegram.token)
        .base_url(config.telegram.api_base_url)
        .base_file_url(config.telegram.api_file_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=VN_TZ))
        .post_init(_post_init)
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
        .build()
    )
    app.bot_data["config"] = config
    for feature in _features():
        feature.register(app)
    app.add_error_handler(_log_error)
    return app


def _features() -> list[Any]:
    """Return the feature modules, each with ``register(app)`` and optional ``start(app)``."""
    # Imported here: the handlers import services() from this module.
    from .handlers import admin, archive, broadcast, fallback, membership, residents, settings

    # fallback answers only what no other feature handles (see handlers/fallback.py).
    return [residents, membership, archive, settings, admin, broadcast, fallback]


async def _post_init(app: Application) -> None:
    config: Config = app.bot_data["config"]
    store = await Store.open(config.storage.database)
    fetcher = fetcher_for(config)
    svc = Services(config, store, fetcher, Ingestor(config, store, fetcher))
    # A task of its own, not a job: JobQueue.stop would wait for a whole fan-out. The
    # fetcher also downloads the photos Telegram cannot fetch by URL.
    svc.sender = Sender(app.bot, store, config, fetcher)
    app.bot_data["services"] = svc
    svc.sender.start()
    for feature in _features():
        if hasattr(feature, "start"):
            await feature.start(app)
    tick = min(config.polling.interval_seconds, 30.0)
    assert app.job_queue is not None
    app.job_queue.run_repeating(
        poll_sources,
        interval=tick,
        first=1,
        name="poll-sources",
        # APScheduler's defaults drop a run that starts over 1 s late; a late poll is still
        # wanted, but never two at once and never a pile of catch-up runs.
        job_kwargs={"misfire_grace_time": int(tick) + 60, "coalesce": True, "max_instances": 1},
    )


async def poll_sources(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Poll the sources that are due and wake whoever waits for new articles."""
    svc = services(context)
    outcomes = await svc.ingestor.poll_due()
    if svc.sender is not None and any(o.result.enqueued for o in outcomes):
        svc.sender.wake()
    if outcomes:
        from .handlers.admin import report_source_health  # the handlers import this module

        await report_source_health(context.application)


async def _post_stop(app: Application) -> None:
    svc: Services | None = app.bot_data.get("services")
    if svc is not None and svc.sender is not None:
        await svc.sender.stop()  # the messages in flight finish; the rest stay pending
    for feature in reversed(_features()):
        if hasattr(feature, "stop"):
            await feature.stop(app)


async def _post_shutdown(app: Application) -> None:
    svc: Services | None = app.bot_data.get("services")
    if svc is not None:
        await svc.fetcher.aclose()
        await svc.store.close()


async def _log_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    log.error(
        "unhandled error (update %s)", getattr(update, "update_id", None), exc_info=context.error
    )


def run(config: Config) -> None:
    """Run the bot until SIGINT or SIGTERM, by long polling or by webhook."""
    app = build_application(config)
    if config.telegram.webhook_url:
        app.run_webhook(**webhook_options(config.telegram), allowed_updates=Update.ALL_TYPES)
    else:
        app.run_polling(allowed_updates=Update.ALL_TYPES)


def webhook_options(telegram: TelegramConfig) -> dict[str, Any]:
    """Return run_webhook's address, path and secret for the configured webhook URL.

    The local server answers at the URL's own path (a reverse proxy passes it on unchanged),
    and only to requests carrying a secret made anew at each start and given to Telegram
    with setWebhook, so nobody else can post updates (forged admin commands) to it.
    """
    assert telegram.webhook_url is not None
    return {
        "listen": telegram.webhook_listen,
        "port": telegram.webhook_port,
        "url_path": urlsplit(telegram.webhook_url).path.strip("/"),
        "webhook_url": telegram.webhook_url,
        "secret_token": secrets.token_urlsafe(32),
    }
