"""Each host's turns at being fetched from: at most ``per_host`` requests at once, their
starts ``page_delay`` apart. Hosts nobody is using are forgotten as the table grows."""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

# Hosts whose limits are kept before the first sweep of idle ones: photos come from any host,
# so the table would otherwise grow with every image server the bot ever met.
_HOSTS_SWEPT_AT = 256


@dataclass
class _Host:
    """One host's limits: requests in flight, and when the next one may start."""

    slot: asyncio.Semaphore
    next_start: float = -math.inf
    users: int = 0  # requests holding or waiting for the slot


class HostTurns:
    """The fetcher's per-host limits: a slot to hold for each request, and pacing."""

    def __init__(self, per_host: int, page_delay: float) -> None:
        self.per_host = per_host
        self.page_delay = page_delay
        self._hosts: dict[str, _Host] = {}
        self._sweep_at = _HOSTS_SWEPT_AT

    @property
    def remembered(self) -> int:
        """Return how many hosts' limits are still kept."""
        return len(self._hosts)

    @asynccontextmanager
    async def turn(self, host: str) -> AsyncIterator[None]:
        """Hold one of host's slots for a request, once page_delay allows it to start."""
        state = self._hosts.get(host)
        if state is None:
            self._forget_idle_hosts()
            state = self._hosts[host] = _Host(asyncio.Semaphore(self.per_host))
        state.users += 1
        try:
            async with state.slot:
                await self._pace(state)
                yield
        finally:
            state.users -= 1

    def _forget_idle_hosts(self) -> None:
        """Forget hosts nobody is fetching from and free to start, once the table has doubled.

        A forgotten host starts afresh, which is what it would be allowed anyway.
        """
        if len(self._hosts) < self._sweep_at:
            return
        now = asyncio.get_running_loop().time()
        idle = [h for h, s in self._hosts.items() if not s.users and s.next_start <= now]
        for host in idle:
            del self._hosts[host]
        self._sweep_at = max(_HOSTS_SWEPT_AT, 2 * len(self._hosts))

    async def _pace(self, state: _Host) -> None:
        """Wait until page_delay has passed since the last request to the host started."""
        if self.page_delay <= 0:
            return
        now = asyncio.get_running_loop().time()
        # Reserving the start time before sleeping keeps concurrent callers in a queue.
        start = max(now, state.next_start)
        state.next_start = start + self.page_delay
        if start > now:
            await asyncio.sleep(start - now)
