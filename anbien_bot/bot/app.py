"""The Telegram application: features, their lifecycle and the jobs, wired; no logic of its own.

Each feature module adds its handlers with ``register(app, config)``; some also act when the bot
starts (after the services open, before updates arrive) or stops (after the sender stopped,
before the services close). Their order below is the order they start in; they stop in reverse.
The handler groups an update passes through are in groups.py.
"""

from __future__ import annotations

import functools
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application, ApplicationBuilder, ApplicationHandlerStop, Defaults

from ..config import Config, TelegramConfig
from ..text.dates import VN_TZ
from . import upkeep
from .handlers import admin, archive, broadcast, fallback, membership, residents, settings
from .handlers.admin import report_source_health
from .services import CONTEXT_TYPES, BotContext, Services, keep_services, running_services

log = logging.getLogger(__name__)

Hook = Callable[[Application], Awaitable[None]]


@dataclass(frozen=True)
class Feature:
    """One feature of the bot: how it adds its handlers, and what it does at start and stop."""

    register: Callable[[Application, Config], None]
    start: Hook | None = None
    stop: Hook | None = None


FEATURES = (
    Feature(residents.register, start=residents.set_command_menu),
    Feature(membership.register, start=membership.sync_config_channels),
    Feature(archive.register),
    Feature(settings.register),
    Feature(admin.register, start=admin.set_admin_menus),
    Feature(broadcast.register, start=broadcast.resume_progress, stop=broadcast.stop_progress),
    Feature(fallback.register),
)


def build_application(config: Config) -> Application:
    """Build the bot's Application from the configuration."""
    app = (
        ApplicationBuilder()
        .token(config.telegram.token)
        .base_url(config.telegram.api_base_url)
        .base_file_url(config.telegram.api_file_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=VN_TZ))
        .context_types(CONTEXT_TYPES)
        .post_init(functools.partial(_post_init, config=config))
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
        .build()
    )
    for feature in FEATURES:
        feature.register(app, config)
    app.add_error_handler(_log_error)
    return app


async def _post_init(app: Application, *, config: Config) -> None:
    svc = await Services.open(config, app.bot)
    keep_services(app, svc)
    # A task of its own, not a job: JobQueue.stop would wait for a whole fan-out.
    svc.sender.start()
    for feature in FEATURES:
        if feature.start is not None:
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
    upkeep.schedule(app)


async def poll_sources(context: BotContext) -> None:
    """Poll the sources that are due and wake whoever waits for new articles."""
    svc = context.services
    outcomes = await svc.ingestor.poll_due()
    if any(o.result.enqueued for o in outcomes):
        svc.sender.wake()
    if outcomes:
        await report_source_health(svc)


async def _post_stop(app: Application) -> None:
    svc = running_services(app)
    if svc is None:
        return
    await svc.sender.stop()  # the messages in flight finish; the rest stay pending
    for feature in reversed(FEATURES):
        if feature.stop is not None:
            await feature.stop(app)


async def _post_shutdown(app: Application) -> None:
    svc = running_services(app)
    if svc is not None:
        await svc.close()


async def _log_error(update: object, context: BotContext) -> None:
    """Log an error; an update whose handler failed goes no further (see groups.py)."""
    log.error(
        "unhandled error (update %s)", getattr(update, "update_id", None), exc_info=context.error
    )
    if isinstance(update, Update):
        # A search or a hint after a failed command would answer what it did not understand.
        raise ApplicationHandlerStop


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
