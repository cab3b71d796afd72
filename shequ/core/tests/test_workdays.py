"""The working-day calendar, without the database: the shipped data, known deadlines and properties."""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shequ.core.workdays import CalendarNotCovered, WorkCalendar

SH = ZoneInfo("Asia/Shanghai")
DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "holidays_cn.json"
DATA = json.loads(DATA_FILE.read_text(encoding="utf-8"))

HOLIDAYS = {date.fromisoformat(r["date"]) for y in DATA["years"].values() for r in y["holidays"]}
WORKDAYS = {date.fromisoformat(r["date"]) for y in DATA["years"].values() for r in y["workdays"]}
CAL = WorkCalendar(HOLIDAYS, WORKDAYS)

PROPERTY = settings(max_examples=200, deadline=None)


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)


# --- the shipped data ------------------------------------------------------------------------------------------


def test_the_data_file_covers_2024_to_2026_with_the_notice_of_each_year():
    assert sorted(DATA["years"]) == ["2024", "2025", "2026"]
    assert DATA["years"]["2024"]["notice"] == "国办发明电〔2023〕7号"
    assert DATA["years"]["2025"]["notice"] == "国办发明电〔2024〕12号"
    assert DATA["years"]["2026"]["notice"] == "国办发明电〔2025〕7号"


@pytest.mark.parametrize("year", ["2024", "2025", "2026"])
def test_every_make_up_working_day_is_a_weekend_day_and_never_also_a_holiday(year):
    entry = DATA["years"][year]
    holidays = [date.fromisoformat(r["date"]) for r in entry["holidays"]]
    workdays = [date.fromisoformat(r["date"]) for r in entry["workdays"]]
    assert all(d.weekday() >= 5 for d in workdays)
    assert len(set(holidays)) == len(holidays) and len(set(workdays)) == len(workdays)
    assert not set(holidays) & set(workdays)
    assert all(str(d.year) == year for d in holidays + workdays)
    assert holidays == sorted(holidays) and workdays == sorted(workdays)


@pytest.mark.parametrize(
    ("year", "holidays", "workdays"),
    [("2024", 28, 8), ("2025", 28, 5), ("2026", 33, 6)],
)
def test_each_year_lists_every_day_off_and_every_make_up_day_of_its_notice(year, holidays, workdays):
    assert len(DATA["years"][year]["holidays"]) == holidays
    assert len(DATA["years"][year]["workdays"]) == workdays


def test_every_holiday_break_is_a_run_of_consecutive_days_weekends_included():
    for entry in DATA["years"].values():
        by_name: dict[str, list[date]] = {}
        for r in entry["holidays"]:
            by_name.setdefault(r["name"], []).append(date.fromisoformat(r["date"]))
        for days in by_name.values():
            assert days == [days[0] + timedelta(days=i) for i in range(len(days))]


# --- which days are worked -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "worked"),
    [
        (date(2024, 10, 1), False),  # National Day, a Tuesday
        (date(2024, 10, 12), True),  # make-up Saturday
        (date(2024, 10, 13), False),  # ordinary Sunday
        (date(2025, 10, 8), False),  # the eighth day of the 2025 National Day + Mid-Autumn break
        (date(2025, 9, 28), True),  # make-up Sunday
        (date(2026, 2, 14), True),  # make-up Saturday before the Spring Festival
        (date(2026, 2, 23), False),  # last day of the nine-day Spring Festival break, a Monday
        (date(2026, 3, 2), True),  # ordinary Monday
    ],
)
def test_a_day_is_worked_on_weekdays_and_make_up_days_but_not_on_holidays(day, worked):
    assert CAL.is_working_day(day) is worked


def test_a_datetime_counts_by_its_day_in_beijing_not_in_utc():
    # 2024-09-30 17:00 UTC is already 2024-10-01 01:00 in Beijing, a holiday.
    assert CAL.is_working_day(datetime(2024, 9, 30, 17, 0, tzinfo=UTC)) is False
    assert CAL.is_working_day(datetime(2024, 9, 30, 15, 0, tzinfo=UTC)) is True


def test_the_next_working_day_skips_the_whole_national_day_break():
    assert CAL.next_working_day(date(2024, 9, 30)) == date(2024, 10, 8)
    assert CAL.next_working_day(date(2024, 10, 11)) == date(2024, 10, 12)  # make-up Saturday
    assert CAL.next_working_day(date(2024, 10, 12)) == date(2024, 10, 14)


# --- known deadlines -------------------------------------------------------------------------------------------


def test_one_working_day_after_the_monday_before_national_day_is_the_tuesday_after_it():
    assert CAL.add_working_days(sh(2024, 9, 30, 10, 0), 1) == sh(2024, 10, 8, 10, 0)


def test_friday_before_national_day_lands_on_the_make_up_sunday():
    result = CAL.add_working_days(sh(2025, 9, 26, 15, 30), 1)
    assert result == sh(2025, 9, 28, 15, 30)
    assert result.weekday() == 6


def test_the_friday_before_spring_festival_is_followed_by_the_make_up_saturday():
    assert CAL.add_working_days(sh(2026, 2, 13, 9, 0), 1) == sh(2026, 2, 14, 9, 0)


def test_seven_working_days_from_before_the_spring_festival_skip_the_whole_break():
    # 2026-02-13 Fri → 14 (Sat, make-up) is day 1, the break 15–23 is skipped, 24, 25, 26, 27 and
    # 28 (Sat, make-up) are days 2–6 and Monday 03-02 is day 7.
    assert CAL.add_working_days(sh(2026, 2, 13, 9, 0), 7) == sh(2026, 3, 2, 9, 0)


def test_counting_from_a_holiday_starts_at_midnight_of_the_next_working_day():
    assert CAL.add_working_days(sh(2024, 10, 3, 14, 0), 1) == sh(2024, 10, 9, 0, 0)
    assert CAL.add_working_days(sh(2024, 10, 3, 14, 0), 0) == sh(2024, 10, 8, 0, 0)


def test_zero_working_days_on_a_working_day_is_the_start_itself():
    start = sh(2025, 3, 12, 8, 45, 10)
    assert CAL.add_working_days(start, 0) == start
    assert CAL.add_working_hours(start, 0) == start


def test_twenty_four_hours_from_friday_afternoon_ends_on_monday_afternoon():
    assert CAL.add_working_hours(sh(2025, 3, 14, 16, 0), 24) == sh(2025, 3, 17, 16, 0)


def test_hours_that_run_out_at_midnight_before_a_weekend_end_at_monday_midnight():
    assert CAL.add_working_hours(sh(2025, 3, 14, 0, 0), 24) == sh(2025, 3, 17, 0, 0)


def test_hours_started_in_a_holiday_only_start_running_when_the_holiday_ends():
    assert CAL.add_working_hours(sh(2024, 10, 1, 9, 0), 1.5) == sh(2024, 10, 8, 1, 30)


def test_working_hours_do_not_count_the_weekend():
    assert CAL.working_hours_between(sh(2025, 3, 14, 16, 0), sh(2025, 3, 17, 16, 0)) == 24
    assert CAL.working_hours_between(sh(2025, 3, 15, 0, 0), sh(2025, 3, 17, 0, 0)) == 0


def test_working_time_between_is_negative_when_the_deadline_has_passed():
    assert CAL.working_hours_between(sh(2025, 3, 17, 16, 0), sh(2025, 3, 14, 16, 0)) == -24
    assert CAL.working_days_between(sh(2025, 3, 17, 16, 0), sh(2025, 3, 14, 16, 0)) == -1


def test_working_days_between_dates_counts_working_days_from_the_first_up_to_the_second():
    assert CAL.working_days_between(date(2024, 9, 30), date(2024, 10, 8)) == 1
    assert CAL.working_days_between(date(2024, 9, 30), date(2024, 10, 9)) == 2
    assert CAL.working_days_between(date(2024, 10, 1), date(2024, 10, 8)) == 0


def test_results_are_in_beijing_time_whatever_the_zone_of_the_start():
    start = datetime(2024, 9, 30, 2, 0, tzinfo=UTC)  # Monday 10:00 in Beijing
    result = CAL.add_working_days(start, 1)
    assert result == sh(2024, 10, 8, 10, 0)
    assert result.utcoffset() == timedelta(hours=8)


# --- bad input -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda: CAL.add_working_days(datetime(2025, 3, 12, 9, 0), 1),
        lambda: CAL.add_working_hours(datetime(2025, 3, 12, 9, 0), 1),
        lambda: CAL.working_hours_between(datetime(2025, 3, 12, 9, 0), sh(2025, 3, 13, 9, 0)),
        lambda: CAL.working_days_between(sh(2025, 3, 12, 9, 0), datetime(2025, 3, 13, 9, 0)),
        lambda: CAL.is_working_day(datetime(2025, 3, 12, 9, 0)),
    ],
)
def test_naive_datetimes_are_refused(call):
    with pytest.raises(ValueError, match="naive"):
        call()


def test_negative_days_and_hours_are_refused():
    with pytest.raises(ValueError, match="negative"):
        CAL.add_working_days(sh(2025, 3, 12, 9, 0), -1)
    with pytest.raises(ValueError, match="negative"):
        CAL.add_working_hours(sh(2025, 3, 12, 9, 0), -0.5)


def test_non_finite_hours_and_fractional_days_are_refused():
    with pytest.raises(ValueError, match="finite"):
        CAL.add_working_hours(sh(2025, 3, 12, 9, 0), math.inf)
    with pytest.raises(TypeError):
        CAL.add_working_days(sh(2025, 3, 12, 9, 0), 1.5)


def test_a_day_cannot_be_both_a_holiday_and_a_make_up_day():
    with pytest.raises(ValueError, match="both"):
        WorkCalendar({date(2025, 1, 1)}, {date(2025, 1, 1)})


# --- coverage ----------------------------------------------------------------------------------------------------


def test_arithmetic_that_reaches_an_uncovered_year_says_which_year_is_missing():
    with pytest.raises(CalendarNotCovered, match="2027") as caught:
        CAL.add_working_days(sh(2026, 12, 30, 10, 0), 3)
    assert caught.value.year == 2027
    assert isinstance(caught.value, ValueError)


def test_arithmetic_that_stays_inside_covered_years_needs_nothing_more():
    assert CAL.add_working_hours(sh(2026, 12, 31, 10, 0), 10) == sh(2026, 12, 31, 20, 0)
    assert CAL.working_hours_between(sh(2026, 12, 31, 0, 0), sh(2027, 1, 1, 0, 0)) == 24


def test_a_lenient_calendar_treats_uncovered_years_as_monday_to_friday():
    lenient = WorkCalendar(HOLIDAYS, WORKDAYS, strict=False)
    # 2026-12-31 is a Thursday; 2027-01-01 Friday counts as a plain working day without data.
    assert lenient.add_working_days(sh(2026, 12, 31, 10, 0), 2) == sh(2027, 1, 4, 10, 0)
    assert lenient.is_working_day(date(2030, 6, 1)) is False  # a Saturday


# --- properties ----------------------------------------------------------------------------------------------------

# Starts up to mid-2026 leave room for the largest amounts below without leaving the covered years.
starts = st.datetimes(
    min_value=datetime(2024, 1, 1),
    max_value=datetime(2026, 6, 30, 23, 59, 59),
    timezones=st.sampled_from([SH, UTC]),
)
hours = st.floats(min_value=0, max_value=24 * 60, allow_nan=False, allow_infinity=False)
days = st.integers(min_value=0, max_value=60)


def on_working_day(d: datetime) -> bool:
    return CAL.is_working_day(d.astimezone(SH).date())


@PROPERTY
@given(starts, hours, hours)
def test_more_hours_never_give_an_earlier_deadline(start, a, b):
    low, high = sorted((a, b))
    assert CAL.add_working_hours(start, low) <= CAL.add_working_hours(start, high)


@PROPERTY
@given(starts, days, days)
def test_more_days_never_give_an_earlier_deadline(start, a, b):
    low, high = sorted((a, b))
    assert CAL.add_working_days(start, low) <= CAL.add_working_days(start, high)


@PROPERTY
@given(starts, starts, hours)
def test_a_later_start_never_gives_an_earlier_deadline(s1, s2, h):
    early, late = sorted((s1, s2))
    assert CAL.add_working_hours(early, h) <= CAL.add_working_hours(late, h)


@PROPERTY
@given(starts, days)
def test_day_arithmetic_never_lands_on_a_non_working_day(start, n):
    assert on_working_day(CAL.add_working_days(start, n))


@PROPERTY
@given(starts, hours)
def test_hour_arithmetic_never_lands_on_a_non_working_day(start, h):
    assert on_working_day(CAL.add_working_hours(start, h))


@PROPERTY
@given(starts, hours)
def test_working_hours_between_undoes_adding_working_hours(start, h):
    end = CAL.add_working_hours(start, h)
    assert math.isclose(CAL.working_hours_between(start, end), h, rel_tol=0, abs_tol=1e-9)


@PROPERTY
@given(starts, starts)
def test_adding_the_working_hours_between_two_instants_reaches_the_second(a, b):
    early, late = sorted((a, b))
    reached = CAL.add_working_hours(early, CAL.working_hours_between(early, late))
    # The instant reached is `late` itself, or 00:00 of the next working day if `late` is on a day off
    # (the same working-time position); float hours leave at most a microsecond of rounding.
    expected = late if on_working_day(late) else CAL.add_working_days(late, 0)
    assert abs(reached - expected) <= timedelta(microseconds=1)


@PROPERTY
@given(starts.filter(on_working_day), st.integers(0, 50), st.integers(0, 50))
def test_adding_days_in_two_steps_equals_adding_them_at_once(start, a, b):
    assert CAL.add_working_days(start, a + b) == CAL.add_working_days(CAL.add_working_days(start, a), b)


@PROPERTY
@given(starts, days)
def test_a_working_day_is_exactly_twenty_four_working_hours(start, n):
    assert CAL.add_working_days(start, n) == CAL.add_working_hours(start, 24 * n)


@PROPERTY
@given(starts, days)
def test_working_days_between_undoes_adding_working_days(start, n):
    assert CAL.working_days_between(start, CAL.add_working_days(start, n)) == n


@PROPERTY
@given(starts.filter(on_working_day), days)
def test_day_arithmetic_keeps_the_local_time_of_day_when_starting_on_a_working_day(start, n):
    assert CAL.add_working_days(start, n).time() == start.astimezone(SH).time()
