"""Billing periods (csa-rules.md §7) and reference calendars (§5)."""

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from csa_shared.rules.calendars import (
    ReferenceCalendar,
    easter_sunday,
    load_public_holiday_rules,
    load_school_year,
    shipped_calendar,
)
from csa_shared.rules.errors import RuleDataError, RuleInputError
from csa_shared.rules.periods import (
    billing_period,
    billing_period_of,
    billing_periods_between,
    parse_month,
    weeks_of,
)

HOLIDAYS = """
kind: public_holidays
source: fixture
fixed:
  - {date: "01-01", name: "New Year"}
  - {date: "05-09", name: "Europe Day", from_year: 2019}
easter_offsets:
  - {offset: 1, name: "Easter Monday"}
"""
SCHOOL = """
kind: school_holidays
school_year: "fixture"
source: fixture calendar
covers: {start: "2025-01-01", end: "2025-12-31"}
periods:
  - {name: "Spring", start: "2025-04-05", end: "2025-04-20"}
  - {name: "Autumn", start: "2025-10-25", end: "2025-11-02"}
"""


@pytest.fixture
def calendar() -> ReferenceCalendar:
    return ReferenceCalendar(
        load_public_holiday_rules(HOLIDAYS), [load_school_year(SCHOOL, source="fixture")]
    )


def test_period_2025_03_runs_03_03_to_04_06_five_weeks() -> None:
    period = billing_period(2025, 3)
    assert (period.month, period.start, period.end, period.weeks) == (
        "2025-03", date(2025, 3, 3), date(2025, 4, 6), 5
    )  # fmt: skip


def test_period_2025_04_runs_04_07_to_05_04_four_weeks() -> None:
    period = billing_period(2025, 4)
    assert (period.start, period.end, period.weeks) == (date(2025, 4, 7), date(2025, 5, 4), 4)


def test_2025_04_02_belongs_to_march_period_and_december_rolls_into_january() -> None:
    assert billing_period_of(date(2025, 4, 2)).month == "2025-03"
    assert billing_period_of(date(2026, 1, 1)).month == "2025-12"
    assert billing_period(2025, 12).end == date(2026, 1, 4)


def test_weeks_of_march_2025_are_five_mondays_from_03_03() -> None:
    assert weeks_of(billing_period(2025, 3)) == tuple(
        date(2025, 3, 3) + timedelta(weeks=i) for i in range(5)
    )


@pytest.mark.parametrize(
    "text", ["2025-13", "2025-3", "march", "0000-01", "0001-01", "1999-12", "2101-01", "9999-12"]
)
def test_bad_month_text_is_rejected_naming_month(text: str) -> None:
    with pytest.raises(RuleInputError) as err:
        parse_month(text)
    assert err.value.field == "month"


@given(st.integers(min_value=1990, max_value=2100), st.integers(min_value=1, max_value=12))
def test_periods_tile_the_calendar_4_or_5_weeks_from_the_first_monday(
    year: int, month: int
) -> None:
    period = billing_period(year, month)
    nxt = billing_period(year + month // 12, month % 12 + 1)
    assert period.start.weekday() == 0 and period.start.month == month and period.start.day <= 7
    assert nxt.start == period.end + timedelta(days=1)
    assert period.weeks in (4, 5)
    assert (period.end - period.start).days + 1 == 7 * period.weeks


@given(st.dates(min_value=date(1990, 2, 1), max_value=date(2100, 12, 31)))
def test_every_day_falls_in_exactly_the_period_billing_period_of_returns(day: date) -> None:
    period = billing_period_of(day)
    assert period.start <= day <= period.end


@pytest.mark.parametrize(
    ("year", "easter"),
    [(2024, date(2024, 3, 31)), (2025, date(2025, 4, 20)), (2026, date(2026, 4, 5))],
)
def test_easter_sunday(year: int, easter: date) -> None:
    assert easter_sunday(year) == easter


def test_shipped_2025_public_holidays_are_the_eleven_legal_days() -> None:
    days = shipped_calendar().public_holidays_of(2025)
    assert sorted(days) == [
        date(2025, 1, 1), date(2025, 4, 21), date(2025, 5, 1), date(2025, 5, 9),
        date(2025, 5, 29), date(2025, 6, 9), date(2025, 6, 23), date(2025, 8, 15),
        date(2025, 11, 1), date(2025, 12, 25), date(2025, 12, 26),
    ]  # fmt: skip


def test_shipped_calendar_easter_2025_weeks_are_holiday_weeks_and_march_is_school() -> None:
    cal = shipped_calendar()
    assert cal.is_holiday_week(date(2025, 4, 7)) and cal.is_holiday_week(date(2025, 4, 14))
    assert not cal.is_holiday_week(date(2025, 3, 10))
    assert cal.is_holiday_week(date(2025, 12, 22))


def test_fixture_calendar_days_and_weeks(calendar: ReferenceCalendar) -> None:
    assert calendar.is_public_holiday(date(2025, 4, 21))  # Easter Monday 2025
    assert calendar.is_public_holiday(date(2025, 5, 9))
    assert not calendar.is_public_holiday(date(2018, 5, 9))  # Europe Day only from 2019
    assert calendar.is_school_holiday(date(2025, 4, 7))
    assert not calendar.is_school_day(date(2025, 4, 21))
    assert calendar.is_school_day(date(2025, 3, 10))
    assert calendar.is_holiday_week(date(2025, 4, 14))
    assert not calendar.is_holiday_week(date(2025, 3, 31))


def test_week_with_only_a_public_holiday_monday_is_a_school_week(
    calendar: ReferenceCalendar,
) -> None:
    assert not calendar.is_holiday_week(date(2025, 4, 21))  # Easter Monday, then school days


def test_autumn_week_with_public_holiday_saturday_is_a_holiday_week(
    calendar: ReferenceCalendar,
) -> None:
    assert calendar.is_holiday_week(date(2025, 10, 27))


def test_day_not_covered_by_any_school_calendar_is_an_error(calendar: ReferenceCalendar) -> None:
    with pytest.raises(RuleInputError, match="no school calendar covers 2026-03-02"):
        calendar.is_school_holiday(date(2026, 3, 2))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("source: fixture calendar", "source: ''"), "must name its `source`"),
        (('end: "2025-04-20"', 'end: "2025-04-01"'), "end on or after its start"),
        (('start: "2025-10-25"', 'start: "2025-04-15"'), "overlap"),
        (('end: "2025-11-02"', 'end: "2026-01-02"'), "outside the covered span"),
        (('start: "2025-04-05"', 'start: "2025-04-55"'), "not an ISO date"),
    ],
)
def test_invalid_school_calendar_is_rejected_with_reason(
    change: tuple[str, str], message: str
) -> None:
    with pytest.raises(RuleDataError, match=message):
        load_school_year(SCHOOL.replace(*change))


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        ("2025-04-06T20:00", "2025-04-07T07:00", ["2025-03", "2025-04"]),  # over the end
        ("2025-04-06T20:00", "2025-04-07T00:00", ["2025-03"]),  # ends at the midnight
        ("2025-04-07T00:00", "2025-04-07T07:00", ["2025-04"]),
        ("2025-03-10T08:00", "2025-03-10T17:00", ["2025-03"]),
    ],
)
def test_billing_periods_between_holds_the_periods_of_every_instant(
    start: str, end: str, months: list[str]
) -> None:
    periods = billing_periods_between(datetime.fromisoformat(start), datetime.fromisoformat(end))
    assert [p.month for p in periods] == months
