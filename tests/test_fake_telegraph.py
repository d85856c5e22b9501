"""The fake Telegraph refuses what Telegraph refuses, so the publishing tests cannot pass on a
page Telegraph would not take; and the client tells its answers apart."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from anbien_bot.net.telegraph import (
    FloodWait,
    TelegraphClient,
    TelegraphRefused,
    TelegraphUnavailable,
)
from tests.fake_telegraph import CONTENT_LIMIT, FakeTelegraph


@pytest.fixture
async def telegraph() -> AsyncIterator[FakeTelegraph]:
    async with FakeTelegraph() as server:
        yield server


@pytest.fixture
async def client(telegraph: FakeTelegraph) -> AsyncIterator[TelegraphClient]:
    async with TelegraphClient(telegraph.api_url, telegraph.token) as made:
        yield made


def paragraph_of(size: int) -> str:
    """Return content of exactly size bytes: one paragraph of Vietnamese letters and spaces."""
    frame = len(json.dumps([{"tag": "p", "children": [""]}], separators=(",", ":")))
    text = "ư " * ((size - frame) // 3)  # "ư" is 2 bytes in UTF-8
    text += "a" * (size - frame - len(text.encode()))
    content = json.dumps([{"tag": "p", "children": [text]}], ensure_ascii=False)
    return content.replace(", ", ",").replace(": ", ":")


async def test_the_limit_is_64_kb_of_the_content_as_sent(client: TelegraphClient) -> None:
    at_limit = paragraph_of(CONTENT_LIMIT)
    assert len(at_limit.encode()) == CONTENT_LIMIT
    page = await client.create_page("Vừa đủ", at_limit)
    assert page.url.endswith(page.path)
    with pytest.raises(TelegraphRefused) as refused:
        await client.create_page("Quá một byte", paragraph_of(CONTENT_LIMIT + 1))
    assert refused.value.error == "CONTENT_TOO_BIG"


@pytest.mark.parametrize(
    ("content", "error"),
    [
        ([{"tag": "script", "children": ["alert(1)"]}], "TAG_NOT_ALLOWED"),
        ([{"tag": "h1", "children": ["Tiêu đề"]}], "TAG_NOT_ALLOWED"),
        ([{"tag": "a", "attrs": {"onclick": "x"}, "children": ["x"]}], "CONTENT_FORMAT_INVALID"),
        ([{"tag": "p", "style": "x"}], "CONTENT_FORMAT_INVALID"),
        ({"tag": "p"}, "CONTENT_FORMAT_INVALID"),
    ],
)
async def test_only_telegraphs_tags_and_attributes_are_taken(
    client: TelegraphClient, content: object, error: str
) -> None:
    with pytest.raises(TelegraphRefused) as refused:
        await client.create_page("Trang", json.dumps(content))
    assert refused.value.error == error


async def test_flood_waits_other_errors_and_outages_are_told_apart(
    telegraph: FakeTelegraph, client: TelegraphClient
) -> None:
    content = json.dumps([{"tag": "p", "children": ["x"]}])
    telegraph.flood(7)
    with pytest.raises(FloodWait) as flood:
        await client.create_page("Trang", content)
    assert flood.value.seconds == 7
    telegraph.break_down()
    with pytest.raises(TelegraphUnavailable, match="HTTP 502, not JSON"):
        await client.create_page("Trang", content)
    async with TelegraphClient(telegraph.api_url, "0" * 60) as stranger:
        with pytest.raises(TelegraphRefused) as refused:
            await stranger.create_page("Trang", content)
    assert refused.value.error == "ACCESS_TOKEN_INVALID"
    page = await client.create_page("Trang", content)
    assert (await client.get_page(page.path))["content"] == [{"tag": "p", "children": ["x"]}]


async def test_a_new_account_gets_a_token_that_publishes(telegraph: FakeTelegraph) -> None:
    async with TelegraphClient(telegraph.api_url) as client:
        account = await client.create_account("xa", "Xã An Biên")
    assert account.access_token not in repr(account)
    async with TelegraphClient(telegraph.api_url, account.access_token) as client:
        page = await client.create_page("Trang", json.dumps(["chữ"], ensure_ascii=False))
    assert telegraph.pages[page.path]["content"] == ["chữ"]
    # The token travels in the request's body, never in its address (which logs quote).
    (call,) = telegraph.created()
    assert call.params["access_token"] == account.access_token
    assert call.address == "/createPage"
