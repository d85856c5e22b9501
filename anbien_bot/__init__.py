"""anbien-bot: the An Biên portal's news, delivered to residents in Telegram."""

__version__ = "0.1.0"
