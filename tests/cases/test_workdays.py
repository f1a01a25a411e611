"""The ATA s.19(7) clock: working days d with start < d <= end, weekdays from a setting, minus holidays."""

import datetime

import pytest

from cases.models import Holiday
from cases.workdays import WorkingCalendar, working_days_between

D = datetime.date


def test_same_day_is_zero():
    assert WorkingCalendar(holidays=[]).between(D(2012, 6, 1), D(2012, 6, 1)) == 0


def test_end_before_start_is_zero():
    assert WorkingCalendar(holidays=[]).between(D(2012, 6, 5), D(2012, 6, 1)) == 0


def test_start_day_excluded_end_day_included():
    # Monday 2012-06-04 -> Tuesday 2012-06-05: one working day (the Tuesday).
    assert WorkingCalendar(holidays=[]).between(D(2012, 6, 4), D(2012, 6, 5)) == 1


def test_weekend_does_not_count():
    # Friday -> Monday: Saturday and Sunday skipped, Monday counts.
    assert WorkingCalendar(holidays=[]).between(D(2012, 6, 1), D(2012, 6, 4)) == 1
    # Friday -> Sunday: nothing.
    assert WorkingCalendar(holidays=[]).between(D(2012, 6, 1), D(2012, 6, 3)) == 0


def test_worked_example_k1_has_159_working_days():
    # DESIGN.md: cognizance 2012-06-01, judgment 2013-01-10 -> 223 calendar days, 159 working days.
    start, end = D(2012, 6, 1), D(2013, 1, 10)
    assert (end - start).days == 223
    assert WorkingCalendar(holidays=[]).between(start, end) == 159


def test_holiday_on_weekday_is_skipped_and_weekend_holiday_is_not_double_counted():
    cal = WorkingCalendar(holidays=[D(2012, 6, 5), D(2012, 6, 9)])  # a Tuesday and a Saturday
    assert cal.between(D(2012, 6, 1), D(2012, 6, 11)) == 5  # Mon 4, Wed 6, Thu 7, Fri 8, Mon 11


def test_holiday_on_start_day_does_not_matter():
    cal = WorkingCalendar(holidays=[D(2012, 6, 4)])
    assert cal.between(D(2012, 6, 4), D(2012, 6, 5)) == 1


def test_holiday_on_end_day_is_removed():
    cal = WorkingCalendar(holidays=[D(2012, 6, 5)])
    assert cal.between(D(2012, 6, 4), D(2012, 6, 5)) == 0


def test_weekdays_come_from_setting(settings):
    # A six-day week (Monday to Saturday).
    settings.WORKING_WEEKDAYS = [0, 1, 2, 3, 4, 5]
    assert WorkingCalendar(holidays=[]).between(D(2012, 6, 1), D(2012, 6, 4)) == 2


def test_matches_day_by_day_count_over_a_year():
    holidays = [D(2012, 3, 23), D(2012, 8, 14), D(2012, 12, 25), D(2012, 12, 29)]
    cal = WorkingCalendar(holidays=holidays)
    start = D(2011, 12, 28)
    for offset in range(0, 400, 7):
        end = start + datetime.timedelta(days=offset)
        expected = sum(
            1
            for i in range(1, offset + 1)
            if (d := start + datetime.timedelta(days=i)).weekday() < 5 and d not in holidays
        )
        assert cal.between(start, end) == expected, end


@pytest.mark.django_db
def test_working_days_between_reads_holiday_table():
    Holiday.objects.create(date=D(2012, 6, 5), name="Test holiday")
    assert working_days_between(D(2012, 6, 4), D(2012, 6, 6)) == 1


def test_through_differences_are_the_working_days_between():
    """WorkingCalendar.through (working days from an epoch) and the statistics' memo of it
    (cases.figures.WorkingDays) give what a day-by-day count gives, around weekends, holidays on
    either end, and with a six-day week."""
    import random

    from cases.figures import WorkingDays

    holidays = [datetime.date(2012, 3, 23), datetime.date(2012, 8, 14), datetime.date(2012, 3, 24)]
    rng = random.Random(7)
    for weekdays in ([0, 1, 2, 3, 4], [0, 1, 2, 3, 5]):
        calendar = WorkingCalendar(holidays=holidays, weekdays=weekdays)
        memo = WorkingDays(calendar)
        days = [*holidays, datetime.date(2012, 3, 22)]
        days += [datetime.date(2012, 1, 1) + datetime.timedelta(rng.randrange(366)) for _ in range(40)]
        for start in days:
            for end in days:
                expected = sum(
                    1
                    for i in range(1, (end - start).days + 1)
                    if (d := start + datetime.timedelta(days=i)).weekday() in weekdays and d not in holidays
                )
                if start <= end:
                    assert calendar.through(end) - calendar.through(start) == expected
                assert memo.between(start, end) == calendar.between(start, end) == expected, (weekdays, start, end)
