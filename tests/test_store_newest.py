"""Store.newest, which the Atom feeds read: the newest articles of one category or of all,
newest published first, however they were stored."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from anbien_bot.models import Entry
from anbien_bot.store import Store

NOW = datetime(2026, 11, 3, 8, 0, tzinfo=UTC)


def entry(n: int) -> Entry:
    return Entry(
        key=str(n),
        url=f"https://xa.gov.vn/tin/{n}.html",
        title=f"Tin số {n}",
        published=NOW - timedelta(hours=n),
    )


async def test_the_newest_come_first_whatever_order_they_were_stored_in(store: Store) -> None:
    numbers = list(range(40))
    random.Random(3).shuffle(numbers)  # a backfill stores old news after new
    for n in numbers:
        category = "thong-bao" if n % 2 else "tin-tuc"
        await store.store_entries(category, [category], [entry(n)], now=NOW, plan=None)
    everything = await store.newest(None, 10)
    assert [a.title for a in everything] == [f"Tin số {n}" for n in range(10)]
    odd = await store.newest("thong-bao", 5)
    assert [a.title for a in odd] == [f"Tin số {n}" for n in (1, 3, 5, 7, 9)]
    assert all(a.categories == ("thong-bao",) for a in odd)
    assert await store.newest("khong-co", 5) == []
