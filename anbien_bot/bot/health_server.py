"""The metrics and health port: ``/metrics`` for Prometheus, ``/healthz`` for Docker or a
load balancer.

Served by tornado, which the bot already has (python-telegram-bot's webhook server is
tornado) and which runs on the bot's own event loop: a scrape reads the live sender and
store, with no thread, no second loop and no new dependency. prometheus_client renders the
text; tornado only carries it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST
from tornado.httpserver import HTTPServer
from tornado.web import Application, RequestHandler

log = logging.getLogger(__name__)

Render = Callable[[], Awaitable[bytes]]
Problems = Callable[[], Awaitable[list[str]]]
Route = tuple[str, type[RequestHandler], dict[str, Any]]


class _MetricsPage(RequestHandler):
    def initialize(self, render: Render) -> None:
        self._render = render

    async def get(self) -> None:
        self.set_header("Content-Type", CONTENT_TYPE_LATEST)
        self.write(await self._render())


class _HealthPage(RequestHandler):
    def initialize(self, problems: Problems) -> None:
        self._problems = problems

    async def get(self) -> None:
        problems = await self._problems()
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        if problems:
            self.set_status(503)
            self.write("".join(f"{problem}\n" for problem in problems))
        else:
            self.write("ok\n")


class HealthServer:
    """An HTTP server for /metrics and /healthz on the configured address, and any other
    pages given (the archive's feeds: feedpages.py)."""

    def __init__(
        self,
        listen: str,
        port: int,
        *,
        render: Render,
        problems: Problems,
        pages: Sequence[Route] = (),
    ) -> None:
        self.listen = listen
        self.port = port
        self._pages = tuple(pages)
        app = Application(
            [
                (r"/metrics", _MetricsPage, {"render": render}),
                (r"/healthz", _HealthPage, {"problems": problems}),
                *self._pages,
            ],
            log_function=lambda handler: None,  # no access log: one line per scrape is noise
        )
        self._server = HTTPServer(app)

    def start(self) -> None:
        """Start listening; raise OSError when the port cannot be had (in use, say)."""
        self._server.listen(self.port, address=self.listen)
        log.info("metrics and health on http://%s:%d/metrics and /healthz", self.listen, self.port)
        if self._pages:
            log.info("Atom feeds on http://%s:%d/feeds/all.atom", self.listen, self.port)

    async def stop(self) -> None:
        """Stop listening and close open connections."""
        self._server.stop()
        await self._server.close_all_connections()
