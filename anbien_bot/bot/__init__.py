"""The Telegram bot: application wiring, handlers, keyboards, reports."""
