"""Discovering how to read an unknown portal from one of its pages (``anbien-bot discover``).

Feeds first: the page's own ``<link rel="alternate">``, feed links on it, then the places its
platform keeps them (feedlinks.py), each verified by parsing; the chosen feed's newest items
are shown as a poll stores them (thin ones completed from their pages). Without a usable feed, the
listing on the page (repeated blocks of article links, blocks.py), its next-page link
(paging.py), and two articles read with the defaults; a selector is inferred only where the
defaults disagree with what the listing shows of an article (fields.py). run.py fetches,
ids.py infers an ``id_pattern`` where the default key misses an id, report.py prints the
``[[sources]]`` block, command.py is the command line's side.
"""

from __future__ import annotations

from .run import Discovery, FeedFound, discover, discover_pages

__all__ = ["Discovery", "FeedFound", "discover", "discover_pages"]
