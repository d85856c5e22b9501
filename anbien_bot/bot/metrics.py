"""The bot's Prometheus metrics: polls, Bot API requests, sends and the outbox.

Everything is measured from the bot layer, where the parts meet, so nothing below it knows of
Prometheus: polls from the outcomes each round returns, sends from the sender's own counts
(read when scraped), the outbox from the store (read when scraped), and every Bot API request,
its HTTP status (429 included) and its latency, from python-telegram-bot's request object.
The metrics live in a registry of their own, one per running bot.
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping
from typing import Any

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, Metric
from prometheus_client.registry import Collector
from telegram.request import HTTPXRequest

from ..sources.ingest import PollOutcome

# Outcomes of an outbox send, and the sender's count each is read from.
SEND_OUTCOMES = {
    "sent": "sent",
    "failed": "failed",  # given up: refused by Telegram, or out of tries
    "blocked": "blocked",  # the chat blocked the bot or is gone
    "retried": "retried",  # a network error or 5xx: tried again later
    "rate_limited": "retry_after",  # a 429: the chat waits as Telegram asked
}
_API_METHOD = re.compile(r"^[A-Za-z]+$")  # a Bot API method name, never a token or a file path


class Metrics:
    """The bot's metrics, in a registry of their own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)  # CPU, memory, open files, start time
        reg = self.registry
        self.polls = Counter(
            "anbien_source_polls",
            "Polls of each source, by outcome: new, unchanged or failed",
            ["source", "outcome"],
            registry=reg,
        )
        self.failures_in_a_row = Gauge(
            "anbien_source_failures_in_a_row",
            "Polls of each source that failed in a row, up to its last poll (0: it works)",
            ["source"],
            registry=reg,
        )
        self.new_articles = Counter(
            "anbien_source_new_articles",
            "New articles stored from each source",
            ["source"],
            registry=reg,
        )
        self.poll_seconds = Histogram(
            "anbien_source_poll_seconds",
            "How long one poll of a source took",
            ["source"],
            buckets=(0.5, 1, 2, 5, 10, 30, 60, 120, 300),
            registry=reg,
        )
        self.requests = Counter(
            "anbien_telegram_requests",
            "Bot API requests by method and HTTP status (429: asked to wait; error: no answer)",
            ["method", "code"],
            registry=reg,
        )
        self.request_seconds = Histogram(
            "anbien_telegram_request_seconds",
            "How long the Bot API took to answer a request (a send's latency), by method",
            ["method"],
            buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
            registry=reg,
        )
        self.outbox_pending = Gauge(
            "anbien_outbox_pending", "Messages waiting in the outbox to be sent", registry=reg
        )
        self._sends = _Sends()
        reg.register(self._sends)

    def observe_polls(self, outcomes: Iterable[PollOutcome]) -> None:
        """Count a round's polls."""
        for outcome in outcomes:
            self.polls.labels(outcome.source, outcome.status).inc()
            self.failures_in_a_row.labels(outcome.source).set(outcome.failures)
            self.new_articles.labels(outcome.source).inc(len(outcome.result.new))
            self.poll_seconds.labels(outcome.source).observe(outcome.seconds)

    def count_sends(self, stats: Mapping[str, int]) -> None:
        """Report sends from the sender's counts (read at each scrape)."""
        self._sends.stats = stats

    def observe_request(self, method: str, code: str, seconds: float) -> None:
        """Count one Bot API request and how long it took."""
        self.requests.labels(method, code).inc()
        self.request_seconds.labels(method).observe(seconds)

    async def render(self, pending: Callable[[], Awaitable[int]]) -> bytes:
        """Return the metrics in Prometheus' text format, the outbox counted now."""
        self.outbox_pending.set(await pending())
        return generate_latest(self.registry)


class _Sends(Collector):
    """The sender's counts of outbox sends, as a counter by outcome."""

    def __init__(self) -> None:
        self.stats: Mapping[str, int] = {}

    def collect(self) -> Iterator[Metric]:
        family = CounterMetricFamily(
            "anbien_sends", "Outbox messages by how their send ended", labels=["outcome"]
        )
        for outcome, key in SEND_OUTCOMES.items():
            family.add_metric([outcome], self.stats.get(key, 0))
        yield family


class MeteredRequest(HTTPXRequest):
    """python-telegram-bot's HTTP client, counting and timing each Bot API request."""

    def __init__(self, metrics: Metrics, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._metrics = metrics

    async def do_request(self, url: str, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        """Make the request as PTB would, and count it by method and status."""
        last = url.rsplit("/", 1)[-1]
        method = last if _API_METHOD.match(last) else "file"  # a download: .../photos/x.jpg
        started = time.perf_counter()
        code = "error"
        try:
            status, payload = await super().do_request(url, *args, **kwargs)
            code = str(status)
            return status, payload
        finally:
            self._metrics.observe_request(method, code, time.perf_counter() - started)
