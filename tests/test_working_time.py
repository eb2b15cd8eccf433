"""Laws and worked examples of the working calendar (WIB, contract's default week, national holidays)."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from layani_flow.working_time import WIB, CalendarError, WorkingCalendar, due, parse_duration

from .timekit import wib

CAL = WorkingCalendar()


instants = st.datetimes(min_value=dt.datetime(2025, 1, 1), max_value=dt.datetime(2027, 12, 31),
                        timezones=st.just(WIB))
durations = st.integers(min_value=0, max_value=60 * 7 * 60).map(lambda m: dt.timedelta(minutes=m))


@pytest.mark.parametrize(("start", "duration", "expected"), [
    (wib(2026, 11, 27, 15, 0), "60m", wib(2026, 11, 27, 16, 0)),     # Friday afternoon, same day
    (wib(2026, 11, 27, 15, 0), "90m", wib(2026, 11, 27, 16, 30)),    # ends exactly at Friday's close: stays
    (wib(2026, 11, 27, 15, 0), "2h", wib(2026, 11, 30, 8, 0)),       # over the weekend
    (wib(2026, 11, 30, 11, 30), "1h", wib(2026, 11, 30, 13, 30)),    # over the lunch break
    (wib(2026, 11, 30, 6, 0), "30m", wib(2026, 11, 30, 8, 0)),       # before opening
    (wib(2026, 11, 30, 20, 0), "30m", wib(2026, 12, 1, 8, 0)),       # at night
    (wib(2026, 11, 27, 15, 0), "1d", wib(2026, 11, 30, 16, 0)),      # Friday filing, 1 working day → Monday close
    (wib(2026, 11, 28, 10, 0), "1d", wib(2026, 12, 1, 16, 0)),       # Saturday filing: day 0 is Monday
    (wib(2026, 12, 23, 10, 0), "2d", wib(2026, 12, 29, 16, 0)),      # cuti bersama 24 Dec + Christmas + weekend
    (wib(2026, 12, 31, 15, 0), "2h", wib(2027, 1, 4, 8, 30)),        # year end: 1 Jan holiday, weekend
    (wib(2026, 3, 17, 15, 0), "2h", wib(2026, 3, 25, 8, 30)),        # Nyepi + Lebaran + cuti bersama run
    (wib(2026, 11, 27, 15, 0), "0m", wib(2026, 11, 27, 15, 0)),
])
def test_worked_examples(start, duration, expected):
    assert due(CAL, start, duration) == expected


def test_twenty_working_days_skip_holidays_and_weekends():
    # 2 Dec 2026 (Wed) is day 0; 20 working days later, minus 24–25 Dec and 1 Jan.
    assert CAL.add_days(wib(2026, 12, 2, 9, 0), 20) == wib(2027, 1, 4, 16, 0)


def test_admin_exceptions_close_and_shorten_days():
    closed = WorkingCalendar(exceptions={dt.date(2026, 11, 30): ()})
    assert due(closed, wib(2026, 11, 27, 16, 0), "1h") == wib(2026, 12, 1, 8, 0)
    short = WorkingCalendar(exceptions={dt.date(2026, 11, 30): ((dt.time(8), dt.time(12)),)})
    assert due(short, wib(2026, 11, 30, 11, 0), "2h") == wib(2026, 12, 1, 8, 30)


def test_bad_input_is_refused_with_a_message():
    with pytest.raises(CalendarError):
        parse_duration("12x")
    with pytest.raises(CalendarError):
        CAL.add(dt.datetime(2026, 1, 5, 8, 0), dt.timedelta(hours=1))  # naive
    with pytest.raises(CalendarError):
        WorkingCalendar(week={d: () for d in range(7)})
    with pytest.raises(CalendarError):
        WorkingCalendar(exceptions={dt.date(2026, 1, 5): ((dt.time(12), dt.time(8)),)})


@settings(max_examples=300, deadline=None)
@given(instants, durations)
def test_adding_then_measuring_gives_back_the_duration(start, duration):
    assert CAL.elapsed(start, CAL.add(start, duration)) == duration


@settings(max_examples=300, deadline=None)
@given(instants, durations.filter(lambda d: d > dt.timedelta(0)))
def test_due_is_never_in_closed_time_unless_at_an_interval_end(start, duration):
    end = CAL.add(start, duration)
    local = end.astimezone(WIB)
    interval_ends = [dt.datetime.combine(local.date(), e, WIB) for _, e in CAL.intervals_on(local.date())]
    assert CAL.is_working(end) or end in interval_ends


@settings(max_examples=300, deadline=None)
@given(instants, st.integers(min_value=0, max_value=7 * 24 * 60), durations)
def test_a_later_start_never_gives_an_earlier_due(start, later_by, duration):
    later = start + dt.timedelta(minutes=later_by)
    assert CAL.add(later, duration) >= CAL.add(start, duration)


@settings(max_examples=200, deadline=None)
@given(instants, st.integers(min_value=0, max_value=40))
def test_working_days_end_at_a_close_and_grow_with_n(start, n):
    end = CAL.add_days(start, n)
    local = end.astimezone(WIB)
    assert local.time() == CAL.intervals_on(local.date())[-1][1]
    assert CAL.add_days(start, n + 1) > end


def test_cli_prints_the_due_instant_in_wib_on_its_last_line(runner):
    result = runner.invoke(args=["layani", "calendar", "due", "2026-11-27T15:00:00+07:00", "2h"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == "2026-11-30T08:00:00+07:00"


@pytest.mark.parametrize("args", [["not-a-date", "2h"], ["2026-11-27T15:00:00", "2h"], ["2026-11-27T15:00:00+07:00", "2w"]])
def test_cli_refuses_bad_input_with_a_message(runner, args):
    result = runner.invoke(args=["layani", "calendar", "due", *args])
    assert result.exit_code != 0
    assert "Error:" in result.output


def _elapsed_day_by_day(cal: WorkingCalendar, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    """The definition: every interval of every day from start's to end's, clipped to [start, end]."""
    total, day = dt.timedelta(0), start.date()
    while day <= end.date():
        for a, b in cal.intervals_on(day):
            span_start, span_end = dt.datetime.combine(day, a, WIB), dt.datetime.combine(day, b, WIB)
            total += max(min(span_end, end) - max(span_start, start), dt.timedelta(0))
        day += dt.timedelta(days=1)
    return total


@settings(max_examples=300, deadline=None)
@given(instants, st.integers(min_value=-600, max_value=60 * 24 * 120).map(lambda m: dt.timedelta(minutes=m)))
def test_elapsed_over_weeks_adds_whole_days_as_the_day_by_day_definition_does(start, length):
    cal = WorkingCalendar(exceptions={dt.date(2026, 3, 2): (), dt.date(2026, 3, 3): ((dt.time(8), dt.time(10)),)})
    assert cal.elapsed(start, start + length) == _elapsed_day_by_day(cal, start, start + length)
