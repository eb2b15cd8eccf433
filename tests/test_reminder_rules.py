"""The reminder rules on their boundary dates (pure: no database). reminder_rules.RULES is the table."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from layani_flow.reminder_rules import (
    KP_MONTHS,
    RULES,
    current_due,
    kp_eligibility,
    next_kp_period,
    upcoming,
    window_start,
)

D = dt.date


def person(**data):
    base = {"grade": "III/a", "grade_tmt": None, "kgb_tmt": None, "birth_date": None, "position_kind": None,
            "retirement_age_override": None}
    return SimpleNamespace(**{**base, **data})


def due(rule: str, today: dt.date, **data):
    return current_due(RULES[rule], person(**data), today)


# -- KGB: T = last TMT + 2 years; T−4 and T−3 months; the desk at T−1 month ----------------------------------

def test_kgb_is_due_four_months_before_and_not_a_day_earlier():
    last = D(2025, 4, 1)  # T = 1 April 2027
    assert due("kgb", D(2026, 11, 30), kgb_tmt=last) is None
    assert due("kgb", D(2026, 12, 1), kgb_tmt=last) == (D(2026, 12, 1), D(2027, 4, 1))


def test_kgb_three_months_before_supersedes_four():
    last = D(2025, 4, 1)
    assert due("kgb", D(2026, 12, 31), kgb_tmt=last) == (D(2026, 12, 1), D(2027, 4, 1))
    assert due("kgb", D(2027, 1, 1), kgb_tmt=last) == (D(2027, 1, 1), D(2027, 4, 1))


def test_kgb_stops_on_the_day_of_the_event():
    last = D(2025, 4, 1)
    assert due("kgb", D(2027, 3, 31), kgb_tmt=last) == (D(2027, 1, 1), D(2027, 4, 1))
    assert due("kgb", D(2027, 4, 1), kgb_tmt=last) is None


def test_the_desk_is_told_one_month_before():
    last = D(2025, 4, 1)
    assert due("kgb_desk", D(2027, 2, 28), kgb_tmt=last) is None
    assert due("kgb_desk", D(2027, 3, 1), kgb_tmt=last) == (D(2027, 3, 1), D(2027, 4, 1))
    assert window_start(RULES["kgb_desk"], D(2027, 4, 1)) == D(2026, 12, 1)  # filed since T−4 counts


def test_no_kgb_without_its_tmt():
    assert due("kgb", D(2027, 1, 1)) is None


def test_kgb_at_the_end_of_a_month_keeps_to_the_calendar():
    last = D(2025, 8, 31)  # T = 31 August 2027; T−4 = 30 April (no 31st)
    assert due("kgb", D(2027, 4, 29), kgb_tmt=last) is None
    assert due("kgb", D(2027, 4, 30), kgb_tmt=last) == (D(2027, 4, 30), D(2027, 8, 31))


# -- regular promotion: E = first KP period with four years in grade; E−6 and E−4 ----------------------------

@pytest.mark.parametrize("grade_tmt, period", [
    (D(2023, 4, 1), D(2027, 4, 1)),   # exactly on a period date
    (D(2023, 4, 2), D(2027, 6, 1)),   # a day later: the next period
    (D(2023, 1, 15), D(2027, 2, 1)),
    (D(2022, 12, 2), D(2027, 2, 1)),  # December after the 1st: February of the next year
    (D(2022, 12, 1), D(2026, 12, 1)),
])
def test_kp_eligibility_is_the_first_period_after_four_years(grade_tmt, period):
    assert kp_eligibility(grade_tmt) == period


def test_kp_reminders_at_six_and_four_months():
    tmt = D(2023, 4, 1)  # E = 1 April 2027
    assert due("kp", D(2026, 9, 30), grade_tmt=tmt) is None
    assert due("kp", D(2026, 10, 1), grade_tmt=tmt) == (D(2026, 10, 1), D(2027, 4, 1))
    assert due("kp", D(2026, 12, 1), grade_tmt=tmt) == (D(2026, 12, 1), D(2027, 4, 1))
    assert due("kp", D(2027, 4, 1), grade_tmt=tmt) is None


def test_no_regular_promotion_for_a_pppk_golongan():
    assert due("kp", D(2026, 12, 1), grade_tmt=D(2023, 4, 1), grade="IX") is None


@given(st.dates(min_value=D(1990, 1, 1), max_value=D(2100, 12, 31)))
def test_next_kp_period_is_a_period_date_within_two_months(day):
    period = next_kp_period(day)
    assert period.day == 1 and period.month in KP_MONTHS
    assert day <= period < day + relativedelta(months=2, days=1)


@given(st.dates(min_value=D(1980, 1, 1), max_value=D(2060, 12, 31)))
def test_kp_eligibility_needs_four_full_years(grade_tmt):
    eligible = kp_eligibility(grade_tmt)
    assert eligible >= grade_tmt + relativedelta(years=4)
    assert eligible < grade_tmt + relativedelta(years=4, months=2, days=1)


# -- pension: TMT pensiun = the 1st after the BUP birthday; −18, −15, −12 months --------------------------------

def test_pension_reminders_on_their_boundaries():
    born = D(1969, 3, 15)  # BUP 58: birthday 15 March 2027, TMT pensiun 1 April 2027
    assert due("pensiun", D(2025, 9, 30), birth_date=born) is None
    assert due("pensiun", D(2025, 10, 1), birth_date=born) == (D(2025, 10, 1), D(2027, 4, 1))
    assert due("pensiun", D(2026, 1, 1), birth_date=born) == (D(2026, 1, 1), D(2027, 4, 1))
    assert due("pensiun", D(2026, 4, 1), birth_date=born) == (D(2026, 4, 1), D(2027, 4, 1))
    assert due("pensiun", D(2027, 3, 31), birth_date=born) == (D(2026, 4, 1), D(2027, 4, 1))
    assert due("pensiun", D(2027, 4, 1), birth_date=born) is None


def test_pension_follows_the_position_kind_and_the_override():
    born = D(1969, 3, 15)
    assert due("pensiun", D(2028, 4, 1), birth_date=born, position_kind="jf_ahli_madya") == (
        D(2028, 4, 1), D(2029, 4, 1))  # BUP 60
    assert due("pensiun", D(2033, 4, 1), birth_date=born, retirement_age_override=65) == (
        D(2033, 4, 1), D(2034, 4, 1))


@given(st.dates(min_value=D(1950, 1, 1), max_value=D(2005, 12, 31)), st.integers(min_value=0, max_value=40 * 12))
def test_a_pension_reminder_is_due_exactly_within_eighteen_months_of_the_tmt(born, months_on):
    today = D(2020, 1, 1) + relativedelta(months=months_on, days=born.day - 1)
    found = due("pensiun", today, birth_date=born)
    tmt = (born + relativedelta(years=58)).replace(day=1) + relativedelta(months=1)
    if today >= tmt or today < tmt - relativedelta(months=18):
        assert found is None
    else:
        assert found is not None and found[1] == tmt and found[0] <= today
        assert found[0] in (tmt - relativedelta(months=m) for m in (18, 15, 12))


# -- leave carry-over (1 October) and SKP (2 January), to everyone ---------------------------------------------

def test_leave_reminder_from_the_first_of_october_until_the_year_ends():
    assert due("cuti_tahunan", D(2026, 9, 30)) is None
    assert due("cuti_tahunan", D(2026, 10, 1)) == (D(2026, 10, 1), D(2027, 1, 1))
    assert due("cuti_tahunan", D(2026, 12, 31)) == (D(2026, 10, 1), D(2027, 1, 1))
    assert due("cuti_tahunan", D(2027, 1, 1)) is None


def test_skp_reminder_in_january():
    assert due("skp", D(2027, 1, 1)) is None
    assert due("skp", D(2027, 1, 2)) == (D(2027, 1, 2), D(2027, 1, 31))
    assert due("skp", D(2027, 1, 30)) == (D(2027, 1, 2), D(2027, 1, 31))
    assert due("skp", D(2027, 1, 31)) is None


@given(st.dates(min_value=D(2000, 1, 1), max_value=D(2090, 12, 31)))
def test_a_due_reminder_is_never_late_nor_early(today):
    """Whatever the day, a rule owes at most one reminder: one of its due dates, come, with the event ahead."""
    data = person(kgb_tmt=D(2025, 4, 1), grade_tmt=D(2023, 4, 1), birth_date=D(1969, 3, 15))
    for rule in RULES.values():
        found = current_due(rule, data, today)
        if found is not None:
            when, event = found
            assert when <= today < event and when in rule.due_dates(event)


def test_upcoming_lists_the_events_in_a_span():
    data = person(kgb_tmt=D(2025, 4, 1))
    assert list(upcoming(RULES["kgb"], data, D(2026, 12, 1), D(2027, 3, 31))) == []
    assert list(upcoming(RULES["kgb"], data, D(2026, 12, 1), D(2027, 4, 1))) == [D(2027, 4, 1)]
    assert list(upcoming(RULES["cuti_tahunan"], data, D(2026, 12, 1), D(2028, 12, 1))) == [D(2027, 1, 1), D(2028, 1, 1)]


def test_every_rule_has_a_source_and_a_label_per_offset():
    for rule in RULES.values():
        assert rule.source and len(rule.offset_labels) == len(rule.before)
