"""Instants in the office's time zone, WIB (Asia/Jakarta, UTC+7), for tests. No fixtures here.

The tests' week is the one of Wednesday 25 November 2026, when the FrozenClock starts (09.00 WIB): Thursday
26 is a working day, the weekend follows Friday 27, and Monday 30 November is the next working day.
"""
from __future__ import annotations

import datetime as dt

from layani_flow.working_time import WIB

__all__ = ["WIB", "wednesday", "wib"]


def wib(*args: int) -> dt.datetime:
    """`wib(2026, 11, 25, 9, 0)`: an aware datetime on the office's wall clock."""
    return dt.datetime(*args, tzinfo=WIB)


def wednesday(hour: int = 0, minute: int = 0, second: int = 0) -> dt.datetime:
    """An instant of Wednesday 25 November 2026 in WIB, the day the tests' clock starts on."""
    return wib(2026, 11, 25, hour, minute, second)
