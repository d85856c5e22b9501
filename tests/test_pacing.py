"""Tests of the pacer: global spacing, per-chat intervals, 429 deferral, migration, memory.

Most tests run on an event loop with virtual time: when every task waits, the loop jumps to
the next timer instead of sleeping, so minutes of pacing take milliseconds and every
timestamp is exact.
"""

from __future__ import annotations

import asyncio
import itertools
import math
import random
import selectors
import time
from collections.abc import Coroutine
from typing import Any

import pytest

from anbien_bot.delivery.pacing import Pacer

START = 10_000.0  # like a monotonic clock some hours after boot, so floats are not tiny
T = 1 / 30


class _JumpingSelector(selectors.DefaultSelector):
    """A selector that, instead of blocking for a timeout, moves virtual time past it."""

    def __init__(self) -> None:
        super().__init__()
        self.now = START

    def select(self, timeout: float | None = None) -> list[Any]:
        """Return ready events, or jump the clock to the next timer when there are none."""
        events = super().select(0)
        if events or timeout == 0:
            return events
        if timeout is None:
            raise RuntimeError("deadlock: every task waits and no timer is due")
        # nextafter: a timer a few ulps away must still move the clock.
        self.now = max(self.now + timeout, math.nextafter(self.now, math.inf))
        return []


class _VirtualTimeLoop(asyncio.SelectorEventLoop):
    """An event loop whose clock only moves when all tasks are waiting on timers."""

    def __init__(self) -> None:
        self._jumping = _JumpingSelector()
        super().__init__(self._jumping)

    def time(self) -> float:
        """Return the virtual time."""
        return self._jumping.now


def run(scenario: Coroutine[Any, Any, None]) -> None:
    """Run scenario to the end on a virtual-time loop."""
    loop = _VirtualTimeLoop()
    try:
        loop.run_until_complete(scenario)
    finally:
        loop.close()


def now() -> float:
    """Return the running loop's (virtual) time."""
    return asyncio.get_running_loop().time()


def pacer(**limits: Any) -> Pacer:
    """Return a pacer on the running loop's clock."""
    return Pacer(clock=asyncio.get_running_loop().time, **limits)


async def send(p: Pacer, chat_id: int, log: list[tuple[float, int, int]], weight: int = 1) -> None:
    """Acquire for chat_id and log (time, chat_id, weight) at the moment it may send."""
    await p.acquire(chat_id, weight)
    log.append((now(), chat_id, weight))


def busiest_second(log: list[tuple[float, int, int]]) -> int:
    """Return the most messages sent within any closed one-second window."""
    times = sorted(log)
    return max(sum(w for t, _, w in times if start <= t <= start + 1.0) for start, _, _ in times)


def gaps(log: list[tuple[float, int, int]], chat_id: int) -> list[tuple[float, int]]:
    """Return (seconds since the previous send, previous weight) for each send to chat_id."""
    mine = [(t, w) for t, c, w in log if c == chat_id]
    return [(b[0] - a[0], a[1]) for a, b in itertools.pairwise(mine)]


def test_global_rate_is_spaced_evenly_without_a_burst() -> None:
    async def scenario() -> None:
        p, log = pacer(), []
        await asyncio.gather(*(send(p, chat, log) for chat in range(1, 101)))
        times = sorted(t for t, _, _ in log)
        assert busiest_second(log) == 30
        assert times[-1] - times[0] == pytest.approx(99 / 30, abs=1e-3)
        assert times[1] - times[0] == pytest.approx(T)  # the second message does not burst
        assert times[0] == START

    run(scenario())


def test_sustained_throughput_reaches_the_limit() -> None:
    async def scenario() -> None:
        p, log = pacer(global_rate=30), []
        for chat in range(1, 601):
            await send(p, chat, log)
        span = log[-1][0] - log[0][0]
        assert 599 / span >= 0.97 * 30
        assert busiest_second(log) <= 30

    run(scenario())


def test_private_chat_gets_one_message_per_second() -> None:
    async def scenario() -> None:
        p, log = pacer(), []
        for _ in range(4):
            await send(p, 42, log)
        assert [g for g, _ in gaps(log, 42)] == pytest.approx([1.0, 1.0, 1.0])

    run(scenario())


def test_group_and_channel_get_one_message_per_three_seconds() -> None:
    async def scenario() -> None:
        p, log = pacer(), []
        await asyncio.gather(*(send(p, -1001234567890, log) for _ in range(4)))
        assert [g for g, _ in gaps(log, -1001234567890)] == pytest.approx([3.0, 3.0, 3.0])

    run(scenario())


def test_media_group_counts_as_its_size() -> None:
    async def scenario() -> None:
        p, log = pacer(), []
        await send(p, 7, log, weight=3)
        await send(p, 7, log)
        await send(p, 8, log, weight=10)
        await send(p, 9, log)
        assert gaps(log, 7)[0][0] == pytest.approx(3.0)  # three photos block the chat 3 s
        assert log[3][0] - log[2][0] == pytest.approx(10 * T)  # and ten use ten global slots

    run(scenario())


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_mixed_weights_and_chats_keep_every_limit(seed: int) -> None:
    rng = random.Random(seed)
    chats = [rng.choice([rng.randint(1, 40), -rng.randint(1, 15)]) for _ in range(150)]
    weights = [rng.choice([1, 1, 1, 2, 5, 10]) for _ in chats]

    async def scenario() -> None:
        p, log = pacer(), []
        await asyncio.gather(*(send(p, c, log, w) for c, w in zip(chats, weights, strict=True)))
        assert busiest_second(log) <= 30
        for chat in set(chats):
            interval = 1.0 if chat > 0 else 3.0
            for gap, previous_weight in gaps(log, chat):
                assert gap >= previous_weight * interval - 1e-9
            # Same chat: first come, first served.
            assert [w for _, c, w in log if c == chat] == [
                w for c, w in zip(chats, weights, strict=True) if c == chat
            ]

    run(scenario())


def test_group_of_ten_after_singles_waits_for_the_window() -> None:
    async def scenario() -> None:
        p, log = pacer(), []
        for chat in range(1, 26):
            await send(p, chat, log)
        await send(p, 100, log, weight=10)
        assert busiest_second(log) <= 30
        assert log[-1][0] - log[0][0] > 1.0 - 10 * T  # not right after the 25th single

    run(scenario())


def test_deferred_chat_waits_while_others_proceed() -> None:
    async def scenario() -> None:
        p, log = pacer(), []
        await send(p, 1, log)
        p.defer_chat(1, 5.0)
        waiting = asyncio.create_task(send(p, 1, log))
        await asyncio.sleep(0)  # the deferred chat queues first
        await send(p, 2, log)
        assert log[-1] == (pytest.approx(START + T), 2, 1)
        await waiting
        assert log[-1][1] == 1
        assert log[-1][0] == pytest.approx(START + 5.0)

    run(scenario())


def test_deferral_arriving_during_a_wait_is_honoured() -> None:
    async def scenario() -> None:
        p, log = pacer(), []
        await send(p, 1, log)
        waiting = asyncio.create_task(send(p, 1, log))
        await asyncio.sleep(0.5)
        p.defer_chat(1, 4.0)  # the first message got a 429
        await waiting
        assert log[-1][0] == pytest.approx(START + 4.5)

    run(scenario())


def test_slow_down_pauses_every_chat() -> None:
    async def scenario() -> None:
        p, log = pacer(), []
        tasks = [asyncio.create_task(send(p, chat, log)) for chat in range(1, 41)]
        await asyncio.sleep(0.5)
        p.slow_down(2.0)
        await asyncio.gather(*tasks)
        times = [t for t, _, _ in log]
        # The virtual clock is exact to a few ulps, hence the microsecond of slack.
        assert not [t for t in times if START + 0.5 + 1e-6 < t < START + 2.5 - 1e-6]
        assert min(t for t in times if t > START + 1.0) == pytest.approx(START + 2.5)
        assert len(times) == 40
        assert busiest_second(log) <= 30

    run(scenario())


def test_migrated_group_keeps_its_spacing() -> None:
    async def scenario() -> None:
        p, log = pacer(), []
        await send(p, -555, log)
        p.migrate_chat(-555, -1000000000555)
        assert p.next_free_at(-555) < START + 1.0  # the old id is forgotten
        await send(p, -1000000000555, log)
        assert log[1][0] - log[0][0] == pytest.approx(3.0)

    run(scenario())


def test_next_free_at_tells_busy_chats_from_free_ones() -> None:
    async def scenario() -> None:
        p, log = pacer(), []
        await send(p, 1, log)
        p.defer_chat(2, 10.0)
        assert p.next_free_at(1) == pytest.approx(START + 1.0)
        assert p.next_free_at(2) == pytest.approx(START + 10.0)
        assert p.next_free_at(3) == pytest.approx(START + T)  # the next global slot

    run(scenario())


def test_idle_chats_are_forgotten() -> None:
    async def scenario() -> None:
        p, log = pacer(global_rate=30, group_interval=3.0), []
        p.defer_chat(10**9, 3600.0)  # a long RetryAfter must survive the sweeps
        largest = 0
        for chat in range(1, 12_001):
            await send(p, chat if chat % 3 else -chat, log)
            largest = max(largest, len(p))
        assert largest <= 1100
        assert p.next_free_at(10**9) == pytest.approx(START + 3600.0)

    run(scenario())


def test_busy_chat_does_not_hold_up_the_others() -> None:
    async def scenario() -> None:
        p, log = pacer(), []
        started = now()
        tasks = [send(p, 999, log) for _ in range(5)]
        tasks += [send(p, chat, log) for chat in range(1, 51)]
        await asyncio.gather(*tasks)
        others = [t for t, c, _ in log if c != 999]
        assert len(others) == 50
        assert max(others) - started <= 55 * T  # no waiting behind chat 999's seconds
        # Once free again, chat 999 takes the next global slot behind those booked earlier.
        assert all(g >= 1.0 for g, _ in gaps(log, 999))
        assert max(t for t, c, _ in log if c == 999) - started <= 4.0 + 55 * T
        assert busiest_second(log) <= 30

    run(scenario())


def test_cancelled_waiter_frees_its_place() -> None:
    async def scenario() -> None:
        p, log = pacer(), []
        await send(p, 1, log)
        doomed = asyncio.create_task(send(p, 1, log))
        await asyncio.sleep(0.2)
        follower = asyncio.create_task(send(p, 1, log))
        await asyncio.sleep(0.3)
        doomed.cancel()
        await follower
        assert doomed.cancelled()
        assert log[-1][0] == pytest.approx(START + 1.0)

    run(scenario())


def test_disabled_pacer_never_waits_or_remembers() -> None:
    async def refuse(_: float) -> None:
        raise AssertionError("a disabled pacer must not sleep")

    async def scenario() -> None:
        p = Pacer(global_rate=None, private_interval=0, group_interval=0, sleep=refuse)
        for chat in (1, 1, -5, 7):
            await p.acquire(chat, weight=10)
        assert len(p) == 0

    run(scenario())


def test_invalid_limits_are_refused() -> None:
    with pytest.raises(ValueError):
        Pacer(global_rate=-1)
    with pytest.raises(ValueError):
        Pacer(private_interval=-0.5)

    async def scenario() -> None:
        with pytest.raises(ValueError):
            await Pacer().acquire(1, weight=0)

    run(scenario())


async def test_default_clock_and_sleep_pace_in_real_time() -> None:
    p = Pacer(global_rate=1000, private_interval=0.02, group_interval=0.05)
    started = time.monotonic()
    await asyncio.gather(*(p.acquire(1) for _ in range(3)), p.acquire(-1), p.acquire(-1))
    assert time.monotonic() - started >= 0.05
