"""Household income and category (csa-rules.md §2); SSM 2,570.93 as in §1."""

from datetime import date
from decimal import Decimal

import pytest

from csa_membership.domain.errors import InvalidHousehold, InvalidIncome
from csa_membership.domain.household import (
    Alimony,
    Household,
    IncomeItem,
    IncomeKind,
    Member,
    Role,
    Situation,
    decide_category,
    household_income,
)
from csa_shared.rules.categories import Category
from csa_shared.rules.parameters import parameters_in_force

SSM = Decimal("2570.93")


def taxable(amount: str) -> IncomeItem:
    return IncomeItem(IncomeKind.TAXABLE, Decimal(amount))


def member(role: Role, *amounts: str, name: str = "") -> Member:
    return Member(role, name or role.value, tuple(taxable(a) for a in amounts))


def test_couple_living_together_5200_is_lt_2_5() -> None:
    household = Household(
        Situation.LIVING_TOGETHER,
        (member(Role.REPRESENTATIVE, "3000.00"), member(Role.CO_REPRESENTATIVE, "2200.00")),
    )
    decision = decide_category(household, ssm=SSM)
    assert decision.category is Category.LT_2_5
    assert decision.monthly_income == Decimal("5200.00")
    assert "category lt_2_5" in decision.explanation[-1]


def test_income_exactly_two_ssm_5141_86_is_lt_2_5() -> None:
    household = Household(Situation.LIVING_TOGETHER, (member(Role.REPRESENTATIVE, "5141.86"),))
    assert decide_category(household, ssm=SSM).category is Category.LT_2_5


def test_allowances_and_social_aid_never_count_income_stays_1000() -> None:
    items = (
        taxable("1000.00"),
        IncomeItem(IncomeKind.FAMILY_ALLOWANCE, Decimal("300")),
        IncomeItem(IncomeKind.SCHOOL_ALLOWANCE, Decimal("100")),
        IncomeItem(IncomeKind.BIRTH_ALLOWANCE, Decimal("580")),
        IncomeItem(IncomeKind.SOCIAL_AID, Decimal("250")),
    )
    household = Household(Situation.LIVING_TOGETHER, (Member(Role.REPRESENTATIVE, "A", items),))
    income, steps = household_income(household)
    assert income == Decimal("1000.00")
    assert sum("is never income" in s for s in steps) == 4


def test_separated_counts_custodial_parent_plus_alimony_received_2800() -> None:
    household = Household(
        Situation.SEPARATED,
        (member(Role.REPRESENTATIVE, "2500.00"), member(Role.OTHER_PARENT, "9000.00")),
        Alimony(received_monthly=Decimal("300.00"), judge_set_monthly=Decimal("400.00")),
    )
    assert household_income(household)[0] == Decimal("2800.00")


def test_separated_without_alimony_received_counts_judge_set_400() -> None:
    household = Household(
        Situation.SEPARATED,
        (member(Role.REPRESENTATIVE, "2500.00"),),
        Alimony(judge_set_monthly=Decimal("400.00")),
    )
    assert household_income(household)[0] == Decimal("2900.00")


def test_separated_unrecoverable_judge_set_alimony_counts_nothing() -> None:
    household = Household(
        Situation.SEPARATED,
        (member(Role.REPRESENTATIVE, "2500.00"),),
        Alimony(judge_set_monthly=Decimal("400.00"), unrecoverable=True),
    )
    income, steps = household_income(household)
    assert income == Decimal("2500.00")
    assert any("unrecoverable" in s for s in steps)


def test_blended_counts_representative_partner_and_alimony_4700() -> None:
    household = Household(
        Situation.BLENDED,
        (member(Role.REPRESENTATIVE, "2000.00"), member(Role.PARTNER, "2500.00")),
        Alimony(received_monthly=Decimal("200.00")),
    )
    decision = decide_category(household, ssm=SSM)
    assert decision.monthly_income == Decimal("4700.00")
    assert decision.category is Category.LT_2


def test_blended_without_partner_is_invalid() -> None:
    with pytest.raises(InvalidHousehold) as err:
        household_income(Household(Situation.BLENDED, (member(Role.REPRESENTATIVE, "1"),)))
    assert err.value.code == "missing_member"


def test_foster_family_counts_foster_parents_only_3000() -> None:
    household = Household(
        Situation.FOSTER_FAMILY,
        (
            member(Role.FOSTER_PARENT, "1500.00", name="F1"),
            member(Role.FOSTER_PARENT, "1500.00", name="F2"),
            member(Role.REPRESENTATIVE, "8000.00"),
        ),
    )
    assert household_income(household)[0] == Decimal("3000.00")


def test_institution_is_lt_4_5_and_state_pays_all_whatever_the_income() -> None:
    household = Household(Situation.INSTITUTION, (member(Role.REPRESENTATIVE, "100.00"),))
    decision = decide_category(household, ssm=SSM)
    assert decision.category is Category.LT_4_5
    assert decision.state_pays_all
    assert decision.monthly_income is None


def test_alternating_residence_counts_both_parents_12000_is_ge_4_5() -> None:
    household = Household(
        Situation.ALTERNATING_RESIDENCE,
        (member(Role.REPRESENTATIVE, "6000.00"), member(Role.OTHER_PARENT, "6000.00")),
    )
    assert decide_category(household, ssm=SSM).category is Category.GE_4_5


def test_alternating_residence_needs_exactly_one_designated_representative() -> None:
    household = Household(
        Situation.ALTERNATING_RESIDENCE,
        (member(Role.OTHER_PARENT, "1", name="a"), member(Role.OTHER_PARENT, "1", name="b")),
    )
    with pytest.raises(InvalidHousehold) as err:
        household_income(household)
    assert err.value.code == "one_representative_required"


def test_rmg_certificate_gives_rmg_even_with_income() -> None:
    household = Household(
        Situation.LIVING_TOGETHER, (member(Role.REPRESENTATIVE, "9000.00"),), rmg_certificate=True
    )
    assert decide_category(household, ssm=SSM).category is Category.RMG


def test_child_identified_at_risk_gives_rmg() -> None:
    household = Household(Situation.LIVING_TOGETHER, at_risk_identified=True)
    decision = decide_category(household, ssm=SSM)
    assert decision.category is Category.RMG
    assert "at risk" in decision.explanation[0]


def test_undeclared_income_gives_undisclosed() -> None:
    household = Household(Situation.LIVING_TOGETHER, income_declared=False)
    assert decide_category(household, ssm=SSM).category is Category.UNDISCLOSED


def test_negative_income_is_refused() -> None:
    household = Household(Situation.LIVING_TOGETHER, (member(Role.REPRESENTATIVE, "-1.00"),))
    with pytest.raises(InvalidIncome):
        decide_category(household, ssm=SSM)


def test_negative_alimony_is_refused() -> None:
    household = Household(
        Situation.SEPARATED,
        (member(Role.REPRESENTATIVE, "1.00"),),
        Alimony(received_monthly=Decimal("-5")),
    )
    with pytest.raises(InvalidIncome):
        household_income(household)


def test_category_on_2025_03_03_uses_ssm_2570_93_so_3856_39_is_lt_1_5() -> None:
    household = Household(Situation.LIVING_TOGETHER, (member(Role.REPRESENTATIVE, "3856.39"),))
    # 1.5 x 2570.93 = 3856.395: 3856.39 is just below.
    ssm = parameters_in_force(date(2025, 3, 3)).ssm
    assert decide_category(household, ssm=ssm).category is Category.LT_1_5
