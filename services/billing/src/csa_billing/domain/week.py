"""One child-week of care: hours, parent/state split, meals (csa-rules.md §4-§6)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from csa_billing.domain.hours import DayFlags, WeekCounters, classify
from csa_billing.domain.lines import HoursBreakdown, Rule, WeekResult, cents
from csa_billing.domain.meals import meal_lines, meal_rule
from csa_billing.domain.model import ChildWeek, Schooling
from csa_billing.domain.split import care_lines, holiday_cap_lines
from csa_billing.domain.validation import validate_week
from csa_shared.rules.calendars import ReferenceCalendar
from csa_shared.rules.categories import Category
from csa_shared.rules.money import ZERO
from csa_shared.rules.parameters import ParameterSet, ProviderType, parameters_in_force
from csa_shared.rules.tariffs import tariff_for

_NONE, _PART_TIME, _FULL_TIME, _FUNDAMENTAL = (
    Schooling.NONE,
    Schooling.PRECOCE_PART_TIME,
    Schooling.PRECOCE_FULL_TIME,
    Schooling.FUNDAMENTAL,
)
_AP = ProviderType.ASSISTANT_PARENTAL


def calendar_days(calendar: ReferenceCalendar, week_start: date) -> tuple[frozenset[date], ...]:
    """(school-holiday days, public holidays) of the week starting `week_start`."""
    days = [week_start + timedelta(days=i) for i in range(7)]
    return (
        frozenset(d for d in days if calendar.is_school_holiday(d)),
        frozenset(d for d in days if calendar.is_public_holiday(d)),
    )


def is_holiday_week(week: ChildWeek) -> bool:
    """Monday-Friday all school-holiday days or public holidays (csa-rules.md §5)."""
    if len(week.school_holidays) + len(week.public_holidays) < 5:
        return False
    off = week.school_holidays | week.public_holidays
    return all(week.week_start + timedelta(days=i) in off for i in range(5))


def first_birthday(birth: date) -> date:
    """The day a child is aged 1 (29 February births: 1 March)."""
    try:
        return birth.replace(year=birth.year + 1)
    except ValueError:
        return date(birth.year + 1, 3, 1)


def plurilingual_minutes(week: ChildWeek, params: ParameterSet) -> int:
    """Plurilingual free minutes available this week (csa-rules.md §5.2): 20 h, 10 h with
    part-time précoce, none with full-time précoce or in fundamental education, and none once
    the calendar year's 46 weeks are used."""
    if week.plurilingual_weeks_used >= params.plurilingual_weeks_per_year:
        return 0
    schooling = week.schooling
    if schooling is _NONE:
        hours = params.plurilingual_hours_full
    elif schooling is _PART_TIME:
        hours = params.plurilingual_hours_precoce_part_time
    elif schooling is _FULL_TIME:
        hours = params.plurilingual_hours_precoce_full_time
    else:
        hours = 0
    return hours * 60


_ONE_DAY = timedelta(days=1)
_WEEKDAYS_SCHOOL: tuple[bool, ...] = (True, True, True, True, True, False, False)
_WEEKEND_OFF: tuple[bool, ...] = (False, False, False, False, False, True, True)
_NEVER: tuple[bool, ...] = (False,) * 7
_ALWAYS: tuple[bool, ...] = (True,) * 7
_first_birthday = lru_cache(maxsize=8192)(first_birthday)


def _day_flags(week: ChildWeek) -> DayFlags:
    """School days, AP off-hours days and plurilingual age, per day of the week (§4, §5)."""
    monday = week.week_start
    school_day, off_day = _WEEKDAYS_SCHOOL, _WEEKEND_OFF
    holidays, public = week.school_holidays, week.public_holidays
    if holidays or public:
        days = [monday + i * _ONE_DAY for i in range(7)]
        school_day = tuple(
            i < 5 and d not in holidays and d not in public for i, d in enumerate(days)
        )
        off_day = tuple(i >= 5 or d in public for i, d in enumerate(days))
    aged_one = _first_birthday(week.birth_date) if week.birth_date else None
    if aged_one is None or aged_one > monday + 6 * _ONE_DAY:
        age = _NEVER
    elif aged_one <= monday:
        age = _ALWAYS
    else:
        age = tuple(monday + i * _ONE_DAY >= aged_one for i in range(7))
    return DayFlags(school_day, off_day, age)


class _Plan(NamedTuple):
    """What a week's computation needs from its parameters, tariff row and schooling,
    worked out once per (parameter set, category, rank, schooling): amounts in cents."""

    params: ParameterSet
    school_age: bool
    supported_minutes: int
    tranche_minutes: tuple[int, int, int]
    rates: tuple[int, ...]  # parent's rate in cents per hour class (0 for free hours)
    caps: Mapping[ProviderType, int]  # state's hourly cap in cents per provider type
    meal_rules: tuple[Rule, Rule]  # in a school week, in a holiday week
    meal_rate: Decimal


_plans: dict[tuple[int, Category, int, Schooling], _Plan] = {}


def _plan(params: ParameterSet, category: Category, rank: int, schooling: Schooling) -> _Plan:
    key = (id(params), category, rank, schooling)
    plan = _plans.get(key)
    if plan is not None and plan.params is params:
        return plan
    tariff = tariff_for(category, rank)
    school_age = schooling is _FUNDAMENTAL
    t1, t2, t3 = tariff.tranche_hours
    r1, r2, r3 = (cents(rate) for rate in tariff.rates)
    plan = _Plan(
        params,
        school_age,
        params.supported_hours_per_week * 60,
        (t1 * 60, t2 * 60, t3 * 60),
        (0, 0, r1, r2, r3, 0),
        {kind: cents(cap) for kind, cap in params.state_caps.items()},
        (
            meal_rule(category=category, school_age=school_age, holiday_week=False),
            meal_rule(category=category, school_age=school_age, holiday_week=True),
        ),
        tariff.meal_rate(school_age=school_age),
    )
    if len(_plans) >= 4096:
        _plans.clear()
    _plans[key] = plan
    return plan


def compute_week(week: ChildWeek, params: ParameterSet | None = None) -> WeekResult:
    """Bill one child-week under csa-rules.md §4-§6 with the parameters in force on its Monday.

    Hours are classified in chronological order across all providers (§5), split between
    parent and state per hour (§4), capped in holiday weeks for children not in compulsory
    school (§5), and meals priced under §6. Raises RuleInputError on unusable input.
    """
    intervals = validate_week(week)
    if params is None:
        params = parameters_in_force(week.week_start, field="week_start")
    plan = _plan(params, week.category, week.rank, week.schooling)
    school_age = plan.school_age
    holiday_week = is_holiday_week(week)
    providers = week.providers
    type_caps = plan.caps
    ap: list[bool] = []
    pluri: list[bool] = []
    caps: list[int] = []
    for p in providers:
        kind = p.type
        ap.append(kind is _AP)
        pluri.append(p.plurilingual and kind is not _AP)
        caps.append(type_caps[kind])
    classified = classify(
        intervals,
        counters=WeekCounters(
            plan.supported_minutes, plurilingual_minutes(week, params), plan.tranche_minutes
        ),
        days=_day_flags(week),
        school_free_care=school_age,
        plurilingual_providers=pluri,
        ap_providers=ap,
    )
    lines = care_lines(classified, providers, plan.rates, caps, params.ap_off_hours_supplement)
    if holiday_week and not school_age and lines:
        amounts = {p.id: params.state_caps[p.type] for p in providers}
        lines += holiday_cap_lines(lines, state_caps=amounts, weekly_cap=params.holiday_weekly_cap)
    if week.meals:
        lines += meal_lines(
            week.meals,
            providers,
            rule=plan.meal_rules[holiday_week],
            category_rate=plan.meal_rate,
            meal_cap=params.meal_cap,
            supported_per_week=params.supported_meals_per_week,
        )
    by_class = classified.by_class
    parent_total = state_total = ZERO
    for line in lines:
        parent_total += line.parent_amount
        state_total += line.state_amount
    return WeekResult(
        week.week_start,
        params.effective_from,
        holiday_week,
        by_class[1] > 0,
        HoursBreakdown(*by_class),
        tuple(lines),
        parent_total,
        state_total,
    )


__all__ = ["Category", "ChildWeek", "WeekResult", "calendar_days", "compute_week"]
