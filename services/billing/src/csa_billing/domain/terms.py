"""Precomputed terms of the week engine: what one parameter set, tariff row and schooling
mean for a child-week, and what they mean for a provider's price (csa-rules.md §1, §3-§6).

Worked out once per (parameter set, category, rank, schooling) and per (provider type,
hourly price) within it, as integer minutes and cents plus the Decimals the lines show, so
that billing a week only adds, multiplies and rounds integers.
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from csa_billing.domain.lines import Rule, cents, euros
from csa_billing.domain.meals import meal_rule
from csa_billing.domain.model import Schooling
from csa_shared.rules.categories import Category
from csa_shared.rules.parameters import ParameterSet, ProviderType
from csa_shared.rules.tariffs import tariff_for

CLASS_RULES = (
    Rule.SCHOOL_FREE,
    Rule.PLURILINGUAL_FREE,
    Rule.TRANCHE_1,
    Rule.TRANCHE_2,
    Rule.TRANCHE_3,
    Rule.UNSUPPORTED,
)
_AP = ProviderType.ASSISTANT_PARENTAL


class ClassTerms(NamedTuple):
    """One supported hour class at one provider: the care line's unit price min(P, C), the
    parent's and state's hourly rates (§4), and the same care price and state rate in cents."""

    rule: Rule
    unit_price: Decimal
    parent_rate: Decimal
    state_rate: Decimal
    care_cents: int
    state_cents: int


class ProviderTerms(NamedTuple):
    """A provider's hourly price P under a plan: its supported classes (§5.1-§5.3), P for
    hours beyond the cap, and P - C above the state cap C (0 if P <= C), in cents and euros."""

    classes: tuple[ClassTerms, ...]
    price_cents: int
    price: Decimal
    excess_cents: int
    excess: Decimal


def provider_terms(hourly_price: Decimal, cap: int, rates: tuple[int, ...]) -> ProviderTerms:
    """Terms of an hourly price against a state cap (cents) and the parent's rates per class
    (cents; 0 for the free classes): state rate max(0, min(P, C) - r), parent min(P, C) minus
    it (csa-rules.md §4)."""
    price = cents(hourly_price)
    care = price if price < cap else cap
    classes = []
    for rule, rate in zip(CLASS_RULES[:-1], rates, strict=False):
        state = max(0, care - rate)
        classes.append(
            ClassTerms(rule, euros(care), euros(care - state), euros(state), care, state)
        )
    excess = max(0, price - cap)
    return ProviderTerms(tuple(classes), price, euros(price), excess, euros(excess))


class WeekTerms:
    """What a week's computation needs from its parameters, tariff row and schooling (§1, §3,
    §5, §6), in minutes and cents, and the provider terms met so far under them."""

    __slots__ = (
        "_providers",
        "ap_extra",
        "ap_extra_cents",
        "caps",
        "meal_rate",
        "meal_rules",
        "params",
        "plurilingual_minutes",
        "rates",
        "school_age",
        "supported_minutes",
        "tranche_minutes",
    )

    def __init__(self, params: ParameterSet, category: Category, rank: int, schooling: Schooling):
        tariff = tariff_for(category, rank)
        self.params = params
        self.school_age = school_age = schooling is Schooling.FUNDAMENTAL
        self.supported_minutes = params.supported_hours_per_week * 60
        t1, t2, t3 = tariff.tranche_hours
        self.tranche_minutes = (t1 * 60, t2 * 60, t3 * 60)
        r1, r2, r3 = (cents(rate) for rate in tariff.rates)
        #: the parent's rate in cents per hour class (0 for free hours)
        self.rates = (0, 0, r1, r2, r3, 0)
        #: the state's hourly cap in cents per provider type
        self.caps = {kind: cents(cap) for kind, cap in params.state_caps.items()}
        self.ap_extra = params.ap_off_hours_supplement
        self.ap_extra_cents = cents(self.ap_extra)
        #: the §6 rule of the supported meals in a school week, in a holiday week
        self.meal_rules = (
            meal_rule(category=category, school_age=school_age, holiday_week=False),
            meal_rule(category=category, school_age=school_age, holiday_week=True),
        )
        self.meal_rate = tariff.meal_rate(school_age=school_age)
        self.plurilingual_minutes = 60 * (
            params.plurilingual_hours_full
            if schooling is Schooling.NONE
            else params.plurilingual_hours_precoce_part_time
            if schooling is Schooling.PRECOCE_PART_TIME
            else params.plurilingual_hours_precoce_full_time
            if schooling is Schooling.PRECOCE_FULL_TIME
            else 0
        )
        self._providers: dict[tuple[ProviderType, Decimal], ProviderTerms] = {}

    def provider(self, kind: ProviderType, hourly_price: Decimal) -> ProviderTerms:
        """Terms of a provider type and hourly price (worked out on first use)."""
        key = (kind, hourly_price)  # equal prices (6.0, 6.00) have the same terms
        found = self._providers.get(key)
        if found is None:
            found = provider_terms(hourly_price, self.caps[kind], self.rates)
            if len(self._providers) >= 1024:
                self._providers.clear()
            self._providers[key] = found
        return found


_plans: dict[tuple[int, Category, int, Schooling], WeekTerms] = {}


def week_terms(
    params: ParameterSet, category: Category, rank: int, schooling: Schooling
) -> WeekTerms:
    """The terms of a (parameter set, category, rank, schooling), worked out once."""
    key = (id(params), category, rank, schooling)
    plan = _plans.get(key)
    if plan is not None and plan.params is params:
        return plan
    plan = WeekTerms(params, category, rank, schooling)
    if len(_plans) >= 4096:
        _plans.clear()
    _plans[key] = plan
    return plan
