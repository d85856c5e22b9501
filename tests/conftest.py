"""Shared fixtures: the fake Telegram and portal servers, configs and stores."""

import os

# Before telegram is imported anywhere: time periods as timedelta, without deprecation noise.
os.environ.setdefault("PTB_TIMEDELTA", "1")
