"""The rules a leave request (cuti) must meet before anyone is asked to approve it. Pure: the intake form
checks them on the page, `open_case` checks them again for the API, and both pass today's date in WIB.

- The leave cannot start before today, except the kinds the rules let an employee file afterwards: cuti
  sakit (a doctor's note comes later, Peraturan BKN 24/2017) and cuti karena alasan penting (a death or a
  disaster does not wait for a form; domain.md §1 row 12). Filed afterwards, it needs its reason.
- It cannot end before it starts.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

# The kinds of leave that may be filed after they began (catalogue "cuti", field jenis_cuti).
RETROACTIVE_KINDS = frozenset({"sakit", "alasan_penting"})

PAST_START = "Tanggal mulai tidak boleh sebelum hari ini."
PAST_START_NEEDS_REASON = ("Cuti yang sudah dimulai hanya dapat diajukan dengan alasan: tuliskan alasannya, "
                           "mis. sakit mendadak dan surat dokter menyusul.")
END_BEFORE_START = "Tanggal selesai tidak boleh sebelum tanggal mulai."
# The longest leave is a CLTN of 3 years plus a 1-year extension; a longer span is a typing mistake (and
# would have the calendar count days for nothing).
MAX_SPAN = dt.timedelta(days=4 * 366)
TOO_LONG = "Rentang cuti terlalu panjang (paling lama 4 tahun); periksa tahun tanggal selesai."


def as_date(value: Any) -> dt.date | None:
    """A date as a form (date) or the API/JSON (ISO text) holds it; None when it is neither."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def leave_problems(fields: Mapping[str, Any], today: dt.date) -> dict[str, list[str]]:
    """What is wrong with these leave dates, per field; empty when nothing is."""
    start, end = as_date(fields.get("tanggal_mulai")), as_date(fields.get("tanggal_selesai"))
    problems: dict[str, list[str]] = {}
    if start is not None and start < today:
        if fields.get("jenis_cuti") not in RETROACTIVE_KINDS:
            problems["tanggal_mulai"] = [PAST_START]
        elif not str(fields.get("alasan") or "").strip():
            problems["alasan"] = [PAST_START_NEEDS_REASON]
    if start is not None and end is not None and end < start:
        problems["tanggal_selesai"] = [END_BEFORE_START]
    elif start is not None and end is not None and end - start > MAX_SPAN:
        problems["tanggal_selesai"] = [TOO_LONG]
    return problems
