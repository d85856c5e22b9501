"""The poller: a task that runs a round of polls every tick, one round at a time.

A task of its own rather than a JobQueue job, for two reasons. JobQueue.stop waits for a
running job, so a source that accepts a connection and never answers would hold the bot's
stop for its whole timeout; a round in progress is simply abandoned here (a poll is
repeatable: what it stored is committed, the rest is read again next time). And a round
that outlasts its tick made APScheduler log a warning at every tick; here the next round
just waits for the last, and the overrun is logged once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Collection
from typing import Generic, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


class Poller(Generic[T]):
    """Run ``poll()`` every ``tick`` seconds, then ``after(what it returned)``.

    ``poll`` is abandoned (cancelled) at stop; ``after`` (telling the admins of a source
    that went down, say) is given ``grace`` seconds to finish. ``reading()`` names what a
    round still waits for, for the log line of a round that outlasts its tick.
    """

    def __init__(
        self,
        poll: Callable[[], Awaitable[T]],
        after: Callable[[T], Awaitable[None]],
        *,
        tick: float,
        first: float = 1.0,
        reading: Callable[[], Collection[str]] = tuple,
    ) -> None:
        self._poll = poll
        self._after = after
        self._tick = tick
        self._first = first
        self._reading = reading
        self._runner: asyncio.Task[None] | None = None
        self._polling = False  # in poll(), which a stop abandons at once
        self._stop = asyncio.Event()
        self.rounds = 0  # rounds finished

    @property
    def running(self) -> bool:
        """Whether the polling task is alive (started and not ended)."""
        return self._runner is not None and not self._runner.done()

    def start(self) -> None:
        """Start polling in the background."""
        if self._runner is None:
            self._runner = asyncio.create_task(self._run(), name="poller")

    async def stop(self, grace: float = 3.0) -> None:
        """Stop: a poll in progress is abandoned, what follows it gets ``grace`` seconds."""
        self._stop.set()
        runner = self._runner
        if runner is None or runner.done():
            return
        if self._polling:
            runner.cancel()
        _, late = await asyncio.wait({runner}, timeout=grace)
        if late:
            runner.cancel()
            await asyncio.wait({runner})

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        delay = self._first
        while not await self._stopped_within(delay):
            started = loop.time()
            overrun = loop.call_later(self._tick, self._note_overrun)
            try:
                await self._round()
            except Exception:  # a surprise in one round must not end the polling
                log.exception("poll round failed; the next one comes at the next tick")
            finally:
                overrun.cancel()
            delay = max(self._tick - (loop.time() - started), 0.0)

    async def _round(self) -> None:
        self._polling = True
        try:
            result = await self._poll()
        finally:
            self._polling = False
        if not self._stop.is_set():
            await self._after(result)
        self.rounds += 1

    async def _stopped_within(self, seconds: float) -> bool:
        """Wait seconds, or less if stopped meanwhile; return whether it was stopped."""
        try:
            async with asyncio.timeout(seconds):
                await self._stop.wait()
        except TimeoutError:
            return False
        return True

    def _note_overrun(self) -> None:
        names = ", ".join(repr(name) for name in sorted(self._reading())) or "no source"
        log.warning(
            "poll round still running after %g s (the tick), waiting for %s; "
            "the next round starts when it ends",
            self._tick,
            names,
        )
