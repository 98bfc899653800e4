"""Money rounding and income categories (csa-rules.md preamble, §2)."""

from decimal import Decimal

import pytest

from csa_shared.rules.categories import Category, income_category
from csa_shared.rules.errors import RuleInputError
from csa_shared.rules.money import format_money, parse_money, round_cents

SSM = Decimal("2570.93")


def test_round_cents_half_up_0_005_gives_0_01() -> None:
    assert round_cents(Decimal("0.005")) == Decimal("0.01")
    assert round_cents(Decimal("2.675")) == Decimal("2.68")
    assert round_cents(Decimal("1.3333")) == Decimal("1.33")


def test_parse_money_6_00_and_rejects_three_decimals_and_negative() -> None:
    assert parse_money("6.00") == Decimal("6.00")
    assert format_money(parse_money("6")) == "6.00"
    with pytest.raises(RuleInputError, match="hourly_price"):
        parse_money("6.001", field="hourly_price")
    with pytest.raises(RuleInputError, match="must not be negative"):
        parse_money("-1.00")


@pytest.mark.parametrize("text", ["1" + "0" * 26 + ".00", "1" + "0" * 12, "1e400"])
def test_parse_money_refuses_an_amount_beyond_12_digits_as_rule_input(text: str) -> None:
    with pytest.raises(RuleInputError, match="at most 12 digits"):
        parse_money(text)
    assert parse_money("9" * 12 + ".99") == Decimal("999999999999.99")


@pytest.mark.parametrize(
    ("income", "expected"),
    [
        ("0.00", Category.LT_1_5),
        ("3856.39", Category.LT_1_5),  # 1.5 x SSM = 3856.395
        ("3856.40", Category.LT_2),
        ("5141.85", Category.LT_2),  # 2 x SSM = 5141.86
        ("5141.86", Category.LT_2_5),  # exactly 2 x SSM
        ("5200.00", Category.LT_2_5),
        ("6427.33", Category.LT_3),  # 2.5 x SSM = 6427.325
        ("7712.79", Category.LT_3_5),  # 3 x SSM
        ("8998.26", Category.LT_4),  # 3.5 x SSM = 8998.255
        ("8998.25", Category.LT_3_5),
        ("10283.72", Category.LT_4_5),  # 4 x SSM
        ("11569.18", Category.LT_4_5),  # 4.5 x SSM = 11569.185
        ("11569.19", Category.GE_4_5),
        ("50000.00", Category.GE_4_5),
    ],
)
def test_income_category_bounds_strictly_lower_than_k_ssm(income: str, expected: Category) -> None:
    assert income_category(Decimal(income), SSM) is expected


def test_income_exactly_4_times_ssm_is_lt_4_5_and_just_below_is_lt_4() -> None:
    assert income_category(4 * SSM, SSM) is Category.LT_4_5
    assert income_category(4 * SSM - Decimal("0.01"), SSM) is Category.LT_4


def test_negative_income_names_the_income_field() -> None:
    with pytest.raises(RuleInputError) as err:
        income_category(Decimal("-1"), SSM)
    assert err.value.field == "income"
