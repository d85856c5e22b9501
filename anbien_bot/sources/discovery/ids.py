"""The id_pattern a source needs when its article URLs carry an id the default key misses.

The default key (articleurls.py) knows the usual platforms' ids; a portal that names its id
otherwise (``?ma_tin=1330``, ``/bai/1330``) gets a pattern, tried on the listing's URLs and kept
only if it gives each article an id of its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from ...text.urls import canonical_url
from ..articleurls import article_key

# Where platforms put an article's id, for sources whose URLs the default id misses.
ID_IN_PATH = (
    r"/node/(\d+)",
    r"/post/(\d+)",
    r"-(\d+)\.aspx",
    r"/(\d{3,})/[^/]+$",
    r"/(\d{3,})/?$",
)


def infer_id_pattern(urls: Sequence[str]) -> str | None:
    """Return an id_pattern for article URLs that carry an id the default misses."""
    if len(urls) < 2 or any(article_key(u) != (canonical_url(u) or u) for u in urls):
        return None  # the default finds the id, or there are too few URLs to tell
    queries = [dict(_params(u)) for u in urls]
    names = set.intersection(*(set(q) for q in queries))
    patterns = [
        rf"[?&]{re.escape(n)}=(\d+)" for n in sorted(names, key=lambda n: "id" not in n.lower())
    ]
    patterns += list(ID_IN_PATH)
    for pattern in patterns:
        ids = [m[1] if (m := re.search(pattern, u)) else None for u in urls]
        if all(ids) and len(set(ids)) == len(ids):
            return pattern
    return None


def _params(url: str) -> Iterable[tuple[str, str]]:
    query = url.partition("?")[2].partition("#")[0]
    for part in query.split("&"):
        name, _, value = part.partition("=")
        if name and value.isdigit():
            yield name, value
