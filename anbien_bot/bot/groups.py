"""The handler groups: which handlers see an update, in which order.

python-telegram-bot offers each update to its handler groups in ascending order; within a
group the first handler whose filters match takes it. A handler added with ``add`` below
raises ``ApplicationHandlerStop`` once it has handled the update, so the later groups see only
what nobody took. A feature that later reads plain text or a new command just adds its
handlers to FEATURES: search and the hints then stay silent for them, with no change there.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

from telegram.ext import Application, ApplicationHandlerStop, BaseHandler

# In the order python-telegram-bot offers an update to them:
ALONGSIDE = -1  # runs beside the answer and never stops it: the admin menu's second chance
FEATURES = 0  # commands, buttons, inline queries, membership changes: each feature's own
SEARCH = 1  # plain text in a private chat that no feature took is a search
FALLBACK = 2  # a short hint for whatever is left: unknown commands, stickers, stale buttons


def add(app: Application, *handlers: BaseHandler[Any, Any, Any], group: int = FEATURES) -> None:
    """Add handlers that take what they handle: the later groups never see it."""
    for handler in handlers:
        handler.callback = _then_stop(handler.callback)
        app.add_handler(handler, group=group)


def _then_stop(
    callback: Callable[[Any, Any], Awaitable[Any]],
) -> Callable[[Any, Any], Awaitable[Any]]:
    """Return callback followed by ApplicationHandlerStop (after an error, see app.py)."""

    @functools.wraps(callback)
    async def handle(update: Any, context: Any) -> None:
        await callback(update, context)
        raise ApplicationHandlerStop

    return handle
