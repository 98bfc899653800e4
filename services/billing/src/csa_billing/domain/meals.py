"""Main meals of the week: 5 supported, category rate, free cases, extra meals (csa-rules.md §6)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from functools import lru_cache
from operator import attrgetter

from csa_billing.domain.lines import Line, LineKind, Rule
from csa_billing.domain.model import MealEntry, Provider
from csa_shared.rules.categories import BELOW_TWO_SSM, Category
from csa_shared.rules.money import ZERO

_MEAL, _EXTRA, _CATEGORY_RATE = LineKind.MEAL, Rule.MEAL_EXTRA, Rule.MEAL_CATEGORY_RATE
_DAY = attrgetter("day")


def meal_rule(*, category: Category, school_age: bool, holiday_week: bool) -> Rule:
    """Which §6 rule prices the supported meals of the week.

    rmg: free. School-age child in a school week: free. School-age child in a holiday week:
    free below 2 x SSM (rmg, lt_1_5, lt_2), else the category rate. Young child: category rate.
    """
    if category is Category.RMG:
        return Rule.MEAL_FREE_RMG
    if school_age and not holiday_week:
        return Rule.MEAL_FREE_SCHOOL_WEEK
    if school_age and category in BELOW_TWO_SSM:
        return Rule.MEAL_FREE_HOLIDAY_LOW_INCOME
    return Rule.MEAL_CATEGORY_RATE


def meal_lines(
    meals: Sequence[MealEntry],
    providers: Sequence[Provider],
    *,
    rule: Rule,
    category_rate: Decimal,
    meal_cap: Decimal,
    supported_per_week: int,
) -> list[Line]:
    """Meal lines per provider (csa-rules.md §6).

    The first `supported_per_week` meals of the week in date order are supported: the parent
    pays the rate r (0 in the free cases), the state max(0, min(price, 4.50) - r), the parent
    the rest of the price. Further meals: full price to the parent.
    """
    if len(providers) == 1:  # one provider: date order alone (sorting is stable)
        ordered = sorted(meals, key=_DAY)
    else:
        order = {p.id: i for i, p in enumerate(providers)}
        ordered = sorted(meals, key=lambda m: (m.day, order[m.provider]))
    rate = category_rate if rule is _CATEGORY_RATE else ZERO
    supported: dict[str, int] = {}
    extra: dict[str, int] = {}
    records: dict[str, list[str]] = {}
    left = supported_per_week
    for meal in ordered:
        count = meal.count
        got = count if count < left else left
        left -= got
        if got:
            supported[meal.provider] = supported.get(meal.provider, 0) + got
        if count - got:
            extra[meal.provider] = extra.get(meal.provider, 0) + count - got
        if meal.record_id is not None and count:
            records.setdefault(meal.provider, []).append(meal.record_id)
    lines: list[Line] = []
    for provider in providers:
        pid, price = provider.id, provider.meal_price
        ids = tuple(records[pid]) if pid in records else ()
        count = supported.get(pid, 0)
        if count:
            # The price's exponent is part of the key: 4.5 and 4.50 are equal but print apart.
            amounts = _supported_amounts(count, price, price.as_tuple().exponent, meal_cap, rate)
            lines.append(Line(pid, _MEAL, rule, *amounts, record_ids=ids))
        count = extra.get(pid, 0)
        if count:
            lines.append(
                Line(pid, _MEAL, _EXTRA, Decimal(count), price, price, ZERO, count * price, ZERO,
                     record_ids=ids)
            )  # fmt: skip
    return lines


@lru_cache(maxsize=1024)
def _supported_amounts(
    count: int, price: Decimal, exponent: object, meal_cap: Decimal, rate: Decimal
) -> tuple[Decimal, Decimal, Decimal, Decimal, Decimal, Decimal]:
    """Quantity, price, parent rate, state rate, parent and state amounts of supported meals:
    the state pays max(0, min(price, cap) - r) per meal, the parent the rest of the price."""
    state_rate = max(ZERO, min(price, meal_cap) - rate)
    return (
        Decimal(count), price, price - state_rate, state_rate,
        count * (price - state_rate), count * state_rate,
    )  # fmt: skip
