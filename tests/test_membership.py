"""Groups, their admins, the bot leaving and coming back, group upgrades and config channels."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from anbien_bot.config import BotConfig
from anbien_bot.delivery.planner import Planner
from anbien_bot.models import Entry
from anbien_bot.texts import text
from tests.conversation import (
    GROUP,
    GROUP_ADMIN,
    GROUP_MEMBER,
    answers,
    bot_config,
    buttons,
    database,
    group_message,
    handled,
    replies,
    rows,
    rows_of_chat,
    say,
    store_of,
)
from tests.fake_telegram import FakeTelegram
from tests.harness import running_bot

USER = 3001
ADMIN = {"user_id": GROUP_ADMIN, "chat_type": "supergroup"}
MEMBER = {"user_id": GROUP_MEMBER, "chat_type": "supergroup"}

# GROUP_ADMIN administers GROUP; Telegram would accept every call the bot makes.
pytestmark = pytest.mark.telegram(group_admins={GROUP: {GROUP_ADMIN}}, may_refuse=())


# -- groups and their admins ----------------------------------------------------------------


@pytest.mark.parametrize(
    "command", ["/subscribe thong bao", "/subscribe all", "/unsubscribe all", "/stop", "/huy"]
)
async def test_a_group_member_cannot_change_the_groups_subscriptions(
    tmp_path: Path, fake: FakeTelegram, bot: Any, command: str
) -> None:
    await say(fake, GROUP, "/subscribe hoat dong huyen uy", **ADMIN)
    before = rows(database(tmp_path))
    assert await say(fake, GROUP, command, **MEMBER) == text("vi", "not_group_admin")
    assert rows(database(tmp_path)) == before


async def test_a_group_member_cannot_press_the_keyboard(
    tmp_path: Path, fake: FakeTelegram, bot: Any
) -> None:
    fake.push_message(GROUP, "/categories", **MEMBER)  # anyone may look
    (keyboard,) = await replies(fake, GROUP, 1)
    before = rows(database(tmp_path))
    fake.push_callback(GROUP, "cat:thong-bao", **MEMBER)
    await handled(fake)  # the press has been handled by now
    shown = [(a["text"], str(a.get("show_alert")).lower()) for a in answers(fake)]
    assert shown == [(text("vi", "not_group_admin"), "true")]
    assert not [c for c in fake.calls if c.method.startswith("edit")]
    assert rows(database(tmp_path)) == before
    assert buttons(keyboard)[0] == ("Thông báo", "cat:thong-bao")


async def test_a_group_admin_subscribes_the_group_by_command_and_keyboard(
    fake: FakeTelegram, bot: Any
) -> None:
    reply = await say(fake, GROUP, "/subscribe@anbien_test_bot Thông báo", **ADMIN)
    assert reply == text("vi", "subscribed", category="Thông báo")
    fake.push_message(GROUP, "/categories", **ADMIN)
    await replies(fake, GROUP, 2)
    fake.push_callback(GROUP, "cat:hoat-dong-huyen-uy", **ADMIN)
    await handled(fake)
    assert sorted(await store_of(bot).subscriptions(GROUP)) == ["hoat-dong-huyen-uy", "thong-bao"]
    chat = await store_of(bot).chat(GROUP)
    assert chat is not None
    assert (chat.type, chat.active) == ("supergroup", True)
    edit = next(c for c in fake.calls if c.method == "editMessageReplyMarkup")
    assert buttons(edit)[1] == ("✅ Hoạt động Huyện ủy", "cat:hoat-dong-huyen-uy")


async def test_a_group_member_may_look_but_not_touch(fake: FakeTelegram, bot: Any) -> None:
    await say(fake, GROUP, "/subscribe thong bao", **ADMIN)
    listing = await say(fake, GROUP, "/mysubs", **MEMBER)
    assert listing == text("vi", "my_subscriptions", categories="• Thông báo")
    assert await say(fake, GROUP, "/latest", **MEMBER) == text("vi", "no_posts")


async def test_an_anonymous_admin_writing_as_the_group_may_change_it(
    fake: FakeTelegram, bot: Any
) -> None:
    message = group_message(GROUP, "/subscribe thong bao", sender_chat_id=GROUP, message_id=900)
    fake.push_update({"message": message})
    (reply,) = await replies(fake, GROUP, 1)
    assert reply.params["text"] == text("vi", "subscribed", category="Thông báo")
    assert await store_of(bot).subscriptions(GROUP) == ["thong-bao"]


async def test_a_linked_channel_writing_in_the_group_may_not(fake: FakeTelegram, bot: Any) -> None:
    message = group_message(GROUP, "/stop", sender_chat_id=-1009999, message_id=901)
    await say(fake, GROUP, "/subscribe thong bao", **ADMIN)
    fake.push_update({"message": message})
    replies_now = await replies(fake, GROUP, 2)
    assert replies_now[1].params["text"] == text("vi", "not_group_admin")
    assert await store_of(bot).subscriptions(GROUP) == ["thong-bao"]


@pytest.mark.telegram(may_refuse={400})  # the getChatMember refused below
async def test_when_telegram_cannot_tell_who_is_admin_nothing_changes(
    tmp_path: Path, fake: FakeTelegram
) -> None:
    fake.fail(GROUP, "getChatMember", code=400, description="Bad Request: chat not found")
    async with running_bot(bot_config(tmp_path, fake)):
        reply = await say(fake, GROUP, "/subscribe thong bao", **ADMIN)
    assert reply == text("vi", "not_group_admin")
    assert rows_of_chat(database(tmp_path), GROUP)["subscriptions"] == 0


# -- leaving and coming back ----------------------------------------------------------------


async def test_a_user_who_blocks_the_bot_is_inactive_and_comes_back_with_old_choices(
    fake: FakeTelegram, bot: Any
) -> None:
    store = store_of(bot)
    await say(fake, USER, "/subscribe hoat dong huyen uy")
    fake.push_my_chat_member(USER, "kicked")
    await handled(fake)  # the block is in
    chat = await store.chat(USER)
    assert chat is not None
    assert not chat.active
    entry = Entry(key="1", url="https://anbien.kiengiang.gov.vn/tin/1", title="Họp Huyện ủy")
    stored = await store.store_entries(
        "portal", ["hoat-dong-huyen-uy"], [entry], now=datetime.now(UTC), plan=Planner()
    )
    assert stored.enqueued == 0  # an inactive chat is owed nothing

    fake.push_my_chat_member(USER, "member")
    await handled(fake)
    chat = await store.chat(USER)
    assert chat is not None
    assert chat.active
    fake.push_message(USER, "/start")
    sent = await replies(fake, USER, 3)
    assert buttons(sent[2])[1] == ("✅ Hoạt động Huyện ủy", "cat:hoat-dong-huyen-uy")


async def test_start_reactivates_a_chat_that_had_left(fake: FakeTelegram, bot: Any) -> None:
    await say(fake, USER, "/subscribe thong bao")
    fake.push_my_chat_member(USER, "kicked")
    fake.push_message(USER, "/start")
    await replies(fake, USER, 3)
    chat = await store_of(bot).chat(USER)
    assert chat is not None
    assert chat.active
    assert await store_of(bot).subscriptions(USER) == ["thong-bao"]


async def test_a_group_that_adds_the_bot_is_welcomed_and_removing_it_deactivates(
    fake: FakeTelegram, bot: Any
) -> None:
    fake.push_my_chat_member(GROUP, "member", chat_type="supergroup", user_id=GROUP_ADMIN)
    (welcome,) = await replies(fake, GROUP, 1)
    assert welcome.params["text"] == text("vi", "group_welcome", portal=BotConfig().portal("vi"))
    await say(fake, GROUP, "/subscribe thong bao", **ADMIN)
    fake.push_my_chat_member(GROUP, "left", chat_type="supergroup", user_id=GROUP_ADMIN)
    await handled(fake)
    chat = await store_of(bot).chat(GROUP)
    assert chat is not None
    assert not chat.active
    fake.push_my_chat_member(GROUP, "administrator", chat_type="supergroup")
    await replies(fake, GROUP, 3)  # welcomed again
    chat = await store_of(bot).chat(GROUP)
    assert chat is not None
    assert chat.active
    assert await store_of(bot).subscriptions(GROUP) == ["thong-bao"]


async def test_a_private_user_unblocking_gets_no_welcome(fake: FakeTelegram, bot: Any) -> None:
    fake.push_my_chat_member(USER, "member")
    await handled(fake)
    assert fake.sent_to(USER) == []
    assert await store_of(bot).chat(USER) is None  # nothing kept about a stranger


async def test_a_group_upgraded_to_a_supergroup_keeps_its_subscriptions(
    fake: FakeTelegram, bot: Any
) -> None:
    old, new = -4001, -1004001
    old_group = {"chat_type": "group", "user_id": GROUP_ADMIN}
    fake.group_admins[old] = {GROUP_ADMIN}
    await say(fake, old, "/subscribe thong bao", **old_group)
    service = {
        "message_id": 950,
        "date": 0,
        "chat": {"id": old, "type": "group", "title": "Nhóm ấp"},
        "from": {"id": GROUP_ADMIN, "is_bot": False, "first_name": "Ba"},
        "migrate_to_chat_id": new,
    }
    fake.push_update({"message": service})
    # Telegram tells the new supergroup too; the second notice must not undo the first.
    in_new = {k: v for k, v in service.items() if k != "migrate_to_chat_id"}
    in_new |= {"chat": {"id": new, "type": "supergroup", "title": "Nhóm ấp"}}
    fake.push_update({"message": in_new | {"message_id": 951, "migrate_from_chat_id": old}})
    await handled(fake)
    assert await store_of(bot).subscriptions(new) == ["thong-bao"]
    assert await store_of(bot).chat(old) is None


# -- channels from the config ---------------------------------------------------------------


async def test_config_channels_receive_their_categories_without_asking(
    tmp_path: Path, fake: FakeTelegram
) -> None:
    channels = [-1005551, {"chat_id": -1005552, "categories": ["thong-bao"]}]
    async with running_bot(bot_config(tmp_path, fake, telegram={"channels": channels})) as app:
        store = store_of(app)
        every = sorted(await store.subscriptions(-1005551))
        only = await store.subscriptions(-1005552)
        chat = await store.chat(-1005552)
    assert every == ["hoat-dong-huyen-uy", "thong-bao"]
    assert only == ["thong-bao"]
    assert chat is not None
    assert chat.from_config
    async with running_bot(bot_config(tmp_path, fake, telegram={"channels": [-1005552]})) as app:
        assert await store_of(app).chat(-1005551) is None  # no longer listed
        assert sorted(await store_of(app).subscriptions(-1005552)) == every
