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
        "/alert (/theodoi) từ khóa – nhận mọi tin có các từ này; /alerts – xem, xóa\n"
        "/settings (/caidat) – bản tin hằng ngày, giờ yên lặng, ngôn ngữ\n"
        "/stop (/huy) – ngừng nhận tin và xóa dữ liệu của bạn\n\n"
        "🔒 Bot chỉ lưu mã cuộc trò chuyện, ngôn ngữ, các chuyên mục, từ khóa theo dõi "
        "và cài đặt bạn chọn. "
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
    "search_header": "🔎 Kết quả cho “{query}”: tin {first}–{last} trong {total}",
    "search_header_category": (
        "🔎 Kết quả cho “{query}” – {category}: tin {first}–{last} trong {total}"
    ),
    "search_words_cut": "(chỉ tìm theo {count} từ đầu)",
    "search_no_words": "Hãy gõ vài chữ để tìm tin, ví dụ: mat dien Nam Thai",
    "search_expired": "Kết quả tìm kiếm này đã cũ. Hãy gõ lại từ khóa.",
    "search_all_categories": "Mọi chuyên mục",
    "nothing_found": (
        "Không tìm thấy tin nào cho “{query}”. Thử gõ ít từ hơn, "
        "ví dụ chỉ tên xã hoặc một từ chính."
    ),
    "unknown_command": "Mình không hiểu lệnh này. Gõ /help để xem các lệnh.",
    "not_group_admin": "Chỉ quản trị viên của nhóm mới thay đổi được đăng ký của nhóm.",
    "stopped": "Đã ngừng gửi tin và xóa dữ liệu của bạn. Gõ /start nếu muốn dùng lại.",
    "use_buttons": "Mình chỉ hiểu lệnh và nút bấm. Gõ /help để xem hướng dẫn.",
    "too_long": "Nội dung quá dài, tối đa {limit} ký tự.",
    # Residents (issue 4). Toasts and button answers are plain text, shown without parse mode.
    "group_welcome": (
        "Xin chào cả nhóm! 👋 Mình là bot tin tức của "
        "<b>Cổng thông tin điện tử huyện An Biên</b>.\n\n"
        "Quản trị viên nhóm gõ /categories để chọn các chuyên mục nhóm sẽ nhận tin; "
        "/help để xem các lệnh."
    ),
    "unsubscribed_all": "Đã hủy đăng ký tất cả chuyên mục. Gõ /categories để chọn lại.",
    "latest_header": "📰 <b>Tin mới nhất</b>",
    "latest_header_category": "📰 <b>Tin mới nhất – {category}</b>",
    "toast_subscribed": "✅ Đã đăng ký: {category}",
    "toast_unsubscribed": "Đã bỏ: {category}",
    "button_invalid": "Nút này không còn dùng được. Gõ /categories để mở lại.",
    # Residents' comfort (issue 8): keyword alerts, digest, quiet hours, language.
    "digest_header": "📰 <b>Bản tin ngày {date}</b>",
    "alert_usage": (
        "Gõ các từ cần theo dõi sau lệnh, ví dụ:\n/theodoi mat dien thu ba\n\n"
        "Bot sẽ gửi mọi tin có đủ các từ này, kể cả tin ngoài chuyên mục bạn đăng ký. "
        "Gõ không dấu thì khớp mọi cách bỏ dấu; gõ có dấu thì khớp đúng dấu."
    ),
    "alert_added": "🔔 Đã theo dõi: <b>{words}</b>. Gõ /alerts để xem hoặc xóa.",
    "alert_exists": "Bạn đã theo dõi “{words}” rồi.",
    "alert_full": "Bạn đã có {limit} mục theo dõi, là tối đa. Gõ /alerts để xóa bớt.",
    "alert_too_long": "Mục theo dõi quá dài: tối đa {words} từ và {chars} ký tự.",
    "alerts_header": "🔔 Các từ khóa bạn đang theo dõi (bấm để xóa):",
    "alerts_none": "Bạn chưa theo dõi từ khóa nào. Ví dụ: /theodoi mat dien thu ba",
    "toast_alert_removed": "Đã xóa: {words}",
    "settings_header": (
        "⚙️ <b>Cài đặt</b>\n"
        "Cách nhận tin: {mode}\n"
        "Giờ yên lặng: {quiet}\n\n"
        "Tin khẩn (bão, lũ, cháy…) luôn được gửi ngay."
    ),
    "mode_instant": "ngay khi có tin",
    "mode_digest": "bản tin hằng ngày lúc {hour}",
    "quiet_none": "không có",
    "settings_digest_prompt": "Chọn giờ gửi bản tin hằng ngày (giờ Việt Nam):",
    "settings_quiet_prompt": (
        "Trong giờ yên lặng, tin chờ đến hết giờ mới gửi (tin khẩn vẫn gửi ngay). Chọn khung giờ:"
    ),
    "button_instant": "⚡ Nhận ngay",
    "button_digest": "📰 Bản tin hằng ngày",
    "button_quiet": "🌙 Giờ yên lặng: {quiet}",
    "button_quiet_off": "Tắt giờ yên lặng",
    "button_back": "« Quay lại",
    "button_lang_vi": "Tiếng Việt",
    "button_lang_en": "English",
    "toast_saved": "Đã lưu",
    # Editors and operators (issue 7): admin commands, broadcasts, statistics, sources.
    "admin_only": "Xin lỗi, lệnh này chỉ dành cho ban biên tập của Cổng thông tin.",
    "admin_private_only": "Hãy dùng lệnh này trong tin nhắn riêng với bot.",
    "menu_broadcast": "Gửi thông báo tới người dân",
    "menu_cancel": "Dừng thông báo đang soạn hoặc đang gửi",
    "menu_stats": "Thống kê người nhận và tin đã gửi",
    "menu_sources": "Tình trạng các nguồn tin",
    "broadcast_usage": (
        "Gõ nội dung thông báo sau lệnh, ví dụ:\n"
        "/broadcast Chiều nay cúp nước từ 14 giờ đến 17 giờ.\n\n"
        "Cũng có thể gửi một ảnh kèm chú thích bắt đầu bằng /broadcast, "
        "hoặc trả lời một tin nhắn bằng /broadcast."
    ),
    "broadcast_unsupported": "Chỉ gửi được chữ, hoặc một ảnh kèm chú thích.",
    "broadcast_refused": "Telegram không nhận thông báo này: {error}",
    "broadcast_draft": (
        "👆 Xem trước thông báo #{id}, đúng như người nhận sẽ thấy.\n\n"
        "Gửi tới: <b>{audience}</b> – {count} nơi nhận.\n"
        "Chọn nơi nhận rồi bấm <b>Gửi</b>."
    ),
    "audience_all": "mọi người đăng ký",
    "audience_category": "người đăng ký chuyên mục {category}",
    "audience_admin": "chỉ mình tôi (gửi thử)",
    "button_all": "👥 Mọi người",
    "button_me": "🧪 Chỉ mình tôi",
    "button_send": "📣 Gửi",
    "button_discard": "✖️ Hủy",
    "button_stop": "⏹ Dừng gửi",
    "broadcast_discarded": "Đã hủy bản nháp thông báo #{id}, không gửi cho ai.",
    "broadcast_progress": (
        "📣 Đang gửi thông báo #{id} tới {audience}\n"
        "Đã gửi {sent}/{recipients} · còn {pending}\n"
        "Đã chặn bot: {blocked} · lỗi: {failed}\n"
        "Còn khoảng {eta}"
    ),
    "broadcast_done": (
        "✅ Đã gửi xong thông báo #{id} tới {audience} trong {duration}.\n"
        "Đã nhận: {sent}/{recipients}\n"
        "Đã chặn bot: {blocked} · lỗi: {failed}"
    ),
    "broadcast_stopped": (
        "⏹ Đã dừng thông báo #{id} tới {audience} sau {duration}.\n"
        "Đã nhận: {sent}/{recipients} · không gửi nữa: {cancelled}\n"
        "Đã chặn bot: {blocked} · lỗi: {failed}"
    ),
    "nothing_to_cancel": "Không có thông báo nào đang soạn hoặc đang gửi.",
    "toast_sending": "Bắt đầu gửi tới {count} nơi nhận.",
    "toast_already": "Thông báo này đã được gửi hoặc đã hủy.",
    "toast_nobody": "Không có ai trong nhóm nhận này.",
    "toast_audience": "Gửi tới: {audience}",
    "toast_stopping": "Đang dừng gửi.",
    "stats_title": "📊 <b>Thống kê</b> · {when}",
    "stats_subscribers": (
        "<b>Người nhận tin</b>\n"
        "Đang nhận: {active} (mới trong 7 ngày: {new})\n"
        "Chưa chọn chuyên mục: {bare} · đã chặn hoặc rời bot: {inactive}"
    ),
    "stats_by_category": "Theo chuyên mục: {items}",
    "stats_by_language": "Theo ngôn ngữ: {items}",
    "stats_by_type": "Theo loại: {items}",
    "stats_deliveries": (
        "<b>Tin đã gửi</b>\n"
        "24 giờ qua: {sent_day} đã gửi · {failed_day} lỗi · {blocked_day} bị chặn\n"
        "7 ngày qua: {sent_week} đã gửi · {failed_week} lỗi · {blocked_week} bị chặn\n"
        "Đang chờ gửi: {pending}"
    ),
    "stats_archive": "<b>Kho tin</b>\n{count} bài, đăng từ {oldest} đến {newest}",
    "stats_archive_empty": "<b>Kho tin</b>\nChưa có bài nào.",
    "stats_chart": "<b>{days} ngày qua</b> (người mới · tin nhắn đã gửi)\n{chart}",
    "stats_broadcasts": "<b>Thông báo gần đây</b>\n{items}",
    "stats_broadcast_item": "#{id} {when} · {audience} · {sent}/{recipients} đã nhận · {status}",
    "status_sending": "đang gửi",
    "status_done": "xong",
    "status_cancelled": "đã dừng",
    "chart_day": "Ngày",
    "chart_new": "Mới",
    "chart_sent": "Đã gửi",
    "chat_private": "cá nhân",
    "chat_group": "nhóm",
    "chat_channel": "kênh",
    "language_vi": "tiếng Việt",
    "language_en": "tiếng Anh",
    "seconds": "{s} giây",
    "minutes": "{m} phút {s} giây",
    "hours": "{h} giờ {m} phút",
    "unknown_time": "chưa rõ",
    "never": "chưa lần nào",
    "sources_title": "📡 <b>Nguồn tin</b> ({count})",
    "sources_none": "Chưa cấu hình nguồn tin nào.",
    "source_name": "{icon} <b>{name}</b> · {kind}",
    "source_success": "Đọc được lần cuối: {when}",
    "source_error": "Lỗi gần nhất ({when}): {error}",
    "source_counts": "Lỗi liên tiếp: {failures} · tin trong 7 ngày: {items}",
    "source_next": "Lần đọc tới: {when}",
    "alert_down": (
        "🔴 Nguồn tin <b>{name}</b> đã lỗi {failures} lần liên tiếp.\n"
        "Lỗi gần nhất: {error}\n"
        "Đọc được lần cuối: {success}\n"
        "Gõ /sources để xem tình trạng các nguồn."
    ),
    "alert_layout": (
        "🔴 Trang của nguồn <b>{name}</b> có vẻ đã đổi bố cục: bot không đọc được tin nữa.\n"
        "Lỗi: {error}\n"
        "Cần sửa bộ chọn (selectors) của nguồn này trong tệp cấu hình. "
        "Gõ /sources để xem tình trạng các nguồn."
    ),
    "alert_up": "✅ Nguồn tin <b>{name}</b> đã hoạt động trở lại.",
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
        "/alert (/theodoi) words – get every post with these words; /alerts – see, remove\n"
        "/settings (/caidat) – daily digest, quiet hours, language\n"
        "/stop (/huy) – stop all messages and delete your data\n\n"
        "🔒 The bot keeps only your chat id, your language, and the categories, alerts and "
        "settings you choose. "
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
    "search_header": "🔎 Results for “{query}”: {first}–{last} of {total}",
    "search_header_category": "🔎 Results for “{query}” in {category}: {first}–{last} of {total}",
    "search_words_cut": "(only the first {count} words were searched)",
    "search_no_words": "Type a few words to search the news, e.g. mat dien Nam Thai",
    "search_expired": "These results are out of date. Please search again.",
    "search_all_categories": "All categories",
    "nothing_found": (
        "No posts found for “{query}”. Try fewer words, such as just the commune's name "
        "or one key word."
    ),
    "unknown_command": "I do not know that command. Send /help for the list.",
    "not_group_admin": "Only the group's admins can change the group's subscriptions.",
    "stopped": "Messages stopped and your data deleted. Send /start to come back.",
    "use_buttons": "I only understand commands and buttons. Send /help for the guide.",
    "too_long": "That is too long: at most {limit} characters.",
    "group_welcome": (
        "Hello everyone! 👋 I am the news bot of the <b>An Biên district e-portal</b>.\n\n"
        "A group admin sends /categories to choose the categories this group receives; "
        "/help shows the commands."
    ),
    "unsubscribed_all": "You no longer follow any category. Send /categories to choose again.",
    "latest_header": "📰 <b>Latest posts</b>",
    "latest_header_category": "📰 <b>Latest posts – {category}</b>",
    "toast_subscribed": "✅ Following: {category}",
    "toast_unsubscribed": "Removed: {category}",
    "button_invalid": "This button no longer works. Send /categories to open a new one.",
    # Residents' comfort (issue 8): keyword alerts, digest, quiet hours, language.
    "digest_header": "📰 <b>Daily digest, {date}</b>",
    "alert_usage": (
        "Write the words to watch for after the command, e.g.:\n/alert mat dien thu ba\n\n"
        "Every post holding all these words is sent to you, even outside your categories. "
        "Words without diacritics match any diacritics; words with them match exactly."
    ),
    "alert_added": "🔔 Now watching for: <b>{words}</b>. Send /alerts to see or remove.",
    "alert_exists": "You already watch for “{words}”.",
    "alert_full": "You have {limit} alerts, the most allowed. Send /alerts to remove some.",
    "alert_too_long": "That alert is too long: at most {words} words and {chars} characters.",
    "alerts_header": "🔔 Words you watch for (tap one to remove it):",
    "alerts_none": "You watch for no words yet. For example: /alert mat dien thu ba",
    "toast_alert_removed": "Removed: {words}",
    "settings_header": (
        "⚙️ <b>Settings</b>\n"
        "Delivery: {mode}\n"
        "Quiet hours: {quiet}\n\n"
        "Urgent notices (storms, floods, fires…) always come at once."
    ),
    "mode_instant": "each post as it comes",
    "mode_digest": "a daily digest at {hour}",
    "quiet_none": "none",
    "settings_digest_prompt": "Choose the hour of your daily digest (Vietnam time):",
    "settings_quiet_prompt": (
        "During quiet hours posts wait until the hours end (urgent notices still come). "
        "Choose the hours:"
    ),
    "button_instant": "⚡ Each post at once",
    "button_digest": "📰 Daily digest",
    "button_quiet": "🌙 Quiet hours: {quiet}",
    "button_quiet_off": "No quiet hours",
    "button_back": "« Back",
    "button_lang_vi": "Tiếng Việt",
    "button_lang_en": "English",
    "toast_saved": "Saved",
    "admin_only": "Sorry, this command is only for the portal's editors.",
    "admin_private_only": "Please use this command in a private chat with the bot.",
    "menu_broadcast": "Send an announcement to residents",
    "menu_cancel": "Stop the announcement being drafted or sent",
    "menu_stats": "Subscribers and delivered posts",
    "menu_sources": "How the news sources are doing",
    "broadcast_usage": (
        "Write the announcement after the command, e.g.\n"
        "/broadcast No tap water this afternoon from 2 to 5 pm.\n\n"
        "You can also send a photo whose caption starts with /broadcast, "
        "or reply to a message with /broadcast."
    ),
    "broadcast_unsupported": "Only text, or one photo with a caption, can be sent.",
    "broadcast_refused": "Telegram does not accept this announcement: {error}",
    "broadcast_draft": (
        "👆 Preview of announcement #{id}, exactly as recipients will see it.\n\n"
        "To: <b>{audience}</b> – {count} recipients.\n"
        "Choose the recipients, then press <b>Send</b>."
    ),
    "audience_all": "everyone subscribed",
    "audience_category": "subscribers of {category}",
    "audience_admin": "only me (a test)",
    "button_all": "👥 Everyone",
    "button_me": "🧪 Only me",
    "button_send": "📣 Send",
    "button_discard": "✖️ Discard",
    "button_stop": "⏹ Stop",
    "broadcast_discarded": "Draft announcement #{id} discarded; nobody received it.",
    "broadcast_progress": (
        "📣 Sending announcement #{id} to {audience}\n"
        "Sent {sent}/{recipients} · {pending} to go\n"
        "Blocked the bot: {blocked} · failed: {failed}\n"
        "About {eta} left"
    ),
    "broadcast_done": (
        "✅ Announcement #{id} sent to {audience} in {duration}.\n"
        "Received: {sent}/{recipients}\n"
        "Blocked the bot: {blocked} · failed: {failed}"
    ),
    "broadcast_stopped": (
        "⏹ Announcement #{id} to {audience} stopped after {duration}.\n"
        "Received: {sent}/{recipients} · not sent: {cancelled}\n"
        "Blocked the bot: {blocked} · failed: {failed}"
    ),
    "nothing_to_cancel": "No announcement is being drafted or sent.",
    "toast_sending": "Sending to {count} recipients.",
    "toast_already": "This announcement was already sent or discarded.",
    "toast_nobody": "Nobody is in this audience.",
    "toast_audience": "To: {audience}",
    "toast_stopping": "Stopping.",
    "stats_title": "📊 <b>Statistics</b> · {when}",
    "stats_subscribers": (
        "<b>Subscribers</b>\n"
        "Receiving: {active} (new in 7 days: {new})\n"
        "No category chosen: {bare} · blocked or left the bot: {inactive}"
    ),
    "stats_by_category": "By category: {items}",
    "stats_by_language": "By language: {items}",
    "stats_by_type": "By kind: {items}",
    "stats_deliveries": (
        "<b>Posts delivered</b>\n"
        "Last 24 hours: {sent_day} sent · {failed_day} failed · {blocked_day} blocked\n"
        "Last 7 days: {sent_week} sent · {failed_week} failed · {blocked_week} blocked\n"
        "Waiting to be sent: {pending}"
    ),
    "stats_archive": "<b>Archive</b>\n{count} articles, published from {oldest} to {newest}",
    "stats_archive_empty": "<b>Archive</b>\nNo articles yet.",
    "stats_chart": "<b>Last {days} days</b> (new subscribers · messages sent)\n{chart}",
    "stats_broadcasts": "<b>Recent announcements</b>\n{items}",
    "stats_broadcast_item": "#{id} {when} · {audience} · {sent}/{recipients} received · {status}",
    "status_sending": "sending",
    "status_done": "done",
    "status_cancelled": "stopped",
    "chart_day": "Day",
    "chart_new": "New",
    "chart_sent": "Sent",
    "chat_private": "people",
    "chat_group": "groups",
    "chat_channel": "channels",
    "language_vi": "Vietnamese",
    "language_en": "English",
    "seconds": "{s} s",
    "minutes": "{m} min {s} s",
    "hours": "{h} h {m} min",
    "unknown_time": "unknown",
    "never": "never",
    "sources_title": "📡 <b>News sources</b> ({count})",
    "sources_none": "No news source is configured.",
    "source_name": "{icon} <b>{name}</b> · {kind}",
    "source_success": "Last read: {when}",
    "source_error": "Last error ({when}): {error}",
    "source_counts": "Failures in a row: {failures} · items in 7 days: {items}",
    "source_next": "Next read: {when}",
    "alert_down": (
        "🔴 News source <b>{name}</b> has failed {failures} times in a row.\n"
        "Last error: {error}\n"
        "Last read: {success}\n"
        "Send /sources to see every source."
    ),
    "alert_layout": (
        "🔴 The pages of <b>{name}</b> seem to have changed layout: the bot reads no news "
        "from them any more.\n"
        "Error: {error}\n"
        "Its selectors in the configuration file need fixing. Send /sources to see every source."
    ),
    "alert_up": "✅ News source <b>{name}</b> works again.",
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
        ("alert", "Theo dõi từ khóa"),
        ("alerts", "Các từ khóa đang theo dõi"),
        ("settings", "Bản tin hằng ngày, giờ yên lặng, ngôn ngữ"),
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
        ("alert", "Watch for words"),
        ("alerts", "Words you watch for"),
        ("settings", "Daily digest, quiet hours, language"),
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
