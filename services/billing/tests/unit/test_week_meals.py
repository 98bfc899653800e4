"""Main meals (csa-rules.md §6)."""

from datetime import date
from decimal import Decimal

from csa_billing.domain.lines import LineKind, Rule
from csa_billing.domain.week import compute_week

D = Decimal
SCHOOL_AGE = {"schooling": "fundamental", "born": date(2018, 1, 1)}


def _meal_totals(result):
    meals = [ln for ln in result.lines if ln.kind is LineKind.MEAL]
    return sum(ln.parent_amount for ln in meals), sum(ln.state_amount for ln in meals)


def test_young_lt3_7_meals_at_4_50_five_at_2_00_two_extra_parent_19_00_state_12_50(
    build,
) -> None:
    week = build.week([build.sea()], meals=build.meals(range(7)), category="lt_3")
    result = compute_week(week)
    assert _meal_totals(result) == (D("19.00"), D("12.50"))
    extra = [ln for ln in result.lines if ln.rule is Rule.MEAL_EXTRA]
    assert [(ln.quantity, ln.parent_amount) for ln in extra] == [(D(2), D("9.00"))]


def test_meal_price_5_50_above_cap_lt2_rate_1_00_parent_2_00_state_3_50(build) -> None:
    result = compute_week(build.week([build.sea(meal="5.50")], meals=build.meals([0])))
    assert _meal_totals(result) == (D("2.00"), D("3.50"))


def test_meal_price_1_00_below_rate_2_00_parent_1_00_state_0(build) -> None:
    result = compute_week(build.week([build.sea(meal="1.00")], meals=build.meals([0]),
                                     category="lt_3"))  # fmt: skip
    assert _meal_totals(result) == (D("1.00"), D("0.00"))


def test_school_age_school_week_ge45_5_meals_free_state_22_50(build) -> None:
    result = compute_week(build.week([build.sea()], meals=build.meals(range(5)),
                                     category="ge_4_5", **SCHOOL_AGE))  # fmt: skip
    assert _meal_totals(result) == (D("0.00"), D("22.50"))


def test_school_age_school_week_meal_5_50_parent_pays_above_4_50_only_1_00(build) -> None:
    result = compute_week(build.week([build.sea(meal="5.50")], meals=build.meals([0]),
                                     category="ge_4_5", **SCHOOL_AGE))  # fmt: skip
    assert _meal_totals(result) == (D("1.00"), D("4.50"))


def test_school_age_holiday_week_lt2_meals_free_state_4_50(build) -> None:
    result = compute_week(build.week([build.sea()], meals=build.meals([0]), category="lt_2",
                                     holiday=True, **SCHOOL_AGE))  # fmt: skip
    assert _meal_totals(result) == (D("0.00"), D("4.50"))
    assert result.lines[0].rule is Rule.MEAL_FREE_HOLIDAY_LOW_INCOME


def test_school_age_holiday_week_lt2_5_meal_rate_1_50_state_3_00(build) -> None:
    result = compute_week(build.week([build.sea()], meals=build.meals([0]), category="lt_2_5",
                                     holiday=True, **SCHOOL_AGE))  # fmt: skip
    assert _meal_totals(result) == (D("1.50"), D("3.00"))


def test_school_age_holiday_week_lt4_meal_rate_3_00_state_1_50(build) -> None:
    result = compute_week(build.week([build.sea()], meals=build.meals([0]), category="lt_4",
                                     holiday=True, **SCHOOL_AGE))  # fmt: skip
    assert _meal_totals(result) == (D("3.00"), D("1.50"))


def test_young_lt4_meal_rate_2_00_state_2_50(build) -> None:
    result = compute_week(build.week([build.sea()], meals=build.meals([0]), category="lt_4"))
    assert _meal_totals(result) == (D("2.00"), D("2.50"))


def test_rmg_young_5_meals_free_state_22_50_sixth_meal_parent_4_50(build) -> None:
    result = compute_week(build.week([build.sea()], meals=build.meals(range(6)), category="rmg"))
    assert _meal_totals(result) == (D("4.50"), D("22.50"))


def test_meals_at_two_providers_first_five_by_date_supported_parent_16_00_state_12_50(
    build,
) -> None:
    """lt_3 young child, meal rate 2.00. Mon-Wed at s (4.50): 3 supported meals, parent
    3 x 2.00 = 6.00, state 3 x 2.50 = 7.50. Thu-Sat at t (5.00): Thu and Fri are meals 4
    and 5, supported: state 2 x (4.50 - 2.00) = 5.00, parent 2 x (5.00 - 2.50) = 5.00; Sat
    is the 6th meal: extra, parent 5.00. Parent 16.00, state 12.50."""
    week = build.week(
        [build.sea("s"), build.sea("t", meal="5.00")],
        meals=(*build.meals([0, 1, 2], "s"), *build.meals([3, 4, 5], "t")),
        category="lt_3",
    )
    result = compute_week(week)
    extra = [ln for ln in result.lines if ln.rule is Rule.MEAL_EXTRA]
    assert [(ln.provider, ln.parent_amount) for ln in extra] == [("t", D("5.00"))]
    # parent: 3 x 2.00 at s + 2 x (5.00 - 2.50) at t + 5.00 extra = 16.00; state 5 x 2.50
    assert _meal_totals(result) == (D("16.00"), D("12.50"))


def test_two_meals_on_one_day_count_two(build) -> None:
    result = compute_week(build.week([build.sea()], meals=build.meals(range(3), count=2),
                                     category="lt_3"))  # fmt: skip
    assert _meal_totals(result) == (D("14.50"), D("12.50"))  # 5 x 2.00 + 4.50
