"""A small client of the Telegraph API (https://telegra.ph/api): accounts and pages.

Every call is a POST whose form carries the parameters, so the access token travels in a
request body, never in an address that a log line or an error could quote. Telegraph answers
``{"ok": true, "result": ...}`` or ``{"ok": false, "error": "FLOOD_WAIT_7"}``; its error
names are its API's contract, so they are what the caller is told.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

import httpx

_FLOOD_WAIT = re.compile(r"^FLOOD_WAIT_(\d+)$")
_TIMEOUT = 30.0  # seconds for one call; a page is at most 64 KB of content
_USER_AGENT = "anbien-bot/0.1"


class TelegraphError(Exception):
    """A call to Telegraph that did not give its result."""


class TelegraphUnavailable(TelegraphError):
    """Telegraph could not be reached, or answered something that is not its API's answer."""


class TelegraphRefused(TelegraphError):
    """Telegraph answered with an error, named as its API names it (``CONTENT_TOO_BIG``)."""

    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


class FloodWait(TelegraphRefused):
    """Telegraph asks for a pause of ``seconds`` before the next call (``FLOOD_WAIT_<n>``)."""

    def __init__(self, error: str, seconds: int) -> None:
        super().__init__(error)
        self.seconds = seconds


@dataclass(frozen=True, slots=True)
class TelegraphPage:
    """A page on Telegraph: its address and its path (what follows https://telegra.ph/)."""

    url: str
    path: str


@dataclass(frozen=True, slots=True)
class TelegraphAccount:
    """A new Telegraph account: the token to publish with, and a one-time login link."""

    short_name: str
    access_token: str
    auth_url: str  # logs a browser into the account on telegra.ph; valid once, for 5 minutes

    def __repr__(self) -> str:
        return f"TelegraphAccount(short_name={self.short_name!r})"


class TelegraphClient:
    """Calls the Telegraph API at ``api_url`` (https://api.telegra.ph, or a test's fake)."""

    def __init__(self, api_url: str, access_token: str = "") -> None:
        self._api = api_url.rstrip("/")
        self._token = access_token
        self._http = httpx.AsyncClient(
            timeout=httpx.Timeout(_TIMEOUT), headers={"User-Agent": _USER_AGENT}
        )

    def __repr__(self) -> str:
        return f"TelegraphClient({self._api!r})"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connections."""
        await self._http.aclose()

    async def create_account(
        self, short_name: str, author_name: str = "", author_url: str = ""
    ) -> TelegraphAccount:
        """Create an account and return it with its access token."""
        fields = {"short_name": short_name, "author_name": author_name, "author_url": author_url}
        result = await self._call("createAccount", fields, token=False)
        try:
            return TelegraphAccount(
                str(result["short_name"]), str(result["access_token"]), str(result["auth_url"])
            )
        except (KeyError, TypeError):
            raise TelegraphUnavailable("createAccount answered without an account") from None

    async def create_page(
        self, title: str, content: str, *, author_name: str = "", author_url: str = ""
    ) -> TelegraphPage:
        """Create a page from content, the JSON of its nodes (delivery.telegraph writes it)."""
        fields = {"title": title, "content": content}
        fields |= {"author_name": author_name, "author_url": author_url}
        return _page(await self._call("createPage", fields))

    async def get_page(self, path: str) -> dict[str, Any]:
        """Return a page with its content (nodes), as Telegraph keeps it."""
        result = await self._call("getPage/" + path, {"return_content": "true"}, token=False)
        if not isinstance(result, dict):
            raise TelegraphUnavailable("getPage answered without a page")
        return result

    async def _call(self, method: str, fields: dict[str, str], *, token: bool = True) -> Any:
        if token:
            fields = {"access_token": self._token, **fields}
        fields = {k: v for k, v in fields.items() if v}
        name = method.split("/", 1)[0]
        try:
            response = await self._http.post(f"{self._api}/{method}", data=fields)
            answer = response.json()
        except httpx.HTTPError as exc:
            raise TelegraphUnavailable(f"{name}: {type(exc).__name__}: {exc}") from None
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise TelegraphUnavailable(f"{name}: HTTP {response.status_code}, not JSON") from None
        if not isinstance(answer, dict) or "ok" not in answer:
            raise TelegraphUnavailable(f"{name}: HTTP {response.status_code}, not an API answer")
        if answer["ok"] is True:
            return answer.get("result")
        error = str(answer.get("error", "UNKNOWN_ERROR"))[:200]
        wait = _FLOOD_WAIT.match(error)
        if wait:
            raise FloodWait(error, int(wait[1]))
        raise TelegraphRefused(error)


def _page(result: Any) -> TelegraphPage:
    if not isinstance(result, dict) or not result.get("url") or not result.get("path"):
        raise TelegraphUnavailable("createPage answered without a page")
    return TelegraphPage(str(result["url"]), str(result["path"]))
