"""Properties of the week engine over random weeks (hypothesis)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from csa_billing.domain.lines import LineKind, Rule
from csa_billing.domain.model import ChildWeek, MealEntry, Presence, Provider, Schooling
from csa_billing.domain.week import compute_week
from csa_shared.rules.categories import Category
from csa_shared.rules.money import round_cents
from csa_shared.rules.parameters import ProviderType, parameters_in_force

MONDAYS = [date(2024, 10, 7), date(2025, 3, 10), date(2025, 7, 21)]
PRICES = [Decimal(p) for p in ("0.00", "3.75", "4.99", "5.40", "6.00", "7.13", "9.50")]
ORDERED = [c for c in Category if c is not Category.UNDISCLOSED]  # rmg < lt_1_5 < ... < ge_4_5


@st.composite
def weeks(draw: st.DrawFn, *, whole_hours: bool = False) -> ChildWeek:
    monday = draw(st.sampled_from(MONDAYS))
    count = draw(st.integers(1, 3))
    providers = tuple(
        Provider(f"p{i}", draw(st.sampled_from(list(ProviderType))), draw(st.sampled_from(PRICES)),
                 draw(st.sampled_from(PRICES)), draw(st.booleans()))
        for i in range(count)
    )  # fmt: skip
    step = 60 if whole_hours else 1
    points = sorted(
        draw(st.sets(st.integers(0, 7 * 1440 // step), min_size=0, max_size=24).filter(
            lambda s: len(s) % 2 == 0))
    )  # fmt: skip
    base = datetime.combine(monday, datetime.min.time())
    presences = tuple(
        Presence(draw(st.sampled_from(providers)).id, base + timedelta(minutes=a * step),
                 base + timedelta(minutes=b * step))
        for a, b in zip(points[::2], points[1::2], strict=True)
    )  # fmt: skip
    meals = tuple(
        MealEntry(p.id, monday + timedelta(days=d), draw(st.integers(0, 2)))
        for p in providers
        for d in draw(st.sets(st.integers(0, 6), max_size=7))
    )
    days = [monday + timedelta(days=i) for i in range(7)]
    return ChildWeek(
        week_start=monday,
        category=draw(st.sampled_from(list(Category))),
        rank=draw(st.integers(1, 6)),
        birth_date=draw(st.dates(date(2015, 1, 1), date(2025, 7, 1))),
        schooling=draw(st.sampled_from(list(Schooling))),
        providers=providers,
        presences=presences,
        meals=meals,
        school_holidays=frozenset(days) if draw(st.booleans()) else frozenset(),
        public_holidays=frozenset(draw(st.sets(st.sampled_from(days), max_size=2))),
        plurilingual_weeks_used=draw(st.integers(0, 47)),
    )


def _charges(week: ChildWeek) -> Decimal:
    """What the providers charge, computed exactly from the input."""
    price = {p.id: p.hourly_price for p in week.providers}
    meal = {p.id: p.meal_price for p in week.providers}
    care = sum(
        (Decimal((p.end - p.start) // timedelta(minutes=1)) * price[p.provider] / 60
         for p in week.presences),
        Decimal(0),
    )  # fmt: skip
    return care + sum((m.count * meal[m.provider] for m in week.meals), Decimal(0))


@settings(max_examples=300, deadline=None)
@given(weeks(whole_hours=True))
def test_whole_hours_parent_plus_state_equals_charges_plus_ap_supplement(week) -> None:
    result = compute_week(week)
    assert result.parent_total + result.state_total == _charges(week) + result.ap_supplement_total


@settings(max_examples=300, deadline=None)
@given(weeks())
def test_any_minutes_parent_plus_state_within_half_a_cent_per_rounded_line(week) -> None:
    result = compute_week(week)
    rounded = [ln for ln in result.lines if ln.kind in (LineKind.CARE, LineKind.SUPPLEMENT)]
    gap = result.parent_total + result.state_total - result.ap_supplement_total - _charges(week)
    assert abs(gap) <= Decimal("0.005") * len(rounded)


@settings(max_examples=200, deadline=None)
@given(weeks())
def test_parent_amount_never_decreases_when_only_the_category_rises(week) -> None:
    parents = [compute_week(replace(week, category=c)).parent_total for c in ORDERED]
    assert parents == sorted(parents)


@settings(max_examples=300, deadline=None)
@given(weeks())
def test_state_never_pays_more_per_hour_than_its_cap_plus_0_50_ap_off_hours(week) -> None:
    result = compute_week(week)
    params = parameters_in_force(week.week_start)
    for provider in week.providers:
        cap = params.state_caps[provider.type]
        lines = [ln for ln in result.lines if ln.provider == provider.id]
        minutes = sum(ln.minutes for ln in lines if ln.kind is LineKind.CARE)
        ap_minutes = sum(ln.minutes for ln in lines if ln.kind is LineKind.AP_SUPPLEMENT)
        care_state = sum((ln.state_amount for ln in lines if ln.kind is not LineKind.MEAL),
                         Decimal(0))  # fmt: skip
        bound = (minutes * cap + ap_minutes * Decimal("0.50")) / 60
        assert care_state <= bound + Decimal("0.005") * len(lines)
        for ln in lines:
            if ln.kind is LineKind.CARE:
                assert ln.state_rate <= cap


@settings(max_examples=300, deadline=None)
@given(weeks())
def test_supported_hours_never_exceed_60_and_unsupported_only_after_60(week) -> None:
    hours = compute_week(week).hours
    attended = sum((p.end - p.start) // timedelta(minutes=1) for p in week.presences)
    assert hours.supported + hours.unsupported == attended
    assert hours.supported <= 3600
    assert hours.unsupported == 0 or hours.supported == 3600


@settings(max_examples=200, deadline=None)
@given(weeks())
def test_amounts_are_whole_cents_and_parent_never_negative(week) -> None:
    result = compute_week(week)
    assert result.parent_total >= 0 and result.state_total >= 0
    for ln in result.lines:
        assert ln.parent_amount == ln.parent_amount.quantize(Decimal("0.01"))
        if ln.kind is not LineKind.HOLIDAY_CAP:
            assert ln.parent_amount >= 0 and ln.state_amount >= 0


_TRANCHES = {Rule.TRANCHE_1, Rule.TRANCHE_2, Rule.TRANCHE_3}


@settings(max_examples=300, deadline=None)
@given(weeks(), st.booleans())
def test_holiday_cap_reaches_only_the_parents_tranche_part(week, holiday) -> None:
    """Per line: parent + state = the charged amount (hours x unit price, rounded once).
    In a holiday week of a child not at school the parent's share of the tranche lines,
    cap relief included, is min(uncapped, 100.00); hours beyond 60 never get state money and
    the cap moves nothing onto them or onto the supplements."""
    days = [week.week_start + timedelta(days=i) for i in range(7)]
    week = replace(week, school_holidays=frozenset(days) if holiday else frozenset())
    result = compute_week(week)
    for ln in result.lines:
        if ln.kind in (LineKind.CARE, LineKind.SUPPLEMENT):
            charged = round_cents(Decimal(ln.minutes) * ln.unit_price / 60)
            assert ln.parent_amount + ln.state_amount == charged, ln
        if ln.kind is LineKind.HOLIDAY_CAP:
            assert ln.parent_amount + ln.state_amount == 0 and ln.state_amount > 0
        if ln.rule is Rule.UNSUPPORTED or ln.kind is LineKind.SUPPLEMENT:
            assert ln.state_amount == 0, ln
    tranches = sum(
        (ln.parent_amount for ln in result.lines
         if ln.kind is LineKind.CARE and ln.rule in _TRANCHES),
        Decimal(0),
    )  # fmt: skip
    relief = sum((ln.parent_amount for ln in result.lines if ln.kind is LineKind.HOLIDAY_CAP),
                 Decimal(0))  # fmt: skip
    if result.holiday_week and week.schooling is not Schooling.FUNDAMENTAL:
        assert tranches + relief == min(tranches, Decimal("100.00"))
    else:
        assert relief == 0
