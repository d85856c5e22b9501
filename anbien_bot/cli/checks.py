"""check-config and health: say what the config sets up, and whether the running bot works."""

from __future__ import annotations

import sys

from ..config import Config
from ..telegraphconfig import describe_telegraph
from .status import EXIT_CONFIG, EXIT_FAILED


def check_config(config: Config) -> int:
    """Print a summary of a configuration that loaded without errors."""
    print(f"database: {config.storage.database}")
    print(f"token: {'set' if config.telegram.token else 'missing (needed for run)'}")
    print(f"admins: {len(config.telegram.admins)}")
    print(f"portal: {config.bot.portal_name}")
    print(f"polling every {config.polling.interval_seconds:g} s")
    metrics = config.metrics
    where = f"http://{_host(metrics.listen)}:{metrics.port}" if metrics.enabled else None
    print(f"metrics: {where}/metrics and /healthz" if where else "metrics: off")
    print(describe_telegraph(config.telegraph))
    names = config.category_names
    print(f"categories ({len(names)}): " + ", ".join(f"{k} = {v}" for k, v in names.items()))
    for source in config.sources:
        cats = ", ".join(source.categories)
        print(f"source {source.name!r}: {source.type} {source.url} -> {cats}")
    print("config OK")
    return 0


def health(config: Config) -> int:
    """Print what the running bot's /healthz says; 0 when it is healthy, 1 otherwise."""
    from urllib.error import HTTPError
    from urllib.request import ProxyHandler, build_opener

    metrics = config.metrics
    if not metrics.enabled:
        print("anbien-bot: the metrics port is off: set [metrics] port", file=sys.stderr)
        return EXIT_CONFIG
    host = metrics.listen
    # A bot listening everywhere is asked on loopback.
    host = {"0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
    url = f"http://{_host(host)}:{metrics.port}/healthz"
    try:
        # Straight to the bot: an HTTP_PROXY in the environment has no business here.
        with build_opener(ProxyHandler({})).open(url, timeout=10) as response:
            print(response.read().decode().strip())
            return 0
    except HTTPError as exc:
        print(f"unhealthy: {exc.read().decode().strip()}", file=sys.stderr)
    except OSError as exc:
        print(f"no answer from {url}: {getattr(exc, 'reason', exc)}", file=sys.stderr)
    return EXIT_FAILED


def _host(address: str) -> str:
    """Return an address as the host part of a URL (an IPv6 one in brackets)."""
    return f"[{address}]" if ":" in address else address
