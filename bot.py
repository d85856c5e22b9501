"""Run anbien-bot: ``python bot.py run --config config.toml`` (the same as ``anbien-bot``)."""

from anbien_bot.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
