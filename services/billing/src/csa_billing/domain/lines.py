"""Output of the week engine: traceable invoice lines and the week's result (csa-rules.md §4-§6).

Every line names the rule that produced it, its quantity (hours or meals), the unit price and
the parent's and state's unit rates, so that a parent or an auditor can redo the sum.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from typing import NamedTuple

from csa_shared.rules.money import round_quantity

SIXTY = Decimal(60)
_MINUTES_PER_HOUR = 60
_HALF_HOUR = _MINUTES_PER_HOUR // 2


class LineKind(StrEnum):
    """What a line bills."""

    CARE = "care"
    SUPPLEMENT = "supplement"  # price above the state cap, paid by the parent (§4)
    AP_SUPPLEMENT = "ap_supplement"  # AP night/weekend/public-holiday +0.50 EUR/h, state (§4)
    HOLIDAY_CAP = "holiday_cap"  # school-holiday 100 EUR weekly cap relief (§5)
    MEAL = "meal"
    STATE_TAKEOVER = "state_takeover"  # child placed in an institution: state pays all (§2)


class Rule(StrEnum):
    """The rule of csa-rules.md that produced a line."""

    SCHOOL_FREE = "school_free"  # §5.1
    PLURILINGUAL_FREE = "plurilingual_free"  # §5.2
    TRANCHE_1 = "tranche_1"  # §5.3
    TRANCHE_2 = "tranche_2"
    TRANCHE_3 = "tranche_3"
    UNSUPPORTED = "unsupported"  # §5.4 / §4 beyond 60 hours
    PRICE_ABOVE_CAP = "price_above_cap"  # §4
    AP_OFF_HOURS = "ap_off_hours"  # §4
    HOLIDAY_WEEKLY_CAP = "holiday_weekly_cap"  # §5 school holidays
    MEAL_CATEGORY_RATE = "meal_category_rate"  # §6
    MEAL_FREE_SCHOOL_WEEK = "meal_free_school_week"  # §6
    MEAL_FREE_HOLIDAY_LOW_INCOME = "meal_free_holiday_low_income"  # §6
    MEAL_FREE_RMG = "meal_free_rmg"  # §6
    MEAL_EXTRA = "meal_extra"  # §6, 6th and further meals
    INSTITUTION_PLACEMENT = "institution_placement"  # §2, the parent share paid by the state


RULE_SECTIONS: dict[Rule, str] = {
    Rule.SCHOOL_FREE: "csa-rules.md §5.1",
    Rule.PLURILINGUAL_FREE: "csa-rules.md §5.2",
    Rule.TRANCHE_1: "csa-rules.md §5.3, §3",
    Rule.TRANCHE_2: "csa-rules.md §5.3, §3",
    Rule.TRANCHE_3: "csa-rules.md §5.3, §3",
    Rule.UNSUPPORTED: "csa-rules.md §5.4, §4",
    Rule.PRICE_ABOVE_CAP: "csa-rules.md §4",
    Rule.AP_OFF_HOURS: "csa-rules.md §4, §1",
    Rule.HOLIDAY_WEEKLY_CAP: "csa-rules.md §5 (school holidays)",
    Rule.MEAL_CATEGORY_RATE: "csa-rules.md §6, §3",
    Rule.MEAL_FREE_SCHOOL_WEEK: "csa-rules.md §6",
    Rule.MEAL_FREE_HOLIDAY_LOW_INCOME: "csa-rules.md §6",
    Rule.MEAL_FREE_RMG: "csa-rules.md §6",
    Rule.MEAL_EXTRA: "csa-rules.md §6",
    Rule.INSTITUTION_PLACEMENT: "csa-rules.md §2 (child placed in an institution)",
}


@lru_cache(maxsize=16384)
def hours_of(minutes: int) -> Decimal:
    """Decimal hours of a number of minutes, shown to the hundredth (display only)."""
    return round_quantity(Decimal(minutes) / SIXTY, 2)


def cents_for_minutes(cent_minutes: int) -> int:
    """Cents of minutes x rate (given as minutes x rate-in-cents), rounded half-up once.

    The engine works in integer minutes and cents (exact), so a line's exact amount is the
    fraction cent_minutes / 60 cents; this is `round_cents` (half-up, ties away from zero)
    of that amount done in exact integer arithmetic, without a Decimal in the hot path.
    The two agree on every integer (tests/unit/test_week_rounding.py).
    """
    if cent_minutes >= 0:
        return (cent_minutes + _HALF_HOUR) // _MINUTES_PER_HOUR
    return -((_HALF_HOUR - cent_minutes) // _MINUTES_PER_HOUR)


@lru_cache(maxsize=65536)
def euros(cents: int) -> Decimal:
    """An exact amount in cents as Decimal euros with two decimals."""
    return Decimal(cents).scaleb(-2)


@lru_cache(maxsize=4096)
def cents(amount: Decimal) -> int:
    """Whole cents of an amount given with at most two decimals (prices, rates, caps)."""
    value = amount.scaleb(2)
    if value != value.to_integral_value():
        raise ValueError(f"{amount} has more than two decimals")
    return int(value)


def amount_for_minutes(minutes: int, hourly_rate: Decimal) -> Decimal:
    """minutes x hourly rate, rounded to the cent once (the line's single rounding)."""
    return euros(cents_for_minutes(minutes * cents(hourly_rate)))


class Line(NamedTuple):
    """One invoice line: quantity x unit price, split between parent and state.

    `quantity` is hours for care lines (exact `minutes` kept alongside) and meals for meal
    lines. `parent_amount + state_amount` is the line total; AP supplement lines carry state
    money only, holiday-cap lines move an amount from the parent to the state.
    """

    provider: str
    kind: LineKind
    rule: Rule
    quantity: Decimal
    unit_price: Decimal
    parent_rate: Decimal
    state_rate: Decimal
    parent_amount: Decimal
    state_amount: Decimal
    minutes: int = 0
    record_ids: tuple[str, ...] = ()

    @property
    def rule_section(self) -> str:
        """The csa-rules.md section the line applies."""
        return RULE_SECTIONS[self.rule]


class HoursBreakdown(NamedTuple):
    """Minutes of the week per class of §5, in the order they are consumed."""

    school_free: int = 0
    plurilingual_free: int = 0
    tranche_1: int = 0
    tranche_2: int = 0
    tranche_3: int = 0
    unsupported: int = 0

    @property
    def supported(self) -> int:
        """Minutes counted toward the weekly cap of supported hours."""
        return (
            self.school_free + self.plurilingual_free + self.tranche_1 + self.tranche_2
        ) + self.tranche_3


class WeekResult(NamedTuple):
    """The billed week: totals, hours breakdown and the lines that justify them."""

    week_start: date
    parameters_from: date
    holiday_week: bool
    plurilingual_week_counted: bool
    hours: HoursBreakdown
    lines: tuple[Line, ...]
    parent_total: Decimal
    state_total: Decimal

    @property
    def ap_supplement_total(self) -> Decimal:
        """State money paid on top of the providers' prices (AP off-hours supplement)."""
        return sum(
            (ln.state_amount for ln in self.lines if ln.kind is LineKind.AP_SUPPLEMENT),
            Decimal("0.00"),
        )
