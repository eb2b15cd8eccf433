"""Personnel data vocabulary: the kinds of position (jenis jabatan), the retirement age (BUP) each carries,
and the dates that follow from a person's data. Pure: the import, the reminders and the pages all read it.

Sources (shared/domain.md §1): BUP 58 for administrasi/pelaksana, JF ahli pertama and ahli muda, JF
keterampilan; 60 for JPT and JF ahli madya; 65 for JF ahli utama (PP 11/2017 Pasal 239, UU 20/2023 Pasal
55). TMT pensiun is the first day of the month after the month of the BUP birthday (Peraturan BKN 2/2018).
KGB every two years from the TMT of the last one (PP 15/2019 and earlier salary PPs).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta


@dataclass(frozen=True)
class PositionKind:
    key: str
    label: str
    retirement_age: int


POSITION_KINDS: dict[str, PositionKind] = {
    k.key: k
    for k in (
        PositionKind("administrasi", "Jabatan administrasi / pelaksana", 58),
        PositionKind("jf_ahli_pertama", "Jabatan fungsional Ahli Pertama", 58),
        PositionKind("jf_ahli_muda", "Jabatan fungsional Ahli Muda", 58),
        PositionKind("jf_ahli_madya", "Jabatan fungsional Ahli Madya", 60),
        PositionKind("jf_ahli_utama", "Jabatan fungsional Ahli Utama", 65),
        PositionKind("jf_keterampilan", "Jabatan fungsional keterampilan", 58),
        PositionKind("jpt", "Jabatan pimpinan tinggi (JPT)", 60),
    )
}
DEFAULT_POSITION_KIND = "administrasi"
RETIREMENT_AGES = range(50, 71)  # what an override may say; outside it is a typo, not a rule

# How a position's title gives its kind away, most specific first ("Ahli Madya" before the JF skill levels).
_TITLE_KINDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bahli\s+utama\b", re.I), "jf_ahli_utama"),
    (re.compile(r"\bahli\s+madya\b", re.I), "jf_ahli_madya"),
    (re.compile(r"\bahli\s+muda\b", re.I), "jf_ahli_muda"),
    (re.compile(r"\bahli\s+pertama\b", re.I), "jf_ahli_pertama"),
    (re.compile(r"\b(terampil|mahir|penyelia|pemula)\b", re.I), "jf_keterampilan"),
    (re.compile(r"^\s*(kepala\s+dinas|kepala\s+badan|sekretaris\s+daerah|asisten|staf\s+ahli)\b", re.I), "jpt"),
)


def position_kind_from_title(title: str | None) -> str:
    """The kind a position's title implies ("Analis Kepegawaian Ahli Muda" → jf_ahli_muda); administrasi
    when nothing in it says otherwise (a kepala bidang, a pengadministrasi, a pelaksana)."""
    for pattern, kind in _TITLE_KINDS:
        if pattern.search(title or ""):
            return kind
    return DEFAULT_POSITION_KIND


def position_kind_choices() -> list[tuple[str, str]]:
    return [(k.key, k.label) for k in POSITION_KINDS.values()]


def retirement_age(position_kind: str | None, override: int | None = None) -> int:
    """The BUP: an explicit override (a decree may set another), else what the position kind carries."""
    if override is not None:
        return override
    return POSITION_KINDS.get(position_kind or DEFAULT_POSITION_KIND, POSITION_KINDS[DEFAULT_POSITION_KIND]).retirement_age


def retirement_date(birth_date: dt.date, age: int) -> dt.date:
    """TMT pensiun: the first of the month after the month in which the person turns `age`."""
    birthday = birth_date + relativedelta(years=age)
    return (birthday.replace(day=1) + relativedelta(months=1))


def next_kgb_date(last_kgb: dt.date) -> dt.date:
    """The next periodic salary step falls two years after the last one's TMT."""
    return last_kgb + relativedelta(years=2)


def birth_date_from_nip(nip: str) -> dt.date | None:
    """The birth date a (well-formed) NIP carries in its first eight digits; None when they are not a date."""
    try:
        return dt.date(int(nip[0:4]), int(nip[4:6]), int(nip[6:8]))
    except (ValueError, IndexError):
        return None
