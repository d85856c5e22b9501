"""Loopback fake of the Telegraph API (aiohttp), reached through [telegraph] api_url.

It keeps accounts and pages, answers createAccount, createPage and getPage as
https://telegra.ph/api describes them, and refuses what Telegraph refuses: an unknown access
token, a title over 256 characters, content that is not an array of nodes of Telegraph's
tags with href/src attributes, and content whose JSON, as received, is over 64 KB
(CONTENT_TOO_BIG; the limit Telegraph applies to the parameter's bytes). Tests make it
answer FLOOD_WAIT_<n>, another error, or not answer as Telegraph at all.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import secrets
import time
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Self

from aiohttp import web

CONTENT_LIMIT = 64 * 1024
TAGS = frozenset(
    {"a", "aside", "b", "blockquote", "br", "code", "em", "figcaption", "figure", "h3", "h4"}
    | {"hr", "i", "iframe", "img", "li", "ol", "p", "pre", "s", "strong", "u", "ul", "video"}
)
_ATTRS = frozenset({"href", "src"})
_Json = dict[str, Any]


@dataclass(frozen=True)
class Call:
    """One request: its method, its parameters (the token among them), when, and the answer."""

    method: str
    params: dict[str, str]
    at: float = field(default_factory=time.monotonic)
    error: str | None = None  # what Telegraph answered instead of a result
    address: str = ""  # the path and query string it was sent to


class Refusal(Exception):
    """An error answer: {"ok": false, "error": ...}."""


class FakeTelegraph:
    """A Telegraph API on 127.0.0.1 for one test; ``token`` is an account's, ready to use."""

    def __init__(self) -> None:
        self.api_url = ""
        self.calls: list[Call] = []
        self.accounts: dict[str, _Json] = {}  # by access token
        self.pages: dict[str, _Json] = {}  # by path
        self.token = self._new_account("anbien", "Cổng TTĐT", "")["access_token"]
        self._faults: list[str] = []  # errors the next createPage calls answer, in order
        self._broken = 0  # calls answered with a proxy's 502 page
        self.latency = 0.0  # seconds before createPage answers
        self._numbers = itertools.count(1)
        self._runner: web.AppRunner | None = None

    async def start(self) -> Self:
        """Listen on a free port of 127.0.0.1 and set api_url."""
        app = web.Application(client_max_size=8 * 2**20)
        app.router.add_route("*", "/{method}", self._handle)
        app.router.add_route("*", "/{method}/{path:.+}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.2)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.api_url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # -- what tests make it do ----------------------------------------------------------

    def flood(self, seconds: int, times: int = 1) -> None:
        """Answer the next createPage calls with FLOOD_WAIT_<seconds>."""
        self._faults += [f"FLOOD_WAIT_{seconds}"] * times

    def refuse(self, error: str, times: int = 1) -> None:
        """Answer the next createPage calls with this error."""
        self._faults += [error] * times

    def break_down(self, times: int = 1) -> None:
        """Answer the next calls (any method) with HTTP 502 and an HTML page."""
        self._broken += times

    # -- what the bot did ----------------------------------------------------------------

    def created(self) -> list[Call]:
        """Return the createPage calls that made a page."""
        return [c for c in self.calls if c.method == "createPage" and c.error is None]

    def page(self, title: str) -> _Json:
        """Return the only page with this title."""
        (found,) = [p for p in self.pages.values() if p["title"] == title]
        return found

    # -- the API ---------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = dict(request.query)
        if request.content_type == "application/json":
            body = await request.json()
            params |= {k: v if isinstance(v, str) else json.dumps(v) for k, v in body.items()}
        elif request.method == "POST":
            params |= {k: v for k, v in (await request.post()).items() if isinstance(v, str)}
        if self._broken:
            self._broken -= 1
            self.calls.append(Call(method, params, error="HTTP 502", address=request.path_qs))
            return web.Response(status=502, text="<html>502 Bad Gateway</html>")
        if method == "createPage" and self.latency:
            await asyncio.sleep(self.latency)
        handler = getattr(self, f"_m_{method}", None)
        try:
            if handler is None:
                raise Refusal("METHOD_NOT_FOUND")
            result = handler(params, request.match_info.get("path", ""))
        except Refusal as refusal:
            self.calls.append(Call(method, params, error=str(refusal), address=request.path_qs))
            return web.json_response({"ok": False, "error": str(refusal)})
        self.calls.append(Call(method, params, address=request.path_qs))
        return web.json_response({"ok": True, "result": result})

    def _new_account(self, short_name: str, author_name: str, author_url: str) -> _Json:
        token = secrets.token_hex(30)
        account = {"short_name": short_name, "author_name": author_name}
        account |= {"author_url": author_url, "access_token": token}
        account["auth_url"] = f"https://edit.telegra.ph/auth/{secrets.token_urlsafe(24)}"
        self.accounts[token] = account
        return account

    def _m_createAccount(self, params: dict[str, str], _: str) -> _Json:
        name = params.get("short_name", "")
        if not 1 <= len(name) <= 32:
            raise Refusal("SHORT_NAME_REQUIRED")
        return dict(
            self._new_account(name, params.get("author_name", ""), params.get("author_url", ""))
        )

    def _m_createPage(self, params: dict[str, str], _: str) -> _Json:
        if params.get("access_token") not in self.accounts:
            raise Refusal("ACCESS_TOKEN_INVALID")
        if self._faults:
            raise Refusal(self._faults.pop(0))
        title = params.get("title", "")
        if not title:
            raise Refusal("TITLE_REQUIRED")
        if len(title) > 256:
            raise Refusal("TITLE_TOO_LONG")
        if len(params.get("author_name", "")) > 128:
            raise Refusal("AUTHOR_NAME_TOO_LONG")
        raw = params.get("content", "")
        if not raw:
            raise Refusal("CONTENT_REQUIRED")
        if len(raw.encode("utf-8")) > CONTENT_LIMIT:
            raise Refusal("CONTENT_TOO_BIG")
        try:
            content = json.loads(raw)
        except json.JSONDecodeError:
            raise Refusal("CONTENT_FORMAT_INVALID") from None
        if not isinstance(content, list) or not content:
            raise Refusal("CONTENT_FORMAT_INVALID")
        for node in content:
            _check_node(node)
        path = f"{_slug(title)}-12-05" + (f"-{n}" if (n := next(self._numbers)) > 1 else "")
        page = {"path": path, "url": f"https://telegra.ph/{path}", "title": title}
        page |= {"description": "", "views": 0, "author_name": params.get("author_name", "")}
        if params.get("author_url"):
            page["author_url"] = params["author_url"]
        self.pages[path] = {**page, "content": content}
        return page

    def _m_getPage(self, params: dict[str, str], path: str) -> _Json:
        page = self.pages.get(path)
        if page is None:
            raise Refusal("PAGE_NOT_FOUND")
        if params.get("return_content") in ("true", "True", "1"):
            return dict(page)
        return {k: v for k, v in page.items() if k != "content"}


def _check_node(node: Any, depth: int = 0) -> None:
    """Refuse a node Telegraph would not keep."""
    if isinstance(node, str):
        return
    if depth > 100 or not isinstance(node, dict) or not set(node) <= {"tag", "attrs", "children"}:
        raise Refusal("CONTENT_FORMAT_INVALID")
    if node.get("tag") not in TAGS:
        raise Refusal("TAG_NOT_ALLOWED")  # (the fake's name: stricter than Telegraph's silence)
    attrs = node.get("attrs", {})
    if not isinstance(attrs, dict) or not all(
        k in _ATTRS and isinstance(v, str) for k, v in attrs.items()
    ):
        raise Refusal("CONTENT_FORMAT_INVALID")
    children = node.get("children", [])
    if not isinstance(children, list):
        raise Refusal("CONTENT_FORMAT_INVALID")
    for child in children:
        _check_node(child, depth + 1)


def _slug(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title.replace("đ", "d").replace("Đ", "D"))
    ascii_title = ascii_title.encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9]+", "-", ascii_title).strip("-")[:100] or "page"
