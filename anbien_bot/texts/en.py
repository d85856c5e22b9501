"""The bot's texts in English, for users whose Telegram speaks English."""

from .plurals import Plural

TEMPLATES: dict[str, str | Plural] = {
    "read_more": "Read more",
    "attachments": "📎 Attachments:",
    "more_attachments": "+{count} more",
    "post_date": "🗓 {date}",
    "post_meta": "🗓 {date} · {categories}",
    "post_list_header": Plural(
        "count", one="📰 <b>{count} new post</b>", other="📰 <b>{count} new posts</b>"
    ),
    "page_attachments": "Attachments",
    "page_original": "Read the original",
    "page_cut": "The article goes on: it is longer than a Telegraph page allows.",
    "page_read_in_bot": "Read it all in the bot",
    "telegraph_reading": "📖 <b>Read in full</b> (opens right in Telegram):",
    "post_list_continued": "📰 <b>New posts (continued)</b>",
    "post_list_more": Plural(
        "count", one="… and {count} more post", other="… and {count} more posts"
    ),
    "start": (
        "Hello {name}! 👋\n\n"
        "I am the news bot of the <b>{portal}</b>. "
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
    "search_words_cut": Plural(
        "count",
        one="(only the first word was searched)",
        other="(only the first {count} words were searched)",
    ),
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
    "too_long": Plural(
        "limit",
        one="That is too long: at most {limit} character.",
        other="That is too long: at most {limit} characters.",
    ),
    "group_welcome": (
        "Hello everyone! 👋 I am the news bot of the <b>{portal}</b>.\n\n"
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
    "alert_full": Plural(
        "limit",
        one="You have {limit} alert, the most allowed. Send /alerts to remove it.",
        other="You have {limit} alerts, the most allowed. Send /alerts to remove some.",
    ),
    # Two counts: the forms follow the words; the characters are always many (alerts.py).
    "alert_too_long": Plural(
        "words",
        one="That alert is too long: at most {words} word and {chars} characters.",
        other="That alert is too long: at most {words} words and {chars} characters.",
    ),
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
    "broadcast_draft": Plural(
        "count",
        one=(
            "👆 Preview of announcement #{id}, exactly as recipients will see it.\n\n"
            "To: <b>{audience}</b> – {count} recipient.\n"
            "Choose the recipients, then press <b>Send</b>."
        ),
        other=(
            "👆 Preview of announcement #{id}, exactly as recipients will see it.\n\n"
            "To: <b>{audience}</b> – {count} recipients.\n"
            "Choose the recipients, then press <b>Send</b>."
        ),
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
    "toast_sending": Plural(
        "count", one="Sending to {count} recipient.", other="Sending to {count} recipients."
    ),
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
    # {count} is the number as written for the reader (1,234); "articles" chooses the form.
    "stats_archive": Plural(
        "articles",
        one="<b>Archive</b>\n{count} article, published from {oldest} to {newest}",
        other="<b>Archive</b>\n{count} articles, published from {oldest} to {newest}",
    ),
    "stats_archive_empty": "<b>Archive</b>\nNo articles yet.",
    "stats_chart": Plural(
        "days",
        one="<b>Last day</b> (new subscribers · messages sent)\n{chart}",
        other="<b>Last {days} days</b> (new subscribers · messages sent)\n{chart}",
    ),
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
    "alert_down": Plural(
        "failures",
        one=(
            "🔴 News source <b>{name}</b> has failed once.\n"
            "Last error: {error}\n"
            "Last read: {success}\n"
            "Send /sources to see every source."
        ),
        other=(
            "🔴 News source <b>{name}</b> has failed {failures} times in a row.\n"
            "Last error: {error}\n"
            "Last read: {success}\n"
            "Send /sources to see every source."
        ),
    ),
    "alert_layout": (
        "🔴 The pages of <b>{name}</b> seem to have changed layout: the bot reads no news "
        "from them any more.\n"
        "Error: {error}\n"
        "Its selectors in the configuration file need fixing. Send /sources to see every source."
    ),
    "alert_up": "✅ News source <b>{name}</b> works again.",
    "field_lead": "lead",
    "field_image": "photo",
    "field_date": "date",
    "alert_fields": (
        "🟠 The last {recent} articles of <b>{name}</b> all came without: {fields}, "
        "though earlier ones had it.\n"
        "The portal has probably changed its layout: run <code>anbien-bot discover</code> on "
        "the source's listing page, or fix the source's selectors in the configuration file. "
        "Send /sources to see every source."
    ),
    "alert_fields_back": "✅ Articles of <b>{name}</b> have their {fields} again.",
    "source_degraded": "Recent articles lack: {fields}",
    # Links that keep working (issue 14): deep links into the archive, dead originals.
    "original_page": "Original page",
    "open_in_bot": "📖 Open in the bot",
    "deeplink_invalid": "This link is not right. Send /latest to see the latest posts.",
    "deeplink_missing": (
        "This article is not in the archive. Send /search and a few words to look for it."
    ),
    # Reading in full (issue 14). Button labels and toasts are plain text.
    "read_full": "📖 Read in full",
    "read_full_title": "📖 {title}",
    "reading_next": "Next page ›",
    "reading_page": "📖 Page {page}/{pages}",
    "reading_page_note": "Page {page} of {pages}. Press “Next page ›” to read on.",
    "reading_source": "Original on the portal",
    "reading_sending": "📖 Sending the full text…",
    "reading_busy": "Still sending you an article: press again once it has arrived.",
    "reading_gone": "This article is no longer in the archive.",
    "reading_no_page": "This article has no such page. Press “📖 Read in full” to start over.",
    "reading_invalid": "This reading button is not valid. Press “📖 Read in full” under a post.",
    "reading_private": "The full text is sent only in a private chat with the bot.",
}

COMMANDS: list[tuple[str, str]] = [
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
]
