"""poll: read the sources now and print what is new, without Telegram."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from ..config import Config
from ..text.dates import format_vn
from .status import EXIT_FAILED

if TYPE_CHECKING:
    from ..sources.ingest import Ingestor


@asynccontextmanager
async def open_ingestor(config: Config, *, one_shot: bool = False) -> AsyncIterator[Ingestor]:
    """Open the store and the fetcher for a command that reads sources, and close them after.

    ``one_shot``: see Ingestor.
    """
    from ..sources.ingest import Ingestor, fetcher_for
    from ..store import Store

    store = await Store.open(config.storage.database, config.archive.files_dir)
    try:
        async with fetcher_for(config) as fetcher:
            yield Ingestor(config, store, fetcher, one_shot=one_shot)
    finally:
        await store.close()


async def poll(config: Config, *, once: bool) -> int:
    """Poll every source (once, or at the interval until stopped) and print new articles.

    Once: the status is 1 when a source failed, and the polling schedule the running bot
    keeps (failures in a row, backoff, next poll time) is left alone.
    """
    names = config.category_names
    async with open_ingestor(config, one_shot=once) as ingestor:
        while True:
            outcomes = await ingestor.poll_due(force=once)
            for outcome in outcomes:
                if outcome.error:
                    print(f"! {outcome.source}: {outcome.error}", file=sys.stderr)
                for article_id in outcome.result.new:
                    article = await ingestor.store.article(article_id)
                    if article is None:
                        continue
                    cats = ", ".join(names.get(c, c) for c in article.categories)
                    print(
                        f"{format_vn(article.published)}  [{cats}]  {article.title}  {article.url}"
                    )
            if once:
                return EXIT_FAILED if any(o.error for o in outcomes) else 0
            await asyncio.sleep(min(config.polling.interval_seconds, 30))
