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
