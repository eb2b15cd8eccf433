"""What a well-formed NIP (Nomor Induk Pegawai) is. Pure: the forms validate with it, the services check
with it, and neither has to import the other."""
from __future__ import annotations

import datetime as dt


def nip_problem(value: str | None) -> str | None:
    """Why `value` is not a well-formed 18-digit NIP (lahir YYYYMMDD, TMT YYYYMM, jenis kelamin, urut)."""
    value = (value or "").strip()
    if len(value) != 18 or not (value.isascii() and value.isdigit()):  # "١٩٨٥…" is digits to str.isdigit
        return "NIP harus terdiri dari 18 angka."
    try:
        dt.date(int(value[0:4]), int(value[4:6]), int(value[6:8]))
    except ValueError:
        return "NIP tidak valid: delapan angka pertama harus tanggal lahir (TTTTBBHH)."
    # PNS: the TMT month (01–12); PPPK NIPs carry the code 21 there instead.
    if not (1 <= int(value[12:14]) <= 12 or value[12:14] == "21"):
        return "NIP tidak valid: angka ke-9 s.d. ke-14 harus tahun dan bulan TMT (TTTTBB)."
    if value[14] not in "12":
        return "NIP tidak valid: angka ke-15 (jenis kelamin) harus 1 atau 2."
    return None
