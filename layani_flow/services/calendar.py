"""The office calendar in force: the week from config, closed and shortened days from the database."""
from __future__ import annotations

import datetime as dt

from ..working_time import WorkingCalendar
from . import office_settings


def load_calendar() -> WorkingCalendar:
    """Read again only after an admin changes a day (services.office_settings)."""
    return office_settings.current().calendar


def working_days(first: dt.date, last: dt.date) -> int:
    """Working days from `first` to `last`, both included, under the configured calendar."""
    return load_calendar().working_days(first, last)
