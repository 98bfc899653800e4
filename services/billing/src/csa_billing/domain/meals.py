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
_new = tuple.__new__  # a Line from all its fields, without its Python-level __new__


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
    rate = category_rate if rule is _CATEGORY_RATE else ZERO
    if len(providers) == 1:
        return _one_provider_lines(meals, providers[0], rule, rate, meal_cap, supported_per_week)
    order = {p.id: i for i, p in enumerate(providers)}
    ordered = sorted(meals, key=lambda m: (m.day, order[m.provider]))
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
        pid = provider.id
        ids = tuple(records[pid]) if pid in records else ()
        _append_lines(lines, provider, supported.get(pid, 0), extra.get(pid, 0), ids, rule,
                      rate, meal_cap)  # fmt: skip
    return lines


def _one_provider_lines(
    meals: Sequence[MealEntry],
    provider: Provider,
    rule: Rule,
    rate: Decimal,
    meal_cap: Decimal,
    supported_per_week: int,
) -> list[Line]:
    """All meals at one provider: the first `supported_per_week` are supported whatever
    their order; only the record ids are listed in date order (a stable sort)."""
    total = 0
    with_ids = False
    for meal in meals:
        total += meal.count
        if meal.record_id is not None:
            with_ids = True
    ids: tuple[str, ...] = ()
    if with_ids:
        ids = tuple(
            m.record_id for m in sorted(meals, key=_DAY) if m.record_id is not None and m.count
        )
    got = total if total < supported_per_week else supported_per_week
    lines: list[Line] = []
    _append_lines(lines, provider, got, total - got, ids, rule, rate, meal_cap)
    return lines


def _append_lines(
    lines: list[Line],
    provider: Provider,
    supported: int,
    extra: int,
    ids: tuple[str, ...],
    rule: Rule,
    rate: Decimal,
    meal_cap: Decimal,
) -> None:
    """A provider's supported-meals line (state max(0, min(price, cap) - r) per meal, parent
    the rest of the price) and extra-meals line (full price to the parent), if any."""
    price = provider.meal_price
    if supported:
        state_rate = (price if price <= meal_cap else meal_cap) - rate
        if not state_rate > ZERO:  # max(ZERO, ...): ZERO itself when not positive
            state_rate = ZERO
        parent_rate = price - state_rate
        lines.append(
            _new(Line, (provider.id, _MEAL, rule, _quantity(supported), price, parent_rate,
                        state_rate, supported * parent_rate, supported * state_rate, 0, ids))
        )  # fmt: skip
    if extra:
        lines.append(
            _new(Line, (provider.id, _MEAL, _EXTRA, _quantity(extra), price, price, ZERO,
                        extra * price, ZERO, 0, ids))
        )  # fmt: skip


@lru_cache(maxsize=256)
def _quantity(count: int) -> Decimal:
    return Decimal(count)
