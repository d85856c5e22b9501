"""The listing on a portal page: repeated blocks that each link to one article.

A listing is siblings of one kind (rows, list items, divs) that each hold a link to an
article-looking URL, usually with a date, often with a thumbnail and a summary. The biggest
such group inside the content wins over menus and "most read" boxes. What a block shows of
its article (title, date, summary, thumbnail) is the evidence the article's page is later
read against, and the selector that picks exactly these links is checked here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from ...models import Selectors
from ...text.dates import parse_vietnamese_datetime
from ...text.urls import absolute_url, canonical_url, host_of
from ...text.vntext import clean_line, fold
from ..articletext import clean_text
from ..htmlpage import Element, date_of, find_links, outside
from ..listing import parse_listing
from .css import classes, own_selectors

# An article's URL carries an id in its path or query, or a slug of four words or more.
_ID_IN_PATH = re.compile(r"/\d{3,}(?:/|\.\w+$|$)|[-_]\d{3,}(?:\.\w+)?/?$|/(?:node|post)/\d+")
_ID_IN_QUERY = re.compile(r"(?:^|&)(?:\w*id\w*|p|news|tin|bai)=\d+(?:&|$)", re.I)
_SLUG = re.compile(r"/[^/]*-[^/]*-[^/]*-[^/]+/?$")
_NOT_ARTICLE = re.compile(
    r"\.(?:pdf|docx?|xlsx?|pptx?|zip|rar|jpe?g|png|gif|mp[34]|css|js|xml|rss)$|/(?:tag|author)/",
    re.I,
)
_MIN_ITEMS = 3
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_READ_MORE = re.compile(r"(?:xem|doc) (?:tiep|them|chi tiet)|chi tiet|read more|more\b")
_LINKS_MAX = 500
_GROUP_MAX = 200  # boxes of one name; more is a grid of something else
_IDENT = re.compile(r"[A-Za-z][\w-]*")
_DEPTH = 6
_DATE_NAMES = re.compile(r"date|time|ngay|created|posted|publish", re.I)
_SUMMARY_MIN = 30
_ELLIPSIS = re.compile(r"\s*(?:\[\s*(?:…|\.\.\.|&hellip;)\s*\]|…|\.\.\.)\s*$")
# Thumbnails that stand for "no picture".
_PLACEHOLDER = re.compile(r"no[-_]?(?:image|img|photo|pic)|noimage|default|blank|spacer", re.I)


@dataclass(frozen=True)
class ListedArticle:
    """An article as a listing block shows it."""

    url: str
    title: str
    published: datetime | None = None
    summary: str = ""
    thumbnail: str | None = None


@dataclass(frozen=True)
class Listing:
    """The listing found on a page, and the selectors that pick it where the defaults do not."""

    items: tuple[ListedArticle, ...]
    item_css: str | None = None  # picks exactly the items' links
    date_css: str | None = None  # inside an item: the element showing its date


def looks_like_article(url: str, page_url: str) -> bool:
    """Tell whether url, on the page's site, looks like an article rather than a menu entry.

    The page's own path with another query is the page again (its pager, a sort order),
    unless the query names an article.
    """
    if host_of(url) != host_of(page_url):
        return False
    path, query = _path_and_query(url)
    if _NOT_ARTICLE.search(path):
        return False
    if _ID_IN_QUERY.search(query):
        return True
    if path == _path_and_query(page_url)[0]:
        return False
    return bool(_ID_IN_PATH.search(path) or _SLUG.search(path))


def _path_and_query(url: str) -> tuple[str, str]:
    path, _, query = url.split("://", 1)[-1].partition("/")[2].partition("?")
    return "/" + path, query.partition("#")[0]


def find_listing(root: Element, html: bytes, page_url: str) -> Listing | None:
    """Return the page's listing, or None if no block repeats three times or more."""
    links: dict[Element, str] = {}
    for a in find_links(root):
        url = absolute_url(a.get("href", ""), page_url)
        if (
            url
            and looks_like_article(url, page_url)
            and canonical_url(url) != canonical_url(page_url)
        ):
            links[a] = canonical_url(url)
            if len(links) == _LINKS_MAX:
                break  # a listing has dozens; thousands mean a hostile page, not more news
    siblings = _sibling_groups(links)
    # Boxes that share a name count only where no siblings repeat: a second box of the same
    # portlet elsewhere on the page is not part of the listing.
    taken = {box for group in siblings for box in group}
    named = [g for g in _named_groups(root, links) if sum(b in taken for b in g) * 2 < len(g)]
    groups = siblings + named
    scored = []
    for boxes in groups:
        items = [_item(box, links, page_url) for box in boxes]
        scored.append((_score(boxes, items), boxes, items))
    if not scored:
        return None
    _, boxes, items = max(scored, key=lambda found: found[0])
    unique = tuple({canonical_url(i.url): i for i in reversed(items)}.values())[::-1]
    defaults = {canonical_url(i.url) for i in parse_listing(html, page_url, Selectors())}
    block = {canonical_url(i.url) for i in unique}
    others = {
        u for group in groups if group is not boxes for box in group for u in _urls(box, links)
    }
    item_css = None
    if _better_than(defaults, block, others - block):
        item_css = _item_css(html, boxes, links, page_url)
    date_css = _date_css(html, page_url, boxes, unique, item_css)
    return Listing(unique, item_css, date_css)


def _better_than(defaults: set[str], block: set[str], boxed: set[str]) -> bool:
    """Tell whether the block found here should replace the links the defaults find.

    When the defaults find nothing or only part of the block, yes. When they find other
    links too, only if each sits in a box of its own (``boxed``: a "most read" list beside
    the listing) or has a URL unlike the block's (another category, a menu entry): never
    when it is one of the listing's own stragglers (a "more articles" line under it).
    """
    if block == defaults:
        return False
    if not defaults or defaults < block:
        return True
    kin = _family(block)
    return all(url in boxed or not kin(url) for url in defaults - block)


def _family(urls: Iterable[str]) -> Callable[[str], bool]:
    """Return a test for URLs shaped like these: the same path segments and query keys where
    these all agree (a category id), anything where they differ (the article's id, slug)."""
    shapes = [_shape(url) for url in urls]
    segments = {len(path) for path, _ in shapes}
    if len(segments) != 1:
        return lambda url: True
    fixed = [
        values.pop() if len(values := {path[i] for path, _ in shapes}) == 1 else None
        for i in range(segments.pop())
    ]
    keys = set.intersection(*(set(query) for _, query in shapes))
    same = {k: v.pop() for k in keys if len(v := {query[k] for _, query in shapes}) == 1}

    def kin(url: str) -> bool:
        path, query = _shape(url)
        if len(path) != len(fixed) or any(
            f is not None and f != p for f, p in zip(fixed, path, strict=False)
        ):
            return False
        return all(query.get(k) == v for k, v in same.items())

    return kin


def _shape(url: str) -> tuple[list[str], dict[str, str]]:
    path, query = _path_and_query(url)
    params = dict(part.partition("=")[::2] for part in query.split("&") if part)
    return path.strip("/").split("/"), params


def _sibling_groups(links: dict[Element, str]) -> list[list[Element]]:
    """Return groups of sibling boxes that each hold links to one article, three or more."""
    seen: set[tuple[Element, str]] = set()
    groups = []
    for a in links:
        node = a
        for _ in range(_DEPTH):
            parent = node.getparent()
            # A level seen from a sibling's link was judged, and so were those above it.
            if parent is None or (parent, node.tag) in seen:
                break
            seen.add((parent, node.tag))
            boxes = [c for c in parent if c.tag == node.tag and _urls(c, links)]
            owned = [set(_urls(b, links)) for b in boxes]
            if len({next(iter(u)) for u in owned if len(u) == 1}) >= _MIN_ITEMS:
                # A box linking to several articles is a section, not an item.
                groups.append([b for b, u in zip(boxes, owned, strict=True) if len(u) == 1])
                break
            node = parent
    return groups


def _named_groups(root: Element, links: dict[Element, str]) -> list[list[Element]]:
    """Return groups of boxes anywhere on the page that share a name and one article each.

    A blog layout puts its first story in a "leading" box and the others in rows of
    columns: no siblings repeat, but every story is an ``[itemprop=blogPost]`` or an
    ``.item``.
    """
    named: dict[str, list[Element]] = {}
    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag == "a":
            continue
        for key in item_names(el):
            named.setdefault(key, []).append(el)
    groups = []
    for boxes in named.values():
        if len(boxes) < _MIN_ITEMS or len(boxes) > _GROUP_MAX:
            continue
        chosen = set(boxes)
        owned = [
            box
            for box in boxes
            if len(set(_urls(box, links))) == 1
            and not any(a in chosen for a in box.iterancestors())
        ]
        if len({_urls(box, links)[0] for box in owned}) >= _MIN_ITEMS:
            groups.append(owned)
    return groups


def item_names(el: Element) -> list[str]:
    """Return the selectors naming what el is: its classes and its schema.org item property."""
    names = [f"{el.tag}.{name}" for name in classes(el)]
    prop = el.get("itemprop", "")
    if _IDENT.fullmatch(prop):
        names.append(f"{el.tag}[itemprop='{prop}']")
    return names


def _urls(box: Element, links: dict[Element, str]) -> list[str]:
    """Return the article URLs box links to (box may be the link itself)."""
    return [links[a] for a in box.iter("a") if a in links]


def _score(boxes: Sequence[Element], items: Sequence[ListedArticle]) -> float:
    """Return how much a group looks like the page's listing: many items, dated, in content."""
    count = len({i.url for i in items})
    dated = sum(1 for i in items if i.published) / max(len(items), 1)
    summarised = any(i.summary or i.thumbnail for i in items)
    place = 0.3 if outside(boxes[0]) else 1.0
    return count * (1 + dated) * (1.2 if summarised else 1.0) * place


def _item(box: Element, links: dict[Element, str], page_url: str) -> ListedArticle:
    """Return what one listing box shows of its article."""
    title_link = _title_link([a for a in box.iter("a") if a in links])
    title = clean_line(clean_text(title_link.text_content())) or clean_line(
        title_link.get("title", "")
    )
    date_el = _date_element(box)
    published = date_of(date_el) if date_el is not None else None
    if published is None:
        published = parse_vietnamese_datetime(" ".join(_texts(box, skip=())))
    thumbnail = next(
        (
            url
            for img in box.iter("img")
            if (url := absolute_url(img.get("data-src") or img.get("src"), page_url))
            and not _PLACEHOLDER.search(url.rpartition("/")[2])
        ),
        None,
    )
    summary = clean_line(clean_text(" ".join(_texts(box, skip=(date_el,)))))
    summary = _ELLIPSIS.sub("", summary)
    return ListedArticle(
        url=absolute_url(title_link.get("href"), page_url) or links[title_link],
        title=title,
        published=published,
        summary=summary if len(summary) >= _SUMMARY_MIN else "",
        thumbnail=thumbnail,
    )


def _title_link(anchors: Sequence[Element]) -> Element:
    """Return the link of a box that carries its title: in a heading, else not a "read more"
    link (whose hidden text may repeat the title), else the one with the longest text."""
    headed = [a for a in anchors if any(p.tag in _HEADINGS for p in a.iterancestors())]
    plain = [a for a in anchors if not _READ_MORE.match(fold(clean_line(a.text_content())))]
    chosen = headed or plain or list(anchors)
    return max(chosen, key=lambda a: len(clean_line(a.text_content())))


def _date_element(box: Element) -> Element | None:
    """Return the element of a box that shows its date: named so, else the shortest dated."""
    dated = []
    for el in box.iter():
        if not isinstance(el.tag, str) or el.tag == "a" or find_links(el):
            continue
        named = _DATE_NAMES.search(f"{el.get('class', '')} {el.get('id', '')}")
        if (named or el.tag == "time") and date_of(el):
            return el
        text = el.text_content()
        if len(text) < 80 and parse_vietnamese_datetime(text):
            dated.append((len(text), el))
    return min(dated, key=lambda found: found[0])[1] if dated else None


def _texts(box: Element, skip: Iterable[Element | None]) -> list[str]:
    """Return the texts of box outside its links and the elements skipped."""
    skipped = {el for el in skip if el is not None}
    found = []
    for text in box.xpath(".//text()[not(ancestor::a)][not(ancestor::script)]"):
        parent = text.getparent()
        owner = parent.getparent() if text.is_tail else parent
        if owner is None or owner in skipped or any(a in skipped for a in owner.iterancestors()):
            continue
        found.append(str(text))
    return found


def _item_css(
    html: bytes, boxes: Sequence[Element], links: dict[Element, str], page_url: str
) -> str | None:
    """Return a selector that picks the title links of exactly these boxes, if one does."""
    wanted = {u for box in boxes for u in _urls(box, links)}
    tag = boxes[0].tag
    shared = set.intersection(*(set(item_names(b)) for b in boxes))
    named = sorted(shared)
    items = [*named, tag] if all(b.tag == tag for b in boxes) else named
    inner = _link_paths(boxes[0], links)
    parent = boxes[0].getparent()
    outer = own_selectors(parent)[:3] if parent is not None else []
    for ancestor in list(parent.iterancestors())[:3] if parent is not None else []:
        outer += own_selectors(ancestor)[:2]
    tried = [f"{item} {link}".strip() for item in named for link in inner]
    tried += [f"{o} > {item} {link}".strip() for o in outer for item in items for link in inner]
    tried += [f"{o} {item} {link}".strip() for o in outer for item in items for link in inner]
    for css in dict.fromkeys(tried):
        found = parse_listing(html, page_url, Selectors(item=css))
        if {canonical_url(i.url) for i in found} == wanted:
            return css
    return None


def _link_paths(box: Element, links: dict[Element, str]) -> list[str]:
    """Return selectors, relative to box, for its title link."""
    if box.tag == "a":
        return [""]
    title_link = _title_link([a for a in box.iter("a") if a in links])
    paths = []
    for ancestor in title_link.iterancestors():
        if ancestor is box:
            break
        paths += [f"{outer} a" for outer in own_selectors(ancestor)[:2]]
        paths.append(f"{ancestor.tag} a")
    paths.append("a")
    return list(dict.fromkeys(paths))


def _date_css(
    html: bytes,
    page_url: str,
    boxes: Sequence[Element],
    items: Sequence[ListedArticle],
    item_css: str | None,
) -> str | None:
    """Return an item_date selector if the listing shows dates that the defaults miss."""
    want = {canonical_url(i.url): i.published for i in items if i.published}
    if not want:
        return None
    selectors = Selectors(item=item_css)
    read = parse_listing(html, page_url, selectors)
    if all(i.published == want.get(canonical_url(i.url), i.published) for i in read):
        return None
    date_el = _date_element(boxes[0])
    for css in own_selectors(date_el) if date_el is not None else []:
        read = parse_listing(html, page_url, Selectors(item=item_css, item_date=css))
        if all(i.published == want.get(canonical_url(i.url)) for i in read):
            return css
    return None
