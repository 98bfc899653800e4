"""Checks on a child-week before it is billed; each error names the offending field."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import NoReturn

from csa_billing.domain.hours import Interval
from csa_billing.domain.model import ChildWeek, Presence
from csa_shared.rules.errors import RuleInputError

WEEK_MINUTES = 7 * 1440
_SIX_DAYS = timedelta(days=6)


def _whole_minutes(moment: datetime, field: str) -> None:
    if moment.second or moment.microsecond or moment.tzinfo is not None:
        raise RuleInputError(field, "must be a local time in whole minutes, without offset")


def validate_week(week: ChildWeek) -> list[Interval]:
    """Validate a child-week and return its presences as intervals in minutes from Monday."""
    monday_date = week.week_start
    if monday_date.weekday() != 0:
        raise RuleInputError("week_start", f"{monday_date} is not a Monday")
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
    monday = monday_date.toordinal() * 1440
    intervals: list[Interval] = []
    append = intervals.append
    in_order, last_end = True, 0
    get = index.get
    for p in week.presences:
        first, last = p.start, p.end
        start = first.toordinal() * 1440 - monday + first.hour * 60 + first.minute
        end = last.toordinal() * 1440 - monday + last.hour * 60 + last.minute
        prov_index = get(p.provider)
        if (
            prov_index is None
            or end <= start or start < 0 or end > WEEK_MINUTES
            or first.second or first.microsecond or last.second or last.microsecond
            or first.tzinfo is not None or last.tzinfo is not None
        ):  # fmt: skip
            _refuse_presence(len(intervals), p, start, end, prov_index)
        if start < last_end:
            in_order = False
        last_end = end
        append((start, end, prov_index, p.record_id))
    if not in_order:
        intervals = _sorted_without_overlaps(intervals)
    if week.meals:
        week_end = monday_date + _SIX_DAYS
        for i, meal in enumerate(week.meals):
            if meal.provider not in index:
                raise RuleInputError(f"meals[{i}].provider", f"unknown provider {meal.provider!r}")
            if not monday_date <= meal.day <= week_end:
                raise RuleInputError(f"meals[{i}].date", f"{meal.day} lies outside the week")
            if meal.count < 0:
                raise RuleInputError(f"meals[{i}].count", "must not be negative")
    return intervals


def _refuse_presence(
    i: int, presence: Presence, start: int, end: int, prov_index: int | None
) -> NoReturn:
    """Raise the first error of presence `i`, in the order the checks are documented."""
    if prov_index is None:
        raise RuleInputError(f"presences[{i}].provider", f"unknown provider {presence.provider!r}")
    first, last = presence.start, presence.end
    _whole_minutes(first, f"presences[{i}].start")
    _whole_minutes(last, f"presences[{i}].end")
    if end <= start:
        raise RuleInputError(f"presences[{i}].end", f"ends at {last}, not after {first}")
    if start < 0 or start >= WEEK_MINUTES:
        raise RuleInputError(f"presences[{i}].start", f"{first} lies outside the week")
    raise RuleInputError(f"presences[{i}].end", f"{last} lies outside the week")


def _sorted_without_overlaps(intervals: list[Interval]) -> list[Interval]:
    """Intervals in chronological order; overlapping presences are refused (naming the later
    of the two in input order)."""
    indexed = sorted((iv, i) for i, iv in enumerate(intervals))
    for (before, i), (after, j) in itertools.pairwise(indexed):
        if after[0] < before[1]:
            earlier, later = sorted((i, j))
            raise RuleInputError(
                f"presences[{later}]", f"overlaps presences[{earlier}] of the same child"
            )
    return [iv for iv, _ in indexed]
