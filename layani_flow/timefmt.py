"""Showing instants to people: everything in WIB (Asia/Jakarta), in Indonesian."""
from __future__ import annotations

import datetime as dt
from typing import overload
from zoneinfo import ZoneInfo

WIB = ZoneInfo("Asia/Jakarta")
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
          "Oktober", "November", "Desember")
DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")


@overload
def to_wib(value: dt.datetime) -> dt.datetime: ...
@overload
def to_wib(value: None) -> None: ...
def to_wib(value: dt.datetime | None) -> dt.datetime | None:
    return value.astimezone(WIB) if value is not None else None


@overload
def iso_wib(value: dt.datetime) -> str: ...
@overload
def iso_wib(value: dt.datetime | None) -> str | None: ...
def iso_wib(value: dt.datetime | None) -> str | None:
    """ISO 8601 with the +07:00 offset, as the API and the CLI print instants."""
    return to_wib(value).isoformat(timespec="seconds") if value is not None else None


def human_wib(value: dt.datetime | None) -> str:
    """'Rabu, 25 November 2026 09.00 WIB'."""
    if value is None:
        return "–"
    local = to_wib(value)
    return f"{DAYS[local.weekday()]}, {local.day} {MONTHS[local.month - 1]} {local.year} {local:%H.%M} WIB"


WORKDAY_MINUTES = 450  # 7.5 working hours: the contract's working day (37.5 hours a week)


def working_text(minutes: int) -> str:
    """Working time in Indonesian, without a sign: '2 hari 3 jam kerja', '3 jam 15 menit kerja'.

    A day is 7.5 working hours whatever the calendar does to a particular day; below a day, hours and
    minutes; from a day up, days and whole hours (minutes no longer matter there).
    """
    minutes = abs(int(minutes))
    days, rest = divmod(minutes, WORKDAY_MINUTES)
    hours, mins = divmod(rest, 60)
    if days:
        parts = [f"{days} hari"] + ([f"{hours} jam"] if hours else [])
    elif hours:
        parts = [f"{hours} jam"] + ([f"{mins} menit"] if mins else [])
    else:
        parts = [f"{mins} menit"]
    return " ".join(parts) + " kerja"
