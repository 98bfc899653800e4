"""Household composition, monthly income and income category (csa-rules.md §2).

Which incomes count depends on the household situation (seed 003, seed 004 §1); family
allowances, school allowance, birth allowance and social aid never count. Every decision
carries a human-readable explanation, one line per step.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from csa_membership.domain.errors import InvalidHousehold, InvalidIncome
from csa_shared.rules.categories import Category, income_category
from csa_shared.rules.money import round_quantity

ZERO = Decimal("0")


class Situation(StrEnum):
    """How the child lives, which decides whose income counts (§2)."""

    LIVING_TOGETHER = "living_together"
    SEPARATED = "separated"
    BLENDED = "blended"
    FOSTER_FAMILY = "foster_family"
    INSTITUTION = "institution"
    ALTERNATING_RESIDENCE = "alternating_residence"


class Role(StrEnum):
    """A household member's role in the income composition."""

    REPRESENTATIVE = "representative"  # legal representative living with the child
    CO_REPRESENTATIVE = "co_representative"  # the other parent living in the same household
    PARTNER = "partner"  # new spouse/partner in a blended household
    OTHER_PARENT = "other_parent"  # the other parent in alternating residence
    FOSTER_PARENT = "foster_parent"


class IncomeKind(StrEnum):
    """Kinds of monthly amounts a household may declare."""

    TAXABLE = "taxable"  # taxable income: salary, pension, unemployment, ...
    FAMILY_ALLOWANCE = "family_allowance"
    SCHOOL_ALLOWANCE = "school_allowance"
    BIRTH_ALLOWANCE = "birth_allowance"
    SOCIAL_AID = "social_aid"


#: Amounts that are never income (§2).
EXCLUDED_KINDS = frozenset(
    {
        IncomeKind.FAMILY_ALLOWANCE,
        IncomeKind.SCHOOL_ALLOWANCE,
        IncomeKind.BIRTH_ALLOWANCE,
        IncomeKind.SOCIAL_AID,
    }
)

_COUNTED_ROLES: dict[Situation, frozenset[Role]] = {
    Situation.LIVING_TOGETHER: frozenset({Role.REPRESENTATIVE, Role.CO_REPRESENTATIVE}),
    Situation.SEPARATED: frozenset({Role.REPRESENTATIVE}),
    Situation.BLENDED: frozenset({Role.REPRESENTATIVE, Role.PARTNER}),
    Situation.FOSTER_FAMILY: frozenset({Role.FOSTER_PARENT}),
    Situation.INSTITUTION: frozenset(),
    Situation.ALTERNATING_RESIDENCE: frozenset({Role.REPRESENTATIVE, Role.OTHER_PARENT}),
}
_ALIMONY_SITUATIONS = frozenset({Situation.SEPARATED, Situation.BLENDED})


@dataclass(frozen=True)
class IncomeItem:
    """One declared monthly amount of one member."""

    kind: IncomeKind
    monthly_amount: Decimal


@dataclass(frozen=True)
class Member:
    """A person whose income may count, with the monthly amounts declared for them."""

    role: Role
    name: str
    incomes: tuple[IncomeItem, ...] = ()


@dataclass(frozen=True)
class Alimony:
    """Alimony for the child (separated parents, blended household; §2).

    The amount received counts; when nothing is received, the amount a judge set counts,
    unless it cannot be recovered through no fault of the creditor.
    """

    received_monthly: Decimal = ZERO
    judge_set_monthly: Decimal | None = None
    unrecoverable: bool = False


@dataclass(frozen=True)
class Household:
    """The child's household as declared at the commune or the CAE."""

    situation: Situation
    members: tuple[Member, ...] = ()
    alimony: Alimony | None = None
    income_declared: bool = True
    rmg_certificate: bool = False  # REVIS/RMG certificate of the FNS
    at_risk_identified: bool = False  # child identified as at risk of poverty


@dataclass(frozen=True)
class IncomeDecision:
    """Category decision: the category, the monthly income used, and why."""

    category: Category
    monthly_income: Decimal | None
    state_pays_all: bool
    explanation: tuple[str, ...]


def _check_amount(amount: Decimal, what: str) -> None:
    if not amount.is_finite() or amount < 0:
        raise InvalidIncome(f"{what} must be a non-negative amount, got {amount}")


def _alimony_amount(alimony: Alimony | None, steps: list[str]) -> Decimal:
    if alimony is None:
        steps.append("no alimony declared")
        return ZERO
    _check_amount(alimony.received_monthly, "alimony received")
    if alimony.judge_set_monthly is not None:
        _check_amount(alimony.judge_set_monthly, "judge-set alimony")
    if alimony.received_monthly > 0:
        steps.append(f"alimony received counts: {alimony.received_monthly}")
        return alimony.received_monthly
    if alimony.judge_set_monthly is None:
        steps.append("no alimony received and none set by a judge")
        return ZERO
    if alimony.unrecoverable:
        steps.append("alimony set by a judge is unrecoverable: not counted")
        return ZERO
    steps.append(f"no alimony received: the judge-set amount counts: {alimony.judge_set_monthly}")
    return alimony.judge_set_monthly


def _check_composition(household: Household) -> None:
    roles = [m.role for m in household.members]
    required = {
        Situation.LIVING_TOGETHER: Role.REPRESENTATIVE,
        Situation.SEPARATED: Role.REPRESENTATIVE,
        Situation.BLENDED: Role.PARTNER,
        Situation.FOSTER_FAMILY: Role.FOSTER_PARENT,
        Situation.ALTERNATING_RESIDENCE: Role.OTHER_PARENT,
    }.get(household.situation)
    if required is not None and required not in roles:
        raise InvalidHousehold(
            f"a {household.situation} household needs a member with role {required}",
            code="missing_member",
        )
    if household.situation in (Situation.BLENDED, Situation.ALTERNATING_RESIDENCE) and (
        roles.count(Role.REPRESENTATIVE) != 1
    ):
        raise InvalidHousehold(
            f"a {household.situation} household designates exactly one representative",
            code="one_representative_required",
        )


def household_income(household: Household) -> tuple[Decimal, tuple[str, ...]]:
    """Monthly household income that counts for the category, with the steps (§2)."""
    _check_composition(household)
    steps = [f"household situation: {household.situation}"]
    counted = _COUNTED_ROLES[household.situation]
    total = ZERO
    for member in household.members:
        for item in member.incomes:
            _check_amount(item.monthly_amount, f"{item.kind} of {member.name}")
        if member.role not in counted:
            steps.append(f"{member.name} ({member.role}): income not counted in this situation")
            continue
        for item in member.incomes:
            if item.kind in EXCLUDED_KINDS:
                steps.append(f"{member.name}: {item.kind} {item.monthly_amount} is never income")
            else:
                steps.append(f"{member.name} ({member.role}): {item.kind} {item.monthly_amount}")
                total += item.monthly_amount
    if household.situation in _ALIMONY_SITUATIONS:
        total += _alimony_amount(household.alimony, steps)
    steps.append(f"household monthly income: {total}")
    return total, tuple(steps)


def decide_category(household: Household, *, ssm: Decimal) -> IncomeDecision:
    """Income category of a household against the SSM (§2).

    Order: institution (state pays all, `lt_4_5` tariffs), RMG/REVIS or at-risk (`rmg`),
    undeclared income (`undisclosed`), else the income band.
    """
    if household.situation is Situation.INSTITUTION:
        return IncomeDecision(
            Category.LT_4_5,
            None,
            True,
            ("child placed in an institution: the state pays everything, lt_4_5 tariffs",),
        )
    if household.rmg_certificate or household.at_risk_identified:
        why = "REVIS/RMG certificate" if household.rmg_certificate else "identified at risk"
        return IncomeDecision(Category.RMG, None, False, (f"{why}: category rmg",))
    if not household.income_declared:
        return IncomeDecision(
            Category.UNDISCLOSED, None, False, ("income not declared: category undisclosed",)
        )
    income, steps = household_income(household)
    category = income_category(income, ssm)
    ratio = round_quantity(income / ssm, 3)
    explanation = (*steps, f"{income} is {ratio} x SSM {ssm}: category {category}")
    return IncomeDecision(category, income, False, explanation)
