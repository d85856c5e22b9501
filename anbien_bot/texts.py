"""Every user-visible text of the bot, in Vietnamese and English, as Telegram HTML templates."""

from __future__ import annotations

import html
from typing import Literal

Lang = Literal["vi", "en"]


class Html(str):
    """A string of Telegram HTML that text() passes through without escaping."""

    __slots__ = ()


# Templates are Telegram HTML: a literal "<", ">" or "&" must be written as an entity, and
# a literal brace doubled, because parameters are filled in with str.format.
VI: dict[str, str] = {
    # How a post looks.
    "read_more": "Xem chi tiết",
    "attachments": "📎 Tệp đính kèm:",
    "more_attachments": "+{count} tệp khác",
    "post_date": "🗓 {date}",
    "post_meta": "🗓 {date} · {categories}",
    "post_list_header": "📰 <b>{count} tin mới</b>",
    "post_list_continued": "📰 <b>Tin mới (tiếp)</b>",
    "post_list_more": "… và {count} tin khác",
    # The conversation.
    "start": (
        "Xin chào {name}! 👋\n\n"
        "Mình là bot tin tức của <b>Cổng thông tin điện tử huyện An Biên</b>. "
        "Mình gửi tin mới của các chuyên mục bạn chọn ngay khi cổng đăng: thông báo, "
        "lịch cúp điện, cảnh báo thiên tai, tin hoạt động của huyện…\n\n"
        "Gõ /categories để chọn chuyên mục, /help để xem các lệnh."
    ),
    "help": (
        "<b>Các lệnh</b>\n"
        "/categories (/chuyenmuc) – chọn chuyên mục để nhận tin\n"
        "/subscribe tên – đăng ký một chuyên mục\n"
        "/unsubscribe tên – hủy đăng ký một chuyên mục\n"
        "/mysubs – xem các chuyên mục đang nhận\n"
        "/latest (/moinhat) – xem tin mới nhất\n"
        "/search (/timkiem) từ khóa – tìm tin cũ, gõ không dấu cũng được\n"
        "/stop (/huy) – ngừng nhận tin và xóa dữ liệu của bạn\n\n"
        "🔒 Bot chỉ lưu mã cuộc trò chuyện, ngôn ngữ và các chuyên mục bạn chọn. "
        "Gõ /stop là xóa hết."
    ),
    "categories_prompt": "Chọn chuyên mục bạn muốn nhận tin (bấm lần nữa để bỏ chọn):",
    "subscribed": "✅ Đã đăng ký chuyên mục <b>{category}</b>.",
    "unsubscribed": "Đã hủy đăng ký chuyên mục <b>{category}</b>.",
    "already_subscribed": "Bạn đã đăng ký chuyên mục <b>{category}</b> rồi.",
    "not_subscribed": "Bạn chưa đăng ký chuyên mục <b>{category}</b>.",
    "unknown_category": "Không có chuyên mục “{name}”. Gõ /categories để xem danh sách.",
    "subscribe_usage": "Gõ tên chuyên mục sau lệnh, ví dụ: /subscribe Thông báo",
    "my_subscriptions": "Bạn đang nhận tin của các chuyên mục:\n{categories}",
    "no_subscriptions": "Bạn chưa đăng ký chuyên mục nào. Gõ /categories để chọn.",
    "no_posts": "Chưa có tin nào.",
    "search_usage": "Gõ từ khóa sau lệnh, ví dụ: /search mat dien",
    "search_results": "🔎 Kết quả cho “{query}”:",
    "nothing_found": "Không tìm thấy tin nào cho “{query}”.",
    "unknown_command": "Mình không hiểu lệnh này. Gõ /help để xem các lệnh.",
    "not_group_admin": "Chỉ quản trị viên của nhóm mới thay đổi được đăng ký của nhóm.",
    "stopped": "Đã ngừng gửi tin và xóa dữ liệu của bạn. Gõ /start nếu muốn dùng lại.",
    "use_buttons": "Mình chỉ hiểu lệnh và nút bấm. Gõ /help để xem hướng dẫn.",
    "too_long": "Nội dung quá dài, tối đa {limit} ký tự.",
}

EN: dict[str, str] = {
    "read_more": "Read more",
    "attachments": "📎 Attachments:",
    "more_attachments": "+{count} more",
    "post_date": "🗓 {date}",
    "post_meta": "🗓 {date} · {categories}",
    "post_list_header": "📰 <b>{count} new posts</b>",
    "post_list_continued": "📰 <b>New posts (continued)</b>",
    "post_list_more": "… and {count} more posts",
    "start": (
        "Hello {name}! 👋\n\n"
        "I am the news bot of the <b>An Biên district e-portal</b>. "
        "I send you new posts from the categories you choose as soon as the portal "
        "publishes them: notices, power-cut schedules, disaster warnings, district news…\n\n"
        "Send /categories to choose categories, /help for the commands."
    ),
    "help": (
        "<b>Commands</b>\n"
        "/categories (/chuyenmuc) – choose categories to follow\n"
        "/subscribe name – follow one category\n"
        "/unsubscribe name – stop following one category\n"
        "/mysubs – show the categories you follow\n"
        "/latest (/moinhat) – show the latest posts\n"
        "/search (/timkiem) words – search older posts, diacritics optional\n"
        "/stop (/huy) – stop all messages and delete your data\n\n"
        "🔒 The bot keeps only your chat id, your language and the categories you choose. "
        "/stop deletes them."
    ),
    "categories_prompt": "Choose the categories you want news from (tap again to remove):",
    "subscribed": "✅ You now follow <b>{category}</b>.",
    "unsubscribed": "You no longer follow <b>{category}</b>.",
    "already_subscribed": "You already follow <b>{category}</b>.",
    "not_subscribed": "You do not follow <b>{category}</b>.",
    "unknown_category": "There is no category “{name}”. Send /categories for the list.",
    "subscribe_usage": "Write the category after the command, e.g. /subscribe Thông báo",
    "my_subscriptions": "You follow these categories:\n{categories}",
    "no_subscriptions": "You do not follow any category yet. Send /categories to choose.",
    "no_posts": "There are no posts yet.",
    "search_usage": "Write words after the command, e.g. /search mat dien",
    "search_results": "🔎 Results for “{query}”:",
    "nothing_found": "No posts found for “{query}”.",
    "unknown_command": "I do not know that command. Send /help for the list.",
    "not_group_admin": "Only the group's admins can change the group's subscriptions.",
    "stopped": "Messages stopped and your data deleted. Send /start to come back.",
    "use_buttons": "I only understand commands and buttons. Send /help for the guide.",
    "too_long": "That is too long: at most {limit} characters.",
}

TEMPLATES: dict[Lang, dict[str, str]] = {"vi": VI, "en": EN}

# Command names are ASCII (Telegram allows only a-z, 0-9 and _); the aliases stay out of
# the menu so it lists each action once.
_COMMANDS: dict[Lang, list[tuple[str, str]]] = {
    "vi": [
        ("start", "Giới thiệu bot"),
        ("categories", "Chọn chuyên mục nhận tin"),
        ("mysubs", "Các chuyên mục đang nhận"),
        ("latest", "Tin mới nhất"),
        ("search", "Tìm tin cũ"),
        ("subscribe", "Đăng ký một chuyên mục"),
        ("unsubscribe", "Hủy đăng ký một chuyên mục"),
        ("stop", "Ngừng nhận tin, xóa dữ liệu"),
        ("help", "Hướng dẫn và quyền riêng tư"),
    ],
    "en": [
        ("start", "About this bot"),
        ("categories", "Choose categories to follow"),
        ("mysubs", "Categories you follow"),
        ("latest", "Latest posts"),
        ("search", "Search older posts"),
        ("subscribe", "Follow one category"),
        ("unsubscribe", "Stop following one category"),
        ("stop", "Stop messages, delete your data"),
        ("help", "Help and privacy"),
    ],
}


def language_of(language_code: str | None) -> Lang:
    """Return the bot language for a Telegram language_code: English for "en*", else Vietnamese."""
    if language_code and language_code.strip().lower().startswith("en"):
        return "en"
    return "vi"


def text(lang: Lang, key: str, **params: object) -> str:
    """Return the template ``key`` in ``lang`` filled with params, HTML-escaped unless Html."""
    values = {
        name: value if isinstance(value, Html) else html.escape(str(value), quote=False)
        for name, value in params.items()
    }
    return TEMPLATES[lang][key].format(**values)


def command_descriptions(lang: Lang) -> list[tuple[str, str]]:
    """Return (command, description) pairs for the bot's command menu in ``lang``."""
    return list(_COMMANDS[lang])
