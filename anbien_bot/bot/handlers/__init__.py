"""Telegram handlers, one module per feature of the conversation."""
