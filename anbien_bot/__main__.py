"""Run anbien-bot as ``python -m anbien_bot``."""

from .cli import main

raise SystemExit(main())
