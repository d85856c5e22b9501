"""What ``anbien-bot discover`` prints: a ready [[sources]] block amid TOML comments.

Everything but the block is a comment, so the whole output can be appended to a config file
as it is (``anbien-bot discover URL >> config.toml``) and read back by a TOML parser.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ...models import Entry
from ...text.dates import format_vn
from ...text.vntext import cut_at_word
from .run import Discovery, FeedFound

_SHOWN = 160  # characters of a lead that are printed
_ITEMS_SHOWN = 5
_ENTRIES_SHOWN = 3


def render(discovery: Discovery, table: Mapping[str, Any] | None) -> str:
    """Return the report of a discovery, with the block (``table``) if one was made."""
    lines = [f"anbien-bot discover {discovery.asked}"]
    if discovery.url and discovery.url != discovery.asked:
        lines.append(f"reached {discovery.url}")
    if discovery.title or discovery.platform:
        built = f", built with {discovery.platform}" if discovery.platform else ""
        lines.append(f"the page: {discovery.title or '(no title)'}{built}")
    if discovery.feeds:
        lines.append("feeds looked for:")
        lines += [f"  {line}" for feed in discovery.feeds for line in _feed_lines(feed)]
    elif discovery.title:
        lines.append("feeds: the page declares none and links to none")
    if discovery.feed is None and discovery.items:
        lines += _listing_lines(discovery)
    if discovery.problem:
        lines.append(f"nothing usable: {discovery.problem}")
    out = [_comment(line) for line in lines]
    out.append(_comment(f"{discovery.requests} requests made"))
    if table is None:
        return "\n".join(out) + "\n"
    out += ["#", _comment(_verdict(discovery)), "", *toml_block(table), ""]
    out += [_comment(line) for line in _fields_lines(discovery)]
    return "\n".join(out) + "\n"


def toml_block(table: Mapping[str, Any]) -> list[str]:
    """Return a [[sources]] block as TOML lines, its selectors as a sub-table."""
    lines = ["[[sources]]"]
    nested = {k: v for k, v in table.items() if isinstance(v, Mapping)}
    lines += [f"{k} = {_value(v)}" for k, v in table.items() if k not in nested]
    for key, values in nested.items():
        lines.append(f"[sources.{key}]")
        lines += [f"{k} = {_value(v)}" for k, v in values.items()]
    return lines


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(str(value), ensure_ascii=False)  # a JSON string is a TOML string


def _comment(line: str) -> str:
    """Return line as one TOML comment line, its indentation kept."""
    return f"# {' '.join(line.splitlines())}".rstrip()


def _feed_lines(feed: FeedFound) -> list[str]:
    if not feed.ok:
        return [f"✗ {feed.url} ({feed.why}): {feed.error}"]
    lines = [
        f"✓ {feed.url} ({feed.why}): {len(feed.entries)} items, {feed.matches} of them on the page"
    ]
    newest = sorted(
        feed.entries, key=lambda e: e.published.timestamp() if e.published else 0, reverse=True
    )
    for entry in newest[:_ENTRIES_SHOWN]:
        when = format_vn(entry.published) if entry.published else "(no date)"
        lines.append(f"    {when}  {cut_at_word(entry.title, 90)}")
    return lines


def _listing_lines(discovery: Discovery) -> list[str]:
    count = len(discovery.items)
    lines = [f"the listing: {count} articles; next page: {discovery.next_page or '(none found)'}"]
    for item in discovery.items[:_ITEMS_SHOWN]:
        when = format_vn(item.published) if item.published else "(no date)"
        lines.append(f"  {when}  {cut_at_word(item.title or '(no title)', 70)}  {item.url}")
    for url, why in discovery.skipped:
        lines.append(f"  not read: {url}: {why}")
    return lines


def _verdict(discovery: Discovery) -> str:
    if discovery.feed is not None:
        return f"chosen: the feed {discovery.feed.url}. The block for the config file:"
    needed = ", ".join([*discovery.needed, *(["id_pattern"] if discovery.id_pattern else [])])
    why = "no feed found carries" if any(f.ok for f in discovery.feeds) else "no feed found for"
    read = (
        f"The defaults were not enough for: {needed}."
        if needed
        else "The defaults read every field: no selectors needed."
    )
    chosen = f"chosen: the HTML pages ({why} this page's articles)."
    return f"{chosen} {read} The block for the config file:"


def _fields_lines(discovery: Discovery) -> list[str]:
    entries: tuple[Entry, ...] = discovery.articles
    if discovery.feed is not None:
        entries = entries or discovery.feed.entries[:_ENTRIES_SHOWN]
        lines = [
            "what residents will get from the newest items of the feed (an item without photo "
            "or summary completed from its page, as a poll does):"
        ]
    else:
        lines = ["what residents will get from the first articles (read now with this block):"]
    for number, entry in enumerate(entries, 1):
        lines.append(f"  {number}. title  {entry.title or '(none)'}")
        lines.append(f"     date   {format_vn(entry.published) if entry.published else '(none)'}")
        lead = cut_at_word(entry.summary, _SHOWN) if entry.summary else "(none)"
        lines.append(f"     lead   {lead}")
        lines.append(f"     photo  {entry.image_url or '(none)'}")
        if entry.author:
            lines.append(f"     author {entry.author}")
    if discovery.feed is not None:
        lines += [f"  not read: {url}: {why}" for url, why in discovery.skipped]
    return lines
