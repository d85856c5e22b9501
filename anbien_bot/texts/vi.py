"""The bot's texts in Vietnamese (the default language)."""

TEMPLATES: dict[str, str] = {
    # How a post looks.
    "read_more": "Xem chi tiết",
    "attachments": "📎 Tệp đính kèm:",
    "more_attachments": "+{count} tệp khác",
    "post_date": "🗓 {date}",
    "post_meta": "🗓 {date} · {categories}",
    "post_list_header": "📰 <b>{count} tin mới</b>",
    "post_list_continued": "📰 <b>Tin mới (tiếp)</b>",
    "post_list_more": "… và {count} tin khác",
    # An article's Telegraph page (public: the page is read by anyone), and the message that
    # opens it in the chat.
    "page_attachments": "Tệp đính kèm",
    "page_original": "Xem bài gốc",
    "page_cut": "Bài viết còn tiếp, dài hơn một trang Telegraph cho phép.",
    "page_read_in_bot": "Đọc toàn văn trong bot",
    "telegraph_reading": "📖 <b>Đọc toàn văn</b> (mở ngay trong Telegram):",
    # The conversation.
    "start": (
        "Xin chào {name}! 👋\n\n"
        "Mình là bot tin tức của <b>{portal}</b>. "
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
        "<b>{portal}</b>.\n\n"
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
    # Reading that degrades (issue 13): the fields a source's articles suddenly lack.
    "field_lead": "đoạn mở đầu (sapo)",
    "field_image": "ảnh",
    "field_date": "ngày đăng",
    "alert_fields": (
        "🟠 {recent} tin gần nhất của nguồn <b>{name}</b> đều không có: {fields}, "
        "dù các tin trước đó vẫn có.\n"
        "Có lẽ cổng thông tin đã đổi bố cục: chạy <code>anbien-bot discover</code> với trang "
        "danh mục của nguồn, hoặc sửa bộ chọn (selectors) của nguồn trong tệp cấu hình. "
        "Gõ /sources để xem tình trạng các nguồn."
    ),
    "alert_fields_back": "✅ Tin của nguồn <b>{name}</b> đã có lại: {fields}.",
    "source_degraded": "Tin gần đây thiếu: {fields}",
    # Links that keep working (issue 14): deep links into the archive, dead originals.
    "original_page": "Trang gốc",
    "open_in_bot": "📖 Mở trong bot",
    "deeplink_invalid": "Liên kết này không đúng. Gõ /latest để xem tin mới nhất.",
    "deeplink_missing": (
        "Không tìm thấy bài viết này trong kho lưu trữ. Gõ /search và từ khóa để tìm tin."
    ),
    # Reading in full (issue 14). Button labels and toasts are plain text.
    "read_full": "📖 Đọc toàn văn",
    "read_full_title": "📖 {title}",
    "reading_next": "Trang sau ›",
    "reading_page": "📖 Trang {page}/{pages}",
    "reading_page_note": "Trang {page}/{pages}. Bấm “Trang sau ›” để đọc tiếp.",
    "reading_source": "Bản gốc trên cổng thông tin",
    "reading_sending": "📖 Đang gửi toàn văn…",
    "reading_busy": "Đang gửi bài cho bạn, xin chờ gửi xong rồi bấm tiếp.",
    "reading_gone": "Bài này không còn trong kho lưu trữ.",
    "reading_no_page": "Bài này không có trang đó. Bấm “📖 Đọc toàn văn” để đọc từ đầu.",
    "reading_invalid": "Nút đọc này không đúng. Bấm “📖 Đọc toàn văn” dưới bài để đọc.",
    "reading_private": "Toàn văn chỉ gửi trong trò chuyện riêng với bot.",
}

# Command names are ASCII (Telegram allows only a-z, 0-9 and _); the aliases stay out of
# the menu so it lists each action once.
COMMANDS: list[tuple[str, str]] = [
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
]
