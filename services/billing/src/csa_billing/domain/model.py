"""Input of the week engine: one child's week of care (csa-rules.md §4-§6)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from csa_shared.rules.categories import Category
from csa_shared.rules.parameters import ProviderType

SCHOOLING_DESCRIPTION = "What school the child attends in the week (csa-rules.md §5)."


class Schooling(StrEnum):
    NONE = "none"
    PRECOCE_PART_TIME = "precoce_part_time"
    PRECOCE_FULL_TIME = "precoce_full_time"
    FUNDAMENTAL = "fundamental"


# mypyc gives the enums it compiles a filler docstring; the OpenAPI documents publish this one.
setattr(Schooling, "__doc__", SCHOOLING_DESCRIPTION)  # noqa: B010 (mypyc refuses the plain assignment)


@dataclass(frozen=True, slots=True)
class Provider:
    """A care provider as billed in the week: type, prices, plurilingual programme."""

    id: str
    type: ProviderType
    hourly_price: Decimal
    meal_price: Decimal
    plurilingual: bool = False


@dataclass(frozen=True, slots=True)
class Presence:
    """One attendance interval [start, end) at a provider, local time, whole minutes."""

    provider: str
    start: datetime
    end: datetime
    record_id: str | None = None


@dataclass(frozen=True, slots=True)
class MealEntry:
    """Main meals taken at a provider on a day."""

    provider: str
    day: date
    count: int
    record_id: str | None = None


@dataclass(frozen=True, slots=True)
class ChildWeek:
    """Everything the rules need to bill one child's week (Monday 00:00 to Sunday 24:00).

    `school_holidays` and `public_holidays` hold the days of this week that are in a
    school-holiday period or are legal public holidays (see `week.calendar_days`).
    """

    week_start: date
    category: Category
    rank: int
    birth_date: date | None
    schooling: Schooling
    providers: tuple[Provider, ...]
    presences: tuple[Presence, ...] = ()
    meals: tuple[MealEntry, ...] = ()
    school_holidays: frozenset[date] = field(default_factory=frozenset)
    public_holidays: frozenset[date] = field(default_factory=frozenset)
    plurilingual_weeks_used: int = 0
