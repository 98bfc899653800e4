"""One child-week of care: hours, parent/state split, meals (csa-rules.md §4-§6)."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from csa_billing.domain.hours import DayFlags, WeekCounters, classify, day_flags
from csa_billing.domain.lines import HoursBreakdown, Line, WeekResult
from csa_billing.domain.meals import meal_lines
from csa_billing.domain.model import ChildWeek
from csa_billing.domain.split import care_lines, holiday_cap_lines
from csa_billing.domain.terms import week_terms
from csa_billing.domain.validation import validate_week
from csa_shared.rules.calendars import ReferenceCalendar
from csa_shared.rules.categories import Category
from csa_shared.rules.money import CENT as _CENT
from csa_shared.rules.parameters import ParameterSet, ProviderType, parameters_in_force

_AP = ProviderType.ASSISTANT_PARENTAL
_new = tuple.__new__  # a NamedTuple from all its fields, without its Python-level __new__


def calendar_days(calendar: ReferenceCalendar, week_start: date) -> tuple[frozenset[date], ...]:
    """(school-holiday days, public holidays) of the week starting `week_start`."""
    days = [week_start + timedelta(days=i) for i in range(7)]
    return (
        frozenset(d for d in days if calendar.is_school_holiday(d)),
        frozenset(d for d in days if calendar.is_public_holiday(d)),
    )


def first_birthday(birth: date) -> date:
    """The day a child is aged 1 (29 February births: 1 March)."""
    try:
        return birth.replace(year=birth.year + 1)
    except ValueError:
        return date(birth.year + 1, 3, 1)


_WEEKDAYS_SCHOOL: tuple[bool, ...] = (True, True, True, True, True, False, False)
_WEEKEND_OFF: tuple[bool, ...] = (False, False, False, False, False, True, True)
#: Plurilingual age per day of the week by the day (0-7) the child turns 1 from Monday.
_AGE_FROM: tuple[tuple[bool, ...], ...] = tuple(
    tuple(day >= first for day in range(7)) for first in range(8)
)


@lru_cache(maxsize=8192)
def _first_birthday_ordinal(birth: date) -> int:
    return first_birthday(birth).toordinal()


@lru_cache(maxsize=4096)
def _calendar_flags(
    monday: date, holidays: frozenset[date], public: frozenset[date]
) -> tuple[tuple[DayFlags, ...], bool]:
    """A week with holidays: its day flags by the day the child turns 1 (as `_PLAIN_WEEK`),
    and whether it is a holiday week, i.e. has no school day (csa-rules.md §4, §5)."""
    days = [monday + timedelta(days=i) for i in range(7)]
    school_day = tuple(i < 5 and d not in holidays and d not in public for i, d in enumerate(days))
    off_day = tuple(i >= 5 or d in public for i, d in enumerate(days))
    flags = tuple(day_flags(school_day, off_day, age) for age in _AGE_FROM)
    return flags, not any(school_day)


#: The day flags of a week without holidays, by the day (0-7) the child turns 1.
_PLAIN_WEEK: tuple[DayFlags, ...] = tuple(
    day_flags(_WEEKDAYS_SCHOOL, _WEEKEND_OFF, age) for age in _AGE_FROM
)


def _day_flags(week: ChildWeek) -> tuple[DayFlags, bool]:
    """School days, AP off-hours days and plurilingual age per day of the week (§4, §5), and
    whether the week is a holiday week: Monday-Friday all school-holiday days or public
    holidays (§5)."""
    monday = week.week_start
    holidays, public = week.school_holidays, week.public_holidays
    if holidays or public:
        flags, holiday_week = _calendar_flags(monday, holidays, public)
    else:
        flags, holiday_week = _PLAIN_WEEK, False
    birth = week.birth_date
    if birth is None:
        return flags[7], holiday_week
    first = _first_birthday_ordinal(birth) - monday.toordinal()
    return flags[0 if first < 0 else 7 if first > 7 else first], holiday_week


def compute_week(week: ChildWeek, params: ParameterSet | None = None) -> WeekResult:
    """Bill one child-week under csa-rules.md §4-§6 with the parameters in force on its Monday.

    Hours are classified in chronological order across all providers (§5), split between
    parent and state per hour (§4), capped in holiday weeks for children not in compulsory
    school (§5), and meals priced under §6. Raises RuleInputError on unusable input.
    """
    intervals = validate_week(week)
    if params is None:
        params = parameters_in_force(week.week_start, field="week_start")
    plan = week_terms(params, week.category, week.rank, week.schooling)
    school_age = plan.school_age
    days, holiday_week = _day_flags(week)
    providers = week.providers
    if len(providers) == 1:
        kind = providers[0].type
        ap = [kind is _AP]
        pluri = [providers[0].plurilingual and kind is not _AP]
    else:
        ap = [p.type is _AP for p in providers]
        pluri = [p.plurilingual and p.type is not _AP for p in providers]
    pluri_minutes = (
        plan.plurilingual_minutes
        if week.plurilingual_weeks_used < params.plurilingual_weeks_per_year
        else 0
    )
    classified = classify(
        intervals,
        counters=_new(WeekCounters, (plan.supported_minutes, pluri_minutes, plan.tranche_minutes)),
        days=days,
        school_free_care=school_age,
        plurilingual_providers=pluri,
        ap_providers=ap,
    )
    lines, parent_cents, state_cents = care_lines(classified, providers, plan)
    more: list[Line] = []
    if holiday_week and not school_age and lines:
        more = holiday_cap_lines(lines, weekly_cap=params.holiday_weekly_cap)
    if week.meals:
        more += meal_lines(
            week.meals,
            providers,
            rule=plan.meal_rules[holiday_week],
            category_rate=plan.meal_rate,
            meal_cap=params.meal_cap,
            supported_per_week=params.supported_meals_per_week,
        )
    # The care lines' totals are exact cents; the other lines' amounts are added as Decimals.
    parent_total, state_total = _CENT * parent_cents, _CENT * state_cents
    if more:
        for line in more:
            parent_total += line.parent_amount
            state_total += line.state_amount
        lines += more
    by_class = classified.by_class
    return _new(
        WeekResult,
        (
            week.week_start,
            params.effective_from,
            holiday_week,
            by_class[1] > 0,
            _new(HoursBreakdown, by_class),
            tuple(lines),
            parent_total,
            state_total,
        ),
    )


__all__ = ["Category", "ChildWeek", "WeekResult", "calendar_days", "compute_week"]
