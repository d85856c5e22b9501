"""What an article's URL says about it: the id that names it, and whether a link is one.

Portal platforms put the article's id in the path (``/trang/TinTuc/17/1009/slug.html``,
``slug-468686.aspx``, ``/node/10489``, ``/tabid/255/post/3011/slug.aspx``, Joomla's
``/245-slug``) or in the query string (``ItemID=``, ``id_news=``, ``ID=``, Joomla's
``id=245:slug``). The slug beside it changes when an editor retitles the article; the id
does not, so the id is the article's identity. Listings use the same shapes to tell article
links from menus, categories, tags and pages of the listing itself.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

from ..text.urls import canonical_url

# In the path, most specific first; each has one group, the id.
_PATH_IDS = (
    re.compile(r"/TinTuc/\d+/(\d+)(?:/|\.html?$|$)", re.I),  # SharePoint friendly URLs
    re.compile(r"/node/(\d+)(?:/|$)"),  # Drupal without an alias
    re.compile(r"/(?:posts?|articleid|article|newsid|news|itemid|tinid)/(\d+)(?:/|$|\.)", re.I),
    re.compile(r"/\d+/(\d+)/[^/]*[a-z][^/]*\.(?:html?|aspx?|php|jsp)$", re.I),  # /cat/id/slug
    re.compile(r"[a-z0-9]-(\d{3,})\.(?:html?|aspx?|php|jsp|htm)$", re.I),  # slug-468686.aspx
    re.compile(r"/(\d+)-[a-z][^/]*?(?:\.html?)?$", re.I),  # Joomla: /245-slug
)
# Query parameters that carry an article's id, most specific first (compared lowercased).
_QUERY_IDS = (
    "id_news",
    "newsid",
    "news_id",
    "idtin",
    "id_tin",
    "articleid",
    "article_id",
    "postid",
    "post_id",
    "itemid",  # SharePoint's ItemID; Joomla's menu Itemid is told apart by its case
    "id",
    "p",  # WordPress's ?p=123
)
_JOOMLA_MENU = "Itemid"
_ID_VALUE = re.compile(r"(\d+)(?:[:\-][\w-]*)?$")  # "245", "245:slug", "245-slug"
# Parameters that only say how a page was reached (Liferay's way back to the listing).
_PLUMBING = re.compile(r"^(?:redirect|inheritRedirect|backURL|p_p_\w+|_\w+_(?:redirect|backURL))$")
# First path segments of taxonomies, authors, searches and listing pages, never an article.
_NOT_ARTICLE_SEGMENTS = frozenset(
    {"tag", "tags", "category", "categories", "author", "chuyen-muc", "danh-muc", "the-loai"}
    | {"taxonomy", "search", "tim-kiem", "page", "feed", "rss", "user", "login"}
)
_FILE = re.compile(r"\.(?:pdf|docx?|xlsx?|pptx?|zip|rar|7z|jpe?g|png|gif|webp|mp[34])$", re.I)
_LONG_SLUG = re.compile(r"(?:[^/-]+-){3,}[^/-]+/?$")  # four words or more
_NOT_ARTICLE_VIEWS = frozenset({"category", "categories", "section", "featured", "archive"})


def article_id(url: str) -> str | None:
    """Return the id the URL gives its article (in its path or query string), else None."""
    parts = urlsplit(url)
    for pattern in _PATH_IDS:
        if match := pattern.search(parts.path):
            return match[1]
    return _query_id(parts.query)


def article_key(url: str, id_pattern: str | None = None) -> str:
    """Return the article's stable identity: the id its URL carries, else the URL itself.

    ``id_pattern`` (a regex, its first group the id) replaces the built-in shapes. Without an
    id, the key is the canonical URL without the parameters that only say how it was reached.
    """
    if id_pattern:
        try:
            pattern = re.compile(id_pattern)
        except re.error as exc:
            message = f"id_pattern {id_pattern!r} is not a regular expression: {exc}"
            raise ValueError(message) from None
        match = pattern.search(url)
        if match:
            return (match.group(1) if pattern.groups else match.group(0)) or _plain(url)
        return _plain(url)
    return article_id(url) or _plain(url)


def url_key(url: str) -> str:
    """Return the key an article had before ids were read from URLs: its canonical URL."""
    return canonical_url(url) or url


def looks_like_article(url: str, listing_url: str) -> bool:
    """Tell whether a link on a listing page looks like one of its articles.

    An article link carries an id or a long slug, and is none of: a file, a taxonomy or
    author page, the listing itself or another page of it, a category view.
    """
    parts, here = urlsplit(url), urlsplit(listing_url)
    path = parts.path
    if _FILE.search(path) or _first_segment(path) in _NOT_ARTICLE_SEGMENTS:
        return False
    query = dict(parse_qsl(parts.query))
    if query.get("view", "").lower() in _NOT_ARTICLE_VIEWS:
        return False  # Joomla's category and section views carry an id too
    if path == here.path:  # the listing, another page of it, or an article of a script
        return _query_id(parts.query) not in (None, _query_id(here.query))
    return article_id(url) is not None or bool(_LONG_SLUG.search(path))


def _query_id(query: str) -> str | None:
    """Return the article id in a query string, by the most specific parameter present."""
    found: dict[str, str] = {}
    for name, value in parse_qsl(query):
        if name == _JOOMLA_MENU:
            continue
        found.setdefault(name.lower(), value)
    for name in _QUERY_IDS:
        if (value := found.get(name)) and (match := _ID_VALUE.match(value)):
            return match[1]
    return None


def _plain(url: str) -> str:
    """Return the canonical URL without the parameters that only say how it was reached."""
    canonical = canonical_url(url) or url
    head, _, query = canonical.partition("?")
    kept = [p for p in query.split("&") if p and not _PLUMBING.match(p.partition("=")[0])]
    return f"{head}?{'&'.join(kept)}" if kept else head


def _first_segment(path: str) -> str:
    return path.strip("/").partition("/")[0].lower()
