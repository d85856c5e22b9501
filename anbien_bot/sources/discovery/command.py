"""``anbien-bot discover URL``: find how to read a portal and print its [[sources]] block.

It needs no config file; given one (or finding one where the other commands look), it takes
its polling settings (user agent, timeouts, size caps, pacing) and its category keys. It reads
like the poller, with the same Fetcher and address rules: a portal on a loopback or private
address is only read with ``--allow-private``, which the block then carries.

Exit status: 0 when the block will bring articles, 1 when nothing usable was found (the
reason is printed), 2 for bad usage (not a URL, an unknown category, a broken config).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO
from urllib.parse import urlsplit

from ...config import Config, ConfigError, PollingConfig, find_config, load_config
from ...log import setup_logging
from ...net.addresses import describe, ip_literal, is_public
from ...net.fetch import Fetcher, FetchResult
from ...text.urls import absolute_url, host_of
from ...text.vntext import cut_at_word, fold
from .report import render
from .run import Discovery, discover

EXIT_FOUND, EXIT_NOTHING, EXIT_USAGE = 0, 1, 2
_NAME_MAX = 80
PLACEHOLDER_CATEGORY = "tin-tuc"


def discover_command(
    url: str,
    *,
    config_path: Path | None = None,
    category: str | None = None,
    name: str | None = None,
    allow_private: bool = False,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
) -> int:
    """Run discover from the command line and return its exit status."""
    import asyncio

    target = _checked_url(url, err)
    if target is None:
        return EXIT_USAGE
    try:
        config = load_config(config_path) if config_path else _found_config()
    except ConfigError as exc:
        print(f"anbien-bot: config error: {exc}", file=err)
        return EXIT_USAGE
    setup_logging(secrets=[config.telegram.token] if config else [])
    known = config.category_names if config else {}
    if category is not None and known and category not in known:
        keys = ", ".join(known)
        print(
            f"anbien-bot: unknown category {category!r}; the keys of [categories] are: {keys}",
            file=err,
        )
        return EXIT_USAGE
    private = None if allow_private else _private(target)
    if private is not None:
        print(
            f"anbien-bot: discover: {target} is not read: {private} (a portal on a loopback "
            "or private network needs --allow-private)",
            file=err,
        )
        return EXIT_NOTHING
    polling = config.polling if config else PollingConfig()
    found = asyncio.run(_discover(target, polling, allow_private))
    if found.usable:
        chosen = category or _guess_category(known, found)
        table = found.source_table(_name(name, found, config), chosen, allow_private=allow_private)
        text = render(found, table)
        if not known and category is None:
            text = text.replace(
                "\n[[sources]]\n",
                f"\n# category: {PLACEHOLDER_CATEGORY!r} stands for a key of your [categories]\n"
                "[[sources]]\n",
                1,
            )
        out.write(text)
        return EXIT_FOUND
    problem = found.problem or "no feed, and no article could be read"
    out.write(render(found, None))
    print(f"anbien-bot: discover: {problem}", file=err)
    return EXIT_NOTHING


def _checked_url(url: str, err: TextIO) -> str | None:
    """Return url if it is an http(s) address; else say what is wrong and return None."""
    parts = urlsplit(url.strip())
    absolute = absolute_url(url.strip()) if parts.scheme in ("http", "https") else None
    if absolute is not None and parts.netloc:
        return absolute
    guess = f"; did you mean https://{url.strip()}" if not parts.scheme and "." in url else ""
    print(f"anbien-bot: discover: not a web address: {url!r}{guess}", file=err)
    return None


def _private(url: str) -> str | None:
    """Return what non-public address url names outright (a loopback or private IP, a
    localhost name), or None; names that resolve to one are refused by the fetcher."""
    host = host_of(url)
    if host == "localhost" or host.endswith(".localhost"):
        return f"local host {host}"
    address = ip_literal(host.strip("[]"))
    if address is not None and not is_public(address):
        return describe(address, host)
    return None


def _found_config() -> Config | None:
    """Return the config the other commands would use, or None if there is none."""
    try:
        path = find_config()
    except ConfigError:
        return None
    return load_config(path)


async def _discover(url: str, polling: PollingConfig, allow_private: bool) -> Discovery:
    """Discover url with a fetcher as polite as the poller's."""
    host = host_of(url)
    fetcher = Fetcher(
        user_agent=polling.user_agent,
        timeout=polling.timeout_seconds,
        max_bytes=polling.max_body_bytes,
        max_redirects=polling.max_redirects,
        per_host=polling.per_host_requests,
        page_delay=polling.page_delay_seconds,
        allowed_hosts={host},
        private_hosts={host} if allow_private else (),
    )

    async def get(target: str, any_public_host: bool) -> FetchResult:
        return await fetcher.fetch(target, any_public_host=any_public_host)

    async with fetcher:
        return await discover(url, get)


def _name(given: str | None, found: Discovery, config: Config | None) -> str:
    """Return the source's name: as given, else the page's title (else its host), unused."""
    name = given or cut_at_word(found.title, _NAME_MAX, "") or host_of(found.url or found.asked)
    taken = {s.name for s in config.sources} if config else set()
    base, number = name, 2
    while name in taken:
        name, number = f"{base} ({number})", number + 1
    return name


def _guess_category(known: Mapping[str, str], found: Discovery) -> str:
    """Return the configured category the page's title names, else the first one."""
    title = fold(found.title)
    named = [key for key, label in known.items() if label and fold(label) in title]
    return next(iter(named), next(iter(known), PLACEHOLDER_CATEGORY))
