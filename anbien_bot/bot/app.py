"""The Telegram application: features, their lifecycle, the poller and the metrics, wired.

No logic of its own (how the bot starts and stops around Telegram is in lifecycle.py). Each
feature module adds its handlers with ``register(app, config)``; some also act when the bot
starts (after the services open, before updates arrive) or stops (after the sender stopped,
before the services close). Their order below is the order they start in; they stop in reverse.
The handler groups an update passes through are in groups.py.
"""

from __future__ import annotations

import asyncio
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

from ..config import Config
from ..sources.ingest import PollOutcome
from ..telegramconfig import TelegramConfig
from ..text.dates import VN_TZ
from ..text.deeplinks import article_link
from . import telegraph, upkeep
from .feedpages import FeedShelf, feed_routes
from .handlers import (
    admin,
    archive,
    broadcast,
    deeplinks,
    fallback,
    membership,
    reading,
    residents,
    settings,
)
from .handlers.admin import report_source_health
from .health_server import HealthServer
from .lifecycle import StartError, polling_error, serve
from .metrics import MeteredRequest, Metrics
from .poller import Poller
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
    Feature(deeplinks.register),  # /start with a payload, before residents' bare /start
    Feature(residents.register, start=residents.set_command_menu),
    Feature(membership.register, start=membership.sync_config_channels),
    Feature(archive.register),
    Feature(settings.register),
    Feature(admin.register, start=admin.set_admin_menus),
    Feature(broadcast.register, start=broadcast.resume_progress, stop=broadcast.stop_progress),
    Feature(reading.register, stop=reading.stop_readings),
    Feature(fallback.register),
    Feature(telegraph.register, start=telegraph.start, stop=telegraph.stop),
)


@dataclass
class Background:
    """What runs beside the handlers: the poller, the metrics and their HTTP server."""

    metrics: Metrics
    poller: Poller[list[PollOutcome]] | None = None
    health: HealthServer | None = None


_BACKGROUND = "background"  # its place in bot_data


def background(app: Application) -> Background:
    """Return the application's background parts."""
    return app.bot_data[_BACKGROUND]


def build_application(config: Config) -> Application:
    """Build the bot's Application from the configuration."""
    metrics = Metrics()
    app = (
        ApplicationBuilder()
        .token(config.telegram.token)
        # PTB's own client and pool size (256: the sender's concurrency needs more than 1),
        # each request counted and timed for /metrics.
        .request(MeteredRequest(metrics, connection_pool_size=256))
        .base_url(config.telegram.api_base_url)
        .base_file_url(config.telegram.api_file_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=VN_TZ))
        .context_types(CONTEXT_TYPES)
        .post_init(functools.partial(_post_init, config=config))
        .post_stop(_post_stop)
        .post_shutdown(_post_shutdown)
        .build()
    )
    app.bot_data[_BACKGROUND] = Background(metrics)
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
    parts = background(app)
    parts.metrics.count_sends(svc.sender.stats)
    parts.poller = Poller(
        svc.ingestor.poll_due,
        functools.partial(after_polls, svc, parts.metrics),
        tick=min(config.polling.interval_seconds, 30.0),
        reading=lambda: svc.ingestor.reading,
    )
    parts.poller.start()
    if config.metrics.enabled:
        parts.health = HealthServer(
            config.metrics.listen,
            config.metrics.port,
            render=functools.partial(parts.metrics.render, svc.store.pending_deliveries),
            problems=functools.partial(health_problems, svc, parts.poller),
            pages=_feed_pages(app, config, svc),
        )
        try:
            parts.health.start()
        except OSError as exc:
            parts.health = None
            where = f"{config.metrics.listen}:{config.metrics.port}"
            raise StartError(
                f"cannot open the metrics port {where} (metrics.port): {exc}"
            ) from exc
    upkeep.schedule(app)


def _feed_pages(app: Application, config: Config, svc: Services) -> list[Any]:
    """Return the Atom feeds' routes, or none when [feeds] turns them off."""
    if not config.feeds.enabled:
        return []
    # Known here: Application.initialize asked Telegram who the bot is (getMe).
    return feed_routes(
        FeedShelf(svc.store, config, functools.partial(article_link, app.bot.username or ""))
    )


async def after_polls(svc: Services, metrics: Metrics, outcomes: list[PollOutcome]) -> None:
    """Count a round of polls, wake the sender for what they queued, and alert the admins
    of a source that went down or came back."""
    metrics.observe_polls(outcomes)
    if any(o.result.enqueued or o.result.expanding for o in outcomes):
        svc.sender.wake()
    if outcomes:
        await report_source_health(svc)


async def health_problems(svc: Services, poller: Poller[Any]) -> list[str]:
    """Return what keeps the bot from doing its work, one line each; none when healthy."""
    problems = []
    if not svc.sender.running:
        problems.append("sender: not running (nothing is sent)")
    if not poller.running:
        problems.append("poller: not running (no source is read)")
    try:
        await svc.store.db.check_writable()
    except Exception as exc:  # sqlite3's errors, or a closed connection
        problems.append(f"database: not writable ({exc})")
    return problems


async def _post_stop(app: Application) -> None:
    parts = background(app)
    if parts.health is not None:
        await parts.health.stop()
    if parts.poller is not None:
        await parts.poller.stop()  # a poll in progress is abandoned: it is repeatable
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
    """Run the bot until SIGINT or SIGTERM, by long polling or by webhook.

    It waits for Telegram as long as it takes at start; raise InvalidToken when Telegram
    refuses the token, StartError when something else keeps the bot from starting.
    """
    app = build_application(config)
    updater = app.updater
    assert updater is not None
    telegram = config.telegram

    async def start_updates() -> object:
        if not telegram.webhook_url:
            return await updater.start_polling(
                allowed_updates=Update.ALL_TYPES, error_callback=polling_error(where)
            )
        options = webhook_options(telegram)
        try:
            return await updater.start_webhook(**options, allowed_updates=Update.ALL_TYPES)
        except OSError as exc:  # the local port; Telegram's errors are TelegramErrors
            where_ = f"{options['listen']}:{options['port']}"
            raise StartError(f"cannot listen for the webhook on {where_}: {exc}") from exc

    where = telegram.api_base_url
    call = "setWebhook" if telegram.webhook_url else "deleteWebhook"
    asyncio.run(serve(app, start_updates=start_updates, updates_call=call, where=where))


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
