"""The proactive reminders as data: one table, one row per rule, each with its legal source.

A rule names an *event* that follows from a person's data (the next KGB, the next promotion period, the TMT
pensiun, the year's end for leave, the SKP's January) and the offsets before it at which someone is told.
`services/reminders.py` sends them (`layani remind`); the planning list and "Data kepegawaian saya" read the
same functions, so the dates a page shows are the dates the mail goes out on. Pure: no database, no Flask.

Sources: shared/domain.md §1.1 rows 1, 5, 6, 8 and 21, and §1.2 (leave carry-over).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

from dateutil.relativedelta import relativedelta

from .grades import PPPK_GRADES
from .personnel import next_kgb_date, retirement_age, retirement_date


class PersonData(Protocol):
    """What a rule reads from a person (a models.User has it all)."""

    grade: str | None
    grade_tmt: dt.date | None
    kgb_tmt: dt.date | None
    birth_date: dt.date | None
    position_kind: str | None
    retirement_age_override: int | None


# An event function: the first date of its kind strictly after `after` for this person, or None when the
# person's data does not give one (an unknown TMT) or the only one there is lies behind.
EventOf = Callable[[PersonData, dt.date], "dt.date | None"]

PERSON, DESK = "person", "desk"
KP_MONTHS = (2, 4, 6, 8, 10, 12)  # the regular promotion periods: the first of these months
KP_YEARS_IN_GRADE = 4


def next_kp_period(on_or_after: dt.date) -> dt.date:
    """The first KP period date (1 Feb/Apr/Jun/Aug/Oct/Dec) on or after the given day."""
    for year in (on_or_after.year, on_or_after.year + 1):
        for month in KP_MONTHS:
            period = dt.date(year, month, 1)
            if period >= on_or_after:
                return period
    raise AssertionError("unreachable: a period falls within every 12 months")


def kp_eligibility(grade_tmt: dt.date) -> dt.date:
    """E: the first KP period at which four years in the current golongan are reached."""
    return next_kp_period(grade_tmt + relativedelta(years=KP_YEARS_IN_GRADE))


def _ahead(date: dt.date | None, after: dt.date) -> dt.date | None:
    return date if date is not None and date > after else None


def kgb_event(person: PersonData, after: dt.date) -> dt.date | None:
    """T = TMT of the last KGB + 2 years. Only the one the data names: an older TMT means the data is out of
    date (no guess at the steps in between), so nothing is reminded until it is corrected."""
    return _ahead(next_kgb_date(person.kgb_tmt), after) if person.kgb_tmt else None


def kp_event(person: PersonData, after: dt.date) -> dt.date | None:
    """E for a PNS (a PPPK golongan has no regular promotion), from the TMT of the current golongan."""
    if person.grade_tmt is None or person.grade in PPPK_GRADES:
        return None
    return _ahead(kp_eligibility(person.grade_tmt), after)


def pension_event(person: PersonData, after: dt.date) -> dt.date | None:
    """TMT pensiun: the first of the month after the BUP birthday (BUP from the position kind or override)."""
    if person.birth_date is None:
        return None
    age = retirement_age(person.position_kind, person.retirement_age_override)
    return _ahead(retirement_date(person.birth_date, age), after)


def year_end_event(person: PersonData, after: dt.date) -> dt.date | None:
    """1 January after `after`: unused annual leave is carried over (or lost) at the turn of the year."""
    return dt.date(after.year + 1, 1, 1)


def skp_event(person: PersonData, after: dt.date) -> dt.date | None:
    """31 January: the year's SKP is agreed by the end of January (domain.md §1.1 row 21, a proposed default)."""
    this_year = dt.date(after.year, 1, 31)
    return this_year if this_year > after else dt.date(after.year + 1, 1, 31)


@dataclass(frozen=True)
class Rule:
    key: str  # stable: stored with each sent reminder
    label: str
    event: EventOf
    event_label: str  # what the event date is, as the pages name it
    before: tuple[relativedelta, ...]  # offsets before the event at which the reminder is due
    offset_labels: tuple[str, ...]
    source: str
    service: str | None = None  # catalogue key of the request its link opens, prefilled; None: no request
    prefill: tuple[tuple[str, str], ...] = ()  # fixed values for the form's choices (jenis_pensiun=bup)
    event_field: str | None = None  # the form field the event's date fills (a date, or a month choice)
    audience: str = PERSON  # who is told: the person, or the desk (about the person)
    # The filing window opens this long before the event: a request of `service` filed since then means
    # the person has acted, and is not reminded (nor the desk told). Default: the earliest offset.
    window: relativedelta | None = None
    unless_filed: bool = True
    planned: bool = False  # listed on the desk's planning list (/perencanaan)

    def due_dates(self, event: dt.date) -> list[dt.date]:
        """The dates this rule is due on for an event, earliest first."""
        return sorted(event - offset for offset in self.before)


def _months(*months: int) -> tuple[relativedelta, ...]:
    return tuple(relativedelta(months=m) for m in months)


RULES: dict[str, Rule] = {
    r.key: r
    for r in (
        Rule("kgb", "Kenaikan gaji berkala (KGB)", kgb_event, "TMT KGB berikutnya", _months(4, 3),
             ("T−4 bulan: ajukan KGB", "T−3 bulan: SK dapat terbit"),
             "PP 15/2019 (gaji PNS), KGB tiap 2 tahun; SK dapat terbit paling cepat 3 bulan sebelum TMT "
             "(domain.md §1 baris 5, [S11]–[S14])",
             service="kgb", planned=True),
        Rule("kgb_desk", "KGB belum diajukan (untuk petugas)", kgb_event, "TMT KGB berikutnya", _months(1),
             ("T−1 bulan: belum ada permohonan",),
             "Eskalasi internal T−1 bulan bila belum ada permohonan (domain.md §1 baris 5, usul produk)",
             service="kgb", audience=DESK, window=relativedelta(months=4)),
        Rule("kp", "Kenaikan pangkat reguler", kp_event, "Periode kenaikan pangkat", _months(6, 4),
             ("E−6 bulan: periksa SKP, ijazah, ujian dinas", "E−4 bulan: ajukan dan kumpulkan berkas"),
             "PP 99/2000 jo. PP 12/2002 dan Peraturan BKN 4/2023: periode 1 Feb/Apr/Jun/Agu/Okt/Des, "
             "minimal 4 tahun dalam pangkat (domain.md §1 baris 1, [S2][S6])",
             service="kenaikan_pangkat", prefill=(("jenis_kp", "reguler"),), event_field="periode", planned=True),
        Rule("pensiun", "Pensiun batas usia (BUP)", pension_event, "TMT pensiun", _months(18, 15, 12),
             ("BUP−18 bulan: rapikan data SIASN, Karis/Karsu", "BUP−15 bulan: siapkan berkas",
              "BUP−12 bulan: ajukan usul pensiun"),
             "PP 11/2017 Pasal 239 dan UU 20/2023 Pasal 55 (BUP 58/60/65); TMT pensiun awal bulan berikutnya "
             "(Peraturan BKN 2/2018; domain.md §1 baris 6, [S8][S9][S23])",
             service="pensiun", prefill=(("jenis_pensiun", "bup"),), event_field="tmt_pensiun",
             planned=True),
        Rule("cuti_tahunan", "Sisa cuti tahunan dan penangguhan", year_end_event, "Pergantian tahun",
             _months(3), ("1 Oktober: periksa sisa cuti tahunan",),
             "Peraturan BKN 24/2017 jo. 7/2021: sisa cuti tahunan dapat ditangguhkan, paling banyak 18 hari "
             "kerja (1 tahun) atau 24 hari kerja (2 tahun) (domain.md §1.2, [S15][S19][S20])",
             service="cuti", prefill=(("jenis_cuti", "tahunan"),), unless_filed=False),
        Rule("skp", "Penyusunan SKP tahunan", skp_event, "Batas penyusunan SKP", (relativedelta(days=29),),
             ("2 Januari: susun dan sepakati SKP",),
             "PermenPANRB 6/2022 (pengelolaan kinerja ASN): perencanaan kinerja pada Januari; batas akhir "
             "Januari adalah usul produk (domain.md §1 baris 21, [S33][S34])",
             unless_filed=False),
    )
}


def window_start(rule: Rule, event: dt.date) -> dt.date:
    """When the filing window for this event opens: `rule.window` before it, else its earliest offset."""
    return event - rule.window if rule.window is not None else min(rule.due_dates(event))


def current_due(rule: Rule, person: PersonData, today: dt.date) -> tuple[dt.date, dt.date] | None:
    """(due date, event) of the reminder this rule owes the person today: the latest of its due dates that has
    come, for the next event, while that event is still ahead. An earlier due date is superseded by a later
    one that has also come (someone entered late gets one reminder, not three at once)."""
    event = rule.event(person, today)
    if event is None:
        return None
    come = [due for due in rule.due_dates(event) if due <= today]
    return (come[-1], event) if come else None


def upcoming(rule: Rule, person: PersonData, start: dt.date, end: dt.date) -> Iterator[dt.date]:
    """The events of this rule for the person that fall within [start, end]."""
    after = start - dt.timedelta(days=1)
    while (event := rule.event(person, after)) is not None and event <= end:
        yield event
        after = event
