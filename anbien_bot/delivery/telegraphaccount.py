"""`anbien-bot telegraph-account NAME`: create the Telegraph account the bot publishes with.

Its access token is printed once, on stdout, for the admin to put where the bot runs; it is
never logged. Run it once: every run creates another account.
"""

from __future__ import annotations

import sys

from ..config import Config
from ..net.telegraph import TelegraphClient, TelegraphError
from ..telegraphconfig import DEFAULT_TELEGRAPH_API, TELEGRAPH_TOKEN_ENV

_SHORT_NAME = 32  # Telegraph's limit


async def create_account_command(config: Config, short_name: str) -> int:
    """Create an account named short_name, print its token and what to do next; 0 if done."""
    short_name = short_name.strip()
    if not 1 <= len(short_name) <= _SHORT_NAME:
        print(f"anbien-bot: NAME must be 1 to {_SHORT_NAME} characters", file=sys.stderr)
        return 2
    telegraph = config.telegraph
    api_url = telegraph.api_url if telegraph else DEFAULT_TELEGRAPH_API
    author = telegraph.author_name if telegraph else config.bot.portal_name[:128]
    author_url = telegraph.author_url if telegraph else ""
    async with TelegraphClient(api_url) as client:
        try:
            account = await client.create_account(short_name, author, author_url)
        except TelegraphError as exc:
            print(f"anbien-bot: Telegraph did not create the account: {exc}", file=sys.stderr)
            return 1
    print(
        f"created the Telegraph account {account.short_name!r}, publishing as {author!r}.\n"
        "Its access token, shown this once (keep it secret: it edits every page):\n\n"
        f"  {account.access_token}\n\n"
        "next:\n"
        f"  1. where the bot runs: export {TELEGRAPH_TOKEN_ENV}='<the token above>'\n"
        "     (or access_token in [telegraph]; add an empty [telegraph] table if there is none)\n"
        "  2. anbien-bot check-config, then restart the bot: it publishes every article\n"
        f"to see the account's pages in a browser, open within 5 minutes: {account.auth_url}"
    )
    return 0
