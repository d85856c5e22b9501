"""Telegraph pages of the archive: a background job publishes each new article there.

Only with [telegraph] configured and an access token; otherwise nothing is scheduled and
nothing is sent to Telegraph. Each run publishes every article still without a page
(delivery/publishing.py), then the next run is scheduled ``publish_interval_seconds`` after
it ends, so two runs never overlap however long a backlog takes.
"""

from __future__ import annotations

import functools
import logging

from telegram.ext import Application

from ..config import Config
from ..delivery.publishing import TelegraphPublisher
from ..net.telegraph import TelegraphClient
from ..text.deeplinks import article_link
from .services import BotContext, services_of

log = logging.getLogger(__name__)

_KEY = "telegraph"  # the publisher's place in bot_data
_FIRST_RUN = 1.0  # seconds after the start: the bot answers residents first


def register(app: Application, config: Config) -> None:
    """Add nothing: pages are published by a job, which start() schedules."""


async def start(app: Application) -> None:
    """Schedule the first run, if Telegraph is configured."""
    svc = services_of(app)
    config = svc.config.telegraph
    if config is None or not config.enabled:
        return
    client = TelegraphClient(config.api_url, config.access_token)
    link = functools.partial(article_link, app.bot.username or "")
    app.bot_data[_KEY] = TelegraphPublisher(svc.store, client, config, link)
    _schedule(app, _FIRST_RUN)


async def stop(app: Application) -> None:
    """Close the Telegraph client (the job queue has stopped: no run is in progress)."""
    publisher = app.bot_data.pop(_KEY, None)
    if publisher is not None:
        await publisher.aclose()


def _schedule(app: Application, delay: float) -> None:
    assert app.job_queue is not None
    app.job_queue.run_once(publish, delay, name="telegraph")


async def publish(context: BotContext) -> None:
    """Publish what has no page yet, log what was done, and schedule the next run."""
    app = context.application
    publisher: TelegraphPublisher | None = app.bot_data.get(_KEY)
    if publisher is None:
        return
    try:
        report = await publisher.run(stopping=lambda: not app.running)
        if report.published or report.refused:
            log.info(
                "telegraph: %d pages published, %d articles refused%s",
                report.published,
                report.refused,
                f" ({report.ended})" if report.ended else "",
            )
    finally:
        if app.running:
            _schedule(app, publisher.interval)
