"""Effective-dated parameters (csa-rules.md §1) and the barème (§3)."""

from datetime import date
from decimal import Decimal

import pytest

from csa_shared.rules.categories import Category
from csa_shared.rules.errors import NoParametersInForce, RuleDataError, RuleInputError
from csa_shared.rules.parameters import (
    ProviderType,
    load_parameter_sets,
    parameters_in_force,
    shipped_parameter_sets,
)
from csa_shared.rules.tariffs import load_tariff_grid, tariff_for

GOOD = """
source: test
sets:
  - effective_from: "2024-09-02"
    ssm: "2570.93"
    state_caps: {sea_conventionne: "6.00", sea_commercial: "6.00", assistant_parental: "3.75"}
    ap_off_hours_supplement: "0.50"
    meal_cap: "4.50"
    supported_meals_per_week: 5
    supported_hours_per_week: 60
    plurilingual_hours: {full: 20, precoce_part_time: 10, precoce_full_time: 0}
    plurilingual_weeks_per_year: 46
    holiday_weekly_cap: "100.00"
    no_proof_income_factor: "4.5"
"""


def test_two_shipped_sets_ap_cap_3_75_then_5_40() -> None:
    first, second = shipped_parameter_sets()
    assert (first.effective_from, second.effective_from) == (date(2024, 9, 2), date(2025, 1, 6))
    assert first.state_cap(ProviderType.ASSISTANT_PARENTAL) == Decimal("3.75")
    assert second.state_cap(ProviderType.ASSISTANT_PARENTAL) == Decimal("5.40")
    assert second.state_cap(ProviderType.SEA_CONVENTIONNE) == Decimal("6.00")
    assert second.ssm == Decimal("2570.93")
    assert second.holiday_weekly_cap == Decimal("100.00")


def test_set_in_force_on_2025_01_05_is_the_first_and_on_01_06_the_second() -> None:
    assert parameters_in_force(date(2025, 1, 5)).effective_from == date(2024, 9, 2)
    assert parameters_in_force(date(2025, 1, 6)).effective_from == date(2025, 1, 6)
    assert parameters_in_force(date(2030, 1, 7)).effective_from == date(2025, 1, 6)


def test_week_before_first_set_is_an_error_not_a_guess() -> None:
    with pytest.raises(NoParametersInForce) as err:
        parameters_in_force(date(2024, 8, 26), field="week_start")
    assert err.value.field == "week_start"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("source: test", "other: x"), "source"),
        (('"2024-09-02"', '"2024-09-03"'), "not a Monday"),
        ((', assistant_parental: "3.75"', ""), "one cap per provider type"),
        (('meal_cap: "4.50"', "meal_cap: 4.5"), "meal_cap"),
        (("supported_meals_per_week: 5", "supported_meals_per_week: -5"), "non-negative"),
    ],
)
def test_invalid_parameter_file_is_rejected_with_reason(
    change: tuple[str, str], message: str
) -> None:
    with pytest.raises(RuleDataError, match=message):
        load_parameter_sets(GOOD.replace(*change))


def test_tariff_lt_4_rank_2_is_3_21_36_at_2_70_2_70_4_10_meals_2_00_and_3_00() -> None:
    tariff = tariff_for(Category.LT_4, 2)
    assert tariff.tranche_hours == (3, 21, 36)
    assert tariff.rates == (Decimal("2.70"), Decimal("2.70"), Decimal("4.10"))
    assert tariff.meal_rate(school_age=False) == Decimal("2.00")
    assert tariff.meal_rate(school_age=True) == Decimal("3.00")


def test_rank_7_uses_the_4_plus_row_all_free() -> None:
    assert tariff_for(Category.GE_4_5, 7).rates == (Decimal("0.00"),) * 3


def test_undisclosed_uses_ge_4_5_rows_rank3_2_10_2_10_2_80() -> None:
    assert tariff_for(Category.UNDISCLOSED, 3).rates == tariff_for(Category.GE_4_5, 3).rates
    assert tariff_for(Category.UNDISCLOSED, 3).rates[2] == Decimal("2.80")


def test_rank_0_is_rejected_naming_rank() -> None:
    with pytest.raises(RuleInputError) as err:
        tariff_for(Category.LT_2, 0)
    assert err.value.field == "rank"


def test_tariff_file_whose_tranches_do_not_add_to_60_is_rejected() -> None:
    text = """
source: t
categories:
  rmg: {tranche_hours: [13, 21, 20], meal: {young: "0.00", school_age: "0.00"},
        rates: {1: ["0", "0", "0"], 2: ["0", "0", "0"], 3: ["0", "0", "0"], 4: ["0", "0", "0"]}}
"""
    with pytest.raises(RuleDataError, match="add up to 60"):
        load_tariff_grid(text)
