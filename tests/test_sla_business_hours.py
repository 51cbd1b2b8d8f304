"""Business-time arithmetic (tickets/business_hours.py) and calendars with holidays."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from tickets.business_hours import Timetable, add_business_minutes, parse_weekly_hours
from tickets.models import BusinessCalendar, Holiday
from tickets.sla import timetable_for, validate_calendar

OFFICE = {d: [(time(9), time(17))] for d in range(5)}  # Monday to Friday, 9 to 5
UTC_OFFICE = Timetable(zone=ZoneInfo("UTC"), hours=OFFICE)


def at(*args, tz=UTC) -> datetime:
    return datetime(*args, tzinfo=tz)


def test_minutes_inside_one_working_day_add_up_plainly():
    # Tuesday 1 December 2026, 10:00
    assert add_business_minutes(at(2026, 12, 1, 10), 90, UTC_OFFICE) == at(2026, 12, 1, 11, 30)


def test_the_clock_waits_for_the_next_morning():
    # 16:00 + 3 hours: one hour today, two tomorrow from 9:00
    assert add_business_minutes(at(2026, 12, 1, 16), 180, UTC_OFFICE) == at(2026, 12, 2, 11)
    # Submitted at night: counts from 9:00
    assert add_business_minutes(at(2026, 12, 1, 22), 60, UTC_OFFICE) == at(2026, 12, 2, 10)


def test_weekends_are_skipped():
    # Friday 4 December 16:30 + 1 hour: 30 minutes on Friday, 30 on Monday 7 December
    assert add_business_minutes(at(2026, 12, 4, 16, 30), 60, UTC_OFFICE) == at(2026, 12, 7, 9, 30)
    # Saturday: Monday morning
    assert add_business_minutes(at(2026, 12, 5, 12), 30, UTC_OFFICE) == at(2026, 12, 7, 9, 30)


def test_holidays_are_skipped():
    christmas = Timetable(
        zone=ZoneInfo("UTC"),
        hours=OFFICE,
        is_holiday=lambda day: day in {date(2026, 12, 24), date(2026, 12, 25)},
    )
    # Wednesday 23 December 16:00 + 2 h: one hour then Monday 28th (24, 25 off, 26-27 weekend)
    assert add_business_minutes(at(2026, 12, 23, 16), 120, christmas) == at(2026, 12, 28, 10)


def test_several_spans_a_day():
    split = Timetable(zone=ZoneInfo("UTC"), hours={1: [(time(9), time(12)), (time(13), time(17))]})
    # Tuesday 11:30 + 1 h: 30 minutes before lunch, 30 after
    assert add_business_minutes(at(2026, 12, 1, 11, 30), 60, split) == at(2026, 12, 1, 13, 30)


def test_hours_are_wall_clock_in_the_calendars_zone_across_a_dst_change():
    berlin = Timetable(zone=ZoneInfo("Europe/Berlin"), hours=OFFICE)
    # Friday 23 October 2026, 16:00 Berlin (CEST, UTC+2) = 14:00 UTC; +2 h -> Monday 26th
    # 10:00 Berlin, which is CET (UTC+1) after the change on the 25th: 09:00 UTC.
    start = at(2026, 10, 23, 16, tz=ZoneInfo("Europe/Berlin"))
    assert add_business_minutes(start, 120, berlin) == at(2026, 10, 26, 9)


def test_around_the_clock_is_plain_time():
    assert add_business_minutes(at(2026, 12, 5, 23), 120, Timetable.around_the_clock()) == at(
        2026, 12, 6, 1
    )


def test_a_calendar_without_hours_is_an_error_not_a_hang():
    closed = Timetable(
        zone=ZoneInfo("UTC"), hours={0: [(time(9), time(17))]}, is_holiday=lambda d: True
    )
    with pytest.raises(ValueError, match="no working hours"):
        add_business_minutes(at(2026, 12, 1, 9), 60, closed)
    with pytest.raises(ValueError, match="aware"):
        add_business_minutes(datetime(2026, 12, 1, 9), 60, UTC_OFFICE)


@pytest.mark.parametrize(
    "raw, message",
    [
        ([], "object"),
        ({"7": [["09:00", "17:00"]]}, "weekday"),
        ({"0": [["17:00", "09:00"]]}, "ends before"),
        ({"0": [["09:00", "13:00"], ["12:00", "17:00"]]}, "overlap"),
        ({"0": [["9am", "5pm"]]}, "HH:MM"),
        ({"0": []}, "at least one"),
    ],
)
def test_bad_weekly_hours_are_explained(raw, message):
    with pytest.raises(ValueError, match=message):
        parse_weekly_hours(raw)


@pytest.mark.django_db
def test_a_calendar_adds_its_countrys_public_holidays_and_its_own():
    calendar = BusinessCalendar.objects.create(name="US office", time_zone="UTC", country="US")
    Holiday.objects.create(calendar=calendar, date=date(2026, 12, 24), name="Christmas Eve")
    timetable = timetable_for(calendar)
    assert timetable.is_holiday(date(2026, 12, 25))  # from the holidays package
    assert timetable.is_holiday(date(2026, 12, 24))  # the desk's own
    assert not timetable.is_holiday(date(2026, 12, 23))
    # Wednesday 23rd 16:00 + 2 h -> Monday 28th 10:00
    assert add_business_minutes(at(2026, 12, 23, 16), 120, timetable) == at(2026, 12, 28, 10)


def test_calendar_settings_are_validated():
    validate_calendar(
        time_zone="Europe/Madrid",
        weekly_hours={"0": [["09:00", "17:00"]]},
        country="ES",
        subdivision="",
    )
    with pytest.raises(ValueError, match="time zone"):
        validate_calendar(
            time_zone="Mars/Olympus",
            weekly_hours={"0": [["09:00", "17:00"]]},
            country="",
            subdivision="",
        )
    with pytest.raises(ValueError, match="holidays"):
        validate_calendar(
            time_zone="UTC", weekly_hours={"0": [["09:00", "17:00"]]}, country="XX", subdivision=""
        )
