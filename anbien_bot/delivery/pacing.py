"""Pacing of outgoing messages so the sender stays inside Telegram's flood limits.

Telegram asks for at most ~30 messages per second overall, one per second to a private chat
and 20 per minute to a group or channel. python-telegram-bot's ``AIORateLimiter`` lets the
first 20 messages to a group out at once, has no per-private-chat limit, and halts every
request of the bot while one chat serves its 429. The ``Pacer`` here instead:

* spaces sends evenly, 1/rate apart from the first one (virtual scheduling, no burst), and
  also keeps a one-second log so a media group can never push a window over the rate;
* gives each chat its own interval, counted in messages, so a media group of 10 blocks its
  chat for 10 intervals;
* reserves a global slot only once the chat itself is free, so a chat that is busy or
  deferred after a 429 holds up nobody else;
* serves the callers of one chat in arrival order.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

_WINDOW = 1.0  # seconds; the global rate is a per-second limit
# Float sums of 1/rate drift by a few ulps; a microsecond of margin keeps the window exact.
_MARGIN = 1e-6
_PRUNE_FLOOR = 1024  # chats tracked before the first sweep of forgotten ones


@dataclass(slots=True)
class _ChatState:
    """What the pacer remembers of one chat: when it is free again and who is waiting."""

    free_at: float
    users: int = 0  # acquires in flight; a chat in use is never pruned
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class Pacer:
    """Decide when each message may go so that global, per-chat and 429 limits all hold.

    All times are on ``clock``; ``sleep`` waits on the same clock, so tests can inject a
    virtual one. The pacer only schedules: the caller sends right after ``acquire`` returns.
    """

    def __init__(
        self,
        global_rate: float | None = 30.0,
        private_interval: float = 1.0,
        group_interval: float = 3.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        """Set the limits: messages per second overall, and seconds between two per chat."""
        if global_rate is not None and global_rate < 0:
            raise ValueError(f"global_rate must be positive or None, not {global_rate}")
        if private_interval < 0 or group_interval < 0:
            raise ValueError("chat intervals must not be negative")
        self._rate = float(global_rate or 0.0)
        self._emission = 1.0 / self._rate if self._rate else 0.0
        self._private_interval = private_interval
        self._group_interval = group_interval
        self._clock = clock
        self._sleep = sleep
        self._next_slot = -math.inf
        self._window: deque[tuple[float, int]] = deque()  # (send time, weight), booked order
        self._window_weight = 0
        self._pause_until = -math.inf
        self._chats: dict[int, _ChatState] = {}
        self._prune_at = _PRUNE_FLOOR

    def __len__(self) -> int:
        """Return how many chats the pacer still remembers."""
        return len(self._chats)

    async def acquire(self, chat_id: int, weight: int = 1) -> None:
        """Wait until weight messages (a media group counts its items) may go to chat_id."""
        if weight < 1:
            raise ValueError(f"weight must be at least 1, not {weight}")
        interval = self._interval(chat_id)
        state = self._chats.get(chat_id)
        if state is None and not interval:
            # Nothing to remember for this chat: only the global limits apply.
            if self._emission or self._pause_until > self._clock():
                await self._wait_turn(None, weight)
            return
        if state is None:
            self._prune_if_large()
            state = self._chats[chat_id] = _ChatState(free_at=-math.inf)
        state.users += 1
        try:
            async with state.lock:  # FIFO: callers of one chat go in arrival order
                sent_at = await self._wait_turn(state, weight)
                state.free_at = max(state.free_at, sent_at + weight * interval)
        finally:
            state.users -= 1

    def defer_chat(self, chat_id: int, seconds: float) -> None:
        """Hold back chat_id for seconds (its RetryAfter) while other chats keep going."""
        until = self._clock() + seconds
        state = self._chats.get(chat_id)
        if state is None:
            if seconds <= 0:
                return
            self._prune_if_large()
            self._chats[chat_id] = _ChatState(free_at=until)
        elif until > state.free_at:
            state.free_at = until

    def slow_down(self, seconds: float) -> None:
        """Hold back every send for seconds, for a flood signal that is not about one chat."""
        self._pause_until = max(self._pause_until, self._clock() + seconds)

    def migrate_chat(self, old_id: int, new_id: int) -> None:
        """Carry old_id's spacing and deferral over to new_id (a group became a supergroup)."""
        old = self._chats.get(old_id)
        if old is None or old_id == new_id:
            return
        new = self._chats.get(new_id)
        if new is None:
            self._chats[new_id] = _ChatState(free_at=old.free_at)
        else:
            new.free_at = max(new.free_at, old.free_at)
        if not old.users:  # callers still queued on the old id finish under it
            del self._chats[old_id]

    def next_free_at(self, chat_id: int) -> float:
        """Return the earliest time an acquire for chat_id could return, on the pacer's clock.

        Acquires already queued for the chat are not counted; a free chat gets "now" (or the
        next global slot), so a sender can serve the chats with the smallest value first.
        """
        at = max(self._clock(), self._pause_until)
        if self._emission and self._next_slot > at:
            at = self._next_slot
        state = self._chats.get(chat_id)
        if state is not None and state.free_at > at:
            at = state.free_at
        return at

    def _interval(self, chat_id: int) -> float:
        """Return the minimum seconds between two messages to chat_id."""
        # Positive ids are users; groups, supergroups and channels are negative.
        return self._private_interval if chat_id > 0 else self._group_interval

    async def _wait_turn(self, state: _ChatState | None, weight: int) -> float:
        """Sleep until the chat is free and a global slot for weight is due; return that time."""
        while True:
            ready = self._pause_until
            if state is not None and state.free_at > ready:
                ready = state.free_at
            if self._clock() < ready:
                await self._sleep_until(ready)
                continue  # a deferral or flood signal may have arrived meanwhile
            if not self._emission:
                return self._clock()
            # The slot is booked only now that the chat is free: a busy chat must not sit on
            # a slot that another chat could use.
            await self._sleep_until(self._book(self._clock(), weight))
            now = self._clock()
            held = now < self._pause_until or (state is not None and now < state.free_at)
            if not held:
                return now
            # The booked slot stays counted: conservative, and it only happens after a 429.

    async def _sleep_until(self, target: float) -> None:
        """Sleep until the clock reaches target, even if a sleep ends a little early."""
        while (delay := target - self._clock()) > 0:
            await self._sleep(delay)

    def _book(self, now: float, weight: int) -> float:
        """Return the first global send time for weight messages from now on, and book it."""
        start = max(now, self._next_slot)
        window = self._window
        while window:
            first_at, first_weight = window[0]
            if start - first_at > _WINDOW + _MARGIN / 2:
                window.popleft()
                self._window_weight -= first_weight
            elif self._window_weight + weight > self._rate:
                # A media group after a run of singles would overfill this second: wait
                # until the oldest send leaves it.
                start = first_at + _WINDOW + _MARGIN
            else:
                break
        window.append((start, weight))
        self._window_weight += weight
        self._next_slot = start + weight * self._emission
        return start

    def _prune_if_large(self) -> None:
        """Forget idle chats whose free time has passed, once the table has doubled."""
        if len(self._chats) < self._prune_at:
            return
        now = self._clock()
        stale = [c for c, s in self._chats.items() if not s.users and s.free_at <= now]
        for chat_id in stale:
            del self._chats[chat_id]
        self._prune_at = max(_PRUNE_FLOOR, 2 * len(self._chats))
