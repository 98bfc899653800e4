"""Checks on a child-week before it is billed; each error names the offending field."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from csa_billing.domain.hours import Interval
from csa_billing.domain.model import ChildWeek
from csa_shared.rules.errors import RuleInputError

WEEK_MINUTES = 7 * 1440


def _whole_minutes(moment: datetime, field: str) -> None:
    if moment.second or moment.microsecond or moment.tzinfo is not None:
        raise RuleInputError(field, "must be a local time in whole minutes, without offset")


def validate_week(week: ChildWeek) -> list[Interval]:
    """Validate a child-week and return its presences as intervals in minutes from Monday."""
    if week.week_start.weekday() != 0:
        raise RuleInputError("week_start", f"{week.week_start} is not a Monday")
    if week.rank < 1:
        raise RuleInputError("rank", f"must be 1 or more, got {week.rank}")
    if week.plurilingual_weeks_used < 0:
        raise RuleInputError("plurilingual_weeks_used", "must not be negative")
    index: dict[str, int] = {}
    for i, provider in enumerate(week.providers):
        if provider.id in index:
            raise RuleInputError(f"providers[{i}].id", f"duplicate provider id {provider.id!r}")
        index[provider.id] = i
        if provider.hourly_price < 0:
            raise RuleInputError(f"providers[{i}].hourly_price", "must not be negative")
        if provider.meal_price < 0:
            raise RuleInputError(f"providers[{i}].meal_price", "must not be negative")
    monday = week.week_start.toordinal()
    intervals: list[tuple[Interval, int]] = []
    for i, p in enumerate(week.presences):
        prov_index = index.get(p.provider)
        if prov_index is None:
            raise RuleInputError(f"presences[{i}].provider", f"unknown provider {p.provider!r}")
        first, last = p.start, p.end
        if first.second or first.microsecond or last.second or last.microsecond:
            _whole_minutes(first, f"presences[{i}].start")
            _whole_minutes(last, f"presences[{i}].end")
        if first.tzinfo is not None or last.tzinfo is not None:
            _whole_minutes(first, f"presences[{i}].start")
            _whole_minutes(last, f"presences[{i}].end")
        start = (first.toordinal() - monday) * 1440 + first.hour * 60 + first.minute
        end = (last.toordinal() - monday) * 1440 + last.hour * 60 + last.minute
        if end <= start:
            raise RuleInputError(f"presences[{i}].end", f"ends at {last}, not after {first}")
        if start < 0 or start >= WEEK_MINUTES:
            raise RuleInputError(f"presences[{i}].start", f"{first} lies outside the week")
        if end > WEEK_MINUTES:
            raise RuleInputError(f"presences[{i}].end", f"{last} lies outside the week")
        intervals.append(((start, end, prov_index, p.record_id), i))
    intervals.sort()
    for (before, i), (after, j) in itertools.pairwise(intervals):
        if after[0] < before[1]:
            earlier, later = sorted((i, j))
            raise RuleInputError(
                f"presences[{later}]", f"overlaps presences[{earlier}] of the same child"
            )
    week_end = week.week_start + timedelta(days=6)
    for i, meal in enumerate(week.meals):
        if meal.provider not in index:
            raise RuleInputError(f"meals[{i}].provider", f"unknown provider {meal.provider!r}")
        if not week.week_start <= meal.day <= week_end:
            raise RuleInputError(f"meals[{i}].date", f"{meal.day} lies outside the week")
        if meal.count < 0:
            raise RuleInputError(f"meals[{i}].count", "must not be negative")
    return [iv for iv, _ in intervals]
