"""The sender: drains the outbox to Telegram at Telegram's limits, once per row, across crashes.

A long-running task (not a JobQueue job, whose stop would wait for a whole fan-out) reads the
head row of each chat's queue from the store in sending order, keeps a small buffer of them
in memory, and starts at most ``delivery.concurrency`` sends at a time, always for chats the
pacer says are free now, so one chat waiting out a 429 never holds up the others. A row stays
``pending`` in the store until Telegram has answered for it; the claim lives only in memory.
A crash therefore loses nothing, and repeats at most the messages that were in flight: no more
than ``concurrency``, since each task sends one message and records it before it ends.

The loop also writes big fan-outs' outbox rows, a batch per turn (store/expansion.py), with
sends and residents' commands going on between batches; a crash's leftovers are finished.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import TypeVar

from telegram import Bot
from telegram.error import RetryAfter

from ..config import Config, DeliveryConfig
from ..net.fetch import Fetcher
from ..store import Store
from ..store.outbox import Delivery, FanoutReport
from ..text.dates import utcnow
from .courier import Courier
from .courier import _seconds as retry_seconds
from .links import bot_username
from .outgoing import Composer, fanout_key
from .pacing import Pacer
from .photos import Photos

log = logging.getLogger(__name__)

# The pacer runs on a clock 2.5% slow, so every limit keeps a margin (25 ms a second) for the
# jitter between our sends and Telegram's clock: 30 msg/s become 29.25, 1 s per chat 1.025 s.
_SLOW = 0.975
_ANY_CHAT = 0  # no Telegram chat has id 0: the pacer's time for it is the global one
_IDLE_WAKE = 30.0  # seconds the loop sleeps at most
_SAME_TIME = 0.002  # seconds: two pacer readings this close are the same moment
_LATE = 0.005  # seconds past its slot after which a send takes a new one
_MAX_BATCH = 4096  # chat heads held in memory at most
_FANOUT_CHECK = 1.0  # seconds between looks at whether an open fan-out has settled

T = TypeVar("T")


def pacer_for(
    delivery: DeliveryConfig, sleep: Callable[[float], Awaitable[None]] | None = None
) -> Pacer:
    """Return a pacer for the configured limits (0 turns one off), each with its margin.

    ``sleep`` waits seconds of the pacer's clock (the default simply sleeps them).
    """
    return Pacer(
        delivery.messages_per_second or None,
        delivery.private_interval_seconds,
        delivery.group_interval_seconds,
        clock=_pacer_clock,
        sleep=sleep or (lambda seconds: asyncio.sleep(seconds / _SLOW)),
    )


def _pacer_clock() -> float:
    """Return the time on the pacer's (slow) clock."""
    return time.monotonic() * _SLOW


class Sender:
    """Send every pending outbox row to Telegram, paced, retried and recorded.

    The bot's connection pool must allow ``delivery.concurrency`` requests at once (the
    Application's default of 256 does; a bare ``Bot`` has a pool of 1).
    """

    def __init__(
        self,
        bot: Bot,
        store: Store,
        config: Config,
        fetcher: Fetcher | None = None,
        *,
        retry_base: float = 1.0,
        look_every: float = 30.0,
    ) -> None:
        """Send with bot from store's outbox; fetcher downloads photos Telegram cannot fetch.

        ``retry_base`` is the first backoff after a transient failure (it doubles each try);
        ``look_every`` is how often the outbox is read even when nothing wakes the sender,
        for rows queued by someone who did not call wake().
        """
        delivery = config.delivery
        self.bot = bot
        self.store = store
        self.config = config
        self.pacer = pacer_for(delivery, self._pacer_sleep)
        self.photos = Photos(bot, store, fetcher)
        self.composer = Composer(store, config, lambda: bot_username(bot))
        self.courier = Courier(
            bot,
            store,
            self.pacer,
            self.composer,
            self.photos,
            max_attempts=delivery.max_attempts,
            retry_base=retry_base,
            in_flight=lambda: len(self._claims),
        )
        self.stats = self.courier.stats  # sent, failed, blocked, retried, plain, ...
        self.reports: deque[tuple[str, int, FanoutReport]] = deque(maxlen=100)
        self._concurrency = max(delivery.concurrency, 1)
        self._look_every = look_every
        self._looked_at = -math.inf
        rate = delivery.messages_per_second
        # About two seconds of work at the rate, so a row waits little between its claim and
        # its send (a chat that left meanwhile may still get it), and each look at the outbox
        # (which reads every pending row) is shared by many sends.
        self._batch = int(min(max(2 * rate or _MAX_BATCH, 2 * self._concurrency), _MAX_BATCH))
        self._count_posts = delivery.collapse_after > 0
        self._buffer: dict[int, Delivery] = {}  # chat id -> its claimed head row
        self._claims: dict[asyncio.Task[None], set[int]] = {}  # task -> chats it holds
        self._running: dict[asyncio.Task[None], frozenset[tuple[str, int]]] = {}
        self._sending: set[asyncio.Task[None]] = set()  # in a request: stop() waits for them
        self._slots: dict[asyncio.Task[None], float] = {}  # when its pacer sleep should end
        self._followups: set[asyncio.Task[None]] = set()  # their chat may have rows due next
        self._fanouts: dict[tuple[str, int], None] = {}
        self._fanout_check_at = 0.0
        self._event = asyncio.Event()
        self._idle = asyncio.Event()
        self._dirty = True
        self._expanding = True  # a fan-out record may wait for its rows (after a crash too)
        self._expand_at = 0.0  # monotonic time of the next batch
        self._next_due: float | None = None
        self._stopping = False
        self._runner: asyncio.Task[None] | None = None

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> None:
        """Start draining the outbox in the background."""
        if self._runner is None:
            if not gc.get_freeze_count():
                # What startup allocated (the libraries: most of the heap) lives as long as
                # the process. Left out of the collector's full passes, it no longer makes
                # each pass take tens of milliseconds, long enough to bunch paced sends.
                gc.collect()
                gc.freeze()
            self._runner = asyncio.create_task(self._run(), name="sender")

    @property
    def running(self) -> bool:
        """Whether the task that drains the outbox is alive (started and not ended)."""
        return self._runner is not None and not self._runner.done()

    def wake(self) -> None:
        """Look at the outbox now: a poll has just queued new deliveries (or their record)."""
        self._dirty = True
        self._expanding = True
        self._idle.clear()
        self._event.set()

    async def wait_idle(self) -> None:
        """Return once nothing is due, claimed or being sent."""
        await self._idle.wait()

    async def stop(self, grace: float = 30.0) -> None:
        """Let the messages in flight finish and be recorded, then stop; the rest stays pending."""
        self._stopping = True
        self._event.set()
        if self._runner is not None:
            await asyncio.wait({self._runner})  # (or it ended before: a crash)
        for task in self._claims:
            if task not in self._sending:
                task.cancel()  # still waiting for its turn: nothing was sent
        if self._claims:
            _, late = await asyncio.wait(list(self._claims), timeout=grace)
            for task in late:
                task.cancel()
            if late:
                await asyncio.wait(late)
        await self.courier.flush()
        self._buffer.clear()

    # -- direct calls ------------------------------------------------------------------

    async def paced(self, chat_id: int, call: Callable[[Bot], Awaitable[T]], weight: int = 1) -> T:
        """Make one Bot API call to chat_id (an edit, an album of weight photos) in its turn.

        The outbox's sends and these calls share one pacer, so together they keep the global
        and per-chat limits: a progress message edited every few seconds while its chat also
        receives the broadcast, alerts to an admin who is also a subscriber. A 429 holds the
        chat back for the outbox too, and is raised to the caller.
        """
        task = asyncio.current_task()
        try:
            await self.pacer.acquire(chat_id, weight)
        finally:
            if task is not None:
                self._slots.pop(task, None)  # noted by _pacer_sleep for the outbox's sends only
        try:
            return await call(self.bot)
        except RetryAfter as exc:
            self.pacer.defer_chat(chat_id, retry_seconds(exc))
            raise

    # -- the loop ----------------------------------------------------------------------

    async def _run(self) -> None:
        while not self._stopping:
            self._event.clear()
            delay = _IDLE_WAKE
            try:
                now = time.monotonic()
                if self._next_due is not None and now >= self._next_due:
                    self._next_due = None
                    self._dirty = True
                if now - self._looked_at >= self._look_every:
                    self._dirty = self._expanding = True  # the periodic safety look
                if self._expanding and now >= self._expand_at:
                    # A batch of a big fan-out's rows, then the store is the others' as long: a
                    # command needing it two or three times waits for one batch, not three.
                    self._expanding = await self.store.expand_fanouts()
                    self._expand_at, self._dirty = 2 * time.monotonic() - now, True
                if self._dirty and len(self._buffer) < self._batch // 2 + 1:
                    await self._refill()
                if self._stopping:
                    break
                delay = self._dispatch()
                await self._report_fanouts()
            except Exception:
                log.exception("sender: reading the outbox failed; trying again in 5 s")
                delay, self._dirty = 5.0, True
                self._expand_at = time.monotonic() + delay
            if not self._dirty:
                delay = min(delay, max(self._looked_at + self._look_every - time.monotonic(), 0))
            if self._next_due is not None:
                delay = min(delay, max(self._next_due - time.monotonic(), 0.0))
            if self._fanouts:  # so the last fan-out's line is not held back by an idle wait
                delay = min(delay, max(self._fanout_check_at - time.monotonic(), 0.05))
            if self._expanding:
                delay = min(delay, max(self._expand_at - time.monotonic(), 0.0))
            if not self._buffer and not self._claims and not self._dirty and not self._expanding:
                self._idle.set()
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(delay):
                    await self._event.wait()

    async def _refill(self) -> None:
        """Claim the next due chat heads from the store into the buffer."""
        self._dirty = False
        self._looked_at = time.monotonic()
        room = self._batch - len(self._buffer)
        held = set(self._buffer).union(*self._claims.values())
        rows, next_due = await self.store.due_deliveries(
            utcnow(), room, held, count_posts=self._count_posts
        )
        for row in rows:
            if row.chat_id not in self._buffer and not any(
                row.chat_id in chats for chats in self._claims.values()
            ):
                self._buffer[row.chat_id] = row
                self._fanouts[fanout_key(row)] = None
        if len(rows) == room:
            self._dirty = True  # more are due than the buffer took
        if next_due is not None:
            self._next_due = time.monotonic() + (next_due - utcnow()).total_seconds()
        if rows:
            self._idle.clear()
            # An urgent row read now goes before older ones already buffered.
            self._buffer = dict(
                sorted(
                    self._buffer.items(),
                    key=lambda item: (-item[1].priority, item[1].ordered_at, item[1].id),
                )
            )

    def _dispatch(self) -> float:
        """Start sends for buffered chats that are free; return seconds until one may be."""
        room = self._concurrency - len(self._claims)
        if not self._buffer or room <= 0:
            return _IDLE_WAKE
        # "Now", or the next global slot; a chat free by then (give or take the clock's
        # progress between two readings) goes now.
        now = self.pacer.next_free_at(_ANY_CHAT) + _SAME_TIME
        earliest = math.inf
        ready = []
        for chat_id, row in self._buffer.items():
            free_at = self.pacer.next_free_at(chat_id)
            if free_at > now:
                earliest = min(earliest, free_at)  # deferred or spacing: others go first
                continue
            ready.append(row)
            if len(ready) == room:
                break
        for row in ready:
            del self._buffer[row.chat_id]
            claim = {row.chat_id}
            task = asyncio.create_task(self._deliver(row, claim), name=f"delivery-{row.id}")
            self._claims[task] = claim
            task.add_done_callback(self._release)
        if len(ready) == room or earliest == math.inf:
            return _IDLE_WAKE  # a finished send wakes the loop
        return max((earliest - _pacer_clock()) / _SLOW, 0.001)

    def _release(self, task: asyncio.Task[None]) -> None:
        """Free the chats of a finished send, so their next rows can be claimed."""
        self._claims.pop(task, None)
        self._running.pop(task, None)
        self._sending.discard(task)
        self._slots.pop(task, None)
        if task in self._followups:
            self._followups.discard(task)
            self._dirty = True
        self._event.set()

    # -- one delivery ------------------------------------------------------------------

    async def _deliver(self, row: Delivery, claim: set[int]) -> None:
        """Send one claimed row (or the list it heads) and record what Telegram said."""
        ids: tuple[int, ...] = (row.id,)
        task = asyncio.current_task()
        assert task is not None
        # Only a chat with more rows, or a row put back, changes what is due once the send
        # is over; otherwise the store need not be read again (after a fan-out: every chat).
        self._followups.add(task)
        try:
            outgoing = await self.composer.compose(row)
            if outgoing is None:
                self._followups.discard(task)
                return  # its article or broadcast was deleted, and the row with it
            ids = outgoing.ids
            self._running[task] = outgoing.keys
            for key in outgoing.keys:
                self._fanouts[key] = None
            settled = await self.courier.deliver(row, outgoing, claim, self._pace)
            if settled and row.queued <= len(ids):
                self._followups.discard(task)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("delivery %d to chat %d crashed", row.id, row.chat_id)
            with contextlib.suppress(Exception):
                await self.courier.retry_later(ids, row.attempts, f"internal error: {exc!r}")

    async def _pace(self, chat_id: int) -> None:
        """Wait for the chat's turn; from then on the task is sending and stop() waits for it."""
        task = asyncio.current_task()
        assert task is not None
        self._sending.discard(task)
        while True:
            self._slots.pop(task, None)
            await self.pacer.acquire(chat_id)
            slot = self._slots.pop(task, None)
            if self._stopping:
                raise asyncio.CancelledError  # the row stays pending: nothing was sent
            if slot is None or _pacer_clock() - slot <= _LATE:
                break
            # The process was held up (a pause, a busy machine) well past the slot: sent now,
            # this message would crowd the next second. It takes a fresh slot instead.
            self.stats["late"] += 1
        self._sending.add(task)

    async def _pacer_sleep(self, seconds: float) -> None:
        """Sleep for the pacer, noting when the sleep should end: the send's slot."""
        task = asyncio.current_task()
        if task is not None:
            self._slots[task] = _pacer_clock() + seconds
        await asyncio.sleep(seconds / _SLOW)

    # -- visibility --------------------------------------------------------------------

    async def _report_fanouts(self) -> None:
        """Log one line for each article or broadcast whose deliveries have all settled."""
        now = time.monotonic()
        if not self._fanouts or now < self._fanout_check_at:
            return
        self._fanout_check_at = now + _FANOUT_CHECK
        active = {fanout_key(r) for r in self._buffer.values()}
        active.update(*self._running.values())
        for kind, ident in [k for k in self._fanouts if k not in active]:
            report = await self.store.fanout_report(**{f"{kind}_id": ident})
            if report.pending or report.expanding:
                continue  # some rows wait for a retry, or are still to be written
            del self._fanouts[(kind, ident)]
            self.reports.append((kind, ident, report))
            log.info(
                "fan-out %s=%d recipients=%d sent=%d failed=%d blocked=%d cancelled=%d "
                "seconds=%.1f",
                kind,
                ident,
                report.recipients,
                report.sent,
                report.failed,
                report.blocked,
                report.cancelled,
                report.seconds,
            )
