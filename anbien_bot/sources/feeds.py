"""RSS and Atom bytes to normalised entries: plain text, repaired URLs, UTC dates.

feedparser only ever gets bytes here: given a string it may fetch it, blocking and without a
timeout. Fetching belongs to the caller.
"""

from __future__ import annotations

import calendar
import hashlib
import re
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any

import feedparser

from ..models import Entry, body_text
from ..text.dates import VN_TZ, parse_vietnamese_datetime
from ..text.plaintext import first_image_src, html_to_text
from ..text.urls import absolute_url, canonical_url
from ..text.vntext import clean_line, clean_paragraphs
from .articletext import signed_name
from .feedbody import ItemBody, item_body

_TITLE_WORDS = 12
# feedparser reads "05-06-2020" as 20 June 2005 (an ISO 8601 guess): day-first dates are ours.
_DAY_FIRST = re.compile(r"(?<!\d)\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4}(?!\d)")
_ZERO_ZONE = re.compile(r"(?:\b(?:GMT|UTC|UT)|(?<=\d)Z|[+-]00:?00)\s*$", re.IGNORECASE)
_NAMED_ZONE = re.compile(r"(?:[+-]\d{2}:?\d{2}|\b[ECMP][SD]T)\s*$", re.IGNORECASE)
_ZERO_ZONE_ANYWHERE = re.compile(r"\b(?:GMT|UTC)\b(?!\s*[+-]\d)|[+-]00:?00\b", re.IGNORECASE)
_IMAGE_PATH = re.compile(r"\.(?:jpe?g|png|gif|webp|bmp|avif)$", re.IGNORECASE)
# feedparser's sanitiser drops the invalid "</br>" that portals write, gluing two paragraphs
# together; as "<br/>" (escaped or inside CDATA) it survives as the break it was meant to be.
_BAD_BREAK = re.compile(rb"</br\s*>", re.IGNORECASE)
_BAD_BREAK_ESCAPED = re.compile(rb"&lt;/br\s*&gt;", re.IGNORECASE)
_HTML_PAGE = re.compile(rb"<!doctype\s+html|<html[\s>]|<body[\s>]", re.IGNORECASE)


class FeedError(Exception):
    """The body is not a usable feed: an HTML page, an empty response or garbage."""


def parse_feed(
    body: bytes, *, url: str, content_type: str = "", times_are_local: bool = False
) -> list[Entry]:
    """Parse a feed's bytes into entries, skipping items too broken to use.

    ``times_are_local`` says the feed stamps Vietnam wall-clock times as GMT.
    """
    if not body.strip():
        raise FeedError("empty response, not a feed")
    headers = {"content-location": url}
    if content_type:
        headers["content-type"] = content_type
    body = _BAD_BREAK_ESCAPED.sub(b"&lt;br/&gt;", _BAD_BREAK.sub(b"<br/>", body))
    try:
        parsed = feedparser.parse(body, response_headers=headers)
    except Exception as exc:  # feedparser has crashed on odd bytes before; it is still no feed
        raise FeedError(f"unreadable feed ({type(exc).__name__})") from exc
    # A bozo feed that still yields a version or items (bad encoding label, a truncated tail,
    # a stray control character) is kept: residents would rather get what parsed.
    if not parsed.get("version") and not parsed.entries:
        raise FeedError(_why_not_a_feed(body))
    site = canonical_url(parsed.feed.get("link") or "") or canonical_url(url)
    entries: list[Entry] = []
    seen: set[str] = set()
    for item in parsed.entries:
        try:
            entry = _entry(item, feed_url=url, site=site, times_are_local=times_are_local)
        except Exception:  # one malformed item must not hide the rest of the feed
            continue
        if entry is not None and entry.key not in seen:
            seen.add(entry.key)
            entries.append(entry)
    return entries


def _why_not_a_feed(body: bytes) -> str:
    """Return one short line saying why body is not a feed."""
    if _HTML_PAGE.search(body[:2048]):
        return "an HTML page, not a feed"
    return "neither RSS nor Atom"


def _entry(
    item: Mapping[str, Any], *, feed_url: str, site: str, times_are_local: bool
) -> Entry | None:
    """Return one feed item as an Entry, or None if it has neither title nor link."""
    link = canonical_url(item.get("link") or "")
    summary_html = item.get("summary") or ""
    contents = item.get("content") or ()
    content_detail = max(contents, key=lambda c: len(c.get("value") or ""), default=None)
    content_html = (content_detail.get("value") or "") if content_detail else ""
    summary = _text(item.get("summary_detail"), summary_html)
    content = _text(content_detail, content_html)
    title = clean_line(_text(item.get("title_detail"), item.get("title") or ""))
    if not title:
        title = _title_from(summary or content)
    if not title and not link:
        return None
    raw_date = _own(item, "published") or _own(item, "updated") or ""
    key = (item.get("id") or "").strip() or link
    if not key:
        key = hashlib.sha1((title + raw_date).encode("utf-8")).hexdigest()
    whole = ItemBody()
    if content_html and (content_detail or {}).get("type") != "text/plain":
        whole = item_body(content_html, link or feed_url, title)
    return Entry(
        key=key,
        url=link or site,
        title=title or link,
        summary=summary or content,
        image_url=_image(item, feed_url, (summary_html, content_html)),
        published=_published(item, times_are_local),
        body=body_text(whole.blocks)
        if whole.blocks
        else max(content, summary, key=len)
        if content
        else "",
        author=_author(item) or signed_name(whole.author),
        attachments=whole.attachments,
        blocks=whole.blocks,
    )


def _author(item: Mapping[str, Any]) -> str:
    """Return who signed the item: the name of "mail@host (Name)", not a CMS account.

    WordPress and Drupal put the account that posted it in dc:creator ("quantri").
    """
    detail = item.get("author_detail") or {}
    return signed_name(html_to_text(detail.get("name") or item.get("author") or ""))


def _own(item: Mapping[str, Any], key: str) -> Any:
    """Return item[key] as the feed gave it, or None.

    feedparser answers a missing "updated" with "published" plus a DeprecationWarning.
    """
    return dict.get(item, key) if isinstance(item, dict) else item.get(key)


def _text(detail: Mapping[str, Any] | None, value: str) -> str:
    """Return the plain text of a feed text construct, reading it as HTML unless it says plain."""
    if detail is not None and detail.get("type") == "text/plain":
        return clean_paragraphs(value)
    return html_to_text(value)


def _title_from(text: str) -> str:
    """Return the first words of text as a stand-in title for an item that has none."""
    words = text.split()
    head = " ".join(words[:_TITLE_WORDS])
    return head + "…" if len(words) > _TITLE_WORDS else head


def _published(item: Mapping[str, Any], times_are_local: bool) -> datetime | None:
    """Return when the item was published, as aware UTC, or None if it carries no date."""
    for parsed_key, raw_key in (("published_parsed", "published"), ("updated_parsed", "updated")):
        found = _stamp(_own(item, raw_key) or "", _own(item, parsed_key), times_are_local)
        if found is not None:
            return found
    return None


def _stamp(raw: str, parsed: Any, times_are_local: bool) -> datetime | None:
    """Return one feed date as aware UTC, from feedparser's reading or, failing that, ours."""
    if not parsed or _DAY_FIRST.search(raw):
        return _vietnamese(raw, times_are_local) if raw else None
    try:
        instant = datetime.fromtimestamp(calendar.timegm(parsed), UTC)
    except (OverflowError, ValueError, OSError):
        return None
    # feedparser reads a time without a zone (or an unknown one, like "ICT") as UTC; on
    # Vietnamese feeds such times are local, as are "GMT" ones on feeds known to mislabel.
    zero = _ZERO_ZONE.search(raw) is not None
    named = zero or _NAMED_ZONE.search(raw) is not None
    if not named or (zero and times_are_local):
        instant = instant.replace(tzinfo=VN_TZ).astimezone(UTC)
    return instant


def _vietnamese(raw: str, times_are_local: bool) -> datetime | None:
    """Return a date written the Vietnamese way, local unless the text names a real offset."""
    if times_are_local:
        raw = _ZERO_ZONE_ANYWHERE.sub(" ", raw)
    return parse_vietnamese_datetime(raw)


def _image(item: Mapping[str, Any], base: str, fragments: tuple[str, ...]) -> str | None:
    """Return the item's picture: enclosure, then media:content, thumbnail, first <img>."""
    for href in _image_candidates(item, fragments):
        url = absolute_url(href, base)
        if url is not None:
            return url
    return None


def _image_candidates(item: Mapping[str, Any], fragments: tuple[str, ...]) -> Iterator[str]:
    """Yield the addresses that may be the item's picture, best first."""
    for enclosure in item.get("enclosures") or ():
        href = enclosure.get("href") or ""
        if _is_image(enclosure.get("type"), href, assume=False):
            yield href
    for media in item.get("media_content") or ():
        href = media.get("url") or ""
        if _is_image(media.get("type") or media.get("medium"), href, assume=True):
            yield href
    for thumbnail in item.get("media_thumbnail") or ():
        yield thumbnail.get("url") or ""
    for fragment in fragments:
        src = first_image_src(fragment)
        if src:
            yield src


def _is_image(kind: str | None, href: str, *, assume: bool) -> bool:
    """Return True if a typed link is a picture; untyped ones by extension, or by assumption."""
    if not href:
        return False
    if kind:
        return kind.lower().startswith("image")
    path = href.split("?", 1)[0].split("#", 1)[0]
    return assume or _IMAGE_PATH.search(path) is not None
