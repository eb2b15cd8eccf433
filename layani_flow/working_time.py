"""Working-time arithmetic on an office calendar (pure: no database, no Flask).

The office works in WIB (Asia/Jakarta) in fixed intervals per weekday, minus Indonesia's public
holidays and cuti bersama (the `holidays` package, categories public + government) and the days an
admin closes or shortens. Arithmetic walks day by day, never minute by minute: adding twenty working
days costs about thirty day-steps, whatever the hours.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from zoneinfo import ZoneInfo

import holidays

WIB = ZoneInfo("Asia/Jakarta")
Interval = tuple[dt.time, dt.time]


def _t(text: str) -> dt.time:
    return dt.time.fromisoformat(text)


# The contract's default week: 37.5 hours, with the midday breaks (Perpres 21/2023).
DEFAULT_WEEK: dict[int, tuple[Interval, ...]] = {
    0: ((_t("07:30"), _t("12:00")), (_t("13:00"), _t("16:00"))),
    1: ((_t("07:30"), _t("12:00")), (_t("13:00"), _t("16:00"))),
    2: ((_t("07:30"), _t("12:00")), (_t("13:00"), _t("16:00"))),
    3: ((_t("07:30"), _t("12:00")), (_t("13:00"), _t("16:00"))),
    4: ((_t("07:30"), _t("11:30")), (_t("13:00"), _t("16:30"))),
    5: (),
    6: (),
}
# Past this many days without a single working minute the calendar is declared broken, not looped on.
MAX_CLOSED_RUN_DAYS = 400
ONE_DAY = dt.timedelta(days=1)


@cache
def national_holidays() -> holidays.HolidayBase:
    """Indonesia's public holidays and cuti bersama; built once per process, years filled in on demand."""
    return holidays.country_holidays("ID", categories=("public", "government"), language="id")


class CalendarError(ValueError):
    pass


@dataclass(frozen=True)
class WorkingCalendar:
    week: Mapping[int, tuple[Interval, ...]] = field(default_factory=lambda: DEFAULT_WEEK)
    # Admin exceptions: a date → its intervals for that day (empty = closed; shorter = shortened day).
    exceptions: Mapping[dt.date, tuple[Interval, ...]] = field(default_factory=dict)
    use_national_holidays: bool = True
    tz: ZoneInfo = WIB
    # Each day's intervals once per calendar: one filing walks the same few days a dozen times (due instants,
    # warning instants, remaining time), each walk looking at the exceptions and the national holidays.
    _intervals: dict[dt.date, tuple[Interval, ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False)
    _lengths: dict[dt.date, dt.timedelta] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False)
    _span_cache: dict[dt.date, tuple[tuple[dt.datetime, dt.datetime], ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        for day, intervals in [*self.week.items(), *self.exceptions.items()]:
            previous_end = None
            for start, end in intervals:
                if not start < end or (previous_end is not None and start < previous_end):
                    raise CalendarError(f"intervals of {day} must be increasing and not overlap")
                previous_end = end
        if not any(self.week.get(d) for d in range(7)):
            raise CalendarError("a week needs at least one working interval")

    @property
    def _holidays(self) -> holidays.HolidayBase:
        return national_holidays()

    def holiday_name(self, day: dt.date) -> str | None:
        if not self.use_national_holidays:
            return None
        return self._holidays.get(day)

    def intervals_on(self, day: dt.date) -> tuple[Interval, ...]:
        known = self._intervals.get(day)
        if known is None:
            known = self._intervals[day] = self._intervals_on(day)
        return known

    def _intervals_on(self, day: dt.date) -> tuple[Interval, ...]:
        if day in self.exceptions:
            return tuple(self.exceptions[day])
        if self.holiday_name(day):
            return ()
        return tuple(self.week.get(day.weekday(), ()))

    def _spans(self, day: dt.date) -> tuple[tuple[dt.datetime, dt.datetime], ...]:
        """The day's working intervals as instants, worked out once per calendar and day."""
        known = self._span_cache.get(day)
        if known is None:
            known = self._span_cache[day] = tuple(
                (dt.datetime.combine(day, start, self.tz), dt.datetime.combine(day, end, self.tz))
                for start, end in self.intervals_on(day))
        return known

    def _local(self, instant: dt.datetime) -> dt.datetime:
        if instant.tzinfo is None:
            raise CalendarError("working-time arithmetic needs aware datetimes")
        return instant.astimezone(self.tz)

    def _days_from(self, day: dt.date) -> Iterator[dt.date]:
        closed_run = 0
        while True:
            yield day
            closed_run = 0 if self.intervals_on(day) else closed_run + 1
            if closed_run > MAX_CLOSED_RUN_DAYS:
                raise CalendarError("no working time in more than a year: check the calendar")
            day += dt.timedelta(days=1)

    # -- arithmetic -------------------------------------------------------------------------------
    def add(self, start: dt.datetime, duration: dt.timedelta) -> dt.datetime:
        """The instant at which `duration` of working time has passed since `start`.

        A due instant that falls exactly on the end of an interval stays there (16:00, not 07:30 next
        morning). A zero duration from closed time gives the next working instant.
        """
        if duration < dt.timedelta(0):
            raise CalendarError("duration must not be negative")
        cursor = self._local(start)
        remaining = duration
        for day in self._days_from(cursor.date()):
            for span_start, span_end in self._spans(day):
                if span_end < cursor or (span_end == cursor and remaining):
                    continue
                begin = max(cursor, span_start)
                available = span_end - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
        raise AssertionError("unreachable")  # _days_from never ends by itself

    def next_working_instant(self, instant: dt.datetime) -> dt.datetime:
        """`instant` itself if the office is open then, else the next opening."""
        cursor = self._local(instant)
        for day in self._days_from(cursor.date()):
            for span_start, span_end in self._spans(day):
                if cursor < span_end:
                    return max(cursor, span_start)
        raise AssertionError("unreachable")

    def elapsed(self, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        """Working time between two instants (zero if `end` is not after `start`)."""
        start, end = self._local(start), self._local(end)
        if end <= start:
            return dt.timedelta(0)
        first, last = start.date(), end.date()
        total = self._worked_within(first, start, end)
        if last == first:
            return total
        total += self._worked_within(last, start, end)
        day = first + ONE_DAY
        while day < last:  # the days in between count whole: a deadline weeks away is a sum of known lengths
            total += self._length_of(day)
            day += ONE_DAY
        return total

    def _worked_within(self, day: dt.date, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
        total = dt.timedelta(0)
        for span_start, span_end in self._spans(day):
            overlap = min(span_end, end) - max(span_start, start)
            if overlap > dt.timedelta(0):
                total += overlap
        return total

    def _length_of(self, day: dt.date) -> dt.timedelta:
        known = self._lengths.get(day)
        if known is None:
            known = self._lengths[day] = sum((e - s for s, e in self._spans(day)), dt.timedelta(0))
        return known

    def add_days(self, start: dt.datetime, days: int) -> dt.datetime:
        """Close of the Nth working day after day 0, the date of the next working instant from `start`.

        "Paling lambat N hari kerja sejak diterima": a request received on Friday afternoon with N=1 is
        due at Monday's close.
        """
        if days < 0:
            raise CalendarError("days must not be negative")
        day0 = self.next_working_instant(start).date()
        seen = 0
        for day in self._days_from(day0):
            spans = self._spans(day)
            if not spans:
                continue
            if seen == days:
                return spans[-1][1]
            seen += 1
        raise AssertionError("unreachable")

    def working_days(self, first: dt.date, last: dt.date) -> int:
        """How many days from `first` to `last`, both included, the office is open (a leave's length in
        hari kerja: weekends, holidays, cuti bersama and the admin's closed days do not count)."""
        if last < first:
            return 0
        return sum(1 for n in range((last - first).days + 1) if self.intervals_on(first + dt.timedelta(days=n)))

    def is_working(self, instant: dt.datetime) -> bool:
        local = self._local(instant)
        return any(s <= local < e for s, e in self._spans(local.date()))

    def closed_days(self, year: int) -> Iterable[tuple[dt.date, str]]:
        """Days of `year` that would be working days by the week but are closed, with why."""
        day = dt.date(year, 1, 1)
        while day.year == year:
            if self.week.get(day.weekday()) and not self.intervals_on(day):
                yield day, self.holiday_name(day) or "Ditutup oleh admin"
            day += dt.timedelta(days=1)


# People write a duration as the office says it ("2 hari", "3 jam kerja", "30 menit") or in the short form the
# CLI and the declarations use ("2d", "3h", "30m"). A "hari" is always a working day here: "2 hari" and
# "2 hari kerja" mean the same close of the 2nd working day, as the contract's `Nd` does.
DURATION_UNITS = {
    "m": "m", "menit": "m", "mnt": "m",
    "h": "h", "j": "h", "jam": "h",
    "d": "d", "hr": "d", "hari": "d",
}
_DURATION_RE = re.compile(r"^(\d{1,7})\s*([a-z]+)(?:\s+kerja)?$")
DURATION_HELP = ("tulis angka lalu satuannya: menit, jam atau hari (hari kerja), mis. 30 menit, 3 jam, 2 hari, "
                 "2 hari kerja; atau singkat 30m, 3h, 2d")


def parse_duration(text: str) -> tuple[str, int]:
    """'90m' → ('m', 90); '4h' → ('h', 4); '20d' → ('d', 20); also '90 menit', '4 jam', '2 hari kerja'."""
    cleaned = " ".join((text or "").strip().lower().split())
    match = _DURATION_RE.match(cleaned)
    unit = DURATION_UNITS.get(match.group(2)) if match else None
    if match is None or unit is None:
        raise CalendarError(f"durasi tidak dikenali: {DURATION_HELP}")
    return unit, int(match.group(1))


def normalized_duration(text: str) -> str:
    """The short form a duration is stored in ('2 hari kerja' → '2d'), so every reader keeps reading `Nd`."""
    unit, amount = parse_duration(text)
    return f"{amount}{unit}"


def due(calendar: WorkingCalendar, start: dt.datetime, duration: str) -> dt.datetime:
    unit, amount = parse_duration(duration)
    if unit == "d":
        return calendar.add_days(start, amount)
    minutes = amount * 60 if unit == "h" else amount
    return calendar.add(start, dt.timedelta(minutes=minutes))
