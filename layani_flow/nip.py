"""What a well-formed NIP (Nomor Induk Pegawai) is. Pure: the forms validate with it, the services check
with it, and neither has to import the other."""
from __future__ import annotations

import datetime as dt
import re

# What an SK or a name tag puts between the NIP's groups: "19891203 201403 1 002", "19891203.201403.1.002",
# "19891203-201403-1-002" (also a non-breaking space or an en dash, as pasted from a Word document).
_SEPARATORS = re.compile(r"[\s.\-\u2010-\u2015\u00a0\u202f]+")


def normalize_nip(value: str | None) -> str:
    """A NIP as the database holds it (18 digits), from one typed as printed. Only separators are removed;
    anything else stays, so `nip_problem` still says what is wrong with it."""
    return _SEPARATORS.sub("", (value or "").strip())


def nip_problem(value: str | None) -> str | None:
    """Why `value` is not a well-formed 18-digit NIP (lahir YYYYMMDD, TMT YYYYMM, jenis kelamin, urut)."""
    value = normalize_nip(value)
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


def masked_nip(nip: str) -> str:
    """"•••••••• •••••• 1 002": enough to tell two people of one name apart, without the birth date."""
    return f"•••••••• •••••• {nip[14:15]} {nip[15:]}"
