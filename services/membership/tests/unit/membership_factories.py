"""Builders of valid contract data for the unit tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from csa_membership.domain.application import (
    Address,
    Agent,
    AgentKind,
    Applicant,
    ContractData,
    Language,
    Person,
)
from csa_membership.domain.child import Schooling
from csa_membership.domain.household import (
    Household,
    IncomeItem,
    IncomeKind,
    Member,
    Role,
    Situation,
)
from csa_membership.domain.nin import make_nin
from csa_membership.domain.rank import HouseholdChild

SSM = Decimal("2570.93")
CHILD_BIRTH = date(2022, 5, 10)
CHILD_NIN = make_nin(CHILD_BIRTH, 42).value
PARENT_NIN = make_nin(date(1988, 11, 3), 7).value
PARTNER_NIN = make_nin(date(1990, 1, 15), 9).value
HOME = Address("12, rue de la Gare", "L-4001", "Esch-sur-Alzette", "LU", "Esch-sur-Alzette")
ESCH_AGENT = Agent("agent-esch-1", AgentKind.COMMUNE, "Esch-sur-Alzette")
CAE_AGENT = Agent("agent-cae-1", AgentKind.CAE)


def household(income: str = "5200.00") -> Household:
    rep = Member(Role.REPRESENTATIVE, "Anna", (IncomeItem(IncomeKind.TAXABLE, Decimal(income)),))
    return Household(Situation.LIVING_TOGETHER, (rep,))


def contract_data(**changes: object) -> ContractData:
    data = ContractData(
        child=Person("Mia", "Muller", CHILD_NIN),
        child_address=HOME,
        representative=Person("Anna", "Muller", PARENT_NIN),
        applicant=Applicant("Anna Muller", HOME, is_legal_representative=True),
        billing_address=HOME,
        language=Language.FR,
        schooling=Schooling.NONE,
        resident=True,
        household=household(),
        household_children=(
            HouseholdChild("sibling", date(2019, 1, 1)),
            HouseholdChild("child-1", CHILD_BIRTH),
        ),
        children_with_allowance=2,
    )
    return replace(data, **changes)  # type: ignore[arg-type]
