"""Income categories (csa-rules.md §2)."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum

from csa_shared.rules.errors import RuleInputError


class Category(StrEnum):
    """Household income category; the order of declaration is the order of the barème."""

    RMG = "rmg"
    LT_1_5 = "lt_1_5"
    LT_2 = "lt_2"
    LT_2_5 = "lt_2_5"
    LT_3 = "lt_3"
    LT_3_5 = "lt_3_5"
    LT_4 = "lt_4"
    LT_4_5 = "lt_4_5"
    GE_4_5 = "ge_4_5"
    UNDISCLOSED = "undisclosed"


# Each bound is "strictly lower than k x SSM" (csa-rules.md §2).
_BOUNDS: tuple[tuple[Decimal, Category], ...] = (
    (Decimal("1.5"), Category.LT_1_5),
    (Decimal("2"), Category.LT_2),
    (Decimal("2.5"), Category.LT_2_5),
    (Decimal("3"), Category.LT_3),
    (Decimal("3.5"), Category.LT_3_5),
    (Decimal("4"), Category.LT_4),
    (Decimal("4.5"), Category.LT_4_5),
)

#: Categories whose household income is below 2 x SSM (free school-age holiday meals, §6).
BELOW_TWO_SSM: frozenset[Category] = frozenset({Category.RMG, Category.LT_1_5, Category.LT_2})


def income_category(income: Decimal, ssm: Decimal) -> Category:
    """Category of a household monthly taxable income R against the SSM (csa-rules.md §2).

    R < 1.5 SSM is `lt_1_5`, ..., R >= 4.5 SSM is `ge_4_5`; a household exactly on
    k x SSM falls in the next category up. `rmg` and `undisclosed` are not derived from an
    income: the caller chooses them.
    """
    if income < 0:
        raise RuleInputError("income", f"must not be negative: {income}")
    if ssm <= 0:
        raise RuleInputError("ssm", f"must be positive: {ssm}")
    for factor, category in _BOUNDS:
        if income < factor * ssm:
            return category
    return Category.GE_4_5
