"""The personnel vocabulary: position kinds, BUP and the dates that follow from a person's data."""
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from layani_flow.personnel import (
    birth_date_from_nip,
    next_kgb_date,
    position_kind_from_title,
    retirement_age,
    retirement_date,
)


@pytest.mark.parametrize(("title", "kind"), [
    ("Analis Kepegawaian Ahli Muda", "jf_ahli_muda"),
    ("Pranata Komputer Ahli Pertama", "jf_ahli_pertama"),
    ("Analis Kebijakan Ahli Madya", "jf_ahli_madya"),
    ("Peneliti Ahli Utama", "jf_ahli_utama"),
    ("Arsiparis Terampil", "jf_keterampilan"),
    ("Pengelola Pengadaan Barang/Jasa Penyelia", "jf_keterampilan"),
    ("Kepala Dinas Kelautan dan Perikanan", "jpt"),
    ("Kepala Bidang Perikanan Tangkap", "administrasi"),
    ("Pengadministrasi Umum", "administrasi"),
    ("", "administrasi"),
])
def test_position_kind_from_title(title, kind):
    assert position_kind_from_title(title) == kind


@pytest.mark.parametrize(("kind", "age"), [
    ("administrasi", 58), ("jf_ahli_pertama", 58), ("jf_ahli_muda", 58), ("jf_keterampilan", 58),
    ("jf_ahli_madya", 60), ("jpt", 60), ("jf_ahli_utama", 65), (None, 58),
])
def test_retirement_age_by_position_kind(kind, age):
    assert retirement_age(kind) == age


def test_an_override_wins_over_the_position_kind():
    assert retirement_age("administrasi", 60) == 60


@pytest.mark.parametrize(("born", "age", "tmt"), [
    (dt.date(1968, 5, 14), 58, dt.date(2026, 6, 1)),
    (dt.date(1968, 12, 31), 58, dt.date(2027, 1, 1)),
    (dt.date(1966, 6, 1), 60, dt.date(2026, 7, 1)),  # born on the first: still the month after
    (dt.date(1968, 2, 29), 58, dt.date(2026, 3, 1)),  # no 29 February in 2026
])
def test_tmt_pensiun_is_the_first_of_the_month_after_the_bup_birthday(born, age, tmt):
    assert retirement_date(born, age) == tmt


@given(st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2005, 12, 31)), st.sampled_from([58, 60, 65]))
def test_tmt_pensiun_always_falls_on_a_first_after_the_birthday(born, age):
    tmt = retirement_date(born, age)
    assert tmt.day == 1
    assert tmt.year * 12 + tmt.month == (born.year + age) * 12 + born.month + 1


def test_next_kgb_two_years_on():
    assert next_kgb_date(dt.date(2024, 4, 1)) == dt.date(2026, 4, 1)
    assert next_kgb_date(dt.date(2024, 2, 29)) == dt.date(2026, 2, 28)


def test_birth_date_from_nip():
    assert birth_date_from_nip("198912032014031002") == dt.date(1989, 12, 3)
    assert birth_date_from_nip("198913322014031002") is None
