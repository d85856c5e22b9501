"""The Telegram application: wiring of services, jobs and handlers; no logic of its own."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults

from .config import Config
from .dates import VN_TZ
from .fetch import Fetcher
from .ingest import Ingestor, fetcher_for
from .store import Store

log = logging.getLogger(__name__)


@dataclass
class Services:
    """What handlers and jobs work with, opened in post_init and closed in post_shutdown."""

    config: Config
    store: Store
    fetcher: Fetcher
    ingestor: Ingestor
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
    return []


async def _post_init(app: Application) -> None:
    config: Config = app.bot_data["config"]
    store = await Store.open(config.storage.database)
    fetcher = fetcher_for(config)
    app.bot_data["services"] = Services(config, store, fetcher, Ingestor(config, store, fetcher))
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
    waker = svc.extras.get("on_new_articles")
    if waker is not None and any(o.result.enqueued for o in outcomes):
        waker()


async def _post_stop(app: Application) -> None:
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
        app.run_webhook(
            listen=config.telegram.webhook_listen,
            port=config.telegram.webhook_port,
            webhook_url=config.telegram.webhook_url,
            allowed_updates=Update.ALL_TYPES,
        )
    else:
        app.run_polling(allowed_updates=Update.ALL_TYPES)
