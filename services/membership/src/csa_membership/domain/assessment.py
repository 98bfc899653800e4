"""Category and rank of a contract version (csa-rules.md §2, §3)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from csa_membership.domain.application import ContractData
from csa_membership.domain.household import decide_category
from csa_membership.domain.rank import decide_rank
from csa_shared.rules.categories import Category


@dataclass(frozen=True)
class Assessment:
    """What billing needs from the household: category, rank, who pays; and why."""

    category: Category
    rank: int
    state_pays_all: bool
    monthly_income: Decimal | None
    explanation: tuple[str, ...]


def assess(data: ContractData, *, child_id: str, ssm: Decimal) -> Assessment:
    """Income category (against ``ssm``) and rank of the child for a contract version."""
    income = decide_category(data.household, ssm=ssm)
    rank = decide_rank(child_id, data.household_children)
    return Assessment(
        income.category,
        rank.rank,
        income.state_pays_all,
        income.monthly_income,
        income.explanation + rank.explanation,
    )
